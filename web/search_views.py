"""Search by what was said, for everyone signed in: supervisors in their scope, agents in
their own calls only."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from callqa.queries.scope import Scope, blind_call_ids
from callqa.queries.search import PER_PAGE, SPEAKERS, search_utterances
from callqa.web import db
from callqa.web.access import SUPERVISORS, login_required, signed_in_user, user_scope

bp = Blueprint("search", __name__)


def _scope() -> Scope:
    user = signed_in_user()
    if user.role in SUPERVISORS:
        return user_scope()
    own = frozenset({user.agent_id}) if user.agent_id is not None else frozenset()
    return Scope(own, blind_call_ids(db(), user.id))


@bp.get("/search")
@login_required
def index():
    query = request.args.get("q", "").strip()[:200]
    speaker = request.args.get("speaker", "any")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    result = search_utterances(db(), query, speaker, _scope(), PER_PAGE,
                               (page - 1) * PER_PAGE)
    return render_template("search.html", query=query, result=result, speakers=SPEAKERS,
                           page=page)
