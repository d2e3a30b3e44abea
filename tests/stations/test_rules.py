import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.stations import rules
from gonghui.stations.rules import HoursError, Schedule, is_open, parse_intervals, parse_weekly

SH = rules.SHANGHAI


# --------------------------------------------------------------- coordinates: published reference points
# wandergis/coordtransform (the reference implementation most Chinese GIS code is checked against),
# input (lng, lat) = (116.404, 39.915), Tiananmen.
def test_wgs84_to_gcj02_reference():
    lat, lng = rules.wgs84_to_gcj02(39.915, 116.404)
    assert lng == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


def test_gcj02_to_bd09_reference():
    lat, lng = rules.gcj02_to_bd09(39.915, 116.404)
    assert lng == pytest.approx(116.41036949371029, abs=1e-9)
    assert lat == pytest.approx(39.92133699351021, abs=1e-9)


def test_bd09_to_gcj02_close_to_reference_and_exact_inverse():
    lat, lng = rules.bd09_to_gcj02(39.915, 116.404)
    # the published one-step inverse gives (116.39762729119315, 39.90865673957631); ours iterates
    assert lng == pytest.approx(116.39762729119315, abs=2e-5)
    assert lat == pytest.approx(39.90865673957631, abs=2e-5)
    assert rules.gcj02_to_bd09(lat, lng) == pytest.approx((39.915, 116.404), abs=1e-9)


def test_gcj02_to_wgs84_reference_and_exact_inverse():
    lat, lng = rules.gcj02_to_wgs84(39.915, 116.404)
    # published one-step approximation: (116.39775550083061, 39.91359571849836) — within metres
    assert rules.haversine_m(lat, lng, 39.91359571849836, 116.39775550083061) < 5
    assert rules.wgs84_to_gcj02(lat, lng) == pytest.approx((39.915, 116.404), abs=1e-9)


def test_offset_is_hundreds_of_metres_in_beijing():
    glat, glng = rules.wgs84_to_gcj02(39.9335, 116.4551)
    assert 200 < rules.haversine_m(39.9335, 116.4551, glat, glng) < 800


@pytest.mark.parametrize("lat,lng", [(51.5074, -0.1278), (40.7128, -74.006), (-33.86, 151.21), (60.0, 100.0)])
def test_identity_outside_china(lat, lng):
    for crs in ("gcj02", "bd09"):
        assert rules.from_wgs84(lat, lng, crs) == (lat, lng)
        assert rules.to_wgs84(lat, lng, crs) == (lat, lng)


def test_in_china_box():
    assert rules.in_china(39.9, 116.4)
    assert rules.in_china(18.25, 109.5)  # Sanya
    assert not rules.in_china(56.0, 116.0)
    assert not rules.in_china(39.9, 71.9)


china_lat = st.floats(min_value=18.0, max_value=53.5)
china_lng = st.floats(min_value=73.5, max_value=134.7)


@given(china_lat, china_lng, st.sampled_from(["gcj02", "bd09"]))
def test_round_trip_within_one_metre(lat, lng, crs):
    back = rules.to_wgs84(*rules.from_wgs84(lat, lng, crs), crs)
    assert rules.haversine_m(lat, lng, *back) < 1.0
    there = rules.from_wgs84(*rules.to_wgs84(lat, lng, crs), crs)
    assert rules.haversine_m(lat, lng, *there) < 1.0


def test_unknown_crs():
    with pytest.raises(ValueError):
        rules.to_wgs84(1, 1, "utm")


# --------------------------------------------------------------- distance and cells
def test_haversine_known_distance():
    # Beijing (Tiananmen) to Shanghai (People's Square): about 1,067 km
    assert rules.haversine_m(39.9087, 116.3975, 31.2304, 121.4737) == pytest.approx(1_067_000, rel=0.01)
    assert rules.haversine_m(39.9, 116.4, 39.9, 116.4) == 0
    # one degree of latitude
    assert rules.haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-4)


@given(st.floats(-89, 89), st.floats(-179, 179), st.floats(-89, 89), st.floats(-179, 179))
def test_haversine_symmetric_non_negative(a, b, c, d):
    assert rules.haversine_m(a, b, c, d) == pytest.approx(rules.haversine_m(c, d, a, b), abs=1e-6)
    assert rules.haversine_m(a, b, c, d) >= 0


def test_cells():
    assert rules.cell_of(39.93, 116.45) == (6496, 14822)
    assert rules.cell_of(39.9399, 116.4599) == (6496, 14822)
    assert rules.cell_of(39.941, 116.471) == (6497, 14823)
    assert rules.cell_id(39.93, 116.45) != rules.cell_id(39.94, 116.45)


# --------------------------------------------------------------- hours
def at(y, m, d, hh, mm):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def test_parse_intervals_and_midnight():
    assert parse_intervals("08:00-12:00，13:00-20:00") == [(480, 720), (780, 1200)]
    assert parse_intervals("22:00-02:00") == [(1320, 1560)]
    assert parse_intervals("00:00-24:00") == [(0, 1440)]
    with pytest.raises(HoursError, match="重叠"):
        parse_intervals("08:00-12:00,11:00-13:00")
    with pytest.raises(HoursError, match="不存在"):
        parse_intervals("08:00-25:00")
    with pytest.raises(HoursError, match="格式不正确"):
        parse_intervals("8点-9点")
    with pytest.raises(HoursError, match="跨午夜"):
        parse_intervals("06:00-12:00,20:00-07:00")


