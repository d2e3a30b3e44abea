"""Issuance under load: `gonghui serve` on a free loopback port, 32 concurrent clients issue to N recipients
with 30% repeated attempts; the same server's /healthz throughput in the same run is the reference.

    PYTHONPATH=src python bench/issue_load.py [--recipients 10000] [--clients 32]

Runs on SQLite (throwaway GONGHUI_DATA) and, when DATABASE_URL is set, on PostgreSQL in its own database
(<name>_bench_issue). Prints issuances/s, p50/p99 latency, /healthz req/s, their ratio, double issuances
(must be 0) and stock mismatches (must be 0). Target: ratio ≥ 0.5 on PostgreSQL. Loopback only, bounded loops.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POINTS = 4


def setup_world(recipients: int) -> None:
    """Runs inside the server's environment (subprocess): orgs, staff token, campaign, stock, members."""
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    django.setup()
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from gonghui.core.crypto import lookup_hash
    from gonghui.core.testing import make_id_number, make_org, make_user
    from gonghui.core.validators import mask_id_number
    from gonghui.orgs.models import Member
    from gonghui.orgs.services import new_card_numbers
    from gonghui.welfare import services

    with transaction.atomic():
        root = make_user("root", superuser=True)
        hd = make_org(code="HD", name="海淀区总工会", type="district", parent=make_org(code="BJ", type="federation"))
        base = make_org(code="HD-B", name="基层", type="base", parent=hd)
        staff = make_user("hd_dist", org=hd, role="distributor")
        c = services.campaign_create(actor=root, owner=hd, name="load", type="summer_cooling",
                                     starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 8, 31), budget=10**9)
        item = services.item_create(actor=root, campaign=c, code="PACK", name="清凉包", unit_cost=40)
        services.allotment_set(actor=root, item=item, org=hd, quantity=recipients * 2)
        per_point = recipients // POINTS + recipients // 10
        for p in range(POINTS):
            point = services.point_create(actor=root, org=hd, code=f"P{p}", name=f"发放点{p}")
            services.stock_receive(actor=root, point=point, item=item, quantity=per_point)
        cards = new_card_numbers(recipients)
        rows = []
        for i in range(recipients):
            number = make_id_number()
            rows.append(Member(org=base, name=f"职工{i}", id_number=number, id_number_hash=lookup_hash("id", number),
                               id_number_masked=mask_id_number(number), gender="male",
                               birth_date=dt.date(1980, 1, 1), joined_on=dt.date(2020, 1, 1), card_no=cards[i],
                               card_nonce=Member.new_card_nonce()))
        Member.objects.bulk_create(rows, batch_size=2000)
        tokens = [m.card_token for m in Member.objects.filter(org=base).only("card_no", "card_nonce")]
        print("RESULT " + json.dumps({"campaign": c.pk, "token": Token.objects.create(user=staff).key,
                                      "cards": tokens}))


def drive(port: int, clients: int, jobs: list, make_request) -> tuple[float, list[float], dict]:
    """Run `jobs` over `clients` keep-alive connections; returns elapsed seconds, latencies, status counts."""
    lock = threading.Lock()
    queue = list(reversed(jobs))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local_lat, local_status = [], {}
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            method, path, body, headers = make_request(job)
            t0 = time.perf_counter()
            for _attempt in range(3):  # a server closing an idle keep-alive connection: reconnect
                try:
                    conn.request(method, path, body=body, headers=headers)
                    res = conn.getresponse()
                    res.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            local_lat.append(time.perf_counter() - t0)
            local_status[res.status] = local_status.get(res.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(local_lat)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, sorted(latencies), statuses


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0


def run(name: str, args) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.welfare.server_harness import Server

    srv = Server(suffix="bench_issue", workers=args.workers, threads=args.threads)
    if name == "sqlite":
        srv.env.pop("DATABASE_URL", None)
        from tests.welfare.server_harness import drop_database

        drop_database(srv.db_url)
        srv.db_url = None
    try:
        srv.manage("migrate", "-v0")
        world = srv.script("bench.issue_load", f"--_setup={args.recipients}")
        srv.start(command="serve")
        rnd = random.Random(7)
        cards = world["cards"]
        attempts = list(range(len(cards))) + rnd.sample(range(len(cards)), int(len(cards) * 0.3))
        rnd.shuffle(attempts)
        headers = {"Content-Type": "application/json", "Authorization": f"Token {world['token']}"}
        path = f"/api/v1/campaigns/{world['campaign']}/issue/"

        def issue_request(i):
            body = json.dumps({"recipient": {"card": cards[i]}, "item": "PACK", "point": f"P{i % POINTS}",
                               "idempotency_key": str(uuid.uuid4())})
            return "POST", path, body, headers

        health_jobs = list(range(args.health))
        h_time, h_lat, h_status = drive(srv.port, args.clients, health_jobs, lambda _j: ("GET", "/healthz", None, {}))
        i_time, i_lat, i_status = drive(srv.port, args.clients, attempts, issue_request)
        issued = i_status.get(201, 0)
        doubles = srv.query("SELECT COUNT(*) FROM (SELECT recipient_key FROM welfare_issuance "
                            "GROUP BY campaign_id, item_id, recipient_key HAVING COUNT(*) > 1) d")[0][0]
        mismatches = srv.query(
            "SELECT COUNT(*) FROM welfare_stock s WHERE s.issued <> (SELECT COUNT(*) FROM welfare_issuance i "
            "WHERE i.point_id = s.point_id AND i.item_id = s.item_id) "
            "OR s.received + s.transferred_in - s.transferred_out - s.issued < 0")[0][0]
        total = srv.query("SELECT COUNT(*) FROM welfare_issuance")[0][0]
        h_rate = len(health_jobs) / h_time
        a_rate = len(attempts) / i_time
        print(f"[{name}] {len(attempts)} attempts ({len(cards)} recipients, 30% repeats) by {args.clients} clients "
              f"on gunicorn {args.workers}×{args.threads}")
        print(f"  issue: {a_rate:,.0f} attempts/s ({issued / i_time:,.0f} issuances/s); p50 {pct(i_lat, .5):.1f} ms, "
              f"p99 {pct(i_lat, .99):.1f} ms; statuses {dict(sorted(i_status.items()))}")
        print(f"  /healthz: {h_rate:,.0f} req/s; p50 {pct(h_lat, .5):.1f} ms, p99 {pct(h_lat, .99):.1f} ms")
        print(f"  ratio issue/healthz: {a_rate / h_rate:.2f} (target ≥ 0.5 on PostgreSQL)")
        print(f"  issuances in DB {total} (expected {len(cards)}); double issuances {doubles} (must be 0); "
              f"stock mismatches {mismatches} (must be 0)", flush=True)
    finally:
        srv.stop()


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1].startswith("--_setup="):
        setup_world(int(sys.argv[1].split("=", 1)[1]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--health", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        run("postgresql", args)
    run("sqlite", args)


if __name__ == "__main__":
    main()
