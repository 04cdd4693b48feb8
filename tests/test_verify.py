"""Verified answers: the optimized code runs against the original (sandboxed), the run
streams the check, repairs once from a counterexample, and says what it found."""

from __future__ import annotations

import asyncio
import json
import shutil
import time

import pytest
from apitools import rebuild
from fakes import CODE, END, OPTIMIZATION, FakeProvider
from test_local_decoding import CODE_PATH

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.runs.follow import follow
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService
from interview_corvus.core.verify import verify_optimization
from interview_corvus.core.verify.growth import claimed_exponent, fit_exponent

# the original returns the pair with the smallest i (then j): so must an optimization
GOOD = (CODE_PATH.parent / "two_sum_fast.py").read_text()
# the usual one-pass answer: same results on the examples, another pair where several
# exist — hypothesis must find such an input
WRONG = ("def two_sum(nums, target):\n    seen = {}\n    for j, x in enumerate(nums):\n"
         "        if target - x in seen:\n            return [seen[target - x], j]\n"
         "        seen[x] = j\n    return []\n")
EXAMPLES = ["two_sum([2, 7, 11, 15], 9)", "two_sum([3, 2, 4], 6)"]
BODY = {"code": CODE, "language": "python"}
UNIQUE_SUM = ("def total(xs):\n    t = 0\n    for i in range(len(xs)):\n"
              "        for _ in range(len(xs)):\n            pass\n        t += xs[i]\n"
              "    return t\n")


def answer(code: str, original: str = CODE, language: str = "python",
           examples: list[str] | None = None, **extra) -> CodeOptimization:
    return CodeOptimization(original_code=original, optimized_code=code, language=language,
                            examples=EXAMPLES if examples is None else examples, **extra)


def optimization(code: str) -> dict:
    return {**OPTIMIZATION, "optimized_code": code, "examples": EXAMPLES,
            "original_time_complexity": "O(n^2)", "optimized_time_complexity": "O(n)"}


def enqueue(provider: FakeProvider, data: dict, chunk: int = 40) -> None:
    text = json.dumps(data)
    provider.enqueue(*(text[i:i + chunk] for i in range(0, len(text), chunk)), END)


def hub_for(provider: FakeProvider, **llm) -> RunHub:
    settings = Settings(llm={"self_repair": True, "verify": True, "max_retries": 0, **llm})
    return RunHub(LLMService(settings, provider, backoff_base=0.001))


def events_of(run) -> list[dict]:
    return [payload for _, payload in follow(run, interval=0.0)]


# -- the verdicts ------------------------------------------------------------
def test_hypothesis_finds_the_smallest_input_where_they_differ():
    verdict = verify_optimization(answer(WRONG))
    assert verdict.status == "counterexample"
    example = verdict.counterexample
    assert example is not None and example.call.startswith("two_sum(")
    assert example.original != example.optimized
    # shrunk: a handful of small numbers, not a 16-item list
    assert len(example.call) < 40, example.call


def test_a_right_answer_is_verified_on_hundreds_of_inputs_and_timed():
    verdict = verify_optimization(answer(GOOD))
    assert verdict.status == "verified" and verdict.checked >= 100
    assert verdict.examples == 2 and verdict.summary.startswith("✓ same results on")
    assert verdict.timing is not None and len(verdict.timing.sizes) >= 3
    assert verdict.exponent_optimized is not None


def test_the_measured_growth_is_set_beside_the_claim():
    code = "def total(xs):\n    return sum(xs)\n"
    verdict = verify_optimization(answer(code, UNIQUE_SUM, examples=["total([1, 2, 3])"],
                                         original_time_complexity="O(n^2)",
                                         optimized_time_complexity="O(n^2)"))
    assert verdict.status == "verified"
    assert verdict.exponent_original is not None and verdict.exponent_original > 1.5
    assert verdict.exponent_optimized is not None and verdict.exponent_optimized < 1.4
    assert verdict.speedup is not None and verdict.speedup > 5
    assert "said to be O(n^2) but its time grew like n^" in verdict.claim_mismatch
    assert "faster at n=" in verdict.summary
    assert "⚠ but the optimized code is said to be O(n^2)" in verdict.summary  # not a plain ✓


def test_mutating_the_arguments_is_a_difference():
    original = "def smallest(xs):\n    return sorted(xs)[0] if xs else None\n"
    mutating = "def smallest(xs):\n    xs.sort()\n    return xs[0] if xs else None\n"
    verdict = verify_optimization(answer(mutating, original, examples=["smallest([3, 1, 2])"]))
    assert verdict.status == "counterexample"
    assert verdict.counterexample is not None
    assert "different state" in verdict.counterexample.note


def test_code_that_does_not_run_is_a_failure_to_repair():
    verdict = verify_optimization(answer("def two_sum(nums, target)\n    return []\n"))
    assert verdict.status == "counterexample"
    assert verdict.counterexample is not None and "SyntaxError" in verdict.counterexample.optimized


