"""Call list speed: seed N calls, then time the supervisors' /calls page (target: p95 < 150 ms).

    .venv/bin/python scripts/bench_call_list.py [--calls 100000] [--repeat 20]
    .venv/bin/python scripts/bench_call_list.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Makes a fresh database (a SQLite file in a temporary folder, or a new schema in the given
PostgreSQL database, dropped afterwards), applies the real migrations, seeds the calls with
bulk Core inserts, signs in as a supervisor through the real login form and times GET /calls
with the Flask test client for each case (after a warm-up). Beside each page it gives the time
spent inside the database driver during that page, and the list's queries run alone (the
count, the page of calls, the page extras), so it is clear where the time goes.

On PostgreSQL the seeded tables are VACUUM ANALYZEd, the state autovacuum reaches on its own
shortly after a bulk load; SQLite gets no ANALYZE, as the app never runs one. To time again
after a change without seeding again, give a SQLite file: the first run seeds it, later runs
reuse its calls (and apply any new migration first).

The seeding can be reused (a dashboard benchmark, a demo database):

    sys.path.insert(0, "scripts")
    from bench_call_list import SeedOptions, seed_calls
    summary = seed_calls(engine, SeedOptions(calls=10_000))  # on an upgraded, empty schema
"""
from __future__ import annotations

import argparse
import hashlib
import math
import os
import platform
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy  # noqa: E402
from sqlalchemy import Engine, event, func, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from callqa.models import (  # noqa: E402
    Agent,
    Call,
    CallReview,
    CallScore,
    Dispute,
    FcrResult,
    Feedback,
    ItemOverride,
    ItemResult,
    Queue,
    Scorecard,
    User,
)
from callqa.models.db import (  # noqa: E402
    make_engine,
    make_session_factory,
    scratch_schema,
    upgrade_schema,
)
from callqa.qa.scoring import default_scorecard  # noqa: E402
from callqa.queries.call_list import (  # noqa: E402
    PER_PAGE,
    CallFilters,
    calls_by_id,
    count_calls,
    page_extras,
    page_ids,
)
from callqa.settings import Settings  # noqa: E402

TARGET_P95_MS = 150.0
SUPERVISOR = "bench_supervisor"
PASSWORD = "bench password"

# --- seeding ------------------------------------------------------------------------------

FIRST_NAMES = ("Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Paweł", "Agnieszka",
               "Marcin", "Joanna", "Michał", "Emily", "James", "Olivia", "John", "Sophie",
               "Daniel", "Zofia", "Jakub", "Maria", "Krzysztof")
LAST_NAMES = ("Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski",
              "Zielińska", "Szymański", "Carter", "Smith", "Brown", "Taylor", "Walker")
QUEUES = (("reklamacje", "pl"), ("sprzedaz", "pl"), ("wsparcie", "pl"), ("faktury", "pl"),
          ("card", "en"), ("support", "en"))
# Per item: weights of passed, failed, not_applicable, review.
VERDICT_MIX = {
    "greeting": (85, 10, 2, 3),
    "introduction": (68, 27, 2, 3),
    "thanks": (80, 15, 2, 3),
    "goodbye": (74, 12, 11, 3),
    "anything_else": (55, 40, 3, 2),
    "forbidden_phrases": (96, 3, 0, 1),
}
VERDICTS = ("passed", "failed", "not_applicable", "review")
# Processing status of the older calls; the newest ones are still queued or in progress.
STATUS_MIX = (("done", 94.0), ("failed", 3.5), ("no_speech", 2.5))
ERRORS = ("not audio: the file is text", "truncated: the data chunk ends early",
          "longer than 14400 s")


@dataclass(frozen=True)
class SeedOptions:
    calls: int = 100_000
    agents: int = 40
    days: int = 365  # calls spread over this many days before `end`
    end: datetime | None = None  # the newest call; default: now
    in_progress: float = 0.015  # the newest calls: queued or transcribing
    reviewed: float = 0.08  # share of done calls with a review
    feedback: float = 0.02
    disputes: float = 0.003
    override: float = 0.01  # share of failed items a person changed to passed
    batch: int = 5_000  # calls per insert round
    seed: int = 20261123
    supervisor: str = SUPERVISOR
    password: str = PASSWORD


