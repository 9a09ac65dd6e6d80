"""The filtered call list as CSV: the same query as the list, read in batches so a large
export streams without holding every call in memory. The column headers and processing
errors are in the reader's language when the caller passes a `Translate`; the values are
codes, the same in every language."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from callqa.models import Call, CallReview, ItemResult
from callqa.qa.messages import N_, format_message
from callqa.qa.scoring import Verdict

BATCH = 1000
# The English headers, which are also the message ids of the translated ones.
COLUMNS = (
    N_("call_id"), N_("external_id"), N_("started_at"), N_("agent_id"), N_("agent_name"),
    N_("queue"), N_("language"), N_("direction"), N_("duration_s"), N_("status"), N_("score"),
    N_("flagged"), N_("failed_items"), N_("review_items"), N_("fcr_status"), N_("reviewed"),
    N_("original_filename"), N_("error"),
)
# A message id and its parameters (None: none) -> the text in the reader's language.
Translate = Callable[[str, Mapping[str, Any] | None], str]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvFormat:
    """How the numbers and cells are separated: a Polish spreadsheet splits columns at `;`
    and reads decimal commas, an English one at `,` with decimal points."""

    delimiter: str = ","
    decimal: str = "."


POLISH_CSV = CsvFormat(";", ",")


def csv_lines(session: Session, query: Select, translate: Translate = format_message,
              form: CsvFormat = CsvFormat()) -> Iterator[str]:  # noqa: B008 (frozen)
    """The header and one line per call of `query` (a `call_list_query`), in its order;
    `translate` (English by default) gives the headers and errors their language, `form` the
    separators."""
    yield _line((translate(column, None) for column in COLUMNS), form)
    for calls in _batches(session, query):
        failed, review = _item_verdicts(session, [call.id for call in calls])
        reviewed = set(session.scalars(
            select(CallReview.call_id).where(CallReview.call_id.in_([c.id for c in calls]))))
        for call in calls:
            yield _line(_row(call, failed.get(call.id, []), review.get(call.id, []),
                             call.id in reviewed, translate, form.decimal), form)


def _batches(session: Session, query: Select) -> Iterator[Sequence[Call]]:
    """One query, read a batch at a time (a server-side cursor on PostgreSQL)."""
    result = session.scalars(query.execution_options(yield_per=BATCH))
    for calls in result.partitions():
        yield calls
        for call in calls:
            session.expunge(call)  # keep memory flat over a long export


def _item_verdicts(session: Session, ids: list[int]) -> tuple[dict[int, list[str]], ...]:
    """Per call, the items whose effective verdict is failed, and those left for review."""
    failed: dict[int, list[str]] = {}
    review: dict[int, list[str]] = {}
    rows = session.execute(
        select(ItemResult.call_id, ItemResult.item_id, ItemResult.effective_verdict)
        .where(ItemResult.call_id.in_(ids),
               ItemResult.effective_verdict.in_((Verdict.FAILED, Verdict.REVIEW)))
        .order_by(ItemResult.call_id, ItemResult.position))
    for call_id, item_id, verdict in rows:
        (failed if verdict == Verdict.FAILED else review).setdefault(call_id, []).append(item_id)
    return failed, review


def _row(call: Call, failed: list[str], review: list[str], reviewed: bool,
         translate: Translate, decimal: str = ".") -> list[Any]:
    score = call.score

    def one_decimal(value: float) -> str:
        return f"{value:.1f}".replace(".", decimal)

    return [
        call.id, call.external_id, call.started_at.isoformat() if call.started_at else "",
        call.agent.external_id if call.agent else "", call.agent.name if call.agent else "",
        call.queue.name if call.queue else "", call.language, call.direction,
        one_decimal(call.duration_s) if call.duration_s is not None else "", call.status,
        one_decimal(score.score) if score and score.score is not None else "",
        _yes_no(score.flagged, translate) if score else "", " ".join(failed), " ".join(review),
        call.fcr.status if call.fcr else "", _yes_no(reviewed, translate),
        call.original_filename,
        _error(call, translate),
    ]


def _error(call: Call, translate: Translate) -> str | None:
    """The processing error in the reader's language; rows stored before error message ids
    existed keep their English text."""
    if call.error_msgid:
        return translate(call.error_msgid, call.error_params)
    return call.error


def _yes_no(value: bool, translate: Translate = format_message) -> str:
    return translate(N_("yes"), None) if value else translate(N_("no"), None)


def _line(values: Iterable[Any], form: CsvFormat = CsvFormat()) -> str:  # noqa: B008
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=form.delimiter)
    writer.writerow([_safe_cell(value) for value in values])
    return buffer.getvalue()


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (an agent named "=HYPERLINK(...)")
    is prefixed with an apostrophe; numbers are written as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value
