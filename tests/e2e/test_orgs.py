"""Browser test of the orgs pages: log in, walk the tree, find a member by pinyin initials, open the card."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect

from gonghui.core.testing import make_id_number, make_member, make_org, make_user
from gonghui.orgs.models import Member
from tests.e2e.conftest import login, screenshot

if not Path("/usr/bin/chromium").exists():  # pragma: no cover - the conftest also skips
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

WELDERS = ["刘永涛", "张建国", "王海涛", "李明", "赵晓东", "陈志强", "杨帆", "黄磊", "周军", "吴刚", "徐亮", "孙伟"]
OTHERS = ["马丽", "朱红", "胡静", "郭敏", "何燕", "高秀英", "林芳"]


@pytest.fixture
def world(transactional_db):
    root = make_user("root", superuser=True)
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    sy = make_org(code="SY", name="顺义区总工会", type="district", parent=bj)
    szkg = make_org(code="SY-SZKG", name="北京顺义市政控股集团有限公司工会", type="base", parent=sy)
    gas = make_org(code="SY-SZKG-GAS", name="燃气公司工会", type="base", parent=szkg)
    for i in range(2, 5):
        make_org(code=f"SY-C{i}", name=f"顺义第{i}建设有限公司工会", type="base", parent=sy)
    hd = make_org(code="HD", name="海淀区总工会", type="district", parent=bj)
    make_org(code="HD-PD", name="海淀分局海淀派出所工会", type="base", parent=hd)
    make_org(code="JK", name="北京经济技术开发区总工会", type="district", parent=bj)
    staff = make_user("sy_staff", org=sy, role="staff")
    members = {}
    for i, name in enumerate(WELDERS):
        members[name] = make_member(org=gas if i % 2 == 0 else szkg, name=name, actor=root, trade="焊工",
                                    employer="北京市燃气集团顺义分公司" if i % 2 == 0 else "北京顺义市政控股集团有限公司")
    for i, name in enumerate(OTHERS):
        members[name] = make_member(org=szkg, name=name, actor=root, trade="收费员" if i % 2 else "",
                                    new_form_type="courier" if i == 2 else "", is_outdoor_worker=i < 3,
                                    id_number=make_id_number(female=True))
    return {"staff": staff, "gas": gas, "szkg": szkg, "sy": sy, "members": members, "root": root}


def test_staff_finds_a_member_by_initials_and_opens_the_card(world, live_server, page, phone_page):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("登录")
    screenshot(page, "orgs-login")

    login(page, live_server, "sy_staff")
    # Home → the district (scope root).
    expect(page).to_have_url(re.compile(rf"/orgs/{world['sy'].pk}/$"))
    expect(page.locator(".page-head h1")).to_contain_text("顺义区总工会")
    tree = page.locator("#org-tree")
    expect(tree).not_to_contain_text("海淀")

    # Expand SY-SZKG in the tree (children are fetched on demand), then open the gas company's union.
    row = tree.locator(".tree-row", has=page.get_by_role("link", name="北京顺义市政控股集团有限公司工会", exact=True))
    expect(tree.get_by_role("link", name="燃气公司工会")).to_have_count(0)
    row.locator(".tree-toggle").click()
    tree.get_by_role("link", name="燃气公司工会").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{world['gas'].pk}/$"))
    expect(page.locator(".breadcrumbs")).to_contain_text("顺义区总工会")
    # Back up to SY-SZKG: its member list covers its subtree, the gas union included.
    page.locator(".breadcrumbs a", has_text="北京顺义市政控股集团有限公司工会").click()
    expect(page.locator("#member-list")).to_contain_text("共 19 名会员")
    screenshot(page, "orgs-org-detail")

    # Live search by pinyin initials: no submit, the list follows the typing and the URL is pushed.
    page.locator("input[name=q]").press_sequentially("lyt", delay=60)
    rows = page.locator("#member-list table.members tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("刘永涛")
    expect(page).to_have_url(re.compile(r"q=lyt"))
    expect(page.locator("#export-link")).to_have_attribute("href", re.compile(r"q=lyt"))

    rows.first.get_by_role("link", name="刘永涛").click()
    member = world["members"]["刘永涛"]
    expect(page).to_have_url(re.compile(rf"/orgs/members/{member.pk}/$"))
    expect(page.locator("#masked-id")).to_have_text(member.id_number_masked)
    expect(page.locator("#masked-phone")).to_have_text(member.phone_masked)
    expect(page.get_by_role("button", name="查看完整号码")).to_have_count(0)  # staff, not admin
    screenshot(page, "orgs-member-detail")

    # The card on a phone, as staff.
    login(phone_page, live_server, "sy_staff")
    phone_page.goto(f"{live_server.url}/orgs/members/{member.pk}/card/")
    qr = phone_page.locator("#member-qr svg")
    expect(qr).to_be_visible()
    assert qr.locator("path.qrline").count() == 1
    box = qr.bounding_box()
    assert box["width"] >= 180 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(phone_page.locator(".mcard-name")).to_have_text("刘永涛")
    # Nothing overflows the 390 px screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "orgs-member-card-staff")

    # Staff pages stay usable on a phone: the table scrolls inside its card, the page does not.
    phone_page.goto(f"{live_server.url}/orgs/{world['szkg'].pk}/")
    expect(phone_page.locator("#member-list")).to_contain_text("共 19 名会员")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "orgs-org-detail-phone")


def test_worker_sees_own_card_on_a_phone(world, live_server, phone_page):
    worker = make_user("rider", role=None)
    member = world["members"]["高秀英"]
    Member.objects.filter(pk=member.pk).update(user=worker)
    login(phone_page, live_server, "rider")
    expect(phone_page).to_have_url(re.compile(r"/me/card/$"))
    expect(phone_page.locator("#member-qr svg")).to_be_visible()
    expect(phone_page.locator(".mcard-org")).to_have_text("北京顺义市政控股集团有限公司工会")
    expect(phone_page.locator(".mcard-info")).to_contain_text(member.id_number_masked)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "orgs-member-card")


def test_admin_reveals_full_numbers(world, live_server, page):
    make_user("sy_admin", org=world["sy"], role="admin")
    member = world["members"]["张建国"]
    login(page, live_server, "sy_admin")
    page.goto(f"{live_server.url}/orgs/members/{member.pk}/")
    page.fill("input[name=purpose]", "核对身份")
    screenshot(page, "orgs-member-detail-admin")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="查看完整号码").click()
    expect(page.locator("#full-id")).to_have_text(member.id_number)
    expect(page.locator("#full-phone")).to_have_text(member.phone)
    screenshot(page, "orgs-member-reveal")
    from gonghui.core.models import AuditEvent

    assert AuditEvent.objects.get(action="member.reveal_pii").after == {"purpose": "核对身份"}


def test_member_form_shows_the_id_error_and_audit_trail_lists_it(world, live_server, page):
    gas = world["gas"]
    login(page, live_server, "sy_staff")
    page.goto(f"{live_server.url}/orgs/{gas.pk}/members/new/")
    good = make_id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page.fill("#id_name", "赵敏")
    page.fill("#id_id_number", wrong)
    page.fill("#id_phone", "13700001234")
    page.fill("#id_trade", "焊工")
    page.click("button[type=submit]")
    expect(page.locator(".field.has-error .errorlist")).to_have_text(f"身份证号码校验位错误：最后一位应为{good[17]}")
    screenshot(page, "orgs-member-form-error")
    page.fill("#id_id_number", good)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("赵敏")
    page.goto(f"{live_server.url}/orgs/audit/")
    expect(page.locator("#audit-table tbody tr").first).to_contain_text("新增会员")
    screenshot(page, "orgs-audit")