@dataclass
class SeedSummary:
    calls: int = 0
    done: int = 0
    item_results: int = 0
    reviews: int = 0
    seconds: float = 0.0
    agent_ids: list[int] = field(default_factory=list)
    queue_ids: list[int] = field(default_factory=list)
    supervisor_id: int = 0


@dataclass
class _Batch:
    """The rows of one insert round, by table."""

    rows: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: Any, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)


@dataclass
class _Seeder:
    options: SeedOptions
    rng: random.Random
    now: datetime
    agent_ids: list[int]
    queues: list[tuple[int, str]]  # id, language
    scorecard_id: int
    supervisor_id: int
    agent_users: dict[int, int]  # agent id -> its user id
    next_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, name: str) -> int:
        self.next_ids[name] = self.next_ids.get(name, 0) + 1
        return self.next_ids[name]


def seed_calls(engine: Engine, options: SeedOptions | None = None) -> SeedSummary:
    """Seed an upgraded, empty schema with agents, queues, a supervisor (who can sign in with
    `options.password`), agent users and `options.calls` calls with what the pipeline and
    people add to them: scores, item results, FCR, reviews, feedback, disputes, overrides."""
    options = options or SeedOptions()
    started = time.perf_counter()
    summary = SeedSummary()
    with engine.begin() as connection:
        if connection.scalar(select(func.count()).select_from(Call.__table__)):
            raise ValueError("seed_calls wants an empty database")
        seeder = _reference_rows(connection, options, summary)
        times = _start_times(seeder.rng, options, seeder.now)
        for first in range(0, len(times), options.batch):
            batch = _Batch()
            for index in range(first, min(first + options.batch, len(times))):
                _call_rows(seeder, batch, index, times, summary)
            for table, rows in batch.rows.items():
                connection.execute(insert(table), rows)
        _fix_sequences(connection)
    if engine.dialect.name == "postgresql":
        _vacuum(engine)
    else:  # the bulk load went through the WAL: into the database file with it
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    summary.seconds = time.perf_counter() - started
    return summary


def _reference_rows(connection, options: SeedOptions, summary: SeedSummary) -> _Seeder:
    rng = random.Random(options.seed)
    agents = [{"id": n, "external_id": f"B{n:03d}",
               "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"}
              for n in range(1, options.agents + 1)]
    queues = [{"id": n, "name": name, "language": language, "channel_layout": None}
              for n, (name, language) in enumerate(QUEUES, 1)]
    card = default_scorecard()
    password = generate_password_hash(options.password)
    users = [_user(1, options.supervisor, "supervisor", None, password)]
    users += [_user(n + 1, f"bench_agent_{n:03d}", "agent", n, password)
              for n in range(1, options.agents + 1)]
    connection.execute(insert(Agent.__table__), agents)
    connection.execute(insert(Queue.__table__), queues)
    connection.execute(insert(Scorecard.__table__), [{
        "id": 1, "name": card.id, "version": card.version, "source": card.text,
        "created_at": datetime.now(UTC)}])
    connection.execute(insert(User.__table__), users)
    summary.agent_ids = [a["id"] for a in agents]
    summary.queue_ids = [q["id"] for q in queues]
    summary.supervisor_id = 1
    return _Seeder(options, rng, options.end or datetime.now(UTC), summary.agent_ids,
                   [(q["id"], q["language"]) for q in queues], 1, 1,
                   {n: n + 1 for n in summary.agent_ids})


def _user(user_id: int, username: str, role: str, agent_id: int | None, password: str) -> dict:
    return {"id": user_id, "username": username, "password_hash": password, "role": role,
            "agent_id": agent_id, "active": True, "language": None,
            "created_at": datetime.now(UTC)}


def _start_times(rng: random.Random, options: SeedOptions, end: datetime) -> list[datetime]:
    """Office-hours calls, fewer at weekends, oldest first (ids follow ingest order)."""
    first_day = (end - timedelta(days=options.days)).date()
    days = [first_day + timedelta(days=n) for n in range(options.days + 1)]
    weights = [1.0 if day.weekday() < 5 else 0.25 for day in days]
    times = []
    for day in rng.choices(days, weights, k=options.calls):
        seconds = rng.triangular(7 * 3600, 20 * 3600, 11 * 3600)  # UTC; the peak mid-morning
        times.append(datetime(day.year, day.month, day.day, tzinfo=UTC)
                     + timedelta(seconds=seconds))
    times.sort()
    return [min(t, end) for t in times]


