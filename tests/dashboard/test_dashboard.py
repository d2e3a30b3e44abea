import datetime as dt

import pytest
from openpyxl import load_workbook

from gonghui.core.testing import Case, PermissionMatrix, make_member
from gonghui.dashboard.selectors import dashboard_period, dashboard_sections
from gonghui.orgs import services


def _figures(org, start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1)):
    return {f"{s.key}.{f.key}": f.value for s in dashboard_sections(org=org, start=start, end=end)
            for f in s.figures}


@pytest.fixture
def populated(tree, root_user):
    make_member(org=tree["SY-GAS"], name="刘永涛", actor=root_user, trade="焊工", joined_on=dt.date(2025, 3, 1))
    make_member(org=tree["SY-GAS"], name="王芳", actor=root_user, trade="焊工", new_form_type="courier",
                is_outdoor_worker=True, joined_on=dt.date(2024, 3, 1))
    m = make_member(org=tree["HD-PD"], name="李娜", actor=root_user, trade="民警", joined_on=dt.date(2025, 6, 1))
    services.member_transfer(actor=root_user, member=m, to_org=tree["SY-WATER"])
    return tree


def test_orgs_figures_match_independent_counts(populated, root_user):
    from gonghui.orgs.models import Member

    sy = populated["SY"]
    figures = _figures(sy)
    assert figures["orgs.members"] == Member.objects.filter(org__code__in=["SY-GAS", "SY-WATER"]).count() == 3
    assert figures["orgs.new_form"] == 1 and figures["orgs.outdoor"] == 1
    assert figures["orgs.unions"] == 2
    assert figures["orgs.members_transferred"] == 1
    in_2025 = _figures(sy, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert in_2025["orgs.members_new"] == 2  # 刘永涛 (March) and 李娜 (June), not 王芳 (2024)
    assert _figures(populated["HD"])["orgs.members"] == 0


def test_query_count_does_not_grow_with_data(populated, root_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        dashboard_sections(org=populated["BJ"], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    for i in range(30):
        make_member(org=populated["HD-PD"], name=f"会员{i}", actor=root_user, trade=f"工种{i % 12}")
    with CaptureQueriesContext(connection) as big:
        dashboard_sections(org=populated["BJ"], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert len(big) == len(small)


def test_period_parsing():
    assert dashboard_period("2025-01-01", "2025-06-30") == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert dashboard_period("2025-06-30", "2025-01-01") == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    s, e = dashboard_period("nonsense", None)
    assert s.month == 1 and e.month == 12


@pytest.fixture
def matrix_world(populated, sy_staff):
    return {"in_user": sy_staff, "tree": populated}


class TestDashboardMatrix(PermissionMatrix):
    def matrix(self, w):
        t = w["tree"]
        return [
            Case("page", f"/dashboard/{t['SY'].pk}/", f"/dashboard/{t['HD'].pk}/", api=False),
            Case("chart export", f"/dashboard/{t['SY'].pk}/chart/orgs/trades.xlsx",
                 f"/dashboard/{t['HD'].pk}/chart/orgs/trades.xlsx", api=False),
            Case("api", "/api/v1/dashboard/?org=SY", "/api/v1/dashboard/?org=HD"),
        ]


def test_page_links_and_export(client, populated, sy_staff):
    client.force_login(sy_staff)
    r = client.get(f"/dashboard/{populated['SY'].pk}/?start=2000-01-01&end=2100-01-01")
    html = r.content.decode()
    assert 'data-figure="orgs.members"' in html and "echarts.min.js" in html
    assert f'href="/orgs/{populated["SY"].pk}/?new_form=any"' in html
    r = client.get(f"/dashboard/{populated['SY'].pk}/chart/orgs/trades.xlsx?start=2000-01-01&end=2100-01-01")
    rows = list(load_workbook(__import__("io").BytesIO(b"".join(r.streaming_content))).active.values)
    assert rows[0] == ("", "会员") and ("焊工", 2) in rows
    assert client.get("/dashboard/").status_code == 302
    data = client.get("/api/v1/dashboard/?org=SY&start=2000-01-01&end=2100-01-01").json()
    orgs = next(s for s in data["sections"] if s["key"] == "orgs")
    assert next(f for f in orgs["figures"] if f["key"] == "members")["value"] == 3
