"""One offline sync of 100,000 records vs a raw bulk insert of the same rows, in the same run.

    PYTHONPATH=src python bench/sync_batch.py [--records 100000]

Uses a throwaway GONGHUI_DATA (SQLite) and, when DATABASE_URL is set, also its own PostgreSQL database
(<name>_bench_sync) — never the dev one. Half the records name the worker by member QR token, half by
resident ID number. Target: sync ≤ 3 × raw insert.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_one(records: int) -> None:
    import datetime as dt
    import uuid

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from gonghui.core.crypto import lookup_hash
    from gonghui.core.testing import make_id_number, make_org, make_user
    from gonghui.core.validators import mask_id_number
    from gonghui.orgs.models import Member
    from gonghui.orgs.services import new_card_numbers
    from gonghui.welfare import services
    from gonghui.welfare.models import Issuance, Stock

    root = make_user("root", superuser=True)
    hd = make_org(code="HD", name="海淀区总工会", type="district", parent=make_org(code="BJ", type="federation"))
    base = make_org(code="HD-B", name="基层", type="base", parent=hd)
    t0 = time.perf_counter()
    cards = new_card_numbers(records)
    members = []
    for i in range(records):
        number = make_id_number()
        members.append(Member(org=base, name=f"职工{i}", id_number=number, id_number_hash=lookup_hash("id", number),
                              id_number_masked=mask_id_number(number), gender="male", birth_date=dt.date(1980, 1, 1),
                              joined_on=dt.date(2020, 1, 1), card_no=cards[i], card_nonce=Member.new_card_nonce()))
    Member.objects.bulk_create(members, batch_size=2000)
    numbers = {m.card_no: m.id_number for m in members}
    members = list(Member.objects.filter(org=base).only("id", "card_no", "card_nonce", "id_number_hash", "name"))
    print(f"  setup: {records} members in {time.perf_counter() - t0:.1f}s")

    def campaign(name):
        c = services.campaign_create(actor=root, owner=hd, name=name, type="summer_cooling",
                                     starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 8, 31), budget=10**9)
        item = services.item_create(actor=root, campaign=c, code="PACK", name="清凉包", unit_cost=40)
        services.allotment_set(actor=root, item=item, org=hd, quantity=records)
        point = services.point_create(actor=root, org=hd, code=f"P-{name}", name=name)
        services.stock_receive(actor=root, point=point, item=item, quantity=records)
        return c, item, point

    now = timezone.now()
    c1, item1, p1 = campaign("SYNC")
    recs = []
    for i, m in enumerate(members):
        spec = {"card": m.card_token} if i % 2 else {"id_number": numbers[m.card_no]}
        recs.append({"idempotency_key": str(uuid.uuid4()), "recipient": spec, "item": "PACK",
                     "issued_at": (now - dt.timedelta(seconds=records - i)).isoformat()})
    t0 = time.perf_counter()
    results = services.sync_records(actor=root, campaign=c1, point=p1, records=recs)
    t_sync = time.perf_counter() - t0
    assert all(r["status"] == "issued" for r in results), {r["status"] for r in results}

    c2, item2, p2 = campaign("RAW")
    rows = [Issuance(campaign=c2, item=item2, point=p2, recipient_key=m.id_number_hash, seq=1, member_id=m.pk,
                     recipient_name=m.name, target_group="other", issued_at=now, channel="offline",
                     distributor=root, idempotency_key=uuid.uuid4()) for m in members]
    t0 = time.perf_counter()
    with transaction.atomic():
        Issuance.objects.bulk_create(rows, batch_size=1000)
    t_raw = time.perf_counter() - t0

    stock = Stock.objects.get(point=p1)
    doubles = Issuance.objects.filter(campaign=c1).count() - len(set(
        Issuance.objects.filter(campaign=c1).values_list("recipient_key", flat=True)))
    print(f"  {connection.vendor}: sync of {records} records {t_sync:.2f}s ({records / t_sync:,.0f} rec/s); "
          f"raw bulk insert {t_raw:.2f}s ({records / t_raw:,.0f} rows/s); ratio {t_sync / t_raw:.2f}× (target ≤ 3×); "
          f"stock issued {stock.issued} (expected {records}); doubles {doubles}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--_child", action="store_true")
    args = parser.parse_args()
    if args._child:
        run_one(args.records)
        return
    sys.path.insert(0, str(ROOT))
    from tests.welfare.server_harness import drop_database, own_database_url

    targets = [("sqlite", None)]
    if os.environ.get("DATABASE_URL"):
        targets.append(("postgresql", own_database_url("bench_sync")))
    for name, url in targets:
        env = {**os.environ, "GONGHUI_DATA": tempfile.mkdtemp(prefix="gonghui-bench-sync-"),
               "DJANGO_SETTINGS_MODULE": "gonghui.settings", "GONGHUI_LOG_LEVEL": "WARNING",
               "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        env.pop("DATABASE_URL", None)
        if url:
            env["DATABASE_URL"] = url
        print(f"[{name}]", flush=True)
        try:
            subprocess.run([sys.executable, __file__, "--_child", "--records", str(args.records)], env=env,
                           check=True)
        finally:
            drop_database(url)


if __name__ == "__main__":
    main()
