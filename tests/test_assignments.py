"""Sampling rules on a real database: the week's calls of a team or queue, N per agent drawn
with the rule's stored seed plus every critical, in-review and disputed call, given to the
reviewers in turn (never their own calls) or left for assigning by hand; done when the call is
marked reviewed."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from programtools import ITEMS, scored_call
from sqlalchemy import select

from callqa.cli.main import main
from callqa.models import (
    AssignmentReason,
    AssignmentStatus,
    AssignMode,
    Call,
    ReviewAssignment,
    Role,
    User,
)
from callqa.models.lookup import agent_for
from callqa.services import assignments, reviewing, teams
from callqa.services.assignments import AssignmentError

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
AGENTS = ("A1", "A2", "A3")


@pytest.fixture
def program(sessions):
    """Team North (A1-A3): 8 calls each in the week of 2 Nov, A1's first with a failed critical
    item, A2's first in review, A3's first disputed; 8 calls each the week after; and A9, in no
    team, in the same weeks. Reviewers: rev1, rev2 and rev_a1 (who is agent A1 too)."""
    with sessions.begin() as session:
        teams.create_team(session, "North")
        for agent in (*AGENTS, "A9"):
            for week in range(2):
                for n in range(8):
                    call = scored_call(
                        session, agent, MONDAY + timedelta(weeks=week, hours=10 * n),
                        critical_failed=(agent, week, n) == ("A1", 0, 0),
                        in_review=(agent, week, n) == ("A2", 0, 0),
                        # only a failed item can be disputed
                        verdicts=_INTRODUCTION_FAILED if (agent, week, n) == ("A3", 0, 0)
                        else None)
                    if (agent, week, n) == ("A3", 0, 0):
                        _dispute(session, call)
            if agent != "A9":
                teams.add_agent(session, "North", agent)
        for name, agent in (("rev1", None), ("rev2", None), ("rev_a1", "A1")):
            user = User(username=name, role=Role.SUPERVISOR, password_hash="x",
                        agent=agent_for(session, agent, None) if agent else None)
            session.add(user)
        session.add(User(username="agent_user", role=Role.AGENT, password_hash="x"))
    return sessions


_INTRODUCTION_FAILED = {item: "failed" if item == "introduction" else "passed" for item in ITEMS}


def _dispute(session, call: Call) -> None:
    agent_user = User(username=f"agent-{call.id}", role=Role.AGENT, password_hash="x",
                      agent_id=call.agent_id)
    session.add(agent_user)
    session.flush()
    reviewing.open_dispute(session, call, "introduction", agent_user, "It was there.",
                           "passed")


def _rule(session, **options):
    values = {"team": "North", "per_agent_week": 3, "seed": 42,
              "reviewers": ("rev1", "rev2", "rev_a1"), **options}
    return assignments.create_rule(session, "weekly", **values)


def _made(session) -> list[ReviewAssignment]:
    return list(session.scalars(select(ReviewAssignment).order_by(ReviewAssignment.id)))


def test_a_weeks_sample_per_agent(program):
    with program.begin() as session:
        run = assignments.run_rule(session, _rule(session), date(2026, 11, 4))
        made = _made(session)
        calls = {a.call_id: session.get(Call, a.call_id) for a in made}
        assert run.week == date(2026, 11, 2)
        per_agent = Counter(calls[a.call_id].agent.external_id for a in made)
        assert per_agent == {"A1": 4, "A2": 4, "A3": 4}  # 3 drawn + 1 always; A9 in no team
        assert all(MONDAY <= calls[a.call_id].started_at < MONDAY + timedelta(days=7)
                   for a in made)
        reasons = Counter(str(a.reason) for a in made)
        assert reasons == {"sampled": 9, "critical": 1, "review": 1, "disputed": 1}
        critical = next(a for a in made if a.reason == AssignmentReason.CRITICAL)
        assert calls[critical.call_id].score.flagged
        assert {a.due_at for a in made} == {made[0].created_at + timedelta(days=7)}


def test_the_stored_seed_gives_the_same_sample_again(program):
    with program.begin() as session:
        rule = _rule(session)
        first = assignments.run_rule(session, rule, date(2026, 11, 2))
        again = assignments.run_rule(session, rule, date(2026, 11, 8))
        assert again.picks == first.picks and again.created == []  # nothing picked twice
        other = assignments.create_rule(session, "other", team="North", per_agent_week=3,
                                        seed=43, mode=AssignMode.MANUAL)
        assert assignments.run_rule(session, other, date(2026, 11, 2)).picks != first.picks


def test_reviewers_take_turns_and_never_review_their_own_calls(program):
    with program.begin() as session:
        assignments.run_rule(session, _rule(session), date(2026, 11, 2))
        made = _made(session)
        reviewer = {a.id: session.get(User, a.reviewer_id) for a in made}
        assert all(reviewer[a.id] is not None for a in made)
        assert not [a for a in made
                    if reviewer[a.id].username == "rev_a1" and a.call.agent.external_id == "A1"]
        counts = Counter(reviewer[a.id].username for a in made)
        assert sum(counts.values()) == 12 and max(counts.values()) - min(counts.values()) <= 2


def test_a_manual_rule_leaves_the_calls_to_assign_by_hand(program):
    with program.begin() as session:
        rule = _rule(session, mode=AssignMode.MANUAL, reviewers=())
        run = assignments.run_rule(session, rule, date(2026, 11, 2))
        assert run.unassigned == len(run.created) == 12
        call = run.created[0].call
        by = session.scalars(select(User).where(User.username == "rev1")).one()
        own = session.scalars(select(User).where(User.username == "rev_a1")).one()
        due = date.today() + timedelta(days=3)
        if call.agent.external_id == "A1":
            with pytest.raises(AssignmentError, match="own calls"):
                assignments.assign_by_hand(session, call, own, by, due)
        assignment = assignments.assign_by_hand(session, call, by, by, due)
        assert assignment.id == run.created[0].id and assignment.reviewer_id == by.id
        a1_call = next(a.call for a in run.created if a.call.agent.external_id == "A1")
        with pytest.raises(AssignmentError, match="own calls"):
            assignments.assign_by_hand(session, a1_call, own, by, due)
        agent_user = session.scalars(select(User).where(User.username == "agent_user")).one()
        with pytest.raises(AssignmentError, match="Choose a reviewer"):
            assignments.assign_by_hand(session, a1_call, agent_user, by, due)
        with pytest.raises(AssignmentError, match="passed"):
            assignments.assign_by_hand(session, a1_call, by, by, date(2020, 1, 1))


def test_an_assignment_is_done_when_the_call_is_reviewed(program):
    with program.begin() as session:
        run = assignments.run_rule(session, _rule(session), date(2026, 11, 2))
        assignment = run.created[0]
        someone = session.scalars(select(User).where(User.username == "rev2")).one()
        reviewing.mark_reviewed(session, assignment.call, someone)
        assert assignment.status == AssignmentStatus.DONE and assignment.done_at is not None
        reviewing.mark_reviewed(session, assignment.call, someone, reviewed=False)
        assert assignment.status == AssignmentStatus.OPEN and assignment.done_at is None


def test_bad_rules_are_refused(program):
    with program.begin() as session:
        for options, message in [({"team": None}, "one team's or one queue's"),
                                 ({"queue": "card"}, "one team's or one queue's"),
                                 ({"team": "South"}, "no team named 'South'"),
                                 ({"reviewers": ()}, "round-robin needs reviewers"),
                                 ({"reviewers": ("agent_user",)}, "no active supervisor"),
                                 ({"per_agent_week": -1}, "0 or more"),
                                 ({"seed": 2**31}, "a seed is a whole number"),
                                 ({"seed": -1}, "a seed is a whole number")]:
            with pytest.raises(AssignmentError, match=message):
                _rule(session, **options)


def test_a_queue_rule_samples_the_queues_calls(program):
    with program.begin() as session:
        scored_call(session, "A9", MONDAY, queue="billing")
        rule = assignments.create_rule(session, "billing", queue="billing", per_agent_week=5,
                                       seed=1, mode=AssignMode.MANUAL)
        run = assignments.run_rule(session, rule, date(2026, 11, 2))
        assert [session.get(Call, p.call_id).queue.name for p in run.picks] == ["billing"]


def _callqa(settings, *args: str) -> Result:
    """The `callqa` command, run in this process as the shell would run it."""
    env = {"CALLQA_DATABASE_URL": settings.db_url, "CALLQA_HOME": str(settings.home)}
    return CliRunner().invoke(main, list(args), env=env)


def test_the_sampling_command(settings, program):
    added = _callqa(settings, "sampling", "add", "weekly", "--team", "North",
                    "--per-agent-week", "3", "--seed", "42", "--reviewer", "rev1",
                    "--reviewer", "rev2")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "created rule weekly (seed 42)"
    run = _callqa(settings, "sampling", "run", "weekly", "--week", "2026-W45")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == ("week of 2026-11-02: 12 picked (1 critical, 1 disputed, "
                                  "1 review, 9 sampled); 12 new assignments, 0 unassigned")
    again = _callqa(settings, "sampling", "run", "weekly", "--week", "2026-11-08")
    assert "12 picked" in again.stdout and "0 new assignments" in again.stdout
    listing = _callqa(settings, "sampling", "list")
    assert listing.stdout.split("\t")[:4] == ["weekly", "team North", "3/agent/week", "seed 42"]
    for args, message in [(("sampling", "run", "nope"), "no rule named 'nope'"),
                          (("sampling", "run", "weekly", "--week", "soon"), "give a day"),
                          (("sampling", "add", "x", "--team", "North"), "needs reviewers")]:
        refused = _callqa(settings, *args)
        assert refused.exit_code != 0 and message in refused.stderr, refused.stderr
