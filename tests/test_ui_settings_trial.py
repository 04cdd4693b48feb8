"""Settings found wanting in a trial: network access with no place for its token (Save
says why; a server that cannot start says so in the status bar, not in a modal at every
launch), a token message that outlived its cause, the GGUF Browse… button enabled with
a disabled field, an empty row under "Local model", and a test result naming the
provider by its internal id."""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("PyQt6")

from PyQt6.QtWidgets import QLabel, QMessageBox, QPushButton, QTabWidget
from test_ui_settings_fixes import _dialog as settings_dialog
from test_ui_settings_fixes import _save_button

from interview_corvus.core.config.settings import Settings
from interview_corvus.ui.settings.model_tab import PROVIDER_NAMES
from interview_corvus.ui.settings.secret_store import OPTION
from interview_corvus.ui.settings.settings_dialog import SettingsDialog


def _dialog(qtbot, settings: Settings | None = None) -> SettingsDialog:
    return settings_dialog(qtbot, settings, server_port=None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- 1. network access with no place for the token ------------------------------------

def test_lan_access_without_a_token_store_keeps_save_disabled(qtbot, no_keyring):
    dialog = _dialog(qtbot, Settings(server={"port": _free_port()}))
    dialog.show()
    save = _save_button(dialog)
    dialog.server_enabled.setChecked(True)
    dialog.lan.setChecked(True)
    assert not save.isEnabled()
    reason = dialog.save_reason.text()
    assert dialog.save_reason.isVisible() and save.toolTip() == reason
    assert "Server tab" in reason and "token" in reason and "cannot be stored" in reason
    assert OPTION in reason and "network access off" in reason
    assert "--token" not in reason
    dialog.file_option.box.setChecked(True)  # the token has a place: Save goes through
    assert dialog.token.text() and save.isEnabled() and not dialog.save_reason.isVisible()
    dialog.file_option.box.setChecked(False)
    dialog.lan.setChecked(False)  # or no network access: no token needed
    assert save.isEnabled()


def test_a_server_that_cannot_start_says_so_without_a_modal(qtbot, qapp, tmp_path,
                                                             no_keyring, monkeypatch):
    from fakes import transcript

    from interview_corvus.core.runs.history import HistoryStore
    from interview_corvus.ui.app import CorvusApp

    modals: list[str] = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind,
                            staticmethod(lambda *args, **kw: modals.append(str(args))))
    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path))},
                        server={"enabled": True, "lan_access": True, "port": _free_port()})
    corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    try:
        assert corvus.server is None and not modals
        said = corvus.window.statusBar().currentMessage()
        assert "server" in said and "Settings → Server" in said and OPTION in said
        assert "--token" not in said and "corvus serve" not in said
    finally:
        corvus.window.close()
        corvus.shutdown()


def test_the_refusal_names_the_settings_fix_and_the_cli_one():
    from interview_corvus.api.server import EmbeddedServer, ServerConfigError

    with pytest.raises(ServerConfigError) as info:
        EmbeddedServer(None, host="0.0.0.0", port=0)  # type: ignore[arg-type]
    said = str(info.value)
    assert "Settings → Server" in said and "corvus serve --token" in said
    assert "--token …" not in said


# -- 2. the token message goes with its cause ------------------------------------------

def test_the_token_message_goes_when_network_access_does(qtbot, no_keyring):
    dialog = _dialog(qtbot, Settings(server={"port": _free_port()}))
    dialog.show()
    dialog.server_enabled.setChecked(True)
    dialog.lan.setChecked(True)
    assert dialog.message.isVisible()
    assert "server token cannot be stored" in dialog.message.text()
    dialog.lan.setChecked(False)
    dialog.server_enabled.setChecked(False)
    assert not dialog.message.isVisible() and dialog.message.text() == ""
    assert "cannot be stored" not in dialog.save_reason.text()
    assert _save_button(dialog).isEnabled()


# -- 3. the Model tab --------------------------------------------------------------------

def test_the_gguf_browse_button_follows_its_field(qtbot):
    dialog = _dialog(qtbot)
    browse = [b for b in dialog.findChildren(QPushButton)
              if b.accessibleName() == "Browse for the GGUF file"]
    assert len(browse) == 1
    for provider in ("openai", "local", "replay", "anthropic", "local"):
        dialog.provider.set_id(provider)
        assert browse[0].isEnabled() == dialog.gguf.isEnabled() == (provider == "local")


def test_no_empty_row_under_the_local_model(qtbot):
    dialog = _dialog(qtbot, Settings(llm={"local_model": ""}))
    dialog.show()
    tab = dialog.model_tab
    dialog.findChild(QTabWidget).setCurrentWidget(tab)
    qtbot.waitUntil(tab.isVisible, timeout=3000)
    below = tab.local_model.layout_below
    empty = [w for w in below if w.isVisibleTo(tab) and (
        not isinstance(w, QLabel) or not w.text())]  # the idle progress bar is hidden too
    assert not empty, empty
    name = tab.local_model.choice.itemData(1)  # a catalog model: its note is shown
    tab.local_model.choice.setCurrentIndex(1)
    assert name and tab.local_model.note.text() and tab.local_model.note.isVisibleTo(tab)


def test_the_connection_test_names_the_provider_as_shown(qtbot, tmp_path):
    from fakes import transcript

    dialog = _dialog(qtbot, Settings(llm={"provider": "replay",
                                          "replay_path": str(transcript(tmp_path))}))
    with qtbot.waitSignal(dialog.tested, timeout=10000):
        dialog.test_button.click()
    shown = dialog.test_result.text()
    assert shown.startswith("✓") and PROVIDER_NAMES["replay"] in shown
    assert "replay is ready" not in shown
