"""The calls of the API: upload a recording, read a call's status, transcript and scorecard,
and list calls with the list's filters, a page at a time by cursor."""
from __future__ import annotations

import base64
import binascii
from dataclasses import fields
from typing import Any, get_type_hints

from flask import jsonify, request

from callqa.models import ApiScope, Call, CallStatus
from callqa.qa.metadata import CallMetadata, MetadataError, parse_metadata
from callqa.queries import directory
from callqa.queries.call_list import CallFilters, calls_before
from callqa.queries.call_page import call_page, find_call
from callqa.services.ingest import ingest_upload
from callqa.settings import InvalidValue, parse_value
from callqa.web import db
from callqa.web.api.auth import api_scope, bp, problem, requires
from callqa.web.api.shapes import call_shape, scorecard_shape, transcript_shape
from callqa.web.appctx import sessions, settings

METADATA_FIELDS = ("external_id", "agent_id", "agent_name", "customer_phone", "customer_name",
                   "customer_id", "queue", "language", "layout", "direction")
# list filters as CallFilters has them, less the UI's sorting; agent and queue are named by
# the ids and names other systems know (the agent's external id, the queue's name)
LIST_FILTERS = ("date_from", "date_to", "language", "score_min", "score_max", "failed_item",
                "fcr_status", "reviewed", "pending_review", "status", "test_call")
MAX_LIMIT = 200


@bp.post("/calls")
@requires(ApiScope.INGEST)
def upload_call():
    if request.mimetype != "multipart/form-data":
        return problem(415, "send multipart/form-data: the recording in `recording`, "
                            "the metadata as form fields")
    recording = request.files.get("recording")
    if recording is None or not recording.filename:
        return problem(422, "no recording", ["recording: a file part with a file name"])
    try:
        meta = _metadata(request.form)
    except MetadataError as exc:
        return problem(422, "the metadata is not valid", [str(exc)])
    refused = _outside_teams(meta)
    if refused is not None:
        return refused
    outcome = ingest_upload(sessions(), settings(), recording, meta)
    if outcome.call_id is None:
        return problem(422, "the recording was not stored", [outcome.message])
    call = find_call(db(), outcome.call_id)
    assert call is not None  # just stored
    if outcome.status == "duplicate" and not api_scope().allows(call):
        # the same recording, stored before as another team's call: not shown to this token
        return problem(409, "this recording is stored already, as a call outside this "
                            "token's teams")
    if outcome.status == "duplicate":
        return jsonify({"call": call_shape(call), "duplicate": True}), 200
    if outcome.status == CallStatus.FAILED:
        status = 415 if (outcome.problem and outcome.problem.msgid.startswith(
            "not an audio file")) else 422
        return problem(status, "the recording is stored but cannot be processed",
                       [outcome.message], call=call_shape(call))
    return jsonify({"call": call_shape(call), "duplicate": False}), 201


def _outside_teams(meta: CallMetadata):
    """For a token scoped to teams: 422 when the upload names no agent, 403 when its agent is
    not in the token's teams (a new agent is in none yet: put them in a team first, by callqa
    team add-agent or Admin, Teams). The token could never read such a call back, and it
    must not file calls under agents outside its teams."""
    scope = api_scope()
    if scope.agent_ids is None:
        return None
    if not meta.agent_id:
        return problem(422, "the metadata is not valid",
                       ["agent_id: required for a token scoped to teams"])
    agent = directory.agent_by_external_id(db(), meta.agent_id)
    if agent is None or not scope.has_agent(agent.id):
        return problem(403, f"agent {meta.agent_id} is not in this token's teams")
    return None


def _metadata(form: Any) -> CallMetadata:
    """The form fields, read as a sidecar's flat keys are (`test_call`: true/false)."""
    data = {name: form.get(name) for name in (*METADATA_FIELDS, "started_at", "test_call")
            if (form.get(name) or "").strip()}
    if "external_id" in data:
        data["id"] = data.pop("external_id")
    return parse_metadata(data, "request")


def _call(call_id: int) -> Call | None:
    """The call, if the token sees it (a call outside its teams is as good as none: 404)."""
    call = find_call(db(), call_id)
    return call if call is not None and api_scope().allows(call) else None


def _no_call(call_id: int):
    return problem(404, f"no call {call_id}")


@bp.get("/calls/<int:call_id>")
@requires(ApiScope.READ)
def call_status(call_id: int):
    call = _call(call_id)
    return jsonify(call_shape(call)) if call else _no_call(call_id)


@bp.get("/calls/<int:call_id>/transcript")
@requires(ApiScope.READ)
def call_transcript(call_id: int):
    call = _call(call_id)
    return jsonify(transcript_shape(call)) if call else _no_call(call_id)


@bp.get("/calls/<int:call_id>/scorecard")
@requires(ApiScope.READ)
def call_scorecard(call_id: int):
    call = _call(call_id)
    if call is None:
        return _no_call(call_id)
    if call.score is None:
        return problem(409, f"call {call_id} is not scored yet", call_status=str(call.status))
    return jsonify(scorecard_shape(call_page(db(), call)))


@bp.get("/calls")
@requires(ApiScope.READ)
def list_calls():
    reasons: list[str] = []
    filters = _filters(reasons)
    limit = _limit(reasons)
    before = _cursor(reasons)
    if reasons:
        return problem(422, "the query is not valid", reasons)
    assert filters is not None
    calls, more = calls_before(db(), filters, before, limit)
    next_cursor = _encode_cursor(calls[-1].id) if more and calls else None
    return jsonify({"calls": [call_shape(call) for call in calls], "next_cursor": next_cursor})


def _filters(reasons: list[str]) -> CallFilters | None:
    types = get_type_hints(CallFilters)
    values: dict[str, Any] = {}
    args = request.args
    for f in fields(CallFilters):
        if f.name not in LIST_FILTERS or args.get(f.name, "") == "":
            continue
        try:
            values[f.name] = parse_value(types[f.name], args[f.name], f.name)
        except InvalidValue as exc:
            reasons.append(str(exc))
    if args.get("agent_id"):
        agent = directory.agent_by_external_id(db(), args["agent_id"])
        values["agent_id"] = agent.id if agent else -1  # an unknown agent has no calls
    if args.get("queue"):
        queue = directory.queue_by_name(db(), args["queue"])
        values["queue_id"] = queue.id if queue else -1
    return CallFilters(**values, scope=api_scope())


def _limit(reasons: list[str]) -> int:
    raw = request.args.get("limit", "")
    if raw == "":
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        reasons.append(f"limit: {raw!r} is not a whole number from 1 to {MAX_LIMIT}")
        return 50
    return int(raw)


def _encode_cursor(call_id: int) -> str:
    return base64.urlsafe_b64encode(f"before:{call_id}".encode()).decode().rstrip("=")


def _cursor(reasons: list[str]) -> int | None:
    raw = request.args.get("cursor", "")
    if raw == "":
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    kind, _, number = text.partition(":")
    if kind != "before" or not number.isdigit():
        reasons.append("cursor: not a cursor this API gave (use next_cursor as it is)")
        return None
    return int(number)
