"""Window defects a user found (issue "Take first"): each test failed before its fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fakes import CODE, OPTIMIZATION, transcript

pytest.importorskip("PyQt6")

from PyQt6.QtCore import QDir, Qt
from PyQt6.QtGui import QColor, QDesktopServices, QPalette, QTextCursor, QTextDocument
from PyQt6.QtWidgets import QApplication

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.errors import BadRequest
from interview_corvus.ui.answer.result_view import StreamingCode
from interview_corvus.ui.platform.theme import apply_theme
from interview_corvus.ui.window.run_text import done_message

OTHER = "def other(values):\n    return sorted(values)[0]\n"


def test_retry_on_a_reopened_entry_runs_that_entry(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, delay=2, fail_after=8))
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=10_000) as ended:
        window.optimize_button.click()  # CODE, python: fails
    assert ended.args == ["error"]
    qtbot.waitUntil(lambda: window.worker is None, timeout=3000)
    window.editor.setPlainText(OTHER)
    window.language.setCurrentText("java")
    with qtbot.waitSignal(window.run_ended, timeout=10_000):
        window.optimize_button.click()  # a second run: OTHER in java
    qtbot.waitUntil(lambda: window.history.list.count() == 2, timeout=3000)
    failed = next(e for e in window.history.entries() if e.status == "error")
    window.history.reopen.emit(failed)
    assert window.banner.isVisible() and window.banner.retry_button.isVisible()
    with qtbot.waitSignal(window.run_started, timeout=3000) as started:
        window.banner.retry_button.click()
    entry = started.args[0].entry
    assert entry.input == CODE and entry.language == "python"
    with qtbot.waitSignal(window.run_ended, timeout=10_000):
        pass


def _click_text(qtbot, browser, text: str) -> None:
    from PyQt6.QtCore import Qt

    found = browser.document().find(text)
    assert not found.isNull()
    cursor = QTextCursor(found)
    cursor.setPosition(found.selectionStart() + 1)
    point = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_a_link_in_the_explanation_opens_in_the_browser(qtbot, make_app, monkeypatch):
    window = make_app().window
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString())
                        or True)
    window.resize(1200, 800)
    model = CodeOptimization.model_construct(**{
        **OPTIMIZATION, "original_code": CODE, "language": "python",
        "explanation": "See [the sum docs](https://docs.python.org/3/library/functions.html)."})
    window.result.show_model(model)
    browser = window.result.explanation
    qtbot.waitExposed(browser)
    _click_text(qtbot, browser, "sum docs")
    assert opened == ["https://docs.python.org/3/library/functions.html"]
    assert "See the sum docs." in browser.toPlainText()  # the pane keeps its text


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_disabled_controls_look_disabled(qapp, theme):
    apply_theme(qapp, theme)
    palette = qapp.palette()
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.WindowText):
        active = palette.color(QPalette.ColorGroup.Active, role)
        disabled = palette.color(QPalette.ColorGroup.Disabled, role)
        background = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button)
        assert active != disabled
        # disabled text has less contrast to its background than enabled text
        assert abs(disabled.lightness() - background.lightness()) < \
            abs(active.lightness() - background.lightness())
    apply_theme(qapp, "light")


def _colour_at(document: QTextDocument, line: int, column: int) -> QColor | None:
    block = document.findBlockByNumber(line)
    for fmt_range in block.layout().formats():
        if fmt_range.start <= column < fmt_range.start + fmt_range.length:
            return fmt_range.format.foreground().color()
    return None


def code_view(language: str, dark: bool = False) -> StreamingCode:
    view = StreamingCode()
    view.highlighter.set_language(language)
    view.highlighter.set_style(dark)
    return view


@pytest.mark.parametrize("dark", [False, True])
def test_diff_lines_are_coloured(qapp, dark):
    view = code_view("diff", dark)
    view.show_text("--- original\n+++ optimized\n@@ -1 +1 @@\n-old line\n+new line\n")
    document = view.document()
    removed, added = _colour_at(document, 3, 2), _colour_at(document, 4, 2)
    assert removed is not None and added is not None and removed != added
    header = _colour_at(document, 2, 1)
    assert header is not None and header not in (removed, added)


def test_multi_line_strings_are_highlighted_as_strings(qapp):
    view = code_view("python")
    document = view.document()
    view.show_text('x = """first\nif while return\nend"""\nif x:\n    pass\n')
    string = _colour_at(document, 0, 6)
    assert string is not None
    assert _colour_at(document, 1, 0) == string  # "if" inside the string is string
    assert _colour_at(document, 3, 0) not in (None, string)  # a real keyword after it


def test_appending_highlights_incrementally_across_lines(qapp):
    view = code_view("python")
    document = view.document()
    view.show_text('s = """open\n')
    view.show_text('s = """open\nstill string\n')
    string = _colour_at(document, 0, 5)
    assert _colour_at(document, 1, 0) == string
    view.show_text('s = """open\nstill string\n"""\nreturn 1\n')
    assert _colour_at(document, 3, 0) not in (None, string)


