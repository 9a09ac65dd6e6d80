"""Agreement between graders in a calibration session: Fleiss' kappa over graders who each
gave one verdict on every subject (an item of a call), and how often a grader's verdicts match
the agreed ones.

Fleiss' kappa, for N subjects each rated by the same n >= 2 graders into categories j, with
n_ij the graders who put subject i in category j:

    P_i = (sum_j n_ij^2 - n) / (n (n - 1))      agreement on subject i
    p_j = sum_i n_ij / (N n)                    share of all ratings in category j
    kappa = (mean P_i - sum_j p_j^2) / (1 - sum_j p_j^2)

It is undefined (None) when chance agreement is 1: every rating in one category."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Agreement", "agreement_with", "fleiss_kappa"]

K = TypeVar("K")  # what a verdict is on: a subject


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float | None:
    """Kappa over subjects, each the list of the graders' verdicts (the same number each);
    None with no subject, fewer than two graders, or all ratings in one category."""
    if not ratings:
        return None
    graders = len(ratings[0])
    if graders < 2:
        return None
    if any(len(subject) != graders for subject in ratings):
        raise ValueError("every subject needs a verdict from every grader")
    totals: Counter[str] = Counter()
    observed = 0.0
    for subject in ratings:
        counts = Counter(subject)
        totals.update(counts)
        observed += (sum(c * c for c in counts.values()) - graders) / (graders * (graders - 1))
    observed /= len(ratings)
    all_ratings = len(ratings) * graders
    chance = sum((count / all_ratings) ** 2 for count in totals.values())
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


@dataclass(frozen=True)
class Agreement:
    matched: int
    compared: int

    @property
    def rate(self) -> float | None:
        return self.matched / self.compared if self.compared else None


def agreement_with(verdicts: Mapping[K, str], agreed: Mapping[K, str]) -> Agreement:
    """How many of the subjects with an agreed verdict got it from this grader."""
    compared = [key for key in agreed if key in verdicts]
    return Agreement(sum(1 for key in compared if verdicts[key] == agreed[key]), len(compared))
