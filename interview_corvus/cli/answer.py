"""``corvus optimize`` / ``corvus solve``: one answer, live in the terminal or as JSON lines.

Exit codes: 0 when the answer is done, 1 when the run ends in an error event,
2 on bad usage (unreadable file, unknown provider or language, bad settings).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from interview_corvus.cli.common import UsageError, history_store, settings_from
from interview_corvus.core.stream.wire import line_json

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
    from interview_corvus.core.errors import CorvusError
    from interview_corvus.core.runs.follow import follow
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    if bool(args.files) == bool(args.follow_up):
        raise UsageError("give a FILE, or --continue MESSAGE to follow up a run (not both)")
    text, images = ("", []) if args.follow_up else _read_input(args.files, args.command)
    settings = settings_from(args)
    service = LLMService(settings)
    # Through the hub, like every run: the output is exactly the SSE events, and the
    # run (with its partial, if it fails or is cancelled) lands in the history.
    hub = RunHub(service, history_store())
    try:
        provider = service.provider
        _prepare(provider)
        run = (_continue(hub, args) if args.follow_up
               else _submit(hub, args, text, images, settings.llm.default_language))
    except CorvusError as exc:  # bad input, an unknown run, or e.g. no API key configured
        raise UsageError(exc.message) from None
    if args.json:
        out: Any = _JsonOut()
    else:
        from interview_corvus.cli.render import LiveOut

        out = LiveOut(run.kind, provider.name, provider.model)
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


def _prepare(provider: Any) -> None:
    """Assemble or verify the local model's file first, with a bar on stderr (once)."""
    if getattr(provider, "needs_preparing", False):
        from interview_corvus.cli.models import terminal_progress

        with terminal_progress() as progress:
            provider.prepare(progress)


def _submit(hub: Any, args: argparse.Namespace, text: str, images: list[Path],
            default_language: str) -> Any:
    from interview_corvus.core.answers.models import KIND_OF_ACTION, language_for_suffix

    service = hub.service
    language = (args.language or language_for_suffix(Path(args.files[0]).suffix)
                or default_language)
    if images:
        job = service.image_solution_job(images, language)
    else:
        job = service.text_job(KIND_OF_ACTION[args.command], text, language)
    input_text = text or "\n".join(str(p) for p in images)
    return hub.submit(job, origin="cli", input_text=input_text)


def _continue(hub: Any, args: argparse.Namespace) -> Any:
    """A follow-up of ``--run ID``, or of the newest finished run in the history."""
    from interview_corvus.core.answers.models import KIND_OF_ACTION
    from interview_corvus.core.runs.follow_up import submit_follow_up

    run_id = args.run
    if run_id is None:
        if hub.history is None:
            raise UsageError("--continue needs the run history, which is off; give --run ID")
        run_id = next((e.id for e in hub.history.list(limit=100) if e.status == "done"), None)
        if run_id is None:
            raise UsageError("there is no finished run to continue yet")
    return submit_follow_up(hub, run_id, args.follow_up, origin="cli",
                            kind=KIND_OF_ACTION[args.command], language=args.language)


class _Discard:
    def event(self, payload: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second BrokenPipeError at exit


class _JsonOut:
    def event(self, payload: dict[str, Any]) -> None:
        sys.stdout.write(line_json(payload) + "\n")
        sys.stdout.flush()

    def close(self) -> None:
        pass
