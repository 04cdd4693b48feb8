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

from interview_corvus.core.answers.models import MODELS, StreamedAnswer

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


def _title(answer: StreamedAnswer, name: str, title: str) -> str:
    return title + (" · writing…" if answer.writing(name) else "")


def render_answer(kind: str, data: dict[str, Any]) -> list[RenderableType]:
    """The answer's sections, shown as soon as each field has content; a section being
    written says so, and a complexity shows once written in full."""
    answer = MODELS[kind].model_construct(**data)
    language = data.get("language") or "text"
    parts: list[RenderableType] = []
    code, items = answer.CODE_FIELD, answer.LIST_FIELD
    if data.get(code):
        parts.append(Panel(_code(data[code], language), title_align="left",
                           title=_title(answer, code, answer.CODE_TITLE)))
    if data.get(items):
        bullets = [text if answer.field_done(f"{items}[{i}]") else f"{text}…"
                   for i, text in enumerate(data[items])]
        parts.append(Panel(_bullets(bullets), title=_title(answer, items, answer.LIST_TITLE),
                           title_align="left"))
    compares = answer.compares()
    table = Table(show_header=compares, box=None, pad_edge=False)
    for column in (("", "before", "", "after") if compares else ("", "")):
        table.add_column(column, style="green" if column == "after" else None)
    for label, before_field, after_field in answer.COMPLEXITY:
        before, after = (data.get(name, "") if name and answer.field_done(name) else ""
                         for name in (before_field, after_field))
        if before or after:
            table.add_row(*((label, before, "→", after) if compares else (label, after)))
    if table.row_count:
        parts.append(Panel(table, title="Complexity", title_align="left"))
    for name, title in answer.text_sections():
        if data.get(name):
            parts.append(Panel(Markdown(data[name]), title=_title(answer, name, title),
                               title_align="left"))
    if isinstance(data.get("verification"), dict):
        parts.append(render_check(data["verification"]))
    return parts


_CHECK_STYLE = {"verified": "green", "counterexample": "red", "checking": "yellow",
                "unverified": "dim"}


def render_check(check: dict[str, Any]) -> RenderableType:
    """The verification: its one-line summary, the counterexample as a small table, the
    timings (seconds per call at each n) for both versions."""
    status = str(check.get("status", ""))
    lines: list[RenderableType] = [Text(str(check.get("summary", status)),
                                        style=_CHECK_STYLE.get(status, ""))]
    first = check.get("first_counterexample")
    if check.get("repaired") and isinstance(first, dict):
        lines.append(Text(f"repaired: the first answer differed on {first.get('call')} "
                          f"({first.get('original')} vs {first.get('optimized')})",
                          style="yellow"))
    example = check.get("counterexample")
    if isinstance(example, dict):
        table = Table(box=None, pad_edge=False)
        for column in ("input", "original", "optimized"):
            table.add_column(column, overflow="fold")
        table.add_row(str(example.get("call")), str(example.get("original")),
                      str(example.get("optimized")))
        lines.append(table)
    timing = check.get("timing")
    if isinstance(timing, dict) and timing.get("sizes"):
        table = Table(box=None, pad_edge=False)
        for column in ("n", "original", "optimized"):
            table.add_column(column, justify="right")
        for n, before, after in zip(timing["sizes"], timing["original"], timing["optimized"],
                                    strict=False):
            table.add_row(f"{n:,}", _seconds(before), _seconds(after))
        lines.append(table)
    return Panel(Group(*lines), title="Check", title_align="left")


def _seconds(value: float) -> str:
    return f"{value * 1e6:.0f} µs" if value < 1e-3 else f"{value * 1e3:.1f} ms"


class LiveOut:
    """Receives wire-format events and keeps a live view of the answer."""

    def __init__(self, kind: str, provider: str, model: str) -> None:
        self.kind = kind
        self.console = Console(stderr=False)
        self.header = Text.assemble(("Interview Corvus ", "bold"),
                                    (f"{kind} · {provider} · {model}", "dim"))
        self.data: dict[str, Any] = {}
        self.progress = 0.0
        self._answered = False  # a field began: a partial with all pending is a re-ask
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
            check = self.data.get("verification") or {}
            states = set((self.data.get("fields") or {}).values())
            restarted = self._answered and states == {"pending"}  # a re-ask began
            self._answered = self._answered or bool(states - {"pending"})
            text = ("asking again with what was wrong…" if restarted
                    else "checking the repaired answer…" if check.get("status") == "checking"
                    and check.get("repaired")
                    else "checking: running both versions…" if check.get("status") == "checking"
                    else "streaming…")
            self.status = Text(text, style="yellow")
        elif kind == "done":
            usage = payload.get("usage") or {}
            tokens = f", {usage['output_tokens']} tokens" if usage.get("output_tokens") else ""
            checked = (self.data.get("verification") or {}).get("repaired")
            repaired = ("" if not payload.get("repaired")
                        else " · repaired after a failed check" if checked
                        else " · repaired after an invalid answer")
            self.status = Text(f"done in {payload['elapsed_ms'] / 1000:.1f} s{tokens}"
                               f"{repaired}", style="green")
        elif kind == "error":
            error = payload["error"]
            self.status = Text(f"{error['code']}: {error['message']}", style="bold red")
        self.live.update(self._render(), refresh=True)

    def close(self) -> None:
        self.live.stop()
        if not self.console.is_terminal:
            self.console.file.write("\n")  # the last frame ends its line (files, pipes)
        if self.status.style == "bold red" and not self.console.is_terminal:
            sys.stderr.write(f"{self.status.plain}\n")
