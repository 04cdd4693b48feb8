"""``corvus models``: the models already on this machine, and how to use each."""

from __future__ import annotations

import argparse
import json
import sys


def models(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from interview_corvus.cli.common import flags_for
    from interview_corvus.core.providers.discovery import discover

    found = discover(probe=not args.no_probe)
    if args.json:
        for model in found:
            sys.stdout.write(json.dumps({"source": model.source, "name": model.name,
                                         "location": model.location, "size": model.size,
                                         "settings": model.settings()}) + "\n")
        return 0
    table = Table(box=None, pad_edge=False)
    for column in ("source", "model", "size", "use it with"):
        table.add_column(column, overflow="fold")
    for model in found:
        size = f"{model.size / 1e9:.2f} GB" if model.size else ""
        table.add_row(model.source, model.name, size, flags_for(model.settings()))
    console = Console()
    console.print(table)
    servers = "" if args.no_probe else " and no Ollama or LM Studio server answered"
    if len(found) <= 1:
        console.print(f"Only the bundled demo model was found{servers}. Download a GGUF "
                      "(e.g. Qwen2.5-Coder-7B-Instruct) or start Ollama to use a real model.")
    return 0
