"""Hold under pressure (issue 17), in process: Host parsed strictly (item 1), the rate
limit and the run queue (item 3), the OpenAPI, 405 and body limits (item 10)."""

from __future__ import annotations

import asyncio
import re
import threading
from typing import Any

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub

from interview_corvus.api.app import create_app
from interview_corvus.api.connections import shed_candidate
from interview_corvus.api.openapi import LAST_EVENT_ID_PATTERN
from interview_corvus.api.security import RateLimiter, parse_host
from interview_corvus.core.errors import RateLimited
from interview_corvus.core.runs.follow_up import MAX_MESSAGE

BODY = {"code": "print(1)", "language": "python"}
BAD_HOSTS = ["127.0.0.1:8765@evil.com", "127.0.0.1:notaport", "127.0.0.1:", "127.0.0.1:99999",
             "localhost:8765:1", "127.0.0.1 evil.com", "[::1", "[127.0.0.1]:80", "127.0.0.1/x",
             "user@127.0.0.1", "127.0.0.1:+80", "127.0.0.1:8765\tx"]


@pytest.fixture
def hub():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    yield hub
    hub.cancel_all()
    hub.wait_idle(5)


def call(hub: Any, method: str, path: str, *, client: str = "127.0.0.1",
         app_kw: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
    async def main() -> httpx.Response:
        app = create_app(hub, **(app_kw or {}))
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport,
                                     base_url="http://127.0.0.1:8765") as http:
            return await http.request(method, path, **kw)

    return asyncio.run(main())


# -- item 1: Host is name[:digits] and nothing else ---------------------------------
@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_malformed_host_is_refused_naming_it(hub, host):
    answer = call(hub, "GET", "/health", headers={"Host": host})
    assert answer.status_code == 400, answer.text
    assert "Host header" in answer.json()["error"]["message"]


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "[::1]:8765", "LOCALHOST:80"])
def test_well_formed_loopback_hosts_are_served(hub, host):
    assert call(hub, "GET", "/health", headers={"Host": host}).status_code == 200


def test_two_host_headers_are_refused(hub):
    async def main() -> list[dict[str, Any]]:
        app = create_app(hub)
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/health", "query_string": b"",
                 "headers": [(b"host", b"127.0.0.1:8765"), (b"host", b"evil.com")],
                 "client": ("127.0.0.1", 1)}
        await app(scope, receive, send)
        return sent

    sent = asyncio.run(main())
    assert sent[0]["status"] == 400
    assert b"2 Host headers" in sent[1]["body"]


def test_a_referer_with_user_info_is_another_site(hub):
    answer = call(hub, "GET", "/optimize-stream?code=x",
                  headers={"Referer": "http://127.0.0.1:8765@evil.com/page"})
    assert answer.status_code == 403
    assert hub.active_count() == 0 and not hub.runs()


def test_parse_host_reads_only_name_and_port():
    assert parse_host("127.0.0.1:8765") == ("127.0.0.1", 8765)
    assert parse_host("[::1]") == ("[::1]", None)
    assert all(parse_host(host) is None for host in BAD_HOSTS)


# -- item 2 (the part without sockets): which connection is shed ---------------------
class _Conn:
    def __init__(self, idle_since: float | None, closing: bool = False) -> None:
        self.idle_since = idle_since
        self.transport = self
        self._closing = closing

    def is_closing(self) -> bool:
        return self._closing


def test_the_connection_idle_longest_is_shed_never_a_busy_one():
    busy, old, older_closing, new, me = (_Conn(None), _Conn(5.0), _Conn(1.0, closing=True),
                                         _Conn(9.0), _Conn(0.5))
    assert shed_candidate([busy, old, older_closing, new, me], me) is old
    assert shed_candidate([busy, me], me) is None


# -- item 3: loopback is one client; runs queued and their threads are bounded -------
def test_every_loopback_address_shares_one_rate_limit(hub):
    async def main() -> list[int]:
        app = create_app(hub, rate_per_minute=3)
        codes = []
        for n in range(2, 8):
            transport = httpx.ASGITransport(app=app, client=(f"127.0.{n}.{n}", 40000 + n))
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://127.0.0.1:8765") as http:
                codes.append((await http.post("/optimize", json=BODY)).status_code)
        for address in ("::1", "::ffff:127.0.0.9"):
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://127.0.0.1:8765") as http:
                codes.append((await http.post("/optimize", json=BODY)).status_code)
        return codes

    assert asyncio.run(main()) == [200, 200, 200, 429, 429, 429, 429, 429]


def test_the_rate_limiter_keeps_a_bounded_number_of_buckets():
    limiter = RateLimiter(rate=5, per=60.0, max_clients=100)
    for n in range(5000):
        limiter.check(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._buckets) <= 100


