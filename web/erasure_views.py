"""Erasure of a customer's calls (GDPR Art. 17), for administrators."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from callqa.models import Role
from callqa.queries.erasures import recent_erasures
from callqa.services.erasure import ErasureError, erase_customer
from callqa.web import db
from callqa.web.access import roles_required, signed_in_user
from callqa.web.i18n import gettext as _

bp = Blueprint("erasure", __name__, url_prefix="/admin/erasure")


@bp.get("")
@roles_required(Role.ADMIN)
def form():
    return _page({})


def _page(values: dict[str, str], status: int = 200):
    return render_template("admin/erasure.html", erasures=recent_erasures(db()),
                           values=values), status


@bp.post("")
@roles_required(Role.ADMIN)
def erase():
    customer = request.form.get("customer", "").strip()
    if request.form.get("confirm") != "1":
        flash(_("Tick the box to confirm the erasure: it cannot be undone."), "error")
        return _page({"customer": customer}, 400)
    try:
        # Its own transactions: rows first, committed, then the files (see services.erasure).
        result = erase_customer(current_app.extensions["callqa_sessions"],
                                current_app.config["CALLQA_SETTINGS"], customer,
                                signed_in_user().username)
    except ErasureError:
        flash(_("Give the customer's phone number or customer id."), "error")
        return _page({"customer": customer}, 400)
    flash(_("Erased %(calls)s calls and %(files)s files; FCR judged again for %(refreshed)s "
            "other calls.", calls=result.calls, files=result.files,
            refreshed=result.refreshed), "ok")
    return redirect(url_for("erasure.form"), code=303)
