"""Dashboard benchmark: the district dashboard against one hand-written SQL query per figure.

    PYTHONPATH=src python bench/dashboard.py [--scale 0.1]            # SQLite (default scale 0.1)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/dashboard.py   # PostgreSQL, scale 1

Full scale is 50,000 organisations, 1,000,000 members and 2,000,000 issuances (two items of a
city-wide summer campaign to every active member). The dashboard is the whole district dashboard (every
app's section); the hand-written SQL covers the figures of the sections that hold the data (organisations,
members, welfare); the other sections run over empty tables in this benchmark. The data is generated straight into the tables (the personal-data
columns are left empty: the dashboard never reads them). It prints the time of the
dashboard's figures and of the hand-written SQL, their ratio (target ≤ 1.5) and the number of
queries, at a tenth of the scale and at the full scale (the counts must be equal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from _setup import setup_django


def generate(scale: float, rng: random.Random) -> dict:
    from django.db import connection, transaction

    from gonghui.orgs.models import Member, MemberTransfer, Organisation

    n_districts = 16
    n_streets = max(1, int(50 * scale ** 0.5))
    n_orgs_target = int(50_000 * scale)
    per_street = max(1, (n_orgs_target - 1 - n_districts - n_districts * n_streets) // (n_districts * n_streets))
    alphabet = Organisation.alphabet

    def step(i: int) -> str:
        out = ""
        for _ in range(4):
            i, r = divmod(i, len(alphabet))
            out = alphabet[r] + out
        return out

    orgs = [Organisation(path=step(1), depth=1, numchild=n_districts, code="BJ", name="北京市总工会",
                         type="federation")]
    base_paths = []
    for d in range(1, n_districts + 1):
        dp = step(1) + step(d)
        orgs.append(Organisation(path=dp, depth=2, numchild=n_streets, code=f"D{d}", name=f"区总工会{d}",
                                 type="district"))
        for s in range(1, n_streets + 1):
            sp = dp + step(s)
            orgs.append(Organisation(path=sp, depth=3, numchild=per_street, code=f"D{d}S{s}",
                                     name=f"街道总工会{d}-{s}", type="street"))
            for b in range(1, per_street + 1):
                bp = sp + step(b)
                status = "preparing" if b % 40 == 0 else "active"
                orgs.append(Organisation(
                    path=bp, depth=4, numchild=0, code=f"D{d}S{s}B{b}", name=f"基层工会{d}-{s}-{b}",
                    type="joint" if b % 7 == 0 else "base", status=status,
                    founded_on=None if status == "preparing" else dt.date(2000 + b % 26, 1 + b % 12, 1)))
                base_paths.append(bp)
    with transaction.atomic():
        Organisation.objects.bulk_create(orgs, batch_size=5000)
    org_ids = dict(Organisation.objects.filter(depth=4).values_list("path", "id"))
    base_ids = [org_ids[p] for p in base_paths]

    n_members = int(1_000_000 * scale)
    trades = ["焊工", "电工", "快递员", "外卖配送员", "保安员", "民警", "护士", "教师", "司机", "厨师", "钳工", "车工",
              "保洁员", "网约车司机", "仓管员"]
    nf = ["", "", "", "", "courier", "food_delivery", "ride_hailing", "truck_driver", "other"]
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    now = dt.datetime.now(dt.UTC)

    def rows():
        for i in range(n_members):
            values = {
                "org_id": base_ids[i % len(base_ids)], "user_id": None, "name": "会员", "name_pinyin": "huiyuan",
                "name_initials": "hy", "id_number": "", "id_number_hash": f"{i:064x}",
                "id_number_masked": "110105********0000", "phone": "", "phone_hash": "", "phone_masked": "",
                "phone_last4": f"{i % 10000:04d}", "gender": "female" if i % 3 == 0 else "male",
                "birth_date": dt.date(1970 + i % 35, 1, 1), "employer": "", "trade": trades[i % len(trades)],
                "joined_on": dt.date(2015 + i % 11, 1 + i % 12, 1 + i % 28),
                "status": "left" if i % 50 == 0 else "active", "new_form_type": nf[i % len(nf)],
                "is_outdoor_worker": i % 4 == 0, "card_no": f"{i:012d}", "card_nonce": "x",
                "created_at": now, "updated_at": now,
            }
            yield tuple(values[f.attname] for f in fields)

    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {Member._meta.db_table} ({columns}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cur.executemany(f"INSERT INTO {Member._meta.db_table} ({columns}) VALUES ({marks})", list(rows()))
        ids = list(Member.objects.values_list("id", flat=True)[: max(1, n_members // 100)])
        MemberTransfer.objects.bulk_create([
            MemberTransfer(member_id=mid, from_org_id=base_ids[k % len(base_ids)],
                           to_org_id=base_ids[(k + 1) % len(base_ids)])
            for k, mid in enumerate(ids)], batch_size=10_000)
    n_issuances = generate_issuances(base_paths, org_ids)
    with connection.cursor() as cur:  # planner statistics, as a maintained production database has them
        cur.execute("ANALYZE")
    return {"orgs": len(orgs), "members": n_members, "issuances": n_issuances}


def generate_issuances(base_paths: list[str], org_ids: dict[str, int]) -> int:
    """Two items of a city-wide summer campaign to every active member, at their street's point."""
    import uuid

    from django.db import connection, transaction

    from gonghui.orgs.models import Member, Organisation
    from gonghui.welfare.models import Allotment, Campaign, DistributionPoint, Issuance, Item

    root = Organisation.objects.get(code="BJ")
    with transaction.atomic():
        campaign = Campaign.objects.create(owner=root, name="2025年夏送清凉", type="summer_cooling",
                                           status="active", starts_on=dt.date(2025, 6, 1),
                                           ends_on=dt.date(2025, 8, 31), budget=10**9)
        items = [Item.objects.create(campaign=campaign, code=c, name=n, unit_cost=50)
                 for c, n in (("PACK", "清凉包"), ("DRINK", "防暑饮品"))]
        members = list(Member.objects.filter(status="active").order_by("id")
                       .values_list("id", "org_id", "id_number_hash"))
        for item in items:
            Allotment.objects.create(campaign=campaign, item=item, org=root, quantity=len(members))
        streets = sorted({p[:12] for p in base_paths})
        street_ids = dict(Organisation.objects.filter(path__in=streets).values_list("path", "id"))
        points = {}
        for path in streets:
            points[path] = DistributionPoint.objects.create(code=f"P{street_ids[path]}", name=f"发放点{path}",
                                                            org_id=street_ids[path]).pk
        org_path = {v: k for k, v in org_ids.items()}
        fields = [f for f in Issuance._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(f.column for f in fields)
        groups = ["outdoor", "high_temperature", "new_form", "other"]
        now = dt.datetime(2025, 7, 15, 10, tzinfo=dt.UTC)

        def rows():
            for k, (mid, oid, key) in enumerate(members):
                point = points[org_path[oid][:12]]
                for item in items:
                    values = {"campaign_id": campaign.pk, "item_id": item.pk, "point_id": point,
                              "recipient_key": key, "seq": 1, "member_id": mid, "recipient_id": None,
                              "recipient_name": "会员", "target_group": groups[k % 4],
                              "issued_at": now + dt.timedelta(minutes=k % 10000), "recorded_at": now,
                              "distributor_id": None, "channel": "online", "idempotency_key": uuid.uuid4()}
                    yield tuple(values[f.attname] for f in fields)

        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {Issuance._meta.db_table} ({columns}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                data = [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in r) for r in rows()]
                cur.executemany(f"INSERT INTO {Issuance._meta.db_table} ({columns}) VALUES ({marks})", data)
    return 2 * len(members)


HAND_SQL = {
    "unions": """SELECT COUNT(*), SUM(CASE WHEN status='active' THEN 1 ELSE 0 END),
                        SUM(CASE WHEN status='preparing' THEN 1 ELSE 0 END),
                        SUM(CASE WHEN founded_on BETWEEN %(start)s AND %(end)s THEN 1 ELSE 0 END)
                 FROM orgs_organisation WHERE path LIKE %(prefix)s AND type IN ('base','joint')""",
    "members": """SELECT SUM(CASE WHEN m.status='active' THEN 1 ELSE 0 END),
                         SUM(CASE WHEN m.joined_on BETWEEN %(start)s AND %(end)s THEN 1 ELSE 0 END),
                         SUM(CASE WHEN m.status='active' AND m.new_form_type <> '' THEN 1 ELSE 0 END),
                         SUM(CASE WHEN m.status='active' AND m.is_outdoor_worker THEN 1 ELSE 0 END),
                         SUM(CASE WHEN m.status='active' AND m.gender='female' THEN 1 ELSE 0 END)
                  FROM orgs_member m JOIN orgs_organisation o ON o.id = m.org_id WHERE o.path LIKE %(prefix)s""",
    "transfers": """SELECT COUNT(*) FROM orgs_membertransfer t JOIN orgs_organisation o ON o.id = t.to_org_id
                    WHERE o.path LIKE %(prefix)s AND t.at >= %(start)s AND t.at < %(end_next)s""",
    "trades": """SELECT m.trade, COUNT(*) AS n FROM orgs_member m JOIN orgs_organisation o ON o.id = m.org_id
                 WHERE o.path LIKE %(prefix)s AND m.status='active' AND m.trade <> ''
                 GROUP BY m.trade ORDER BY n DESC, m.trade LIMIT 10""",
    "new_form": """SELECT m.new_form_type, COUNT(*) FROM orgs_member m JOIN orgs_organisation o ON o.id = m.org_id
                   WHERE o.path LIKE %(prefix)s AND m.status='active' AND m.new_form_type <> ''
                   GROUP BY m.new_form_type""",
    "welfare_allotted": """SELECT SUM(a.quantity) FROM welfare_allotment a JOIN orgs_organisation o ON o.id = a.org_id
                   JOIN welfare_campaign c ON c.id = a.campaign_id
                   LEFT JOIN welfare_allotment pa ON pa.id = a.parent_id LEFT JOIN orgs_organisation po ON po.id = pa.org_id
                   WHERE o.path LIKE %(prefix)s AND (a.parent_id IS NULL OR po.path NOT LIKE %(prefix)s)
                   AND c.starts_on <= %(end)s AND c.ends_on >= %(start)s""",
    "welfare_issued": """SELECT COUNT(*), COUNT(DISTINCT i.recipient_key) FROM welfare_issuance i
                   JOIN welfare_distributionpoint p ON p.id = i.point_id JOIN orgs_organisation o ON o.id = p.org_id
                   JOIN welfare_campaign c ON c.id = i.campaign_id
                   WHERE o.path LIKE %(prefix)s AND c.starts_on <= %(end)s AND c.ends_on >= %(start)s""",
    "welfare_campaigns": """SELECT COUNT(DISTINCT c.id) FROM welfare_campaign c JOIN orgs_organisation o ON o.id = c.owner_id
                   LEFT JOIN welfare_allotment a ON a.campaign_id = c.id LEFT JOIN orgs_organisation ao ON ao.id = a.org_id
                   WHERE (o.path LIKE %(prefix)s OR ao.path LIKE %(prefix)s)
                   AND c.starts_on <= %(end)s AND c.ends_on >= %(start)s""",
    "welfare_visits": """SELECT COUNT(*), SUM(v.people_count) FROM welfare_carevisit v JOIN orgs_organisation o ON o.id = v.org_id
                   WHERE o.path LIKE %(prefix)s AND v.visited_at >= %(start)s AND v.visited_at < %(end_next)s""",
    "welfare_groups": """SELECT i.target_group, COUNT(*) FROM welfare_issuance i
                   JOIN welfare_distributionpoint p ON p.id = i.point_id JOIN orgs_organisation o ON o.id = p.org_id
                   JOIN welfare_campaign c ON c.id = i.campaign_id
                   WHERE o.path LIKE %(prefix)s AND c.starts_on <= %(end)s AND c.ends_on >= %(start)s
                   GROUP BY i.target_group""",
}


def measure(org, start, end, repeat: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from gonghui.dashboard.selectors import dashboard_sections

    params = {"prefix": org.path + "%", "start": start, "end": end, "end_next": end + dt.timedelta(days=1)}
    with CaptureQueriesContext(connection) as ctx:
        sections = dashboard_sections(org=org, start=start, end=end)
    queries = len(ctx)
    from gonghui.orgs import dashboard as orgs_dashboard
    from gonghui.welfare import dashboard as welfare_dashboard

    ours, same, hand = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        dashboard_sections(org=org, start=start, end=end)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        orgs_dashboard.section(org=org, start=start, end=end)
        welfare_dashboard.section(org=org, start=start, end=end)
        same.append(time.perf_counter() - t)
        t = time.perf_counter()
        with connection.cursor() as cur:
            for sql in HAND_SQL.values():
                cur.execute(sql, params)
                cur.fetchall()
        hand.append(time.perf_counter() - t)
        reset_queries()
    figures = {f"{s.key}.{f.key}": f.value for s in sections for f in s.figures}
    with connection.cursor() as cur:
        cur.execute(HAND_SQL["members"], params)
        active = cur.fetchone()[0]
    assert figures["orgs.members"] == active, (figures["orgs.members"], active)
    with connection.cursor() as cur:
        cur.execute(HAND_SQL["welfare_issued"], params)
        issued = cur.fetchone()[0]
    assert figures["welfare.issued"] == issued, (figures["welfare.issued"], issued)
    return {"ours": statistics.median(ours), "same": statistics.median(same), "hand": statistics.median(hand),
            "queries": queries,
            "hand_queries": len(HAND_SQL)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=None, help="1.0 = 50k orgs, 1M members")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    vendor = setup_django("dashboard")
    scale = args.scale if args.scale is not None else (1.0 if vendor == "postgresql" else 0.1)
    from gonghui.orgs.models import Organisation

    rng = random.Random(1)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    results = []
    for label, s in (("a tenth", scale / 10), ("full", scale)):
        from django.db import connection

        with connection.cursor() as cur:
            for table in ("welfare_issuance", "welfare_stock", "welfare_allotment", "welfare_distributionpoint",
                          "welfare_item", "welfare_campaign", "orgs_membertransfer", "core_auditevent",
                          "orgs_member", "core_roleassignment", "orgs_organisation"):
                cur.execute(f"DELETE FROM {table}")
        t = time.perf_counter()
        sizes = generate(s, rng)
        gen = time.perf_counter() - t
        district = Organisation.objects.get(code="D1")
        r = measure(district, start, end, args.repeat)
        results.append(r)
        print(f"[{vendor}] {label} scale: {sizes['orgs']:,} orgs, {sizes['members']:,} members, "
              f"{sizes['issuances']:,} issuances (generated in {gen:.1f}s)")
        print(f"  whole district dashboard (7 sections): {r['ours'] * 1000:.1f} ms, {r['queries']} queries")
        print(f"  its organisations + welfare sections:  {r['same'] * 1000:.1f} ms")
        print(f"  hand-written SQL of those figures:     {r['hand'] * 1000:.1f} ms, {r['hand_queries']} queries")
        print(f"  ratio (same figures) = {r['same'] / r['hand']:.2f} (target <= 1.5); "
              f"whole dashboard / hand-written = {r['ours'] / r['hand']:.2f}")
    same = results[0]["queries"] == results[1]["queries"]
    print(f"query count at a tenth vs full: {results[0]['queries']} vs {results[1]['queries']} "
          f"({'same' if same else 'DIFFERENT'})")


if __name__ == "__main__":
    main()
