"""Throughput of the Celery path against the embedded worker, with 1 and 2 worker processes,
in one run: calls per hour, x real time (wall-clock seconds per second of audio), and what the
broker and the database cost per call.

    .venv/bin/python scripts/bench_celery.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/callqa_celery \\
        --broker redis://127.0.0.1:6379/14 [--calls 8] [--processes 1,2]

For each engine and process count, in a fresh PostgreSQL schema: the worker processes are
started (`callqa process --watch` each, or one `callqa worker --processes N`), warmed up with
one call per process (model loaded, scoring pipelines built), then the measured calls are
ingested and timed until the last is done. Ingest (copying, probing) is inside the timing for
both engines. The database cost is PostgreSQL's committed transactions per call in the
database (pg_stat_database; use a database of its own so that nobody else's work counts);
the broker's is the Redis commands per call (INFO commandstats) with a Redis broker, both over
the timed run; beside them, their rates per second over 20 s with the workers idle (heartbeats;
the embedded worker's polls of the database, the Celery consumer's of the broker), which stop
while the workers are busy. Autovacuum counts in the database's figures too.

Run one benchmark at a time, on a quiet machine: the figures are wall-clock. The corpus is
only read here, never by the product.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import create_engine, func, select, text

from callqa.models import Call, CallStatus, WorkerProcess
from callqa.models.db import make_engine, make_session_factory, scratch_schema, upgrade_schema
from callqa.qa.metadata import CallMetadata, read_manifest
from callqa.services.ingest import ingest_recording
from callqa.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("CALLQA_CORPUS", REPO.parent / "shared" / "corpus"))
WARM_UP = ("cen025.flac", "cpl005.wav", "cen028.mp3", "cpl004.flac")  # shipped samples
FINISHED = (CallStatus.DONE, CallStatus.NO_SPEECH, CallStatus.FAILED)


@dataclass(frozen=True)
class Figures:
    engine: str
    processes: int
    calls: int
    audio_s: float
    wall_s: float
    db_commits: int
    broker_commands: int | None
    cpu_s: float  # used by the worker processes and this one while timed
    others_cpu_s: float  # used by everything else on the machine meanwhile
    idle_commits_s: float  # commits per second in the database while the workers wait
    idle_commands_s: float | None  # broker commands per second meanwhile


    @property
    def calls_per_hour(self) -> float:
        return self.calls / self.wall_s * 3600

    @property
    def real_time(self) -> float:
        return self.wall_s / self.audio_s


def _shortest(corpus: Path, count: int) -> list[tuple[Path, CallMetadata]]:
    durations = {json.loads(line)["id"]: json.loads(line)["duration"]
                 for line in (corpus / "manifest.jsonl").read_text().splitlines() if line.strip()}
    jobs = list(read_manifest(corpus / "manifest.jsonl"))
    jobs.sort(key=lambda job: durations[job[1].external_id or ""])
    return jobs[:count]


def _env(settings: Settings, model_cache: Path) -> dict[str, str]:
    env = dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
               CALLQA_MODEL_CACHE_DIR=str(model_cache), CALLQA_CPU_THREADS="1")
    env.pop("CALLQA_BROKER_URL", None)
    if settings.uses_broker:
        env.update(CALLQA_BROKER_URL=settings.broker_url, CALLQA_CELERY_QUEUE=settings.celery_queue)
    return env


def _start(engine: str, processes: int, env: dict[str, str], logs: Path) -> list[subprocess.Popen]:
    python = sys.executable
    if engine == "celery":
        commands = [[python, "-m", "callqa", "worker", "--processes", str(processes)]]
    else:
        commands = [[python, "-m", "callqa", "process", "--watch", "--poll", "1",
                     "--no-progress"]] * processes
    started = []
    for index, command in enumerate(commands):
        with (logs / f"{engine}-{processes}-{index}.log").open("w") as log:
            started.append(subprocess.Popen(command, env=env, stdout=log,
                                            stderr=subprocess.STDOUT))
    return started


def _wait_done(url: str, ids: list[int], timeout_s: float) -> None:
    """Until the calls are finished; on one connection whose reads are rolled back, so the
    waiting adds no commits to the figures."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout_s
    try:
        with engine.connect() as connection:
            while True:
                left = connection.execute(select(func.count(Call.id)).where(
                    Call.id.in_(ids), Call.status.not_in(FINISHED))).scalar_one()
                connection.rollback()
                if not left:
                    return
                if time.monotonic() > deadline:
                    raise SystemExit(f"timed out: {left} calls not finished")
                time.sleep(0.2)
    finally:
        engine.dispose()


_TICK = os.sysconf("SC_CLK_TCK")


def _busy_cpu_s() -> float:
    """CPU seconds all processes of the machine have used (user + system, /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system = (int(v) for v in fields[:3])
    irq, softirq, steal = (int(v) for v in fields[5:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def _tree_cpu_s(roots: list[int]) -> float:
    """CPU seconds of these processes and their descendants, live and reaped."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            rest = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(rest[1]), sum(int(v) for v in rest[11:15]) / _TICK)
    wanted, total = set(roots), 0.0
    changed = True
    while changed:
        changed = False
        for pid, (ppid, _cpu) in stats.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def _commits(admin_url: str) -> int:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            )).scalar_one())
    finally:
        engine.dispose()


def _redis_commands(broker: str) -> int | None:
    if not broker.startswith("redis"):
        return None
    import redis

    stats = redis.Redis.from_url(broker).info("commandstats")
    return sum(int(value["calls"]) for value in stats.values())


