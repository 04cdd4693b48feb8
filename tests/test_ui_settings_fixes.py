"""Settings dialog fixes (issue 18 item 14 and the Settings polish): hotkey names not
clipped, Save says why it is disabled, keys kept in a private file when no keyring
works (by explicit choice), a port in use is refused, providers shown by name, a
placeholder per provider, Browse… for the replay file, and a test result that wraps
and goes when the settings it described change."""

from __future__ import annotations

import logging
import socket
import stat
import time

import pytest

pytest.importorskip("PyQt6")

from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import QFileDialog, QPushButton, QTabWidget

from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import (
    PRESETS,
    PROVIDERS,
    Settings,
    config_dir,
    load_settings,
    settings_file,
)
from interview_corvus.ui.platform.hotkeys import ACTIONS
from interview_corvus.ui.settings.settings_dialog import SettingsDialog

FAKE_KEY = "sk-test-filestore-0123456789"


def _dialog(qtbot, settings: Settings | None = None, **kwargs) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def _save_button(dialog: SettingsDialog) -> QPushButton:
    button = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert button is not None
    return button


@pytest.fixture
def listening_port():
    """A port another program (this socket) listens on, on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


# -- Hotkeys tab ----------------------------------------------------------------------

def test_hotkey_action_names_are_not_clipped(qtbot):
    dialog = _dialog(qtbot, global_note="Global hotkeys work while the window is hidden.")
    dialog.show()
    tabs = dialog.findChild(QTabWidget)
    tabs.setCurrentWidget(dialog.keys_tab)
    table = dialog.keys_tab.table
    qtbot.waitUntil(table.isVisible, timeout=3000)
    metrics = table.fontMetrics()
    width = table.columnWidth(0)
    for label in ACTIONS.values():
        assert metrics.horizontalAdvance(label) < width, label
    # and the whole column is on screen, not scrolled away
    viewport = table.viewport()
    assert viewport is not None and viewport.width() >= width


# -- Save disabled: the reason is visible -------------------------------------------

def test_save_disabled_says_which_field_and_why(qtbot):
    dialog = _dialog(qtbot)
    dialog.show()
    save = _save_button(dialog)
    assert save.isEnabled() and not dialog.save_reason.isVisible()
    dialog.provider.setCurrentText("openai-compatible")
    dialog.base_url.setText("localhost:11434/v1")
    assert not save.isEnabled()
    assert dialog.save_reason.isVisible() and dialog.save_reason.wordWrap()
    reason = dialog.save_reason.text()
    assert "Model tab" in reason and "base URL" in reason and "http://" in reason
    assert save.toolTip() == reason
    dialog.base_url.setText("http://127.0.0.1:11434/v1")
    dialog.key_edits["solve"].setKeySequence(dialog.key_edits["capture"].keySequence())
    assert not save.isEnabled() and dialog.save_reason.isVisible()
    assert "Hotkeys tab" in dialog.save_reason.text()
    assert "base URL" not in dialog.save_reason.text()
    dialog.key_edits["solve"].setKeySequence(QKeySequence("Ctrl+Alt+9"))
    assert save.isEnabled() and not dialog.save_reason.isVisible()


# -- a port in use ----------------------------------------------------------------

def test_a_port_in_use_is_refused_with_its_number(qtbot, listening_port):
    dialog = _dialog(qtbot, Settings(server={"enabled": True, "port": 8765}))
    dialog.show()
    save = _save_button(dialog)
    dialog.port.setValue(listening_port)
    assert not save.isEnabled()
    assert f"port {listening_port} is in use" in dialog.save_reason.text().lower()
    assert dialog.server_tab.port_error.isVisibleTo(dialog.server_tab)
    dialog.accept()
    assert dialog.result() == 0 and not settings_file().exists()
    dialog.server_enabled.setChecked(False)  # a server that does not run needs no port
    assert save.isEnabled()


def test_the_apps_own_port_is_not_in_use(qtbot, listening_port):
    settings = Settings(server={"enabled": True, "port": listening_port})
    dialog = _dialog(qtbot, settings, server_port=listening_port)
    assert _save_button(dialog).isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        dialog.accept()
    assert load_settings().server.port == listening_port


def test_the_running_apps_port_is_its_own(qtbot, qapp, tmp_path):
    """Opened from the app (which does not say its port), the port its own server holds
    is not reported as in use."""
    from fakes import transcript

    from interview_corvus.core.runs.history import HistoryStore
    from interview_corvus.ui.app import CorvusApp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path))},
                        server={"enabled": True, "port": port})
    corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    try:
        assert corvus.server is not None and corvus.server.port == port
        dialog = corvus.open_settings()
        assert _save_button(dialog).isEnabled() and dialog.server_tab.port_problem() is None
        dialog.reject()
    finally:
        corvus.window.close()
        corvus.shutdown()


# -- keys without a keyring: an explicit, warned file readable only by the user -----

def test_without_a_keyring_keys_go_to_a_private_file_by_choice(qtbot, no_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    dialog = _dialog(qtbot)
    dialog.show()
    option = dialog.file_option
    assert option.isVisible() and not option.chosen()  # offered, not chosen for the user
    warning = option.warning.text()
    assert str(secrets.file_store()) in warning and "unencrypted" in warning
    dialog.provider.setCurrentText("openai")
    dialog.api_key.setText(FAKE_KEY)
    dialog.accept()
    assert dialog.result() == 0 and "Not saved" in dialog.message.text()
    assert "command" not in dialog.message.text() and "--" not in dialog.message.text()
    assert not secrets.file_store().exists()
    option.box.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        dialog.accept()
    path = secrets.file_store()
    assert path.parent == config_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secrets.get_api_key("openai") == FAKE_KEY  # read back with no keyring
    leaked = FAKE_KEY in settings_file().read_text() or FAKE_KEY in caplog.text
    assert not leaked
    assert not list(path.parent.glob(".secrets-*"))  # no temporary file left over
    again = _dialog(qtbot, load_settings())
    assert again.file_option.chosen()
    assert FAKE_KEY[-4:] in again.api_key.placeholderText()


def test_without_a_keyring_the_lan_token_goes_to_the_file_once_chosen(qtbot, no_keyring):
    dialog = _dialog(qtbot)
    dialog.show()
    dialog.lan.setChecked(True)
    assert "server token cannot be stored" in dialog.message.text()
    assert dialog.token.text() == "" and dialog.file_option.isVisible()
    dialog.file_option.box.setChecked(True)
    token = dialog.token.text()
    assert token and not dialog.message.isVisible()
    assert secrets.get_api_key("server-token") == token
    assert stat.S_IMODE(secrets.file_store().stat().st_mode) == 0o600


def test_unticking_the_file_store_deletes_it(qtbot, no_keyring):
    secrets.set_api_key("anthropic", FAKE_KEY, to_file=True)
    dialog = _dialog(qtbot)
    assert dialog.file_option.chosen()
    dialog.file_option.box.setChecked(False)
    dialog.provider.setCurrentText("openai")
    dialog.api_key.setText(FAKE_KEY)  # unticked: no place for it, and nothing is deleted
    dialog.accept()
    assert dialog.result() == 0 and "Not saved" in dialog.message.text()
    assert secrets.file_store().exists() and secrets.get_api_key("openai") is None
    dialog.api_key.clear()
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        dialog.accept()
    assert not secrets.file_store().exists() and secrets.get_api_key("anthropic") is None


# -- providers by name, placeholders, Browse…, the test result ------------------------

def test_providers_and_presets_are_shown_by_name_and_stored_by_id(qtbot):
    dialog = _dialog(qtbot)
    for combo, ids in ((dialog.provider, PROVIDERS), (dialog.preset, PRESETS)):
        shown = [combo.itemText(i) for i in range(combo.count())]
        assert not set(shown) & set(ids), shown
        assert [combo.itemData(i) for i in range(combo.count())] == list(ids)
    names = [dialog.provider.itemText(i) for i in range(dialog.provider.count())]
    assert {"OpenAI", "Anthropic", "Local model (llama.cpp)"} <= set(names)
    assert any(n.startswith("OpenAI-compatible server") for n in names)
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai-compatible"))
    assert dialog.result_settings().llm.provider == "openai-compatible"


def test_the_base_url_placeholder_fits_the_provider(qtbot):
    dialog = _dialog(qtbot)
    dialog.provider.setCurrentText("openai")
    assert "11434" not in dialog.base_url.placeholderText()
    assert "api.openai.com" in dialog.base_url.placeholderText()
    dialog.provider.setCurrentText("anthropic")
    assert "11434" not in dialog.base_url.placeholderText()
    dialog.provider.setCurrentText("openai-compatible")
    assert "http://127.0.0.1" in dialog.base_url.placeholderText()


def test_the_replay_file_has_a_browse_button(qtbot, monkeypatch, tmp_path):
    chosen = tmp_path / "recorded.jsonl"
    asked: list[str] = []

    def pick(parent, caption="", directory="", filter="", *args, **kwargs):
        asked.append(caption)
        return str(chosen), filter

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    dialog = _dialog(qtbot)
    dialog.provider.setCurrentText("replay")
    browse = [b for b in dialog.findChildren(QPushButton)
              if b.text() == "Browse…" and "replay" in b.accessibleName()]
    assert len(browse) == 1
    browse[0].click()
    assert dialog.replay.text() == str(chosen) and asked and "transcript" in asked[0].lower()


def test_the_test_result_wraps_and_goes_when_the_provider_changes(qtbot, monkeypatch):
    long = ("The server at http://127.0.0.1:9/v1 refused the connection: is it running? "
            "Start it, or choose another base URL; the model list could not be read. ") * 2
    monkeypatch.setattr("interview_corvus.core.providers.test_connection",
                        lambda settings, key=None: long)
    dialog = _dialog(qtbot, Settings(llm={"provider": "openai-compatible",
                                          "base_url": "http://127.0.0.1:9/v1"}))
    dialog.show()  # at the size it opens with
    with qtbot.waitSignal(dialog.tested, timeout=5000):
        dialog.test_button.click()
    label = dialog.test_result
    page = label.parentWidget()  # the Model tab

    def whole() -> bool:  # every wrapped line has its height, inside the tab
        bottom_right = label.mapTo(page, label.rect().bottomRight())
        return (label.height() >= label.heightForWidth(label.width())
                and bottom_right.y() < page.height() and bottom_right.x() < page.width())

    qtbot.waitUntil(whole, timeout=3000)
    assert label.wordWrap() and long.strip() in label.text()
    dialog.provider.setCurrentText("anthropic")
    assert label.text() == ""


def test_a_late_test_result_is_not_shown_for_changed_settings(qtbot, monkeypatch):
    def slow(settings, key=None):
        time.sleep(0.3)
        return "ready: openai-compatible"

    monkeypatch.setattr("interview_corvus.core.providers.test_connection", slow)
    dialog = _dialog(qtbot, Settings(llm={"provider": "openai-compatible",
                                          "base_url": "http://127.0.0.1:9/v1"}))
    with qtbot.waitSignal(dialog.tested, timeout=5000):
        dialog.test_button.click()
        dialog.base_url.setText("http://127.0.0.1:10/v1")
    assert "ready" not in dialog.test_result.text()
    assert dialog.test_button.isEnabled()
