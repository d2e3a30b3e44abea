"""The grid index answers exactly what a full scan answers, and stays fresh through the change log."""

import datetime as dt
import random

import pytest

from gonghui.stations import rules, search, services
from gonghui.stations.choices import AMENITY_BIT, amenity_bits
from gonghui.stations.models import Station

NOON = dt.datetime(2025, 6, 2, 12, 0, tzinfo=rules.SHANGHAI)  # a Monday


def brute(stations, lat, lng, k, mask, at, open_only):
    rows = []
    for s in stations:
        if s.amenity_bits & mask != mask:
            continue
        is_open = s.status == "open" and rules.is_open(s.schedule(), at)
        if open_only and not is_open:
            continue
        rows.append((rules.haversine_m(lat, lng, float(s.lat), float(s.lng)), s.pk))
    return [pk for _d, pk in sorted(rows)[:k]]


@pytest.fixture
def scattered(tree):
    rng = random.Random(7)
    hours = ["24小时", "周一至周五 08:00-20:00", "每天 06:00-22:00", "每天 22:00-06:00", "周六、周日 09:00-17:00"]
    codes = list(AMENITY_BIT)
    objs = []
    for i in range(400):
        # clusters in Beijing plus a few far away (Lhasa, Harbin, Sanya) to exercise the best-first walk
        if i % 50 == 0:
            lat, lng = rng.choice([(29.65, 91.13), (45.75, 126.65), (18.25, 109.5)])
        else:
            lat, lng = 39.9 + rng.gauss(0, 0.15), 116.4 + rng.gauss(0, 0.2)
        always, weekly = rules.parse_weekly(rng.choice(hours))
        objs.append(Station(code=f"T{i}", name=f"站{i}", org=tree["SY"], address="x", lat=round(lat, 7),
                            lng=round(lng, 7), status=rng.choice(["open"] * 8 + ["closed_temporarily", "closed"]),
                            amenity_bits=amenity_bits(rng.sample(codes, rng.randint(1, 6))),
                            always_open=always, weekly_hours=rules.weekly_to_json(weekly),
                            cell=rules.cell_id(lat, lng)))
    Station.objects.bulk_create(objs)
    search.log_changes(Station.objects.values_list("id", flat=True))
    return objs


def test_index_equals_full_scan(scattered):
    rng = random.Random(11)
    stations = list(Station.objects.exclude(status="closed").prefetch_related("exceptions"))
    for _ in range(60):
        lat, lng = rng.choice([(39.9 + rng.gauss(0, 0.2), 116.4 + rng.gauss(0, 0.2)), (35.0, 103.0), (30.0, 92.0)])
        k = rng.choice([1, 5, 10])
        mask = amenity_bits(rng.sample(["water", "toilet", "rest", "charging"], rng.randint(0, 2)))
        at = NOON + dt.timedelta(hours=rng.randint(0, 200))
        open_only = rng.random() < 0.7
        got = [h.id for h in search.nearest(lat, lng, k=k, mask=mask, at=at, open_only=open_only)]
        assert got == brute(stations, lat, lng, k, mask, at, open_only), (lat, lng, k, mask, at, open_only)


def test_index_follows_changes(world):
    s = world["allday"]
    here = (40.1400, 116.6700)
    assert search.nearest(*here, k=1, at=NOON)[0].id == s.pk
    services.station_set_status(actor=world["keeper"], station=world["weekdays"], status="open")  # no-op change
    s.status = "closed"
    s.save()
    assert search.nearest(*here, k=1, at=NOON)[0].id != s.pk
    s.status = "open"
    s.save()
    assert search.nearest(*here, k=1, at=NOON)[0].id == s.pk
    # a holiday exception closes it
    services.hours_exception_set(actor=world["keeper"], station=world["weekdays"], date=NOON.date())
    ids = [h.id for h in search.nearest(40.13, 116.654, k=10, at=NOON)]
    assert world["weekdays"].pk not in ids
    # moving a station moves it in the index
    Station.objects.filter(pk=s.pk).update(lat=39.9801, lng=116.3101)
    search.log_changes([s.pk])
    assert search.nearest(39.9801, 116.3101, k=1, at=NOON)[0].id == s.pk


def test_rewound_log_rebuilds(world):
    from gonghui.stations.models import StationChange

    search.nearest(40.14, 116.67, k=1, at=NOON)
    StationChange.objects.all().delete()
    Station.objects.filter(pk=world["allday"].pk).update(status="closed")
    search.log_changes([world["hd"].pk])
    assert world["allday"].pk not in [h.id for h in search.nearest(40.14, 116.67, k=5, at=NOON)]


def test_open_and_amenity_filters(world):
    mon_noon = NOON
    ids = [h.id for h in search.nearest(40.13, 116.654, k=10, at=mon_noon)]
    assert world["night"].pk not in ids and world["weekdays"].pk in ids
    night = dt.datetime(2025, 6, 3, 1, 0, tzinfo=rules.SHANGHAI)
    hits = search.nearest(40.13, 116.654, k=10, at=night)
    assert [h.id for h in hits] == [world["night"].pk, world["allday"].pk, world["hd"].pk]
    hits = search.nearest(40.13, 116.654, k=10, at=night, open_only=False)
    assert hits[0].id == world["weekdays"].pk and hits[0].open_now is False
    charging = search.nearest(40.13, 116.654, k=5, mask=AMENITY_BIT["charging"], at=mon_noon)
    assert [h.id for h in charging] == [world["allday"].pk]


def test_another_process_change_is_seen_after_the_interval(world, monkeypatch):
    from gonghui.stations.models import StationChange

    s = world["allday"]
    assert search.nearest(40.14, 116.67, k=1, at=NOON)[0].id == s.pk
    # another process closes the station: it writes the row and the log, this process is not told
    Station.objects.filter(pk=s.pk).update(status="closed")
    StationChange.objects.create(station_id=s.pk)
    monkeypatch.setattr(search, "FRESHNESS_SECONDS", 3600)
    assert search.nearest(40.14, 116.67, k=1, at=NOON)[0].id == s.pk  # within the interval: not checked yet
    monkeypatch.setattr(search, "FRESHNESS_SECONDS", 0)
    assert search.nearest(40.14, 116.67, k=1, at=NOON)[0].id != s.pk