def test_streaming_off_shows_a_busy_state(qtbot, make_app):
    window = make_app(streaming=False).window
    window.optimize_button.click()
    assert window.progress.maximum() == 0  # an indeterminate, moving bar
    assert "streaming is off" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass
    assert window.progress.maximum() == 100 and window.progress.value() == 100


def test_status_is_never_stale(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, delay=40))
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    assert window.statusBar().currentMessage().startswith("done in")
    window.optimize_button.click()
    qtbot.waitUntil(lambda: len(window.result.code.text()) > 5, timeout=10_000)
    with qtbot.waitSignal(window.run_ended, timeout=5000):
        window.cancel_button.click()
    assert window.statusBar().currentMessage().startswith("⊘ cancelled")
    window.reset()
    assert window.statusBar().currentMessage() == ""
    entries = {e.status: e for e in window.history.entries()}
    window.history.reopen.emit(entries["cancelled"])
    assert "⊘ cancelled" in window.statusBar().currentMessage()
    window.history.reopen.emit(entries["done"])
    message = window.statusBar().currentMessage()
    assert "✓ done" in message and "reopened run of" in message


def test_token_rate_only_where_it_means_something():
    assert "tokens/s" not in done_message({"elapsed_ms": 1.5, "usage": {"output_tokens": 988},
                                           "streaming": False, "first_delta_ms": None,
                                           "deltas": 0})
    streamed = done_message({"elapsed_ms": 2100.0, "usage": {"output_tokens": 200},
                             "streaming": True, "first_delta_ms": 100.0, "deltas": 200})
    assert streamed == "done in 2.1 s · 100 tokens/s"


def test_solve_with_captures_uses_the_typed_problem(qtbot, make_app):
    from PyQt6.QtGui import QPixmap

    window = make_app().window
    window.editor.setPlainText("Find two numbers that add up to a target.")
    window.captures.add_pixmap(QPixmap(10, 10))
    with qtbot.waitSignal(window.run_started, timeout=3000) as started:
        window.solve_button.click()
    run = started.args[0]
    assert run.job.kind == "solution"
    assert "Find two numbers" in run.job.request.prompt
    assert "screenshots were not sent" in window.statusBar().currentMessage()
    assert not window.banner.isVisible()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass


def test_screenshots_and_text_go_together_to_a_vision_model(tmp_path):
    from fakes import FakeProvider

    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.service import LLMService

    image = tmp_path / "shot.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    service = LLMService(Settings(), FakeProvider(vision=True))
    job = service.image_solution_job([image], "python", "Constraints: n <= 10^5")
    assert job.request.images == [image]
    assert "Constraints: n <= 10^5" in job.request.prompt


