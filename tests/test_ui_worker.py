"""The window's run worker on its own: signal order, typed errors, cancel, lifetime."""

from __future__ import annotations

import json

from fakes import END, OPTIMIZATION, FakeProvider

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import RateLimited, Unavailable
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService
from interview_corvus.ui.window.worker import RunWorker


def _hub(provider: FakeProvider) -> RunHub:
    settings = Settings()
    settings.llm.max_retries = 0
    return RunHub(LLMService(settings, provider, backoff_base=0.01))


def _worker(hub: RunHub) -> RunWorker:
    run = hub.submit(hub.service.optimization_job("def f(xs): pass", "python"),
                     origin="window")
    return RunWorker(run, interval=0.0)


def test_signals_in_order_and_the_payload_as_a_model(qtbot):
    provider = FakeProvider().enqueue('{"optimized_code": "def f')
    worker = _worker(_hub(provider))
    models = []
    worker.yielded.connect(models.append)
    # the rest of the answer only once the first partial has reached the main thread
    rest = json.dumps(OPTIMIZATION)[len('{"optimized_code": "def f'):]
    worker.yielded.connect(lambda _m: len(models) == 1 and provider.enqueue(rest, END))
    seen: list[tuple[str, tuple]] = []
    for name in ("started", "yielded", "returned", "finished"):
        getattr(worker, name).connect(lambda *args, n=name: seen.append((n, args)))
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        worker.start()
    names = [name for name, _ in seen]
    # started, one or more partials (how many reach the main thread depends on timing),
    # then the complete answer, then finished — nothing out of order
    assert names[0] == "started" and names[-2:] == ["returned", "finished"], names
    assert set(names[1:-2]) == {"yielded"}, names
    done = seen[-2][1][0]
    assert done.optimized_code == OPTIMIZATION["optimized_code"]
    assert isinstance(done, CodeOptimization) and done.is_complete
    assert models and all(isinstance(m, CodeOptimization) for m in models)
    assert [m.progress for m in models] == sorted(m.progress for m in models)
    # kept alive while its thread runs, released once it has stopped
    qtbot.waitUntil(lambda: worker not in RunWorker._running, timeout=3000)
    assert not worker.is_running


def test_an_error_arrives_as_its_own_class_with_the_partial(qtbot):
    provider = FakeProvider().enqueue('{"optimized_code": "def g', Unavailable("upstream 503"))
    worker = _worker(_hub(provider))
    with qtbot.waitSignals([worker.started, worker.errored, worker.finished], order="strict",
                           timeout=10_000) as blocker:
        worker.start()
    error = blocker.all_signals_and_args[1].args[0]
    assert type(error) is Unavailable and error.code == "unavailable"
    assert error.message == "upstream 503"
    assert isinstance(error.partial, CodeOptimization)
    assert error.partial.optimized_code == "def g"


def test_rate_limit_keeps_its_class(qtbot):
    provider = FakeProvider().enqueue("{", RateLimited("slow down"))
    worker = _worker(_hub(provider))
    with qtbot.waitSignal(worker.errored, timeout=10_000) as blocker:
        worker.start()
    assert isinstance(blocker.args[0], RateLimited)
    qtbot.waitSignal(worker.finished, timeout=3000)


def test_cancel_aborts_with_the_partial_then_finishes(qtbot):
    provider = FakeProvider().enqueue('{"optimized_code": "def h')
    worker = _worker(_hub(provider))
    with qtbot.waitSignal(worker.yielded, timeout=10_000):
        worker.start()
    with qtbot.waitSignals([worker.aborted, worker.finished], order="strict",
                           timeout=10_000) as blocker:
        worker.cancel()
        provider.enqueue("ignored")  # the fake blocks for its next delta; the run then stops
    partial = blocker.all_signals_and_args[0].args[0]
    assert partial.optimized_code == "def h"
    assert provider.closed.wait(5)  # cancelling closed the provider stream
