"""How the window words a run: status lines, and how a history entry is run again."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from interview_corvus.core.answers.models import KIND_OF_ACTION, MODELS
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.follow_up import submit_follow_up
from interview_corvus.core.runs.hub import HubRun, RunHub
from interview_corvus.core.runs.service import LLMService


def done_message(stats: dict[str, Any]) -> str:
    """"done in 2.3 s · 85 tokens/s" — a rate only where it means something.

    The rate is output tokens over the time they streamed (after the first
    delta); a non-streaming answer arrives at once, so it has none.
    """
    seconds = stats.get("elapsed_ms", 0.0) / 1000
    text = f"done in {seconds:.1f} s"
    tokens = (stats.get("usage") or {}).get("output_tokens")
    first = stats.get("first_delta_ms")
    if stats.get("streaming") and tokens and first is not None and stats.get("deltas", 0) > 1:
        streamed = seconds - first / 1000
        if streamed >= 0.05:
            text += f" · {tokens / streamed:.0f} tokens/s"
    if stats.get("repaired"):
        text += " · repaired (the first answer was invalid or cut off)"
    return text


# a run's outcome as a mark and a word (History's rows, a reopened run's status line)
MARK = {"done": "✓", "error": "✗", "cancelled": "⊘", "running": "…", "queued": "…",
        "interrupted": "⚠"}
WORD = {"done": "done", "error": "failed", "cancelled": "cancelled", "running": "running",
        "queued": "queued", "interrupted": "interrupted"}

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")


def request_for_entry(entry: Any) -> tuple[str, Any, str]:
    """(action, payload, language) that runs a history entry again as it was."""
    if entry.parent_id:
        return "follow_up", (entry.parent_id, entry.input, entry.kind), entry.language
    if MODELS[entry.kind].ACTION in ("optimize", "mcq"):
        return MODELS[entry.kind].ACTION, entry.input, entry.language
    lines = entry.input.splitlines()
    images = []
    for line in lines:
        if not (Path(line).suffix.lower() in IMAGE_SUFFIXES and Path(line).is_file()):
            break
        images.append(line)
    if images:
        text = "\n".join(lines[len(images):]).strip()
        return "solve_images", (images, text), entry.language
    return "solve", entry.input, entry.language


def reads_images(service: LLMService) -> bool:
    """Whether the configured provider can read screenshots (False if it is not ready)."""
    try:
        return service.provider.supports_vision
    except CorvusError:
        return False


def start_run(hub: RunHub, action: str, payload: Any, language: str) -> HubRun:
    """Start a window request: optimize / solve text, solve screenshots (with the text
    typed beside them), or follow up a finished run (``(run id, message, kind)``)."""
    service = hub.service
    if action == "follow_up":
        parent_id, message, kind = payload
        return submit_follow_up(hub, parent_id, message, origin="window", kind=kind,
                                language=language)
    if action == "solve_images":
        job = service.image_solution_job(payload[0], language, payload[1])
    else:
        job = service.text_job(KIND_OF_ACTION[action], payload, language)
    text = payload if isinstance(payload, str) else images_input(*payload)
    return hub.submit(job, origin="window", input_text=text)


def images_input(paths: list[str], text: str) -> str:
    """What history keeps as the input of a screenshot run: the paths, then any text."""
    return "\n".join(paths) + (f"\n\n{text.strip()}" if text.strip() else "")


def entry_status(entry: Any) -> str:
    """The status line of a reopened run: its own outcome, never the previous run's."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created_at))
    detail = {"done": "", "error": f" ({entry.error_code})", "cancelled": " — partial answer",
              "interrupted": " — partial answer"}
    outcome = (f"{MARK[entry.status]} {WORD[entry.status]}{detail[entry.status]}"
               if entry.status in detail else entry.status)
    took = f" in {entry.elapsed_ms / 1000:.1f} s" if entry.elapsed_ms else ""
    by = entry.provider if entry.model in ("", entry.provider) else \
        f"{entry.provider} · {entry.model}"  # never "replay · replay"
    return f"reopened run of {when} · {outcome}{took} · {by}"
