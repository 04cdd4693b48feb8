"""Keyboard routes, settings validation and the polish a desktop user expects."""

from __future__ import annotations

import keyring
import pytest
from fakes import CODE, OPTIMIZATION, transcript

pytest.importorskip("PyQt6")

from PyQt6.QtCore import QMimeData, Qt
from PyQt6.QtGui import QGuiApplication, QKeySequence
from PyQt6.QtWidgets import QApplication, QPlainTextEdit

from interview_corvus.core.config.settings import Settings, load_settings, settings_file
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.ui.app import CorvusApp
from interview_corvus.ui.settings.settings_dialog import SettingsDialog


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.editor.setFocus()
    qtbot.waitUntil(window.editor.hasFocus, timeout=3000)


def test_ctrl_enter_runs_and_esc_cancels(qtbot, make_app, tmp_path):
    window = make_app(transcript(tmp_path, delay=60)).window
    activate(qtbot, window)
    with qtbot.waitSignal(window.run_started, timeout=3000):
        qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.result.code.text()) > 5, timeout=10_000)
    with qtbot.waitSignal(window.run_ended, timeout=5000) as ended:
        qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert ended.args == ["cancelled"]
    assert window.editor.toPlainText() == CODE  # Ctrl+Enter inserted no line break


def test_f6_reaches_every_pane_and_tab_leaves_the_answer(qtbot, make_app):
    window = make_app().window
    activate(qtbot, window)
    visited = []
    for _ in range(len(window.panes())):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        visited.append(QApplication.focusWidget())
    assert window.result.code in visited and window.history.list in visited
    assert window.result.explanation in visited
    assert visited[-1] is window.editor  # round and back
    assert window.result.code.tabChangesFocus()
    assert window.editor.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap


def test_ctrl_tab_leaves_the_editor_and_tab_still_indents(qtbot, make_app):
    window = make_app().window
    activate(qtbot, window)
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.toPlainText().endswith("\t")
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert not window.editor.hasFocus()


def test_controls_have_accessible_names_and_the_window_fits_small_screens(make_app):
    window = make_app().window
    for widget in (window.editor, window.language, window.optimize_button,
                   window.solve_button, window.cancel_button, window.progress,
                   window.result.code, window.result.explanation, window.history.list):
        assert widget.accessibleName(), widget
    assert window.minimumSizeHint().width() <= 640


def test_tooltips_and_menus_show_the_shortcuts(make_app):
    window = make_app().window
    assert "Ctrl+Enter" in window.optimize_button.toolTip()
    assert "Esc" in window.cancel_button.toolTip()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&Run", "&View", "&Help"]
    assert window.window_actions.copy_code.shortcut() == QKeySequence("Ctrl+Shift+C")


def test_invalid_base_url_is_refused_with_a_word(qtbot, make_app):
    corvus = make_app()
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    dialog.provider.setCurrentText("openai-compatible")
    dialog.base_url.setText("localhost:11434/v1")
    assert dialog.base_url_error.isVisibleTo(dialog)
    assert "http://" in dialog.base_url_error.text()
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert not save.isEnabled()
    dialog.accept()
    assert dialog.result() == 0 and not settings_file().exists()
    dialog.base_url.setText("http://127.0.0.1:11434/v1")
    assert save.isEnabled() and not dialog.base_url_error.isVisibleTo(dialog)


def test_standard_shortcuts_cannot_become_hotkeys(qtbot, make_app):
    corvus = make_app()
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    dialog.key_edits["capture"].setKeySequence(QKeySequence("Ctrl+V"))
    assert "Paste" in dialog.conflicts.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()


