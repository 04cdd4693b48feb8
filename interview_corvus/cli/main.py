"""The ``corvus`` command: gui (default), optimize, solve.

Exit codes: 0 when the answer is done, 1 when the run ends in an error event,
2 on bad usage (unreadable file, unknown provider or language, bad settings).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from interview_corvus import __version__
from interview_corvus.cli.answer import answer
from interview_corvus.cli.common import UsageError
from interview_corvus.cli.models import models
from interview_corvus.cli.serve import TOKEN_ENV, serve
from interview_corvus.core.config.logs import install_log_filters

log = logging.getLogger("interview_corvus")

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
    serve.add_argument("--verify", action="store_true",
                       help="also check optimizations requested over HTTP by running their "
                       "code (sandboxed); off by default: any API client could run code")
    _provider_flags(serve)
    found = sub.add_parser("models",
                           help="list the catalog and the models on this machine; pull one",
                           description="The catalog of local models (installed or available "
                           "to pull), GGUF files in the usual caches (Hugging Face, LM "
                           "Studio, llama.cpp) and the models of a running Ollama or LM "
                           "Studio server, with the flags that use each.")
    found.add_argument("--json", action="store_true", help="one JSON object per line")
    found.add_argument("--no-probe", action="store_true",
                       help="only look for files; do not ask local servers")
    pulls = found.add_subparsers(dest="models_command", metavar="pull")
    pull = pulls.add_parser("pull", help="download a catalog model from Hugging Face",
                            description="Download a catalog model from Hugging Face "
                            "(resumable, into the shared Hugging Face cache; HF_ENDPOINT "
                            "for a mirror), verified against its pinned sha256.")
    pull.add_argument("name", metavar="NAME", help="a catalog name (see corvus models)")
    for name, help_text, file_help in (
        ("optimize", "optimize the code in FILE", "source file to optimize ('-' for stdin)"),
        ("solve", "solve the problem in FILE",
         "problem text ('-' for stdin), or screenshots (.png/.jpg) for vision models"),
        ("mcq", "answer the multiple-choice question in FILE",
         "the question with its options ('-' for stdin)"),
    ):
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("files", nargs="*", metavar="FILE", help=file_help)
        cmd.add_argument("--continue", dest="follow_up", metavar="MESSAGE",
                         help="follow up the newest finished run (or --run ID) instead of "
                         "reading a FILE, e.g. --continue 'now O(1) space'")
        cmd.add_argument("--run", metavar="ID", help="the run --continue follows up")
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
    cmd.add_argument("--local-model", metavar="NAME",
                     help="catalog model for --provider local (see corvus models; default: "
                     "the best one installed)")
    cmd.add_argument("--decoding", choices=("auto", "grammar", "resample", "free"),
                     help="how the local model keeps to JSON (default auto: free decoding "
                     "for catalog coder models, the schema grammar for others)")
    cmd.add_argument("--max-tokens", type=int, help="answer token limit")
    cmd.add_argument("--no-stream", action="store_true",
                     help="one non-streaming call; prints the complete result only")
    cmd.add_argument("--no-repair", action="store_true",
                     help="do not ask again when the answer is invalid or cut off")
    cmd.add_argument("--no-verify", action="store_true",
                     help="do not run an optimization's code against the original")


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
            return serve(args)
        if args.command == "models":
            return models(args)
        return answer(args)
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
        from interview_corvus.ui.app import run_app
    except ImportError:
        parser.print_help(sys.stderr)
        sys.stderr.write("\ncorvus: the desktop window is not available in this build; "
                         "use 'corvus optimize FILE' or 'corvus solve FILE'.\n")
        return 2
    return int(run_app())