def _call_rows(seeder: _Seeder, batch: _Batch, index: int, times: list[datetime],
               summary: SeedSummary) -> None:
    rng, options = seeder.rng, seeder.options
    call_id = seeder.next_id("calls")
    started_at = times[index]
    status = _status(rng, index, len(times), options)
    call = _call_row(seeder, call_id, started_at, status)
    batch.add(Call.__table__, call)
    summary.calls += 1
    if status != "done":
        return
    summary.done += 1
    items = _item_rows(seeder, call_id)
    summary.item_results += len(items)
    _score_rows(seeder, batch, call_id, started_at, items)
    batch.add(FcrResult.__table__, _fcr_row(rng, call_id, started_at, seeder.now))
    _people_rows(seeder, batch, call, items, summary)


def _status(rng: random.Random, index: int, count: int, options: SeedOptions) -> str:
    if index >= count * (1 - options.in_progress):
        return rng.choice(("queued", "queued", "queued", "transcribing"))
    names, weights = zip(*STATUS_MIX, strict=True)
    return rng.choices(names, weights)[0]


def _call_row(seeder: _Seeder, call_id: int, started_at: datetime, status: str) -> dict:
    rng = seeder.rng
    queue_id, queue_language = rng.choice(seeder.queues)
    language = queue_language if rng.random() < 0.95 else rng.choice(("pl", "en"))
    agent_id = rng.choice(seeder.agent_ids) if rng.random() < 0.98 else None
    sha = hashlib.sha256(f"bench-{seeder.options.seed}-{call_id}".encode()).hexdigest()
    duration = None if status == "failed" else round(
        min(3600.0, max(5.0, rng.lognormvariate(math.log(240), 0.6))), 2)
    phone = f"+48{rng.randrange(500_000_000, 500_030_000)}"
    done = status in ("done", "no_speech")
    ingested = started_at + timedelta(minutes=rng.randint(5, 120))
    return {
        "id": call_id, "external_id": f"bench-{call_id}", "sha256": sha,
        "original_filename": f"{started_at:%Y%m%d-%H%M%S}-{call_id}.wav",
        "source": "recording", "storage_name": f"{sha[:2]}/{sha}.wav",
        "size_bytes": int((duration or 1) * 32_000), "agent_id": agent_id,
        "queue_id": queue_id, "customer_phone": phone, "customer_key": phone,
        "customer_name": None, "started_at": started_at, "direction": "inbound",
        "language": language, "channel_layout": "agent-left", "container": "wav",
        "codec": "pcm_s16le", "source_sample_rate": 8000, "source_channels": 2,
        "duration_s": duration, "status": status,
        "error": rng.choice(ERRORS) if status == "failed" else None,
        "attempts": 0 if status == "queued" else 1,
        "claim_token": str(uuid.UUID(int=rng.getrandbits(128))) if status == "transcribing"
        else None,
        "heartbeat_at": ingested if status == "transcribing" else None,
        "speakers_known": True if done else None,
        "transcript_language": language if done else None,
        "engine": "faster-whisper" if done else None, "model": "base" if done else None,
        "transcribed_at": ingested + timedelta(minutes=2) if done else None,
        "created_at": ingested, "updated_at": ingested + timedelta(minutes=2),
    }


def _item_rows(seeder: _Seeder, call_id: int) -> list[dict]:
    rows = []
    for position, item in enumerate(default_scorecard().items):
        verdict = seeder.rng.choices(VERDICTS, VERDICT_MIX.get(item.id, (80, 15, 3, 2)))[0]
        effective = "passed" if verdict == "failed" and seeder.rng.random() < \
            seeder.options.override else verdict
        rows.append({
            "id": seeder.next_id("item_results"), "call_id": call_id, "position": position,
            "item_id": item.id, "verdict": verdict, "effective_verdict": effective,
            "weight": item.weight, "critical": item.critical,
            "method": seeder.rng.choice(("exact", "lemma", "fuzzy")) if verdict == "passed"
            else None,
            "confidence": round(seeder.rng.uniform(0.6, 1.0), 2) if verdict == "passed"
            else None,
            "detail": {"label": dict(item.label), "looked_in": None, "evidence": [],
                       # in each UI language, as the scorer stores it
                       "explanation": dict.fromkeys(("en", "pl"), f"{item.id}: {verdict}")},
        })
    return rows


