"""N concurrent sign-ups for C places: exactly C confirmed, N − C waitlisted in order, no duplicates.

Runs on whichever database the suite runs on (PostgreSQL: the row lock on the activity; SQLite:
IMMEDIATE transactions). Each thread has its own database connection.

SQLite detail: the test database is an in-memory shared-cache database, where a second writer gets
"database table is locked" at once instead of waiting (the busy timeout does not apply to shared-cache
locks). Production SQLite is a WAL file with a busy timeout, so for these tests the in-memory database
is copied to a file and every connection of the test, the main thread's included, uses that file with
the production connection options.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, connections

from gonghui.activities import services
from gonghui.activities.models import Signup
from gonghui.core.errors import ConflictError
from gonghui.core.testing import make_member, make_org, make_user

from .conftest import NOW, make_activity

N_MEMBERS = 12
CAPACITY = 5


def _run_threads(target, args_list):
    barrier = threading.Barrier(len(args_list))
    results: list = [None] * len(args_list)

    def worker(i, args):
        try:
            barrier.wait()
            results[i] = target(*args)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    close_old_connections()
    return results


@contextmanager
def production_like_database():
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    tmp = Path(tempfile.mkdtemp(prefix="gh-activities-"))
    path = tmp / "concurrency.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    original_settings = connections.settings["default"]
    original_main = connections["default"]
    file_settings = {**original_settings, "NAME": str(path)}
    connections.settings["default"] = file_settings
    main = original_main.__class__(file_settings, "default")
    connections["default"] = main
    try:
        yield
    finally:
        main.close()
        connections["default"] = original_main
        connections.settings["default"] = original_settings
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def world(transactional_db):
    root = make_user("root-c", superuser=True)
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    jh = make_org(code="JH", name="京恒（北京）保安服务有限公司工会", parent=bj)
    staff = make_user("jh-staff", org=jh, role="staff")
    members = [make_member(org=jh, name=f"保安员{i:02d}", actor=root) for i in range(N_MEMBERS)]
    activity = make_activity(actor=staff, org=jh, capacity=CAPACITY)
    with production_like_database():
        yield {"staff": staff, "members": members, "activity": activity}


def test_concurrent_signups_fill_exactly_the_capacity(world):
    activity, staff = world["activity"], world["staff"]

    def sign(member):
        return services.signup_create(actor=staff, activity=activity, member=member, now=NOW).pk

    results = _run_threads(sign, [(m,) for m in world["members"]])
    assert all(isinstance(r, int) for r in results), results
    rows = list(Signup.objects.filter(activity=activity).order_by("seq"))
    assert len(rows) == N_MEMBERS
    assert len({r.member_id for r in rows}) == N_MEMBERS
    assert [r.seq for r in rows] == list(range(1, N_MEMBERS + 1))
    # The first CAPACITY requests in queue order hold the places; the rest wait in that order.
    assert [r.status for r in rows] == ["confirmed"] * CAPACITY + ["waitlisted"] * (N_MEMBERS - CAPACITY)
    activity.refresh_from_db()
    assert activity.next_seq == N_MEMBERS + 1


def test_concurrent_duplicate_signups_of_one_member(world):
    activity, staff, member = world["activity"], world["staff"], world["members"][0]

    def sign():
        return services.signup_create(actor=staff, activity=activity, member=member, now=NOW).pk

    results = _run_threads(sign, [() for _ in range(6)])
    ok = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(ok) == 1 and len(refused) == 5, results
    assert {e.code for e in refused} == {"already_signed_up"}
    assert Signup.objects.filter(activity=activity, member=member).count() == 1


def test_concurrent_cancellations_promote_in_order(world):
    activity, staff, members = world["activity"], world["staff"], world["members"]
    signups = [services.signup_create(actor=staff, activity=activity, member=m, now=NOW) for m in members]
    # 5 confirmed, 7 waiting. Cancel 3 confirmed at once: the first 3 waiting move up, no more.
    results = _run_threads(lambda s: services.signup_cancel(actor=staff, signup=s, now=NOW).pk,
                           [(s,) for s in signups[:3]])
    assert all(isinstance(r, int) for r in results), results
    status = dict(Signup.objects.filter(activity=activity).values_list("seq", "status"))
    assert [status[i] for i in range(1, 13)] == (
        ["cancelled"] * 3 + ["confirmed"] * 5 + ["waitlisted"] * 4)
    assert Signup.objects.filter(activity=activity, status="confirmed").count() == CAPACITY
