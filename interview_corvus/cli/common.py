"""What the commands share: usage errors, settings from flags, the history store."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

# the flag that sets each LLM setting (what settings_from reads back)
FLAGS = {"provider": "--provider", "model": "--model", "base_url": "--base-url",
         "gguf_path": "--gguf", "replay_path": "--replay", "local_model": "--local-model"}


def flags_for(settings: dict[str, str]) -> str:
    """The command-line flags that give these LLM settings, quoted for a shell."""
    return " ".join(f"{FLAGS[name]} {shlex.quote(value)}" for name, value in settings.items())


class UsageError(Exception):
    """Bad usage: reported on stderr with exit code 2."""


def settings_from(args: argparse.Namespace) -> Any:
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
            local_model=getattr(args, "local_model", None),
            local_decoding=getattr(args, "decoding", None),
            streaming=False if args.no_stream else None,
            self_repair=False if args.no_repair else None,
            verify=False if getattr(args, "no_verify", False) else None)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def history_store() -> Any:
    """The history store, or None; what is wrong with its file or folder goes to stderr."""
    from interview_corvus.core.runs.history import open_history

    store, notice = open_history()
    if notice:
        sys.stderr.write(f"corvus: {notice}\n")
    return store
