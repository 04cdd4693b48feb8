"""The window's status bar: what a run is doing, the provider, the time, the server.

``follow(worker)`` subscribes it to a run's worker; it words each step
(streaming, queued, done in …, failed, cancelled) and remembers the outcome.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from PyQt6.QtCore import QObject, Qt, QTimer
from PyQt6.QtGui import QGuiApplication, QPalette
from PyQt6.QtWidgets import QLabel, QStatusBar

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.ui.window.run_text import done_message
from interview_corvus.ui.window.worker import RunWorker


class StatusLine(QObject):
    def __init__(self, bar: QStatusBar, hub: RunHub, settings: Settings) -> None:
        super().__init__(bar)
        self.bar = bar
        self.hub = hub
        self.settings = settings
        self.outcome = ""  # done / error / cancelled: how the followed run ended
        self.note = ""  # said beside the status of the current run
        self._cancelling = False  # asked to cancel: no "streaming…" until it has ended
        self.label = QLabel()
        self.label.setMinimumWidth(40)  # may be clipped; never widens the window
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.server_label = QLabel()
        self.server_label.setOpenExternalLinks(True)
        self.server_label.setAccessibleName("Server address")
        self.server_label.hide()
        bar.addPermanentWidget(self.server_label)
        bar.addPermanentWidget(self.label)
        self._started = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._on_tick)
        self.show_provider()

    def say(self, text: str, ms: int = 0) -> None:
        self.bar.showMessage(text, ms)

    def say_recovered(self) -> None:
        """At start: how many runs the last session left cut short (kept in History)."""
        recovered = getattr(self.hub.history, "recovered", 0)
        if recovered:
            self.say(f"{recovered} run(s) were cut short when the app last stopped; they are "
                     "in History, marked ⚠ interrupted, with what had arrived.", 15000)

    def show_provider(self, extra: str = "") -> None:
        llm = self.settings.llm
        try:
            provider = self.hub.service.provider
            model = provider.describe()
            same = model.strip().lower() == provider.name.lower()  # never "replay · replay"
            text = provider.name if same else f"{provider.name} · {model}"
        except CorvusError as exc:
            text = f"{llm.provider} · not ready: {exc.message}"
        streaming = "streaming" if llm.streaming else "streaming off"
        self.label.setText(f"{text} · {streaming}{extra}")
        self.label.setToolTip(self.label.text())

    def set_server_url(self, url: str) -> None:
        """Show the embedded server's address (a link), or nothing. The link's colour is
        written into the text: after a theme switch the text differs, so the label draws
        it anew (the same text would keep the old theme's colour)."""
        if url:
            colour = QGuiApplication.palette().color(QPalette.ColorRole.Link).name()
            self.server_label.setText(
                f'server <a href="{url}/" style="color: {colour}">{url}</a>')
            self.server_label.setToolTip("The live page and API of the embedded server")
        self.server_label.setVisible(bool(url))

    def set_running(self, running: bool) -> None:
        """Count the seconds beside the provider while a run of the window's goes."""
        if running:
            self._clock.start()
        else:  # the last tick's seconds and rate would go stale beside the provider
            self._clock.stop()
            self.show_provider()

    def _on_tick(self) -> None:
        rate = None
        with contextlib.suppress(CorvusError):
            rate = self.hub.service.provider.live_rate()
        speed = f" · {rate:.1f} tokens/s" if rate else ""
        self.show_provider(f" · {time.monotonic() - self._started:.1f} s{speed}")

    # -- a run's worker ---------------------------------------------------
    def _slots(self, worker: RunWorker) -> list[tuple[Any, Any]]:
        return [(worker.yielded, self._on_yielded), (worker.queued, self._on_queued),
                (worker.returned, self._on_returned), (worker.errored, self._on_errored),
                (worker.aborted, self._on_aborted)]

    def follow(self, worker: RunWorker) -> None:
        self._started = time.monotonic()
        self._cancelling = False
        self.say(self._first_words())  # a sign of life until the first token
        for signal, slot in self._slots(worker):
            signal.connect(slot)

    def unfollow(self, worker: RunWorker) -> None:
        for signal, slot in self._slots(worker):
            signal.disconnect(slot)

    def _first_words(self) -> str:
        """What happens before the first token: the local model may still load."""
        with contextlib.suppress(CorvusError):
            if not self.hub.service.provider.warm:
                return "loading the model, then it reads your input…"
        return "the model is reading your input…"

    def _with_note(self, text: str) -> str:
        return text + (f" · {self.note}" if self.note else "")

    def cancelling(self) -> None:
        """Said the moment the user cancels, until the run has stopped."""
        self._cancelling = True
        self.say("cancelling…")

    def _on_yielded(self, _model: StreamedAnswer) -> None:
        if not self._cancelling:
            self.say(self._with_note("streaming…"))

    def _on_queued(self, position: int) -> None:
        if not self._cancelling:
            self.say(f"waiting for the model · position {position} in queue")

    def _on_returned(self, _model: StreamedAnswer, stats: dict[str, Any]) -> None:
        self.say(self._with_note(done_message(stats)))
        self.outcome = "done"

    def _on_errored(self, error: CorvusError) -> None:
        self.say(f"failed: {error.code}")
        self.outcome = "error"

    def _on_aborted(self, _partial: StreamedAnswer | None) -> None:
        self.say("⊘ cancelled — the partial answer is kept")
        self.outcome = "cancelled"
