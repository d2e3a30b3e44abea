"""An import killed with SIGKILL half-way leaves no member of that file in the database.

The child process runs `gonghui import-members` with the test hook GONGHUI_TEST_IMPORT_PAUSE
(core.imports.pipeline): after the first batch is written inside the transaction it says so on stderr
and sleeps; the test then kills it with SIGKILL and looks at the database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from gonghui.core.testing import make_id_number

SRC = str(Path(__file__).resolve().parents[2] / "src")
ROWS = 3000  # more than one batch (2,000)


def _workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["姓名", "身份证号", "手机号"])
    for r in range(1, ROWS + 1):
        ws.write_row(r, 0, [f"会员{r}", make_id_number(birth="19900101" if r < 400 else None), f"139{r:08d}"])
    wb.close()
    return path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGHUI_TEST_IMPORT_PAUSE")}
    env.update(PYTHONPATH=SRC, GONGHUI_DATA=str(tmp_path), DJANGO_SETTINGS_MODULE="gonghui.settings", **extra)
    return env


def _import_and_kill(tmp_path: Path, env: dict[str, str]) -> str:
    path = _workbook(tmp_path / "members.xlsx")
    child = subprocess.Popen(
        [sys.executable, "-m", "gonghui.cli", "import-members", str(path), "--org", "K-BASE", "--quiet"],
        env={**env, "GONGHUI_TEST_IMPORT_PAUSE": "60"}, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in child.stderr:
            seen.append(line)
            if "import: writing started" in line:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


def test_sigkill_on_sqlite_leaves_nothing(tmp_path):
    env = _env(tmp_path)
    setup = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', 'orgs', verbosity=0); call_command('migrate', 'core', verbosity=0)\n"
        "from gonghui.core.testing import make_org\n"
        "root = make_org(code='K-ROOT', type='federation'); make_org(code='K-BASE', parent=root)\n"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, timeout=180)
    _import_and_kill(tmp_path, env)
    with sqlite3.connect(tmp_path / "gonghui.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM orgs_member").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM core_auditevent WHERE action='member.import'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM orgs_organisation").fetchone() == (2,)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL only when DATABASE_URL is set")
def test_sigkill_on_postgres_leaves_nothing(tmp_path, transactional_db):
    from django.db import connection

    from gonghui.core.testing import make_org
    from gonghui.orgs.models import Member

    root = make_org(code="K-ROOT", type="federation")
    make_org(code="K-BASE", parent=root)
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    _import_and_kill(tmp_path, _env(tmp_path, DATABASE_URL=url))
    assert Member.objects.count() == 0
