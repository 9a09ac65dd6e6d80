"""Post-call surveys: match an answer to its call and store it with the call. A CSV import
stores each row in its own unit of work and reports every row it could not use, and why."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callqa.models import Call, Survey, utcnow
from callqa.qa.fcr.phone import normalize_phone
from callqa.qa.surveys import SurveyAnswer, SurveyError, parse_survey
from callqa.settings import Settings

__all__ = ["CSV_COLUMNS", "RowOutcome", "import_surveys", "match_call", "record_survey"]

CSV_COLUMNS = ("call_id", "external_id", "customer_phone", "responded_at", "nps", "csat",
               "comment")


def match_call(session: Session, settings: Settings, answer: SurveyAnswer,
               agent_ids: frozenset[int] | None = None) -> Call:
    """The call the answer is about; raises SurveyError saying why none is. With `agent_ids`
    (a team-scoped API token's agents) only their calls match: another's is "no call"."""
    within = [] if agent_ids is None else [Call.agent_id.in_(sorted(agent_ids))]
    if answer.call_id is not None:
        call = session.get(Call, answer.call_id)
        if call is None or (agent_ids is not None and call.agent_id not in agent_ids):
            raise SurveyError([f"call_id: no call {answer.call_id}"])
        return call
    if answer.external_id is not None:
        found = session.scalars(select(Call).where(Call.external_id == answer.external_id,
                                                   *within)
                                .order_by(Call.id.desc()).limit(2)).all()
        if not found:
            raise SurveyError([f"external_id: no call {answer.external_id!r}"])
        if len(found) > 1:
            raise SurveyError([f"external_id: several calls have {answer.external_id!r}; "
                               "give call_id"])
        return found[0]
    return _call_by_phone(session, settings, answer, within)


def _call_by_phone(session: Session, settings: Settings, answer: SurveyAnswer,
                   within: list[Any]) -> Call:
    """The customer's last call that started before the answer, within the window."""
    assert answer.customer_phone is not None and answer.responded_at is not None  # parsed so
    key = normalize_phone(answer.customer_phone, settings.phone_country_code)
    if key is None:
        raise SurveyError([f"customer_phone: {answer.customer_phone!r} is not a phone number"])
    since = answer.responded_at - timedelta(seconds=settings.survey_window_s)
    call = session.scalar(
        select(Call).where(Call.customer_key == key, Call.started_at <= answer.responded_at,
                           Call.started_at >= since, *within)
        .order_by(Call.started_at.desc(), Call.id.desc()).limit(1))
    if call is None:
        hours = settings.survey_window_s / 3600
        raise SurveyError([f"no call of {key} in the {hours:g} h before "
                           f"{answer.responded_at.isoformat()}"])
    return call


def record_survey(session: Session, settings: Settings, answer: SurveyAnswer,
                  source: str, agent_ids: frozenset[int] | None = None) -> tuple[Survey, bool]:
    """Store the answer with its call (replacing an earlier one): the survey, and whether it
    replaced one. Raises SurveyError when no call (of `agent_ids`, if given) matches. Never
    commits."""
    call = match_call(session, settings, answer, agent_ids)
    survey = session.scalar(select(Survey).where(Survey.call_id == call.id))
    replaced = survey is not None
    if survey is None:
        survey = Survey(call_id=call.id)
        session.add(survey)
    survey.nps, survey.csat, survey.comment = answer.nps, answer.csat, answer.comment
    survey.responded_at, survey.source, survey.received_at = answer.responded_at, source, utcnow()
    session.flush()
    return survey, replaced


@dataclass(frozen=True)
class RowOutcome:
    line: int  # in the file, the header being line 1
    status: str  # stored, replaced, or refused
    call_id: int | None = None
    reasons: tuple[str, ...] = ()


def import_surveys(sessions: sessionmaker[Session], settings: Settings,
                   path: Path) -> list[RowOutcome]:
    """Every row of a CSV file with a header of CSV_COLUMNS (any order, any subset that
    identifies a call); raises SurveyError when the file itself cannot be read."""
    rows = _read_rows(path)
    return [_import_row(sessions, settings, line, row) for line, row in rows]


def _read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyError([f"{path}: not UTF-8 text (save it as UTF-8)"]) from exc
    dialect = _dialect(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)  # keeps \n in quotes
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    if not set(header) & {"nps", "csat", "comment"}:
        raise SurveyError([f"{path}: the header names none of nps, csat, comment "
                           f"(columns: {', '.join(CSV_COLUMNS)})"])
    reader.fieldnames = header
    rows = []
    for row in reader:
        if any((value or "").strip() for value in row.values() if isinstance(value, str)):
            rows.append((reader.line_num, {k: v for k, v in row.items() if k in CSV_COLUMNS}))
    return rows


def _dialect(text: str) -> Any:
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _import_row(sessions: sessionmaker[Session], settings: Settings, line: int,
                row: dict[str, Any]) -> RowOutcome:
    try:
        answer = parse_survey(row)
        with sessions.begin() as session:
            survey, replaced = record_survey(session, settings, answer, "csv")
            return RowOutcome(line, "replaced" if replaced else "stored", survey.call_id)
    except SurveyError as exc:
        return RowOutcome(line, "refused", reasons=tuple(exc.reasons))