def _score_rows(seeder: _Seeder, batch: _Batch, call_id: int, started_at: datetime,
                items: list[dict]) -> None:
    score_id = seeder.next_id("call_scores")
    passed = sum(i["weight"] for i in items if i["effective_verdict"] == "passed")
    applicable = sum(i["weight"] for i in items if i["effective_verdict"] in ("passed", "failed"))
    flagged = any(i["critical"] and i["effective_verdict"] == "failed" for i in items)
    score = round(100 * passed / applicable, 1) if applicable else None
    capped = flagged and score is not None and score > 50
    duration = seeder.rng.uniform(60, 600)
    batch.add(CallScore.__table__, {
        "id": score_id, "call_id": call_id, "scorecard_id": seeder.scorecard_id,
        "score": 50.0 if capped else score, "passed_weight": passed,
        "applicable_weight": applicable, "flagged": flagged, "capped": capped,
        "needs_review": any(i["effective_verdict"] == "review" for i in items),
        "metrics": _metrics(seeder.rng, duration),
        "scored_at": started_at + timedelta(hours=1),
    })
    for item in items:
        item["call_score_id"] = score_id
        batch.add(ItemResult.__table__, item)


def _metrics(rng: random.Random, duration: float) -> dict[str, Any]:
    """The shape of qa.metrics.CallMetrics.to_dict(), which the call page shows."""
    ratio = rng.uniform(0.5, 2.0)
    speech = duration * 0.8
    agent = speech * ratio / (1 + ratio)
    return {"duration": round(duration, 2), "speakers_known": True,
            "speech_seconds": round(speech, 2), "dead_air": [], "dead_air_seconds": 0.0,
            "longest_silence": 4.2, "holds": [], "agent_talk_seconds": round(agent, 2),
            "customer_talk_seconds": round(speech - agent, 2), "talk_ratio": round(ratio, 2),
            "overtalk": [], "overtalk_seconds": 0.0, "agent_words": int(agent * 2.4),
            "agent_words_per_minute": round(rng.uniform(110, 180), 1),
            "options": {"dead_air_seconds": 10.0, "overtalk_min_seconds": 0.3}}


def _fcr_row(rng: random.Random, call_id: int, started_at: datetime, now: datetime) -> dict:
    window_ends_at = started_at + timedelta(days=7)
    if window_ends_at > now:
        status = "pending"
    else:
        status = "fcr" if rng.random() < 0.72 else "not_fcr"
    return {"call_id": call_id, "status": status, "reasons": [], "signals": [], "topics": [],
            "repeat_of": [], "window_ends_at": window_ends_at,
            "computed_at": min(now, window_ends_at)}


def _people_rows(seeder: _Seeder, batch: _Batch, call: dict, items: list[dict],
                 summary: SeedSummary) -> None:
    """Reviews, feedback, disputes and the overrides behind changed verdicts."""
    rng, options = seeder.rng, seeder.options
    later = call["started_at"] + timedelta(days=rng.randint(1, 5))
    if rng.random() < options.reviewed:
        summary.reviews += 1
        batch.add(CallReview.__table__, {"call_id": call["id"],
                                         "reviewed_by_id": seeder.supervisor_id,
                                         "reviewed_at": later})
    if rng.random() < options.feedback:
        batch.add(Feedback.__table__, {
            "id": seeder.next_id("feedback"), "call_id": call["id"],
            "author_id": seeder.supervisor_id, "text": "Pamiętaj o przedstawieniu się.",
            "created_at": later, "acknowledged_at": None})
    agent_user = seeder.agent_users.get(call["agent_id"])
    if agent_user is not None and rng.random() < options.disputes:
        status = rng.choice(("open", "accepted", "rejected"))
        batch.add(Dispute.__table__, {
            "id": seeder.next_id("disputes"), "call_id": call["id"], "item_id": "anything_else",
            "agent_user_id": agent_user, "requested_verdict": "passed",
            "comment": "I asked.", "status": status, "reply": None, "created_at": later,
            "resolved_by_id": None if status == "open" else seeder.supervisor_id,
            "resolved_at": None if status == "open" else later})
    for item in items:
        if item["verdict"] != item["effective_verdict"]:
            batch.add(ItemOverride.__table__, {
                "id": seeder.next_id("item_overrides"), "call_id": call["id"],
                "item_id": item["item_id"], "old_verdict": item["verdict"],
                "new_verdict": item["effective_verdict"], "comment": "Said it, misheard.",
                "user_id": seeder.supervisor_id, "source": "override", "dispute_id": None,
                "created_at": later})


