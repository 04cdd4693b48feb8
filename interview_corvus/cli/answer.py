"""``corvus optimize`` / ``corvus solve``: one answer, live in the terminal or as JSON lines.

Exit codes: 0 when the answer is done, 1 when the run ends in an error event,
2 on bad usage (unreadable file, unknown provider or language, bad settings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from interview_corvus.cli.common import UsageError, history_store, settings_from

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
JSON_INTERVAL = 0.05  # --json partials: at most ~20 per second
HUMAN_INTERVAL = 1 / 15


def _read_input(files: list[str], command: str) -> tuple[str, list[Path]]:
    """Text of the input, or image paths for ``solve``; errors name the file."""
    paths = [Path(f) for f in files]
    if command == "solve" and all(p.suffix.lower() in IMAGE_SUFFIXES for p in paths):
        for path in paths:
            if not path.is_file():
                raise UsageError(f"cannot read {path}: no such file")
        return "", paths
    if len(files) > 1:
        raise UsageError("give one text FILE (several files are only for screenshots)")
    if files[0] == "-":
        return sys.stdin.read(), []
    try:
        return paths[0].read_text(encoding="utf-8"), []
    except FileNotFoundError:
        raise UsageError(f"cannot read {paths[0]}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read {paths[0]}: it is a directory") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read {paths[0]}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read {paths[0]}: {exc.strerror}") from None


def answer(args: argparse.Namespace) -> int:
    from interview_corvus.core.answers.models import language_for_suffix
    from interview_corvus.core.errors import BadRequest, CorvusError
    from interview_corvus.core.runs.follow import follow
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    text, images = _read_input(args.files, args.command)
    settings = settings_from(args)
    language = (args.language or language_for_suffix(Path(args.files[0]).suffix)
                or settings.llm.default_language)
    service = LLMService(settings)
    try:
        provider = service.provider
        if args.command == "optimize":
            job = service.optimization_job(text, language)
        elif images:
            job = service.image_solution_job(images, language)
        else:
            job = service.solution_job(text, language)
    except BadRequest as exc:
        raise UsageError(exc.message) from None
    except CorvusError as exc:  # e.g. no API key configured
        raise UsageError(exc.message) from None

    # Through the hub, like every run: the output is exactly the SSE events, and the
    # run (with its partial, if it fails or is cancelled) lands in the history.
    hub = RunHub(service, history_store())
    input_text = text or "\n".join(str(p) for p in images)
    run = hub.submit(job, origin="cli", input_text=input_text)
    if args.json:
        out: Any = _JsonOut()
    else:
        from interview_corvus.cli.render import LiveOut

        out = LiveOut(job.kind, provider.name, provider.model)
    interval = JSON_INTERVAL if args.json else HUMAN_INTERVAL
    seen: dict[str, Any] = {"id": 0, "type": ""}

    def show_events() -> None:
        for event_id, payload in follow(run, interval=interval, after=seen["id"]):
            seen.update(id=event_id, type=payload["type"])
            out.event(payload)

    try:
        try:
            show_events()
        except KeyboardInterrupt:
            run.cancel()  # the run ends with an error event (cancelled) and its partial
            show_events()
        return 0 if seen["type"] == "done" else 1
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        run.cancel()
        run.finished.wait(5)
        out = _Discard()
        return 1
    finally:
        out.close()
        provider.close()


class _Discard:
    def event(self, payload: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second BrokenPipeError at exit


class _JsonOut:
    def event(self, payload: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def close(self) -> None:
        pass
