"""Which calls get a person's review, and who reviews each: the QA program's sampling.

`sample_calls` takes, per agent and ISO week, `per_agent_week` calls at random from those not
already taken for a reason of their own (a failed critical item, items in review, a dispute),
plus every call with such a reason (each switchable). The draw for one agent and week depends
only on the seed, the agent, the week and the ids of that week's calls, so a stored seed gives
the same sample again, and a call added to another week or agent changes nothing here.

`round_robin` gives the picked calls to reviewers in turn, skipping a reviewer whose own
calls they are (a reviewer linked to the call's agent record), who then catches up; with
nobody else to take it, a call is left unassigned."""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

__all__ = ["Candidate", "Pick", "Reason", "Reviewer", "SamplingPlan", "round_robin",
           "sample_calls", "week_start"]


class Reason(StrEnum):
    """Why a call was picked, the first that applies in this order."""

    CRITICAL = "critical"
    REVIEW = "review"
    DISPUTED = "disputed"
    SAMPLED = "sampled"


@dataclass(frozen=True)
class Candidate:
    call_id: int
    agent_id: int | None
    started_at: datetime
    critical: bool = False  # a critical item failed
    in_review: bool = False  # items the machine left in review
    disputed: bool = False

    @property
    def week(self) -> date:
        return week_start(self.started_at.date())


@dataclass(frozen=True)
class SamplingPlan:
    per_agent_week: int
    seed: int
    include_critical: bool = True
    include_review: bool = True
    include_disputed: bool = True

    def __post_init__(self) -> None:
        if self.per_agent_week < 0:
            raise ValueError(f"calls per agent and week: 0 or more, not {self.per_agent_week}")

    def reason(self, call: Candidate) -> Reason | None:
        """The reason the call is always picked; None: it is left to the draw."""
        if self.include_critical and call.critical:
            return Reason.CRITICAL
        if self.include_review and call.in_review:
            return Reason.REVIEW
        if self.include_disputed and call.disputed:
            return Reason.DISPUTED
        return None


@dataclass(frozen=True)
class Pick:
    call_id: int
    agent_id: int | None
    week: date
    reason: Reason


def week_start(day: date) -> date:
    """The Monday of the day's ISO week."""
    return day - timedelta(days=day.weekday())


def sample_calls(candidates: Iterable[Candidate], plan: SamplingPlan) -> list[Pick]:
    """The picked calls by week, agent and call id."""
    groups: dict[tuple[date, int | None], list[Candidate]] = {}
    for call in candidates:
        groups.setdefault((call.week, call.agent_id), []).append(call)
    picks: list[Pick] = []
    for (week, agent_id), calls in sorted(groups.items(), key=_group_order):
        calls.sort(key=lambda call: call.call_id)
        reasons = {call.call_id: plan.reason(call) for call in calls}
        rest = [call.call_id for call in calls if reasons[call.call_id] is None]
        rng = random.Random(f"{plan.seed}:{agent_id}:{week.isoformat()}")
        for call_id in rng.sample(rest, min(plan.per_agent_week, len(rest))):
            reasons[call_id] = Reason.SAMPLED
        picks += [Pick(call_id, agent_id, week, reason)
                  for call_id, reason in sorted(reasons.items()) if reason is not None]
    return picks


def _group_order(item: tuple[tuple[date, int | None], list[Candidate]]) -> tuple:
    (week, agent_id), _ = item
    return week, agent_id is None, agent_id or 0


@dataclass(frozen=True)
class Reviewer:
    user_id: int
    agent_id: int | None = None  # the agent record the reviewer's own calls have


def round_robin(picks: Sequence[Pick], reviewers: Sequence[Reviewer],
                start: int = 0) -> list[int | None]:
    """A reviewer's user id for each pick (None: nobody may take it): in turn, from the
    reviewer at `start`, each pick to whoever of those allowed to take it has been given the
    fewest so far, so a reviewer skipped for their own calls catches up on the next ones."""
    if not reviewers:
        return [None] * len(picks)
    order = [reviewers[(start + n) % len(reviewers)] for n in range(len(reviewers))]
    given: dict[int, int] = {reviewer.user_id: 0 for reviewer in order}
    assigned: list[int | None] = []
    for pick in picks:
        allowed = [r for r in order if pick.agent_id is None or r.agent_id != pick.agent_id]
        if not allowed:
            assigned.append(None)
            continue
        chosen = min(allowed, key=lambda r: (given[r.user_id], order.index(r)))
        given[chosen.user_id] += 1
        order.remove(chosen)
        order.append(chosen)  # to the back of the line
        assigned.append(chosen.user_id)
    return assigned
