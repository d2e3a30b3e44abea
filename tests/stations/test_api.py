import pytest

from gonghui.core.testing import Case, PermissionMatrix
from gonghui.stations import rules
from gonghui.stations.models import Rating

NEAREST = "/api/v1/stations/nearest/"
MON_NOON = "2025-06-02T12:00:00+08:00"
MON_1AM = "2025-06-03T01:00:00+08:00"


def test_nearest_contract(client, world):
    r = client.get(NEAREST, {"lat": 40.13, "lng": 116.654, "k": 5, "at": MON_NOON})
    assert r.status_code == 200
    data = r.json()
    assert [d["name"] for d in data] == ["顺义燃气驿站", "顺义24小时驿站", "海淀派出所驿站"]
    first = data[0]
    assert {"id", "name", "distance_m", "lat", "lng", "open_now", "amenities"} <= set(first)
    assert first["distance_m"] == 0 and isinstance(first["distance_m"], int)
    assert first["lat"] == 40.13 and first["lng"] == 116.654
    assert first["open_now"] is True and first["amenities"] == ["water", "toilet", "rest"]
    assert data[1]["distance_m"] == round(rules.haversine_m(40.13, 116.654, 40.14, 116.67))
    assert "uri.amap.com/navigation" in first["nav"]["amap"] and "coord_type=bd09ll" in first["nav"]["baidu"]


def test_nearest_amenities_open_and_at(client, world):
    r = client.get(NEAREST, {"lat": 40.13, "lng": 116.654, "amenities": "water,charging", "at": MON_NOON})
    assert [d["name"] for d in r.json()] == ["顺义24小时驿站"]
    r = client.get(NEAREST, {"lat": 40.13, "lng": 116.654, "at": MON_1AM})
    assert [d["name"] for d in r.json()][:2] == ["顺义水务夜间驿站", "顺义24小时驿站"]
    r = client.get(NEAREST, {"lat": 40.13, "lng": 116.654, "at": MON_1AM, "open": "any", "k": 2})
    assert [(d["name"], d["open_now"]) for d in r.json()] == [("顺义燃气驿站", False), ("顺义水务夜间驿站", True)]
    # an unencoded "+" in the offset arrives as a space
    r = client.get(NEAREST + "?lat=40.13&lng=116.654&at=2025-06-03T01:00:00+08:00")
    assert r.json()[0]["name"] == "顺义水务夜间驿站"


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_nearest_in_other_crs(client, world, crs):
    qlat, qlng = rules.from_wgs84(40.13, 116.654, crs)
    r = client.get(NEAREST, {"lat": qlat, "lng": qlng, "crs": crs, "k": 1, "at": MON_NOON})
    item = r.json()[0]
    assert item["name"] == "顺义燃气驿站" and item["distance_m"] == 0
    assert item["lat"] == pytest.approx(qlat, abs=1e-6) and item["lng"] == pytest.approx(qlng, abs=1e-6)


@pytest.mark.parametrize("params,code,message", [
    ({"lat": 91, "lng": 116}, "invalid_lat", "纬度 lat 应在 -90 到 90 之间"),
    ({"lat": 40, "lng": 181}, "invalid_lng", "经度 lng 应在 -180 到 180 之间"),
    ({"lng": 116}, "missing_lat", "缺少参数 lat（纬度）"),
    ({"lat": "abc", "lng": 116}, "invalid_lat", "纬度必须是数字"),
    ({"lat": 40, "lng": 116, "k": 51}, "invalid_k", "返回数量 k 必须是 1 到 50 的整数"),
    ({"lat": 40, "lng": 116, "k": 0}, "invalid_k", "返回数量 k 必须是 1 到 50 的整数"),
    ({"lat": 40, "lng": 116, "crs": "utm"}, "invalid_crs", "坐标系 crs 只能是 wgs84、gcj02 或 bd09"),
    ({"lat": 40, "lng": 116, "at": "明天中午"}, "invalid_at", None),
    ({"lat": 40, "lng": 116, "open": "maybe"}, "invalid_open", None),
])
def test_nearest_bad_parameters(client, world, params, code, message):
    r = client.get(NEAREST, params)
    assert r.status_code == 400
    assert r.json()["code"] == code
    if message:
        assert r.json()["message"] == message


