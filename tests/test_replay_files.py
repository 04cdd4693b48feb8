"""Hold under pressure, items 7 and 8: JSON nested 100,000 deep in settings.json and in
a replay transcript, and transcripts that are not UTF-8, not regular files, or hold
values of the wrong type. Each is refused by name (file:line and the value) with exit
2, or skipped with a message naming it; nothing hangs and no traceback is shown.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from logcollect import Collect

from interview_corvus.cli import main
from interview_corvus.core.config.settings import load_settings, settings_file
from interview_corvus.core.errors import BadRequest
from interview_corvus.core.providers.replay import load_transcript

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "two_sum.py"
DEMO = ROOT / "resources" / "demo" / "optimization.jsonl"
DEEP = "[" * 100_000
GOOD = '{"delta": "{\\"optimized_code\\": \\"x\\"", "delay_ms": 1}\n'


def corvus(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path / "data"),
           "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "interview_corvus.cli", *args],
                          capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize(("line", "named"), [
    ('{"delta": 5}', "delta: Input should be a valid string (got 5)"),
    ('{"delta": "a", "delay_ms": "soon"}', "delay_ms: Input should be a valid number "
                                           "(got 'soon')"),
    ('{"delta": "a", "delay_ms": NaN}', "delay_ms: Input should be a finite number"),
    ('{"delta": "a", "delay_ms": -5}', "delay_ms: Input should be greater than or equal"),
    ('{"usage": "lots"}', "usage: Input should be a valid dictionary (got 'lots')"),
    ('{"usage": {"output_tokens": "ten"}}', "usage.output_tokens: Input should be a valid "
                                            "integer (got 'ten')"),
    ('{"raise": "boom"}', "raise: Input should be 'rate_limit'"),
    ('{"finish_reason": 3}', "finish_reason: Input should be a valid string (got 3)"),
    ('{"detla": "x"}', "detla: Extra inputs are not permitted (got 'x')"),
    ("[1, 2]", "expected an object with 'delta' or 'raise' (got JSON list)"),
    (DEEP, "JSON nested too deeply"),
])
def test_a_wrong_line_is_named_by_file_line_and_value_and_exits_2(tmp_path, capsys, line,
                                                                   named):
    path = tmp_path / "t.jsonl"
    path.write_text(GOOD + line + "\n")
    with pytest.raises(BadRequest) as caught:
        load_transcript(path)
    assert caught.value.message.startswith(f"{path}:2: ") and named in caught.value.message
    assert main(["optimize", str(EXAMPLE), "--replay", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: " in err and named in err and "Traceback" not in err


def test_a_transcript_that_is_not_utf8_is_named_by_line(tmp_path, capsys):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(GOOD.encode() + '{"delta": "café"}\n'.encode("latin-1"))
    assert main(["optimize", str(EXAMPLE), "--replay", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: not UTF-8 text (byte 0xe9" in err


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_transcript_that_is_not_a_regular_file_is_refused_at_once(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "t.jsonl"
        os.mkfifo(path)  # opening it for reading would wait for a writer, forever
    elif kind == "device":
        path = Path("/dev/zero")
    else:
        path = tmp_path
    done = corvus(tmp_path, "optimize", str(EXAMPLE), "--replay", str(path))
    assert done.returncode == 2, done.stderr
    assert str(path) in done.stderr and "Traceback" not in done.stderr
    assert ("a directory" if kind == "folder" else "not a regular file") in done.stderr


def test_good_transcripts_still_load_as_before():
    lines = load_transcript(DEMO)
    assert lines[0] == {"delta": "{\n ", "delay_ms": 10.8}
    assert {"usage": {"input_tokens": 420, "output_tokens": 318}} in lines
    assert all(set(line) <= {"delta", "delay_ms", "usage"} for line in lines)


@pytest.mark.parametrize("content", [DEEP, '{"llm": ' + DEEP, '{"llm": {"model": ' + DEEP])
def test_a_settings_file_nested_100000_deep_is_skipped_by_name(tmp_path, content):
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    with Collect("interview_corvus.core.config.settings") as logged:
        settings = load_settings()
    assert settings.llm.provider == "local" and str(path) in logged.text
    source = tmp_path / "f.py"
    source.write_text("def f(xs):\n    return sum(xs)\n")
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(content)
    done = corvus(tmp_path, "optimize", str(source), "--replay", str(DEMO), "--json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert str(config / "settings.json") in done.stderr


