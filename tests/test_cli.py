"""The corvus command: exit codes, --json events, human output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from interview_corvus.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "two_sum.py"


def run_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["optimize", str(EXAMPLE), "--json", *args])
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines]


def test_json_events_follow_the_wire_format(capsys, demo_optimization):
    code, events = run_json(capsys, "--replay", str(demo_optimization))
    assert code == 0
    types = [e["type"] for e in events]
    assert types[0] == "start" and types[-1] == "done"
    assert set(types[1:-1]) == {"partial"}
    assert events[0]["provider"] == "replay" and events[0]["streaming"] is True
    assert events[0]["kind"] == "optimization"
    assert len({e["run_id"] for e in events}) == 1
    done = events[-1]
    assert done["data"]["is_complete"] and done["data"]["progress"] == 1.0
    assert done["elapsed_ms"] > 0 and done["usage"]["output_tokens"] > 0
    progress = [e["data"]["progress"] for e in events[1:]]
    assert progress == sorted(progress)


def test_json_partials_are_coalesced(capsys, demo_optimization):
    # 282 deltas at ~10 ms each (~3 s): at most ~20 partials per second.
    code, events = run_json(capsys, "--replay", str(demo_optimization))
    partials = [e for e in events if e["type"] == "partial"]
    seconds = events[-1]["elapsed_ms"] / 1000
    assert code == 0 and 5 <= len(partials) <= 20 * seconds + 3


def test_no_stream_prints_start_and_done_only(capsys, demo_optimization):
    code, events = run_json(capsys, "--replay", str(demo_optimization), "--no-stream")
    assert code == 0 and [e["type"] for e in events] == ["start", "done"]
    assert events[0]["streaming"] is False


def test_error_event_and_exit_1(capsys, tmp_path):
    transcript = tmp_path / "cut.jsonl"
    transcript.write_text('{"delta": "{\\"optimized_code\\": \\"abc"}\n'
                          '{"finish_reason": "length"}\n')
    code, events = run_json(capsys, "--replay", str(transcript))
    assert code == 1 and events[-1]["type"] == "error"
    assert events[-1]["error"]["code"] == "incomplete"
    assert events[-1]["data"]["optimized_code"] == "abc"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimize", "missing.py"], "cannot read missing.py: no such file"),
        (["optimize", str(EXAMPLE), "--provider", "nope"], "unknown provider 'nope'"),
        (["optimize", str(EXAMPLE), "--language", "cobol"], "unknown language 'cobol'"),
        (["optimize", str(EXAMPLE), "--replay", "missing.jsonl"], "missing.jsonl"),
        (["optimize", str(EXAMPLE), "--provider", "openai"], "OPENAI_API_KEY"),
        (["optimize", str(EXAMPLE), "--max-tokens", "3"], "max_tokens"),
    ],
)
def test_bad_usage_exits_2_naming_the_problem(capsys, args, message):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_human_output_shows_the_answer(capsys, demo_optimization):
    assert main(["optimize", str(EXAMPLE), "--replay", str(demo_optimization)]) == 0
    out = capsys.readouterr().out
    assert "Optimized code" in out and "O(n^2)" in out and "100%" in out
    assert out.endswith("\n")  # redirected output ends its last line


def test_the_status_says_why_a_run_was_repaired():
    from interview_corvus.cli.render import LiveOut

    view = LiveOut("optimization", "replay", "replay")
    try:
        for event in ({"type": "partial", "data": {"fields": {"a": "streaming"}}},
                      {"type": "partial", "data": {"fields": {"a": "pending"}}}):
            view.event(event)
        assert view.status.plain == "asking again with what was wrong…"
        view.event({"type": "done", "repaired": True, "elapsed_ms": 1000, "data": {
            "fields": {"a": "done"}, "verification": {"status": "verified", "repaired": True}}})
        assert view.status.plain == "done in 1.0 s · repaired after a failed check"
    finally:
        view.close()


def test_solve_from_text(capsys, demo_solution):
    code = main(["solve", str(ROOT / "examples" / "problem.txt"), "--replay",
                 str(demo_solution), "--json"])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and events[-1]["data"]["edge_cases"]


def test_console_script_runs_as_a_process(demo_optimization):
    proc = subprocess.run(
        [sys.executable, "-m", "interview_corvus", "optimize", str(EXAMPLE), "--replay",
         str(demo_optimization), "--json"],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["type"] == "done"


def test_gui_without_a_display_explains_itself(capsys, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 2
    assert "no display" in capsys.readouterr().err