def test_parse_weekly_forms():
    assert parse_weekly("24小时") == (True, {})
    assert parse_weekly("每天 00:00-24:00") == (True, {})
    always, weekly = parse_weekly("周一至周五 08:00-20:00; 周六、周日 09:00-12:00,14:00-18:00")
    assert not always
    assert weekly[0] == weekly[4] == [(480, 1200)]
    assert weekly[5] == weekly[6] == [(540, 720), (840, 1080)]
    assert parse_weekly("mon-fri 7:00-19:00")[1] == {d: [(420, 1140)] for d in range(5)}
    assert parse_weekly("周五至周一 10:00-11:00")[1].keys() == {4, 5, 6, 0}
    with pytest.raises(HoursError, match="重复"):
        parse_weekly("周一 08:00-09:00; 周一 10:00-11:00")
    with pytest.raises(HoursError, match="星期"):
        parse_weekly("周八 08:00-09:00")
    with pytest.raises(HoursError, match="缺少星期"):
        parse_weekly("08:00-09:00")
    with pytest.raises(HoursError):
        parse_weekly("")


def test_format_weekly_round_trip():
    text = "周一至周五 08:00-20:00; 周六 09:00-12:00,14:00-18:00; 周日 22:00-02:00"
    always, weekly = parse_weekly(text)
    assert rules.format_weekly(always, weekly) == text
    assert parse_weekly(rules.format_weekly(always, weekly)) == (always, weekly)
    assert rules.format_weekly(True, {}) == "24小时"


# 2025-06-02 is a Monday.
WEEKDAYS = Schedule(weekly={d: ((480, 1200),) for d in range(5)})


def test_open_weekly():
    assert is_open(WEEKDAYS, at(2025, 6, 2, 8, 0))
    assert is_open(WEEKDAYS, at(2025, 6, 2, 19, 59))
    assert not is_open(WEEKDAYS, at(2025, 6, 2, 20, 0))  # end is exclusive
    assert not is_open(WEEKDAYS, at(2025, 6, 2, 7, 59))
    assert not is_open(WEEKDAYS, at(2025, 6, 7, 12, 0))  # Saturday


def test_open_across_midnight():
    night = Schedule(weekly={4: ((1320, 1560),)})  # Friday 22:00 – Saturday 02:00
    assert is_open(night, at(2025, 6, 6, 23, 30))  # Friday
    assert is_open(night, at(2025, 6, 7, 1, 59))  # Saturday early
    assert not is_open(night, at(2025, 6, 7, 2, 0))
    assert not is_open(night, at(2025, 6, 6, 1, 0))  # Friday early: Thursday had nothing


def test_open_converts_to_shanghai():
    utc = dt.datetime(2025, 6, 2, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    assert is_open(WEEKDAYS, utc)
    assert is_open(WEEKDAYS, dt.datetime(2025, 6, 2, 8, 30))  # naive = Shanghai


def test_holiday_exceptions():
    holiday = dt.date(2025, 10, 1)  # a Wednesday
    s = Schedule(weekly=WEEKDAYS.weekly, exceptions={holiday: (), dt.date(2025, 10, 4): ((600, 840),)})
    assert not is_open(s, at(2025, 10, 1, 12, 0))
    assert is_open(s, at(2025, 10, 2, 12, 0))
    assert is_open(s, at(2025, 10, 4, 12, 0))  # a Saturday with special hours
    assert not is_open(s, at(2025, 10, 4, 14, 0))


def test_exception_replaces_overflow_too():
    night = Schedule(weekly={d: ((1320, 1560),) for d in range(7)},
                     exceptions={dt.date(2025, 6, 6): ()})
    assert not is_open(night, at(2025, 6, 7, 1, 0))  # Friday closed, so nothing spills into Saturday
    assert is_open(night, at(2025, 6, 6, 1, 0))  # Thursday's night still spills into Friday


def test_24_hour_and_its_exceptions():
    s = Schedule(always_open=True, exceptions={dt.date(2025, 1, 29): ((480, 720),)})
    assert is_open(s, at(2025, 6, 2, 3, 0))
    assert is_open(s, at(2025, 1, 28, 23, 59))
    assert is_open(s, at(2025, 1, 29, 9, 0))
    assert not is_open(s, at(2025, 1, 29, 13, 0))
    assert not is_open(s, at(2025, 1, 29, 0, 30))  # the day before ran to midnight, no overflow
    assert is_open(s, at(2025, 1, 30, 0, 0))


@given(st.integers(0, 1439), st.integers(1, 1440), st.integers(0, 10_079))
def test_interval_membership_matches_minutes(start, length, week_minute):
    """Open iff the minute of the week falls in the interval repeated every day (wrapping the week)."""
    s = Schedule(weekly={d: ((start, start + length),) for d in range(7)})
    base = dt.datetime(2025, 6, 2, tzinfo=SH)  # Monday 00:00
    t = base + dt.timedelta(minutes=week_minute)
    minute = week_minute % 1440
    expected = start <= minute < start + length or minute < start + length - 1440
    assert is_open(s, t) is expected