@pytest.fixture
def broken_keyring():
    from keyring.backend import KeyringBackend
    from keyring.errors import KeyringError

    class Broken(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            raise KeyringError("no Secret Service on this session bus, see docs for details")

        def delete_password(self, service, username):
            raise KeyringError("no")

    previous = keyring.get_keyring()
    keyring.set_keyring(Broken())
    yield
    keyring.set_keyring(previous)


def test_keyring_errors_are_shown_whole_above_every_tab(qtbot, make_app, broken_keyring):
    corvus = make_app()
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.lan.setChecked(True)  # a token must be stored: it cannot be
    assert dialog.message.isVisible() and dialog.message.wordWrap()
    assert "server token cannot be stored" in dialog.message.text()
    assert dialog.token.text() == ""  # no error tail in the token field
    dialog.lan.setChecked(False)
    dialog.provider.setCurrentText("openai")
    dialog.api_key.setText("sk-test-abcdef")
    dialog.accept()
    assert "Not saved" in dialog.message.text() and dialog.message.isVisible()


def test_line_numbers_copy_feedback_and_rendered_improvements(qtbot, make_app):
    window = make_app().window
    assert window.editor.viewportMargins().left() > 10  # the line-number gutter
    assert window.result.code.viewportMargins().left() > 10
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    window.result.copy_button.click()
    assert QGuiApplication.clipboard().text() == OPTIMIZATION["optimized_code"]
    assert window.result.copy_button.text() == "Copied ✓"
    qtbot.waitUntil(lambda: window.result.copy_button.text() == "Copy code", timeout=3000)
    html = window.result.improvements.toHtml()
    assert html.count("<li") == len(OPTIMIZATION["improvements"])


def test_history_rows_are_readable(qtbot, make_app):
    window = make_app().window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    qtbot.waitUntil(lambda: window.history.list.count() == 1, timeout=3000)
    item = window.history.list.item(0)
    head, snippet = item.text().split("\n")
    assert head.startswith("✓ optimization · python")
    assert snippet.strip() == CODE.strip().splitlines()[0][:48]
    assert "done in" in item.toolTip() and CODE.splitlines()[1] in item.toolTip()


def test_language_is_detected_on_paste(make_app):
    window = make_app().window
    window.editor.clear()
    window.language.setCurrentText("python")
    data = QMimeData()
    data.setText("package main\n\nimport \"fmt\"\n\nfunc main() {\n    fmt.Println(1)\n}\n")
    window.editor.insertFromMimeData(data)
    assert window.language.currentText() == "go"


def test_window_size_is_remembered(qtbot, qapp, tmp_path):
    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path))})
    first = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    first.window.resize(700, 520)  # inside the offscreen 800x600 screen
    first.window.show()
    qtbot.waitUntil(lambda: first.window.width() == 700, timeout=2000)
    first.window.close()
    first.shutdown()
    again = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    try:
        assert (again.window.width(), again.window.height()) == (700, 520)
        assert not again.window.windowIcon().isNull()
    finally:
        again.window.close()
        again.shutdown()


def test_server_url_is_visible(qtbot, qapp, tmp_path):
    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path))},
                        server={"enabled": True, "port": 0})
    corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    try:
        assert corvus.server is not None
        assert corvus.server.url in corvus.window.server_label.text()
        assert corvus.window.server_label.isVisibleTo(corvus.window)
    finally:
        corvus.window.close()
        corvus.shutdown()


def test_error_banner_speaks_plainly_and_opens_settings(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    window.banner.show_error("auth", "Incorrect API key provided.")
    assert "did not accept the API key" in window.banner.label.text()
    assert window.banner.settings_button.isVisibleTo(window)
    opened = []
    corvus.open_settings = lambda: opened.append(True)  # what the button reaches
    with qtbot.waitSignal(window.open_settings, timeout=1000):
        window.banner.settings_button.click()


def test_first_launch_hint_about_the_demo_model(qtbot, qapp, tmp_path):
    corvus = CorvusApp(qapp, Settings(), history=HistoryStore(tmp_path / "h.sqlite3"),
                       tray=False)
    try:
        corvus.window.show()
        hint = corvus.window.demo_hint
        assert hint.isVisible() and "demo model" in hint.label.text()
        got_it = next(b for b in hint.findChildren(type(corvus.window.banner.retry_button))
                  if b.text() == "Got it")
        got_it.click()
        assert not hint.isVisible()
        assert load_settings().ui.demo_hint_dismissed is True
    finally:
        corvus.window.close()
        corvus.shutdown()
