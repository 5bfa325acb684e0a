"""The committed OpenAPI document is the app's, and schemathesis finds no server error and no answer
outside it (status codes, content types, response schemas), with a key and without."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graphmem.server import openapi

SCHEMA = schemathesis.openapi.from_dict(openapi.document())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_committed_document_matches_the_app() -> None:
    assert not openapi.drifted(), "run python -m graphmem.server.openapi"


@SCHEMA.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: Any, shared_server: Any) -> None:
    server, key = shared_server
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"Token {key}"}, checks=CHECKS,
                           timeout=120)


@pytest.mark.parametrize("path", ["/v1/ping/", "/v1/entities/"])
def test_without_a_key_the_answer_is_documented(path: str, shared_server: Any) -> None:
    import httpx

    server, _ = shared_server
    answer = httpx.get(server.url + path)
    assert answer.status_code == 401 and answer.json()["detail"]
