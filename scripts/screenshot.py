"""Screenshots of the real window under Xvfb, mid-stream and finished, light and dark.

Runs the desktop app on the replay provider (the bundled demo transcript) on a
virtual X display — started here with Xvfb when DISPLAY is not set — and saves
``window-{light,dark}-{streaming,done}.png`` to ``artifacts/`` (or --out), then
one picture per state a user reported (``state-*.png``): the first-launch hint,
a coloured diff, a plain-language error banner, a reopened failed run, a run
started over HTTP announced beside the user's work, the busy state with
streaming off, the narrowest window, and the settings dialog refusing a bad URL.

    python scripts/screenshot.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_xvfb() -> subprocess.Popen[bytes]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed (Debian package xvfb)")
    for number in range(91, 120):
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1400x900x24", "-nolisten",
                                 "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                os.environ["DISPLAY"] = f":{number}"
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
    raise SystemExit("could not start Xvfb")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    xvfb = start_xvfb() if not os.environ.get("DISPLAY") else None
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ["INTERVIEW_CORVUS_GLOBAL_HOTKEYS"] = "0"  # a throwaway display: nothing to bind
    scratch = tempfile.mkdtemp(prefix="corvus-shot-")
    os.environ["INTERVIEW_CORVUS_CONFIG_DIR"] = f"{scratch}/config"
    os.environ["INTERVIEW_CORVUS_DATA_DIR"] = f"{scratch}/data"
    try:
        return shoot(args.out)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(scratch, ignore_errors=True)


def shoot(out: Path) -> int:
    from PyQt6.QtWidgets import QApplication

    from interview_corvus.core.config.settings import Settings
    from interview_corvus.ui.app import CorvusApp

    app = QApplication(sys.argv[:1])
    transcript = ROOT / "resources" / "demo" / "optimization.jsonl"
    saved: list[Path] = []
    for theme in ("light", "dark"):
        settings = Settings(llm={"provider": "replay", "replay_path": str(transcript)},
                            ui={"theme": theme})
        corvus = CorvusApp(app, settings, tray=False)
        window = corvus.window
        window.show()
        window.editor.setPlainText((ROOT / "examples" / "two_sum.py").read_text())
        window.optimize()

        wait(app, lambda w=window: 35 <= w.progress.value() < 90 and w.result.code.text() != "",
             theme)
        saved.append(grab(app, window, out / f"window-{theme}-streaming.png"))
        wait(app, lambda w=window: not w.busy, theme)
        for _ in range(20):
            app.processEvents()
        saved.append(grab(app, window, out / f"window-{theme}-done.png"))
        window.close()
        corvus.shutdown()
    saved += shoot_states(app, out)
    saved += shoot_checks(app, out)
    for path in saved:
        print(path)
    return 0


def _transcript(directory: Path, *, fail: str | None = None, delay: float = 10) -> Path:
    import json

    demo = ROOT / "resources" / "demo" / "optimization.jsonl"
    lines = [json.loads(line) for line in demo.read_text().splitlines() if line.strip()]
    if fail:
        lines.insert(10, {"raise": fail})
    for line in lines:
        if "delay_ms" in line:
            line["delay_ms"] = delay
    path = directory / f"transcript-{fail or 'ok'}-{delay}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


TWO_SUM_RIGHT = (ROOT / "examples" / "two_sum_fast.py").read_text()  # same results
TWO_SUM_USUAL = """def two_sum(nums, target):
    seen = {}
    for j, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], j]
        seen[x] = j
    return []
