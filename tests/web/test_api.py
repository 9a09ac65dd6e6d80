"""The API under /api/v1: Bearer tokens only, each endpoint behind its scope, and what each
endpoint answers, on the real sample calls."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from apitools import bearer, make_token
from sqlalchemy import select
from webtools import SAMPLES, session_browser

from callqa.models import ApiToken, Call, Survey
from callqa.services.integrations import revoke_token

# (method, path, the scope it needs); {call} is a scored sample call
ENDPOINTS = [
    ("GET", "/api/v1/calls", "read"),
    ("GET", "/api/v1/calls/{call}", "read"),
    ("GET", "/api/v1/calls/{call}/transcript", "read"),
    ("GET", "/api/v1/calls/{call}/scorecard", "read"),
    ("POST", "/api/v1/calls", "ingest"),
    ("POST", "/api/v1/surveys", "surveys"),
    ("GET", "/api/v1/webhooks", "read"),
    ("POST", "/api/v1/webhooks", "read"),
]


def _send(client, method: str, path: str, headers: dict[str, str]):
    if method == "GET":
        return client.get(path, headers=headers)
    if path.endswith("/calls"):
        return client.post(path, headers=headers, content_type="multipart/form-data",
                           data={"recording": (io.BytesIO(b"not audio"), "x.wav")})
    return client.post(path, headers=headers, json={})


def test_each_endpoint_needs_a_token_with_its_scope(app, world):
    client = app.test_client()
    tokens = {scope: make_token(app, scope, name=scope) for scope in ("ingest", "read", "surveys")}
    for method, template, needed in ENDPOINTS:
        path = template.format(call=world.own_call)
        anonymous = _send(client, method, path, {})
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        assert _send(client, method, path, bearer("cqa_made-up")).status_code == 401
        for scope, token in tokens.items():
            status = _send(client, method, path, bearer(token)).status_code
            if scope == needed:
                assert status not in (401, 403), (method, path, scope, status)
            else:
                assert status == 403, (method, path, scope, status)


def test_the_ui_session_cookie_is_no_way_into_the_api(app, world):
    admin = session_browser(app, world.users["admin"])
    assert admin.get("/calls").status_code == 200  # signed in to the UI
    assert admin.get("/api/v1/calls").status_code == 401
    assert admin.client.post("/api/v1/surveys", json={"call_id": world.own_call,
                                                      "nps": 10}).status_code == 401


def test_the_api_is_exempt_from_csrf_and_the_ui_is_not(app, world, session):
    """A token is no cookie a browser sends by itself, so the API takes posts without a CSRF
    token; the UI's forms still refuse them."""
    token = make_token(app, "surveys")
    client = app.test_client()
    posted = client.post("/api/v1/surveys", headers=bearer(token),
                         json={"call_id": world.own_call, "nps": 9})
    assert posted.status_code == 201
    supervisor = session_browser(app, world.users["supervisor"])
    refused = supervisor.client.post(f"/calls/{world.own_call}/feedback",
                                     data={"text": "no token"})
    assert refused.status_code == 400


def test_a_revoked_token_is_refused_and_tokens_are_stored_hashed(app, world, session):
    token = make_token(app, "read")
    client = app.test_client()
    assert client.get("/api/v1/calls", headers=bearer(token)).status_code == 200
    row = session.scalars(select(ApiToken)).one()
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert row.last_used_at is not None
    revoke_token(row)
    session.commit()
    refused = client.get("/api/v1/calls", headers=bearer(token))
    assert refused.status_code == 401 and refused.json["error"] == "unknown or revoked API token"


def test_the_list_pages_by_cursor_through_every_match_once(app, world):
    token = make_token(app, "read")
    client = app.test_client()
    seen: list[int] = []
    url = "/api/v1/calls?limit=3"
    while url:
        page = client.get(url, headers=bearer(token))
        assert page.status_code == 200
        seen += [call["id"] for call in page.json["calls"]]
        cursor = page.json["next_cursor"]
        url = f"/api/v1/calls?limit=3&cursor={cursor}" if cursor else ""
    assert seen == sorted(set(world.calls.values()) | set(world.audio.values()), reverse=True)
    done = client.get("/api/v1/calls?status=done&language=pl&agent_id=A02",
                      headers=bearer(token)).json["calls"]
    assert [call["id"] for call in done] == [world.calls["cpl004"]]
    assert done[0]["agent"] == {"id": "A02", "name": "Piotr Wiśniewski"}
    assert client.get("/api/v1/calls?queue=no-such-queue",
                      headers=bearer(token)).json["calls"] == []