def test_a_long_line_streaming_in_costs_its_new_text_per_frame(qapp, monkeypatch):
    """A 40 KB line growing 400 characters a frame: it is shown (and lexed) in pieces of
    DISPLAY_LINE characters while it streams, so a frame costs its new text, not the
    line's length; the real text is what Copy takes, and once complete the line is shown
    whole, left plain (longer than the highlighter's limit), the state flowing through."""
    from interview_corvus.ui.widgets import highlight

    lexed: list[int] = []
    real = highlight.lex_line

    def counting(lexer, line, stack):
        lexed.append(len(line))
        return real(lexer, line, stack)

    monkeypatch.setattr(highlight, "lex_line", counting)
    view = code_view("python")
    document = view.document()
    long_line = "x = [" + "values[i] * weights[i], " * 1700 + "]"
    text = "def f():\n"
    for end in range(0, len(long_line), 400):
        view.show_text(text + long_line[:end])
    final = text + long_line + "\nreturn 1\n"
    view.show_text(final)
    assert len(long_line) > 40_000 and view.folded and view.text() == final
    assert max(lexed) <= view.DISPLAY_LINE + 1
    assert document.blockCount() > len(long_line) / view.DISPLAY_LINE
    lexed.clear()
    view.settle()
    assert document.toPlainText() == final and document.blockCount() == 4
    assert max(lexed) <= highlight.PygmentsHighlighter.long_line + 1
    assert _colour_at(document, 0, 0) is not None  # "def" coloured
    assert _colour_at(document, 2, 0) is not None  # and "return" after the long line


def test_no_section_says_writing_after_cancel_or_reset(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, delay=40))
    window = corvus.window
    view = window.panel.result
    labels = lambda: [view.list_title.text(), view.explanation_title.text(),  # noqa: E731
                      view.tabs.tabText(0)]
    window.optimize_button.click()
    qtbot.waitUntil(lambda: any("writing" in text for text in labels()), timeout=20_000)
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.cancel()
    assert not any("writing" in text for text in labels())
    window.optimize_button.click()
    qtbot.waitUntil(lambda: any("writing" in text for text in labels()), timeout=20_000)
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.cancel()
    window.reset()
    assert not any("writing" in text for text in labels())


@pytest.mark.parametrize("dark", [False, True])
def test_notice_and_problem_colours_keep_aa_contrast(dark):
    """WCAG 2 AA (4.5:1) for every banner's text on its background and for problem text
    on the window, in both themes."""
    from interview_corvus.ui.platform.theme import NOTICES, PALETTE, PROBLEM_TEXT, contrast_ratio

    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    for kind, themes in NOTICES.items():
        background, _border, text = themes[dark]
        assert contrast_ratio(text, background) >= 4.5, kind
    window = PALETTE[QPalette.ColorRole.Window][dark]
    assert contrast_ratio(PROBLEM_TEXT[dark], window) >= 4.5


def test_banners_follow_a_live_theme_switch(qtbot, make_app):
    from interview_corvus.ui.platform.theme import NOTICES

    corvus = make_app()
    window = corvus.window
    banner, bar = window.panel.banner, window.panel.external_bar
    app = QApplication.instance()
    try:
        for dark in (True, False, True):
            ui = corvus.settings.ui.model_copy(update={"theme": "dark" if dark else "light"})
            corvus.apply(corvus.settings.model_copy(update={"ui": ui}))
            qtbot.waitUntil(lambda d=dark: NOTICES["error"][d][0] in banner.styleSheet(),
                            timeout=2000)
            qtbot.waitUntil(lambda d=dark: NOTICES["external"][d][0] in bar.styleSheet(),
                            timeout=2000)
    finally:
        apply_theme(app, "light")


def test_the_server_link_follows_a_live_theme_switch(make_app):
    """The app sets the server's link again after every theme switch (``apply``); the
    link's colour is in its text, so the label draws it in the new theme's colour."""
    from interview_corvus.ui.platform.theme import PALETTE

    status = make_app().window.status
    app = QApplication.instance()
    try:
        for theme, dark in (("dark", 1), ("light", 0), ("dark", 1)):
            apply_theme(app, theme)
            status.set_server_url("http://127.0.0.1:8765")
            link = PALETTE[QPalette.ColorRole.Link][dark]
            assert f"color: {link}" in status.server_label.text()
    finally:
        apply_theme(app, "light")