@pytest.mark.parametrize(("language", "reason"), [
    ("go", "no runner for Go"), ("rust", "no runner for Rust"), ("", "no runner for"),
    ("typescript", "no runner for Typescript")])
def test_languages_without_a_runner_are_never_given_a_verdict(language, reason):
    verdict = verify_optimization(answer("func f() {}", "func f() {}", language=language))
    assert verdict.status == "unverified" and reason in verdict.summary


def test_no_examples_means_not_checked():
    for examples in ([], ["print('hi')"], ["other_function(1)"]):
        verdict = verify_optimization(answer(GOOD, examples=examples))
        assert verdict.status == "unverified" and "example" in verdict.reason


NEEDS_NODE = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@NEEDS_NODE
def test_javascript_runs_in_node():
    original = ("function hasDup(xs) {\n  for (let i = 0; i < xs.length; i++)\n"
                "    for (let j = i + 1; j < xs.length; j++) if (xs[i] === xs[j]) return true;\n"
                "  return false;\n}\n")
    good = "function hasDup(xs) { return new Set(xs).size !== xs.length; }"
    wrong = "function hasDup(xs) { return xs.length > 1 && xs[0] === xs[1]; }"
    examples = ["hasDup([1, 2, 1]) // true", "hasDup([1, 2])"]
    assert verify_optimization(answer(good, original, "javascript", examples)).status == \
        "verified"
    verdict = verify_optimization(answer(wrong, original, "javascript", examples))
    assert verdict.status == "counterexample" and verdict.counterexample is not None


@NEEDS_NODE
def test_node_may_not_write_files_or_start_processes():
    original = "function f(x) { return x; }"
    for body in ("function f(x) { require('fs').writeFileSync('/tmp/x', 'y'); return x; }",
                 "function f(x) { process.exit(3); }"):
        verdict = verify_optimization(answer(body, original, "javascript", ["f(1)"]))
        assert verdict.status == "counterexample"  # ReferenceError: no require, no process


@pytest.mark.parametrize(("claim", "k"), [
    ("O(1)", 0.0), ("O(n)", 1.0), ("O(n^2)", 2.0), ("O(n²)", 2.0), ("O(n log n)", 1.15),
    ("O(log n)", 0.15), ("O(n + m)", 1.0), ("O(n*m)", 2.0), ("O(2^n)", None), ("fast", None)])
def test_claims_are_read_as_powers_of_n(claim, k):
    assert claimed_exponent(claim) == k


def test_the_growth_fit_recovers_known_powers():
    sizes = [64, 128, 256, 512, 1024]
    for k in (0.0, 1.0, 2.0):
        fitted = fit_exponent(sizes, [1e-5 * (n / 64) ** k for n in sizes])
        assert fitted is not None and abs(fitted - k) < 0.01, k
    # calls too fast to time (< 2 µs) are left out of the fit
    assert fit_exponent(sizes, [1e-7, 1e-7, 4e-6, 8e-6, 1.6e-5]) == pytest.approx(1.0)
    assert fit_exponent([1, 2], [1.0, 2.0]) is None  # too few points


# -- in the run ----------------------------------------------------------------
def test_the_run_streams_the_check_and_done_carries_it():
    provider = FakeProvider()
    enqueue(provider, optimization(GOOD))
    hub = hub_for(provider)
    events = events_of(hub.submit(hub.service.optimization_job(CODE, "python"), origin="cli"))
    statuses = [(e.get("data") or {}).get("verification", {}) or {} for e in events]
    assert {"status": "checking"}.items() <= next(s for s in statuses if s).items()
    done = events[-1]
    assert done["type"] == "done" and done["data"]["verification"]["status"] == "verified"
    stored = hub.history.get(done["run_id"]) if hub.history else None
    assert stored is None or stored.result["verification"]["status"] == "verified"


def test_a_counterexample_is_repaired_once_and_the_repair_is_checked():
    provider = FakeProvider()
    enqueue(provider, optimization(WRONG))
    enqueue(provider, optimization(GOOD))
    hub = hub_for(provider)
    events = events_of(hub.submit(hub.service.optimization_job(CODE, "python"), origin="cli"))
    assert len(provider.requests) == 2
    second = provider.requests[1].prompt
    assert "behaves differently from the original" in second and "two_sum(" in second
    done = events[-1]
    check = done["data"]["verification"]
    assert done["type"] == "done" and done["repaired"] is True
    assert check["status"] == "verified" and check["repaired"] is True
    assert check["first_counterexample"]["call"].startswith("two_sum(")
    assert done["data"]["optimized_code"] == GOOD


def test_a_repair_that_differs_again_says_so():
    provider = FakeProvider()
    enqueue(provider, optimization(WRONG))
    enqueue(provider, optimization(WRONG))
    hub = hub_for(provider)
    done = events_of(hub.submit(hub.service.optimization_job(CODE, "python"),
                                origin="cli"))[-1]
    assert done["type"] == "done"  # an answer with an honest verdict, not an error
    assert done["data"]["verification"]["status"] == "counterexample"
    assert done["data"]["verification"]["repaired"] is True


