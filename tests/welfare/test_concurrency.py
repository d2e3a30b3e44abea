"""Concurrent issuance against a real server: `gonghui serve` (gunicorn, 2 processes × 8 threads) in a
subprocess on its own SQLite file (WAL) or PostgreSQL database; threads post over loopback.
Proves zero double issuance and exact stock under the races that matter."""

import json
import threading
import urllib.error
import urllib.request
import uuid

import pytest

from tests.welfare.server_harness import Server


@pytest.fixture(scope="module")
def server():
    srv = Server(suffix="conc")
    try:
        srv.manage("migrate", "-v0")
        srv.world = srv.script("tests.welfare.server_world", "setup")
        srv.start(command="gunicorn")
        yield srv
    finally:
        srv.stop()


def _post(url, token, data):
    req = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw[:300].decode(errors="replace")}


def _hammer(calls):
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i, fn):
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _check(server, name):
    """Issuances, doubles and stock mismatches of one scenario, read from the server's database."""
    (cid,) = server.query("SELECT id FROM welfare_campaign WHERE name = ?", (name,))[0]
    issuances = server.query("SELECT COUNT(*) FROM welfare_issuance WHERE campaign_id = ?", (cid,))[0][0]
    doubles = server.query(
        "SELECT COUNT(*) FROM (SELECT item_id, recipient_key FROM welfare_issuance WHERE campaign_id = ? "
        "GROUP BY item_id, recipient_key HAVING COUNT(*) > 1) d", (cid,))[0][0]
    stock = {}
    mismatches = 0
    for code, issued, available, counted in server.query(
            "SELECT p.code, s.issued, s.received + s.transferred_in - s.transferred_out - s.issued, "
            "(SELECT COUNT(*) FROM welfare_issuance i WHERE i.point_id = s.point_id AND i.item_id = s.item_id) "
            "FROM welfare_stock s JOIN welfare_distributionpoint p ON p.id = s.point_id "
            "JOIN welfare_item it ON it.id = s.item_id WHERE it.campaign_id = ?", (cid,)):
        stock[code] = [issued, available]
        mismatches += int(issued != counted or available < 0)
    return {"issuances": issuances, "doubles": doubles, "stock_mismatches": mismatches, "stock": stock}


def test_same_recipient_by_card_id_and_phone_at_two_points_is_issued_once(server):
    w, c = server.world, server.world["campaigns"]["same_recipient"]
    m = w["members"][0]
    url = f"{server.url}/api/v1/campaigns/{c['id']}/issue/"
    specs = [{"card": m["card"]}, {"id_number": m["id_number"]}, {"phone": m["phone"]}]
    calls = []
    for i in range(16):
        side = "xs" if i % 2 else "pd"
        data = {"recipient": specs[i % 3], "item": "PACK", "point": c[side], "idempotency_key": str(uuid.uuid4())}
        calls.append(lambda d=data, s=side: _post(url, w["tokens"][s], d))
    results = _hammer(calls)
    assert sorted(s for s, _b in results) == [201] + [409] * 15, results
    assert {b["code"] for s, b in results if s == 409} == {"already_issued"}
    state = _check(server, "same_recipient")
    assert (state["issuances"], state["doubles"], state["stock_mismatches"]) == (1, 0, 0)
    assert sum(issued for issued, _a in state["stock"].values()) == 1


def test_last_units_of_stock(server):
    w, c = server.world, server.world["campaigns"]["last_units"]
    url = f"{server.url}/api/v1/campaigns/{c['id']}/issue/"
    calls = [lambda m=m: _post(url, w["tokens"]["xs"], {"recipient": {"card": m["card"]}, "item": "PACK",
                                                         "point": c["xs"], "idempotency_key": str(uuid.uuid4())})
             for m in w["members"]]
    results = _hammer(calls)
    assert [s for s, _b in results].count(201) == 3, results
    assert sorted(b.get("code") for s, b in results if s != 201) == ["out_of_stock"] * (len(w["members"]) - 3)
    state = _check(server, "last_units")
    assert state["stock"][c["xs"]] == [3, 0] and state["stock_mismatches"] == 0 and state["issuances"] == 3


def test_same_idempotency_key_replayed_concurrently(server):
    w, c = server.world, server.world["campaigns"]["same_key"]
    url = f"{server.url}/api/v1/campaigns/{c['id']}/issue/"
    data = {"recipient": {"card": w["members"][1]["card"]}, "item": "PACK", "point": c["xs"],
            "idempotency_key": str(uuid.uuid4())}
    results = _hammer([lambda: _post(url, w["tokens"]["xs"], data) for _ in range(10)])
    assert sorted(s for s, _b in results) == [200] * 9 + [201], [(s, b.get("id"), b.get("recorded_at")) for s, b in results]
    assert len({b["id"] for _s, b in results}) == 1
    state = _check(server, "same_key")
    assert (state["issuances"], state["stock"][c["xs"]][0]) == (1, 1)


def test_offline_sync_racing_online_issuance(server):
    w, c = server.world, server.world["campaigns"]["sync_race"]
    base = f"{server.url}/api/v1/campaigns/{c['id']}/"
    records = [{"idempotency_key": str(uuid.uuid4()), "recipient": {"card": m["card"]}, "item": "PACK",
                "issued_at": "2025-07-20T10:00:00+08:00"} for m in w["members"]]
    calls = [lambda: _post(base + "sync/", w["tokens"]["xs"], {"point": c["xs"], "records": records})]
    calls += [lambda m=m: _post(base + "issue/", w["tokens"]["pd"], {
        "recipient": {"id_number": m["id_number"]}, "item": "PACK", "point": c["pd"],
        "idempotency_key": str(uuid.uuid4())}) for m in w["members"]]
    results = _hammer(calls)
    sync_status, sync_body = results[0]
    assert sync_status == 200, sync_body
    online_ok = sum(1 for s, _b in results[1:] if s == 201)
    synced = sum(1 for r in sync_body["results"] if r["status"] == "issued")
    assert online_ok + synced == len(w["members"])  # each worker exactly once, wherever served first
    assert all(r["status"] in ("issued", "already_issued") for r in sync_body["results"])
    state = _check(server, "sync_race")
    assert (state["issuances"], state["doubles"], state["stock_mismatches"]) == (len(w["members"]), 0, 0)
    # The replay of the same batch writes nothing new.
    again = _post(base + "sync/", w["tokens"]["xs"], {"point": c["xs"], "records": records})[1]
    assert {r["status"] for r in again["results"]} <= {"duplicate_key", "already_issued"}
    assert _check(server, "sync_race")["issuances"] == len(w["members"])