SEEDED_TABLES = ("agents", "queues", "scorecards", "users", "calls", "call_scores",
                 "item_results", "fcr_results", "call_reviews", "feedback", "disputes",
                 "item_overrides")


def _vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE the seeded tables only (of this schema): a database-wide one would
    wait on whatever other sessions hold locks on."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM ANALYZE {', '.join(SEEDED_TABLES)}"))


def _fix_sequences(connection) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in set(SEEDED_TABLES) - {"fcr_results", "call_reviews"}:  # keyed by call_id
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"))


# --- databases ----------------------------------------------------------------------------


@contextmanager
def bench_database(url: str | None, folder: Path) -> Iterator[str]:
    """A new SQLite file in `folder`, or a new schema in the PostgreSQL database `url`
    (dropped afterwards)."""
    if not url:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    if not url.startswith("postgresql"):
        yield url  # a SQLite file of one's own: kept, and reused if it holds calls
        return
    with scratch_schema(url, "bench") as schema_url:
        yield schema_url


def database_size(engine: Engine) -> int:
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database or "")
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with engine.connect() as connection:
        return int(connection.scalar(text(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'")) or 0)


def visibility(engine: Engine) -> str:
    """PostgreSQL: the share of table pages VACUUM marked all-visible; index-only scans need
    them, and a transaction left open anywhere in the cluster keeps VACUUM from marking."""
    if engine.dialect.name != "postgresql":
        return ""
    with engine.connect() as connection:
        pages, visible = connection.execute(text(
            "SELECT sum(c.relpages), sum(c.relallvisible) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'")).one()
    share = 100 * (visible or 0) / pages if pages else 0
    return f"all-visible pages after VACUUM: {share:.0f}%"


def machine_facts(engine: Engine) -> str:
    facts = [f"cpus {os.cpu_count()}", f"python {platform.python_version()}",
             f"sqlite {sqlite3.sqlite_version}", f"sqlalchemy {sqlalchemy.__version__}"]
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            facts.append(f"postgresql {connection.scalar(text('SHOW server_version'))}")
    return ", ".join(facts)


# --- cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    args: dict[str, str]


def bench_cases(engine: Engine) -> list[Case]:
    """The cases, on whatever the database holds: a middling agent, the first queue, a
    calendar month in the middle of the calls' time span."""
    with engine.connect() as connection:
        agents = list(connection.scalars(select(Agent.id).order_by(Agent.id)))
        queue = connection.scalar(select(func.min(Queue.id)))
        first, last = connection.execute(
            select(func.min(Call.started_at), func.max(Call.started_at))).one()
    agent = str(agents[len(agents) // 2])
    month = _a_month(first + (last - first) / 2)
    cases = [Case("first page", {}), Case("page 1000", {"page": "1000"})]
    for key in ("started", "score", "agent", "queue", "duration", "status"):
        for descending in ("1", "0"):
            order = "desc" if descending == "1" else "asc"
            cases.append(Case(f"sort {key} {order}", {"sort": key, "descending": descending}))
    cases += [
        Case("agent", {"agent_id": agent}),
        Case("month", month),
        Case("queue", {"queue_id": str(queue)}),
        Case("language en", {"language": "en"}),
        Case("score 40-60", {"score_min": "40", "score_max": "60"}),
        Case("failed introduction", {"failed_item": "introduction"}),
        Case("failed forbidden", {"failed_item": "forbidden_phrases"}),
        Case("fcr not_fcr", {"fcr_status": "not_fcr"}),
        Case("fcr pending", {"fcr_status": "pending"}),
        Case("reviewed", {"reviewed": "1"}),
        Case("not reviewed", {"reviewed": "0"}),
        Case("status failed", {"status": "failed"}),
        Case("status queued", {"status": "queued"}),
        Case("agent + month", {"agent_id": agent, **month}),
        Case("queue + en + score<50",
             {"queue_id": str(queue), "language": "en", "score_max": "50"}),
        Case("failed + not_fcr + unreviewed",
             {"failed_item": "anything_else", "fcr_status": "not_fcr", "reviewed": "0"}),
        Case("agent + failed, by score",
             {"agent_id": agent, "failed_item": "greeting", "sort": "score", "descending": "0"}),
        Case("month + done, by agent, p3",
             {**month, "status": "done", "sort": "agent", "descending": "0", "page": "3"}),
    ]
    return cases


def _a_month(moment: datetime) -> dict[str, str]:
    first = date(moment.year, moment.month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


# --- timing -------------------------------------------------------------------------------


@dataclass
class Timings:
    page: list[float] = field(default_factory=list)  # ms, the whole request
    in_db: list[float] = field(default_factory=list)  # ms inside the driver during the page
    statements: int = 0
    count: list[float] = field(default_factory=list)  # ms, the list's queries run alone
    rows: list[float] = field(default_factory=list)
    extras: list[float] = field(default_factory=list)
    total: int = 0  # calls matched


class DriverClock:
    """Time spent in cursor.execute (with fetching, for the rows SQLite yields lazily)."""

    def __init__(self, engine: Engine) -> None:
        self.seconds = 0.0
        self.statements = 0
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.seconds, self.statements = 0.0, 0

    def _before(self, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *_args: Any) -> None:
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1


def sign_in(client, username: str, password: str) -> None:
    token = _csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in failed: {response.status_code}")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the login page")
    return match.group(1)


def time_page(client, clock: DriverClock, case: Case, timings: Timings) -> None:
    path = "/calls" + (f"?{urlencode(case.args)}" if case.args else "")
    clock.reset()
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    timings.page.append(elapsed * 1000)
    timings.in_db.append(clock.seconds * 1000)
    timings.statements = clock.statements
    match = re.search(r'data-total="(\d+)"', response.get_data(as_text=True))
    timings.total = int(match.group(1)) if match else -1


def time_queries(sessions, case: Case, timings: Timings) -> None:
    """The list's own queries without Flask or templates: count, page rows, page extras."""
    filters = CallFilters.from_args(case.args)
    offset = (int(case.args.get("page", 1)) - 1) * PER_PAGE
    with sessions() as session:
        timings.count.append(_ms(lambda: count_calls(session, filters)))
        ids: list[int] = []
        timings.rows.append(_ms(lambda: ids.extend(
            call.id for call in calls_by_id(
                session, page_ids(session, filters, offset, PER_PAGE)))))
        timings.extras.append(_ms(lambda: page_extras(session, ids)))


def _ms(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- report -------------------------------------------------------------------------------


def print_table(results: list[tuple[Case, Timings]]) -> None:
    header = (f"{'case':<31} {'matched':>7} {'p50':>7} {'p95':>7} {'max':>7} {'in db':>7} "
              f"{'stmts':>5} | {'count':>7} {'rows':>7} {'extras':>7}")
    print(header)
    print("-" * len(header))
    for case, t in results:
        print(f"{case.name:<31} {t.total:>7} {statistics.median(t.page):>7.1f} "
              f"{percentile(t.page, 0.95):>7.1f} {max(t.page):>7.1f} "
              f"{statistics.median(t.in_db):>7.1f} {t.statements:>5} | "
              f"{statistics.median(t.count):>7.1f} {statistics.median(t.rows):>7.1f} "
              f"{statistics.median(t.extras):>7.1f}")
    print("ms; page: the whole GET /calls; in db: inside the driver during it (p50); "
          "count, rows, extras: the list's queries alone, without Flask (p50)")


def print_verdict(results: list[tuple[Case, Timings]]) -> None:
    every = [ms for _, t in results for ms in t.page]
    p95 = percentile(every, 0.95)
    verdict = "OK" if p95 < TARGET_P95_MS else f"ABOVE the {TARGET_P95_MS:.0f} ms target"
    print(f"overall: {len(every)} pages, p50 {statistics.median(every):.1f} ms, "
          f"p95 {p95:.1f} ms, max {max(every):.1f} ms — {verdict}")
    slow = [case.name for case, t in results if percentile(t.page, 0.95) >= TARGET_P95_MS]
    if slow:
        print(f"cases with p95 at or above {TARGET_P95_MS:.0f} ms: {', '.join(slow)}")


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000, help="calls to seed")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per case first")
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL: a new schema in this database, dropped afterwards; "
                             "SQLite: this file, seeded unless it holds calls already (to "
                             "time again after a change); default: a temporary SQLite file")
    parser.add_argument("--seed", type=int, default=SeedOptions.seed)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="callqa-bench-") as folder, \
            bench_database(args.database_url, Path(folder)) as url:
        engine = make_engine(url)
        try:
            prepare(engine, args)
            results = run_cases(engine, url, Path(folder) / "home", args)
        finally:
            engine.dispose()
    print(f"{args.repeat} timed requests per case after {args.warmup} warm-up, "
          f"{PER_PAGE} calls a page")
    print_table(results)
    print_verdict(results)
    return 0


def prepare(engine: Engine, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    upgrade_schema(engine)
    print(f"database {engine.dialect.name}; migrations in {time.perf_counter() - started:.2f} s")
    with engine.connect() as connection:
        existing = connection.scalar(select(func.count()).select_from(Call.__table__))
    if existing:
        print(f"reusing {existing} calls; database {database_size(engine) / 2**20:.0f} MiB")
    else:
        summary = seed_calls(engine, SeedOptions(calls=args.calls, seed=args.seed))
        print(f"seeded {summary.calls} calls ({summary.done} done, {summary.item_results} item "
              f"results, {summary.reviews} reviews) in {summary.seconds:.1f} s; "
              f"database {database_size(engine) / 2**20:.0f} MiB")
    print(machine_facts(engine))
    if engine.dialect.name == "postgresql":
        print(visibility(engine))


def run_cases(engine: Engine, url: str, home: Path,
              args: argparse.Namespace) -> list[tuple[Case, Timings]]:
    """Every case through the real app, signed in as the seeded supervisor."""
    from callqa.web import create_app

    app = create_app({"CALLQA_SETTINGS": Settings(home=home, database_url=url),
                      "SECRET_KEY": "bench"})
    app_engine = app.extensions["callqa_engine"]
    try:
        clock = DriverClock(app_engine)
        client = app.test_client()
        sign_in(client, SUPERVISOR, PASSWORD)
        sessions = make_session_factory(app_engine)
        results = []
        for case in bench_cases(engine):
            timings = Timings()
            for _ in range(args.warmup):
                time_page(client, clock, case, Timings())
            for _ in range(args.repeat):
                time_page(client, clock, case, timings)
                time_queries(sessions, case, timings)
            results.append((case, timings))
        print_export(time_export(client))
        return results
    finally:
        app_engine.dispose()


@dataclass(frozen=True)
class ExportTiming:
    seconds: float
    rows: int
    mib: float
    peak_rss_before_mib: float
    peak_rss_after_mib: float


def time_export(client) -> ExportTiming:
    """The CSV export of every call, read as a browser would, chunk by chunk."""
    before = _peak_rss_mib()
    started = time.perf_counter()
    response = client.get("/calls.csv", buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return ExportTiming(time.perf_counter() - started, lines - 1, size / 2**20, before,
                        _peak_rss_mib())


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def print_export(export: ExportTiming) -> None:
    print(f"CSV export of every call: {export.rows} rows, {export.mib:.1f} MiB in "
          f"{export.seconds:.1f} s ({export.rows / export.seconds:,.0f} rows/s); peak RSS "
          f"{export.peak_rss_before_mib:.0f} MiB before, {export.peak_rss_after_mib:.0f} MiB "
          "after")


if __name__ == "__main__":
    sys.exit(main())
