"""Schemathesis against the service's own OpenAPI schema: no 5xx, answers match the schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.conftest import AUTH

# What the issue asks: no server errors, and every documented answer matches its schema.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_api_holds_to_its_schema(tmp_path) -> None:
    config = Settings(
        backend="pseudo", data_dir=tmp_path, warm_up=False, max_items=20, max_chars=2000
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(config))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checked: set[str] = set()

    @given(data=st.data())
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    def fuzz(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        response = case.call(headers=AUTH)
        assert response.status_code < 500, (
            f"{operation.label}: {response.status_code} {response.text[:300]}"
        )
        case.validate_response(response, checks=CHECKS)
        checked.add(operation.label)

    fuzz()
    assert len(checked) >= len(operations) // 2
