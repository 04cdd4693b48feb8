"""Live terminal rendering of an answer for ``corvus optimize/solve`` (rich)."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

_LEXERS = {"c++": "cpp", "c#": "csharp", "javascript": "javascript", "typescript": "typescript"}


def _code(code: str, language: str) -> Syntax:
    return Syntax(code or " ", _LEXERS.get(language, language), word_wrap=True,
                  background_color="default")


def _bullets(items: list[str]) -> Text:
    text = Text()
    for item in items:
        text.append("• ", style="cyan")
        text.append(item + "\n")
    return text


def render_answer(kind: str, data: dict[str, Any]) -> list[RenderableType]:
    """The answer's sections, shown as soon as each field has content."""
    language = data.get("language") or "text"
    parts: list[RenderableType] = []
    code_field = "optimized_code" if kind == "optimization" else "code"
    if data.get(code_field):
        title = "Optimized code" if kind == "optimization" else "Solution"
        parts.append(Panel(_code(data[code_field], language), title=title, title_align="left"))
    lists = data.get("improvements") if kind == "optimization" else data.get("edge_cases")
    if lists:
        title = "Improvements" if kind == "optimization" else "Edge cases"
        parts.append(Panel(_bullets(lists), title=title, title_align="left"))
    table = Table(show_header=kind == "optimization", box=None, pad_edge=False)
    if kind == "optimization":
        table.add_column("")
        table.add_column("before")
        table.add_column("")
        table.add_column("after", style="green")
        for label in ("time", "space"):
            before = data.get(f"original_{label}_complexity", "")
            after = data.get(f"optimized_{label}_complexity", "")
            if before or after:
                table.add_row(label, before, "→", after)
    else:
        table.add_column("")
        table.add_column("")
        for label in ("time", "space"):
            if data.get(f"{label}_complexity"):
                table.add_row(label, data[f"{label}_complexity"])
    if table.row_count:
        parts.append(Panel(table, title="Complexity", title_align="left"))
    if data.get("explanation"):
        parts.append(Panel(Markdown(data["explanation"]), title="Explanation",
                           title_align="left"))
    if kind == "solution" and data.get("alternative_approaches"):
        parts.append(Panel(Markdown(data["alternative_approaches"]),
                           title="Alternative approaches", title_align="left"))
    return parts


class LiveOut:
    """Receives wire-format events and keeps a live view of the answer."""

    def __init__(self, kind: str, provider: str, model: str) -> None:
        self.kind = kind
        self.console = Console(stderr=False)
        self.header = Text.assemble(("Interview Corvus ", "bold"),
                                    (f"{kind} · {provider} · {model}", "dim"))
        self.data: dict[str, Any] = {}
        self.progress = 0.0
        self.status: Text = Text("waiting for the model…", style="dim")
        self.live = Live(self._render(), console=self.console, auto_refresh=False,
                         vertical_overflow="visible", transient=False)
        self.live.start()

    def _render(self) -> RenderableType:
        bar = Table.grid(padding=(0, 1))
        bar.add_row(ProgressBar(total=1.0, completed=self.progress, width=40),
                    Text(f"{self.progress:4.0%}"), self.status)
        return Group(self.header, bar, *render_answer(self.kind, self.data))

    def event(self, payload: dict[str, Any]) -> None:
        kind = payload["type"]
        if payload.get("data"):
            self.data = payload["data"]
            self.progress = float(self.data.get("progress", self.progress))
        if kind == "queued":
            self.status = Text(f"waiting for the model · position {payload['position']}",
                               style="dim")
        elif kind == "partial":
            self.status = Text("streaming…", style="yellow")
        elif kind == "done":
            usage = payload.get("usage") or {}
            tokens = f", {usage['output_tokens']} tokens" if usage.get("output_tokens") else ""
            self.status = Text(f"done in {payload['elapsed_ms'] / 1000:.1f} s{tokens}",
                               style="green")
        elif kind == "error":
            error = payload["error"]
            self.status = Text(f"{error['code']}: {error['message']}", style="bold red")
        self.live.update(self._render(), refresh=True)

    def close(self) -> None:
        self.live.stop()
        if self.status.style == "bold red" and not self.console.is_terminal:
            sys.stderr.write(f"{self.status.plain}\n")
