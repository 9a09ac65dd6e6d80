"""A bounded load check: N concurrent signed-in sessions for S seconds against gunicorn, as
the README serves the UI, on SQLite or PostgreSQL; counts errors and prints latencies.

    .venv/bin/python scripts/load_check.py [--sessions 50] [--seconds 60] [--workers 4]
    .venv/bin/python scripts/load_check.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Makes a fresh database (a SQLite file in a temporary folder, or a new schema in the given
PostgreSQL database, dropped afterwards), seeds it with scripts/bench_call_list.py's calls,
starts `gunicorn -w W 'callqa.web:create_app()'` on a free port, and runs the sessions as
threads of this process (on the same machine: the load generator shares its cores). Each
session signs in through the real login form once, then loops over what a supervisor opens:
the call list (pages, filters, sorts), a call page, the dashboard, the review queue, a CSV
export of a filtered list, and the out-of-range requests that were 500s or worse (each must
be answered in range: 200 with a notice, 400 or 404). An error is a connection error, a 5xx,
or any status other than the one expected. Exits non-zero on any error.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_call_list import PASSWORD, SUPERVISOR, SeedOptions, bench_database, seed_calls  # noqa: E402

from callqa.models.db import make_engine, upgrade_schema  # noqa: E402

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Tally:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load, before and after
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies_s.append(seconds)
            if error:
                self.errors.append(error)


def requests_of_a_session(call_ids: list[int], rng: random.Random) -> list[tuple[str, int]]:
    """(path, expected status) of one round, in a shuffled order."""
    call = rng.choice(call_ids)
    round_ = [
        ("/calls", 200), (f"/calls?page={rng.randint(1, 40)}", 200),
        ("/calls?sort=score&descending=0", 200), ("/calls?status=failed", 200),
        (f"/calls/{call}", 200), ("/dashboard", 200), ("/dashboard?period=month", 200),
        ("/review-queue", 200), ("/calls.csv?status=failed", 200),
        # the out-of-range requests of the attack: answered, never a 5xx
        ("/calls?page=99999999999999999999", 200), ("/calls?date_to=9999-12-31", 200),
        ("/dashboard?date_from=0001-01-01&period=day", 200),
        ("/dashboard?date_from=1900-01-01&period=day", 200),
        ("/calls.csv?agent_id=99999999999999999999", 400),
        ("/calls/99999999999999999999", 404),
    ]
    rng.shuffle(round_)
    return round_


def run_session(base: str, call_ids: list[int], until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        _sign_in(opener, base)
    except Exception as exc:  # noqa: BLE001 - counted, reported
        tally.add(0.0, f"sign-in: {type(exc).__name__}: {exc}")
        return
    while time.monotonic() < until:
        for path, expected in requests_of_a_session(call_ids, rng):
            if time.monotonic() >= until:
                return
            started = time.perf_counter()
            status, error = _fetch(opener, base + path)
            seconds = time.perf_counter() - started
            if error is None and status != expected:
                error = f"{path}: {status}, expected {expected}"
            tally.add(seconds, error)


def _sign_in(opener: urllib.request.OpenerDirector, base: str) -> None:
    with opener.open(base + "/login", timeout=60) as page:
        token = _CSRF.search(page.read().decode())
    assert token, "no CSRF token on /login"
    form = urllib.parse.urlencode({"username": SUPERVISOR, "password": PASSWORD,
                                   "csrf_token": token.group(1)}).encode()
    with opener.open(base + "/login", data=form, timeout=60) as response:
        response.read()
        assert response.url.endswith("/calls"), f"signed in to {response.url}"


def _fetch(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str | None]:
    try:
        with opener.open(url, timeout=60) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, (f"{url}: {exc.code}" if exc.code >= 500 else None)
    except (OSError, urllib.error.URLError) as exc:
        return 0, f"{url}: {type(exc).__name__}: {exc}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, home: Path, workers: int, port: int) -> subprocess.Popen:
    env = dict(os.environ, CALLQA_DATABASE_URL=url, CALLQA_HOME=str(home))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "-", "--log-level", "warning", "callqa.web:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited: {server.stderr.read()}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not answer in 120 s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL database for a scratch schema")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (README: 4)")
    parser.add_argument("--calls", type=int, default=5_000, help="calls seeded")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, \
            bench_database(options.database_url, Path(folder)) as url:
        engine = make_engine(url)
        upgrade_schema(engine)
        seed_calls(engine, SeedOptions(calls=options.calls))
        with engine.connect() as connection:
            call_ids = [row[0] for row in connection.exec_driver_sql(
                "SELECT id FROM calls ORDER BY id LIMIT 2000")]
        engine.dispose()
        port = free_port()
        server = start_gunicorn(url, Path(folder) / "home", options.workers, port)
        try:
            tally = Tally()
            until = time.monotonic() + options.seconds
            threads = [threading.Thread(target=run_session, args=(
                f"http://127.0.0.1:{port}", call_ids, until, tally, n))
                for n in range(options.sessions)]
            load_before = os.getloadavg()[0]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            tally.load = (load_before, os.getloadavg()[0])
        finally:
            server.terminate()
            server.wait(timeout=60)
    report(options, url, tally, elapsed)
    return 1 if tally.errors else 0


def report(options: argparse.Namespace, url: str, tally: Tally, elapsed: float) -> None:
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    ms = [s * 1000 for s in tally.latencies_s if s > 0]
    print(f"{database}: {options.sessions} sessions for {options.seconds:.0f} s against "
          f"gunicorn -w {options.workers}, {options.calls} calls seeded")
    print(f"machine: {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}; the load generator on the same machine; "
          f"load average {tally.load[0]:.1f} before, {tally.load[1]:.1f} after")
    if ms:
        print(f"requests {len(ms)} ({len(ms) / elapsed:.0f}/s), errors {len(tally.errors)}; "
              f"p50 {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
              f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms")
    for error in sorted(set(tally.errors))[:20]:
        print(f"  error: {error}")


if __name__ == "__main__":
    sys.exit(main())
