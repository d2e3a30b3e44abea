"""The federation's dashboard in a browser: stories, figures, ECharts charts and a chart export."""

import datetime as dt

import pytest

from gonghui.core.testing import make_member, make_user
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_dashboard_renders_figures_and_charts(live_server, page, tree, root_user):
    make_member(org=tree["SY-GAS"], name="刘永涛", actor=root_user, trade="焊工", joined_on=dt.date.today())
    make_member(org=tree["SY-GAS"], name="王芳", actor=root_user, trade="焊工", new_form_type="courier")
    make_user("sy_dash", org=tree["SY"], role="staff")
    login(page, live_server, "sy_dash")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector('[data-figure="orgs.members"]')
    assert page.inner_text('[data-figure="orgs.members"] .stat-value').startswith("2")
    # ECharts drew the trade chart into a canvas
    page.wait_for_selector('[data-chart="orgs-trades"] canvas')
    # a chart with nothing to show says so instead of drawing empty slices
    assert "本期暂无数据" in page.inner_text('[data-chart="welfare-groups"]')
    screenshot(page, "dashboard-district")
    with page.expect_download() as download:
        page.click('a[href*="/chart/orgs/trades.xlsx"]')
    assert download.value.suggested_filename == "SY-orgs-trades.xlsx"
    # another district's dashboard is not reachable
    response = page.goto(f"{live_server.url}/dashboard/{tree['HD'].pk}/")
    assert response.status == 404
