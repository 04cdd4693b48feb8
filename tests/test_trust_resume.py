"""Trustworthy runs, item 5: resuming streams, over a real socket."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from apitools import ANSWER, SOLUTION, ScriptedProvider, make_hub, parse_sse, payloads, rebuild

from interview_corvus.api.server import EmbeddedServer
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.core.runs.hub import ORPHAN_GRACE

BODY = {"code": "def f(xs):\n    return sum(xs)\n", "language": "python"}
GET = "/optimize-stream?code=print(1)&language=python"


@pytest.fixture
def served(tmp_path):
    history = HistoryStore(tmp_path / "h.sqlite3")
    provider = ScriptedProvider(ANSWER, delay=0.002, chunk=4)
    hub = make_hub(provider, history)
    with EmbeddedServer(hub, port=0, rate_per_minute=1000) as server, \
            httpx.Client(base_url=server.url, timeout=15) as client:
        yield client, hub, history
    hub.cancel_all()
    hub.wait_idle(5)


def finished_run(client) -> list[dict]:
    return payloads(parse_sse(client.post("/optimize-stream", json=BODY).content))


@pytest.mark.parametrize("value", ["²", "1" * 5000, "-1", "1e3", "0x10"])
def test_malformed_last_event_id_is_a_400_naming_the_header(served, value):
    client, _, _ = served
    run_id = finished_run(client)[0]["run_id"]
    answer = client.get(f"/runs/{run_id}/events",
                        headers={"Last-Event-ID": value.encode()})
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"][0]["field"] == "Last-Event-ID"


def test_resuming_at_or_past_the_end_is_204_at_once(served):
    client, _, _ = served
    events = finished_run(client)
    run_id, last = events[0]["run_id"], int(parse_sse_ids(client, events[0]["run_id"])[-1])
    for after in (last, last + 10):
        answer = client.get(f"/runs/{run_id}/events", headers={"Last-Event-ID": str(after)})
        assert answer.status_code == 204 and not answer.content  # no stream is opened


def parse_sse_ids(client, run_id: str) -> list[str]:
    return [e.id for e in parse_sse(client.get(f"/runs/{run_id}/events").content) if e.data]


def test_a_run_known_only_from_history_resumes_where_the_client_was(tmp_path):
    history = HistoryStore(tmp_path / "h.sqlite3")
    first = make_hub(ScriptedProvider(ANSWER, delay=0), history)
    with EmbeddedServer(first, port=0) as server:
        run_id = finished_run(httpx.Client(base_url=server.url))[0]["run_id"]
    later = make_hub(ScriptedProvider(ANSWER, delay=0), history)  # the app restarted
    with EmbeddedServer(later, port=0) as server, httpx.Client(base_url=server.url) as client:
        whole = client.get(f"/runs/{run_id}/events")
        assert b"retry: 500" in whole.content.split(b"\n\n")[0]
        assert [e.id for e in parse_sse(whole.content)] == ["1", "2"]
        rest = client.get(f"/runs/{run_id}/events", headers={"Last-Event-ID": "1"})
        events = parse_sse(rest.content)
        assert [e.id for e in events] == ["2"] and json.loads(events[0].data)["type"] == "done"
        done = client.get(f"/runs/{run_id}/events", headers={"Last-Event-ID": "2"})
        assert done.status_code == 204


def test_retry_comes_with_the_first_event_not_as_an_empty_one(served):
    client, _, _ = served
    raw = client.post("/optimize-stream", json=BODY).content
    blocks = [b for b in raw.replace(b"\r\n", b"\n").split(b"\n\n") if b.strip()]
    assert b"retry: 500" in blocks[0] and b"data: " in blocks[0]
    assert all(b"data: " in b or b.startswith(b":") for b in blocks)
    assert all(e.data for e in parse_sse(raw))


def test_an_eventsource_reconnect_reattaches_instead_of_starting_a_second_run(served):
    client, hub, _ = served
    hub.service.provider.delay = 0.02  # a run of about 3 s, to drop and come back during
    seen: list[tuple[str, dict]] = []
    with client.stream("GET", GET) as first:
        for event in iter_events(first):
            seen.append(event)
            if len(seen) == 3:
                break  # the connection drops
    run_id = seen[0][1]["run_id"]
    time.sleep(1.5)  # a client that backs off 0.5 s, then 1 s
    assert ORPHAN_GRACE > 0.5 + 1 + 2
    with client.stream("GET", GET, headers={"Last-Event-ID": seen[-1][0]}) as again:
        assert again.status_code == 200
        rest = list(iter_events(again))
    assert {p["run_id"] for _, p in rest} == {run_id}
    assert int(rest[0][0]) == int(seen[-1][0]) + 1 or rest[0][1]["type"] == "partial"
    assert rest[-1][1]["type"] == "done"
    assert len(hub.runs()) == 1
    over = client.get(GET, headers={"Last-Event-ID": rest[-1][0]})
    assert over.status_code == 204 and len(hub.runs()) == 1


def iter_events(response):
    from apitools import SSEParser

    parser = SSEParser()
    for chunk in response.iter_bytes():
        for event in parser.feed(chunk):
            if event.data:
                yield event.id, json.loads(event.data)


@pytest.mark.parametrize("path, body", [("/optimize-stream", BODY),
                                        ("/solve-stream", {"problem": "sort"})])
def test_delta_patches_rebuild_done_data_exactly(served, path, body):
    client, _, _ = served
    events = payloads(parse_sse(client.post(f"{path}?delta=1", json=body).content))
    assert events[-1]["type"] == "done"
    assert rebuild(events) == events[-1]["data"]
    assert events[-1]["data"]["is_complete"] is True
    assert SOLUTION or ANSWER  # both answer kinds are covered


def test_a_reconnect_right_after_done_is_204_before_the_history_is_saved(served):
    """``done`` is logged a moment before the run counts as finished (it is saved to
    history in between): a reconnect in that moment has nothing to replay either."""
    client, hub, _ = served
    events = finished_run(client)
    run = hub.get(events[0]["run_id"])
    assert run is not None and run.log.ended
    run.finished.clear()  # the moment between the last event and the save
    try:
        again = client.get(f"/runs/{run.id}/events", headers={"Last-Event-ID": str(run.seq)})
        assert again.status_code == 204
    finally:
        run.finished.set()
