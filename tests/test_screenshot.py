"""The real window under Xvfb: scripts/screenshot.py saves PNGs mid-stream and done."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None and not os.environ.get("CI"),
                                reason="Xvfb is not installed (.ci/run installs it)")


def test_screenshots_of_the_real_window():
    out = ROOT / "artifacts"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot.py"), "--out",
                           str(out)], capture_output=True, text=True, timeout=180, env=env,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    from PyQt6.QtGui import QImage

    for theme in ("light", "dark"):
        for stage in ("streaming", "done"):
            image = QImage(str(out / f"window-{theme}-{stage}.png"))
            assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    for state in ("first-launch", "diff", "external-run", "error-banner", "reopened-error",
                  "busy-streaming-off", "narrow", "settings-bad-url", "follow-up",
                  "field-states", "check-verified", "check-counterexample"):
        image = QImage(str(out / f"state-{state}.png"))
        assert not image.isNull() and image.width() >= 300, state
    light = QImage(str(out / "window-light-done.png")).pixelColor(5, 400).lightness()
    dark = QImage(str(out / "window-dark-done.png")).pixelColor(5, 400).lightness()
    assert light > dark + 100, "the dark theme really applies"