def test_nearest_unknown_amenity(client, world):
    r = client.get(NEAREST, {"lat": 40, "lng": 116, "amenities": "water,sauna"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_amenity"
    assert r.json()["message"].startswith("未知的服务设施：sauna")


def test_nearest_is_throttled(client, world, monkeypatch):
    monkeypatch.setenv("GONGHUI_STATIONS_RATE", "3/min")
    codes = [client.get(NEAREST, {"lat": 40, "lng": 116}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_bbox_public_and_staff(client, world, sy_staff):
    r = client.get("/api/v1/stations/", {"bbox": "116.6,40.1,116.7,40.2"})
    assert r.status_code == 200
    assert {d["name"] for d in r.json()["results"]} == {"顺义24小时驿站", "顺义燃气驿站", "顺义水务夜间驿站"}
    assert "keeper" not in r.json()["results"][0]
    r = client.get("/api/v1/stations/", {"bbox": "116.6,40.1,116.7,40.2", "crs": "gcj02"})
    item = next(d for d in r.json()["results"] if d["name"] == "顺义燃气驿站")
    assert (item["lat"], item["lng"]) == pytest.approx(rules.wgs84_to_gcj02(40.13, 116.654), abs=1e-6)
    assert client.get("/api/v1/stations/").json()["code"] == "bbox_required"
    assert client.get("/api/v1/stations/", {"bbox": "1,2,3"}).json()["code"] == "invalid_bbox"
    client.force_login(sy_staff)
    r = client.get("/api/v1/stations/")
    assert r.json()["count"] == 3 and "keeper" in r.json()["results"][0]
    r = client.get("/api/v1/stations/", {"q": "shunyiranqi"})
    assert [d["code"] for d in r.json()["results"]] == ["SY-001"]


def test_create_and_patch(client, world, sy_staff):
    client.force_login(sy_staff)
    glat, glng = rules.wgs84_to_gcj02(40.05, 116.6)
    r = client.post("/api/v1/stations/", {"org": "SY-GAS", "name": "新驿站", "address": "顺义", "lat": glat,
                                          "lng": glng, "crs": "gcj02", "amenities": ["water"],
                                          "hours_text": "每天 07:00-19:00"}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["lat"] == pytest.approx(40.05, abs=1e-6) and r.json()["hours_text"] == "周一至周日 07:00-19:00"
    r = client.patch(f"/api/v1/stations/{r.json()['id']}/", {"hours_text": "周八 01:00-02:00"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"].startswith("hours_text: 无法识别的星期")
    r = client.post("/api/v1/stations/", {"org": "HD-PD", "name": "x", "address": "x", "lat": 40, "lng": 116},
                    content_type="application/json")
    assert r.status_code == 404


def test_public_rating_and_problem(client, world):
    url = f"/api/v1/stations/{world['hd'].pk}/ratings/"
    r = client.post(url, {"stars": 5, "comment": "水很凉"}, content_type="application/json",
                    HTTP_X_DEVICE_TOKEN="phone-1")
    assert r.status_code == 201
    r = client.post(url, {"stars": 4}, content_type="application/json", HTTP_X_DEVICE_TOKEN="phone-1")
    assert r.status_code == 409 and r.json()["code"] == "already_rated"
    assert Rating.objects.count() == 1
    r = client.post(f"/api/v1/stations/{world['hd'].pk}/problems/", {"kind": "dirty", "text": "垃圾桶满了"},
                    content_type="application/json", HTTP_X_DEVICE_TOKEN="phone-1")
    assert r.status_code == 201
    r = client.post(f"/api/v1/stations/{world['hd'].pk}/problems/", {"kind": "bogus"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_kind"


class TestStationApiMatrix(PermissionMatrix):
    @pytest.fixture
    def matrix_world(self, world, sy_staff):
        return {"in_user": sy_staff, "in": world["weekdays"].pk, "out": world["hd"].pk}

    def matrix(self, w):
        return [
            Case("detail", f"/api/v1/stations/{w['in']}/", f"/api/v1/stations/{w['out']}/"),
            Case("patch", f"/api/v1/stations/{w['in']}/", f"/api/v1/stations/{w['out']}/", method="patch",
                 data={"capacity": 8}),
            Case("inspect", f"/api/v1/stations/{w['in']}/inspections/", f"/api/v1/stations/{w['out']}/inspections/",
                 method="post", data={"inspected_on": "2025-06-01", "stars": 4, "has_sign": True}, in_status=201),
        ]
