"""Browser test: a studio leader applies for a topic through the pages and an expert reviews it."""

import datetime as dt
import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if not Path("/usr/bin/chromium").exists():  # pragma: no cover - developer machines without chromium
    pytest.skip("chromium is not installed", allow_module_level=True)

from tests.e2e.conftest import login, screenshot
from tests.studios.conftest import build_world

pytestmark = pytest.mark.e2e


@pytest.fixture
def e2e_world(transactional_db, tree, root_user):
    from gonghui.studios import services

    world = build_world(tree, root_user)
    services.charter_add_version(actor=world["root"], alliance=world["alliance"], title="《联盟章程（试行）》",
                                 text="第一条 本联盟由顺义区总工会牵头。", approved_by="联盟成立大会",
                                 approved_on=dt.date(2024, 1, 1))
    return world


def test_leader_applies_and_expert_reviews(live_server, page, phone_page, e2e_world):
    from gonghui.studios import services
    from gonghui.studios.models import Topic

    w = e2e_world
    login(page, live_server, "leader_a")
    page.goto(f"{live_server.url}/studios/topics/new/")
    page.fill("#id_title", "燃气管网焊接机器人应用研究")
    page.select_option("#id_work_area", "innovation")
    page.fill("#id_budget", "120000")
    page.fill("#id_starts_on", "2025-09-01")
    page.fill("#id_ends_on", "2026-08-31")
    page.fill("#id_plan", "研究管道全位置焊接机器人在燃气抢修中的应用，形成操作规程和培训教材。")
    page.get_by_label("王师傅（王师傅管网工作室·领衔人）").check()
    screenshot(page, "studios-topic-form")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("燃气管网焊接机器人应用研究")
    assert "已申报" in page.locator("h1").inner_text()
    screenshot(page, "studios-topic-submitted")
    topic = Topic.objects.get(title="燃气管网焊接机器人应用研究")
    assert topic.status == "submitted"
    assert list(topic.team.values_list("member__name", flat=True)) == ["王师傅"]

    page.context.clear_cookies()
    login(page, live_server, "judge1")
    page.goto(f"{live_server.url}/studios/topics/{topic.pk}/")
    page.click("text=评审打分")
    page.fill("#id_score", "88")
    page.fill("#id_comment", "技术路线清晰，建议补充安全评估。")
    screenshot(page, "studios-review-form")
    page.click("text=提交评审")
    page.wait_for_load_state("networkidle")
    assert "评审已提交" in page.content()
    assert "评审中" in page.locator("h1").inner_text()
    topic.refresh_from_db()
    assert topic.status == "under_review" and str(topic.reviews.get().score) == "88.00"
    screenshot(page, "studios-topic-reviewed")

    # two more experts, then the alliance's host union approves through the page
    for judge in w["judges"][1:3]:
        services.topic_review(actor=judge, topic=topic, score="80")
    page.context.clear_cookies()
    login(page, live_server, "sy_staff")
    page.goto(f"{live_server.url}/studios/topics/{topic.pk}/")
    page.click("button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert "已立项" in page.locator("h1").inner_text()
    screenshot(page, "studios-topic-approved")
    page.goto(f"{live_server.url}/studios/alliances/{w['alliance'].pk}/")
    screenshot(page, "studios-alliance")

    login(phone_page, live_server, "leader_a")
    phone_page.goto(f"{live_server.url}/studios/topics/{topic.pk}/")
    screenshot(phone_page, "studios-topic-phone")
