"""Event payloads of the wire format (DESIGN.md, "SSE wire format").

The CLI's ``--json`` lines and the SSE ``data:`` lines are exactly these dicts.
"""

from __future__ import annotations

from typing import Any

from interview_corvus.core.errors import CorvusError
from interview_corvus.core.models import StreamedAnswer


def _data(model: StreamedAnswer | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


def start_event(run_id: str, kind: str, provider: str, model: str,
                streaming: bool) -> dict[str, Any]:
    return {"type": "start", "run_id": run_id, "kind": kind, "provider": provider,
            "model": model, "streaming": streaming}


def queued_event(run_id: str, position: int) -> dict[str, Any]:
    return {"type": "queued", "run_id": run_id, "position": position}


def partial_event(run_id: str, partial: StreamedAnswer) -> dict[str, Any]:
    return {"type": "partial", "run_id": run_id, "data": _data(partial)}


def done_event(run_id: str, result: StreamedAnswer, elapsed_ms: float,
               usage: dict[str, int] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "done", "run_id": run_id, "data": _data(result),
                             "elapsed_ms": round(elapsed_ms, 1)}
    if usage:
        event["usage"] = usage
    return event


def error_event(run_id: str, error: CorvusError,
                partial: StreamedAnswer | None = None) -> dict[str, Any]:
    return {"type": "error", "run_id": run_id, "error": error.to_dict(),
            "data": _data(partial if partial is not None else error.partial)}
