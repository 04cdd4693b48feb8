"""The settings dialog: persisted, applied without a restart.

The API key goes to the OS keyring (never the settings file); the field shows a
masked hint when one is stored and leaves it unchanged unless the user types. With
no working keyring the dialog offers, explicitly and with a warning, a file readable
only by the user instead. Whenever Save is disabled, the line beside it says why.
"""

from __future__ import annotations

import threading

from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import Settings
from interview_corvus.ui.platform.hotkeys import default_hotkeys, normalize
from interview_corvus.ui.platform.theme import notice_style, palette_is_dark, problem_style
from interview_corvus.ui.settings.forms import WrapLabel, checkbox, form_tab, spin
from interview_corvus.ui.settings.hotkeys_tab import HotkeysTab
from interview_corvus.ui.settings.model_tab import ModelTab
from interview_corvus.ui.settings.prompts_tab import PromptsTab
from interview_corvus.ui.settings.secret_store import OPTION, FileStoreOption
from interview_corvus.ui.settings.server_tab import ServerTab


def running_server_port(settings: Settings) -> int | None:
    """The port this app's embedded server listens on, when the caller did not say: the
    saved one while the server's thread runs in this process."""
    alive = any(t.name == "corvus-http" and t.is_alive() for t in threading.enumerate())
    return settings.server.port if settings.server.enabled and alive else None


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 global_note: str = "", taken: dict[str, str] | None = None,
                 server_port: int | None = None) -> None:
        """``taken``: the window's own shortcuts (keys → command), refused as hotkeys;
        ``server_port``: the port the app's own server listens on (not "in use")."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        llm, ui, server = settings.llm, settings.ui, settings.server
        self.model_tab = model_tab = ModelTab(llm, self.result_settings)
        m = model_tab  # its fields, by their names here too
        self.provider, self.preset, self.model, self.base_url = (
            m.provider, m.preset, m.model, m.base_url)
        self.base_url_error, self.api_key, self.gguf, self.local_model, self.replay = (
            m.base_url_error, m.api_key, m.gguf, m.local_model, m.replay)
        self.temperature, self.max_tokens, self.streaming, self.self_repair = (
            m.temperature, m.max_tokens, m.streaming, m.self_repair)
        self.verify, self.language, self.find_button = m.verify, m.language, m.find_button
        self.test_button, self.test_result, self.tested = (
            m.test_button, m.test_result, m.tested)
        model_tab.find_button.clicked.connect(self._on_find)

        self.theme = QComboBox()
        self.theme.addItems(["system", "light", "dark"])
        self.theme.setCurrentText(ui.theme)
        self.opacity = spin(0.2, 1.0, 0.05, ui.opacity)
        self.on_top = checkbox("Always on top", ui.always_on_top)
        window_tab = form_tab([("Theme", self.theme), ("Window opacity", self.opacity),
                               ("", self.on_top)])

        self.keys_tab = keys_tab = HotkeysTab(ui.hotkeys, global_note, taken)
        self.key_edits, self.conflicts = keys_tab.key_edits, keys_tab.conflicts
        self.prompts_tab = PromptsTab({str(k): v for k, v in llm.task_prompts.items()})

        own = server_port if server_port is not None else running_server_port(settings)
        self.server_tab = server_tab = ServerTab(server, own)
        self.server_enabled, self.port, self.lan, self.token = (
            server_tab.enabled, server_tab.port, server_tab.lan, server_tab.token)

        tabs = QTabWidget()
        for tab, title in ((model_tab, "Model"), (window_tab, "Window"), (keys_tab, "Hotkeys"),
                           (self.prompts_tab, "Prompts"), (server_tab, "Server")):
            tabs.addTab(tab, title)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # One place for what stops saving (keyring, validation), visible from every tab.
        self.message = WrapLabel()
        self.message.setObjectName("settingsMessage")
        self.message.setStyleSheet(notice_style("#settingsMessage", "error",
                                                palette_is_dark(), "padding: 4px; "))
        self.message.hide()
        self.file_option = FileStoreOption()
        self.file_option.toggled.connect(self._on_file_option)
        server_tab.to_file = self.file_option.chosen()
        # why Save is disabled, beside it (the same text is its tooltip)
        self.save_reason = WrapLabel()
        self.save_reason.setStyleSheet(problem_style(self.save_reason))
        self.save_reason.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_reason, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.message)
        layout.addWidget(self.file_option)
        layout.addLayout(bottom)
        for changed in (model_tab.changed, keys_tab.changed, self.prompts_tab.changed,
                        server_tab.changed):
            changed.connect(self._validate)
        server_tab.problem.connect(self.show_message)
        server_tab.needs_store.connect(self.file_option.offer)
        server_tab.show_token(server.lan_access)
        self._validate()

    # -- reading the form -------------------------------------------------
    def result_settings(self) -> Settings:
        """The settings the form describes (validated; raises ValueError if not): what
        the form shows and nothing else, so a reset to defaults is saved as one."""
        keys = self.keys_tab.hotkey_map()
        defaults = default_hotkeys()
        overrides = {a: s for a, s in keys.items() if normalize(s) != normalize(defaults[a])}
        data = self.settings.model_dump()
        data["llm"].update(self.model_tab.values(), task_prompts=self.prompts_tab.overrides())
        data["ui"].update(theme=self.theme.currentText(), opacity=self.opacity.value(),
                          always_on_top=self.on_top.isChecked(), hotkeys=overrides)
        data["server"].update(self.server_tab.values())
        return Settings.exactly(data)

    def save(self) -> Settings:
        """Persist: the settings file, and the API key if one was typed (to the keyring, or
        to the file store when the user chose it because no keyring works)."""
        settings = self.result_settings()
        key = self.api_key.text().strip()
        entry = self.model_tab.key_entry()
        if key and entry:
            secrets.set_api_key(entry, key, to_file=self.file_option.chosen())
        settings.save()
        self.file_option.apply()  # unticked: the file goes now, nothing failed before
        return settings

    # -- slots ------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def accept(self) -> None:
        if self._validate():
            return
        try:
            self.settings = self.save()
        except secrets.SecretStoreUnavailable:
            self.file_option.offer()
            self.show_message("Not saved: no system keyring works on this machine to keep "
                              f"the API key. Tick “{OPTION}” below, or clear the API key "
                              "field to save the other settings.")
            return
        except (ValueError, OSError) as exc:
            self.show_message(f"Not saved: {exc}")
            return
        super().accept()

    def _on_file_option(self, chosen: bool) -> None:
        self.server_tab.to_file = chosen
        if chosen:
            self.show_message("")
            if self.lan.isChecked() and not self.token.text():
                self.server_tab.show_token(True)  # the token now has a place to go
        self.model_tab.refresh_key_hint()
        self._validate()  # a token stored (or not) decides whether Save is possible

    def _validate(self) -> bool:
        """Show what is wrong in the form; Save is enabled only when nothing is, and when it
        is not, the line beside it says which field and why."""
        reasons = [f"Hotkeys tab: {p}" for p in self.keys_tab.problems()]
        reasons += [f"Prompts tab: {p}" for p in self.prompts_tab.problems()]
        shown = self.base_url_error.isVisibleTo(self)
        url = self.model_tab.problem()
        if url:
            reasons.append(f"Model tab: {url}")
        port = self.server_tab.port_problem()
        if port:
            reasons.append(f"Server tab: {port}")
        token = self.server_tab.token_problem()
        if token:
            reasons.append(f"Server tab: {token}")
        if shown != bool(url) and self.isVisible():
            self.adjustSize()  # room for the message, wrapped, not clipped
        text = ("Cannot save. " + " ".join(r if r.endswith(".") else r + "." for r in reasons)
                if reasons else "")
        self.save_reason.setText(text)
        self.save_reason.setVisible(bool(reasons))
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setEnabled(not reasons)
            save.setToolTip(text)
        return bool(reasons)

    def _on_find(self) -> None:
        from interview_corvus.ui.settings.model_picker import ModelPicker

        picker = ModelPicker(self)
        if picker.exec() and (model := picker.chosen()) is not None:
            self.use_model(model.settings())

    def use_model(self, llm: dict[str, str]) -> None:
        """Fill the form with a found model's settings."""
        self.model_tab.use_model(llm)
