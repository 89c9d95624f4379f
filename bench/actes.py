"""e-actes end to end: acts built, validated, transmitted to the simulator, acknowledged.

    .venv/bin/python bench/actes.py [--acts 10000] [--db sqlite|postgres|both]
        [--workers 1,2] [--bodies 100] [--timeout 1800]

For each database and each number of workers: a fresh database (SQLite file in
a temporary folder, or `bench_actes` on the PostgreSQL server of DATABASE_URL /
127.0.0.1:5432, dropped afterwards), `migrate`, N acts posted with a one-page
PDF each and their `transmit_acte` tasks queued (bench/actes_prepare.py, not
timed). Then the prefecture simulator is served by gunicorn as a server of its
own, like the ministry (`territoires.actes.simulator_wsgi`: one process,
4 threads, answering at once: ACTES_SIMULATOR_DELAY=0) and W `territoires
worker` processes start. Timed: from the workers' start until every act is
acknowledged — each act's archive built and its XML validated against the
XSD, posted over HTTP, checked by the simulator, its AR e-mailed into the
Maildir, read and applied.

Printed: acts/s end to end, and the workers' memory (resident set sampled
every second: at 10 %, 50 % and 100 % of the acts, and the peak), to show
whether memory stays flat. The simulator shares the 2 cores with the
workers, so the figures are pessimistic for the platform alone.
Target: at least 50 acts/s with 2 workers on PostgreSQL, with flat memory.
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    children,
    cpu_seconds,
    free_port,
    machine,
    pg_connect,
    pg_reachable,
    pg_recreate,
    pg_url,
    pids_named,
    redact,
    stop_server,
)

REPO = Path(__file__).resolve().parent.parent
PG_DATABASE = "bench_actes"
TARGET_RATE = 50.0


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Counter:
    """Counts acts by status straight from the database, without Django."""

    def __init__(self, db: str, env: dict, data_dir: Path) -> None:
        if db == "postgres":
            self.conn = pg_connect(env["DATABASE_URL"], PG_DATABASE)
        else:
            self.conn = sqlite3.connect(data_dir / "bench.sqlite3", timeout=30)

    def statuses(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) FROM actes_acte GROUP BY status").fetchall()
        return dict(rows)

    def close(self) -> None:
        self.conn.close()


def start_simulator(env: dict, port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "territoires.actes.simulator_wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", "1", "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
           "--error-logfile", str(log)]
    server = subprocess.Popen(cmd, env=env, cwd=REPO, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 404:  # up: only the deposit path exists
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"the simulator did not start; see {log}")


def run(db: str, workers: int, args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"territoires-bench-actes-{db}-"))
    port = free_port()
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH", "")] if p),
        "DJANGO_SETTINGS_MODULE": "bench.settings", "TERRITOIRES_DATA_DIR": str(data_dir),
        "TERRITOIRES_ENV": "development", "PYTHONWARNINGS": "ignore",
        "ACTES_TRANSPORT": "simulator", "ACTES_SIMULATOR_DELAY": "0",
        "ACTES_SIMULATOR_URL": f"http://127.0.0.1:{port}/simulateur/actes/depot/",
        "ACTES_HOURLY_LIMIT_MB": "1000000",
    })
    env.pop("DEBUG", None)
    if db == "postgres":
        env["DATABASE_URL"] = pg_url(PG_DATABASE)
        where = "PostgreSQL " + pg_recreate(env["DATABASE_URL"], PG_DATABASE).split()[0]
    else:
        env.pop("DATABASE_URL", None)
        where = f"SQLite {sqlite3.sqlite_version}"
    label = f"{where}, {workers} worker{'s' if workers > 1 else ''}"
    print(f"\n=== {label}", flush=True)
    server, procs, counter = None, [], None
    try:
        out = data_dir / "prepare.json"
        subprocess.run([sys.executable, "-m", "bench.actes_prepare", str(out), "--acts", str(args.acts),
                        "--bodies", str(args.bodies)], env=env, cwd=REPO, check=True)
        prepared = json.loads(out.read_text())
        t = prepared["timings"]
        print(f"prepared {args.acts} posted acts in {args.bodies} bodies (migrate {t['migrate']:.1f} s, "
              f"data {t['data']:.1f} s, tasks {t['enqueue']:.1f} s)", flush=True)
        server = start_simulator(env, port, data_dir / "gunicorn.log")
        counter = Counter(db, env, data_dir)
        server_pids = [server.pid, *children(server.pid)]
        cpu_before = {"simulator": cpu_seconds(server_pids), "postgres": cpu_seconds(pids_named("postgres"))}
        started = time.monotonic()
        logs = [open(data_dir / f"worker-{i}.log", "w") for i in range(workers)]  # noqa: SIM115
        procs = [subprocess.Popen([sys.executable, "-m", "territoires.manage", "worker", "--no-clock",
                                   "--interval", "0.2"], env=env, cwd=REPO, stdout=log, stderr=log)
                 for log in logs]
        samples, marks, last_print = [], {}, 0.0
        while True:
            time.sleep(1)
            elapsed = time.monotonic() - started
            statuses = counter.statuses()
            done = statuses.get("acknowledged", 0)
            failed = statuses.get("anomaly", 0) + statuses.get("error", 0)
            rss = [rss_kib(p.pid) for p in procs]
            samples.append((elapsed, done, rss))
            for share in (0.1, 0.5, 1.0):
                if share not in marks and done >= share * args.acts:
                    marks[share] = (elapsed, max(rss))
            if elapsed - last_print >= 10:
                last_print = elapsed
                print(f"  {elapsed:6.0f} s: {done} acknowledged, {failed} refused, "
                      f"{dict(sorted(statuses.items()))}, workers RSS {[r // 1024 for r in rss]} MiB", flush=True)
            if done + failed >= args.acts or elapsed > args.timeout:
                break
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker stopped; see {data_dir}/worker-*.log")
        elapsed = time.monotonic() - started
        peak = max(rss_kib(p.pid, "VmHWM") for p in procs)
        cpu = {"workers": cpu_seconds([p.pid for p in procs]),
               "simulator": cpu_seconds(server_pids) - cpu_before["simulator"],
               "postgres": cpu_seconds(pids_named("postgres")) - cpu_before["postgres"] if db == "postgres" else 0.0}
        return {"cpu": cpu, "label": label, "acts": args.acts, "done": done, "failed": failed, "seconds": elapsed,
                "rate": done / elapsed, "marks": marks, "peak_kib": peak, "workers": workers, "db": db,
                "statuses": statuses}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if server is not None:
            stop_server(server)
        if counter is not None:
            counter.close()
        if db == "postgres" and not args.keep:
            pg_recreate(env["DATABASE_URL"], PG_DATABASE, drop_only=True)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--acts", type=int, default=10000)
    parser.add_argument("--bodies", type=int, default=100)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of worker processes")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a run gives up")
    parser.add_argument("--keep", action="store_true", help="keep databases and folders")
    args = parser.parse_args()
    url = pg_url(PG_DATABASE)
    if args.db is None:
        args.db = "both" if pg_reachable(url) else "sqlite"
        if args.db == "sqlite":
            print(f"PostgreSQL unreachable at {redact(url)}: SQLite only.")
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    counts = [int(n) for n in args.workers.split(",")]
    print(f"machine: {machine()}; Python {platform.python_version()}")
    print(f"{args.acts} acts, one-page PDF each, {args.bodies} bodies; simulator: gunicorn 1 process × 4 threads, "
          f"no answer delay")
    results = [run(db, workers, args) for db in databases for workers in counts]
    print(f"\n{'run':<56}{'acts':>7}{'seconds':>9}{'acts/s':>8}{'RSS@10%':>9}{'RSS@50%':>9}{'RSS@100%':>10}"
          f"{'peak':>8}  target (≥{TARGET_RATE:g} acts/s, 2 workers, PostgreSQL)")
    failed = False
    for r in results:
        mib = {share: f"{r['marks'][share][1] / 1024:.0f}" if share in r["marks"] else "-" for share in (0.1, 0.5, 1.0)}
        verdict = ""
        if r["db"] == "postgres" and r["workers"] == 2:
            verdict = "met" if r["rate"] >= TARGET_RATE and r["done"] == r["acts"] else "NOT MET"
        print(f"{r['label']:<56}{r['done']:>7}{r['seconds']:>9.1f}{r['rate']:>8.1f}{mib[0.1]:>9}{mib[0.5]:>9}"
              f"{mib[1.0]:>10}{r['peak_kib'] / 1024:>8.0f}  {verdict}")
        cpu = r["cpu"]
        print(f"  CPU seconds: workers {cpu['workers']:.0f}, simulator {cpu['simulator']:.0f}"
              + (f", PostgreSQL server {cpu['postgres']:.0f}" if r["db"] == "postgres" else "")
              + f" — {sum(cpu.values()) / max(r['done'], 1) * 1000:.1f} ms of CPU per act in all")
        if r["done"] != r["acts"]:
            failed = True
            print(f"  not all acknowledged: {r['statuses']}")
    print("RSS: largest worker's resident memory in MiB when 10 %, 50 % and 100 % of the acts were acknowledged; "
          "peak: largest VmHWM.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
