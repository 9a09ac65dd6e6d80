"""The OpenAPI document of /api/v1, served at /api/v1/openapi.json. tests/web/test_api_spec.py
keeps it true: every route is in it with its scope, and the answers match its schemas."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from callqa.models import CallStatus
from callqa.qa.fcr.contacts import FcrStatus
from callqa.qa.surveys import CSAT_RANGE, NPS_RANGE
from callqa.web.api.auth import bp

__all__ = ["document"]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_STR, _INT, _NUM, _BOOL = ({"type": "string"}, {"type": "integer"}, {"type": "number"},
                           {"type": "boolean"})
_TIME = {"type": "string", "format": "date-time"}
_OBJECT = {"type": "object", "additionalProperties": True}
_LABEL = {"type": "object", "additionalProperties": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _closed(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties),
            "additionalProperties": False}


_WEBHOOK = {"id": _INT, "url": _STR, "events": {"type": "array", "items": _STR},
            "created_at": _TIME}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "additionalProperties": True,
              "properties": {"error": _STR, "reasons": {"type": "array", "items": _STR}}},
    "Call": _closed({
        "id": _INT, "external_id": _nullable(_STR),
        "status": {"type": "string", "enum": [str(s) for s in CallStatus]},
        "error": _nullable(_STR), "source": _STR, "original_filename": _STR,
        "started_at": _nullable(_TIME), "duration_s": _nullable(_NUM),
        "language": _nullable(_STR), "direction": _STR, "layout": _nullable(_STR),
        "test_call": _BOOL,
        "agent": _nullable(_closed({"id": _STR, "name": _STR})),
        "queue": _nullable(_STR),
        "customer": _closed({"phone": _nullable(_STR), "name": _nullable(_STR)}),
        "score": _nullable(_NUM), "needs_review": _nullable(_BOOL), "flagged": _nullable(_BOOL),
        "fcr_status": _nullable({"type": "string", "enum": [str(s) for s in FcrStatus]}),
        "created_at": _TIME, "updated_at": _TIME,
    }),
    "CallList": _closed({"calls": {"type": "array", "items": _ref("Call")},
                         "next_cursor": _nullable(_STR)}),
    "Upload": _closed({"call": _ref("Call"), "duplicate": _BOOL}),
    "Transcript": _closed({
        "call_id": _INT, "status": _STR, "language": _nullable(_STR),
        "speakers_known": _nullable(_BOOL),
        "utterances": {"type": "array", "items": _closed({
            "speaker": _STR, "channel": _nullable(_INT), "start": _NUM, "end": _NUM,
            "text": _STR})},
    }),
    "Scorecard": _closed({
        "call_id": _INT, "scorecard": _closed({"name": _STR, "version": _STR}),
        "score": _nullable(_NUM), "machine_score": _nullable(_NUM), "needs_review": _BOOL,
        "flagged": _BOOL, "capped": _BOOL, "scored_at": _TIME,
        "items": {"type": "array", "items": _closed({
            "id": _STR, "label": _LABEL,
            "verdict": {"type": "string",
                        "enum": ["passed", "failed", "not_applicable", "review"]},
            "machine_verdict": _STR, "weight": _NUM, "critical": _BOOL, "overridden": _BOOL,
            "explanation": _LABEL, "looked_in": _nullable(_OBJECT),
            "evidence": {"type": "array", "items": _OBJECT}})},
        "metrics": _OBJECT,
        "fcr": _nullable(_closed({
            "status": {"type": "string", "enum": [str(s) for s in FcrStatus]},
            "reasons": {"type": "array", "items": _OBJECT},
            "topics": {"type": "array", "items": _STR},
            "repeat_of": {"type": "array", "items": _INT}, "window_ends_at": _TIME})),
    }),
    "SurveyIn": {
        "type": "object", "additionalProperties": False,
        "description": "One answer. Which call: call_id, external_id, or customer_phone with "
                       "responded_at (the customer's last call before it, within the window).",
        "properties": {
            "call_id": {"type": "integer", "minimum": 1}, "external_id": _STR,
            "customer_phone": _STR, "responded_at": _TIME,
            "nps": {"type": "integer", "minimum": NPS_RANGE[0], "maximum": NPS_RANGE[1]},
            "csat": {"type": "integer", "minimum": CSAT_RANGE[0], "maximum": CSAT_RANGE[1]},
            "comment": {"type": "string", "maxLength": 4000}},
    },
    "Survey": _closed({
        "call_id": _INT, "nps": _nullable(_INT), "csat": _nullable(_INT),
        "comment": _nullable(_STR), "responded_at": _nullable(_TIME), "source": _STR,
        "received_at": _TIME}),
    "SurveyStored": _closed({"survey": _ref("Survey"), "replaced": _BOOL}),
    "WebhookIn": {
        "type": "object", "required": ["url"], "additionalProperties": False,
        "properties": {"url": {"type": "string", "format": "uri"},
                       "secret": {"type": "string", "minLength": 16, "maxLength": 200},
                       "events": {"type": "array", "items": {"enum": ["call.scored"]}}}},
    "Webhook": _closed(_WEBHOOK),
    "WebhookCreated": _closed({**_WEBHOOK, "secret": _STR}),
    "WebhookList": _closed({"webhooks": {"type": "array", "items": _ref("Webhook")}}),
    "DeliveryList": _closed({"deliveries": {"type": "array", "items": _closed({
        "id": _INT, "event": _STR, "call_id": _nullable(_INT),
        "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
        "attempts": _INT, "response_status": _nullable(_INT), "last_error": _nullable(_STR),
        "next_attempt_at": _TIME, "created_at": _TIME, "delivered_at": _nullable(_TIME)})}}),
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {401: "No token, or an unknown or revoked one",
             403: "The token lacks the scope (or, uploading, the agent is not in its teams)",
             404: "No such call (or webhook), or a call outside the token's teams",
             409: "Not scored yet (uploading: stored already as a call outside the token's "
                  "teams)",
             413: "The recording is over the upload limit", 415: "Not the content type",
             422: "Not valid: every reason is in `reasons`"}
    return {str(code): _json("Error", texts[code]) for code in (401, 403, *codes)}


_CALL_ID = {"name": "call_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 0}}
_WEBHOOK_ID = {"name": "webhook_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 0}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


_LIST_PARAMETERS = [
    _query("agent_id", _STR, "The agent's id in your systems (as in the call metadata)"),
    _query("queue", _STR, "The queue's name"),
    _query("date_from", {"type": "string", "format": "date"}, "Started on or after (UTC)"),
    _query("date_to", {"type": "string", "format": "date"}, "Started on or before (UTC)"),
    _query("language", _STR, "Two-letter code"),
    _query("score_min", _NUM, "Score at least"), _query("score_max", _NUM, "Score at most"),
    _query("failed_item", _STR, "A checklist item that failed"),
    _query("fcr_status", {"type": "string", "enum": [str(s) for s in FcrStatus]}, "FCR"),
    _query("reviewed", _BOOL, "Marked reviewed by a supervisor"),
    _query("pending_review", _BOOL, "The score waits on items only a person can decide"),
    _query("status", {"type": "string", "enum": [str(s) for s in CallStatus]}, "Processing"),
    _query("test_call", _BOOL, "Mystery-shopper and manager calls only (or none of them)"),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "Calls per page (50)"),
    _query("cursor", _STR, "`next_cursor` of the previous page"),
]

_UPLOAD_FORM = {
    "type": "object", "required": ["recording"],
    "properties": {
        "recording": {"type": "string", "format": "binary"},
        **{name: _STR for name in ("external_id", "agent_id", "agent_name", "customer_phone",
                                   "customer_name", "customer_id", "queue")},
        "language": {"type": "string", "description": "pl, en, ... or auto"},
        "layout": {"type": "string", "enum": ["agent-left", "agent-right", "mono"]},
        "direction": {"type": "string", "enum": ["inbound", "outbound", "internal"]},
        "started_at": {"type": "string", "format": "date-time"},
        "test_call": {"type": "boolean"},
    },
}


def _operation(scope: str, summary: str, responses: dict[str, Any], **rest: Any
               ) -> dict[str, Any]:
    return {"summary": summary, "x-callqa-scope": scope, "security": [{"token": []}],
            "responses": responses, **rest}


PATHS: dict[str, Any] = {
    "/api/v1/calls": {
        "get": _operation("read", "Calls matching the filters, newest first, by cursor", {
            "200": _json("CallList", "A page of calls"), **_errors(422)},
            parameters=_LIST_PARAMETERS),
        "post": _operation("ingest", "Upload a recording with its metadata", {
            "201": _json("Upload", "Stored and queued for transcription"),
            "200": _json("Upload", "The same audio is already stored: that call"),
            **_errors(409, 413, 415, 422)},
            requestBody={"required": True, "content": {
                "multipart/form-data": {"schema": _UPLOAD_FORM}}}),
    },
    "/api/v1/calls/{call_id}": {
        "get": _operation("read", "A call and its processing status", {
            "200": _json("Call", "The call"), **_errors(404)}, parameters=[_CALL_ID])},
    "/api/v1/calls/{call_id}/transcript": {
        "get": _operation("read", "Who said what, when", {
            "200": _json("Transcript", "The transcript (empty until transcribed)"),
            **_errors(404)}, parameters=[_CALL_ID])},
    "/api/v1/calls/{call_id}/scorecard": {
        "get": _operation("read", "The checklist with its evidence, the score and FCR", {
            "200": _json("Scorecard", "The scorecard"), **_errors(404, 409)},
            parameters=[_CALL_ID])},
    "/api/v1/surveys": {
        "post": _operation("surveys", "A post-call survey answer", {
            "201": _json("SurveyStored", "Stored with its call"),
            "200": _json("SurveyStored", "Replaced the call's earlier answer"),
            **_errors(415, 422)},
            requestBody={"required": True, "content": {
                "application/json": {"schema": _ref("SurveyIn")}}})},
    "/api/v1/webhooks": {
        "get": _operation("read", "This integration's webhooks", {
            "200": _json("WebhookList", "The webhooks")}),
        "post": _operation("read", "POST a signed event to a URL when a call is scored", {
            "201": _json("WebhookCreated", "Registered; `secret` signs its deliveries"),
            **_errors(415, 422)},
            requestBody={"required": True, "content": {
                "application/json": {"schema": _ref("WebhookIn")}}})},
    "/api/v1/webhooks/{webhook_id}": {
        "delete": _operation("read", "Stop a webhook", {
            "204": {"description": "Removed"}, **_errors(404)}, parameters=[_WEBHOOK_ID])},
    "/api/v1/webhooks/{webhook_id}/deliveries": {
        "get": _operation("read", "A webhook's last 100 deliveries and their outcomes", {
            "200": _json("DeliveryList", "The deliveries"), **_errors(404)},
            parameters=[_WEBHOOK_ID])},
}

_DESCRIPTION = """\
Plug callqa into a contact center: the phone system uploads recordings, the CRM reads scores
back or is told when a call is scored, and the survey tool sends customers' answers.

Authenticate with `Authorization: Bearer <token>`: an administrator makes a token per
integration (Admin, API tokens) with the scopes it needs: `ingest` (upload), `read` (calls,
transcripts, scorecards, webhooks), `surveys` (answers in).

A token may be scoped to teams, as a supervisor is given teams: it then sees only the calls
of those teams' agents on every endpoint (another call is 404, a survey for it finds no
call), its webhooks get events only for those calls, and it uploads only for those agents
(403 for another agent, 422 when `agent_id` is missing). A token with no team sees every call.

A webhook delivery is a POST of a JSON event with the headers `X-Callqa-Event`,
`X-Callqa-Delivery`, `X-Callqa-Timestamp` and `X-Callqa-Signature`: `sha256=` and the hex
HMAC-SHA256, keyed with the webhook's secret, of the timestamp, a dot and the body. A receiver
that does not answer 2xx within the timeout is tried again later, with backoff."""


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "callqa API", "version": "1", "description": _DESCRIPTION},
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
