"""Per-field and per-item completion state: pending → streaming → done, on the model,
on the wire (snapshots and delta patches), in the window and in the CLI."""

from __future__ import annotations

import asyncio
import itertools
import json

from apitools import ANSWER, ScriptedProvider, make_hub, rebuild
from fakes import END, OPTIMIZATION, FakeProvider
from rich.console import Console

from interview_corvus.cli.render import render_answer
from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.stream.assembler import AnswerAssembler
from interview_corvus.core.stream.partial_json import IncrementalJSONParser

ORDER = {"pending": 0, "streaming": 1, "done": 2}


def _assembler() -> AnswerAssembler:
    return AnswerAssembler(CodeOptimization, {"original_code": "x", "language": "python"},
                           CodeOptimization.expected_sizes(1))


def test_parser_lists_each_value_as_it_closes():
    parser = IncrementalJSONParser(track_closed=True)
    for char in '{"a": "xy", "b": ["1", "2"], "c": 3, "d": true}':
        parser.feed(char)
    assert parser.closed == [("a",), ("b", 0), ("b", 1), ("b",), ("c",), ("d",), ()]
    assert IncrementalJSONParser().closed is None  # off unless asked for


def test_states_move_forward_and_close_exactly_at_the_closing_quote():
    text = json.dumps(OPTIMIZATION)
    assembler = _assembler()
    history: list[dict[str, str]] = []
    for i, char in enumerate(text):
        assembler.feed(char)
        states = dict(assembler.states)
        history.append(states)
        fed = text[: i + 1]
        # a complexity is done exactly once its closing quote has arrived
        key = '"original_time_complexity": "O(n)"'
        assert (states["original_time_complexity"] == "done") == (key in fed)
    for before, after in itertools.pairwise(history):
        for name, state in before.items():
            assert ORDER[after[name]] >= ORDER[state], name  # never backwards
    assert history[0]["explanation"] == "pending"
    final = history[-1]
    assert all(final[name] == "done" for name in CodeOptimization.answer_fields()
               if name not in CodeOptimization.OPTIONAL_FIELDS)
    assert final["improvements[0]"] == final["improvements[1]"] == "done"


def test_list_items_are_done_one_by_one():
    assembler = _assembler()
    assembler.feed('{"improvements": ["Use the built-in sum", "No man')
    assert assembler.states["improvements"] == "streaming"
    assert assembler.states["improvements[0]"] == "done"
    assert assembler.states["improvements[1]"] == "streaming"
    partial = assembler.partial()
    assert partial is not None and partial.fields["improvements[1]"] == "streaming"
    assert partial.field_done("improvements[0]") and partial.writing("improvements[1]")


def test_a_lone_closing_quote_moves_the_state():
    assembler = _assembler()
    assembler.feed('{"optimized_code": "abc')
    assert assembler.partial().fields["optimized_code"] == "streaming"
    patches, _ = assembler.feed('"')
    assert ("set", ("fields", "optimized_code"), "done") in patches
    assert assembler.partial().fields["optimized_code"] == "done"


def test_the_final_answer_has_every_field_done():
    assembler = _assembler()
    assembler.feed(json.dumps(OPTIMIZATION))
    final = assembler.finish("stop")
    assert final.fields == CodeOptimization.done_fields(OPTIMIZATION)
    assert "fields" not in CodeOptimization.answer_schema()["properties"]  # not asked of the model


def test_answers_stored_without_states_count_as_done():
    old = CodeOptimization.model_construct(**{**OPTIMIZATION, "fields": {}})
    assert old.field_done("original_time_complexity") and not old.writing("explanation")


def _stream(delta: bool) -> list[dict]:
    from test_api import post_stream

    hub = make_hub(ScriptedProvider(ANSWER, delay=0.002, chunk=3))
    path = "/optimize-stream?delta=1" if delta else "/optimize-stream"
    _, events = asyncio.run(post_stream(hub, path=path))
    return events


def test_snapshots_carry_the_field_states():
    events = _stream(delta=False)
    partials = [e["data"]["fields"] for e in events if e["type"] == "partial"]
    assert partials and any("streaming" in f.values() for f in partials)
    assert events[-1]["data"]["fields"] == CodeOptimization.done_fields(ANSWER)


def test_delta_patches_say_which_fields_completed_and_rebuild_done():
    events = _stream(delta=True)
    ops = [p for e in events if e["type"] == "partial" for p in e.get("patch", [])]
    done = [p["path"][1] for p in ops if p["path"][:1] == ["fields"] and p["value"] == "done"
            and len(p["path"]) == 2]
    base = next(e["data"] for e in events if e["type"] == "partial" and "data" in e)
    assert done, "fields complete in patches after the base"
    # each field is done in the base or in a patch; the closing patch marks them all
    assert all(base["fields"].get(name) == "done" or name in done
               for name in ("optimized_code", "improvements"))
    assert rebuild(events) == events[-1]["data"]


def test_the_window_shows_a_complexity_only_once_it_is_written(qtbot, make_app):
    provider = FakeProvider()
    corvus = make_app()
    corvus.hub.service._provider = provider
    window = corvus.window
    provider.enqueue('{"optimized_code": "x = 1\\n", "original_time_complexity": "O(n')
    window.optimize_button.click()
    cell = window.result.complexity.item(0, 0)
    qtbot.waitUntil(lambda: cell.text() == "…", timeout=5000)
    assert "writing" not in window.result.tabs.tabText(0)  # the code is done
    provider.enqueue('^2)", "improvements": ["Use sum", "No lo')
    qtbot.waitUntil(lambda: cell.text() == "O(n^2)", timeout=5000)
    qtbot.waitUntil(lambda: "writing" in window.result.list_title.text(), timeout=5000)
    assert "*No lo…*" in window.result.improvements.toMarkdown().replace("\\", "")
    rest = json.dumps({k: v for k, v in OPTIMIZATION.items()
                       if k not in ("optimized_code", "original_time_complexity",
                                    "improvements")})[1:]
    with qtbot.waitSignal(window.run_ended, timeout=10_000):
        provider.enqueue('op"], ' + rest, END)
    assert "writing" not in window.result.list_title.text()
    assert window.result.complexity.item(0, 1).text() == OPTIMIZATION[
        "optimized_time_complexity"]


def test_the_cli_shows_a_complexity_only_once_it_is_written():
    data = {**OPTIMIZATION, "original_time_complexity": "O(", "is_complete": False,
            "fields": {"optimized_code": "done", "original_time_complexity": "streaming",
                       "improvements": "streaming", "improvements[0]": "done",
                       "improvements[1]": "streaming"}}
    console = Console(width=100, record=True)
    console.print(*render_answer("optimization", data))
    text = console.export_text()
    assert "O(" not in text.replace("O(n)", "")  # the half-written complexity is hidden
    assert "Improvements · writing…" in text and "No manual loop…" in text
    assert "Optimized code · writing" not in text
