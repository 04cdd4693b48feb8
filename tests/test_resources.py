"""The top-level resources/ folder: what the app ships (icons, prompts, demo transcripts),
installed as ``interview_corvus.resources`` and read from there, never from the source tree."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PyQt6.QtGui import QColor

from interview_corvus.core.answers.models import MODELS
from interview_corvus.core.answers.prompts import (
    SYSTEM,
    TASKS,
    answer_prompt,
    follow_up_prompt,
    image_solution_prompt,
    task_problem,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = {"properties": {"code": {"type": "string", "description": "the code"}}}


def test_the_wheel_ships_every_resource_inside_the_package(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("interview_corvus", "resources"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True, timeout=240)
    wheel, = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"interview_corvus/resources/{p.relative_to(ROOT / 'resources').as_posix()}"
               for p in (ROOT / "resources").rglob("*") if p.is_file()
               and "__pycache__" not in p.parts}
    assert shipped and shipped <= names, sorted(shipped - names)
    assert "interview_corvus/api/static/index.html" in names
    assert "interview_corvus/core/verify/child.js" in names  # the JavaScript runner
    assert not any(name.startswith("resources/") for name in names)  # no top-level package


def test_prompts_come_from_the_shipped_file_one_task_per_kind():
    text = (ROOT / "resources" / "prompts" / "prompts.toml").read_text(encoding="utf-8")
    assert SYSTEM and SYSTEM in text.replace("\\\n", "")
    assert set(TASKS) == set(MODELS)
    for kind, (task, _input) in TASKS.items():
        assert task_problem(task) is None, kind  # the defaults obey the rules users get
        prompt = answer_prompt(kind, "x = 1 {y}", "python", SCHEMA)
        assert prompt.startswith(task.format(language="python"))
        assert "x = 1 {y}" in prompt and "- code (string): the code" in prompt
    shot = image_solution_prompt("go", SCHEMA, 2, "  also: n < 10  ")
    assert "2 screenshots" in shot and shot.endswith("also: n < 10") and " go:" in shot
    follow = follow_up_prompt("optimization", "now O(1) space", "python", SCHEMA, "x = 1")
    assert follow.startswith("Follow-up request: now O(1) space")
    assert "```python\nx = 1\n```" in follow


def test_the_readme_commands_name_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"(?<![\w/])((?:resources|examples)/[\w./-]+\.\w+)", readme))
    assert any(p.startswith("resources/demo/") for p in paths)
    assert all((ROOT / p).is_file() for p in paths), [p for p in paths if not (ROOT / p).is_file()]


def test_every_command_icon_renders_in_the_theme_colour(qtbot):
    from PyQt6.QtWidgets import QMainWindow

    from interview_corvus.ui.platform.icon import app_icon, line_icon
    from interview_corvus.ui.window.actions import WindowActions

    window = QMainWindow()
    qtbot.addWidget(window)
    actions = WindowActions(window)
    assert len(actions.icons) >= 9
    for action, name in actions.icons.items():
        assert not action.icon().isNull(), name
        assert (ROOT / "resources" / "icons" / f"{name}.svg").is_file()
    assert not app_icon().isNull()
    red = line_icon("optimize", QColor("#ff0000")).pixmap(48, 48).toImage()
    colours = {red.pixelColor(x, y).name() for x in range(48) for y in range(48)
               if red.pixelColor(x, y).alpha() == 255}
    assert colours == {"#ff0000"}  # the strokes are the colour asked for, nothing else


@pytest.mark.parametrize("data", [b"", b"<svg", b"not an image", b"\xff\xfe"])
def test_a_missing_or_broken_icon_is_empty_not_an_error(qtbot, data):
    from interview_corvus.ui.platform.icon import line_icon, render_icon

    assert render_icon(data).isNull()
    assert line_icon("no-such-icon", QColor("#000000")).isNull()
