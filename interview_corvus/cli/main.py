"""The ``corvus`` command: gui (default), optimize, solve.

Exit codes: 0 when the answer is done, 1 when the run ends in an error event,
2 on bad usage (unreadable file, unknown provider or language, bad settings).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from interview_corvus import __version__
from interview_corvus.core.config.logs import install_log_filters

log = logging.getLogger("interview_corvus")

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
JSON_INTERVAL = 0.05  # --json partials: at most ~20 per second
HUMAN_INTERVAL = 1 / 15


class UsageError(Exception):
    """Bad usage: reported on stderr with exit code 2."""


TOKEN_ENV = "INTERVIEW_CORVUS_SERVER_TOKEN"


def _parser() -> argparse.ArgumentParser:
    from interview_corvus.core.answers.models import LANGUAGES

    parser = argparse.ArgumentParser(
        prog="corvus", description="Interview Corvus: structured coding answers, streamed live.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("gui", help="open the desktop window (the default)")
    serve = sub.add_parser("serve", help="run the HTTP server (SSE streams) headless",
                           description="Serve /optimize, /optimize-stream, /runs … over HTTP.")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8765; 0 = any)")
    serve.add_argument("--token", help="require this token ('auto' generates one); needed "
                       "for any address other than loopback. Kept out of `ps`: use "
                       f"--token-file or the {TOKEN_ENV} environment variable instead")
    serve.add_argument("--token-file", metavar="PATH",
                       help="read the token from this file (first line)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="also answer requests for this host name or address (e.g. the "
                       "machine's LAN name); repeatable")
    _provider_flags(serve)
    for name, help_text, file_help in (
        ("optimize", "optimize the code in FILE", "source file to optimize ('-' for stdin)"),
        ("solve", "solve the problem in FILE",
         "problem text ('-' for stdin), or screenshots (.png/.jpg) for vision models"),
    ):
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("files", nargs="+", metavar="FILE", help=file_help)
        cmd.add_argument("--language", "-l", help=f"one of: {', '.join(LANGUAGES)} "
                         "(default: from the file extension, else settings)")
        _provider_flags(cmd)
        cmd.add_argument("--json", action="store_true",
                         help="one JSON event per line (start, partial..., done | error)")
    return parser


def _provider_flags(cmd: argparse.ArgumentParser) -> None:
    from interview_corvus.core.config.settings import PROVIDERS

    cmd.add_argument("--provider", "-p", help=f"one of: {', '.join(PROVIDERS)}")
    cmd.add_argument("--model", "-m", help="model name (default: the provider's)")
    cmd.add_argument("--base-url", help="base URL of an OpenAI-compatible server")
    cmd.add_argument("--replay", metavar="TRANSCRIPT",
                     help="JSON Lines transcript for --provider replay")
    cmd.add_argument("--gguf", metavar="PATH", help="GGUF model for --provider local")
    cmd.add_argument("--max-tokens", type=int, help="answer token limit")
    cmd.add_argument("--no-stream", action="store_true",
                     help="one non-streaming call; prints the complete result only")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    install_log_filters()
    if args.command in (None, "gui"):
        return _gui(parser)
    try:
        if args.command == "serve":
            return _serve(args)
        return _answer(args)
    except UsageError as exc:
        sys.stderr.write(f"corvus {args.command}: error: {exc}\n")
        return 2


def _gui(parser: argparse.ArgumentParser) -> int:
    import os

    headless = (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
                and not os.environ.get("WAYLAND_DISPLAY")
                and not os.environ.get("QT_QPA_PLATFORM"))
    if headless:
        sys.stderr.write("corvus: no display to open the window on (DISPLAY is not set). "
                         "Use 'corvus optimize FILE', 'corvus solve FILE' or 'corvus serve'.\n")
        return 2
    try:
        from interview_corvus.ui.app import run_app  # type: ignore[import-not-found]
    except ImportError:
        parser.print_help(sys.stderr)
        sys.stderr.write("\ncorvus: the desktop window is not available in this build; "
                         "use 'corvus optimize FILE' or 'corvus solve FILE'.\n")
        return 2
    return int(run_app())


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


def _settings(args: argparse.Namespace) -> Any:
    from pydantic import ValidationError

    from interview_corvus.core.config.settings import PROVIDERS, load_settings

    if args.provider and args.provider not in PROVIDERS:
        raise UsageError(f"unknown provider {args.provider!r} "
                         f"(choose from {', '.join(PROVIDERS)})")
    provider = args.provider or ("replay" if args.replay else None)
    try:
        return load_settings().with_overrides(
            provider=provider, model=args.model, base_url=args.base_url,
            replay_path=args.replay, gguf_path=args.gguf, max_tokens=args.max_tokens,
            streaming=False if args.no_stream else None)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _answer(args: argparse.Namespace) -> int:
    from interview_corvus.core.answers.models import language_for_suffix
    from interview_corvus.core.errors import BadRequest, CorvusError
    from interview_corvus.core.runs.follow import follow
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    text, images = _read_input(args.files, args.command)
    settings = _settings(args)
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
    hub = RunHub(service, _history())
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


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from interview_corvus.api.server import EmbeddedServer, ServerConfigError, new_token
    from interview_corvus.core.errors import CorvusError
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    settings = _settings(args)
    host = args.host or settings.server.host
    port = settings.server.port if args.port is None else args.port
    token, generated = _token(args, new_token)
    service = LLMService(settings)
    try:
        provider = service.provider
    except CorvusError as exc:
        raise UsageError(exc.message) from None
    hub = RunHub(service, _history(),
                 remote_concurrency=settings.server.max_concurrent_remote)
    try:
        extra = list(args.allow_host)
        if host in ("0.0.0.0", "::"):  # the LAN address this machine is reached at
            from interview_corvus.api.server import lan_address

            extra += [a for a in (lan_address(),) if a]
        server = EmbeddedServer(hub, host=host, port=port, token=token,
                                allowed_hosts=tuple(extra),
                                rate_per_minute=settings.server.rate_per_minute).start()
    except ServerConfigError as exc:
        raise UsageError(str(exc)) from None
    sys.stderr.write(f"Interview Corvus serving on {server.url} ({provider.name} · "
                     f"{provider.model}); Ctrl+C stops.\n")
    if token and generated:
        sys.stderr.write(f"token: {token}\n")  # shown once, to the user who asked for it
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    # every open stream gets its run's one final event before the server closes
    hub.shutdown()
    server.stop()
    provider.close()
    return 0


def _token(args: argparse.Namespace, new_token: Any) -> tuple[str | None, bool]:
    """The server token: --token, else --token-file, else the environment; 'auto' makes one."""
    import os

    if args.token and args.token_file:
        raise UsageError("give --token or --token-file, not both")
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the token file {args.token_file}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        if not token or not token[0].strip():
            raise UsageError(f"the token file {args.token_file} is empty")
        return token[0].strip(), False
    value = args.token or os.environ.get(TOKEN_ENV) or None
    return (new_token(), True) if value == "auto" else (value, False)


def _history() -> Any:
    """The history store, or None; what is wrong with its file or folder goes to stderr."""
    from interview_corvus.core.runs.history import open_history

    store, notice = open_history()
    if notice:
        sys.stderr.write(f"corvus: {notice}\n")
    return store


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

