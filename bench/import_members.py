"""Benchmark: members import end to end against reading the file with python-calamine alone.

    PYTHONPATH=src python bench/import_members.py --rows 100000

Builds a valid workbook of N members, then measures in one run:
  (a) python-calamine reading every row of it — the floor;
  (b) `gonghui import-members FILE --org BENCH` end to end in a subprocess (start-up, validation,
      hashing, encryption, card numbers, bulk insert, commit), with its peak RSS (os.wait4 rusage).
It prints rows/s, the ratio b/a and the peak RSS on SQLite and, when DATABASE_URL is set, on
PostgreSQL (in its own database, `<name>_bench`, dropped and recreated). Uses its own GONGHUI_DATA.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
ID_CHECK = "10X98765432"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国志强海燕晓东春梅文斌"


def id_number(n: int) -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=n // 500)
    first17 = f"110105{birth:%Y%m%d}{(n % 500) * 2 + 1:03d}"
    return first17 + ID_CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def build_workbook(path: Path, rows: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("会员")
    ws.write_row(0, 0, ["姓名", "身份证号", "手机号", "工作单位", "工种", "入会日期", "新就业形态"])
    for i in range(1, rows + 1):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 13) % len(GIVEN)]
        ws.write_row(i, 0, [name, id_number(i), f"139{i:08d}", "北京某某集团有限公司", "焊工", "2025-07-01",
                            "快递员" if i % 5 == 0 else "否"])
    wb.close()


def read_floor(path: Path) -> tuple[float, int]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    n = 0
    for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        n += 1
    return time.perf_counter() - started, n - 1


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, return code, peak RSS in MB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    out, err = proc.stdout.read(), proc.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        print(out.decode(), err.decode()[-3000:], file=sys.stderr)
    return elapsed, code, usage.ru_maxrss // 1024


def prepare_database(env: dict[str, str]) -> None:
    setup = (
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from gonghui.orgs.models import Organisation\n"
        "from gonghui.core.testing import make_org\n"
        "Organisation.objects.filter(code='BENCH').exists() or make_org(code='BENCH', name='基准测试工会', "
        "type='federation')\n"
        "root = Organisation.objects.get(code='BENCH')\n"
        "Organisation.objects.filter(code='BENCH-BASE').exists() or make_org(code='BENCH-BASE', parent=root)\n"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, check=True)


def postgres_url(url: str) -> str:
    import psycopg

    base, _, name = url.rpartition("/")
    bench = f"{name.split('?')[0]}_bench"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench}"')
        conn.execute(f'CREATE DATABASE "{bench}"')
    return f"{base}/{bench}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="gonghui-bench-"))
    try:
        workbook = data / "members.xlsx"
        t = time.perf_counter()
        build_workbook(workbook, args.rows)
        print(f"workbook: {args.rows:,} rows, {workbook.stat().st_size / 1048576:.1f} MB, "
              f"built in {time.perf_counter() - t:.1f} s")
        floor, n = read_floor(workbook)
        assert n == args.rows, n
        print(f"(a) calamine read alone: {floor:.2f} s, {args.rows / floor:,.0f} rows/s")
        targets = [("SQLite", None)]
        if os.environ.get("DATABASE_URL"):
            targets.append(("PostgreSQL", postgres_url(os.environ["DATABASE_URL"])))
        for label, url in targets:
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            env.update(PYTHONPATH=str(SRC), GONGHUI_DATA=str(data / label), DJANGO_SETTINGS_MODULE="gonghui.settings")
            if url:
                env["DATABASE_URL"] = url
            (data / label).mkdir()
            prepare_database(env)
            cmd = [sys.executable, "-m", "gonghui.cli", "import-members", str(workbook), "--org", "BENCH-BASE",
                   "--quiet"]
            elapsed, code, rss = run(cmd, env)
            status = "ok" if code == 0 else f"FAILED (exit {code})"
            print(f"(b) {label}: gonghui import-members end to end: {elapsed:.2f} s, {args.rows / elapsed:,.0f} rows/s, "
                  f"ratio b/a = {elapsed / floor:.1f}, peak RSS {rss} MB — {status}")
            print(f"    targets: ratio ≤ 3 {'met' if elapsed / floor <= 3 else 'NOT met'}; "
                  f"peak RSS ≤ 400 MB {'met' if rss <= 400 else 'NOT met'}")
            if url:
                import psycopg

                base, _, bench = url.rpartition("/")
                with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
