"""Distributor's phone page: online issuance, then offline queueing two records, then online and sync."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no chromium")]


@pytest.fixture
def world(transactional_db):
    from gonghui.core.testing import make_org, make_user
    from tests.welfare.conftest import build_world

    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    hd = make_org(code="HD", name="海淀区总工会", type="district", parent=bj)
    pd = make_org(code="HD-PD", name="海淀派出所工会", type="base", parent=hd)
    for o in (bj, hd, pd):
        o.refresh_from_db()
    root = make_user("root", superuser=True)
    return build_world({"BJ": bj, "HD": hd, "HD-PD": pd}, root)


def test_distribute_online_then_offline_then_sync(live_server, phone_page, world):
    from gonghui.welfare.models import Issuance

    page = phone_page
    login(page, live_server, "dist_xs")
    page.goto(f"{live_server.url}/welfare/{world['campaign'].pk}/distribute/")
    page.wait_for_function("document.getElementById('distribute').dataset.swReady === '1'")
    m = world["members"]

    # Online: look up by phone, one tap issues.
    page.fill("#query", m[0].phone)
    page.click("#lookup button")
    page.wait_for_function("document.getElementById('who-name').textContent.includes('*')")
    page.click("#issue")
    page.wait_for_selector("#result.ok")
    assert "已发放" in page.inner_text("#result")
    # The same worker again is refused, naming where.
    page.fill("#query", m[0].id_number)
    page.click("#lookup button")
    page.wait_for_selector("#who-received li")
    page.click("#issue")
    page.wait_for_selector("#result.warn")
    assert "学院路街道工会服务站" in page.inner_text("#result")

    # Offline: two records queue in IndexedDB.
    page.context.set_offline(True)
    page.wait_for_function("!navigator.onLine")
    for member in (m[1], m[2]):
        page.fill("#query", member.phone)
        page.click("#lookup button")
        page.click("#issue")
        page.wait_for_selector("#result.queued")
    page.wait_for_function("document.getElementById('qcount').textContent === '2'")
    screenshot(page, "welfare-distribute-offline")
    assert Issuance.objects.count() == 1

    # Back online: the queue syncs by itself.
    page.context.set_offline(False)
    page.wait_for_function("document.getElementById('qcount').textContent === '0'", timeout=20000)
    page.wait_for_function("document.getElementById('sync-result').textContent.includes('入账 2')")
    screenshot(page, "welfare-distribute-synced")
    assert Issuance.objects.count() == 3
    assert Issuance.objects.filter(channel="offline").count() == 2


def test_campaign_detail_page(live_server, page, world):
    login(page, live_server, "root")
    page.goto(f"{live_server.url}/welfare/{world['campaign'].pk}/")
    assert "40℃" in page.inner_text("body")
    screenshot(page, "welfare-campaign-detail")
