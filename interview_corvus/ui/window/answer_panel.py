"""The answer panel: the live answer with its progress bar and notices.

It owns everything the window shows of one answer — the result view, the
progress bar (monotonic on screen; busy while nothing can arrive), the error
banner, the bar announcing runs from elsewhere and the first-launch hint — and
the one way to clear them. It subscribes to a ``RunWorker`` (``follow``) or
shows a run from history (``show_entry``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from PyQt6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from interview_corvus.core.answers.models import MODELS, StreamedAnswer
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.history import RunEntry
from interview_corvus.ui.answer.result_view import ResultView
from interview_corvus.ui.platform.theme import focus_ring
from interview_corvus.ui.widgets.notice_area import NoticeArea
from interview_corvus.ui.widgets.notices import DemoHint, ErrorBanner, ExternalRunBar
from interview_corvus.ui.window.follow_up_bar import FollowUpBar
from interview_corvus.ui.window.thread_strip import ThreadStrip
from interview_corvus.ui.window.worker import RunWorker


class AnswerPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, *, hint: str = "") -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setAccessibleName("Answer progress")
        self.banner = ErrorBanner()
        self.external_bar = ExternalRunBar()
        self.demo_hint = DemoHint()
        self.result = ResultView()
        self.result.code.setPlaceholderText(hint)  # the empty state: how to begin
        self.follow_up = FollowUpBar()
        self.thread_strip = ThreadStrip()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        self.notices = NoticeArea([self.demo_hint, self.banner, self.external_bar,
                                   self.thread_strip], self)  # holds still under the pointer
        layout.addWidget(self.notices)
        for pane in (self.result.code, self.result.diff, self.result.improvements,
                     self.result.explanation, self.result.extra):
            focus_ring(pane)
        layout.addWidget(self.result, 1)
        layout.addWidget(self.follow_up)
        self._percent = 0

    # -- one answer ---------------------------------------------------------
    def clear(self) -> None:
        """Empty answer, no error, progress at zero, nothing to follow up, no thread."""
        self.banner.hide()
        self.thread_strip.hide()
        self.notices.release()
        self.follow_up.set_target(None)
        self.result.clear()
        self.progress.setRange(0, 100)
        self._percent = 0
        self.progress.setValue(0)

    def reset(self) -> None:
        """Cleared and laid out as on a fresh start (no Solve or MCQ sections left)."""
        self.clear()
        self.result.clear("optimization")

    def begin(self, streaming: bool) -> None:
        """A new run: cleared; visibly busy when nothing arrives until the whole answer."""
        self.clear()
        if not streaming:
            self.progress.setRange(0, 0)

    def show_problem(self, error: CorvusError) -> None:
        """A request that could not start (bad input): said, nothing to retry, nothing
        "kept" (no run began); Open Settings only when a setting is what is missing."""
        text = error.message.lower()
        fixable = error.code == "auth" or "settings" in text or "api key" in text
        self.banner.show_error(error.code, error.message, kept=False, fixable=fixable)
        self.banner.retry_button.hide()

    def show_entry(self, entry: RunEntry) -> None:
        """A run from history: its answer (or partial) and its own outcome."""
        self.clear()
        if entry.result:
            self.show_answer(MODELS[entry.kind].model_construct(**entry.result))
            self.result.stop_writing()  # a stored partial is not being written
        if entry.error_code and entry.error_code != "cancelled":
            self.banner.show_error(entry.error_code, entry.error_message or "",
                                   kept=bool(entry.result))  # nothing arrived: none kept
            self.banner.retry_button.show()

    def show_answer(self, model: StreamedAnswer) -> None:
        """Bring the answer and the progress bar up to ``model``."""
        self.result.show_model(model)
        self.set_progress(model.progress)

    def stop_busy(self) -> None:
        """The bar stops moving (a cancel, an end without an answer): it keeps its value."""
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(self._percent)

    def set_progress(self, value: float) -> None:
        if self.progress.maximum() == 0:  # leave the busy state at the first result
            self.progress.setRange(0, 100)
        percent = round(value * 100)
        if percent > self._percent:  # monotonic on screen too
            self._percent = percent
            self.progress.setValue(percent)

    # -- following a worker -------------------------------------------------
    def _slots(self, worker: RunWorker) -> list[tuple[Any, Any]]:
        return [(worker.yielded, self._on_yielded), (worker.returned, self._on_returned),
                (worker.errored, self._on_errored), (worker.aborted, self._on_aborted)]

    def follow(self, worker: RunWorker) -> None:
        for signal, slot in self._slots(worker):
            signal.connect(slot)

    def unfollow(self, worker: RunWorker) -> None:
        for signal, slot in self._slots(worker):
            with contextlib.suppress(TypeError):  # not connected
                signal.disconnect(slot)

    def _on_yielded(self, model: StreamedAnswer) -> None:
        self.show_answer(model)

    def _on_returned(self, model: StreamedAnswer, _stats: dict[str, Any]) -> None:
        self.result.show_model(model)
        self.set_progress(1.0)

    def _on_errored(self, error: CorvusError) -> None:
        self.stop_busy()
        if error.partial is not None:
            self.result.show_model(error.partial)
        self.result.stop_writing()
        self.banner.show_error(error.code, error.message)
        self.banner.retry_button.show()

    def _on_aborted(self, partial: StreamedAnswer | None) -> None:
        self.stop_busy()
        if partial is not None:
            self.result.show_model(partial)
        self.result.stop_writing()
