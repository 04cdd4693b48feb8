"""Your own task prompt per kind of answer: it reaches the model; bad ones are named."""

from __future__ import annotations

import pytest
from fakes import CODE, OPTIMIZATION, FakeProvider
from logcollect import Collect
from pydantic import ValidationError

from interview_corvus.core.answers.prompts import TASKS, task_problem
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.runs.service import LLMService


def test_a_custom_prompt_reaches_the_provider_with_fields_and_input_after_it():
    task = "Make this {language} code faster; {{keep}} the names."
    provider = FakeProvider().enqueue_json(OPTIMIZATION)
    service = LLMService(Settings(llm={"task_prompts": {"optimization": task}}), provider)
    assert service.get_code_optimization(CODE, "python").is_complete
    prompt = provider.requests[0].prompt
    assert prompt.startswith("Make this python code faster; {keep} the names.")
    assert "Answer fields" in prompt and CODE in prompt  # always added after it
    solve = LLMService(Settings(llm={"task_prompts": {"optimization": task}}),
                       FakeProvider()).solution_job("Sum two numbers.", "go")
    assert solve.request.prompt.startswith(TASKS["solution"][0].format(language="go"))


@pytest.mark.parametrize(("task", "named"), [
    ("Optimize {code}", "unknown placeholder {code}"),
    ("Optimize {", "braces"),
    ("   ", "empty"),
    ("In {language!x}", "conversion (!x)"),
    ("In {language!r}", "conversion (!r)"),
    ("In {language:d}", "format spec (:d)"),
    ("In {language:>20000000}", "format spec (:>20000000)"),
    ("In {language:{x}}", "nested field (:{x})"),
    ("In {language.upper}", "unknown placeholder {language.upper}"),
    ("In {language[0]}", "unknown placeholder {language[0]}"),
])
def test_a_bad_prompt_is_refused_by_name(task, named):
    assert named in (task_problem(task) or "")
    with pytest.raises(ValidationError, match="optimization prompt"):
        Settings(llm={"task_prompts": {"optimization": task}})


@pytest.mark.parametrize("task", ["In {language!x}", "In {language:d}", "In {language:{x}}",
                                  "In {language:>20000000}"])
def test_a_settings_file_with_a_bad_prompt_is_skipped_and_runs_still_answer(task):
    import json

    from interview_corvus.core.config.settings import load_settings, settings_file

    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"llm": {"task_prompts": {"optimization": task}}}))
    with Collect("interview_corvus.core.config.settings") as logged:
        settings = load_settings()
    assert settings.llm.task_prompts == {} and str(path) in logged.text
    provider = FakeProvider().enqueue_json(OPTIMIZATION)
    answer = LLMService(settings, provider).get_code_optimization(CODE, "python")
    assert answer.is_complete and len(provider.requests[0].prompt) < 20_000


def test_the_prompts_tab_edits_validates_and_saves_only_changes(qtbot, memory_keyring):
    from interview_corvus.ui.settings.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    tab = dialog.prompts_tab
    assert tab.edit.toPlainText() == TASKS[tab.kind.currentText()][0]
    assert dialog.result_settings().llm.task_prompts == {}  # defaults are not stored
    tab.kind.setCurrentText("solution")
    tab.edit.setPlainText("Solve it in {lang}")
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert not save.isEnabled() and "unknown placeholder {lang}" in dialog.conflicts.text() + \
        tab.problem_label.text()
    tab.edit.setPlainText("Solve it in {language}, briefly.")
    assert save.isEnabled()
    assert dialog.save().llm.task_prompts == {"solution": "Solve it in {language}, briefly."}


