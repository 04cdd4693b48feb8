"""Issue 18 item 16: bars that come and go do not move what is under the pointer, and
F6 shows where the focus went."""

from __future__ import annotations

from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QCursor, QPalette
from PyQt6.QtWidgets import QApplication

from interview_corvus.ui.widgets import notice_area


def _pointer_on(widget) -> None:
    QCursor.setPos(widget.mapToGlobal(widget.rect().center()))


def test_a_bar_that_goes_under_the_pointer_leaves_its_room_until_the_pointer_leaves(
        qtbot, make_app):
    window = make_app().window
    panel, bar = window.panel, window.panel.external_bar
    bar.label.setText("A solution run started over http is in progress")
    bar.show()
    qtbot.waitUntil(lambda: bar.height() > 0 and panel.notices.height() >= bar.height())
    copy = window.result.copy_button
    qtbot.waitUntil(lambda: copy.mapTo(window, QPoint(0, 0)).y()
                    > bar.mapTo(window, QPoint(0, 0)).y())
    before = copy.mapTo(window, QPoint(0, 0))
    _pointer_on(bar.cancel_button)  # about to click Cancel run
    bar.hide()  # the run ended on its own
    qtbot.wait(50)
    assert panel.notices.holding
    assert copy.mapTo(window, QPoint(0, 0)) == before  # Copy code did not move up
    QCursor.setPos(window.mapToGlobal(QPoint(-50, -50)))  # the pointer leaves
    qtbot.waitUntil(lambda: not panel.notices.holding, timeout=3000)
    qtbot.waitUntil(lambda: copy.mapTo(window, QPoint(0, 0)).y() < before.y(), timeout=3000)


def test_a_bar_that_goes_elsewhere_gives_its_room_back_at_once(qtbot, make_app):
    window = make_app().window
    bar = window.panel.external_bar
    bar.show()
    QCursor.setPos(window.mapToGlobal(QPoint(-50, -50)))  # the pointer is not on the answer
    bar.hide()
    assert not window.panel.notices.holding


def test_a_bar_that_just_appeared_ignores_clicks_meant_for_what_was_there(
        qtbot, make_app, monkeypatch):
    window = make_app().window
    banner = window.panel.banner
    now = [1000.0]  # the guard's clock, moved by hand: no race with a loaded machine
    monkeypatch.setattr(notice_area.time, "monotonic", lambda: now[0])
    pressed: list[bool] = []
    banner.retry.connect(lambda: pressed.append(True))
    banner.show_error("unavailable", "The server went away.")
    now[0] += notice_area.CLICK_GUARD_S / 2
    qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)  # too soon: ignored
    assert not pressed
    now[0] += notice_area.CLICK_GUARD_S
    qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)
    assert pressed == [True]
    banner.retry_button.setFocus()
    qtbot.keyClick(banner.retry_button, Qt.Key.Key_Space)  # the keyboard is never held back
    assert pressed == [True, True]


def _edge_colour(widget):
    image = widget.grab().toImage()
    return image.pixelColor(0, image.height() // 2).name()


def test_f6_shows_a_ring_round_the_pane_it_focused(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.editor.setFocus()
    qtbot.waitUntil(window.editor.hasFocus, timeout=3000)
    for _ in range(len(window.panes())):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        pane = QApplication.focusWidget()
        highlight = pane.palette().color(QPalette.ColorRole.Highlight).name()
        assert _edge_colour(pane) == highlight, type(pane).__name__
    unfocused = window.result.explanation if pane is not window.result.explanation \
        else window.editor
    assert _edge_colour(unfocused) != unfocused.palette().color(
        QPalette.ColorRole.Highlight).name()
    corvus.apply(corvus.settings.model_copy(update={"ui": corvus.settings.ui.model_copy(
        update={"theme": "dark"})}))
    pane = QApplication.focusWidget()
    assert _edge_colour(pane) == pane.palette().color(QPalette.ColorRole.Highlight).name()


def test_the_ringed_panes_follow_the_theme_both_ways(qtbot, make_app):
    """A style sheet fixes a widget's palette when it is polished: the panes with the
    focus ring must still take the dark theme (at start and on a switch) and come back."""
    corvus = make_app()
    window = corvus.window
    panes = (window.editor, window.result.code, window.result.explanation, window.history.list)

    def backgrounds() -> set[str]:
        colours = set()
        for pane in panes:
            image = pane.viewport().grab().toImage()
            colours.add(image.pixelColor(image.width() - 3, image.height() - 3).name())
        return colours

    for theme in ("dark", "light", "dark"):
        corvus.apply(corvus.settings.model_copy(update={"ui": corvus.settings.ui.model_copy(
            update={"theme": theme})}))
        base = QApplication.palette().color(QPalette.ColorRole.Base).name()
        assert backgrounds() == {base}, theme
