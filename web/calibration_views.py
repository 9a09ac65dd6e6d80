"""Calibration sessions: the lead creates one (calls and reviewers); each reviewer scores it
blind; then everyone in it sees the comparison and the figures, and the lead records the agreed
verdicts and closes it; the history of sessions shows whether the team converges."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from callqa.models import CalibrationSession, CalibrationStatus, Call, CallStatus, User
from callqa.queries import calibration as queries
from callqa.queries.assignments import reviewers
from callqa.queries.call_list import CallFilters, call_page
from callqa.services import calibration as service
from callqa.services.calibration import CALIBRATION_VERDICTS, CalibrationError, Key
from callqa.web import db
from callqa.web.access import SUPERVISORS, roles_required, signed_in_user, user_scope
from callqa.web.i18n import gettext as _

bp = Blueprint("calibration", __name__)
CALLS_OFFERED = 50


@bp.get("/calibration")
@roles_required(*SUPERVISORS)
def index():
    return render_template("program/calibration_list.html",
                           sessions=queries.history(db(), signed_in_user(), user_scope()))


@bp.get("/calibration/new")
@roles_required(*SUPERVISORS)
def new():
    return _new_form()


def _new_form(status: int = 200):
    """The newest scored calls the lead may see (not one they score blind), and reviewers."""
    newest = call_page(db(), CallFilters(scope=user_scope(), status=CallStatus.DONE),
                       per_page=CALLS_OFFERED).calls
    offered = [call for call in newest if call.score is not None and call.score.items]
    return render_template("program/calibration_new.html", calls=offered,
                           reviewers=reviewers(db()), form=request.form), status


@bp.post("/calibration")
@roles_required(*SUPERVISORS)
def create():
    scope = user_scope()
    calls = []
    for raw in request.form.getlist("call_id"):
        call = db().get(Call, int(raw)) if raw.isdigit() else None
        if call is None or not scope.allows(call):
            abort(404)
        calls.append(call)
    chosen = [db().get(User, int(raw)) for raw in request.form.getlist("reviewer_id")
              if raw.isdigit()]
    try:
        found = service.create_session(db(), request.form.get("name", ""), signed_in_user(),
                                       calls, [user for user in chosen if user is not None])
    except CalibrationError as exc:
        flash(_(str(exc)), "error")
        return _new_form(400)
    db().commit()
    flash(_("Calibration session created; the reviewers can score it now."), "ok")
    return redirect(url_for("calibration.show", session_id=found.id), code=303)


def _session(session_id: int) -> CalibrationSession:
    """The session, if the user may see it (else 404, as if it did not exist). Its
    comparison shows verdicts, so one with a call the user scores blind in another session
    is 403 to them (this session's own scoring form excepted)."""
    found = queries.find_session(db(), session_id)
    if found is None or not queries.may_view(found, signed_in_user(), user_scope()):
        abort(404)
    hidden = user_scope().hidden_call_ids
    if not _scoring_blind(found) and any(entry.call_id in hidden for entry in found.calls):
        abort(403)
    return found


def _scoring_blind(found: CalibrationSession) -> bool:
    reviewer = service.reviewer_row(found, signed_in_user())
    return (reviewer is not None and reviewer.submitted_at is None
            and found.status == CalibrationStatus.OPEN)


@bp.get("/calibration/<int:session_id>")
@roles_required(*SUPERVISORS)
def show(session_id: int):
    found = _session(session_id)
    if _scoring_blind(found):
        return render_template("program/calibration_score.html", calibration=found,
                               verdicts=CALIBRATION_VERDICTS, given=request.form)
    return render_template("program/calibration_compare.html", calibration=found,
                           comparison=queries.comparison(db(), found),
                           may_lead=service.may_lead(found, signed_in_user()),
                           verdicts=CALIBRATION_VERDICTS)


def _verdicts(prefix: str) -> dict[Key, str]:
    """Form fields `<prefix>-<call id>-<item id>`."""
    found: dict[Key, str] = {}
    for name, value in request.form.items():
        parts = name.split("-", 2)
        if len(parts) == 3 and parts[0] == prefix and parts[1].isdigit():
            found[(int(parts[1]), parts[2])] = value
    return found


@bp.post("/calibration/<int:session_id>/submit")
@roles_required(*SUPERVISORS)
def submit(session_id: int):
    found = _session(session_id)
    if service.reviewer_row(found, signed_in_user()) is None:
        abort(403)
    try:
        service.submit(db(), found, signed_in_user(), _verdicts("v"))
    except CalibrationError as exc:
        flash(_(str(exc)), "error")
        if _scoring_blind(found):  # keep what they chose
            return render_template("program/calibration_score.html", calibration=found,
                                   verdicts=CALIBRATION_VERDICTS, given=request.form), 400
        return redirect(url_for("calibration.show", session_id=found.id), code=303)
    db().commit()
    flash(_("Verdicts submitted; here is how everyone scored."), "ok")
    return redirect(url_for("calibration.show", session_id=found.id), code=303)


@bp.post("/calibration/<int:session_id>/agreed")
@roles_required(*SUPERVISORS)
def agreed(session_id: int):
    found = _session(session_id)
    if not service.may_lead(found, signed_in_user()) or _scoring_blind(found):
        abort(403)
    try:
        count = service.record_agreed(db(), found, signed_in_user(), _verdicts("a"))
    except CalibrationError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("calibration.show", session_id=found.id), code=303)
    db().commit()
    flash(_("Agreed verdicts recorded: %(count)s.", count=count), "ok")
    return redirect(url_for("calibration.show", session_id=found.id) + "#figures", code=303)


@bp.post("/calibration/<int:session_id>/close")
@roles_required(*SUPERVISORS)
def close(session_id: int):
    found = _session(session_id)
    if not service.may_lead(found, signed_in_user()):
        abort(403)
    try:
        service.close(found, signed_in_user())
    except CalibrationError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("calibration.show", session_id=found.id), code=303)
    db().commit()
    flash(_("Session closed."), "ok")
    return redirect(url_for("calibration.show", session_id=found.id), code=303)
