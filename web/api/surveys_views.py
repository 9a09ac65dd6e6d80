"""Survey results in: one answer per request, matched to its call as the CSV import does."""
from __future__ import annotations

from flask import jsonify, request

from callqa.models import ApiScope
from callqa.qa.surveys import SurveyError, parse_survey
from callqa.services.surveys import record_survey
from callqa.web import db
from callqa.web.api.auth import api_scope, bp, problem, requires
from callqa.web.api.shapes import survey_shape
from callqa.web.appctx import settings


@bp.post("/surveys")
@requires(ApiScope.SURVEYS)
def add_survey():
    data = request.get_json(silent=True) if request.is_json else None
    if not request.is_json:
        return problem(415, "send the survey as application/json")
    if not isinstance(data, dict):
        return problem(422, "the survey is not valid", ["the body: a JSON object"])
    try:
        survey, replaced = record_survey(db(), settings(), parse_survey(data), "api",
                                         api_scope().agent_ids)
    except SurveyError as exc:
        db().rollback()
        return problem(422, "the survey is not stored", exc.reasons)
    db().commit()
    return jsonify({"survey": survey_shape(survey), "replaced": replaced}), \
        200 if replaced else 201
