"""Search speed: seed N calls with their utterances, then time searches by what was said
(target: p95 < 300 ms per query).

    .venv/bin/python scripts/bench_search.py [--calls 100000] [--utterances 12] [--repeat 20]
    .venv/bin/python scripts/bench_search.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

A fresh database as scripts/bench_call_list.py makes it (a SQLite file in a temporary folder,
or a new schema in the given PostgreSQL database, dropped afterwards), with the real
migrations and that script's seeding of calls; then `--utterances` utterances per done call,
written with bulk Core inserts from a bank of Polish and English sentences (so the FTS5
triggers on SQLite index them as the app's own writes are; on PostgreSQL the GIN index is
dropped for the load and made again afterwards, with the migration's definition, and the
table ANALYZEd). Each query runs through callqa.queries.search.search_utterances, the
function /search runs, as a supervisor who sees every call and as a supervisor's team
(a scope of 4 agents), a page of 50 hits; the time of each, after a warm-up, is printed
with its p50 and p95 and the hits found.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_call_list import (  # noqa: E402
    SeedOptions,
    bench_database,
    database_size,
    machine_facts,
    seed_calls,
)
from sqlalchemy import Engine, func, insert, select, text  # noqa: E402

from callqa.models import Call, CallStatus, Utterance  # noqa: E402
from callqa.models.db import make_engine, make_session_factory, upgrade_schema  # noqa: E402
from callqa.queries.scope import EVERYTHING, Scope  # noqa: E402
from callqa.queries.search import search_utterances  # noqa: E402

TARGET_P95_MS = 300.0

AGENT_LINES = (
    "Dzień dobry, nazywam się {name}, w czym mogę pomóc?",
    "Dziękuję za cierpliwość, już sprawdzam pana zamówienie.",
    "Niestety tego nie wiem, ale zapytam przełożonego.",
    "Czy mogę jeszcze w czymś pomóc?",
    "Reklamacja została przyjęta, odpowiedź wyślemy w ciągu czternastu dni.",
    "Faktura korygująca zostanie wystawiona jutro.",
    "Good morning, my name is {name}, how can I help you today?",
    "Thank you for waiting, I am checking your card now.",
    "Is there anything else I can help you with?",
    "Dziękuję za rozmowę, do widzenia.",
)
CUSTOMER_LINES = (
    "Dzwonię w sprawie faktury za ostatni miesiąc.",
    "Jestem bardzo zadowolony z obsługi.",
    "Paczka przyszła uszkodzona, chcę złożyć reklamację.",
    "Nie wiem, czy przelew już doszedł.",
    "Mój żółw zjadł kabel od routera, internet nie działa.",
    "My card was declined at the shop yesterday.",
    "I would like to close my account.",
    "Kiedy dostanę zwrot pieniędzy?",
    "Proszę o kontakt mailowy.",
    "No, that is all, thank you.",
)
NAMES = ("Anna", "Paweł", "Łucja", "Michał", "Emily", "James", "Zofia", "Jakub")
# (label, query, speaker); how common each phrase is follows from the banks above
QUERIES = (
    ("common phrase", "dzień dobry", "any"),
    ("common, by the agent", "czy mogę jeszcze", "agent"),
    ("mid, by the customer", "nie wiem", "customer"),
    ("no accents typed", "zolw zjadl kabel", "any"),
    ("upper case", "ZADOWOLONY", "customer"),
    ("English", "card was declined", "any"),
    ("a name with ł", "lucja", "agent"),
    ("nothing matches", "hipopotam", "any"),
)


def seed_utterances(engine: Engine, per_call: int, seed: int, batch: int = 50_000) -> int:
    rng = random.Random(seed)
    started = time.perf_counter()
    postgres = engine.dialect.name == "postgresql"
    index_sql = None
    with engine.begin() as connection:
        if postgres:
            index_sql = connection.scalar(text(
                "SELECT pg_get_indexdef('ix_utterances_search'::regclass)"))
            connection.execute(text("DROP INDEX ix_utterances_search"))
        call_ids = list(connection.scalars(select(Call.id).where(
            Call.status == CallStatus.DONE).order_by(Call.id)))
        rows: list[dict] = []
        total = 0
        for call_id in call_ids:
            name = rng.choice(NAMES)
            at = 0.0
            for position in range(per_call):
                agent = position % 2 == 0
                line = rng.choice(AGENT_LINES if agent else CUSTOMER_LINES).format(name=name)
                length = 1.5 + len(line) / 15
                rows.append({"call_id": call_id, "position": position,
                             "speaker": "agent" if agent else "customer", "channel": None,
                             "start_s": round(at, 2), "end_s": round(at + length, 2),
                             "text": line, "words": []})
                at += length + rng.uniform(0.2, 2.0)
            if len(rows) >= batch:
                connection.execute(insert(Utterance.__table__), rows)
                total += len(rows)
                rows = []
        if rows:
            connection.execute(insert(Utterance.__table__), rows)
            total += len(rows)
        if postgres and index_sql:
            connection.execute(text(index_sql))
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE utterances"))
    print(f"seeded {total} utterances in {time.perf_counter() - started:.1f} s")
    return total


def team_scope(engine: Engine) -> Scope:
    with engine.connect() as connection:
        agents = list(connection.scalars(select(Call.agent_id).where(
            Call.agent_id.is_not(None)).group_by(Call.agent_id).order_by(Call.agent_id)
            .limit(4)))
    return Scope(frozenset(agents))


def run(engine: Engine, repeat: int, warmup: int) -> list[tuple[str, str, list[float], int]]:
    sessions = make_session_factory(engine)
    results = []
    scopes = (("everyone", EVERYTHING), ("a team", team_scope(engine)))
    with sessions() as session:
        for scope_name, scope in scopes:
            for label, query, speaker in QUERIES:
                for _ in range(warmup):
                    search_utterances(session, query, speaker, scope)
                times = []
                hits = 0
                for _ in range(repeat):
                    started = time.perf_counter()
                    result = search_utterances(session, query, speaker, scope)
                    times.append((time.perf_counter() - started) * 1000)
                    hits = len(result.hits)
                results.append((f"{label} ({scope_name})", f"{query!r} by {speaker}", times,
                                hits))
    return results


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 \
        else times[0]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--utterances", type=int, default=12, help="per done call")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--database-url", help="PostgreSQL (a scratch schema is used)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="callqa-bench-") as folder, \
            bench_database(args.database_url, Path(folder)) as url:
        engine = make_engine(url)
        try:
            upgrade_schema(engine)
            summary = seed_calls(engine, SeedOptions(calls=args.calls, seed=args.seed))
            print(f"database {engine.dialect.name}; seeded {summary.calls} calls "
                  f"({summary.done} done) in {summary.seconds:.1f} s")
            seed_utterances(engine, args.utterances, args.seed)
            with engine.connect() as connection:
                count = connection.scalar(select(func.count()).select_from(Utterance.__table__))
            print(f"{count} utterances; database {database_size(engine) / 2**20:.0f} MiB")
            print(machine_facts(engine))
            results = run(engine, args.repeat, args.warmup)
        finally:
            engine.dispose()
    print(f"{args.repeat} timed searches per query after {args.warmup} warm-up, "
          f"a page of 50 hits")
    print(f"{'query':<42} {'p50 ms':>8} {'p95 ms':>8} {'hits':>5}")
    worst = 0.0
    for label, _query, times, hits in results:
        worst = max(worst, p95(times))
        print(f"{label:<42} {statistics.median(times):8.1f} {p95(times):8.1f} {hits:5d}")
    verdict = "under" if worst < TARGET_P95_MS else "OVER"
    print(f"worst p95 {worst:.1f} ms: {verdict} the {TARGET_P95_MS:.0f} ms target")
    return 0 if worst < TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
