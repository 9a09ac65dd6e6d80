"""The call list, the call page and the recording, streamed with Range support."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, current_app, g, render_template, send_file
from flask import request as flask_request

from callqa.models import Call, CallStatus, CoachingNote, ReviewAssignment, User
from callqa.qa.fcr.contacts import FcrStatus
from callqa.queries import directory
from callqa.queries.arguments import Rejections
from callqa.queries.assignments import call_assignments, reviewers
from callqa.queries.call_list import SORTS, CallFilters, call_list_query
from callqa.queries.call_page import call_page
from callqa.queries.coaching import call_coaching
from callqa.queries.export import POLISH_CSV, CsvFormat, csv_lines
from callqa.services.assignments import is_own_call
from callqa.services.score_store import rules_for
from callqa.web import db
from callqa.web.access import (
    SUPERVISORS,
    is_supervisor,
    login_required,
    roles_required,
    user_scope,
    visible_call,
)
from callqa.web.appctx import settings
from callqa.web.assignment_views import default_due
from callqa.web.i18n import gettext as _
from callqa.web.i18n import pick, translator
from callqa.web.listing import call_list, say_ignored, sort_url, url_with
from callqa.web.saved_filter_views import opening_redirect, panel

bp = Blueprint("calls", __name__)

_AUDIO_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac",
                "ogg": "audio/ogg", "mp4": "audio/mp4"}
LANGUAGE_CHOICES = ("pl", "en")


@bp.get("/calls")
@roles_required(*SUPERVISORS)
def index():
    if (opening := opening_redirect()) is not None:
        return opening
    rejected: Rejections = []
    filters = replace(CallFilters.from_args(flask_request.args, rejected), scope=user_scope())
    listing = call_list(db(), filters, rejected)
    say_ignored(rejected)
    return render_template(
        "calls/list.html", listing=listing, sorts=SORTS,
        sort_url=sort_url, url_with=url_with, choices=_filter_choices(), saved=panel(filters),
        export_args={k: v for k, v in flask_request.args.items()
                     if v and k not in ("page", "per_page")})


@bp.get("/calls.csv")
@roles_required(*SUPERVISORS)
def export_csv():
    """Every call the list's filters match (not just one page), in the list's order. A
    filter it cannot use is refused: leaving it out would export calls not asked for."""
    rejected: Rejections = []
    filters = CallFilters.from_args(flask_request.args, rejected)
    if rejected:
        return Response("".join(
            _("Not exported: %(name)s=%(value)s is not a valid value, or out of range.",
              name=item.name, value=item.value) + "\n" for item in rejected),
            status=400, mimetype="text/plain")
    query = call_list_query(replace(filters, scope=user_scope()))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        _streamed_lines(query),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="calls-{stamp}.csv"'})


def _streamed_lines(query) -> Iterator[str]:
    """The export owns its session: the request's is closed before the body streams. A
    generator, so a server closing an abandoned download closes the session too."""
    sessions = current_app.extensions["callqa_sessions"]
    translate = translator()  # headers and errors in the request's language
    form = POLISH_CSV if g.get("lang") == "pl" else CsvFormat()  # what its spreadsheets read

    def lines() -> Iterator[str]:
        yield "\ufeff"  # the BOM: spreadsheets then read the file as UTF-8
        with sessions() as session:
            yield from csv_lines(session, query, translate, form)
    return lines()


def _filter_choices() -> dict[str, object]:
    return {
        "agents": directory.agents(db(), user_scope()),
        "queues": directory.queues(db()),
        "languages": LANGUAGE_CHOICES,
        "items": [(item.id, dict(item.label)) for item in _scorecard_items()],
        "fcr": tuple(str(s) for s in FcrStatus),
        "statuses": tuple(str(s) for s in CallStatus),
    }


def _scorecard_items():
    return rules_for(settings()).scorecard.items


@bp.get("/calls/<int:call_id>")
@login_required
def show(call_id: int):
    call = visible_call(call_id)
    return render_template("calls/page.html", page=call_page(db(), call),
                           program=_program(call))


@dataclass(frozen=True)
class CallProgram:
    """The call's place in the QA program: its review assignments and coaching."""

    assignments: list[ReviewAssignment]
    reviewers: list[User]  # whom it may be assigned to: never the call's own agent
    default_due: date
    coaching: list[CoachingNote]
    item_labels: dict[str, str]


def _program(call: Call) -> CallProgram:
    supervisor = is_supervisor()
    return CallProgram(
        assignments=call_assignments(db(), call.id) if supervisor else [],
        reviewers=[user for user in reviewers(db()) if not is_own_call(user, call)]
        if supervisor else [],
        default_due=default_due(),
        coaching=call_coaching(db(), call.id),
        item_labels={item.id: pick(dict(item.label)) for item in _scorecard_items()})


@bp.get("/calls/<int:call_id>/audio")
@login_required
def audio(call_id: int):
    call = visible_call(call_id, blind_ok=True)
    if call.storage_name is None:
        abort(404)
    root = settings().recordings_dir.resolve()
    path = (root / call.storage_name).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=_AUDIO_TYPES.get(call.container or "",
                                                         "application/octet-stream"),
                         conditional=True, etag=True, max_age=0)
    return response
