"""The HTTP server: event contract, coalescing, delta mode, resume, mirror, batch,
queueing — in-process (httpx ASGITransport) and over a real socket (httpx-sse)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub, parse_sse, payloads, rebuild
from httpx_sse import connect_sse

from interview_corvus.api.app import create_app
from interview_corvus.api.server import EmbeddedServer
from interview_corvus.core.runs.history import HistoryStore

CODE = "def two_sum(nums, target):\n    return []\n"
BODY = {"code": CODE, "language": "python"}


@pytest.fixture
def provider():
    return ScriptedProvider(ANSWER, delay=0.002)


@pytest.fixture
def hub(provider, tmp_path):
    hub = make_hub(provider, HistoryStore(tmp_path / "history.sqlite3"))
    yield hub
    hub.cancel_all()
    hub.wait_idle(5)


@pytest.fixture
def server(hub):
    with EmbeddedServer(hub, port=0) as server:
        yield server


def in_process(hub, **kw) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(hub, **kw)),
                             base_url="http://127.0.0.1:8765")


async def post_stream(hub, path="/optimize-stream", body=None, **kw):
    async with in_process(hub, **kw) as client:
        response = await client.post(path, json=body or BODY)
    return response, payloads(parse_sse(response.content))


def check_contract(events: list[dict]) -> None:
    types = [e["type"] for e in events]
    assert types[0] == "start" and types[-1] in ("done", "error")
    assert types.count("done") + types.count("error") == 1
    assert set(types[1:-1]) <= {"partial", "queued"}
    assert len({e["run_id"] for e in events}) == 1


def test_event_order_and_contract_in_process(hub):
    response, events = asyncio.run(post_stream(hub))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-accel-buffering"] == "no"
    check_contract(events)
    raw = response.content.decode()
    assert "event:" not in raw
    ids = [int(e.id) for e in parse_sse(response.content) if e.data]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    done = events[-1]
    assert done["type"] == "done" and done["data"]["is_complete"]
    assert done["data"]["improvements"] == ANSWER["improvements"]
    assert done["data"]["original_code"] == CODE
    progress = [e["data"]["progress"] for e in events if e["type"] == "partial"]
    assert progress == sorted(progress) and progress[-1] < 1.0


def test_event_order_over_a_real_socket(server):
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
        assert source.response.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(e.data) for e in source.iter_sse() if e.data]
    check_contract(events)
    assert events[-1]["type"] == "done"


def test_get_stream_for_eventsource(server):
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            connect_sse(client, "GET", "/optimize-stream",
                        params={"code": CODE, "language": "go"}) as source:
        events = [json.loads(e.data) for e in source.iter_sse() if e.data]
    assert events[-1]["data"]["language"] == "go"


def test_partials_are_coalesced(hub, provider):
    provider.delay = 0.005  # ~200 deltas per second
    started = time.monotonic()
    _, events = asyncio.run(post_stream(hub))
    seconds = time.monotonic() - started
    partials = [e for e in events if e["type"] == "partial"]
    deltas = len(provider.text) / provider.chunk
    assert len(partials) <= 20 * seconds + 3
    assert len(partials) < deltas / 2


def test_delta_mode_rebuilds_the_final_object(hub):
    _, events = asyncio.run(post_stream(hub, "/optimize-stream?delta=1"))
    partials = [e for e in events if e["type"] == "partial"]
    assert "data" in partials[0] and any("patch" in p for p in partials[1:])
    rebuilt = rebuild(events)
    final = events[-1]["data"]
    strip = ("progress", "is_complete")
    assert {k: v for k, v in rebuilt.items() if k not in strip} == \
        {k: v for k, v in final.items() if k not in strip}


def test_resume_with_last_event_id(server, provider):
    provider.delay = 0.01
    with httpx.Client(base_url=server.url, timeout=10) as client:
        seen = []
        with connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
            for event in source.iter_sse():
                if event.data:
                    seen.append((int(event.id), json.loads(event.data)))
                if len(seen) == 3:
                    break
        last_id = seen[-1][0]
        run_id = seen[0][1]["run_id"]
        with connect_sse(client, "GET", f"/runs/{run_id}/events",
                         headers={"Last-Event-ID": str(last_id)}) as source:
            rest = [(int(e.id), json.loads(e.data)) for e in source.iter_sse() if e.data]
    assert rest and all(event_id > last_id for event_id, _ in rest)
    assert rest[-1][1]["type"] == "done"  # resumed within the grace: not cancelled
    assert all(p["type"] != "start" for _, p in rest)


def test_mirror_sees_a_run_started_elsewhere(hub, server):
    job = hub.service.optimization_job(CODE, "python")
    run = hub.submit(job, origin="window", input_text=CODE)
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            connect_sse(client, "GET", f"/runs/{run.id}/events") as source:
        events = [json.loads(e.data) for e in source.iter_sse() if e.data]
    check_contract(events)
    listing = httpx.get(f"{server.url}/runs").json()["runs"]
    assert any(r["id"] == run.id and r["origin"] == "window" for r in listing)


def test_finished_runs_come_from_history(hub):
    async def main():
        async with in_process(hub) as client:
            result = (await client.post("/optimize", json=BODY)).json()
            runs = (await client.get("/runs")).json()["runs"]
            run_id = runs[0]["id"]
            hub._runs.clear()  # as after a restart: only history knows the run
            detail = (await client.get(f"/runs/{run_id}")).json()
            replay = await client.get(f"/runs/{run_id}/events")
            return result, detail, payloads(parse_sse(replay.content))

    result, detail, events = asyncio.run(main())
    assert result["is_complete"] and detail["status"] == "done"
    assert detail["data"]["optimized_code"] == ANSWER["optimized_code"]
    assert [e["type"] for e in events] == ["start", "done"]


def test_batch_isolates_failures_and_ends_with_summary(hub):
    body = {"documents": [BODY, {"code": "FAIL here", "language": "python"},
                          {"code": "x = 1", "language": "rust"}]}
    _, events = asyncio.run(post_stream(hub, "/optimize-batch-stream", body))
    assert events[-1]["type"] == "summary"
    assert events[-1] == {**events[-1], "total": 3, "succeeded": 2, "failed": 1}
    by_index: dict[int, list[str]] = {}
    for event in events[:-1]:
        by_index.setdefault(event["index"], []).append(event["type"])
    assert by_index[1][-1] == "error" and by_index[0][-1] == "done"
    assert by_index[2][-1] == "done"
    failed = next(e for e in events if e.get("index") == 1 and e["type"] == "error")
    assert failed["error"]["code"] == "unavailable" and failed["data"]["optimized_code"]


def test_local_model_runs_one_at_a_time_others_queue(tmp_path):
    provider = ScriptedProvider(ANSWER, delay=0.003, name="local")
    hub = make_hub(provider)

    async def main():
        async with in_process(hub) as client:
            return await asyncio.gather(*(client.post("/optimize-stream", json=BODY)
                                          for _ in range(3)))

    responses = asyncio.run(main())
    streams = [payloads(parse_sse(r.content)) for r in responses]
    positions = sorted(max((e["position"] for e in s if e["type"] == "queued"), default=0)
                       for s in streams)
    assert positions == [0, 1, 2]
    assert all(s[-1]["type"] == "done" for s in streams)


def test_blocking_endpoint_maps_errors(hub):
    async def main():
        async with in_process(hub) as client:
            return await client.post("/optimize", json={"code": "FAIL", "language": "python"})

    response = asyncio.run(main())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"


def test_cancel_endpoint(server, provider):
    provider.delay = 0.05
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
        events = []
        for event in source.iter_sse():
            if not event.data:
                continue
            events.append(json.loads(event.data))
            if len(events) == 2:
                assert client.delete(f"/runs/{events[0]['run_id']}").status_code == 202
    assert events[-1]["type"] == "error" and events[-1]["error"]["code"] == "cancelled"
    assert provider.closed_event.wait(1)


def test_kinds_say_how_to_ask_for_each_answer_and_how_it_is_laid_out(hub, server):
    from interview_corvus.core.answers.models import MODELS

    async def ask_each() -> list[dict]:
        async with in_process(hub) as client:
            kinds = (await client.get("/kinds")).json()
            for kind in kinds:
                response = await client.post(
                    kind["stream"], json={kind["input"]: "text to work on", "language": "go"})
                events = payloads(parse_sse(response.content))
                check_contract(events)
                data = events[-1]["data"]
                shown = [kind["code"]["field"], kind["list"]["field"],
                         *(row["after"] for row in kind["complexity"]["rows"]),
                         *(text["field"] for text in kind["texts"])]
                assert all(data[name] for name in shown), kind["kind"]  # the layout's fields
                assert set(shown) <= set(MODELS[kind["kind"]].answer_fields())
        return kinds

    kinds = asyncio.run(ask_each())
    assert [k["kind"] for k in kinds] == list(MODELS)
    by_kind = {k["kind"]: k for k in kinds}
    assert by_kind["optimization"]["complexity"]["compares"]
    assert not by_kind["solution"]["complexity"]["compares"]
    assert by_kind["mcq"]["complexity"]["rows"] == [] and not by_kind["mcq"]["code"]["is_code"]
    assert httpx.get(server.url + "/kinds").json() == kinds  # over a real socket too
    icon = httpx.get(server.url + "/favicon.svg")
    assert icon.headers["content-type"] == "image/svg+xml" and icon.content.startswith(b"<svg")
