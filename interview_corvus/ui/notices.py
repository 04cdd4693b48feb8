"""Bars above the answer: errors in plain language, and runs started elsewhere."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from interview_corvus.core.hub import HubRun

# code → (headline in plain words, does changing a setting likely fix it)
HEADLINES = {
    "auth": ("The provider did not accept the API key.", True),
    "rate_limited": ("The provider is busy right now (rate limited).", False),
    "unavailable": ("The model could not answer.", True),
    "incomplete": ("The answer was cut off before it was complete.", True),
    "invalid": ("The model's answer did not have the expected shape.", False),
    "bad_request": ("This request cannot be served as it is.", True),
    "cancelled": ("The run was cancelled.", False),
    "internal": ("Something went wrong inside the app.", False),
    "history": ("Run history needs attention.", False),
}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ErrorBanner(QFrame):
    """A failed run: what happened in plain words, the details, and what to do next."""

    retry = pyqtSignal()
    open_settings = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setStyleSheet("#errorBanner { background: #fde2e2; border: 1px solid #e0a0a0;"
                           " border-radius: 4px; } #errorBanner QLabel { color: #8a1010; }")
        self.setAccessibleName("Error")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry")
        self.retry_button.clicked.connect(self.retry)
        self.settings_button = QPushButton("Open Settings")
        self.settings_button.clicked.connect(self.open_settings)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        for button in (self.retry_button, self.settings_button, dismiss):
            layout.addWidget(button)
        self.code = ""
        self.hide()

    def show_error(self, code: str, message: str, *, kept: bool = True) -> None:
        headline, fixable = HEADLINES.get(code, HEADLINES["internal"])
        tail = " What arrived is kept below." if kept else ""
        self.code = code
        self.label.setText(f"<b>{escape(headline)}</b><br>{escape(message)}{tail}")
        self.label.setToolTip(f"error code: {code}")
        self.settings_button.setVisible(fixable)
        self.show()


class ExternalRunBar(QFrame):
    """A run started over HTTP: announced here, followed in the answer panel only when asked."""

    follow = pyqtSignal(object)  # HubRun
    cancel = pyqtSignal(object)  # HubRun

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("externalBar")
        self.setStyleSheet("#externalBar { background: #e3ecfd; border: 1px solid #a9c0ea;"
                           " border-radius: 4px; } #externalBar QLabel { color: #173a7a; }")
        self.setAccessibleName("Run started elsewhere")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.follow_button = QPushButton("Follow")
        self.follow_button.setToolTip("Show this run's answer here (your code is kept in "
                                      "history)")
        self.cancel_button = QPushButton("Cancel run")
        self.follow_button.clicked.connect(lambda: self.run and self.follow.emit(self.run))
        self.cancel_button.clicked.connect(lambda: self.run and self.cancel.emit(self.run))
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.follow_button)
        layout.addWidget(self.cancel_button)
        self.run: HubRun | None = None
        self.hide()

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


class DemoHint(QFrame):
    """First-run note: the bundled model is a demo; where to set up a real one."""

    dismissed = pyqtSignal()
    open_settings = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoHint")
        self.setStyleSheet("#demoHint { background: #fef9c3; border: 1px solid #e5d57a;"
                           " border-radius: 4px; } #demoHint QLabel { color: #4a3f00; }")
        self.setAccessibleName("About the demo model")
        self.label = QLabel(
            "<b>You are on the bundled demo model</b> (SmolLM2-135M). It runs offline and "
            "shows how answers stream in, but its answers are rarely good. For real work, "
            "choose OpenAI, Anthropic or a local server such as Ollama in Settings.")
        self.label.setWordWrap(True)
        settings = QPushButton("Open Settings")
        settings.clicked.connect(self.open_settings)
        got_it = QPushButton("Got it")
        got_it.clicked.connect(self.dismissed)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(settings)
        layout.addWidget(got_it)
        self.hide()