def measure(engine: str, processes: int, args: argparse.Namespace,
            jobs: list[tuple[Path, CallMetadata]], folder: Path) -> Figures:
    with scratch_schema(args.database_url, "bench") as url:
        settings = Settings(home=folder / f"{engine}-{processes}", database_url=url,
                            broker_url=args.broker if engine == "celery" else "",
                            celery_queue=f"callqa_bench_{os.getpid()}_{processes}")
        db = make_engine(url)
        upgrade_schema(db)
        sessions = make_session_factory(db)
        workers = _start(engine, processes, _env(settings, args.model_cache), folder)
        try:
            samples = REPO / "callqa" / "samples"
            warm = [ingest_recording(sessions, settings, samples / name,
                                     CallMetadata(language="pl" if "pl" in name else "en")).call_id
                    for name in WARM_UP[:processes]]
            _wait_done(url, [i for i in warm if i], 600)
            time.sleep(1.5)  # statistics of the warm-up flushed
            idle_commits, idle_commands = _idle_rates(args, IDLE_S)
            commits, commands = _commits(args.database_url), _redis_commands(args.broker)
            roots = [w.pid for w in workers]
            busy, ours, own = _busy_cpu_s(), _tree_cpu_s(roots), time.process_time()
            started = time.monotonic()
            ids = [ingest_recording(sessions, settings, path, meta).call_id for path, meta in jobs]
            _wait_done(url, [i for i in ids if i], 3600)
            wall = time.monotonic() - started
            ours = _tree_cpu_s(roots) - ours + time.process_time() - own
            others = _busy_cpu_s() - busy - ours
            time.sleep(1.5)
            commits = _commits(args.database_url) - commits
            after = _redis_commands(args.broker)
            with sessions() as session:
                audio = session.scalar(select(func.sum(Call.duration_s)).where(Call.id.in_(ids)))
                done = session.scalar(select(func.count(Call.id)).where(
                    Call.id.in_(ids), Call.status == CallStatus.DONE))
                workers_seen = session.scalar(select(func.count(WorkerProcess.id)))
            print(f"  {engine} x{processes}: {done}/{len(ids)} done in {wall:.1f} s "
                  f"({workers_seen} worker processes reported)", file=sys.stderr)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)
            db.dispose()
            if settings.uses_broker:
                _delete_queue(args.broker, settings.celery_queue)
    broker = None if commands is None or after is None else after - commands
    return Figures(engine, processes, len(ids), float(audio or 0), wall, commits, broker,
                   ours, max(0.0, others), idle_commits, idle_commands)


IDLE_S = 20.0  # how long the idle workers are watched, for their cost while waiting


def _idle_rates(args: argparse.Namespace, seconds: float) -> tuple[float, float | None]:
    """Commits and broker commands per second while the workers wait for calls (heartbeats,
    polls; also autovacuum and anybody else in the database or on the broker)."""
    commits, commands = _commits(args.database_url), _redis_commands(args.broker)
    time.sleep(seconds)
    after = _redis_commands(args.broker)
    broker = None if commands is None or after is None else (after - commands) / seconds
    return (_commits(args.database_url) - commits) / seconds, broker


def _delete_queue(broker: str, queue: str) -> None:
    from kombu import Connection

    with Connection(broker) as connection:
        try:
            connection.channel().queue_delete(queue)
        except Exception:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CALLQA_TEST_DATABASE_URL"),
                        help="PostgreSQL, ideally a database of its own")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--calls", type=int, default=8, help="the N shortest corpus calls")
    parser.add_argument("--processes", default="1,2", help="worker process counts to run")
    parser.add_argument("--engines", default="embedded,celery")
    parser.add_argument("--model-cache", type=Path,
                        default=Path(os.environ.get("CALLQA_MODEL_CACHE_DIR",
                                                    Path.home() / ".cache" / "callqa")))
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("--database-url: a PostgreSQL URL (Celery needs PostgreSQL)")
    jobs = _shortest(args.corpus, args.calls)
    print(f"{len(jobs)} calls ({', '.join(m.external_id or '?' for _, m in jobs)}), "
          f"{os.cpu_count()} CPUs, broker {args.broker}", file=sys.stderr)
    rows = []
    with TemporaryDirectory(prefix="bench_celery_") as tmp:
        for processes in (int(p) for p in args.processes.split(",")):
            for engine in args.engines.split(","):
                rows.append(measure(engine, processes, args, jobs, Path(tmp)))
    print("| engine | processes | calls | audio s | wall s | calls/hour | x real time "
          "| callqa CPU s/call | others' CPU s | DB commits/call (idle/s) "
          "| broker commands/call (idle/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        broker = "-"
        if row.engine == "celery" and row.broker_commands is not None:
            idle = row.idle_commands_s or 0.0
            broker = f"{row.broker_commands / row.calls:.1f} ({idle:.1f})"
        print(f"| {row.engine} | {row.processes} | {row.calls} | {row.audio_s:.0f} | "
              f"{row.wall_s:.1f} | {row.calls_per_hour:.0f} | {row.real_time:.3f} | "
              f"{row.cpu_s / row.calls:.1f} | {row.others_cpu_s:.0f} | "
              f"{row.db_commits / row.calls:.1f} "
              f"({row.idle_commits_s:.2f}) | {broker} |")


if __name__ == "__main__":
    main()
