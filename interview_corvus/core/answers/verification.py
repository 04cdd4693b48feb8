"""What checking an optimization found: the verdict that travels with the answer.

Filled in by ``core.verify`` after an optimization completes and carried on the
answer as its ``verification`` field (beside ``fields``, never in the schema sent
to the model), so it reaches the wire, the history, the CLI and the window.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["checking", "verified", "counterexample", "unverified"]


class Counterexample(BaseModel):
    """The smallest input found on which the two versions differ."""

    call: str = Field(description="The call, e.g. pair_sum([3, 3], 6).")
    original: str = Field(description="What the original returned (or 'raises E').")
    optimized: str = Field(description="What the optimized code returned (or 'raises E').")
    note: str = Field(default="", description="e.g. the arguments were left changed.")


class Timing(BaseModel):
    """Seconds per call (minimum of repeated runs) at growing sizes of one argument."""

    argument: int = Field(description="Which argument (0-based) was grown.")
    sizes: list[int] = Field(default_factory=list, description="n for each measurement.")
    original: list[float] = Field(default_factory=list, description="Seconds per call.")
    optimized: list[float] = Field(default_factory=list, description="Seconds per call.")


class Verification(BaseModel):
    """The check of an optimization: same behaviour, and measured growth."""

    status: Verdict = Field(description="checking (running now), verified (same results on "
                            "every input tried), counterexample (they differ), or "
                            "unverified (not checked; reason says why).")
    language: str = ""
    checked: int = Field(default=0, description="Inputs on which both versions agreed.")
    examples: int = Field(default=0, description="Of them, the model's own examples.")
    counterexample: Counterexample | None = None
    reason: str = Field(default="", description="Why it was not checked, in words.")
    repaired: bool = Field(default=False, description="The answer was asked for again with "
                           "a counterexample; this verdict is the repaired answer's.")
    first_counterexample: Counterexample | None = Field(
        default=None, description="What the first answer got wrong (when repaired).")
    timing: Timing | None = None
    exponent_original: float | None = Field(
        default=None, description="Fitted k of time ~ n^k for the original.")
    exponent_optimized: float | None = None
    speedup: float | None = Field(default=None, description="original / optimized time at "
                                  "the largest n measured.")
    speedup_n: int | None = None
    claim_mismatch: str = Field(default="", description="Where the stated complexity and "
                                "the measurement disagree, in words.")
    summary: str = Field(default="", description="One line for people.")