def test_bad_list_queries_get_every_reason(app, world):
    token = make_token(app, "read")
    bad = app.test_client().get("/api/v1/calls?limit=0&score_min=high&cursor=xyz&status=lost",
                                headers=bearer(token))
    assert bad.status_code == 422
    reasons = " ".join(bad.json["reasons"])
    for name in ("limit", "score_min", "cursor", "status"):
        assert f"{name}:" in reasons


def test_status_transcript_and_scorecard_of_a_call(app, world):
    token = make_token(app, "read")
    client = app.test_client()
    call = client.get(f"/api/v1/calls/{world.own_call}", headers=bearer(token)).json
    assert (call["status"], call["external_id"], call["agent"]["id"]) == ("done", "cen025", "A11")
    transcript = client.get(f"/api/v1/calls/{world.own_call}/transcript",
                            headers=bearer(token)).json
    assert transcript["utterances"][0]["speaker"] == "agent"
    assert transcript["utterances"][0]["text"].startswith("Hello")
    card = client.get(f"/api/v1/calls/{world.own_call}/scorecard", headers=bearer(token)).json
    greeting = next(item for item in card["items"] if item["id"] == "greeting")
    assert greeting["verdict"] == "passed"
    assert greeting["evidence"][0]["matched"] == "Hello"
    assert card["fcr"]["status"] in ("fcr", "not_fcr", "pending")
    assert card["score"] == call["score"]
    queued = client.get(f"/api/v1/calls/{world.audio['cen025']}/scorecard",
                        headers=bearer(token))
    assert queued.status_code == 409 and queued.json["call_status"] == "queued"
    missing = client.get("/api/v1/calls/999999", headers=bearer(token))
    assert missing.status_code == 404 and missing.json == {"error": "no call 999999"}


def _upload(client, token: str, data: bytes, name: str, **fields):
    return client.post("/api/v1/calls", headers=bearer(token),
                       content_type="multipart/form-data",
                       data={"recording": (io.BytesIO(data), name), **fields})


def test_an_upload_is_queued_with_its_metadata_and_deduplicated(app, world, session):
    token = make_token(app, "ingest")
    client = app.test_client()
    wav = (SAMPLES / "cpl005.wav").read_bytes()
    data = wav[:44] + bytes(len(wav) - 44)  # a header and silence: new audio
    stored = _upload(client, token, data, "rozmowa.wav", external_id="PBX-1", agent_id="A07",
                     customer_phone="601 200 300", language="pl", layout="mono",
                     started_at="2026-11-20T09:30:00+01:00", test_call="true")
    assert stored.status_code == 201, stored.json
    assert stored.json["duplicate"] is False
    call = session.get(Call, stored.json["call"]["id"])
    assert (call.status, call.external_id, call.language, call.channel_layout, call.test_call,
            call.customer_key) == ("queued", "PBX-1", "pl", "mono", True, "+48601200300")
    again = _upload(client, token, data, "again.wav")
    assert again.status_code == 200
    assert again.json["duplicate"] is True and again.json["call"]["id"] == call.id


def test_bad_uploads_get_413_415_422_with_reasons(app, world, session):
    token = make_token(app, "ingest")
    client = app.test_client()
    count = len(session.scalars(select(Call)).all())
    not_form = client.post("/api/v1/calls", headers=bearer(token), json={"recording": "x"})
    assert not_form.status_code == 415
    no_file = client.post("/api/v1/calls", headers=bearer(token),
                          content_type="multipart/form-data", data={"language": "en"})
    assert no_file.status_code == 422 and no_file.json["reasons"]
    bad_meta = _upload(client, token, b"RIFF", "x.wav", language="polish",
                       started_at="2026-11-20T09:30:00")
    assert bad_meta.status_code == 422
    assert "language 'polish'" in bad_meta.json["reasons"][0]
    assert len(session.scalars(select(Call)).all()) == count  # nothing stored
    playlist = _upload(client, token, b"#EXTM3U\nhttp://example.invalid/x.mp3\n", "l.m3u")
    assert playlist.status_code == 415
    assert playlist.json["reasons"] == ["not an audio file: content is an M3U playlist"]
    assert playlist.json["call"]["status"] == "failed"  # stored with its reason, as the UI does
    truncated = _upload(client, token, (SAMPLES / "cpl005.wav").read_bytes()[:30], "t.wav")
    assert truncated.status_code == 422 and truncated.json["call"]["status"] == "failed"


