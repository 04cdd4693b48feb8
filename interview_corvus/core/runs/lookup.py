"""Finding runs by text: the stored history's full-text matches and the hub's own runs
(in progress or finished this session), which the history may not hold yet."""

from __future__ import annotations

from typing import Any

from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.search import answer_text, matches


def search_runs(hub: RunHub, query: str, limit: int) -> list[dict[str, Any]]:
    """Summaries of the runs matching ``query``, newest first: stored matches and the
    hub's own runs (in progress or finished this session), each once."""
    live = {run.id: run for run in hub.runs()}
    stored = hub.history.list(limit=limit, query=query) if hub.history is not None else []
    found = {entry.id: entry.summary() for entry in stored if entry.id not in live}
    stored_ids = {entry.id for entry in stored}
    for run in live.values():
        result = run.entry.result
        latest = None if run.finished.is_set() else run.active.latest()
        if latest is not None:  # newer than the partial last saved
            result = latest.model_dump(mode="json")
        if run.id in stored_ids or matches((run.entry.input, answer_text(result)), query):
            found[run.id] = run.summary()
    items = sorted(found.values(), key=lambda item: item["created_at"], reverse=True)
    return items[:limit]
