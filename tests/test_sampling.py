"""The sampling of calls for review (callqa.qa.sampling): N per agent and ISO week at random,
every critical, in-review and disputed call besides, the same picks from the same seed, and
reviewers in turn, never on their own calls."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from callqa.qa.sampling import (
    Candidate,
    Pick,
    Reason,
    Reviewer,
    SamplingPlan,
    round_robin,
    sample_calls,
    week_start,
)

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # ISO week 45


def _calls(agents: int = 4, weeks: int = 3, per_week: int = 10, **flags) -> list[Candidate]:
    """Call ids 1.. over agents 1.. and weeks from 2 Nov 2026, one call a few hours apart."""
    calls, call_id = [], 0
    for week in range(weeks):
        for agent in range(1, agents + 1):
            for n in range(per_week):
                call_id += 1
                started = MONDAY + timedelta(weeks=week, hours=7 * n)  # within the week
                calls.append(Candidate(call_id, agent, started,
                                       **{k: call_id in ids for k, ids in flags.items()}))
    return calls


def _per_group(picks: list[Pick], reason: Reason | None = None) -> Counter:
    return Counter((p.week, p.agent_id) for p in picks if reason in (None, p.reason))


def test_n_calls_per_agent_and_week_at_random():
    picks = sample_calls(_calls(), SamplingPlan(per_agent_week=3, seed=7))
    groups = _per_group(picks)
    assert len(groups) == 4 * 3 and set(groups.values()) == {3}
    assert {p.reason for p in picks} == {Reason.SAMPLED}
    assert {p.week for p in picks} == {date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)}


def test_the_same_seed_gives_the_same_sample_and_another_seed_another():
    calls = _calls()
    first = sample_calls(calls, SamplingPlan(3, seed=7))
    assert sample_calls(list(reversed(calls)), SamplingPlan(3, seed=7)) == first
    assert sample_calls(calls, SamplingPlan(3, seed=8)) != first


def test_a_weeks_draw_does_not_change_when_other_weeks_or_agents_change():
    calls = _calls()
    week_one = [c for c in calls if c.week == date(2026, 11, 2) and c.agent_id == 1]
    alone = sample_calls(week_one, SamplingPlan(3, seed=7))
    together = [p for p in sample_calls(calls, SamplingPlan(3, seed=7))
                if p.week == date(2026, 11, 2) and p.agent_id == 1]
    assert alone == together


def test_critical_in_review_and_disputed_calls_always_come_on_top_of_the_draw():
    critical, review, disputed = {1, 2, 3, 45}, {4, 46}, {5, 3}
    calls = _calls(critical=critical, in_review=review, disputed=disputed)
    picks = sample_calls(calls, SamplingPlan(per_agent_week=2, seed=1))
    by_call = {p.call_id: p.reason for p in picks}
    assert {c for c, r in by_call.items() if r == Reason.CRITICAL} == critical
    assert {c for c, r in by_call.items() if r == Reason.REVIEW} == review
    assert {c for c, r in by_call.items() if r == Reason.DISPUTED} == {5}  # 3 is critical first
    assert set(_per_group(picks, Reason.SAMPLED).values()) == {2}  # still 2 drawn per group
    # agent 1, first week: calls 1-10, of which 1-5 always; 2 more drawn from 6-10
    first = [p for p in picks if p.agent_id == 1 and p.week == date(2026, 11, 2)]
    assert len(first) == 7 and all(p.call_id > 5 for p in first if p.reason == Reason.SAMPLED)


def test_critical_calls_are_picked_even_with_nothing_to_draw():
    calls = _calls(critical={7, 13})
    picks = sample_calls(calls, SamplingPlan(per_agent_week=0, seed=1))
    assert [(p.call_id, p.reason) for p in picks] == [(7, Reason.CRITICAL), (13, Reason.CRITICAL)]


def test_the_reasons_can_be_switched_off():
    calls = _calls(critical={1}, in_review={2}, disputed={3})
    plan = SamplingPlan(0, 1, include_critical=False, include_review=False,
                        include_disputed=False)
    assert sample_calls(calls, plan) == []
    plan = SamplingPlan(0, 1, include_critical=False)
    assert [p.call_id for p in sample_calls(calls, plan)] == [2, 3]


def test_fewer_calls_than_asked_for_gives_them_all():
    picks = sample_calls(_calls(per_week=2), SamplingPlan(per_agent_week=5, seed=3))
    assert len(picks) == 4 * 3 * 2


def test_every_call_is_equally_likely_over_seeds():
    """10 calls, 3 drawn: each call in 30 % of 2,000 seeded draws (within 4 points)."""
    calls = _calls(agents=1, weeks=1, per_week=10)
    counts: Counter = Counter()
    for seed in range(2000):
        counts.update(p.call_id for p in sample_calls(calls, SamplingPlan(3, seed)))
    assert set(counts) == set(range(1, 11))
    assert all(abs(count / 2000 - 0.3) < 0.04 for count in counts.values()), counts


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        SamplingPlan(per_agent_week=-1, seed=1)


def test_weeks_start_on_monday():
    assert week_start(date(2026, 11, 8)) == date(2026, 11, 2)  # a Sunday
    assert week_start(date(2026, 11, 2)) == date(2026, 11, 2)


def _picks(*agents: int | None) -> list[Pick]:
    return [Pick(i, agent, date(2026, 11, 2), Reason.SAMPLED) for i, agent in enumerate(agents)]


def test_round_robin_takes_turns():
    reviewers = [Reviewer(10), Reviewer(20), Reviewer(30)]
    assert round_robin(_picks(1, 2, 3, 4, 5), reviewers) == [10, 20, 30, 10, 20]
    assert round_robin(_picks(1, 2), reviewers, start=2) == [30, 10]


def test_round_robin_never_gives_a_reviewer_their_own_calls():
    reviewers = [Reviewer(10, agent_id=1), Reviewer(20, agent_id=2)]
    given = round_robin(_picks(1, 1, 1, 2, 2, None), reviewers)
    assert given == [20, 20, 20, 10, 10, 10]  # 10 catches up on the call anyone may take
    assert round_robin(_picks(1, 3), [Reviewer(10, agent_id=1)]) == [None, 10]
    assert round_robin(_picks(1), []) == [None]
