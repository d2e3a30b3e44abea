"""Benchmark: full contest results (selector) vs one hand-written SQL aggregate of the same totals.

10,000 contestants, 5 judges, 20 judged criteria (5 marks each, 1,000,000 marks) plus a theory score.
Run: PYTHONPATH=src python bench/contest_results.py   (DATABASE_URL → a throwaway database gh_bench_contests)
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ["GONGHUI_DATA"] = tempfile.mkdtemp(prefix="gh-bench-contests-")
if os.environ.get("DATABASE_URL"):
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/gh_bench_contests"

import django

N, JUDGES, CRITERIA = 10_000, 5, 20


def main() -> None:
    if os.environ.get("DATABASE_URL"):
        import psycopg

        admin = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS gh_bench_contests")
            conn.execute("CREATE DATABASE gh_bench_contests")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from gonghui.contests.models import Contest, Contestant, Criterion
    from gonghui.contests.rules import weighted_total
    from gonghui.contests.selectors import contest_results
    from gonghui.orgs.models import Organisation

    User = get_user_model()
    org = Organisation.objects.add_root(instance=Organisation(code="BENCH", name="基准测试总工会", type="federation"))
    contest = Contest.objects.create(org=org, name="基准赛项", parts=[
        {"code": "theory", "name": "理论", "weight": "0.3"}, {"code": "practical", "name": "实操", "weight": "0.7"}],
        prize_scheme={"mode": "percent", "first": 10, "second": 20, "third": 30}, status="held")
    judges = [User.objects.create_user(username=f"bj{i}") for i in range(JUDGES)]
    crits = [Criterion.objects.create(contest=contest, code=f"C{i:02d}", name=f"评分项{i}", max_mark=5)
             for i in range(CRITERIA)]
    rng = random.Random(20250801)
    t0 = time.perf_counter()
    Contestant.objects.bulk_create([Contestant(contest=contest, name=f"选手{i}", status="approved",
                                               blind_number=f"{100000 + i}", time_seconds=rng.randint(1800, 3600))
                                    for i in range(N)], batch_size=5000)
    ids = list(Contestant.objects.filter(contest=contest).values_list("id", flat=True))
    judge_ids = [j.pk for j in judges]
    crit_ids = [c.pk for c in crits]
    insert = ("INSERT INTO contests_score (contest_id, contestant_id, part, criterion_id, judge_id, hundredths, "
              "judge_unit, contestant_unit, updated_at) VALUES (%s, %s, %s, %s, %s, %s, '', '', %s)")
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        batch = []
        for cid in ids:
            batch.append((contest.pk, cid, "theory", None, None, rng.randint(4000, 10000), now))
            for c in crit_ids:
                for j in judge_ids:
                    batch.append((contest.pk, cid, "practical", c, j, rng.randint(200, 500), now))
            if len(batch) >= 100_000:
                cur.executemany(insert, batch)
                batch = []
        cur.executemany(insert, batch)
    print(f"database: {connection.vendor}; seeded {N:,} contestants, {N * CRITERIA * JUDGES:,} marks "
          f"in {time.perf_counter() - t0:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    sql = """
        SELECT c.id,
               COALESCE((SELECT s.hundredths FROM contests_score s WHERE s.contestant_id = c.id
                         AND s.criterion_id IS NULL AND s.part = 'theory'), 0) AS theory,
               COALESCE(p.practical, 0) AS practical
          FROM contests_contestant c
          LEFT JOIN (SELECT contestant_id, SUM(avg_mark) AS practical FROM (
                       SELECT contestant_id, criterion_id, ROUND(AVG(hundredths * 1.0), 0) AS avg_mark
                         FROM contests_score WHERE contest_id = %s AND criterion_id IS NOT NULL
                        GROUP BY contestant_id, criterion_id) per_crit
                      GROUP BY contestant_id) p ON p.contestant_id = c.id
         WHERE c.contest_id = %s AND c.status = 'approved'
    """

    def run_sql():
        with connection.cursor() as cur:
            cur.execute(sql, [contest.pk, contest.pk])
            return cur.fetchall()

    def best(fn, repeat=3):
        times, out = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return min(times), out

    t_sql, sql_rows = best(run_sql)
    t_sel, results = best(lambda: contest_results(contest=contest))
    weights = contest.weights
    mine = {r["contestant"]: r["total"] for r in results}
    mismatch = 0
    for cid, theory, practical in sql_rows:
        # The SQL rounds each criterion mean to hundredths in floating point; recompute the total in Decimal.
        total = weighted_total({"theory": Decimal(int(theory)) / 100,
                                "practical": Decimal(int(practical)) / 100}, weights)
        if total != mine[cid]:
            mismatch += 1
    ratio = t_sel / t_sql
    print(f"hand-written SQL aggregate : {t_sql * 1000:8.0f} ms ({len(sql_rows):,} rows)")
    print(f"contest_results (selector) : {t_sel * 1000:8.0f} ms (ranked, prizes, pass/fail)")
    print(f"ratio selector / SQL       : {ratio:8.2f}x  (target ≤ 2x, < 2 s)")
    print(f"totals agree               : {len(sql_rows) - mismatch:,}/{len(sql_rows):,}")
    print(f"first three                : {[(r['rank'], str(r['total']), r['prize']) for r in results[:3]]}")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        contest_results(contest=contest)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            contest_results(contest=contest)
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:4]:
            print(q["time"], q["sql"][:300])
    sys.exit(1 if mismatch else 0)


if __name__ == "__main__":
    main()
