"""Webhooks: a call scored writes a delivery per webhook in the same transaction; it is sent,
signed, to a real local HTTP server; a receiver that fails, hangs or is not there is recorded
and retried with backoff, then given up, and never stops the sender."""
from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from receiver import start_receiver
from sqlalchemy import select, update

from callqa.models import DeliveryStatus, WebhookDelivery, utcnow
from callqa.qa.metadata import transcript_metadata
from callqa.qa.signing import verify
from callqa.services.ingest import ingest_transcript
from callqa.services.integrations import create_token, register_webhook, revoke_token
from callqa.services.webhooks import deliver_due

SAMPLES = Path(__file__).resolve().parents[1] / "callqa" / "samples"


@pytest.fixture
def receiver():
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _webhook(sessions, url: str) -> tuple[int, str]:
    with sessions.begin() as session:
        token, _ = create_token(session, "crm", ["read"])
        webhook, secret = register_webhook(session, token, url)
        return token.id, secret


def _score_a_call(sessions, settings, tmp_path, sample: str = "cen025") -> int:
    entry = next(json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text()
                 .splitlines() if json.loads(line)["id"] == sample)
    path = tmp_path / f"{sample}.json"
    path.write_text(json.dumps(entry, ensure_ascii=False))
    outcome = ingest_transcript(sessions, settings, path, transcript_metadata(path))
    assert outcome.status == "done"
    return outcome.call_id


def _deliveries(sessions) -> list[WebhookDelivery]:
    with sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _make_due(sessions) -> None:
    with sessions.begin() as session:
        session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))


def test_a_scored_call_is_posted_signed(sessions, settings, tmp_path, receiver):
    _, secret = _webhook(sessions, receiver.url)
    call_id = _score_a_call(sessions, settings, tmp_path)
    [pending] = _deliveries(sessions)
    assert (pending.status, pending.call_id, pending.attempts) == ("pending", call_id, 0)
    [result] = deliver_due(sessions, settings)
    assert (result.status, result.response_status, result.error) == ("delivered", 200, None)
    [request] = receiver.requests
    body = json.loads(request.body)
    assert (body["event"], body["call_id"], body["external_id"]) == (
        "call.scored", call_id, "cen025")
    assert body["score"] is not None and body["delivery_id"] == pending.id
    assert body["scorecard_url"] == f"/api/v1/calls/{call_id}/scorecard"
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-callqa-event"] == "call.scored"
    assert verify(secret, int(headers["x-callqa-timestamp"]), request.body,
                  headers["x-callqa-signature"])
    assert not verify("another secret", int(headers["x-callqa-timestamp"]), request.body,
                      headers["x-callqa-signature"])
    [sent] = _deliveries(sessions)
    assert (sent.status, sent.attempts, sent.response_status) == ("delivered", 1, 200)
    assert deliver_due(sessions, settings) == []  # sent once


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(sessions, settings,
                                                                   tmp_path, receiver):
    settings = replace(settings, webhook_max_attempts=3)
    _webhook(sessions, receiver.url)
    _score_a_call(sessions, settings, tmp_path)
    receiver.status = 500
    [first] = deliver_due(sessions, settings)
    assert (first.status, first.response_status, first.error) == (
        "pending", 500, "HTTP 500 Internal Server Error")
    [row] = _deliveries(sessions)
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)  # backs off
    assert deliver_due(sessions, settings) == []  # not due yet
    _make_due(sessions)
    assert deliver_due(sessions, settings)[0].status == "pending"
    _make_due(sessions)
    [last] = deliver_due(sessions, settings)
    assert last.status == "failed"
    [row] = _deliveries(sessions)
    assert (row.status, row.attempts, row.last_error) == (
        "failed", 3, "HTTP 500 Internal Server Error")
    _make_due(sessions)
    assert deliver_due(sessions, settings) == []  # given up
    assert len(receiver.requests) == 3


def test_a_receiver_that_hangs_or_is_not_there_is_recorded(sessions, settings, tmp_path,
                                                           receiver):
    settings = replace(settings, webhook_timeout_s=0.5)
    _webhook(sessions, receiver.url)
    _webhook(sessions, "http://127.0.0.1:9/nobody-listens")
    _score_a_call(sessions, settings, tmp_path)
    receiver.delay_s = 3
    started = time.monotonic()
    results = deliver_due(sessions, settings)
    assert time.monotonic() - started < 3  # the timeout, not the receiver, decides
    assert [r.status for r in results] == ["pending", "pending"]
    assert "timed out" in (results[0].error or "")
    assert "Connection refused" in (results[1].error or "") or "Errno" in (results[1].error or "")
    receiver.delay_s = 0
    _make_due(sessions)
    assert [r.status for r in deliver_due(sessions, settings)] == ["delivered", "pending"]


def test_a_revoked_integration_gets_no_more_deliveries(sessions, settings, tmp_path, receiver):
    token_id, _ = _webhook(sessions, receiver.url)
    with sessions.begin() as session:
        from callqa.models import ApiToken
        revoke_token(session.get(ApiToken, token_id))
    _score_a_call(sessions, settings, tmp_path)
    assert _deliveries(sessions) == []


def test_a_redirect_is_not_followed(sessions, settings, tmp_path, receiver):
    _webhook(sessions, receiver.url)
    _score_a_call(sessions, settings, tmp_path)
    receiver.status = 302
    [result] = deliver_due(sessions, settings)
    assert result.status == DeliveryStatus.PENDING and result.response_status == 302


def test_a_hanging_receiver_never_holds_up_the_worker(sessions, settings, samples, transcriber,
                                                      receiver):
    """The worker scores the call and finishes its run; the delivery times out in the
    background and is recorded for a retry."""
    from callqa.models import Call
    from callqa.qa.metadata import read_manifest
    from callqa.services.ingest import ingest_recording
    from callqa.services.worker import Worker

    settings = replace(settings, webhook_timeout_s=1.0)
    _webhook(sessions, receiver.url)
    receiver.delay_s = 120  # far longer than anything the worker may wait
    path, meta = next((p, m) for p, m in read_manifest(samples / "manifest.jsonl")
                      if m.external_id == "cen025")
    call_id = ingest_recording(sessions, settings, path, meta).call_id
    started = time.monotonic()
    [outcome] = Worker(sessions, settings, lambda: transcriber).run()
    assert time.monotonic() - started < 100
    assert (outcome.call_id, outcome.status) == (call_id, "done")
    with sessions() as session:
        assert session.get(Call, call_id).score is not None
    [delivery] = _deliveries(sessions)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "timed out" in delivery.last_error
    assert delivery.next_attempt_at > utcnow()


def test_the_scheduler_retries_due_deliveries(sessions, settings, tmp_path, receiver):
    from callqa.services.scheduler import run_once

    _webhook(sessions, receiver.url)
    _score_a_call(sessions, settings, tmp_path)
    receiver.status = 503
    assert deliver_due(sessions, settings)[0].status == "pending"
    receiver.status = 200
    _make_due(sessions)
    run = run_once(sessions, settings, "webhooks")
    assert run.ran and str(run.result) == (
        "1 webhook deliveries: 1 delivered, 0 to retry, 0 given up")
    assert [d.status for d in _deliveries(sessions)] == ["delivered"]
