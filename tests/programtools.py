"""Scored calls made straight in the database, many and fast, for the QA program's tests
(sampling, assignments): the rows the pipeline stores for a scored call, no transcript."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from callqa.models import Call, CallScore, CallStatus, ItemResult
from callqa.models.lookup import agent_for, queue_for, scorecard_for

ITEMS = ("greeting", "introduction", "thanks")


def scored_call(session: Session, agent: str, started_at: datetime, *, queue: str = "card",
                critical_failed: bool = False, in_review: bool = False,
                verdicts: dict[str, str] | None = None) -> Call:
    """A done call of agent `agent` (an external id) with the items of ITEMS: `verdicts`
    (default all passed; greeting failed if `critical_failed`, thanks in review if
    `in_review`); greeting is critical."""
    verdicts = dict(verdicts or {item: "passed" for item in ITEMS})
    if critical_failed:
        verdicts["greeting"] = "failed"
    if in_review:
        verdicts["thanks"] = "review"
    key = f"{agent}-{started_at.isoformat()}-{len(session.new)}-{id(verdicts)}"
    call = Call(sha256=hashlib.sha256(key.encode()).hexdigest(), original_filename=f"{key}.json",
                source="transcript", agent=agent_for(session, agent, f"Agent {agent}"),
                queue=queue_for(session, queue), started_at=started_at, language="en",
                status=CallStatus.DONE, duration_s=120.0)
    session.add(call)
    session.flush()
    scorecard = scorecard_for(session, "test", "1", "items: []")
    passed = sum(1 for v in verdicts.values() if v == "passed")
    decided = sum(1 for v in verdicts.values() if v in ("passed", "failed"))
    score = CallScore(call_id=call.id, scorecard_id=scorecard.id,
                      score=100.0 * passed / decided if decided else None,
                      passed_weight=passed, applicable_weight=decided,
                      flagged=verdicts.get("greeting") == "failed",
                      needs_review="review" in verdicts.values())
    session.add(score)
    session.flush()
    for position, (item, verdict) in enumerate(verdicts.items()):
        session.add(ItemResult(call_score_id=score.id, call_id=call.id, position=position,
                               item_id=item, verdict=verdict, effective_verdict=verdict,
                               weight=1.0, critical=item == "greeting",
                               detail={"label": {"en": item.title(), "pl": item.title()}}))
    session.flush()
    return call
