"""The perception gap: how the checklist's view of calls (QA score, FCR) compares with the
customers' own (NPS, CSAT) over the same calls, and how closely the two move together."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["MIN_PAIRS", "SurveyedCall", "PerceptionStats", "nps_index", "pearson"]

MIN_PAIRS = 3  # fewer pairs give no correlation worth showing


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of the pairs; None for fewer than MIN_PAIRS, or when either side never
    varies (no correlation to speak of)."""
    if len(xs) != len(ys):
        raise ValueError("pairs: as many x as y")
    n = len(xs)
    if n < MIN_PAIRS:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def nps_index(answers: Sequence[int]) -> float | None:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), -100 to 100."""
    if not answers:
        return None
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    return 100 * (promoters - detractors) / len(answers)


@dataclass(frozen=True)
class SurveyedCall:
    score: float | None  # the QA score (None: not scored, or nothing applied)
    fcr: str | None  # fcr, not_fcr, pending
    nps: int | None
    csat: int | None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass
class PerceptionStats:
    """One agent's, queue's or everyone's surveyed calls, and what they add up to."""

    calls: list[SurveyedCall] = field(default_factory=list)

    def add(self, call: SurveyedCall) -> None:
        self.calls.append(call)

    @property
    def surveyed(self) -> int:
        return len(self.calls)

    @property
    def scores(self) -> list[float]:
        return [c.score for c in self.calls if c.score is not None]

    @property
    def mean_score(self) -> float | None:
        return _mean(self.scores)

    @property
    def fcr_decided(self) -> int:
        return sum(1 for c in self.calls if c.fcr in ("fcr", "not_fcr"))

    @property
    def fcr_rate(self) -> float | None:
        fcr = sum(1 for c in self.calls if c.fcr == "fcr")
        return fcr / self.fcr_decided if self.fcr_decided else None

    @property
    def nps_answers(self) -> list[int]:
        return [c.nps for c in self.calls if c.nps is not None]

    @property
    def mean_nps(self) -> float | None:
        return _mean(self.nps_answers)

    @property
    def nps(self) -> float | None:
        return nps_index(self.nps_answers)

    @property
    def csat_answers(self) -> list[int]:
        return [c.csat for c in self.calls if c.csat is not None]

    @property
    def mean_csat(self) -> float | None:
        return _mean(self.csat_answers)

    def _pairs(self, kind: str) -> tuple[list[float], list[float]]:
        pairs = [(c.score, getattr(c, kind)) for c in self.calls
                 if c.score is not None and getattr(c, kind) is not None]
        return [p[0] for p in pairs], [float(p[1]) for p in pairs]

    def pairs(self, kind: str) -> int:
        """How many calls have both a QA score and this survey answer (nps or csat)."""
        return len(self._pairs(kind)[0])

    def correlation(self, kind: str) -> float | None:
        """Pearson's r between the QA score and this survey answer (nps or csat)."""
        return pearson(*self._pairs(kind))