def test_http_runs_beyond_the_queue_are_refused_and_start_no_thread():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0.05), remote_concurrency=1, max_queued=2)
    try:
        job = lambda: hub.service.text_job("optimization", "print(1)", "python")  # noqa: E731
        for _ in range(3):  # one running, two waiting
            hub.submit(job(), origin="http")
        threads = threading.active_count()
        with pytest.raises(RateLimited, match="at most 2 may wait") as refused:
            hub.submit(job(), origin="http")
        assert refused.value.retry_after
        with pytest.raises(RateLimited, match="these 2 runs"):
            hub.submit_all([(job(), "a"), (job(), "b")], origin="http")
        assert threading.active_count() == threads and len(hub.runs()) == 3
        hub.submit(job(), origin="window")  # the window's own user is never locked out
        assert len(hub.runs()) == 4
    finally:
        hub.cancel_all()
        hub.wait_idle(5)
    hub.submit(job(), origin="http")  # room again once they ended


def test_a_batch_that_does_not_fit_is_refused_whole_with_retry_after():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0.05), remote_concurrency=1, max_queued=4)
    try:
        docs = {"documents": [BODY] * 6}
        answer = call(hub, "POST", "/optimize-batch-stream", json=docs)
        assert answer.status_code == 429
        assert int(answer.headers["retry-after"]) >= 1
        assert "no room for these 6 runs" in answer.json()["error"]["message"]
        assert hub.runs() == []  # none of the batch started
    finally:
        hub.cancel_all()
        hub.wait_idle(5)


# -- item 10: follow-up limit, OpenAPI, 405 Allow, bodies the decoder refuses --------
def test_a_follow_up_over_the_limit_is_422_naming_message(hub):
    run = hub.submit(hub.service.text_job("optimization", "print(1)", "python"), origin="cli")
    assert run.finished.wait(10) and run.entry.status == "done"
    answer = call(hub, "POST", f"/runs/{run.id}/follow-up",
                  json={"message": "x" * (MAX_MESSAGE + 1)})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["fields"][0]["field"] == "message"
    assert str(MAX_MESSAGE) in error["message"]


def test_openapi_matches_the_server(hub):
    schema = call(hub, "GET", "/openapi.json").json()
    message = schema["components"]["schemas"]["FollowUpRequest"]["properties"]["message"]
    assert message["maxLength"] == MAX_MESSAGE
    streams = 0
    for operation in (op for item in schema["paths"].values() for op in item.values()):
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if int(status) >= 400:
                assert list(content) == ["application/json"], (operation["operationId"], status)
            elif "text/event-stream" in content:
                streams += 1
                ref = content["text/event-stream"]["schema"]["$ref"]
                event = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
                assert event["discriminator"]["propertyName"] == "type"
                assert len(event["oneOf"]) >= 5
        for parameter in operation.get("parameters", []):
            if parameter["name"].lower() == "last-event-id":
                assert parameter["schema"]["pattern"] == LAST_EVENT_ID_PATTERN
    assert streams >= 5


@pytest.mark.parametrize(("value", "ok"), [("", True), ("7", True), ("1" * 15, True),
                                           ("1" * 16, False), ("-1", False), ("²", False)])
def test_last_event_id_pattern_is_what_the_server_checks(hub, value, ok):
    assert bool(re.fullmatch(LAST_EVENT_ID_PATTERN, value)) is ok
    run = hub.submit(hub.service.text_job("optimization", "print(1)", "python"), origin="cli")
    assert run.finished.wait(10)
    answer = call(hub, "GET", f"/runs/{run.id}/events",
                  headers={"Last-Event-ID": value.encode()})
    assert (answer.status_code != 400) is ok


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("POST", "/runs/abc", "GET, DELETE"), ("PUT", "/runs/abc", "GET, DELETE"),
    ("POST", "/health", "GET"), ("GET", "/optimize", "POST")])
def test_405_lists_every_method_of_the_path(hub, method, path, allow):
    answer = call(hub, method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow


@pytest.mark.parametrize(("body", "says"), [
    (b'{"code": ' + b"1" * 5000 + b"}", "has 5000 digits"),
    (b'{"code": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nested too deeply"),
    (b'{"code": "\xff"}', "not UTF-8 text (byte 0xff at position 10)")])
def test_a_body_the_decoder_refuses_is_named(hub, body, says):
    answer = call(hub, "POST", "/optimize", content=body,
                  headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert says in error["message"] and error["fields"][0]["field"] == "body"
    assert "is it UTF-8?" not in error["message"]
    assert hub.runs() == []
