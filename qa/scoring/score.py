"""The call's score: weighted passed over weighted applicable items, capped on a critical fail.

Items under review count neither way until a person decides them; not-applicable items are left
out. A failed critical item flags the call and caps the score at the scorecard's `critical_cap`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from callqa.qa.scoring.results import ItemResult, Verdict


@dataclass(frozen=True)
class Score:
    value: float | None  # 0-100, None when nothing applies
    passed_weight: float
    applicable_weight: float
    critical_failed: tuple[str, ...]
    capped: bool


def compute_score(items: Iterable[ItemResult], critical_cap: float) -> Score:
    items = list(items)
    decided = [item for item in items if item.verdict in (Verdict.PASSED, Verdict.FAILED)]
    applicable = sum(item.weight for item in decided)
    passed = sum(item.weight for item in decided if item.verdict is Verdict.PASSED)
    critical = tuple(
        item.item_id for item in items if item.critical and item.verdict is Verdict.FAILED
    )
    value = round(100 * passed / applicable, 1) if applicable else None
    capped = bool(critical) and value is not None and value > critical_cap
    if capped:
        value = critical_cap
    return Score(value, passed, applicable, critical, capped)
