"""Browser: a worker signs up on a phone (and is waitlisted when full); staff check members in by card."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.utils import timezone

if not Path(os.environ.get("GONGHUI_CHROMIUM", "/usr/bin/chromium")).exists():
    pytest.skip("chromium is not installed", allow_module_level=True)

from gonghui.activities import services
from gonghui.activities.models import Signup
from gonghui.core.testing import make_member, make_org, make_user
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db):
    root = make_user("root-e2e", superuser=True)
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    jh = make_org(code="JH", name="京恒（北京）保安服务有限公司工会", parent=bj)
    staff = make_user("jh_staff", org=jh, role="staff")
    worker = make_user("baoan", role=None)
    me = make_member(org=jh, name="田文江", actor=root, trade="保安员")
    me.user = worker
    me.save(update_fields=["user"])
    first = make_member(org=jh, name="孙立军", actor=root)
    start = timezone.now() + dt.timedelta(hours=1)
    activity = services.activity_create(
        actor=staff, org=jh, theme="“重温抗战历史，增强实干精神”主题教育活动", kind="education",
        co_organisers="京恒（北京）保安服务有限公司党支部", place="中国人民抗日战争纪念馆",
        starts_at=start, ends_at=start + dt.timedelta(hours=3), capacity=1, status="published",
        description="组织公司党员干部和职工赴中国人民抗日战争纪念馆参观。")
    services.signup_create(actor=staff, activity=activity, member=first)
    return {"activity": activity, "me": me, "first": first, "staff": staff}


def test_phone_signup_waitlist_then_promotion(live_server, phone_page, world):
    page, activity = phone_page, world["activity"]
    login(page, live_server, "baoan")
    page.goto(f"{live_server.url}/activities/mine/")
    page.get_by_text("重温抗战历史").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="加入候补").is_visible()
    page.get_by_role("button", name="加入候补").click()
    page.wait_for_load_state("networkidle")
    assert "候补第 1 位" in page.locator("#my-status").inner_text()
    screenshot(page, "activities-phone-waitlisted")
    # 孙立军 cancels: the place goes to the phone's owner at once.
    services.signup_cancel(actor=world["staff"], signup=Signup.objects.get(member=world["first"]))
    page.goto(f"{live_server.url}/activities/mine/")
    assert "报名成功" in page.locator(".my-activities").inner_text()
    screenshot(page, "activities-phone-mine")
    page.goto(f"{live_server.url}/activities/m/{activity.pk}/")
    assert "报名成功" in page.locator("#my-status").inner_text()
    # No horizontal scrolling on a 390 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_staff_checkin_by_scanner(live_server, page, world):
    activity = world["activity"]
    services.signup_cancel(actor=world["staff"], signup=Signup.objects.get(member=world["first"]))
    services.signup_create(actor=world["staff"], activity=activity, member=world["me"])
    login(page, live_server, "jh_staff")
    page.goto(f"{live_server.url}/activities/{activity.pk}/checkin/")
    box = page.locator("#card")
    box.fill(world["me"].card_token)          # what a USB scanner types
    box.press("Enter")
    page.wait_for_selector(".checkin-result.ok")
    assert "田文江" in page.locator(".checkin-result").inner_text()
    assert "已签到 1 / 已报名 1" in page.locator("#checkin-count").inner_text()
    assert "田文江" in page.locator(".recent").inner_text()
    assert box.input_value() == ""             # ready for the next scan
    box.fill(world["me"].card_no)
    box.press("Enter")
    page.wait_for_selector(".checkin-result.fail")
    assert "已于" in page.locator(".checkin-result").inner_text()
    screenshot(page, "activities-checkin")
    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    assert "已签到" in page.locator("#signups").inner_text()
    screenshot(page, "activities-detail")
