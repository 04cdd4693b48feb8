"""Screenshots of the real window under Xvfb, mid-stream and finished, light and dark.

Runs the desktop app on the replay provider (the bundled demo transcript) on a
virtual X display — started here with Xvfb when DISPLAY is not set — and saves
``window-{light,dark}-{streaming,done}.png`` to ``artifacts/`` (or --out).

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

    from interview_corvus.core.settings import Settings
    from interview_corvus.ui.app import CorvusApp

    app = QApplication(sys.argv[:1])
    transcript = ROOT / "interview_corvus" / "resources" / "demo_optimization.jsonl"
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
    for path in saved:
        print(path)
    return 0


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
