"""Helpers shared by the benchmarks: PostgreSQL databases, ports, processes, machine."""

import os
import platform
import signal
import socket
import subprocess
import urllib.parse
from pathlib import Path

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"


def pg_url(database: str) -> str:
    """The server of DATABASE_URL (default 127.0.0.1:5432), database `database`."""
    parts = urllib.parse.urlsplit(os.environ.get("DATABASE_URL") or PG_DEFAULT)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


def pg_connect(url: str, dbname: str):
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    return psycopg.connect(
        host=conf["HOST"] or "127.0.0.1", port=conf["PORT"] or 5432, user=conf["USER"] or None,
        password=conf["PASSWORD"] or None, dbname=dbname, connect_timeout=3, autocommit=True,
    )


def pg_reachable(url: str) -> bool:
    try:
        pg_connect(url, "postgres").close()
    except Exception:
        return False
    return True


def pg_recreate(url: str, database: str, drop_only: bool = False) -> str:
    """Drop (and unless `drop_only`, create again) `database`; return the server version."""
    with pg_connect(url, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{database}"')
        return conn.execute("SHOW server_version").fetchone()[0]


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urllib.parse.urlunsplit(parts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's master stops its workers), SIGKILL after 30 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores{f' ({model})' if model else ''}, {platform.system()} {platform.release()}"


REPO = Path(__file__).resolve().parent.parent


def http_status(port: int, path: str) -> int:
    """Status of one GET on the local server (a fresh connection)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def start_gunicorn(env: dict, port: int, *, workers: int, threads: int, log: Path, ready_path: str,
                   worker_class: str = "gthread") -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:`port`, once `ready_path` answers 200."""
    import sys
    import time

    cmd = [sys.executable, "-m", "gunicorn", "territoires.config.wsgi:application",
           "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", worker_class,
           "--threads", str(threads), "--keep-alive", "10", "--log-level", "warning", "--error-logfile", str(log)]
    server = subprocess.Popen(cmd, env=env, cwd=REPO, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (code {server.returncode}); see {log}:\n{log.read_text()}")
        try:
            if http_status(port, ready_path) == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer on port {port} within 60 s; see {log}")


def bench_environment(db: str, *, prefix: str, pg_database: str, recreate: bool = True) -> tuple[Path, dict, str]:
    """A fresh data folder, the environment of the bench server and tools, and a line saying
    which database runs: SQLite in the folder, or `pg_database` recreated on the server of
    DATABASE_URL (default 127.0.0.1:5432) — or kept as it is with `recreate=False`."""
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-{db}-"))
    (data_dir / "static").mkdir()
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH", "")] if p),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "TERRITOIRES_DATA_DIR": str(data_dir),
        "TERRITOIRES_ENV": "development",
        "PYTHONWARNINGS": "ignore",
    })
    env.pop("DEBUG", None)
    if db == "postgres":
        env["DATABASE_URL"] = pg_url(pg_database)
        if recreate:
            version = pg_recreate(env["DATABASE_URL"], pg_database)
        else:
            with pg_connect(env["DATABASE_URL"], pg_database) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
        where = f"PostgreSQL {version}, database {pg_database} ({redact(env['DATABASE_URL'])})"
    else:
        env.pop("DATABASE_URL", None)
        import sqlite3

        where = f"SQLite {sqlite3.sqlite_version}, {data_dir / 'bench.sqlite3'}"
    return data_dir, env, where


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children that were waited for."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
