"""Every security rule of the embedded server (DNS rebinding, origin, token, bodies,
validation, rate limit, secrets)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub

from interview_corvus.api.app import create_app
from interview_corvus.api.server import EmbeddedServer, ServerConfigError

BODY = {"code": "print(1)", "language": "python"}


@pytest.fixture
def hub():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    yield hub
    hub.cancel_all()
    hub.wait_idle(5)


def request(hub, method, path, *, app_kw=None, host="127.0.0.1:8765", **kw):
    async def main():
        app = create_app(hub, **(app_kw or {}))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as client:
            return await client.request(method, path, **kw)

    return asyncio.run(main())


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.nip.io",
                                  "attacker.localhost.evil"])
def test_dns_rebinding_host_is_refused(hub, host):
    response = request(hub, "GET", "/runs", host=host)
    assert response.status_code == 421
    assert "not served here" in response.json()["error"]["message"]


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"])
def test_loopback_hosts_are_served(hub, host):
    assert request(hub, "GET", "/health", host=host).status_code == 200


def test_configured_lan_host_is_served(hub):
    kw = {"app_kw": {"allowed_hosts": ("192.168.1.20",), "token": "t"}}
    assert request(hub, "GET", "/health", host="192.168.1.20:8765", **kw).status_code == 200


def test_foreign_origin_is_refused(hub):
    response = request(hub, "POST", "/optimize", json=BODY,
                       headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_own_origin_and_configured_origins_are_allowed(hub):
    own = request(hub, "POST", "/optimize", json=BODY,
                  headers={"Origin": "http://127.0.0.1:8765"})
    assert own.status_code == 200
    extra = request(hub, "GET", "/health", headers={"Origin": "app://corvus"},
                    app_kw={"allowed_origins": ("app://corvus",)})
    assert extra.status_code == 200
    assert "access-control-allow-origin" not in own.headers


def test_token_is_required_when_configured(hub):
    kw = {"app_kw": {"token": "s3cret-token"}}
    assert request(hub, "GET", "/runs", **kw).status_code == 401
    assert request(hub, "GET", "/runs", headers={"Authorization": "Bearer nope"},
                   **kw).status_code == 401
    assert request(hub, "GET", "/runs", headers={"Authorization": "Bearer s3cret-token"},
                   **kw).status_code == 200
    assert request(hub, "GET", "/runs?token=s3cret-token", **kw).status_code == 200
    # the page and health carry no data and stay reachable (the page asks for the token)
    assert request(hub, "GET", "/", **kw).status_code == 200
    unauthorized = request(hub, "GET", "/runs", **kw)
    assert unauthorized.headers["www-authenticate"] == "Bearer"
    assert "s3cret" not in unauthorized.text


def test_binding_beyond_loopback_needs_a_token(hub):
    with pytest.raises(ServerConfigError, match="without a token"):
        EmbeddedServer(hub, host="0.0.0.0", port=0)
    EmbeddedServer(hub, host="0.0.0.0", port=0, token="t")  # accepted (not started)


def test_post_body_must_be_json(hub):
    response = request(hub, "POST", "/optimize", content="code=1",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415


def test_body_size_cap(hub):
    big = {"code": "x" * 300_000, "language": "python"}
    response = request(hub, "POST", "/optimize", json=big)
    assert response.status_code == 413

    async def chunks():
        yield b'{"code": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'", "language": "python"}'

    chunked = request(hub, "POST", "/optimize", content=chunks(),
                      headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"language": "python"}, "code", "Field required"),
        ({"code": "   ", "language": "python"}, "code", "blank"),
        ({"code": "x", "language": "cobol"}, "language", "valid languages: python, java"),
        ({"code": 5, "language": "python"}, "code", "string"),
    ],
)
def test_validation_errors_name_the_field(hub, body, field, text):
    response = request(hub, "POST", "/optimize-stream", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"][0]["field"] == field
    assert text in error["message"]
    assert hub.active_count() == 0  # nothing was started


def test_malformed_json_is_a_clear_422(hub):
    response = request(hub, "POST", "/optimize", content=b'{"code": ',
                       headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["error"]["message"]


def test_rate_limit_answers_429_with_retry_after(hub):
    async def main():
        app = create_app(hub, rate_per_minute=3)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1:8765") as client:
            return [await client.post("/optimize", json=BODY) for _ in range(5)]

    responses = asyncio.run(main())
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    assert responses[3].status_code == 429
    assert int(responses[3].headers["retry-after"]) >= 1


def test_no_endpoint_returns_secrets(hub, monkeypatch):
    secret = "sk-live-DO-NOT-LEAK-1234"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    token = "server-token-DO-NOT-LEAK"
    kw = {"app_kw": {"token": token}, "headers": {"Authorization": f"Bearer {token}"}}
    texts = [request(hub, "POST", "/optimize", json=BODY, **kw).text]
    for path in ("/health", "/runs", "/openapi.json", "/"):
        texts.append(request(hub, "GET", path, **kw).text)
    run_id = json.loads(request(hub, "GET", "/runs", **kw).text)["runs"][0]["id"]
    texts.append(request(hub, "GET", f"/runs/{run_id}", **kw).text)
    blob = "\n".join(texts)
    assert secret not in blob and token not in blob
    assert "settings.json" not in blob


def test_live_page_is_self_contained(hub):
    page = request(hub, "GET", "/")
    assert page.status_code == 200
    html = page.text
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "innerHTML" not in html
    assert "default-src 'none'" in page.headers["content-security-policy"]
