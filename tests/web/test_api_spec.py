"""The OpenAPI document is true: every API route is in it, with the scope its view demands,
and a property-based run of the document against the app served on localhost (schemathesis)
finds no input that makes it fail (no 5xx) and no answer outside the document's schemas."""
from __future__ import annotations

import re

import pytest
import schemathesis
from apitools import bearer, make_token, served
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from callqa.web.api.openapi import PATHS, document

EXAMPLES_PER_OPERATION = 30  # keeps the run to about a minute on the 2-core CI machine
# what the answers must be; schemathesis's authentication check is left out because every
# request here carries the token (test_api.py checks each endpoint without one)
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance)


def _api_routes(app) -> dict[tuple[str, str], str]:
    """(OpenAPI path, method): the scope the view requires, for every route of the API."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(path, method.lower())] = getattr(view, "scope", None)
    return routes


def test_every_route_is_documented_with_its_scope(app):
    documented = {(path, method): operation["x-callqa-scope"]
                  for path, operations in PATHS.items() for method, operation in
                  operations.items()}
    assert _api_routes(app) == documented
    served_document = app.test_client().get("/api/v1/openapi.json")
    assert served_document.status_code == 200 and served_document.json == document()


def test_the_documented_error_shape_is_what_errors_are(app, world):
    token = make_token(app, "read")
    answer = app.test_client().get("/api/v1/calls?limit=0", headers=bearer(token)).json
    assert set(answer) <= set(document()["components"]["schemas"]["Error"]["properties"])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the app is the subject here
def test_no_generated_input_breaks_the_api(app, world):
    token = make_token(app, "ingest", "read", "surveys")
    with served(app) as base:
        schema = schemathesis.from_uri(  # valid inputs, and inputs that break the schema
            f"{base}/api/v1/openapi.json", base_url=base,
            data_generation_methods=[DataGenerationMethod.positive,
                                     DataGenerationMethod.negative])
        failures = []
        for result in schema.get_all_operations():
            operation = result.ok()
            failures += _run(operation, token)
    assert not failures, "\n".join(failures)


def _run(operation, token: str) -> list[str]:
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                         derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        response = case.call(headers=bearer(token), timeout=30)
        if response.status_code >= 500:
            failures.append(f"{operation.verbose_name}: {response.status_code} for "
                            f"{case.as_curl_command()}")
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as exc:  # schemathesis's CheckFailed is one
            failures.append(f"{operation.verbose_name}: {exc}"[:2000])

    check()
    return failures
