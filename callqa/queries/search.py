"""Search by what was said: the utterances whose words match, newest first, in the calls a
user may see (models/search.py describes the index on each database)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import column, literal_column, select, table, text
from sqlalchemy.orm import Session

from callqa.models import Agent, Call, Utterance
from callqa.models.search import SEARCH_TABLE, fold_for_fts
from callqa.queries.scope import EVERYTHING, Scope

SPEAKERS = ("any", "agent", "customer")
PER_PAGE = 50
_WORD = re.compile(r"\w+")
_FTS = table(SEARCH_TABLE, column("rowid"))


@dataclass
class Hit:
    utterance_id: int
    call_id: int
    position: int  # the utterance's index on the call page (#u-<position>)
    speaker: str
    start_s: float
    text: str
    started_at: datetime | None
    agent_name: str | None


@dataclass
class SearchResult:
    words: list[str]
    speaker: str
    hits: list[Hit]
    more: bool  # further hits beyond `limit`


def query_words(query: str) -> list[str]:
    """The words searched for, as a phrase in this order."""
    return _WORD.findall(query or "")[:20]


def search_utterances(session: Session, query: str, speaker: str = "any",
                      scope: Scope = EVERYTHING, limit: int = PER_PAGE,
                      offset: int = 0) -> SearchResult:
    """Utterances containing the words of `query` as a phrase (case and accents ignored), by
    `speaker` (agent, customer or any), in the calls of `scope`."""
    words = query_words(query)
    speaker = speaker if speaker in SPEAKERS else "any"
    if not words:
        return SearchResult(words, speaker, [], False)
    statement = (select(Utterance.id, Utterance.call_id, Utterance.position, Utterance.speaker,
                        Utterance.start_s, Utterance.text, Call.started_at, Agent.name)
                 .join(Call, Call.id == Utterance.call_id)
                 .outerjoin(Agent, Agent.id == Call.agent_id)
                 .where(*scope.conditions()))
    if speaker != "any":
        statement = statement.where(Utterance.speaker == speaker)
    phrase = " ".join(words)
    if session.get_bind().dialect.name == "sqlite":
        fts_phrase = '"' + fold_for_fts(phrase) + '"'
        statement = (statement.join(_FTS, _FTS.c.rowid == Utterance.id)
                     .where(literal_column(SEARCH_TABLE).op("MATCH")(fts_phrase))
                     .order_by(_FTS.c.rowid.desc()))
    else:
        statement = (statement.where(text(
            "utterances.search_vector "
            "@@ phraseto_tsquery('simple'::regconfig, callqa_fold(:phrase))").bindparams(
                phrase=phrase))
            # id + 0: not the primary key's order, which the planner would walk backwards,
            # checking every utterance, rather than take the few the GIN index names
            .order_by((Utterance.id + 0).desc()))
    rows = session.execute(statement.offset(offset).limit(limit + 1)).all()
    hits = [Hit(*row) for row in rows[:limit]]
    return SearchResult(words, speaker, hits, len(rows) > limit)
