"""Trustworthy runs, item 9: one error shape, an honest OpenAPI, a framed-proof page."""

from __future__ import annotations

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub

from interview_corvus.api.server import EmbeddedServer
from interview_corvus.core.answers.models import LANGUAGES


@pytest.fixture(scope="module")
def client():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, rate_per_minute=1000) as server, \
            httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("body", [b"\xff\xfe{", b"[1,2]", b"null", b'{"code": 1}'])
def test_body_errors_use_the_project_shape(client, body):
    answer = client.post("/optimize", content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code in (400, 422)
    error = answer.json()["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert "detail" not in answer.json()


@pytest.mark.parametrize("path", ["/health", "/runs", "/runs/abc"])
def test_post_to_a_get_route_is_405_with_allow(client, path):
    answer = client.post(path, json={})
    assert answer.status_code == 405
    assert "GET" in answer.headers["allow"]
    assert answer.json()["error"]["message"] == f"POST is not allowed on {path}."


def test_unknown_routes_are_404_in_the_project_shape(client):
    answer = client.get("/nope")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "bad_request"


def test_openapi_declares_errors_streams_and_languages(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for status in ("413", "415", "429", "502"):
        assert status in paths["/optimize"]["post"]["responses"]
    assert "404" in paths["/runs/{run_id}"]["get"]["responses"]
    for path, method in (("/optimize-stream", "post"), ("/optimize-stream", "get"),
                         ("/solve-stream", "post"), ("/runs/{run_id}/events", "get")):
        content = paths[path][method]["responses"]["200"]["content"]
        assert list(content) == ["text/event-stream"], (path, method)
    language = schema["components"]["schemas"]["OptimizeRequest"]["properties"]["language"]
    assert language["enum"] == list(LANGUAGES)


def test_the_live_page_cannot_be_framed(client):
    answer = client.get("/")
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
