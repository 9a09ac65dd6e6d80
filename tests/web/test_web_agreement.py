"""Agreement with the machine on seeded reviews, overrides and disputes, with the figures
worked out by hand: the query, the dashboard table and `callqa report agreement`.

The labelled sample calls' machine verdicts (all passed, but anything_else failed in cpl004
and cen028, and resolution_check in all four: no agent there asks whether it is settled).
What people did, and what it counts as:
- cpl004 (pl): the call marked reviewed (its 7 items reviewed, resolution_check failed and
  kept), anything_else overridden to passed (changed): 7 reviewed, 6 kept.
- cpl005 (pl): greeting overridden to failed (changed); thanks overridden to failed and back
  to passed (the machine's verdict stands: kept): 2 reviewed, 1 kept.
- cen025 (en): a dispute of resolution_check rejected (kept: only a failed item can be
  disputed), thanks overridden to not applicable (changed): 2 reviewed, 1 kept.
- cen028 (en): the open dispute of anything_else accepted (changed): 1 reviewed, 0 kept.
- The unlabelled cen028 (en): greeting decided by listening: the machine had said review,
  so it is not counted; nor is anything in calls nobody looked at.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from reviewtools import ingest_unlabelled_transcripts
from sqlalchemy import select
from webtools import session_browser

from callqa.models import Agent, Call, Dispute, User
from callqa.queries.agreement import AgreementFilters, agreement
from callqa.services import reviewing as review

# (item, language): (reviewed, kept)
EXPECTED_ROWS = {
    ("anything_else", "en"): (1, 0), ("anything_else", "pl"): (1, 0),
    ("forbidden_phrases", "pl"): (1, 1),
    ("goodbye", "pl"): (1, 1),
    ("resolution_check", "en"): (1, 1), ("resolution_check", "pl"): (1, 1),
    ("greeting", "pl"): (2, 1),
    ("introduction", "pl"): (1, 1),
    ("thanks", "en"): (1, 0), ("thanks", "pl"): (2, 2),
}
EXPECTED_ITEMS = {"anything_else": (2, 0), "forbidden_phrases": (1, 1), "goodbye": (1, 1),
                  "greeting": (2, 1), "introduction": (1, 1), "resolution_check": (2, 2),
                  "thanks": (3, 2)}
EXPECTED_LANGUAGES = {"en": (3, 1), "pl": (9, 7)}
NOVEMBER = AgreementFilters(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def seeded(app, world, tmp_path):
    unlabelled = ingest_unlabelled_transcripts(app, tmp_path)
    with app.extensions["callqa_sessions"].begin() as session:
        supervisor = session.get(User, world.users["supervisor"])
        agent = session.get(User, world.users["agent"])
        calls = {name: session.get(Call, call_id) for name, call_id in world.calls.items()}
        review.mark_reviewed(session, calls["cpl004"], supervisor)
        review.override_item(session, calls["cpl004"], "anything_else", "passed", "Offered.",
                             supervisor)
        review.override_item(session, calls["cpl005"], "greeting", "failed", "Mumbled.",
                             supervisor)
        review.override_item(session, calls["cpl005"], "thanks", "failed", "Hm.", supervisor)
        review.override_item(session, calls["cpl005"], "thanks", "passed", "It was there.",
                             supervisor)
        rejected = review.open_dispute(session, calls["cen025"], "resolution_check", agent,
                                       "Not needed here.", "not_applicable")
        review.reject_dispute(session, rejected, supervisor, "It is always needed.")
        review.override_item(session, calls["cen025"], "thanks", "not_applicable",
                             "The customer hung up.", supervisor)
        review.accept_dispute(session, session.get(Dispute, world.dispute), supervisor)
        review.decide_by_listening(session, session.get(Call, unlabelled["cen028"]), "greeting",
                                   "passed", "", supervisor)
    return world


def _figures(rows) -> dict:
    return {row.item_id if row.language == "all" else row.language if row.item_id == "all"
            else (row.item_id, row.language): (row.reviewed, row.kept) for row in rows}


def test_agreement_per_item_and_language(seeded, session):
    result = agreement(session, NOVEMBER)
    assert _figures(result.rows) == EXPECTED_ROWS
    assert _figures(result.by_item) == EXPECTED_ITEMS
    assert _figures(result.by_language) == EXPECTED_LANGUAGES
    assert (result.total.reviewed, result.total.kept, result.total.changed) == (12, 8, 4)
    assert round(result.total.rate, 4) == round(8 / 12, 4)
    greeting = next(r for r in result.by_item if r.item_id == "greeting")
    assert greeting.rate == 0.5


def test_agreement_filters(seeded, session):
    carter = session.scalar(select(Agent.id).where(Agent.external_id == "A11"))
    by_carter = agreement(session, AgreementFilters(agent_id=carter))
    assert _figures(by_carter.by_language) == {"en": (3, 1)}
    from_the_8th = agreement(session, AgreementFilters(date_from=date(2026, 11, 6)))
    assert (from_the_8th.total.reviewed, from_the_8th.total.kept) == (7, 6)  # cpl004 alone
    december = agreement(session, AgreementFilters(date(2026, 12, 1), date(2026, 12, 31)))
    assert (december.rows, december.total.reviewed, december.total.rate) == ([], 0, None)


def test_nothing_reviewed_is_no_agreement_figure(app, world, session):
    result = agreement(session)
    assert result.rows == [] and result.total.rate is None  # the open dispute is not a review


def test_the_dashboard_shows_the_agreement_table(app, seeded):
    supervisor = session_browser(app, seeded.users["supervisor"])
    page = supervisor.get("/dashboard?date_from=2026-11-01&date_to=2026-11-30").get_data(
        as_text=True)
    table = page[page.index('id="table-agreement"'):]
    table = table[:table.index("</table>")]
    row = table[table.index('data-item="greeting" data-language="pl"'):]
    assert '<td data-kept="1">1</td>' in row[:600] and '<td data-reviewed="2">2</td>' in row[:600]
    assert "50.0%" in row[:600]
    total = table[table.index('class="agreement-row total-row"'):]
    assert 'data-kept="8"' in total and 'data-reviewed="12"' in total and "66.7%" in total
    empty = supervisor.get("/dashboard?date_from=2026-12-01&date_to=2026-12-31").get_data(
        as_text=True)
    assert "Nothing reviewed by a person for these filters." in empty


def test_report_agreement_command(app, seeded):
    settings = app.config["CALLQA_SETTINGS"]
    env = dict(os.environ, CALLQA_DATABASE_URL=settings.db_url, CALLQA_HOME=str(settings.home))
    run = subprocess.run([sys.executable, "-m", "callqa", "report", "agreement", "--json"],
                         env=env, text=True, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert {(r["item"], r["language"]): (r["reviewed"], r["kept"]) for r in report["rows"]} \
        == EXPECTED_ROWS
    assert report["total"] == {"item": "all", "language": "all", "reviewed": 12, "kept": 8,
                               "changed": 4, "rate": 0.6667}
    text = subprocess.run([sys.executable, "-m", "callqa", "report", "agreement", "--from",
                           "2026-11-06"], env=env, text=True, capture_output=True, timeout=120)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["item", "language", "reviewed", "kept", "changed", "agreement"]
    assert lines[-1].split() == ["all", "all", "7", "6", "1", "85.7%"]
