"""Webhooks of the calling integration: register, list, see deliveries, remove."""
from __future__ import annotations

from flask import jsonify, request

from callqa.models import ApiScope
from callqa.services.integrations import (
    IntegrationError,
    recent_deliveries,
    register_webhook,
    unregister_webhook,
    webhook_of,
    webhooks_of,
)
from callqa.web import db
from callqa.web.api.auth import api_token, bp, problem, requires
from callqa.web.api.shapes import delivery_shape, webhook_shape


@bp.post("/webhooks")
@requires(ApiScope.READ)
def add_webhook():
    if not request.is_json:
        return problem(415, "send the webhook as application/json")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return problem(422, "the webhook is not valid", ["the body: a JSON object"])
    reasons = []
    url, secret, events = data.get("url"), data.get("secret"), data.get("events")
    if not isinstance(url, str):
        reasons.append("url: a string")
    if secret is not None and not isinstance(secret, str):
        reasons.append("secret: a string")
    if events is not None and not (isinstance(events, list)
                                   and all(isinstance(e, str) for e in events)):
        reasons.append("events: a list of event names")
    if reasons or not isinstance(url, str):
        return problem(422, "the webhook is not valid", reasons)
    try:
        webhook, secret = register_webhook(
            db(), api_token(), url, secret, *([events] if events is not None else []))
    except IntegrationError as exc:
        db().rollback()
        return problem(422, "the webhook is not valid", [str(exc)])
    db().commit()
    return jsonify({**webhook_shape(webhook), "secret": secret}), 201


@bp.get("/webhooks")
@requires(ApiScope.READ)
def list_webhooks():
    return jsonify({"webhooks": [webhook_shape(w) for w in webhooks_of(db(), api_token())]})


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@requires(ApiScope.READ)
def webhook_deliveries(webhook_id: int):
    webhook = webhook_of(db(), api_token(), webhook_id)
    if webhook is None:
        return problem(404, f"no webhook {webhook_id}")
    return jsonify({"deliveries": [delivery_shape(d) for d in recent_deliveries(db(), webhook)]})


@bp.delete("/webhooks/<int:webhook_id>")
@requires(ApiScope.READ)
def remove_webhook(webhook_id: int):
    webhook = webhook_of(db(), api_token(), webhook_id)
    if webhook is None:
        return problem(404, f"no webhook {webhook_id}")
    unregister_webhook(webhook)
    db().commit()
    return "", 204