"""


def _answer_transcript(directory: Path, code: str, name: str) -> Path:
    """A replay transcript of one optimization answer with examples (for the check)."""
    import json

    answer = {"optimized_code": code, "improvements": ["Index the values once, then look "
              "each complement up instead of scanning the rest of the list"],
              "original_time_complexity": "O(n^2)", "optimized_time_complexity": "O(n)",
              "original_space_complexity": "O(1)", "optimized_space_complexity": "O(n)",
              "explanation": "A dictionary of positions replaces the inner loop.",
              "examples": ["two_sum([2, 7, 11, 15], 9)", "two_sum([3, 2, 4], 6)"]}
    text = json.dumps(answer)
    path = directory / f"answer-{name}.jsonl"
    path.write_text("".join(json.dumps({"delta": text[i:i + 12], "delay_ms": 2}) + "\n"
                            for i in range(0, len(text), 12)))
    return path


def shoot_checks(app, out: Path) -> list[Path]:
    """A verified answer and a counterexample, each on the Check tab."""
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.history import HistoryStore
    from interview_corvus.ui.app import CorvusApp

    scratch = Path(tempfile.mkdtemp(prefix="corvus-checks-"))
    code = (ROOT / "examples" / "two_sum.py").read_text()
    saved = []
    for name, answer in (("verified", TWO_SUM_RIGHT), ("counterexample", TWO_SUM_USUAL)):
        settings = Settings(llm={"provider": "replay", "verify": True, "self_repair": False,
                                 "replay_path": str(_answer_transcript(scratch, answer, name))},
                            ui={"theme": "light"})
        corvus = CorvusApp(app, settings, history=HistoryStore(scratch / "h.sqlite3"),
                           tray=False)
        window = corvus.window
        window.resize(1280, 800)
        window.show()
        window.editor.setPlainText(code)
        window.optimize()
        wait(app, lambda w=window: not w.busy, f"{name} run", timeout=60)
        window.result.tabs.setCurrentIndex(window.result.check_tab)
        saved.append(grab(app, window, out / f"state-check-{name}.png"))
        window.close()
        corvus.shutdown()
    shutil.rmtree(scratch, ignore_errors=True)
    return saved


def shoot_states(app, out: Path) -> list[Path]:
    """One picture per reported state, light theme."""
    from PyQt6.QtCore import QEvent

    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.history import HistoryStore
    from interview_corvus.ui.app import CorvusApp
    from interview_corvus.ui.settings.settings_dialog import SettingsDialog

    scratch = Path(tempfile.mkdtemp(prefix="corvus-states-"))
    code = (ROOT / "examples" / "two_sum.py").read_text()
    saved: list[Path] = []

    def make(**llm) -> CorvusApp:
        settings = Settings(llm=llm or {"provider": "replay",
                                        "replay_path": str(_transcript(scratch))},
                            ui={"theme": "light"})
        corvus = CorvusApp(app, settings, history=HistoryStore(scratch / "h.sqlite3"),
                           tray=False)
        corvus.window.resize(1280, 800)
        corvus.window.show()
        corvus.window.editor.setPlainText(code)
        return corvus

    def done(corvus: CorvusApp) -> None:
        corvus.window.close()
        corvus.shutdown()

    # first launch on the bundled model: the demo hint
    corvus = make(provider="local")
    saved.append(grab(app, corvus.window, out / "state-first-launch.png"))
    done(corvus)

    corvus = make()
    window = corvus.window
    window.optimize()
    wait(app, lambda: not window.busy, "run")
    window.result.tabs.setCurrentIndex(1)  # the diff, coloured
    saved.append(grab(app, window, out / "state-diff.png"))
    window.result.tabs.setCurrentIndex(0)
    # a finished answer can be followed up: the bar under it
    window.panel.follow_up.edit.setText("now O(1) space")
    saved.append(grab(app, window, out / "state-follow-up.png"))
    window.panel.follow_up.edit.returnPressed.emit()  # asked: the thread over the answer
    wait(app, lambda: not window.busy, "follow-up")
    saved.append(grab(app, window, out / "state-follow-up-thread.png"))
    window.activateWindow()
    window.result.code.setFocus()  # where F6 goes: a ring round the pane
    saved.append(grab(app, window, out / "state-focus-ring.png"))
    window.reset()
    window.editor.setPlainText(code)
    # a run started over HTTP: announced; the user's code and answer stay
    window.editor.setPlainText("# my own draft, untouched\n" + code)
    slow = Settings(llm={"provider": "replay", "replay_path": str(_transcript(scratch,
                                                                              delay=80))})
    corvus.service.apply_settings(slow)
    job = corvus.service.optimization_job("def other(xs):\n    return max(xs)\n", "python")
    run = corvus.hub.submit(job, origin="http", input_text="def other(xs):\n    return max(xs)\n")
    wait(app, lambda: window.external_bar.isVisible(), "external run")
    saved.append(grab(app, window, out / "state-external-run.png"))
    run.cancel()
    wait(app, lambda: not window.external_bar.isVisible(), "external run ends")
    done(corvus)

    # a failure in plain words, with Retry and Open Settings
    corvus = make(provider="replay", replay_path=str(_transcript(scratch, fail="auth")))
    window = corvus.window
    window.optimize()
    wait(app, lambda: not window.busy, "failing run")
    saved.append(grab(app, window, out / "state-error-banner.png"))
    window.reset()
    window.history.refresh()
    window.history.reopen.emit(window.history.entries()[0])  # reopened: its own status
    saved.append(grab(app, window, out / "state-reopened-error.png"))
    done(corvus)

    # mid-stream: the section being written says so; a complexity shows once complete
    corvus = make(provider="replay", replay_path=str(_transcript(scratch, delay=25)))
    window = corvus.window
    window.optimize()
    wait(app, lambda: "writing" in window.result.list_title.text(), "a list being written")
    saved.append(grab(app, window, out / "state-field-states.png"))
    window.cancel()
    wait(app, lambda: not window.busy, "cancelled run")
    done(corvus)

    # streaming off: visibly busy until the whole answer arrives
    corvus = make(provider="replay", replay_path=str(_transcript(scratch, delay=20)),
                  streaming=False)
    window = corvus.window
    window.optimize()
    for _ in range(10):
        app.processEvents()
        time.sleep(0.03)
    saved.append(grab(app, window, out / "state-busy-streaming-off.png"))
    wait(app, lambda: not window.busy, "non-streaming run")
    # the narrowest the window goes, everything still reachable
    window.resize(window.minimumSizeHint().width(), 600)
    saved.append(grab(app, window, out / "state-narrow.png"))
    dialog = SettingsDialog(corvus.settings, window)
    dialog.show()
    dialog.provider.setCurrentText("openai-compatible")
    dialog.base_url.setText("localhost:11434/v1")
    app.sendEvent(dialog, QEvent(QEvent.Type.LayoutRequest))
    saved.append(grab(app, dialog, out / "state-settings-bad-url.png"))
    dialog.reject()
    done(corvus)
    shutil.rmtree(scratch, ignore_errors=True)
    return saved


def wait(app, condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out ({what})")
        app.processEvents()
        time.sleep(0.01)


def grab(app, window, path: Path) -> Path:
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)
    screen = window.screen()
    pixmap = screen.grabWindow(0, window.x(), window.y(), window.frameGeometry().width(),
                               window.frameGeometry().height())
    if pixmap.isNull() or pixmap.toImage().isNull():
        pixmap = window.grab()
    if not pixmap.save(str(path), "PNG"):
        raise SystemExit(f"could not save {path}")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
