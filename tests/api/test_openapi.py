"""The OpenAPI document is kept true: schemathesis generates requests from it (valid ones and
broken ones) and runs them against the app in-process; no answer may be a 5xx, and every
answer must be a documented status, content type, header set and body.

It runs three times: with limits that let requests reach the handlers, with tiny limits (429s)
and with postcodes.io unreachable (503s). postcodes.io is faked with the recorded bodies.
"""

from collections import Counter

import pytest
import schemathesis
from app_config import settings_for
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis import checks

from advocacy import create_app
from advocacy.api import openapi

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    # Methods the document does not list (schemathesis's coverage phase sends them): a 405
    # with an Allow header, and OPTIONS's Allow naming the documented methods.
    checks.unsupported_method,
    checks.allow_header_conformance,
]
SEEN: Counter = Counter()


# The document as served (test_the_served_document_is_the_one_tested checks they are the same).
schema = schemathesis.openapi.from_dict(openapi.document("http://localhost"))


VARIANTS = {
    # Limits high enough that every request reaches its handler.
    "open": {"API_LOOKUP_RATE_LIMIT": "9999/minute", "API_LETTERS_RATE_LIMIT": "9999/minute"},
    # Tiny limits, so most answers are 429s.
    "limited": {"API_LOOKUP_RATE_LIMIT": "3/minute", "API_LETTERS_RATE_LIMIT": "3/minute"},
    # postcodes.io unreachable: lookups by postcode are 503s.
    "down": {
        "API_LOOKUP_RATE_LIMIT": "9999/minute",
        "API_LETTERS_RATE_LIMIT": "9999/minute",
        "POSTCODES_IO_URL": "https://down.postcodes.test",
    },
}


@pytest.fixture(params=list(VARIANTS))
def api_app(request, tmp_path, postcodes_io):
    app = create_app(settings_for(tmp_path / "openapi.sqlite", **VARIANTS[request.param]))
    return request.param, app


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_answer_is_documented(case, api_app):
    variant, app = api_app
    if variant == "down":
        # The one 5xx allowed: the documented 503 (body and Retry-After checked) for an outage.
        response = case.call_and_validate(app=app, checks=CHECKS[1:])
        assert response.status_code < 500 or response.status_code == 503
    else:
        response = case.call_and_validate(app=app, checks=CHECKS)
    SEEN[(case.operation.label, response.status_code)] += 1


def test_the_run_above_reached_the_answers_that_matter():
    """Guards the test above against passing by never reaching the handlers."""
    if not SEEN:
        pytest.skip("run with test_every_answer_is_documented")
    statuses = {status for (_, status) in SEEN}
    assert {200, 400, 404, 429, 503} <= statuses, SEEN
    ok = {label for (label, status) in SEEN if status == 200}
    assert {
        "GET /api/v1/postcodes/{postcode}",
        "GET /api/v1/campaigns/{slug}",
        "POST /api/v1/campaigns/{slug}/letters",
        "GET /api/v1/openapi.json",
    } <= ok, SEEN


def test_the_served_document_is_the_one_tested(client):
    assert client.get("/api/v1/openapi.json").get_json() == openapi.document("http://localhost")


def test_the_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        rule.rule.replace("<anytext:", "{").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(document["paths"])


def test_the_document_carries_the_limits_the_code_enforces(client):
    body = client.get("/api/v1/openapi.json").get_json()
    request = body["components"]["schemas"]["LettersRequest"]["properties"]
    assert request["name"]["maxLength"] == 100
    assert request["answers"]["additionalProperties"]["maxLength"] == 2000
    assert request["constituency_code"]["pattern"] == "^[ENSWL][0-9]{8}$"


def test_the_example_in_the_document_works(client, postcodes_io):
    body = client.get("/api/v1/openapi.json").get_json()
    letters = body["paths"]["/api/v1/campaigns/{slug}/letters"]["post"]
    example = letters["requestBody"]["content"]["application/json"]["example"]
    slug = letters["parameters"][0]["example"]
    response = client.post(f"/api/v1/campaigns/{slug}/letters", json=example)
    assert response.status_code == 200
    assert "London Bridge station" in response.get_json()["letters"][0]["body"]


@pytest.mark.parametrize(
    ("path", "method", "given"),
    [
        ("/api/v1/postcodes/{postcode}", "GET", {"path_parameters": {"postcode": ""}}),
        (
            "/api/v1/campaigns/{slug}",
            "GET",
            {"path_parameters": {"slug": "stop-facial-recognition"}, "query": {"postcode": ""}},
        ),
    ],
    ids=["lookup", "campaign"],
)
def test_an_empty_postcode_is_answered_as_the_document_says(app, path, method, given):
    """Invalid in the document (minLength 1), and answered with its documented 400."""
    operation = schema[path][method]
    parameter = next(p for p in operation.definition.raw["parameters"] if p["name"] == "postcode")
    assert parameter["schema"]["minLength"] == 1
    response = operation.Case(**given).call_and_validate(app=app, checks=CHECKS)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_postcode"
