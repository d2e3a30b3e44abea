"""Start `gonghui serve` as a subprocess on a free loopback port with its own data directory and database."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def own_database_url(suffix: str) -> str | None:
    """A fresh PostgreSQL database beside DATABASE_URL's (same server, name + suffix), or None for SQLite."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    import psycopg

    base, name = url.rsplit("/", 1)
    new = f"{name}_{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{new}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{new}"')
    return f"{base}/{new}"


def drop_database(url: str | None) -> None:
    if not url:
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    def __init__(self, *, suffix: str, workers: int = 2, threads: int = 8) -> None:
        self.data = tempfile.mkdtemp(prefix="gonghui-welfare-")
        self.db_url = own_database_url(suffix)
        self.env = {**os.environ, "GONGHUI_DATA": self.data, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
                    "DJANGO_SETTINGS_MODULE": "gonghui.settings", "GONGHUI_DEBUG": "0", "GONGHUI_LOG_LEVEL": "WARNING"}
        if self.db_url:
            self.env["DATABASE_URL"] = self.db_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "gonghui.cli", *args], env=self.env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)

    def script(self, module: str, arg: str) -> dict:
        out = subprocess.run([sys.executable, "-c", f"import sys; sys.argv = [\"x\", {arg!r}]; from {module} import main; main()"], env=self.env,
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
        line = [x for x in out.splitlines() if x.startswith("RESULT ")][-1]
        return json.loads(line[len("RESULT "):])

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the server's database directly (SQLite file or PostgreSQL), outside Django."""
        if self.db_url:
            import psycopg

            with psycopg.connect(self.db_url) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        import sqlite3

        conn = sqlite3.connect(Path(self.data) / "gonghui.sqlite3", timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def start(self, *, command: str = "serve") -> None:
        """`serve` is `gonghui serve`; `gunicorn` starts the same WSGI app without migrate/collectstatic."""
        log = open(Path(self.data) / "server.log", "w")
        if command == "serve":
            args = [sys.executable, "-m", "gonghui.cli", "serve", "--no-worker", "--port", str(self.port),
                    "--workers", str(self.workers), "--threads", str(self.threads)]
        else:
            args = [sys.executable, "-m", "gunicorn", "gonghui.wsgi:application", "-k", "gthread", "-w",
                    str(self.workers), "--threads", str(self.threads), "-b", f"127.0.0.1:{self.port}",
                    "--log-level", "warning"]
        self.proc = subprocess.Popen(
            args,
            env={**self.env, "GONGHUI_ALLOWED_HOSTS": "127.0.0.1,localhost"}, cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as res:
                    if res.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gonghui serve did not start: " + (Path(self.data) / "server.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None
        drop_database(self.db_url)
