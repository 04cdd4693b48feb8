"""What a run reports as it goes: one ``StreamUpdate`` per step, ``RunStats`` at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.stream.partial_json import Patch


@dataclass
class RunStats:
    streaming: bool = True
    attempts: int = 0
    fallback: bool = False
    first_delta_ms: float | None = None
    elapsed_ms: float = 0.0
    usage: dict[str, int] = field(default_factory=dict)
    deltas: int = 0
    repaired: bool = False  # the first answer was invalid or cut off; a re-ask fixed it


@dataclass
class StreamUpdate:
    """One step of a run: the patches of a delta, and a partial when one is due.

    The last update of a successful run has ``final=True`` and the complete model.
    """

    patches: list[Patch]
    progress: float
    partial: StreamedAnswer | None = None
    final: bool = False
    stats: RunStats | None = None
