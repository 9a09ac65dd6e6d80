"""What the API answers: calls, transcripts, scorecards, surveys and webhooks as JSON objects
(the shapes web/api/openapi.py declares)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from callqa.models import Call, Survey, Webhook, WebhookDelivery
from callqa.queries.call_page import CallPage


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def call_shape(call: Call) -> dict[str, Any]:
    score = call.score
    return {
        "id": call.id,
        "external_id": call.external_id,
        "status": str(call.status),
        "error": call.error,
        "source": call.source,
        "original_filename": call.original_filename,
        "started_at": _time(call.started_at),
        "duration_s": call.duration_s,
        "language": call.language,
        "direction": call.direction,
        "layout": call.channel_layout,
        "test_call": call.test_call,
        "agent": ({"id": call.agent.external_id, "name": call.agent.name}
                  if call.agent else None),
        "queue": call.queue.name if call.queue else None,
        "customer": {"phone": call.customer_phone, "name": call.customer_name},
        "score": score.score if score else None,
        "needs_review": score.needs_review if score else None,
        "flagged": score.flagged if score else None,
        "fcr_status": str(call.fcr.status) if call.fcr else None,
        "created_at": _time(call.created_at),
        "updated_at": _time(call.updated_at),
    }


def transcript_shape(call: Call) -> dict[str, Any]:
    return {
        "call_id": call.id,
        "status": str(call.status),
        "language": call.transcript_language,
        "speakers_known": call.speakers_known,
        "utterances": [{"speaker": u.speaker, "channel": u.channel, "start": u.start_s,
                        "end": u.end_s, "text": u.text} for u in call.utterances],
    }


def scorecard_shape(page: CallPage) -> dict[str, Any]:
    call = page.call
    score = call.score
    assert score is not None  # only a scored call has a scorecard to show
    fcr = call.fcr
    return {
        "call_id": call.id,
        "scorecard": {"name": score.scorecard.name, "version": score.scorecard.version},
        "score": score.score,
        "machine_score": page.machine_score.value if page.machine_score else None,
        "needs_review": score.needs_review,
        "flagged": score.flagged,
        "capped": score.capped,
        "scored_at": _time(score.scored_at),
        "items": [{
            "id": item.item_id, "label": item.label, "verdict": item.verdict,
            "machine_verdict": item.machine_verdict, "weight": item.weight,
            "critical": item.critical, "overridden": item.overridden,
            "explanation": item.explanation, "looked_in": item.looked_in,
            "evidence": item.evidence,
        } for item in page.items],
        "metrics": score.metrics,
        "fcr": None if fcr is None else {
            "status": str(fcr.status), "reasons": fcr.reasons, "topics": fcr.topics,
            "repeat_of": fcr.repeat_of, "window_ends_at": _time(fcr.window_ends_at)},
    }


def survey_shape(survey: Survey) -> dict[str, Any]:
    return {"call_id": survey.call_id, "nps": survey.nps, "csat": survey.csat,
            "comment": survey.comment, "responded_at": _time(survey.responded_at),
            "source": survey.source, "received_at": _time(survey.received_at)}


def webhook_shape(webhook: Webhook) -> dict[str, Any]:
    return {"id": webhook.id, "url": webhook.url, "events": webhook.events,
            "created_at": _time(webhook.created_at)}


def delivery_shape(delivery: WebhookDelivery) -> dict[str, Any]:
    return {"id": delivery.id, "event": delivery.event, "call_id": delivery.call_id,
            "status": str(delivery.status), "attempts": delivery.attempts,
            "response_status": delivery.response_status, "last_error": delivery.last_error,
            "next_attempt_at": _time(delivery.next_attempt_at),
            "created_at": _time(delivery.created_at),
            "delivered_at": _time(delivery.delivered_at)}
