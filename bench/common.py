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
