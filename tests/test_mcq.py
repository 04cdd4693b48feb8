"""Multiple-choice questions: a third kind of answer, everywhere the other two go."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from fakes import FakeProvider, transcript
from test_api import in_process

from interview_corvus.core.answers.models import MultipleChoiceAnswer
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService

QUESTION = """What is the time complexity of binary search on a sorted array of n items?
A) O(n)
B) O(log n)
C) O(n log n)
D) O(1)"""
MCQ = {"answer": "B) O(log n)",
       "option_notes": ["A) no: it never looks at every item",
                        "B) yes: each step halves the range",
                        "C) no: that is sorting", "D) no: it must narrow down the range"],
       "explanation": "Each comparison halves the remaining range, so about log2 n steps."}


def test_the_service_answers_a_question_with_every_option_reviewed():
    provider = FakeProvider().enqueue_json(MCQ)
    service = LLMService(Settings(), provider)
    job = service.mcq_job(QUESTION, "python")
    assert job.kind == "mcq" and "multiple-choice" in job.request.prompt
    assert QUESTION in job.request.prompt
    assert list(job.request.schema["properties"]) == ["answer", "option_notes", "explanation"]
    result = service.complete_job(job)
    assert isinstance(result, MultipleChoiceAnswer) and result.answer == "B) O(log n)"
    assert result.fields["option_notes[3]"] == "done"


def test_http_mcq_and_its_stream(tmp_path):
    provider = FakeProvider()
    hub = RunHub(LLMService(Settings(), provider))

    async def go():
        async with in_process(hub) as client:
            provider.enqueue_json(MCQ)
            answer = await client.post("/mcq", json={"question": QUESTION})
            provider.enqueue_json(MCQ)
            stream = await client.post("/mcq-stream?delta=1", json={"question": QUESTION})
            blank = await client.post("/mcq", json={"question": "  "})
            return answer, stream, blank

    answer, stream, blank = asyncio.run(go())
    assert answer.status_code == 200 and answer.json()["answer"] == "B) O(log n)"
    assert stream.status_code == 200 and b'"type":"done"' in stream.content
    assert blank.status_code == 422 and blank.json()["error"]["fields"][0]["field"] == "question"


def test_corvus_mcq(tmp_path):
    question = tmp_path / "q.txt"
    question.write_text(QUESTION)
    path = transcript(tmp_path, MCQ, delay=0)
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "mcq", str(question),
                           "--replay", str(path), "--json"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["kind"] == "mcq" and events[-1]["data"]["answer"] == "B) O(log n)"
    human = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "mcq", str(question),
                            "--replay", str(path)], capture_output=True, text=True, timeout=60)
    assert human.returncode == 0 and "Each option" in human.stdout
    assert "Complexity" not in human.stdout


def test_the_window_answers_an_mcq(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, MCQ, delay=1))
    window = corvus.window
    window.editor.setPlainText(QUESTION)
    with qtbot.waitSignal(window.run_ended, timeout=20_000) as ended:
        window.window_actions.mcq.trigger()
    assert ended.args == ["done"]
    result = window.result
    assert result.code.text() == "B) O(log n)" and result.tabs.tabText(0) == "Answer"
    assert not result.complexity.isVisibleTo(result)  # no complexity for a question
    assert result.list_title.text() == "Each option" and len(result.items) == 4
    entry = corvus.history.list()[0]
    assert entry.kind == "mcq"
    window.reset()
    window.history.refresh()
    window.history.reopen.emit(window.history.entries()[0])
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.retry()  # a reopened question runs again as a question
    assert corvus.history.list()[0].kind == "mcq"
