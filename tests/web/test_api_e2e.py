"""End to end, as a contact center plugs callqa in: its phone system uploads a recording over
HTTP, the real worker transcribes it with the bundled model and scores it, the CRM's webhook
receiver (a real local server) gets the signed event, and reads the scorecard back."""
from __future__ import annotations

import json

import requests
from apitools import bearer, make_token, served
from receiver import start_receiver
from webtools import SAMPLES, dispose, make_app

from callqa.qa.signing import verify
from callqa.services.worker import Worker


def test_upload_process_webhook_and_read_the_score_back(settings, transcriber):
    app = make_app(settings)
    receiver = start_receiver()
    try:
        with served(app) as base:
            _upload_process_and_read(app, base, receiver, transcriber)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        dispose(app)


def _upload_process_and_read(app, base: str, receiver, transcriber) -> None:
    token = make_token(app, "ingest", "read", name="contact center")
    hook = requests.post(f"{base}/api/v1/webhooks", headers=bearer(token),
                         json={"url": receiver.url}, timeout=30)
    assert hook.status_code == 201, hook.text
    secret = hook.json()["secret"]

    with open(SAMPLES / "cen025.flac", "rb") as recording:
        uploaded = requests.post(f"{base}/api/v1/calls", headers=bearer(token), timeout=60,
                                 files={"recording": ("cen025.flac", recording, "audio/flac")},
                                 data={"external_id": "PBX-4711", "agent_id": "A11",
                                       "agent_name": "John Carter", "language": "en",
                                       "layout": "agent-left",
                                       "customer_phone": "+1 555 0101",
                                       "started_at": "2026-11-04T09:35:00Z"})
    assert uploaded.status_code == 201, uploaded.text
    call_id = uploaded.json()["call"]["id"]
    status = requests.get(f"{base}/api/v1/calls/{call_id}", headers=bearer(token), timeout=30)
    assert status.json()["status"] == "queued"

    worker = Worker(app.extensions["callqa_sessions"], app.config["CALLQA_SETTINGS"],
                    lambda: transcriber)
    [outcome] = worker.run()  # the run ends once its webhooks went out
    assert (outcome.call_id, outcome.status) == (call_id, "done")

    [delivery] = receiver.wait(1)
    headers = {k.lower(): v for k, v in delivery.headers.items()}
    assert verify(secret, int(headers["x-callqa-timestamp"]), delivery.body,
                  headers["x-callqa-signature"])
    event = json.loads(delivery.body)
    assert (event["event"], event["call_id"], event["external_id"]) == (
        "call.scored", call_id, "PBX-4711")

    card = requests.get(base + event["scorecard_url"], headers=bearer(token), timeout=30)
    assert card.status_code == 200, card.text
    scorecard = card.json()
    assert scorecard["score"] == event["score"] is not None
    verdicts = {item["id"]: item["verdict"] for item in scorecard["items"]}
    assert verdicts["greeting"] == "passed"  # "Hello, this is John Carter at Northwind..."
    greeting = next(item for item in scorecard["items"] if item["id"] == "greeting")
    assert greeting["evidence"] and greeting["evidence"][0]["speaker"] == "agent"
    assert scorecard["fcr"]["status"] in ("fcr", "not_fcr", "pending")
    transcript = requests.get(f"{base}/api/v1/calls/{call_id}/transcript",
                              headers=bearer(token), timeout=30).json()
    assert {u["speaker"] for u in transcript["utterances"]} == {"agent", "customer"}
    deliveries = requests.get(f"{base}/api/v1/webhooks/{hook.json()['id']}/deliveries",
                              headers=bearer(token), timeout=30).json()["deliveries"]
    assert [(d["status"], d["call_id"], d["response_status"]) for d in deliveries] == [
        ("delivered", call_id, 200)]