def test_the_input_wraps_prose_and_never_gets_too_narrow(qtbot, make_app):
    from PyQt6.QtWidgets import QPlainTextEdit

    from interview_corvus.ui.widgets.editor import MIN_COLUMNS

    window = make_app().window
    editor = window.inputs.editor
    editor.setPlainText("Given an array of integers and a target, return the indices of the "
                        "two numbers that add up to the target. Each input has exactly one "
                        "solution, and the same element may not be used twice.\n")
    assert editor.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    editor.setPlainText(CODE)
    assert editor.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
    window.resize(557, 532)
    window.show()
    qtbot.waitExposed(window)
    columns = editor.viewport().width() / editor.fontMetrics().horizontalAdvance("M")
    assert columns >= MIN_COLUMNS - 1


def test_a_second_launch_brings_the_first_to_the_front(qtbot, make_app):
    from interview_corvus.ui.platform.single_instance import (
        SingleInstance,
        hand_over,
        instance_name,
    )

    corvus = make_app()
    corvus.window.showMinimized()
    first = SingleInstance()
    assert first.listen()
    first.activated.connect(corvus.bring_to_front)
    try:
        with qtbot.waitSignal(first.activated, timeout=10_000):
            assert hand_over()  # what a second launch does before making any window
        second = (  # a real second process: it writes and hangs up before we read
            "import sys; from PyQt6.QtCore import QCoreApplication; app = QCoreApplication([]);"
            "from interview_corvus.ui.platform.single_instance import hand_over;"
            "sys.exit(0 if hand_over() else 3)")
        corvus.window.showMinimized()
        with qtbot.waitSignal(first.activated, timeout=20_000):
            launch = subprocess.Popen([sys.executable, "-c", second])
            qtbot.waitUntil(lambda: launch.poll() is not None, timeout=20_000)
        assert launch.returncode == 0
        assert corvus.window.isVisible()
        assert not corvus.window.windowState() & Qt.WindowState.WindowMinimized
    finally:
        first.close()
    assert not hand_over(instance_name())  # nobody listens: a launch starts normally
    left = Path(QDir.tempPath()) / instance_name()  # a socket file a crash left behind
    left.write_text("")
    again = SingleInstance()
    assert again.listen()
    again.close()


def test_a_run_shows_a_sign_of_life_before_its_first_token(qtbot, make_app, tmp_path):
    """The status says what happens before the first token (never the last run's "done
    in …"), and the run is in History at once."""
    corvus = make_app(transcript(tmp_path, delay=40))
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    assert window.statusBar().currentMessage().startswith("done in")
    with qtbot.waitSignal(window.run_started, timeout=5000):
        window.optimize_button.click()
    assert window.statusBar().currentMessage() == "the model is reading your input…"
    assert window.history.list.count() == 2  # the new run is listed before it ends
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.cancel()


def test_a_request_that_cannot_start_says_why_without_claiming_a_partial(make_app):
    window = make_app().window
    banner = window.panel.banner
    window.inputs.editor.setPlainText("   ")
    window.optimize_button.click()
    assert banner.isVisible() and "kept below" not in banner.label.text()
    assert not banner.settings_button.isVisible() and not banner.retry_button.isVisible()
    window.panel.show_problem(BadRequest("The openai provider needs an API key: add it in "
                                         "settings."))
    assert banner.settings_button.isVisible() and "kept below" not in banner.label.text()


def test_the_help_lists_every_command_and_the_global_hotkeys(make_app, monkeypatch):
    from interview_corvus import __version__
    from interview_corvus.ui.window import window_keys

    window = make_app().window
    shown: list[str] = []
    monkeypatch.setattr(window_keys.QMessageBox, "information",
                        lambda _parent, _title, body: shown.append(body))
    window.window_actions.shortcuts.trigger()  # F1
    text = shown.pop()
    for command in ("Optimize", "MCQ", "History", "Keyboard shortcuts", "Global hotkeys",
                    "Show / hide the window"):
        assert command in text, command
    optimize_row = text.split("Optimize</td>")[1].split("</tr>")[0]
    assert optimize_row.index("Ctrl+Enter") < optimize_row.index("Ctrl+Return")
    monkeypatch.setattr(window_keys.QMessageBox, "about",
                        lambda _parent, _title, body: shown.append(body))
    window_keys.show_about(window)
    assert __version__ in shown[0]