def test_a_recording_over_the_upload_limit_is_413(settings, tmp_path):
    from webtools import dispose, make_app

    app = make_app(settings, MAX_CONTENT_LENGTH=1000)
    try:
        token = make_token(app, "ingest")
        too_big = _upload(app.test_client(), token, bytes(5000), "big.wav")
        assert too_big.status_code == 413 and "error" in too_big.json
    finally:
        dispose(app)


def test_surveys_come_in_by_call_id_external_id_or_phone(app, world, session):
    token = make_token(app, "surveys")
    client = app.test_client()
    # the world holds each sample twice (transcript and recording): its id names two calls
    ambiguous = client.post("/api/v1/surveys", headers=bearer(token),
                            json={"external_id": "cpl004", "nps": 3})
    assert ambiguous.status_code == 422
    assert ambiguous.json["reasons"] == ["external_id: several calls have 'cpl004'; give call_id"]
    first = client.post("/api/v1/surveys", headers=bearer(token),
                        json={"call_id": world.calls["cpl004"], "nps": 3, "csat": 2,
                              "comment": "Długo czekałem."})
    assert first.status_code == 201 and first.json["replaced"] is False
    assert first.json["survey"]["call_id"] == world.calls["cpl004"]
    again = client.post("/api/v1/surveys", headers=bearer(token),
                        json={"call_id": world.calls["cpl004"], "nps": 6})
    assert again.status_code == 200 and again.json["replaced"] is True
    survey = session.scalars(select(Survey).where(
        Survey.call_id == world.calls["cpl004"])).one()
    assert (survey.nps, survey.csat, survey.comment, survey.source) == (6, None, None, "api")
    call = session.get(Call, world.own_call)  # cen025, the customer +1 555 0101
    by_phone = client.post("/api/v1/surveys", headers=bearer(token), json={
        "customer_phone": "+1 555 0101", "nps": 10,
        "responded_at": (call.started_at + timedelta(hours=1)).isoformat()})
    assert by_phone.status_code == 201, by_phone.json
    # the customer's last call before the answer; of two at the same time, the newer record
    assert by_phone.json["survey"]["call_id"] == world.audio["cen025"]
    too_late = client.post("/api/v1/surveys", headers=bearer(token), json={
        "customer_phone": "+1 555 0101", "nps": 10,
        "responded_at": (call.started_at + timedelta(hours=73)).isoformat()})
    assert too_late.status_code == 422


@pytest.mark.parametrize("body, reason", [
    ({"call_id": 1, "nps": 11}, "nps: 11 is not a whole number from 0 to 10"),
    ({"call_id": 1, "csat": 0}, "csat: 0 is not a whole number from 1 to 5"),
    ({"call_id": 1}, "no answer: give nps, csat or a comment"),
    ({"nps": 5}, "which call: give call_id, external_id, or customer_phone with responded_at"),
    ({"customer_phone": "+48 600 100 200", "nps": 5},
     "responded_at: needed to match a survey by customer_phone"),
    ({"call_id": 999999, "nps": 5}, "call_id: no call 999999"),
    ({"customer_phone": "+48 600 100 200", "nps": 5, "responded_at": "2026-11-05T10:00:00Z"},
     "no call of +48600100200 in the 72 h before 2026-11-05T10:00:00+00:00"),
])
def test_a_survey_that_cannot_be_stored_says_why(app, world, body, reason):
    token = make_token(app, "surveys")
    refused = app.test_client().post("/api/v1/surveys", headers=bearer(token), json=body)
    assert refused.status_code == 422
    assert reason in refused.json["reasons"]


def test_errors_of_the_api_are_json(app, world):
    token = make_token(app, "read")
    client = app.test_client()
    assert client.get("/api/v1/nothing", headers=bearer(token)).json["error"]
    wrong_method = client.put("/api/v1/calls", headers=bearer(token))
    assert wrong_method.status_code == 405 and wrong_method.json["error"]