def test_without_repair_the_counterexample_is_reported_as_is():
    provider = FakeProvider()
    enqueue(provider, optimization(WRONG))
    hub = hub_for(provider, self_repair=False)
    done = events_of(hub.submit(hub.service.optimization_job(CODE, "python"),
                                origin="cli"))[-1]
    assert len(provider.requests) == 1
    assert done["data"]["verification"]["status"] == "counterexample"


def test_verification_off_means_no_code_runs():
    provider = FakeProvider()
    enqueue(provider, optimization(WRONG))
    hub = hub_for(provider, verify=False)
    done = events_of(hub.submit(hub.service.optimization_job(CODE, "python"),
                                origin="window"))[-1]
    assert done["data"].get("verification") is None and len(provider.requests) == 1


def test_http_requests_run_no_code_unless_the_server_allows_it():
    from test_api import post_stream

    provider = FakeProvider()
    hub = hub_for(provider)
    for allowed in (False, True):
        hub.verify_http = allowed
        enqueue(provider, optimization(GOOD))
        for delta in (False,):
            _, events = asyncio.run(post_stream(hub, path="/optimize-stream", body=BODY))
            check = events[-1]["data"].get("verification")
            assert (check is not None) is allowed, delta
            if allowed:
                assert check["status"] == "verified"


def test_delta_clients_rebuild_the_checked_answer():
    from test_api import post_stream

    provider = FakeProvider()
    hub = hub_for(provider)
    hub.verify_http = True
    enqueue(provider, optimization(WRONG))
    enqueue(provider, optimization(GOOD))
    _, events = asyncio.run(post_stream(hub, path="/optimize-stream?delta=1", body=BODY))
    assert events[-1]["type"] == "done"
    assert rebuild(events) == events[-1]["data"]


def test_cancelling_during_the_check_ends_the_run_promptly():
    provider = FakeProvider()
    enqueue(provider, optimization("def two_sum(nums, target):\n    while True:\n"
                                   "        pass\n"))
    hub = hub_for(provider)
    run = hub.submit(hub.service.optimization_job(CODE, "python"), origin="cli")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        data = run.log.snapshot() or {}
        if (data.get("verification") or {}).get("status") == "checking":
            break
        time.sleep(0.02)
    started = time.monotonic()
    run.cancel()
    assert run.finished.wait(5)
    assert time.monotonic() - started < 3
    assert events_of(run)[-1]["error"]["code"] == "cancelled"


@pytest.mark.parametrize("example", [
    "two_sum([2, 7, 11, 15], 9) == [0, 1]", "assert two_sum([2, 7, 11, 15], 9) == [0, 1]",
    "print(two_sum([2, 7, 11, 15], 9))", "two_sum(nums=[2, 7, 11, 15], target=9)",
    ">>> two_sum([2, 7, 11, 15], target=9)", "two_sum([2, 7, 11, 15], 9)  # [0, 1]"])
def test_examples_are_read_in_the_forms_models_write(example):
    verdict = verify_optimization(answer(GOOD, examples=[example]))
    assert verdict.status == "verified" and verdict.examples == 1


def test_examples_written_as_a_fenced_block_are_read_call_by_call():
    block = ("```python\nprint(two_sum([2, 7, 11, 15], 9))\n# Output: [0, 1]\n"
             "two_sum([3, 3], 6)  # [0, 1]\n```")
    verdict = verify_optimization(answer(GOOD, examples=[block]))
    assert verdict.status == "verified" and verdict.examples == 2


def test_a_repair_is_checked_on_the_input_the_first_answer_failed_on():
    """The repair keeps the bug and gives examples the check cannot use: it is still run
    on the first counterexample, and the verdict says it differs (not "not checked")."""
    provider = FakeProvider()
    enqueue(provider, optimization(WRONG))
    enqueue(provider, {**optimization(WRONG), "examples": ["It works for every input."]})
    hub = hub_for(provider)
    done = events_of(hub.submit(hub.service.optimization_job(CODE, "python"),
                                origin="cli"))[-1]
    check = done["data"]["verification"]
    assert check["status"] == "counterexample" and check["repaired"] is True
    assert check["counterexample"]["call"] == check["first_counterexample"]["call"]
    assert done["data"]["examples"] == ["It works for every input."]  # the answer's own


@pytest.mark.parametrize("example", [
    "two_sum([2, 7, 11, 15], 9) gives [0, 1] with both versions.",
    "two_sum([2, 7, 11, 15], 9) -> [0, 1]", "The call two_sum([2, 7, 11, 15], 9) returns [0, 1]"])
def test_a_call_inside_a_sentence_is_read(example):
    verdict = verify_optimization(answer(GOOD, examples=[example]))
    assert verdict.status == "verified" and verdict.examples == 1
