import io

import pytest
import xlsxwriter
from django.core import signing
from python_calamine import CalamineWorkbook

from gonghui.core.testing import Case, PermissionMatrix
from gonghui.stations import rules
from gonghui.stations.models import Station, Visit
from gonghui.stations.views import VISIT_SALT


def test_rider_page_public_and_sets_device_cookie(client, world):
    r = client.get("/stations/near/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "附近的户外劳动者服务站" in body and 'data-code="water"' in body
    assert "gh_device" in r.cookies
    assert 'id="map"' not in body  # no tile source configured: list only


def test_rider_page_with_tiles(client, world, monkeypatch):
    monkeypatch.setenv("GONGHUI_MAP_TILES", "https://tiles.example/{z}/{x}/{y}.png")
    body = client.get("/stations/near/").content.decode()
    assert 'id="map"' in body and "vendor/leaflet/leaflet.js" in body


def test_public_detail_and_visit_qr(client, world):
    s = world["hd"]
    r = client.get(f"/stations/s/{s.pk}/")
    assert r.status_code == 200 and "海淀派出所驿站" in r.content.decode()
    token = signing.dumps(s.pk, salt=VISIT_SALT)
    r = client.get(f"/stations/v/{token}/")
    assert r.status_code == 302 and r["Location"] == f"/stations/s/{s.pk}/?counted=1"
    client.get(f"/stations/v/{token}/")  # same device, same hour
    assert Visit.objects.filter(station=s).count() == 1
    assert client.get("/stations/v/forged-token/").status_code == 404
    Station.objects.filter(pk=s.pk).update(status="closed")
    assert client.get(f"/stations/s/{s.pk}/").status_code == 404


def test_staff_list_search_filters_and_export(client, world, sy_staff):
    client.force_login(sy_staff)
    r = client.get("/stations/", {"q": "sy24"})
    assert [s.code for s in r.context["page"]] == []
    r = client.get("/stations/", {"q": "顺义"})
    assert {s.code for s in r.context["page"]} == {"SY-001", "SY-002", "SY-003"}
    r = client.get("/stations/", {"amenity": "charging"})
    assert [s.code for s in r.context["page"]] == ["SY-003"]
    r = client.get("/stations/", {"flagged": "1"})
    assert len(r.context["page"]) == 3  # nobody passed the 六有 checklist yet
    r = client.get("/stations/export.xlsx", {"amenity": "charging"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "驿站编号" and [row[0] for row in rows[1:]] == ["SY-003"]


def test_keeper_edits_hours_from_detail(client, world):
    client.force_login(world["keeper"])
    s = world["weekdays"]
    r = client.post(f"/stations/{s.pk}/keep/", {"action": "hours", "hours_text": "每天 06:00-23:00"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.hours_text == "周一至周日 06:00-23:00"
    r = client.post(f"/stations/{s.pk}/keep/", {"action": "hours", "hours_text": "每天 6点"}, follow=True)
    assert "缺少星期" in r.content.decode() or "格式不正确" in r.content.decode()
    assert client.get("/stations/mine/").status_code == 200
    # the keeper cannot reach another organisation's station
    assert client.post(f"/stations/{world['hd'].pk}/keep/", {"action": "status", "status": "open"}).status_code == 404


def test_inspection_page(client, world, sy_staff):
    client.force_login(sy_staff)
    s = world["allday"]
    r = client.post(f"/stations/{s.pk}/inspect/", {"inspected_on": "2025-06-01", "stars": 5, "has_sign": "on",
                                                   "has_fixed_place": "on", "has_facilities": "on", "has_rules": "on",
                                                   "has_keeper": "on", "on_map": "on"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.checklist_passed


def test_stats_page_and_export(client, world, sy_staff):
    client.force_login(sy_staff)
    r = client.get("/stations/stats/")
    assert r.status_code == 200
    assert r.context["figures"]["total"] == 3 and r.context["figures"]["always_open"] == 1
    r = client.get("/stations/stats/", {"export": "1"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(0).to_python()
    assert rows[1][:2] == ["合计", 3.0]


def _workbook(rows):
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.close()
    buffer.seek(0)
    buffer.name = "stations.xlsx"
    return buffer


HEADER = ["驿站名称", "组织代码", "地址", "纬度", "经度", "坐标系", "服务设施", "营业时间"]


def test_import_all_or_nothing(client, world, sy_staff):
    client.force_login(sy_staff)
    glat, glng = rules.wgs84_to_gcj02(40.1, 116.6)
    bad = _workbook([HEADER,
                     ["导入一号", "SY-GAS", "顺义", glat, glng, "gcj02", "饮水、厕所", "24小时"],
                     ["导入二号", "HD-PD", "海淀", 39.9, 116.3, "wgs84", "water", "24小时"],
                     ["导入三号", "SY-GAS", "顺义", 40.1, 116.6, "wgs84", "sauna", "周八 08:00-09:00"]])
    r = client.post("/stations/import/", {"file": bad})
    assert r.status_code == 200
    errors = [(e["row"], e["column"]) for e in r.context["errors"]]
    assert errors == [(3, "组织代码"), (4, "服务设施"), (4, "营业时间")]
    assert not Station.objects.filter(name__startswith="导入").exists()
    good = _workbook([HEADER, ["导入一号", "SY-GAS", "顺义", glat, glng, "gcj02", "饮水、厕所", "24小时"]])
    r = client.post("/stations/import/", {"file": good})
    assert r.status_code == 302
    s = Station.objects.get(name="导入一号")
    assert float(s.lat) == pytest.approx(40.1, abs=1e-6) and s.amenities == ["water", "toilet"]


class TestStationPagesMatrix(PermissionMatrix):
    @pytest.fixture
    def matrix_world(self, world, sy_staff):
        return {"in_user": sy_staff, "in": world["weekdays"].pk, "out": world["hd"].pk}

    def matrix(self, w):
        return [
            Case("list", "/stations/", api=False),
            Case("detail", f"/stations/{w['in']}/", f"/stations/{w['out']}/", api=False),
            Case("edit", f"/stations/{w['in']}/edit/", f"/stations/{w['out']}/edit/", api=False),
            Case("inspect", f"/stations/{w['in']}/inspect/", f"/stations/{w['out']}/inspect/", api=False),
            Case("qr", f"/stations/{w['in']}/qr.svg", f"/stations/{w['out']}/qr.svg", api=False),
            Case("stats", "/stations/stats/", api=False),
            Case("import", "/stations/import/", api=False),
        ]
