"""Real brokers and real Celery worker processes for the tests: Redis and RabbitMQ on this
machine, each test run on queues of its own, `callqa worker` started as a subprocess."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from callqa.models import Call, WorkerProcess

# as tests/conftest.py has it (which a test module cannot import beside tests/web/conftest.py)
MODEL_CACHE = Path(os.environ.get("CALLQA_TEST_MODEL_CACHE", Path.home() / ".cache" / "callqa"))
REDIS_URL = os.environ.get("CALLQA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
RABBITMQ_URL = os.environ.get("CALLQA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = {"redis": REDIS_URL, "rabbitmq": RABBITMQ_URL}


def reachable(url: str) -> bool:
    host_port = url.split("://", 1)[1].rsplit("@", 1)[-1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=2):
            return True
    except OSError:
        return False


def broker_url_or_skip(kind: str) -> str:
    url = BROKERS[kind]
    if not reachable(url):
        if os.environ.get("CI"):
            pytest.fail(f"{kind} is not running at {url} (.ci/run starts it)")
        pytest.skip(f"{kind} is not running at {url}")
    return url


def unique_queue(prefix: str = "callqa_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def delete_queue(broker_url: str, queue: str) -> None:
    """Drop a test run's queue from the broker."""
    from kombu import Connection

    with Connection(broker_url, connect_timeout=3) as connection:
        channel = connection.channel()
        try:
            channel.queue_delete(queue)
        except Exception:  # never declared: nothing to delete
            pass


def purge_queue(broker_url: str, queue: str) -> int:
    """Drop the tasks waiting in a queue, as an operator or a broker restart without
    persistence does; how many there were."""
    from kombu import Connection

    with Connection(broker_url, connect_timeout=3) as connection:
        return connection.channel().queue_purge(queue) or 0


def queue_length(broker_url: str, queue: str) -> int:
    from amqp.exceptions import ChannelError
    from kombu import Connection

    with Connection(broker_url, connect_timeout=3) as connection:
        try:
            return connection.channel().queue_declare(queue, passive=True).message_count
        except ChannelError as exc:  # Redis: an emptied queue is a list gone
            if "NOT_FOUND" not in str(exc):
                raise
            return 0


def worker_env(settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home),
               CALLQA_MODEL_CACHE_DIR=str(settings.model_cache_dir),
               CALLQA_BROKER_URL=settings.broker_url, CALLQA_CELERY_QUEUE=settings.celery_queue,
               CALLQA_CPU_THREADS="1", CALLQA_HEARTBEAT_S=str(settings.heartbeat_s),
               CALLQA_MAX_ATTEMPTS=str(settings.max_attempts),
               CALLQA_STALE_CLAIM_S=str(settings.stale_claim_s))
    env.update(extra)
    return env


@dataclass
class CeleryWorker:
    """One `callqa worker --processes 1`: a Celery main process and its one child."""

    process: subprocess.Popen
    log: Path
    name: str

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the child finishes, then both exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class WorkerSet:
    workers: list[CeleryWorker] = field(default_factory=list)

    def start(self, settings, folder: Path, count: int = 2, **extra: str) -> WorkerSet:
        for _ in range(count):
            name = f"w{len(self.workers) + 1}"
            log = folder / f"{name}.log"
            with log.open("w") as stream:
                process = subprocess.Popen(
                    [sys.executable, "-m", "callqa", "worker", "--processes", "1",
                     "--loglevel", "info"],
                    env=worker_env(settings, **extra), stdout=stream, stderr=subprocess.STDOUT)
            self.workers.append(CeleryWorker(process, log, name))
        return self

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()

    def outputs(self) -> str:
        return "\n".join(f"--- {w.name} ---\n{w.output()[-4000:]}" for w in self.workers)


def wait_for(predicate, timeout_s: float, what: str, on_timeout=lambda: "") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{on_timeout()}")
        time.sleep(0.05)


def wait_ready(sessions, processes: int, timeout_s: float = 120.0, workers=None) -> None:
    """Until `processes` live Celery worker processes (children) have loaded their model."""
    def ready() -> bool:
        with sessions() as session:
            return len(session.scalars(select(WorkerProcess.id).where(
                WorkerProcess.stopped_at.is_(None))).all()) >= processes
    wait_for(ready, timeout_s, f"{processes} worker processes",
             workers.outputs if workers else lambda: "")


def call_row(sessions, call_id: int) -> Call:
    with sessions() as session:
        call = session.get(Call, call_id)
        assert call is not None
        return call


def redis_server() -> str | None:
    return shutil.which("redis-server")
