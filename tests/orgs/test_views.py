"""Pages of the orgs app through Django's test client: scope, content, search, export, forms, audit."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import segno
from django.urls import reverse

from gonghui.core.models import AuditEvent
from gonghui.core.testing import Case, PermissionMatrix, make_id_number, make_member, make_org, make_user
from gonghui.orgs import services
from gonghui.orgs.models import Member, MemberTransfer, Organisation

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "member-list"}


def listed_members(response) -> list[str]:
    """Names in the member table of a page or fragment, in order."""
    html = response.content.decode()
    return re.findall(r'<a href="/orgs/members/\d+/">([^<]+)</a>', html)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def people(tree, root_user, member):
    """Members with names whose pinyin overlaps, across SY (two base unions) and HD."""
    return {
        "刘永涛": member,  # liuyongtao / lyt, SY-GAS, 焊工
        "刘洋": make_member(org=tree["SY-GAS"], name="刘洋", actor=root_user, trade="焊工", phone="13912345678"),
        "李娜": make_member(org=tree["SY-WATER"], name="李娜", actor=root_user, trade="抄表员",
                          new_form_type="courier", is_outdoor_worker=True, phone="13800005678"),
        "张伟": make_member(org=tree["SY-WATER"], name="张伟", actor=root_user, status="left"),
        "王警官": make_member(org=tree["HD-PD"], name="王警官", actor=root_user),
    }


def detail_url(org, **params) -> str:
    url = reverse("orgs:org-detail", args=[org.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


# ---------------------------------------------------------------- permission matrix


class TestOrgPagesMatrix(PermissionMatrix):
    @pytest.fixture
    def matrix_world(self, tree, sy_admin, member, hd_member):
        return {"in_user": sy_admin, "tree": tree, "member": member, "hd_member": hd_member}

    def matrix(self, world):
        t, m, hm = world["tree"], world["member"], world["hd_member"]

        def org(name, org_in, org_out, **kw):
            return Case(name, reverse(name, args=[org_in.pk]), reverse(name, args=[org_out.pk]), api=False, **kw)

        def mem(name, **kw):
            return Case(name, reverse(name, args=[m.pk]), reverse(name, args=[hm.pk]), api=False, **kw)

        return [
            Case("orgs:org-home", reverse("orgs:org-home"), None, api=False, in_status=302),
            org("orgs:org-detail", t["SY"], t["HD"]),
            org("orgs:org-tree-children", t["SY"], t["HD"]),
            org("orgs:org-edit", t["SY-GAS"], t["HD-PD"]),
            org("orgs:org-create-child", t["SY"], t["HD"]),
            org("orgs:member-create", t["SY-GAS"], t["HD-PD"]),
            org("orgs:member-export", t["SY"], t["HD"]),
            mem("orgs:member-detail"),
            mem("orgs:member-edit"),
            mem("orgs:member-transfer"),
            mem("orgs:member-reveal", method="post"),
            mem("orgs:member-card"),
            mem("orgs:member-qr"),
            Case("orgs:audit-list", reverse("orgs:audit-list"), None, api=False),
            Case("orgs:audit-export", reverse("orgs:audit-export"), None, api=False),
        ]


# ---------------------------------------------------------------- entry points


def test_home_routes_each_kind_of_user(client, tree, sy_staff, member):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/"

    client.force_login(sy_staff)
    assert client.get("/")["Location"] == reverse("orgs:org-home")

    worker = make_user("worker", role=None)
    Member.objects.filter(pk=member.pk).update(user=worker)
    client.force_login(worker)
    assert client.get("/")["Location"] == reverse("my-card")
    assert client.get(reverse("orgs:org-home")).status_code == 403

    nobody = make_user("nobody", role=None)
    client.force_login(nobody)
    response = client.get("/")
    assert response.status_code == 403
    assert "您的账号尚未开通业务权限" in text(response)


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = text(response)
    assert "<html lang=\"zh-hans\">" in body
    assert "请使用工会为您开通的账号登录" in body and 'id="id_username"' in body


def test_org_home_goes_to_the_scope_root(client, tree, sy_staff, root_user):
    client.force_login(sy_staff)
    assert client.get(reverse("orgs:org-home"))["Location"] == detail_url(tree["SY"])
    client.force_login(root_user)
    assert client.get(reverse("orgs:org-home"))["Location"] == detail_url(tree["BJ"])


# ---------------------------------------------------------------- organisation detail


def test_org_detail_for_district_staff(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    response = client.get(detail_url(tree["SY"]))
    assert response.status_code == 200
    body = text(response)
    # Header and breadcrumbs: BJ is an ancestor outside the user's scope, so not a link.
    assert "<h1>顺义区总工会" in body
    assert '<span>北京市总工会</span>' in body
    assert detail_url(tree["BJ"]) not in body
    # Tree: the scope root and its children; nothing of Haidian.
    tree_html = body.split('id="org-tree">')[1].split("</aside>")[0]
    assert re.findall(r">([^<]+)</a>", tree_html) == ["顺义区总工会", "燃气公司工会", "水务公司工会"]
    assert "海淀" not in body
    # Counts: 2 children; active members 3 (张伟 left), 1 new-form, 1 outdoor.
    stats = re.findall(r'<div class="stat-value">(\d+)</div>', body)
    assert stats == ["2", "3", "1", "1"]
    # Children table with members of each child's subtree.
    rows = re.findall(r'<td class="mono">([A-Z-]+)</td>.*?<td class="num">(\d+)</td>', body)
    assert rows == [("SY-GAS", "2"), ("SY-WATER", "1")]
    # Member list: the whole subtree, sorted by pinyin, never Haidian's member.
    assert listed_members(response) == ["李娜", "刘洋", "刘永涛", "张伟"]
    # Masked phone shown, full phone never.
    assert "139****5678" in body and "13912345678" not in body
    # Staff may write: buttons for a sub-organisation and edit; no "add member" on a district.
    assert reverse("orgs:org-create-child", args=[tree["SY"].pk]) in body
    assert reverse("orgs:org-edit", args=[tree["SY"].pk]) in body
    assert reverse("orgs:member-create", args=[tree["SY"].pk]) not in body
    # Live search wiring.
    assert 'hx-trigger="keyup changed delay:300ms, search"' in body and 'hx-push-url="true"' in body


def test_org_detail_base_union_has_add_member(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    body = text(client.get(detail_url(tree["SY-GAS"])))
    assert reverse("orgs:member-create", args=[tree["SY-GAS"].pk]) in body
    assert f'<a href="/orgs/{tree["SY"].pk}/">顺义区总工会</a>' in body  # in-scope ancestor is a link


def test_viewer_sees_no_write_buttons_and_gets_403_on_forms(client, tree, sy_viewer, people):
    client.force_login(sy_viewer)
    body = text(client.get(detail_url(tree["SY-GAS"])))
    assert reverse("orgs:org-edit", args=[tree["SY-GAS"].pk]) not in body
    assert reverse("orgs:member-create", args=[tree["SY-GAS"].pk]) not in body
    assert client.get(reverse("orgs:org-edit", args=[tree["SY-GAS"].pk])).status_code == 403
    assert client.get(reverse("orgs:member-edit", args=[people["刘洋"].pk])).status_code == 403
    assert client.get(reverse("orgs:member-transfer", args=[people["刘洋"].pk])).status_code == 403
    assert client.post(reverse("orgs:member-reveal", args=[people["刘洋"].pk])).status_code == 403


def test_tree_expands_along_the_path_for_the_federation(client, tree, root_user):
    client.force_login(root_user)
    body = text(client.get(detail_url(tree["SY-GAS"])))
    tree_html = body.split('id="org-tree">')[1].split("</aside>")[0]
    # BJ → (SY → SY-GAS, SY-WATER), HD collapsed: HD-PD is loaded lazily.
    assert re.findall(r">([^<]+)</a>", tree_html) == ["北京市总工会", "顺义区总工会", "燃气公司工会", "水务公司工会",
                                                      "海淀区总工会"]
    assert 'aria-current="page"' in tree_html
    assert f'data-children-url="{reverse("orgs:org-tree-children", args=[tree["HD"].pk])}"' in tree_html

    response = client.get(reverse("orgs:org-tree-children", args=[tree["HD"].pk]))
    assert re.findall(r">([^<]+)</a>", response.content.decode()) == ["海淀派出所工会"]


def test_children_counts_and_queries_are_bounded(client, tree, sy_staff, root_user, django_assert_max_num_queries):
    sy = tree["SY"]
    children = [make_org(code=f"SY-K{i}", name=f"公司{i}工会", parent=sy) for i in range(3)]
    for i in range(30):
        target = children[i % 3] if i < 24 else tree["SY-GAS"]
        make_member(org=target, name=f"会员{i:02d}", actor=root_user)
    client.force_login(sy_staff)
    client.get(detail_url(sy))  # warm the session
    with django_assert_max_num_queries(15):
        response = client.get(detail_url(sy))
    assert response.status_code == 200
    body = text(response)
    rows = re.findall(r'<td class="mono">([A-Z0-9-]+)</td>.*?<td class="num">(\d+)</td>', body)
    assert rows == [("SY-GAS", "6"), ("SY-WATER", "0"), ("SY-K0", "8"), ("SY-K1", "8"), ("SY-K2", "8")]
    assert len(listed_members(response)) == 20


def test_member_list_pagination(client, tree, sy_staff, root_user):
    for i in range(25):
        make_member(org=tree["SY-GAS"], name=f"会员{i:02d}", actor=root_user)
    client.force_login(sy_staff)
    first = client.get(detail_url(tree["SY-GAS"]))
    assert len(listed_members(first)) == 20 and "共 25 名会员" in text(first) and "第 1 / 2 页" in text(first)
    assert 'aria-current="page">1</span>' in text(first)
    assert 'hx-get="?page=2" hx-target="#member-list"' in text(first)
    second = client.get(detail_url(tree["SY-GAS"], page=2), **HX)
    assert len(listed_members(second)) == 5
    assert "第 2 / 2 页" in text(second)


# ---------------------------------------------------------------- search and filters


@pytest.mark.parametrize(("q", "expected"), [
    ("lyt", ["刘永涛"]),          # initials
    ("ly", ["刘洋", "刘永涛"]),    # initials prefix
    ("LIUYANG", ["刘洋"]),        # full pinyin, any case
    ("liuyong", ["刘永涛"]),      # full pinyin prefix
    ("5678", ["李娜", "刘洋"]),    # last 4 digits of the phone
    ("娜", ["李娜"]),              # name
    ("王", []),                   # Haidian's 王警官 is out of scope
])
def test_search(client, tree, sy_staff, people, q, expected):
    client.force_login(sy_staff)
    response = client.get(detail_url(tree["SY"], q=q), **HX)
    assert response.status_code == 200
    assert listed_members(response) == expected
    # The fragment is only the list (plus the export link swapped out of band).
    assert "<html" not in response.content.decode()
    assert 'id="export-link" hx-swap-oob="true"' in response.content.decode()


def test_search_by_card_number(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    response = client.get(detail_url(tree["SY"], q=people["李娜"].card_no), **HX)
    assert listed_members(response) == ["李娜"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"trade": "焊工"}, ["刘洋", "刘永涛"]),
    ({"new_form": "courier"}, ["李娜"]),
    ({"new_form": "any"}, ["李娜"]),
    ({"status": "left"}, ["张伟"]),
    ({"outdoor": "true"}, ["李娜"]),
    ({"trade": "焊工", "q": "lyt"}, ["刘永涛"]),
])
def test_filters(client, tree, sy_staff, people, params, expected):
    client.force_login(sy_staff)
    assert listed_members(client.get(detail_url(tree["SY"], **params), **HX)) == expected


def test_search_with_no_result_says_so(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    response = client.get(detail_url(tree["SY"], q="zzzz"), **HX)
    assert "没有符合条件的会员" in text(response)


# ---------------------------------------------------------------- export


def _xlsx_rows(response) -> list[tuple]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [tuple(r) for r in book.active.iter_rows(values_only=True)]


def test_export_is_the_filtered_list_with_masked_personal_data(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    response = client.get(reverse("orgs:member-export", args=[tree["SY"].pk]) + "?trade=焊工")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = _xlsx_rows(response)
    assert rows[0][:6] == ("姓名", "性别", "出生日期", "身份证号码", "手机号码", "会员卡号")
    liu_yang, liu = people["刘洋"], people["刘永涛"]
    assert [r[0] for r in rows[1:]] == ["刘洋", "刘永涛"]
    assert rows[1][3] == liu_yang.id_number_masked and "********" in rows[1][3]
    assert rows[1][4] == "139****5678"
    assert rows[1][5] == liu_yang.card_no
    assert rows[2][6:10] == ("燃气公司工会", "SY-GAS", "", "焊工")
    assert liu.id_number not in str(rows)


def test_export_of_everything_and_by_search(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    rows = _xlsx_rows(client.get(reverse("orgs:member-export", args=[tree["SY"].pk])))
    assert sorted(r[0] for r in rows[1:]) == sorted(["李娜", "刘洋", "刘永涛", "张伟"])
    rows = _xlsx_rows(client.get(reverse("orgs:member-export", args=[tree["SY"].pk]) + "?q=lyt"))
    assert [r[0] for r in rows[1:]] == ["刘永涛"]


# ---------------------------------------------------------------- member detail, reveal, card


def test_member_detail_masks_personal_data(client, tree, sy_staff, root_user):
    number = make_id_number(birth="19850312", female=True)
    m = make_member(org=tree["SY-GAS"], name="王秀英", actor=root_user, id_number=number, phone="13912345678",
                    employer="北京燃气公司", trade="焊工", new_form_type="food_delivery", is_outdoor_worker=True)
    services.member_transfer(actor=root_user, member=m, to_org=tree["SY-WATER"], reason="调动工作")
    client.force_login(sy_staff)
    response = client.get(reverse("orgs:member-detail", args=[m.pk]))
    assert response.status_code == 200
    body = text(response)
    assert f'id="masked-id">{number[:6]}********{number[14:]}<' in body
    assert 'id="masked-phone">139****5678<' in body
    assert number not in body and "13912345678" not in body
    assert "<dd>女</dd>" in body and "<dd>1985-03-12</dd>" in body
    assert "外卖配送员" in body and "北京燃气公司" in body and m.card_no in body
    # Transfer history.
    assert re.search(r"燃气公司工会</td><td>水务公司工会</td><td>调动工作</td><td>root</td>", body)
    # Staff: edit and transfer, but no reveal button.
    assert reverse("orgs:member-edit", args=[m.pk]) in body
    assert reverse("orgs:member-reveal", args=[m.pk]) not in body


def test_reveal_admin_only_and_audited(client, tree, sy_admin, sy_staff, member):
    client.force_login(sy_staff)
    assert client.post(reverse("orgs:member-reveal", args=[member.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="member.reveal_pii").exists()

    client.force_login(sy_admin)
    body = text(client.get(reverse("orgs:member-detail", args=[member.pk])))
    assert f'hx-post="{reverse("orgs:member-reveal", args=[member.pk])}"' in body
    assert client.get(reverse("orgs:member-reveal", args=[member.pk])).status_code == 405
    response = client.post(reverse("orgs:member-reveal", args=[member.pk]), {"purpose": "核对身份办理转接"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = text(response)
    assert f'id="full-id">{member.id_number}<' in body and f'id="full-phone">{member.phone}<' in body
    event = AuditEvent.objects.get(action="member.reveal_pii")
    assert (event.actor, event.target_id, event.org_id) == (sy_admin, str(member.pk), tree["SY-GAS"].pk)
    assert event.after == {"purpose": "核对身份办理转接"}


def _qr_path(member) -> str:
    svg = segno.make(member.card_token, error="m").svg_inline(scale=6, dark="#1f2329", light="#ffffff", border=2)
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_member_card_for_staff(client, tree, sy_staff, member):
    client.force_login(sy_staff)
    response = client.get(reverse("orgs:member-card", args=[member.pk]))
    assert response.status_code == 200
    body = text(response)
    assert 'id="member-qr"><svg viewBox=' in body
    assert _qr_path(member) in body  # the QR encodes the signed card token
    assert member.id_number_masked in body and member.id_number not in body
    assert "燃气公司工会" in body and "刘永涛" in body
    no = member.card_no
    assert f"{no[:4]} {no[4:8]} {no[8:]}" in body

    qr = client.get(reverse("orgs:member-qr", args=[member.pk]))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.decode().startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')


def test_my_card(client, tree, member):
    client.get("/")
    worker = make_user("worker", role=None)
    client.force_login(worker)
    assert client.get(reverse("my-card")).status_code == 404
    Member.objects.filter(pk=member.pk).update(user=worker)
    response = client.get(reverse("my-card"))
    assert response.status_code == 200
    assert _qr_path(member) in text(response) and "刘永涛" in text(response)
    # A worker has no staff pages.
    assert client.get(reverse("orgs:member-card", args=[member.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("my-card"))["Location"] == "/accounts/login/?next=/me/card/"


def test_card_of_member_who_left_has_no_qr(client, tree, sy_staff, people):
    client.force_login(sy_staff)
    body = text(client.get(reverse("orgs:member-card", args=[people["张伟"].pk])))
    assert "会员状态：已退会，此卡暂不可用" in body and "<svg" not in body


# ---------------------------------------------------------------- member forms


def _member_post(**overrides) -> dict:
    data = {"name": "赵敏", "id_number": make_id_number(), "phone": "13700001234", "employer": "燃气公司",
            "trade": "焊工", "joined_on": "2024-07-01", "new_form_type": "", "status": "active"}
    data.update(overrides)
    return data


def test_member_create(client, tree, sy_staff):
    client.force_login(sy_staff)
    url = reverse("orgs:member-create", args=[tree["SY-GAS"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _member_post(is_outdoor_worker="on"))
    m = Member.objects.get(name="赵敏")
    assert response["Location"] == reverse("orgs:member-detail", args=[m.pk])
    assert (m.org, m.trade, m.is_outdoor_worker, str(m.joined_on)) == (tree["SY-GAS"], "焊工", True, "2024-07-01")
    assert AuditEvent.objects.filter(action="member.create", target_id=str(m.pk), actor=sy_staff).count() == 1


def test_member_create_bad_id_shows_the_reason_and_writes_nothing(client, tree, sy_staff):
    client.force_login(sy_staff)
    good = make_id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(reverse("orgs:member-create", args=[tree["SY-GAS"].pk]), _member_post(id_number=wrong))
    assert response.status_code == 200
    assert f"身份证号码校验位错误：最后一位应为{good[17]}" in text(response)
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="member.create").exists()

    response = client.post(reverse("orgs:member-create", args=[tree["SY-GAS"].pk]),
                           _member_post(id_number="11010519900230123X", phone="12345"))
    body = text(response)
    assert "身份证号码中的出生日期19900230不是有效日期" in body
    assert "手机号码格式不正确" in body
    assert not Member.objects.exists()

    response = client.post(reverse("orgs:member-create", args=[tree["SY-GAS"].pk]), _member_post(name=""))
    assert "请填写姓名" in text(response)


def test_member_create_existing_member_says_use_transfer(client, tree, sy_staff, member):
    client.force_login(sy_staff)
    response = client.post(reverse("orgs:member-create", args=[tree["SY-WATER"].pk]),
                           _member_post(id_number=member.id_number))
    assert response.status_code == 200
    assert "该身份证号码已是燃气公司工会的会员，请通过会员组织关系转接办理" in text(response)
    assert Member.objects.count() == 1


def test_member_create_on_a_district_is_refused_on_the_form(client, tree, sy_staff):
    client.force_login(sy_staff)
    response = client.post(reverse("orgs:member-create", args=[tree["SY"].pk]), _member_post())
    assert response.status_code == 200
    assert "会员只能加入基层工会或联合工会，顺义区总工会是区总工会" in text(response)
    assert not Member.objects.exists()


def test_member_edit_keeps_personal_data_unless_retyped(client, tree, sy_staff, member):
    client.force_login(sy_staff)
    url = reverse("orgs:member-edit", args=[member.pk])
    body = text(client.get(url))
    assert member.id_number not in body and member.phone not in body and member.id_number_masked in body
    old_id = member.id_number
    response = client.post(url, {"name": "刘永涛", "id_number": "", "phone": "", "employer": "燃气公司",
                                 "trade": "高级焊工", "joined_on": str(member.joined_on), "new_form_type": "",
                                 "status": "active"})
    assert response["Location"] == reverse("orgs:member-detail", args=[member.pk])
    member.refresh_from_db()
    assert (member.trade, member.employer, member.id_number) == ("高级焊工", "燃气公司", old_id)

    response = client.post(url, {"name": "刘永涛", "id_number": "123", "phone": "", "status": "active"})
    assert "身份证号码应为18位，实际为3位" in text(response)
    member.refresh_from_db()
    assert member.id_number == old_id


def test_member_transfer(client, tree, sy_staff, member):
    client.force_login(sy_staff)
    url = reverse("orgs:member-transfer", args=[member.pk])
    response = client.post(url, {"to_code": "HD-PD", "reason": "调动"})
    assert "未找到组织代码为HD-PD的工会，或该工会不在您的管辖范围内" in text(response)
    response = client.post(url, {"to_code": "SY", "reason": "调动"})
    assert "会员只能加入基层工会或联合工会，顺义区总工会是区总工会" in text(response)
    response = client.post(url, {"to_code": "SY-GAS", "reason": "调动"})
    assert "会员已在燃气公司工会，无需转接" in text(response)
    response = client.post(url, {"to_code": "SY-WATER", "reason": ""})
    assert "请填写转接原因" in text(response)
    assert not MemberTransfer.objects.exists()

    response = client.post(url, {"to_code": " SY-WATER ", "reason": "调往水务公司"})
    assert response["Location"] == reverse("orgs:member-detail", args=[member.pk])
    member.refresh_from_db()
    assert member.org == tree["SY-WATER"]
    t = MemberTransfer.objects.get()
    assert (t.from_org, t.to_org, t.reason, t.actor) == (tree["SY-GAS"], tree["SY-WATER"], "调往水务公司", sy_staff)


# ---------------------------------------------------------------- organisation forms


def test_org_edit(client, tree, sy_staff):
    client.force_login(sy_staff)
    url = reverse("orgs:org-edit", args=[tree["SY-GAS"].pk])
    body = text(client.get(url))
    assert 'value="SY-GAS"' in body and 'value="燃气公司工会"' in body
    data = {"code": "SY-GAS", "name": "北京燃气公司工会", "short_name": "燃气工会", "type": "base",
            "status": "active", "uscc": "81110000MA01ABCD1X", "address": "顺义区", "founded_on": "2001-05-01"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert '<ul class="errorlist"><li>统一社会信用代码校验位错误：最后一位应为N</li></ul>' in text(response)
    org = Organisation.objects.get(pk=tree["SY-GAS"].pk)
    assert org.name == "燃气公司工会"

    data["uscc"] = ""
    response = client.post(url, data)
    assert response["Location"] == detail_url(tree["SY-GAS"])
    org.refresh_from_db()
    assert (org.name, org.short_name, str(org.founded_on)) == ("北京燃气公司工会", "燃气工会", "2001-05-01")
    event = AuditEvent.objects.get(action="org.update")
    assert (event.before["name"], event.after["name"]) == ("燃气公司工会", "北京燃气公司工会")

    data["code"] = "HD-PD"
    response = client.post(url, data)
    assert "组织代码HD-PD已存在" in text(response)


def test_org_create_child(client, tree, sy_staff):
    client.force_login(sy_staff)
    url = reverse("orgs:org-create-child", args=[tree["SY"].pk])
    response = client.post(url, {"code": "SY-C2", "name": "顺义第二公司工会", "type": "base", "status": "preparing"})
    child = Organisation.objects.get(code="SY-C2")
    assert response["Location"] == detail_url(child)
    assert child.path[:-4] == tree["SY"].path and child.status == "preparing"
    response = client.post(url, {"code": "SY-C2", "name": "重复", "type": "base", "status": "active"})
    assert "组织代码SY-C2已存在" in text(response)
    response = client.post(url, {"code": "", "name": "", "type": "base", "status": "active"})
    assert "请填写组织代码" in text(response) and "请填写组织名称" in text(response)
    assert Organisation.objects.filter(name="重复").count() == 0


# ---------------------------------------------------------------- audit trail


def test_audit_list_is_scoped_filterable_and_exportable(client, tree, sy_staff, member, hd_member):
    services.member_update(actor=sy_staff, member=member, trade="电焊工")
    client.force_login(sy_staff)
    response = client.get(reverse("orgs:audit-list"))
    assert response.status_code == 200
    body = text(response)
    assert "刘永涛" in body and "王警官" not in body
    assert "修改会员信息" in body and "新增会员" in body

    response = client.get(reverse("orgs:audit-list") + "?action=member.update")
    assert "共 1 条记录" in text(response)
    response = client.get(reverse("orgs:audit-list") + "?actor=sy_staff")
    assert "共 1 条记录" in text(response)
    response = client.get(reverse("orgs:audit-list") + "?within=SY-WATER")
    assert "没有符合条件的操作记录" in text(response)

    rows = _xlsx_rows(client.get(reverse("orgs:audit-export") + "?action=member"))
    assert rows[0][:4] == ("时间", "操作人", "操作代码", "操作")
    assert sorted(r[2] for r in rows[1:]) == ["member.create", "member.update"]
    update = next(r for r in rows[1:] if r[2] == "member.update")
    assert update[1] == "sy_staff" and update[4] == "SY-GAS" and '"trade": "电焊工"' in update[10]


def test_audit_list_paginates(client, tree, sy_staff, root_user):
    for i in range(55):
        make_member(org=tree["SY-GAS"], name=f"会员{i}", actor=root_user)
    client.force_login(sy_staff)
    body = text(client.get(reverse("orgs:audit-list")))
    assert "共 55 条记录" in body and "第 1 / 2 页" in body
    assert len(re.findall(r"<tr>", body.split("<tbody>")[1])) == 50
