"""Shared set-up for benchmarks: a throwaway data directory and database, never the dev one."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def setup_django(name: str) -> str:
    """Point gonghui at a fresh data dir (SQLite) or a fresh PostgreSQL database `bench_<name>`.

    Returns "sqlite" or "postgresql". Call before importing anything from Django.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ["GONGHUI_DATA"] = tempfile.mkdtemp(prefix=f"gonghui-bench-{name}-")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, _db = url.rpartition("/")
        db = f"bench_{name}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
        os.environ["DATABASE_URL"] = f"{base}/{db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor
