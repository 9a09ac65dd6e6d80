"""Post-call survey answers as they come in (a CSV row, an API request): read and checked,
with every reason a row is refused, before anything is matched or stored."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["CSAT_RANGE", "NPS_RANGE", "SurveyAnswer", "SurveyError", "parse_survey"]

NPS_RANGE = (0, 10)  # "How likely are you to recommend us?"
CSAT_RANGE = (1, 5)  # "How satisfied are you with this call?"
MAX_COMMENT = 4000


class SurveyError(ValueError):
    """A survey answer that cannot be stored; `reasons` says every problem found."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class SurveyAnswer:
    nps: int | None
    csat: int | None
    comment: str | None
    responded_at: datetime | None
    # which call it is about: callqa's id, the phone system's id, or the customer's phone
    # with the time of the answer (the call before it)
    call_id: int | None = None
    external_id: str | None = None
    customer_phone: str | None = None


def parse_survey(data: Mapping[str, Any]) -> SurveyAnswer:
    """From text (CSV) or JSON values; raises SurveyError with every problem."""
    reasons: list[str] = []
    nps = _score(data.get("nps"), "nps", NPS_RANGE, reasons)
    csat = _score(data.get("csat"), "csat", CSAT_RANGE, reasons)
    comment = _text(data.get("comment"), "comment", reasons)
    if comment is not None and len(comment) > MAX_COMMENT:
        reasons.append(f"comment: longer than {MAX_COMMENT} characters")
    responded_at = _time(data.get("responded_at"), reasons)
    call_id = _call_id(data.get("call_id"), reasons)
    external_id = _text(data.get("external_id"), "external_id", reasons)
    phone = _text(data.get("customer_phone"), "customer_phone", reasons)
    if nps is None and csat is None and comment is None and not _given(reasons, "nps", "csat"):
        reasons.append("no answer: give nps, csat or a comment")
    if call_id is None and external_id is None and phone is None \
            and not _given(reasons, "call_id"):
        reasons.append("which call: give call_id, external_id, or customer_phone with "
                       "responded_at")
    elif call_id is None and external_id is None and phone is not None and responded_at is None \
            and not _given(reasons, "responded_at"):
        reasons.append("responded_at: needed to match a survey by customer_phone")
    if reasons:
        raise SurveyError(reasons)
    return SurveyAnswer(nps, csat, comment, responded_at, call_id, external_id, phone)


def _given(reasons: list[str], *fields: str) -> bool:
    """A field already refused (so its absence is not reported again)."""
    return any(reason.startswith(f"{field}:") for reason in reasons for field in fields)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _score(value: Any, name: str, bounds: tuple[int, int], reasons: list[str]) -> int | None:
    if _blank(value):
        return None
    low, high = bounds
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        reasons.append(f"{name}: {value!r} is not a whole number from {low} to {high}")
        return None
    return number


def _text(value: Any, name: str, reasons: list[str]) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        reasons.append(f"{name}: {value!r} is not text")
        return None
    return str(value).strip()


def _time(value: Any, reasons: list[str]) -> datetime | None:
    if _blank(value):
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        reasons.append(f"responded_at: {value!r} is not an ISO 8601 time")
        return None
    if moment.tzinfo is None:
        reasons.append(f"responded_at: {value!r} has no time zone offset")
        return None
    return moment


def _call_id(value: Any, reasons: list[str]) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    reasons.append(f"call_id: {value!r} is not a call id (a whole number)")
    return None
