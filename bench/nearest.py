"""Benchmark of the nearest-open-station search at national scale (RULES O5).

    PYTHONPATH=src /work/main/.venv/bin/python bench/nearest.py            # SQLite (a throwaway file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_stations PYTHONPATH=src \
        /work/main/.venv/bin/python bench/nearest.py                       # PostgreSQL (its own test_ db)

200,000 synthetic stations spread over China's cities (weighted by size, Gaussian around each centre,
realistic hours: 24-hour, day shifts, night shifts, weekdays only; a national-holiday closure on 5%);
10,000 queries near riders in those cities with amenity filters and "open at t" (90%) or open=any.
Prints p50/p99 of:
  - gonghui in-process (`search.nearest`, including its freshness query on the change log),
  - gonghui over HTTP (Django test client through the whole stack, a sample of the queries),
  - a database window search (expanding lat/lng window on the (lat, lng) index, hours checked in Python),
  - a brute-force NumPy haversine scan over all stations (the reference),
and checks that gonghui and brute force return the same stations for every query.
Options: --stations N --queries N --http N --db-window N --seed N
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ["GONGHUI_DATA"] = tempfile.mkdtemp(prefix="gonghui-bench-nearest-")
os.environ["GONGHUI_STATIONS_RATE"] = "100000000/min"
os.environ.setdefault("GONGHUI_LOG_LEVEL", "WARNING")

import numpy as np

CITIES = [  # (name, lat, lng, weight ~ stations share) — WGS-84 centres of China's large cities
    ("北京", 39.904, 116.407, 9.0), ("上海", 31.230, 121.474, 9.0), ("广州", 23.129, 113.264, 6.0),
    ("深圳", 22.543, 114.058, 6.0), ("成都", 30.573, 104.066, 5.0), ("重庆", 29.563, 106.551, 5.0),
    ("杭州", 30.274, 120.155, 4.5), ("武汉", 30.593, 114.305, 4.5), ("西安", 34.341, 108.940, 4.0),
    ("南京", 32.060, 118.797, 4.0), ("天津", 39.343, 117.362, 4.0), ("苏州", 31.299, 120.585, 3.5),
    ("郑州", 34.747, 113.625, 3.5), ("长沙", 28.228, 112.939, 3.5), ("沈阳", 41.806, 123.432, 3.0),
    ("青岛", 36.067, 120.383, 3.0), ("济南", 36.651, 117.120, 3.0), ("合肥", 31.821, 117.227, 3.0),
    ("哈尔滨", 45.803, 126.535, 3.0), ("昆明", 25.038, 102.718, 3.0), ("大连", 38.914, 121.615, 2.5),
    ("福州", 26.075, 119.306, 2.5), ("厦门", 24.480, 118.089, 2.5), ("南宁", 22.817, 108.366, 2.5),
    ("石家庄", 38.042, 114.515, 2.5), ("长春", 43.817, 125.324, 2.5), ("南昌", 28.682, 115.858, 2.5),
    ("贵阳", 26.647, 106.630, 2.0), ("太原", 37.871, 112.549, 2.0), ("宁波", 29.868, 121.544, 2.0),
    ("无锡", 31.491, 120.312, 2.0), ("东莞", 23.021, 113.752, 2.0), ("佛山", 23.022, 113.122, 2.0),
    ("兰州", 36.061, 103.834, 1.5), ("乌鲁木齐", 43.825, 87.617, 1.5), ("呼和浩特", 40.842, 111.749, 1.2),
    ("银川", 38.487, 106.231, 1.0), ("西宁", 36.617, 101.778, 1.0), ("海口", 20.044, 110.199, 1.0),
    ("拉萨", 29.652, 91.172, 0.5), ("三亚", 18.253, 109.512, 0.5), ("温州", 27.994, 120.699, 1.5),
    ("徐州", 34.205, 117.284, 1.5), ("洛阳", 34.619, 112.454, 1.2), ("桂林", 25.274, 110.290, 1.0),
    ("喀什", 39.470, 75.989, 0.3), ("漠河", 52.972, 122.538, 0.1), ("格尔木", 36.402, 94.903, 0.2),
]
HOURS = [  # (text, share)
    ("24小时", 0.25), ("每天 08:00-20:00", 0.20), ("每天 07:00-22:00", 0.15), ("周一至周五 08:30-18:00", 0.10),
    ("每天 10:00-14:00,17:00-21:00", 0.08), ("每天 22:00-06:00", 0.05), ("周一至周六 09:00-19:00", 0.07),
    ("每天 06:00-12:00,13:00-23:00", 0.05), ("周六、周日 09:00-17:00", 0.05),
]
AMENITY_SHARE = {"water": 0.95, "toilet": 0.7, "rest": 0.9, "air_conditioning": 0.6, "heating": 0.5,
                 "microwave": 0.45, "charging": 0.6, "first_aid": 0.55, "umbrella": 0.3, "wifi": 0.4,
                 "reading": 0.25, "ebike_parking": 0.35}
HOLIDAY = dt.date(2025, 10, 1)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, wall: list[float], cpu: list[float]):
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - t)
    return result


def fmt(values: list[float]) -> str:
    return f"p50 {pct(values, 50) * 1000:8.3f} ms   p99 {pct(values, 99) * 1000:8.3f} ms   mean {statistics.fmean(values) * 1000:8.3f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--http", type=int, default=2_000)
    parser.add_argument("--db-window", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    import django
    from django.conf import settings

    if not os.environ.get("DATABASE_URL"):
        # a throwaway file in the temporary data directory, without fsync per commit (bulk load speed)
        settings.DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["GONGHUI_DATA"], "bench.sqlite3")}
        settings.DATABASES["default"]["OPTIONS"]["init_command"] = settings.DATABASES["default"]["OPTIONS"][
            "init_command"].replace("synchronous=NORMAL", "synchronous=OFF")
    else:
        # its own database, never the dev one nor the test suite's test_<name>
        settings.DATABASES["default"]["TEST"] = {"NAME": settings.DATABASES["default"]["NAME"] + "_bench_nearest"}
    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor}; creating a throwaway database …", flush=True)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(args)
    finally:
        try:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        except OSError:
            pass


def run(args) -> int:
    from django.db import connection, transaction
    from django.test import Client

    from gonghui.orgs.models import Organisation
    from gonghui.stations import rules, search
    from gonghui.stations.choices import AMENITY_BIT
    from gonghui.stations.models import HoursException, Station

    rng = np.random.default_rng(args.seed)
    n = args.stations
    weights = np.array([c[3] for c in CITIES])
    weights /= weights.sum()
    city = rng.choice(len(CITIES), size=n, p=weights)
    centre = np.array([(c[1], c[2]) for c in CITIES])
    spread = 0.08 + 0.25 * np.sqrt(weights[city] / weights.max())  # big cities sprawl more
    lat = np.round(centre[city, 0] + rng.normal(0, 1, n) * spread, 7)
    lng = np.round(centre[city, 1] + rng.normal(0, 1, n) * spread * 1.2, 7)
    hour_idx = rng.choice(len(HOURS), size=n, p=np.array([h[1] for h in HOURS]) / sum(h[1] for h in HOURS))
    bits = np.zeros(n, dtype=np.int64)
    for code, share in AMENITY_SHARE.items():
        bits |= np.where(rng.random(n) < share, AMENITY_BIT[code], 0)
    status_open = rng.random(n) >= 0.03  # 3% closed temporarily
    holiday_closed = rng.random(n) < 0.05

    parsed = [rules.parse_weekly(h[0]) for h in HOURS]
    org = Organisation.objects.add_root(instance=Organisation(code="BENCH", name="全国", type="federation"))
    t0 = time.perf_counter()
    with transaction.atomic():
        batch = []
        for i in range(n):
            always, weekly = parsed[hour_idx[i]]
            batch.append(Station(code=f"B{i:06d}", name=f"驿站{i}", org=org, address="—", lat=float(lat[i]),
                                 lng=float(lng[i]), cell=rules.cell_id(float(lat[i]), float(lng[i])),
                                 amenity_bits=int(bits[i]), status="open" if status_open[i] else "closed_temporarily",
                                 always_open=always, weekly_hours=rules.weekly_to_json(weekly),
                                 hours_text=HOURS[hour_idx[i]][0]))
            if len(batch) == 5000:
                Station.objects.bulk_create(batch)
                batch = []
        Station.objects.bulk_create(batch)
        ids = np.array(Station.objects.order_by("id").values_list("id", flat=True), dtype=np.int64)
        HoursException.objects.bulk_create(
            [HoursException(station_id=int(ids[i]), date=HOLIDAY, intervals=[], reason="国庆")
             for i in np.nonzero(holiday_closed)[0]], batch_size=5000)
        search.log_changes(ids.tolist())
    print(f"loaded {n:,} stations in {time.perf_counter() - t0:.1f} s", flush=True)

    search.reset_index()
    t0, c0 = time.perf_counter(), time.process_time()
    index = search.get_index()
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"index build (from the database): {build:.2f} s wall, {build_cpu:.2f} s CPU; {len(index.cells):,} "
          f"occupied cells of {rules.CELL_DEG}°, {len(index.blocks):,} blocks", flush=True)

    # queries: riders near the same cities (sometimes far out), a random time in a week incl. the holiday
    q = args.queries
    qcity = rng.choice(len(CITIES), size=q, p=weights)
    qlat = centre[qcity, 0] + rng.normal(0, 1, q) * 0.2
    qlng = centre[qcity, 1] + rng.normal(0, 1, q) * 0.25
    base = dt.datetime(2025, 9, 29, tzinfo=rules.SHANGHAI)
    qat = [base + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 7 * 1440, q)]
    common = ["water", "toilet", "rest", "charging", "microwave", "first_aid", "ebike_parking"]
    qmask = []
    for _ in range(q):
        chosen = rng.choice(common, size=int(rng.integers(0, 3)), replace=False)
        qmask.append(int(sum(AMENITY_BIT[c] for c in chosen)))
    qk = rng.choice([1, 5, 5, 5, 10, 20], size=q)
    qopen = rng.random(q) < 0.9

    # gonghui in-process
    ours, our_times, our_cpu = [], [], []
    for i in range(q):
        ours.append(timed(lambda i=i: search.nearest(float(qlat[i]), float(qlng[i]), k=int(qk[i]), mask=qmask[i],
                                                     at=qat[i], open_only=bool(qopen[i])), our_times, our_cpu))
    index_only, index_cpu = [], []
    for i in range(min(q, 2000)):
        timed(lambda i=i: index.search(float(qlat[i]), float(qlng[i]), k=int(qk[i]), mask=qmask[i], at=qat[i],
                                       open_only=bool(qopen[i])), index_only, index_cpu)

    # brute force NumPy: haversine over every station, open mask from the (few) distinct schedules
    sched_open_cache: dict = {}
    templates = [rules.Schedule(always_open=a, weekly={d: tuple(v) for d, v in w.items()}) for a, w in parsed]
    templates_h = [rules.Schedule(always_open=s.always_open, weekly=s.weekly, exceptions={HOLIDAY: ()})
                   for s in templates]
    key = hour_idx * 2 + holiday_closed.astype(np.int64)
    rad_lat, rad_lng = np.radians(lat), np.radians(lng)
    cos_lat = np.cos(rad_lat)
    brute_times, brute_cpu, mismatches, tie_only = [], [], 0, 0
    for i in range(q):
        t, c = time.perf_counter(), time.process_time()
        at = qat[i]
        table = sched_open_cache.get(at)
        if table is None:
            table = np.array([rules.is_open((templates_h if j % 2 else templates)[j // 2], at)
                              for j in range(2 * len(HOURS))])
            sched_open_cache[at] = table
        is_open = table[key] & status_open
        ok = (bits & qmask[i]) == qmask[i]
        if qopen[i]:
            ok &= is_open
        p1 = np.radians(qlat[i])
        a = (np.sin((rad_lat - p1) / 2) ** 2
             + np.cos(p1) * cos_lat * np.sin((rad_lng - np.radians(qlng[i])) / 2) ** 2)
        d = 2 * rules.EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        d = np.where(ok, d, np.inf)
        k = int(qk[i])
        part = np.argpartition(d, k)[:k]
        part = part[np.isfinite(d[part])]
        order = part[np.lexsort((ids[part], d[part]))]
        brute_cpu.append(time.process_time() - c)
        brute_times.append(time.perf_counter() - t)
        expect = ids[order].tolist()
        got = [h.id for h in ours[i]]
        if got != expect:
            if np.allclose(sorted(h.distance_m for h in ours[i]), np.sort(d[order]), atol=1e-6):
                tie_only += 1
            else:
                mismatches += 1
                if mismatches <= 3:
                    print("MISMATCH", qlat[i], qlng[i], qk[i], qmask[i], qat[i], qopen[i], got, expect)

    # over HTTP: the whole Django stack (parsing, conversion, names from the DB, JSON)
    client = Client()
    http_times, http_cpu = [], []
    crs_cycle = ["wgs84", "gcj02", "bd09"]
    for i in range(min(q, args.http)):
        crs = crs_cycle[i % 3]
        plat, plng = rules.from_wgs84(float(qlat[i]), float(qlng[i]), crs)
        codes = ",".join(c for c, b in AMENITY_BIT.items() if qmask[i] & b)
        params = {"lat": f"{plat:.7f}", "lng": f"{plng:.7f}", "crs": crs, "k": int(qk[i]),
                  "at": qat[i].isoformat(), "open": "now" if qopen[i] else "any"}
        if codes:
            params["amenities"] = codes
        response = timed(lambda params=params: client.get("/api/v1/stations/nearest/", params), http_times, http_cpu)
        if response.status_code != 200:
            print("HTTP", response.status_code, response.content[:200])
            return 1
        if [r["id"] for r in response.json()] != [h.id for h in ours[i]] and crs == "wgs84":
            print("HTTP answer differs from in-process for query", i)

    # database window search: expanding lat/lng window on the (lat, lng) index, hours in Python
    db_times, db_cpu = [], []
    for i in range(min(q, args.db_window)):
        timed(lambda i=i: db_window(float(qlat[i]), float(qlng[i]), int(qk[i]), qmask[i], qat[i], bool(qopen[i])),
              db_times, db_cpu)

    print()
    print(f"machine: {os.cpu_count()} cores (shared); database {connection.vendor}; {n:,} stations; {q:,} queries "
          f"(k ∈ {{1,5,10,20}}, 0–2 amenities, 90% open-now)")
    print("wall clock (the machine is shared: other jobs inflate these):")
    print(f"  gonghui in-process      {fmt(our_times)}")
    print(f"    (index only, no freshness check: {fmt(index_only)})")
    print(f"  gonghui over HTTP       {fmt(http_times)}   ({len(http_times):,} queries, test client)")
    print(f"  database window search  {fmt(db_times)}   ({len(db_times):,} queries, the rejected design)")
    print(f"  brute-force NumPy scan  {fmt(brute_times)}")
    print("CPU time of this process per query (insensitive to other jobs on the machine):")
    print(f"  gonghui in-process      {fmt(our_cpu)}")
    print(f"  gonghui over HTTP       {fmt(http_cpu)}")
    print(f"  database window search  {fmt(db_cpu)}   (database work in-process for SQLite, not for PostgreSQL)")
    print(f"  brute-force NumPy scan  {fmt(brute_cpu)}")
    for label, ours_, brute_ in (("wall", our_times, brute_times), ("CPU", our_cpu, brute_cpu)):
        print(f"speed-up over brute force ({label}): p50 {pct(brute_, 50) / pct(ours_, 50):.1f}×, "
              f"p99 {pct(brute_, 99) / pct(ours_, 99):.1f}×")
    print(f"speed-up over the database window search (wall): p50 {pct(db_times, 50) / pct(our_times, 50):.1f}×")
    ratio50 = pct(brute_times, 50) / pct(our_times, 50)
    print(f"same stations as brute force: {q - mismatches - tie_only:,}/{q:,} identical, {tie_only} equal-distance "
          f"ties ordered differently, {mismatches} mismatches")
    target = pct(our_times, 50) <= 0.002 and ratio50 >= 20
    print("target (p50 ≤ 2 ms and ≥ 20× brute force):", "MET" if target else "NOT MET")
    return 0 if mismatches == 0 else 1


def db_window(lat, lng, k, mask, at, open_only):
    """The alternative we did not choose: SQL window on the (lat, lng) index, doubled until safe."""
    import math

    from gonghui.stations import rules
    from gonghui.stations.models import HoursException, Station

    half = 0.02
    while True:
        dlng = half / max(0.05, math.cos(math.radians(abs(lat) + half)))
        rows = list(Station.objects.exclude(status="closed").filter(
            lat__gte=lat - half, lat__lte=lat + half, lng__gte=lng - dlng, lng__lte=lng + dlng).values_list(
            "id", "lat", "lng", "amenity_bits", "status", "always_open", "weekly_hours"))
        exceptions = {}
        for sid, date, intervals in HoursException.objects.filter(
                station_id__in=[r[0] for r in rows], date__in=[at.date(), at.date() - dt.timedelta(days=1)]
        ).values_list("station_id", "date", "intervals"):
            exceptions.setdefault(sid, {})[date] = tuple(tuple(x) for x in intervals)
        found = []
        for sid, slat, slng, bits, status, always, weekly in rows:
            if bits & mask != mask:
                continue
            sched = rules.Schedule(always_open=always, weekly={int(d): tuple(tuple(x) for x in v)
                                                               for d, v in weekly.items()},
                                   exceptions=exceptions.get(sid, {}))
            is_open = status == "open" and rules.is_open(sched, at)
            if open_only and not is_open:
                continue
            found.append((rules.haversine_m(lat, lng, float(slat), float(slng)), sid))
        found.sort()
        safe = rules.haversine_m(lat, lng, lat + half, lng)
        if (len(found) >= k and found[k - 1][0] <= safe) or half > 40:
            return found[:k]
        half *= 2


if __name__ == "__main__":
    sys.exit(main())
