"""Benchmark: main-thread stalls of the window while an answer streams at 200 deltas/s.

A 1 ms heartbeat timer runs on the main thread; the gap between its ticks is the
longest the event loop was blocked. Two ways of showing the same replay stream:

* corvus - the app's path: run in the hub, worker thread coalescing to <= 30
           frames/s, text appended, highlighting per new block;
* naive  - every delta delivered to the main thread, which re-sets the whole text
           (and so re-highlights everything) each time.

Prints heartbeat gap p50/p99/max and UI updates for both, offscreen.

    QT_QPA_PLATFORM=offscreen python scripts/bench_gui.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("INTERVIEW_CORVUS_CONFIG_DIR", tempfile.mkdtemp(prefix="corvus-bench-"))
os.environ.setdefault("INTERVIEW_CORVUS_DATA_DIR", tempfile.mkdtemp(prefix="corvus-bench-"))

from PyQt6.QtCore import QElapsedTimer, QObject, Qt, QThread, QTimer, pyqtSignal
from PyQt6.QtWidgets import QApplication

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.providers.replay import ReplayProvider
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.core.runs.service import LLMService

LINE = "    total += weights[i] * values[i]  # accumulate the weighted sum ✓\n"


def transcript(seconds: float, rate: float = 200.0, chunk: int = 8,
               one_line_kb: float = 0) -> list[dict]:
    """The replay of an answer streaming for ``seconds``: code of many lines, or with
    ``one_line_kb`` a single line of that size (minified code) at the same rate."""
    deltas = int(seconds * rate)
    code = (LINE * (deltas * chunk // len(LINE) + 1))[: deltas * chunk - 300]
    if one_line_kb:
        item = "values[i] * weights[i], "
        code = "total = [" + item * int(one_line_kb * 1024 / len(item)) + "]"
        chunk = max(chunk, int(len(code) / deltas) + 1)
    answer = {"optimized_code": code, "improvements": ["Vectorised the loop."] * 3,
              "original_time_complexity": "O(n^2)", "optimized_time_complexity": "O(n)",
              "original_space_complexity": "O(1)", "optimized_space_complexity": "O(1)",
              "explanation": "The **inner loop** is gone; sums are accumulated once."}
    text = json.dumps(answer, ensure_ascii=False)
    return [{"delta": text[i : i + chunk], "delay_ms": 1000 / rate}
            for i in range(0, len(text), chunk)]


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _on_tick(self) -> None:
        self.gaps.append(self.clock.nsecsElapsed() / 1e6)
        self.clock.restart()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps


def pump(app: QApplication, done: object) -> None:
    """Run the event loop (the heartbeat ticks in it) until ``done()`` is true."""
    while not done():  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.0005)


def run_corvus(app: QApplication, lines: list[dict]) -> tuple[list[float], int]:
    from interview_corvus.ui.app import CorvusApp

    settings = Settings(llm={"provider": "replay"})
    service = LLMService(settings, ReplayProvider(lines))
    corvus = CorvusApp(app, settings, service, HistoryStore(), tray=False)
    window = corvus.window
    window.show()
    window.editor.setPlainText("def f(): pass\n")
    frames = [0]
    beat = Heartbeat()
    window.run_started.connect(lambda _r: window.worker.yielded.connect(
        lambda _m: frames.__setitem__(0, frames[0] + 1)))
    beat.start()
    window.optimize()
    pump(app, lambda: not window.busy)
    gaps = beat.stop()
    window.close()
    corvus.shutdown()
    return gaps, frames[0]


class NaiveFeed(QObject):
    partial = pyqtSignal(str)
    over = pyqtSignal()

    def __init__(self, service: LLMService) -> None:
        super().__init__()
        self.service = service

    def work(self) -> None:
        job = self.service.optimization_job("def f(): pass\n", "python")
        run = self.service.open_run(job)
        for update in run.updates():
            if update.patches:
                self.partial.emit(run.latest().optimized_code)  # every delta, whole text
        self.over.emit()


def run_naive(app: QApplication, lines: list[dict]) -> tuple[list[float], int]:
    from interview_corvus.ui.answer.result_view import StreamingCode

    view = StreamingCode()
    view.resize(700, 500)
    view.show()
    service = LLMService(Settings(llm={"provider": "replay"}), ReplayProvider(lines))
    feed = NaiveFeed(service)
    thread = QThread()
    feed.moveToThread(thread)
    thread.started.connect(feed.work)
    updates = [0]
    finished = [False]

    def show(text: str) -> None:
        view.setPlainText(text)  # re-set: the highlighter redoes every line
        updates[0] += 1

    feed.partial.connect(show)
    feed.over.connect(lambda: finished.__setitem__(0, True))
    beat = Heartbeat()
    beat.start()
    thread.start()
    pump(app, lambda: finished[0])
    gaps = beat.stop()
    thread.quit()
    thread.wait()
    return gaps, updates[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--one-line", type=float, default=0, metavar="KB",
                        help="the code as one line of KB kilobytes; compares the app (long "
                        "lines shown in pieces and plain while streaming) with the line "
                        "highlighted and laid out whole on every frame")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    lines = transcript(args.seconds, one_line_kb=args.one_line)
    size = sum(len(line["delta"]) for line in lines)
    print(f"{len(lines)} deltas, {size / 1024:.1f} KB answer"
          f"{' (the code one line)' if args.one_line else ''}, heartbeat every 1 ms")
    print(f"{'mode':<18}{'UI updates':>11}{'gap p50 ms':>12}{'p99 ms':>9}{'max ms':>9}")
    results = {}
    if args.one_line:
        from interview_corvus.ui.answer.streaming_code import StreamingCode
        from interview_corvus.ui.widgets.highlight import PygmentsHighlighter

        def whole_line(app: QApplication, lines: list[dict]) -> tuple[list[float], int]:
            """Before: the long line highlighted and laid out whole on every frame."""
            saved = PygmentsHighlighter.long_line, StreamingCode.DISPLAY_LINE
            PygmentsHighlighter.long_line = StreamingCode.DISPLAY_LINE = 10**9
            try:
                return run_corvus(app, lines)
            finally:
                PygmentsHighlighter.long_line, StreamingCode.DISPLAY_LINE = saved

        runners = (("corvus", run_corvus), ("whole-line", whole_line))
    else:
        runners = (("corvus", run_corvus), ("naive", run_naive))
    for name, runner in runners:
        gaps, updates = runner(app, lines)
        results[name] = percentile(gaps, 0.99)
        print(f"{name:<18}{updates:>11}{percentile(gaps, 0.5):12.2f}{results[name]:9.2f}"
              f"{max(gaps):9.2f}")
    other = runners[1][0]
    print(f"\np99 stall: {other} / corvus = {results[other] / results['corvus']:.1f}x")


if __name__ == "__main__":
    main()
