"""Upload a recording with its metadata: it is stored and queued for the worker."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from callqa.models import CallStatus
from callqa.qa.messages import N_
from callqa.qa.metadata import DIRECTIONS, CallMetadata, MetadataError, validate_metadata
from callqa.qa.transcription import LAYOUTS
from callqa.services.ingest import IngestOutcome, ingest_upload, storage_error
from callqa.web.access import SUPERVISORS, roles_required
from callqa.web.appctx import sessions, settings
from callqa.web.i18n import gettext as _
from callqa.web.i18n import translated

bp = Blueprint("upload", __name__)
TEXT_FIELDS = ("external_id", "agent_id", "agent_name", "customer_phone", "customer_name",
               "customer_id", "queue", "language", "layout", "direction")


@bp.get("/upload")
@roles_required(*SUPERVISORS)
def form():
    return _form({})


def _form(values: dict[str, str], status: int = 200):
    return render_template("upload/form.html", values=values, layouts=LAYOUTS,
                           directions=DIRECTIONS), status


@bp.post("/upload")
@roles_required(*SUPERVISORS)
def upload():
    values = {name: request.form.get(name, "").strip()
              for name in (*TEXT_FIELDS, "started_at", "test_call")}
    recording = request.files.get("recording")
    if recording is None or not recording.filename:
        flash(_("Choose a recording."), "error")
        return _form(values, 400)
    try:
        meta = _metadata(values)
    except MetadataError as exc:
        flash(_("The metadata is not valid: %(problem)s",
                problem=translated(exc.message.msgid, exc.message.params)), "error")
        return _form(values, 400)
    try:
        outcome = ingest_upload(sessions(), settings(), recording, meta)
    except OSError as exc:  # the upload could not be saved to be read (the disk is full...)
        flash(_("The recording was not stored: %(problem)s", problem=storage_error(exc)),
              "error")
        return _form(values, 503)
    if outcome.call_id is None:
        flash(_("The recording was not stored: %(problem)s", problem=_problem(outcome)),
              "error")
        return _form(values, 503 if outcome.status == "error" else 400)
    messages = {CallStatus.QUEUED: _("Recording queued for transcription."),
                "duplicate": _("This recording is already stored."),
                CallStatus.FAILED: _("The recording is stored but cannot be processed: %(problem)s",
                                     problem=_problem(outcome))}
    failed = outcome.status == CallStatus.FAILED
    flash(messages.get(outcome.status, outcome.status), "error" if failed else "ok")
    return redirect(url_for("calls.show", call_id=outcome.call_id), code=303)


@bp.errorhandler(OSError)
def _not_saved(exc: OSError):
    """The upload could not be saved where the body is read to (the disk is full...): said
    on the form, not a bare 500. The body is read by the CSRF check, before the view."""
    flash(_("The recording was not stored: %(problem)s", problem=storage_error(exc)), "error")
    return _form({}, 503)


def _problem(outcome: IngestOutcome) -> str:
    """Why the stored recording cannot be processed, in the UI language."""
    problem = outcome.problem
    return translated(problem.msgid, problem.params) if problem else outcome.message


def _metadata(values: dict[str, str]) -> CallMetadata:
    started = values["started_at"]
    try:
        started_at = datetime.fromisoformat(started) if started else None
    except ValueError as exc:
        raise MetadataError(N_("%(source)s: started_at %(value)s is not an ISO 8601 time"),
                            source=_("form"), value=repr(started)) from exc
    if started_at is not None and started_at.tzinfo is None:
        started_at = started_at.astimezone()  # a time from the form is the server's local time
    texts: dict[str, Any] = {name: values[name] or None for name in TEXT_FIELDS}
    meta = CallMetadata(started_at=started_at, test_call=values.get("test_call") == "1",
                        **texts)
    validate_metadata(meta, _("form"))
    return meta

