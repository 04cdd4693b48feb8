"""Property-based fuzzing of the OpenAPI schema (schemathesis): never a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from apitools import ANSWER, ScriptedProvider, make_hub
from hypothesis import HealthCheck, given, settings

from interview_corvus.api.server import EmbeddedServer


@pytest.fixture(scope="module")
def api_schema():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0, chunk=64))
    server = EmbeddedServer(hub, port=0, rate_per_minute=1_000_000).start()
    yield schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    hub.cancel_all()
    server.stop()
    hub.wait_idle(5)


def test_no_server_errors(api_schema):
    # schemathesis' pytest plugin does not support pytest 9 yet: drive hypothesis directly
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            response = case.call(timeout=20)
            assert response.status_code < 500, (case.method, case.path, response.text[:500])
            if response.status_code >= 400:
                ctype = response.headers.get("content-type") or [""]
                ctype = ctype[0] if isinstance(ctype, list) else ctype
                assert ctype.startswith("application/json")
                assert response.json()["error"]["message"]

        check()
