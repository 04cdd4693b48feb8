"""Self-repair: when the final answer is invalid or cut off, ask once more.

As instructor's re-ask does, the second request says what was wrong (the
validation error, or that the answer hit the token limit) so the model can
correct it. The repair streams into the same run: a reset patch empties the
answer (fields back to pending, progress kept, so it never goes backwards), then
the new answer fills in. If the repair fails too, its own typed error ends the run.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.answers.verification import Verification
from interview_corvus.core.errors import AnswerError, AnswerIncomplete, AnswerInvalid
from interview_corvus.core.providers.base import AnswerRequest
from interview_corvus.core.stream.partial_json import Patch

# what a re-ask can fix: a schema violation, bad JSON, or an answer cut off early
REPAIRABLE = {AnswerInvalid: ("json", "schema"), AnswerIncomplete: ("length", "truncated")}
SHOWN_RAW = 1500  # characters of the rejected answer quoted back to the model


def repairable(error: AnswerError) -> bool:
    return error.reason in REPAIRABLE.get(type(error), ())


def repair_request(request: AnswerRequest, error: AnswerError, raw: str) -> AnswerRequest:
    """The request again, with what was wrong with the first answer."""
    if error.reason in ("length", "truncated"):
        problem = ("Your previous answer was cut off before the JSON object was complete. "
                   "Answer again, much more briefly: keep the code minimal and every text "
                   "field to a sentence or two, so the whole object fits.")
    else:
        quoted = raw if len(raw) <= SHOWN_RAW else raw[:SHOWN_RAW] + " …"
        problem = (f"Your previous answer was rejected: {error.message}\n"
                   f"It began:\n{quoted}\n"
                   "Answer again with one JSON object that follows the schema exactly: "
                   "every field present, with the right type, and nothing else.")
    return replace(request, prompt=f"{request.prompt}\n\n{problem}")


def counterexample_request(request: AnswerRequest, verdict: Verification) -> AnswerRequest:
    """The request again, with the input on which the optimized code differed."""
    example = verdict.counterexample
    assert example is not None
    if example.call == "loading the code":
        problem = (f"Your previous optimized code does not run: {example.optimized}. "
                   "Answer again with code that runs, each of its line breaks written as "
                   "\\n in the JSON string")
    else:
        note = f" ({example.note})" if example.note else ""
        problem = (f"Your previous optimized code behaves differently from the original: "
                   f"{example.call} gives {example.original} with the original but "
                   f"{example.optimized} with yours{note}. Answer again with code that "
                   "gives the same results as the original for every input, this one "
                   "included")
    return replace(request, prompt=f"{request.prompt}\n\n{problem}, as one JSON object "
                   "with every field.")


def reset_patches(model_cls: type[StreamedAnswer]) -> list[Patch]:
    """Patches that empty every answer field and set their states back to pending."""
    defaults: dict[str, Any] = {name: info.get_default(call_default_factory=True)
                                for name, info in model_cls.model_fields.items()}
    patches: list[Patch] = [("set", (name,), defaults[name])
                            for name in model_cls.answer_fields()]
    patches.append(("set", ("fields",), dict.fromkeys(model_cls.answer_fields(), "pending")))
    return patches
