"""Check an optimization: the original and the optimized code on the same inputs, in a
sandboxed child process; then their times at growing sizes.

``verify_optimization(answer)`` returns a ``Verification``: verified (same results on
the model's examples and a few hundred inputs shaped like them, drawn and shrunk by
hypothesis for Python), counterexample (the smallest input where they differ), or
unverified with the reason (no runner for the language, no examples, the code needs
what the sandbox refuses, a timeout). Python runs in ``python -I``, JavaScript in
``node`` when it is installed; nothing runs in this process (``sandbox``).
"""

from __future__ import annotations

import ast
import logging
import re
import threading

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.answers.verification import Counterexample, Timing, Verification
from interview_corvus.core.verify import sandbox
from interview_corvus.core.verify.growth import (
    claimed_exponent,
    describe_exponent,
    fit_exponent,
)

log = logging.getLogger(__name__)

MAX_EXAMPLES = 200
RUNNERS = {"python": "Python", "javascript": "JavaScript"}


def unverified(reason: str, language: str = "") -> Verification:
    return Verification(status="unverified", reason=reason, language=language,
                        summary=f"not checked: {reason}")


def example_calls(examples: list[str]) -> list[str]:
    """The answer's examples one call per item, as small models also write them: several
    lines in one item, inside a Markdown fence, with comment lines between, or a call
    inside a sentence ("two_sum([3, 3], 6) gives [0, 1] with both versions")."""
    calls = []
    for example in examples:
        for line in example.splitlines() or [example]:
            text = line.strip()
            if text and not text.startswith(("```", "#", "//")):
                calls.append(_call_in_prose(text))
    return calls


_PROSE_AFTER = re.compile(r"\s*(->|→|=>|gives|returns|outputs|yields|is|should|with|and)\b",
                          re.IGNORECASE)


def _call_in_prose(text: str) -> str:
    """The call that opens ``text`` when words follow it; ``text`` itself otherwise (the
    forms the child reads: ``f(x) == y``, ``assert …``, ``print(f(x))``, ``>>> f(x)``)."""
    match = re.match(r"\s*(?:The call\s+|Calling\s+)?([A-Za-z_$][\w$.]*)\s*\(", text)
    if match is None:
        return text
    depth, quote, index = 0, "", match.end() - 1
    for index in range(match.end() - 1, len(text)):
        char = text[index]
        if quote:
            if char == quote and text[index - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                break
    else:
        return text
    call, rest = text[match.start(1):index + 1], text[index + 1:]
    return call if _PROSE_AFTER.match(rest) else text


def _function_name(answer: CodeOptimization) -> str | None:
    """The function the examples call (it must be defined in the original code)."""
    for example in example_calls(answer.examples):
        call = re.sub(r"^\s*(assert|>>>|return|print\s*\(|console\.log\s*\()\s*", "",
                      example)
        match = re.match(r"\s*([A-Za-z_$][\w$]*)\s*\(", call)
        if match and re.search(rf"\b{re.escape(match[1])}\b", answer.original_code):
            return match[1]
    return None


def verify_optimization(answer: CodeOptimization, *, cancelled: threading.Event | None = None,
                        limits: sandbox.Limits | None = None) -> Verification:
    """Run both versions in the sandbox and compare; see the module docstring."""
    language = answer.language
    if language not in RUNNERS:
        title = language.capitalize() if language else "this language"
        return unverified(f"no runner for {title}", language)
    command = sandbox.python_command() if language == "python" else sandbox.node_command()
    if command is None:
        return unverified("no runner for JavaScript: node is not installed", language)
    name = _function_name(answer)
    if name is None:
        return unverified("the answer gave no example calls of the original function",
                          language)
    job = {"original": answer.original_code, "candidate": answer.optimized_code,
           "function": name, "examples": example_calls(answer.examples),
           "max_examples": MAX_EXAMPLES,
           "check_budget_s": 6, "time_budget_s": 3}
    result = sandbox.run(command, job, limits, cancelled)
    return _verdict(answer, result, language)


def _verdict(answer: CodeOptimization, result: sandbox.SandboxResult,
             language: str) -> Verification:
    found = result.answer
    if result.verdict == "cancelled":
        return unverified("the run was cancelled", language)
    if result.verdict == "refused":
        return unverified(f"the code needs what the sandbox refuses ({result.detail}); "
                          "the check runs code offline, in a temporary folder", language)
    if result.verdict in ("timeout", "memory", "crashed"):
        return unverified(f"{result.detail or result.verdict}", language)
    error = str(found.get("error", ""))
    if error.startswith("the optimized") or (error and _loads(answer.original_code, language)):
        return Verification(
            status="counterexample", language=language,
            counterexample=Counterexample(call="loading the code", original="runs",
                                          optimized=error.removeprefix("the optimized code ")),
            summary=f"✗ the optimized code does not run: {error}")
    if error:
        return unverified(f"the original code does not run on its own: {error}", language)
    if int(found.get("checked", 0)) == 0:
        return unverified("no inputs could be built from the examples", language)
    checked, examples = int(found["checked"]), int(found.get("examples", 0))
    if found.get("counterexample"):
        example = Counterexample.model_validate(found["counterexample"])
        return Verification(status="counterexample", language=language, checked=checked - 1,
                            examples=examples, counterexample=example,
                            summary=f"✗ differs on {example.call}: {example.original} vs "
                                    f"{example.optimized}")
    verification = Verification(status="verified", language=language, checked=checked,
                                examples=examples)
    if found.get("timing"):
        _add_timing(verification, Timing.model_validate(found["timing"]), answer)
    verification.summary = _summary(verification)
    return verification


def _loads(code: str, language: str) -> bool:
    if language != "python":
        return True
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def _add_timing(verification: Verification, timing: Timing, answer: CodeOptimization) -> None:
    verification.timing = timing
    verification.exponent_original = fit_exponent(timing.sizes, timing.original)
    verification.exponent_optimized = fit_exponent(timing.sizes, timing.optimized)
    if timing.original and timing.optimized and timing.optimized[-1] > 0:
        verification.speedup = timing.original[-1] / timing.optimized[-1]
        verification.speedup_n = timing.sizes[-1]
    problems = []
    for label, claim, measured in (
            ("optimized", answer.optimized_time_complexity, verification.exponent_optimized),
            ("original", answer.original_time_complexity, verification.exponent_original)):
        stated = claimed_exponent(claim)
        if stated is not None and measured is not None and abs(stated - measured) > 0.6:
            problems.append(f"the {label} code is said to be {claim} but its time grew like "
                            f"{describe_exponent(measured)}")
    verification.claim_mismatch = "; ".join(problems)


def _summary(v: Verification) -> str:
    parts = [f"✓ same results on {v.checked} inputs"]
    if v.exponent_original is not None and v.exponent_optimized is not None:
        parts.append(f"measured ~{describe_exponent(v.exponent_optimized)} vs "
                     f"~{describe_exponent(v.exponent_original)}")
    if v.speedup is not None and v.speedup_n:
        faster = (f"{v.speedup:.0f}× faster" if v.speedup >= 1.5 else
                  f"{v.speedup:.2f}× the speed")
        parts.append(f"{faster} at n={v.speedup_n:,}")
    if v.claim_mismatch:  # the behaviour holds; the stated complexity does not
        parts.append(f"⚠ but {v.claim_mismatch}")
    return " · ".join(parts)


__all__ = ["unverified", "verify_optimization"]
