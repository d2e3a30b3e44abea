"""Every section's figures on the demo data, against counts made independently here."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gonghui.dashboard.registry import collect_stories
from gonghui.dashboard.selectors import dashboard_sections
from gonghui.orgs.models import Organisation


def _sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_demo_dashboard_figures_and_stories(client):
    call_command("demo", "--no-serve", stdout=StringIO())
    bj = Organisation.objects.get(code="BJ")
    prefix = bj.path + "%"
    start, end = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
    sections = {s.key: {f.key: f.value for f in s.figures} for s in dashboard_sections(org=bj, start=start, end=end)}
    assert set(sections) == {"orgs", "elections", "contests", "welfare", "stations", "studios", "activities"}

    assert sections["orgs"]["members"] == _sql(
        "SELECT COUNT(*) FROM orgs_member m JOIN orgs_organisation o ON o.id = m.org_id "
        "WHERE o.path LIKE %s AND m.status = 'active'", [prefix])
    assert sections["contests"]["contestants"] == _sql(
        "SELECT COUNT(*) FROM contests_contestant WHERE status = 'approved'")
    assert sections["contests"]["winners"] == _sql("SELECT COUNT(*) FROM contests_result WHERE prize <> ''") == 10
    assert sections["welfare"]["issued"] == _sql("SELECT COUNT(*) FROM welfare_issuance")
    assert sections["welfare"]["allotted"] == _sql(
        "SELECT SUM(quantity) FROM welfare_allotment WHERE parent_id IS NULL")
    assert sections["welfare"]["remaining"] == sections["welfare"]["allotted"] - sections["welfare"]["issued"]
    assert sections["stations"]["stations"] == _sql("SELECT COUNT(*) FROM stations_station WHERE status <> 'closed'")
    assert sections["studios"]["studios"] == 19
    assert sections["studios"]["alliances"] == _sql("SELECT COUNT(*) FROM studios_alliance") == 1
    assert sections["activities"]["attended"] == _sql(
        "SELECT COUNT(*) FROM activities_signup WHERE status = 'confirmed' AND checked_in_at IS NOT NULL")
    assert sections["elections"]["founding"] == 1

    # Haidian sees only its own campaign; its member count is its own subtree's.
    hd = Organisation.objects.get(code="HD")
    hd_sections = {s.key: {f.key: f.value for f in s.figures}
                   for s in dashboard_sections(org=hd, start=start, end=end)}
    assert hd_sections["welfare"]["allotted"] == 15000
    assert hd_sections["orgs"]["members"] == _sql(
        "SELECT COUNT(*) FROM orgs_member m JOIN orgs_organisation o ON o.id = m.org_id "
        "WHERE o.path LIKE %s AND m.status = 'active'", [hd.path + "%"])

    # The front page tells the newspaper page's stories in numbers.
    stories = {s.key: s for s in collect_stories(org=bj)}
    assert stories["alliance"].numbers[0] == ("19", "家工作室")
    assert stories["contest"].numbers == [("40", "名选手"), ("7", "个单位"), ("2 + 3 + 5", "一/二/三等奖")]
    assert stories["welfare"].numbers[0] == ("15,000", "份清凉包")
    assert stories["union_founded"].headline == "经开区国际医药创新公园联合工会"
    assert "正式成立" in stories["union_founded"].text
    assert stories["activity"].headline.startswith("“重温抗战历史")

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get(f"/dashboard/{bj.pk}/").content.decode()
    for key in ("alliance", "contest", "welfare", "union_founded", "activity"):
        assert f'data-story="{key}"' in html
