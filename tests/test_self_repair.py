"""Self-repair: an invalid or cut-off answer is asked for once more, in the same run."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from apitools import rebuild
from fakes import CODE, END, OPTIMIZATION, FakeProvider

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import AnswerIncomplete, AnswerInvalid
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService


class PacedProvider(FakeProvider):
    """Deltas 2 ms apart, so a stream has partials before its end."""

    def stream(self, request, info):
        for delta in super().stream(request, info):
            time.sleep(0.002)
            yield delta


def _service(provider: FakeProvider, repair: bool = True) -> LLMService:
    settings = Settings(llm={"self_repair": repair, "max_retries": 0})
    return LLMService(settings, provider, backoff_base=0.001)


def _answer(provider: FakeProvider, answer: dict, chunk: int = 9) -> None:
    text = json.dumps(answer)
    provider.enqueue(*(text[i:i + chunk] for i in range(0, len(text), chunk)), END)


def test_a_schema_violation_is_repaired_with_the_error_in_the_second_request():
    provider = FakeProvider()
    _answer(provider, {**OPTIMIZATION, "improvements": "one string, not a list"})
    _answer(provider, OPTIMIZATION)
    service = _service(provider)
    run = service.open_run(service.optimization_job(CODE, "python"))
    updates = list(run.updates())
    final = updates[-1].partial
    assert final is not None and final.is_complete
    assert final.improvements == OPTIMIZATION["improvements"]
    assert run.stats.repaired
    assert len(provider.requests) == 2
    second = provider.requests[1].prompt
    assert "rejected" in second and "improvements" in second  # names what was wrong
    assert provider.requests[0].prompt in second  # the same task, with the error after it
    progress = [u.progress for u in updates]
    assert progress == sorted(progress)  # the repair never moves the bar backwards


def test_an_answer_cut_off_at_the_token_limit_is_asked_for_briefly():
    provider = FakeProvider()
    provider.finish_reason = "length"
    provider.enqueue(json.dumps(OPTIMIZATION)[:40], END)
    service = _service(provider)
    job = service.optimization_job(CODE, "python")
    run = service.open_run(job)
    updates = run.updates()
    first = next(updates)
    assert first.partial is None or not first.partial.is_complete
    provider.finish_reason = "stop"
    _answer(provider, OPTIMIZATION)
    final = list(updates)[-1].partial
    assert final.is_complete and run.stats.repaired
    assert "cut off" in provider.requests[1].prompt and "briefly" in provider.requests[1].prompt


@pytest.mark.parametrize(("answers", "finish", "repair", "error", "reason", "asked"), [
    # the repair fails too: its own error, typed
    (['{"optimized_code": 12, ', "not json at all {]"], "stop", True, AnswerInvalid, "json", 2),
    # the off switch keeps the first error
    ([json.dumps(OPTIMIZATION)[:30]], "stop", False, AnswerIncomplete, "truncated", 1),
    # a looping model is not asked again
    (['{"optimized_code": "aaaa'], "repetition", True, AnswerIncomplete, "repetition", 1),
], ids=["repair-fails-too", "off-switch", "looping-model"])
def test_errors_that_stay_typed(answers, finish, repair, error, reason, asked):
    provider = FakeProvider()
    provider.finish_reason = finish
    for text in answers:
        provider.enqueue(text, END)
    with pytest.raises(error) as info:
        _service(provider, repair=repair).get_code_optimization(CODE, "python")
    assert info.value.reason == reason and len(provider.requests) == asked


def test_the_repair_streams_as_the_same_run_over_sse_and_patches_rebuild_done():
    from test_api import post_stream

    provider = PacedProvider()
    _answer(provider, {k: v for k, v in OPTIMIZATION.items() if k != "explanation"}, 3)
    _answer(provider, OPTIMIZATION, 3)
    hub = RunHub(_service(provider))
    for delta in (False, True):
        if delta:  # the same two answers again for the delta-mode stream
            _answer(provider, {k: v for k, v in OPTIMIZATION.items() if k != "explanation"}, 3)
            _answer(provider, OPTIMIZATION, 3)
        path = "/optimize-stream?delta=1" if delta else "/optimize-stream"
        _, events = asyncio.run(post_stream(hub, path=path))
        assert [e["type"] for e in events].count("start") == 1
        assert events[-1]["type"] == "done" and events[-1].get("repaired") is True
        assert events[-1]["data"]["explanation"] == OPTIMIZATION["explanation"]
        partials = [e for e in events if e["type"] == "partial"]
        assert len(partials) >= 2, "the first answer and the repair both streamed"
        if delta:  # the reset patches empty the answer; the repair's patches fill it again
            assert rebuild(events) == events[-1]["data"]
        runs = hub.runs()
        assert len({r.id for r in runs}) == (2 if delta else 1)


def test_the_window_says_the_answer_was_repaired(qtbot, make_app):
    corvus = make_app(self_repair=True)
    provider = FakeProvider()
    corvus.hub.service._provider = provider
    _answer(provider, {**OPTIMIZATION, "improvements": 3})
    _answer(provider, OPTIMIZATION)
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=10_000) as ended:
        window.optimize_button.click()
    assert ended.args == ["done"] and not window.banner.isVisible()
    assert "repaired" in window.statusBar().currentMessage()
    assert window.result.code.text() == OPTIMIZATION["optimized_code"]


def test_the_settings_switch_and_the_cli_flag(qtbot, memory_keyring):
    from interview_corvus.cli.common import settings_from
    from interview_corvus.cli.main import _parser
    from interview_corvus.ui.settings.settings_dialog import SettingsDialog

    args = _parser().parse_args(["optimize", "x.py", "--no-repair"])
    assert settings_from(args).llm.self_repair is False
    args = _parser().parse_args(["optimize", "x.py"])
    assert settings_from(args).llm.self_repair is False  # the tests' environment turns it off
    dialog = SettingsDialog(Settings(llm={"self_repair": True}))
    qtbot.addWidget(dialog)
    assert dialog.self_repair.isChecked()
    dialog.self_repair.setChecked(False)
    assert dialog.result_settings().llm.self_repair is False
