"""Pages of activities through the test client: matrix, forms, exports, member pages, check-in, report."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from gonghui.activities import services
from gonghui.activities.models import Activity, Signup
from gonghui.core.testing import Case, PermissionMatrix, make_member, make_user

from .conftest import make_activity


def soon(**kw):
    return timezone.now() + dt.timedelta(**kw)


@pytest.fixture
def page_world(tree, sy_staff, hd_staff, root_user):
    live = make_activity(actor=sy_staff, org=tree["SY"], capacity=1, starts_at=soon(hours=1))
    other = make_activity(actor=hd_staff, org=tree["HD"], capacity=1, starts_at=soon(hours=1))
    liu = make_member(org=tree["SY-GAS"], name="刘永涛", actor=root_user)
    wang = make_member(org=tree["SY-GAS"], name="王伟", actor=root_user)
    return {"in_user": sy_staff, "live": live, "other": other, "liu": liu, "wang": wang}


@pytest.fixture
def matrix_world(page_world):
    return page_world


class TestActivityPagesMatrix(PermissionMatrix):
    def matrix(self, w):
        a, o = f"/activities/{w['live'].pk}/", f"/activities/{w['other'].pk}/"
        return [
            Case("list", "/activities/", api=False),
            Case("create form", "/activities/new/", api=False),
            Case("detail", a, o, api=False),
            Case("edit", a + "edit/", o + "edit/", api=False),
            Case("check-in page", a + "checkin/", o + "checkin/", api=False),
            Case("attendance", a + "attendance.xlsx", o + "attendance.xlsx", api=False),
            Case("report pdf", a + "report.pdf", o + "report.pdf", api=False),
            Case("report docx", a + "report.docx", o + "report.docx", api=False),
            Case("member search", a + "member-search/?q=liu", o + "member-search/?q=liu", api=False),
            Case("sign up a member", a + "signups/", o + "signups/", method="post", api=False, in_status=302,
                 data={"member": w["liu"].pk}),
        ]


def test_create_form_validates_in_chinese_and_creates(client, tree, sy_staff):
    client.force_login(sy_staff)
    r = client.post("/activities/new/", {"org": "HD", "theme": "", "kind": "lecture", "place": "报告厅",
                                         "starts_at": "2031-05-01T09:00", "ends_at": "2031-05-01T08:00",
                                         "audience_type": "units", "capacity": "0", "cost": "-1"})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert errors["org"] == ["未找到组织代码“HD”，或不在您的管辖范围内"]
    assert errors["theme"] == ["该字段是必填项。"]
    assert errors["ends_at"] == ["结束时间必须晚于开始时间"]
    assert errors["capacity"] == ["名额至少为1人，不限名额请留空"]
    assert errors["cost"] == ["预算金额不能为负数"]
    assert errors["audience_units"] == ["请至少指定一个参加单位"]
    r = client.post("/activities/new/", {
        "org": "SY", "co_organisers": "京恒（北京）保安服务有限公司党支部", "theme": "安全生产专题培训",
        "kind": "training", "place": "顺义区职工之家", "starts_at": "2031-05-01T09:00",
        "ends_at": "2031-05-01T12:00", "audience_type": "units", "audience_units": "SY-GAS, SY-WATER",
        "capacity": "40", "cost": "3000.50", "budget_line": "职工教育经费", "publish": "on"})
    activity = Activity.objects.get(theme="安全生产专题培训")
    assert r.status_code == 302 and r["Location"] == f"/activities/{activity.pk}/"
    assert (activity.status, str(activity.cost), activity.capacity) == ("published", "3000.50", 40)
    assert sorted(activity.audience_units.values_list("code", flat=True)) == ["SY-GAS", "SY-WATER"]
    assert activity.co_organiser_list == ["京恒（北京）保安服务有限公司党支部"]
    r = client.post(f"/activities/{activity.pk}/edit/", {
        "theme": "安全生产专题培训（第二期）", "kind": "training", "place": "顺义区职工之家",
        "starts_at": "2031-05-01T09:00", "ends_at": "2031-05-01T12:00", "audience_type": "subtree",
        "capacity": "", "cost": "0", "budget_line": ""})
    assert r.status_code == 302
    activity.refresh_from_db()
    assert (activity.theme, activity.capacity, activity.audience_units.count()) == ("安全生产专题培训（第二期）", None, 0)


def test_list_search_filter_and_export(client, page_world, tree, sy_staff):
    make_activity(actor=sy_staff, org=tree["SY-GAS"], theme="劳模工匠大讲堂", kind="lecture")
    client.force_login(sy_staff)
    r = client.get("/activities/?q=lmgj")
    assert [a.theme for a in r.context["page"].object_list] == ["劳模工匠大讲堂"]
    r = client.get("/activities/?kind=education")
    assert [a.theme for a in r.context["page"].object_list] == ["重温抗战历史，增强实干精神"]
    r = client.get("/activities/?within=SY-GAS")
    assert r.context["page"].paginator.count == 1
    r = client.get("/activities/?export=xlsx&kind=lecture")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("活动主题", "类型", "主办工会") and len(rows) == 2
    assert rows[1][:3] == ("劳模工匠大讲堂", "讲座", "燃气公司工会")


def test_staff_signup_waitlist_cancel_and_attendance_export(client, page_world, sy_staff):
    client.force_login(sy_staff)
    live = page_world["live"]
    client.post(f"/activities/{live.pk}/signups/", {"member": page_world["liu"].pk})
    r = client.post(f"/activities/{live.pk}/signups/", {"member": page_world["wang"].pk}, follow=True)
    assert "名额已满，王伟已进入候补名单" in r.content.decode()
    liu = Signup.objects.get(member=page_world["liu"])
    client.post(f"/activities/{live.pk}/signups/{liu.pk}/cancel/")
    assert Signup.objects.get(member=page_world["wang"]).status == "confirmed"
    r = client.get(f"/activities/{live.pk}/member-search/?q=ly")
    assert "刘永涛" in r.content.decode()          # cancelled members may be signed up again
    r = client.get(f"/activities/{live.pk}/attendance.xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True))
    assert [(x[1], x[5]) for x in rows[1:]] == [("刘永涛", "已取消"), ("王伟", "已报名")]
    assert rows[2][2] == page_world["wang"].card_no          # card number kept as text


def test_checkin_page_htmx(client, page_world, sy_staff):
    live = page_world["live"]
    services.signup_create(actor=sy_staff, activity=live, member=page_world["liu"])
    client.force_login(sy_staff)
    r = client.post(f"/activities/{live.pk}/checkin/", {"card": page_world["liu"].card_token}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "✓ 刘永涛" in html and "已签到 1 / 已报名 1" in html
    r = client.post(f"/activities/{live.pk}/checkin/", {"card": page_world["liu"].card_no}, HTTP_HX_REQUEST="true")
    assert 'data-code="already_checked_in"' in r.content.decode()
    r = client.post(f"/activities/{live.pk}/checkin/", {"card": page_world["wang"].card_token},
                    HTTP_HX_REQUEST="true")
    assert "该会员没有报名本活动" in r.content.decode()


def test_viewer_cannot_check_in(client, page_world, sy_viewer):
    client.force_login(sy_viewer)
    r = client.post(f"/activities/{page_world['live'].pk}/checkin/", {"card": page_world["liu"].card_no})
    assert r.status_code == 403


def _jpeg(color=(180, 40, 40)):
    buf = io.BytesIO()
    Image.new("RGB", (640, 420), color).save(buf, format="JPEG")
    return SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")


def test_photos_and_report_exports(client, page_world, sy_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    live = page_world["live"]
    client.force_login(sy_staff)
    r = client.post(f"/activities/{live.pk}/photos/", {"image": _jpeg(), "caption": "职工参观纪念馆（示意图）",
                                                       "credit": "本报记者 孙妍 / 通讯员 田文江 摄影报道"})
    assert r.status_code == 302 and live.photos.count() == 1
    r = client.post(f"/activities/{live.pk}/photos/", {"image": SimpleUploadedFile("x.jpg", b"no"), "caption": "x"},
                    follow=True)
    assert "照片：" in r.content.decode() and live.photos.count() == 1
    photo = live.photos.get()
    r = client.get(f"/activities/{live.pk}/photos/{photo.pk}/image")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    client.post(f"/activities/{live.pk}/report/", {"report_text": "近日，京恒公司党支部、工会联合开展主题教育活动。\n第二段。"})
    r = client.get(f"/activities/{live.pk}/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and b"STSong-Light" in r.content
    r = client.get(f"/activities/{live.pk}/report.docx")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        xml = z.read("word/document.xml").decode()
        assert any(n.startswith("word/media/") for n in z.namelist())
    assert "近日，京恒公司党支部、工会联合开展主题教育活动。" in xml and "本报记者 孙妍 / 通讯员 田文江 摄影报道" in xml
    assert "filename*=UTF-8''" in r["Content-Disposition"]
    # An outsider cannot fetch the photo.
    client.force_login(make_user("stranger", role=None))
    assert client.get(f"/activities/{live.pk}/photos/{photo.pk}/image").status_code == 404


# ---------------------------------------------------------------- member pages


@pytest.fixture
def worker(page_world):
    user = make_user("worker", role=None)
    page_world["liu"].user = user
    page_world["liu"].save(update_fields=["user"])
    return user


def test_member_signs_up_from_the_phone_and_is_waitlisted_when_full(client, page_world, worker, sy_staff):
    live = page_world["live"]
    client.force_login(worker)
    r = client.get("/activities/mine/")
    assert [a.pk for a in r.context["open_activities"]] == [live.pk]
    assert page_world["other"].pk not in [a.pk for a in r.context["open_activities"]]
    services.signup_create(actor=sy_staff, activity=live, member=page_world["wang"])   # takes the only place
    r = client.post(f"/activities/m/{live.pk}/signup/", follow=True)
    assert "名额已满，您已进入候补名单第1位" in r.content.decode()
    r = client.get("/activities/mine/")
    assert "候补第1位" in r.content.decode()
    assert client.get(f"/activities/m/{page_world['other'].pk}/").status_code == 404
    # The place freed by 王伟 goes to 刘永涛 automatically.
    services.signup_cancel(actor=sy_staff, signup=Signup.objects.get(member=page_world["wang"]))
    r = client.get(f"/activities/m/{live.pk}/")
    assert "报名成功" in r.content.decode()
    r = client.post(f"/activities/m/{live.pk}/cancel/", follow=True)
    assert "已取消报名" in r.content.decode()


def test_member_pages_need_a_member(client, tree):
    client.force_login(make_user("nobody", role=None))
    r = client.get("/activities/mine/")
    assert r.status_code == 403 and "您的账号尚未关联会员" in r.content.decode()
    assert client.get("/activities/mine/").status_code == 403
    client.logout()
    assert client.get("/activities/mine/").status_code == 302


def test_my_activities_tag(page_world, worker, sy_staff):
    from django.template import Context, Template

    services.signup_create(actor=sy_staff, activity=page_world["live"], member=page_world["liu"])
    html = Template("{% load activities_tags %}{% my_activities member %}").render(Context({"member": page_world["liu"]}))
    assert "重温抗战历史，增强实干精神" in html and "报名成功" in html
