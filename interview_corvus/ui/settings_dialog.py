"""The settings dialog: persisted, applied without a restart.

The API key goes to the OS keyring (never the settings file); the field shows a
masked hint when one is stored and leaves it unchanged unless the user types.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.answers.models import LANGUAGES
from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import (
    PRESETS,
    PROVIDERS,
    Settings,
    base_url_problem,
    key_name,
)
from interview_corvus.core.errors import CorvusError
from interview_corvus.ui.aio import spawn
from interview_corvus.ui.forms import checkbox, form_tab, int_spin, spin
from interview_corvus.ui.hotkeys import (
    default_hotkeys,
    normalize,
)
from interview_corvus.ui.hotkeys_tab import HotkeysTab
from interview_corvus.ui.local_models import LocalModelRow
from interview_corvus.ui.prompts_tab import PromptsTab
from interview_corvus.ui.server_tab import ServerTab
from interview_corvus.ui.theme import notice_style, palette_is_dark, problem_style

KEY_PROVIDERS = ("openai", "openai-compatible", "anthropic", "llama-index")


class SettingsDialog(QDialog):
    tested = pyqtSignal(bool, str)  # from the test thread to the dialog

    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 global_note: str = "", taken: dict[str, str] | None = None) -> None:
        """``taken``: the window's own shortcuts (keys → command), refused as hotkeys."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        llm, ui, server = settings.llm, settings.ui, settings.server
        self.provider = QComboBox()
        self.provider.addItems(PROVIDERS)
        self.provider.setCurrentText(llm.provider)
        self.preset = QComboBox()  # which llama-index LLM; one API key per preset
        self.preset.addItems(PRESETS)
        self.preset.setCurrentText(llm.preset)
        self.preset.currentTextChanged.connect(lambda _p: self._on_provider(
            self.provider.currentText()))
        self.model = QLineEdit(llm.model)
        self.model.setPlaceholderText("provider default")
        self.base_url = QLineEdit(llm.base_url)
        self.base_url.setPlaceholderText("e.g. http://127.0.0.1:11434/v1")
        self.base_url_error = QLabel()
        self.base_url_error.setWordWrap(True)
        self.base_url_error.setStyleSheet(problem_style(self.base_url_error))
        self.base_url_error.hide()
        self.base_url.textChanged.connect(self._validate)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.gguf = QLineEdit(llm.gguf_path)
        self.gguf.setPlaceholderText("the local model chosen above")
        self.local_model = LocalModelRow(llm.local_model)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse)
        self.replay = QLineEdit(llm.replay_path)
        self.temperature = spin(0.0, 2.0, 0.1, llm.temperature)
        self.max_tokens = int_spin(16, 200_000, llm.max_tokens)
        self.streaming = checkbox("Stream answers as they are written", llm.streaming)
        self.self_repair = checkbox("Ask once more when an answer is invalid or cut off",
                                    llm.self_repair)
        self.verify = checkbox("Check optimizations: run them against the original "
                               "(sandboxed) and time both", llm.verify)
        self.language = QComboBox()
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(llm.default_language)
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_button.clicked.connect(self._on_test)
        self.find_button = QPushButton("Find models…")
        self.find_button.setToolTip("GGUF files and local servers (Ollama, LM Studio) on "
                                    "this machine")
        self.find_button.clicked.connect(self._on_find)
        self.tested.connect(self._on_tested)

        gguf_row = QHBoxLayout()
        gguf_row.addWidget(self.gguf)
        gguf_row.addWidget(browse)
        model_tab = form_tab([("Provider", self.provider), ("llama-index preset", self.preset),
                              ("Model", self.model),
                           ("Base URL", self.base_url), ("", self.base_url_error),
                           ("API key", self.api_key), ("Local model", self.local_model),
                           *(("", w) for w in self.local_model.layout_below),
                           ("GGUF file", gguf_row),
                           ("Replay transcript", self.replay),
                           ("Temperature", self.temperature), ("Max tokens", self.max_tokens),
                           ("", self.streaming), ("", self.self_repair), ("", self.verify),
                           ("Default language", self.language),
                           (self.test_button, self.test_result), ("", self.find_button)])

        self.theme = QComboBox()
        self.theme.addItems(["system", "light", "dark"])
        self.theme.setCurrentText(ui.theme)
        self.opacity = spin(0.2, 1.0, 0.05, ui.opacity)
        self.on_top = checkbox("Always on top", ui.always_on_top)
        window_tab = form_tab([("Theme", self.theme), ("Window opacity", self.opacity),
                            ("", self.on_top)])

        self.keys_tab = keys_tab = HotkeysTab(ui.hotkeys, global_note, taken)
        self.key_edits, self.conflicts = keys_tab.key_edits, keys_tab.conflicts
        keys_tab.changed.connect(self._validate)
        self.prompts_tab = PromptsTab({str(k): v for k, v in llm.task_prompts.items()})
        self.prompts_tab.changed.connect(self._validate)

        self.server_tab = server_tab = ServerTab(server)
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
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("settingsMessage")
        self.message.setStyleSheet(notice_style("#settingsMessage", "error",
                                                palette_is_dark(), "padding: 4px; "))
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.provider.currentTextChanged.connect(self._on_provider)
        self._on_provider(llm.provider)
        server_tab.problem.connect(self.show_message)
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
        data["llm"].update(provider=self.provider.currentText(), preset=self.preset.currentText(),
                           model=self.model.text().strip(),
                           base_url=self.base_url.text().strip(),
                           gguf_path=self.gguf.text().strip(),
                           local_model=self.local_model.value(),
                           replay_path=self.replay.text().strip(),
                           temperature=self.temperature.value(),
                           max_tokens=self.max_tokens.value(),
                           streaming=self.streaming.isChecked(),
                           self_repair=self.self_repair.isChecked(),
                           verify=self.verify.isChecked(),
                           default_language=self.language.currentText(),
                           task_prompts=self.prompts_tab.overrides())
        data["ui"].update(theme=self.theme.currentText(), opacity=self.opacity.value(),
                          always_on_top=self.on_top.isChecked(), hotkeys=overrides)
        data["server"].update(self.server_tab.values())
        return Settings.exactly(data)

    def save(self) -> Settings:
        """Persist: the settings file, and the API key to the keyring if one was typed."""
        settings = self.result_settings()
        key = self.api_key.text().strip()
        if key and settings.llm.provider in KEY_PROVIDERS:
            secrets.set_api_key(key_name(settings.llm), key)
        settings.save()
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
        except (ValueError, OSError, secrets.SecretStoreUnavailable) as exc:
            self.show_message(f"Not saved: {exc}")
            return
        super().accept()

    def _on_provider(self, name: str) -> None:
        needs_key = name in KEY_PROVIDERS
        self.api_key.setEnabled(needs_key)
        entry = self.preset.currentText() if name == "llama-index" else name
        stored = secrets.get_api_key(entry) if needs_key else None
        self.preset.setEnabled(name == "llama-index")
        self.api_key.clear()
        self.api_key.setPlaceholderText(
            f"stored: {secrets.mask(stored)} (type to replace)" if stored
            else ("not set" if needs_key else "not needed"))
        self.base_url.setEnabled(name in ("openai-compatible", "openai", "anthropic",
                                          "llama-index"))
        if hasattr(self, "buttons"):
            self._validate()
        self.gguf.setEnabled(name == "local")
        self.local_model.setEnabled(name == "local")
        self.replay.setEnabled(name == "replay")

    def _on_browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "GGUF model", filter="GGUF (*.gguf)")
        if name:
            self.gguf.setText(name)

    def _validate(self) -> bool:
        """Show what is wrong in the form; Save is enabled only when nothing is."""
        keys = self.keys_tab.problems() + self.prompts_tab.problems()
        url = base_url_problem(self.base_url.text()) if self.base_url.isEnabled() else None
        shown = self.base_url_error.isVisibleTo(self)
        self.base_url_error.setText(url or "")
        self.base_url_error.setVisible(bool(url))
        if shown != bool(url) and self.isVisible():
            self.adjustSize()  # room for the message, wrapped, not clipped
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setEnabled(not keys and not url)
        return bool(keys or url)

    def _on_find(self) -> None:
        from interview_corvus.ui.model_picker import ModelPicker

        picker = ModelPicker(self)
        if picker.exec() and (model := picker.chosen()) is not None:
            self.use_model(model.settings())

    def use_model(self, llm: dict[str, str]) -> None:
        """Fill the form with a found model's settings."""
        self.provider.setCurrentText(llm["provider"])
        self.gguf.setText(llm.get("gguf_path", self.gguf.text()))
        self.base_url.setText(llm.get("base_url", self.base_url.text()))
        self.model.setText(llm.get("model", self.model.text()))

    def _on_test(self) -> None:
        try:
            settings = self.result_settings()
        except ValueError as exc:
            self.test_result.setText(f"✗ {exc}")
            return
        key = self.api_key.text().strip()
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing…")

        async def test() -> None:  # on the Qt loop (qasync); the call in a worker thread
            ok, message = await asyncio.to_thread(_test_result, settings, key)
            with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
                self.tested.emit(ok, message)

        if not spawn(test):  # no asyncio loop in this process: a plain thread instead
            threading.Thread(target=lambda: self.tested.emit(*_test_result(settings, key)),
                             name="corvus-test-connection", daemon=True).start()

    def _on_tested(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(("✓ " if ok else "✗ ") + message)


def _test_result(settings: Settings, key: str) -> tuple[bool, str]:
    """(ok, what to show) of reaching the configured provider once."""
    from interview_corvus.core.providers import test_connection

    try:
        return True, test_connection(settings, key or None)
    except CorvusError as exc:
        return False, exc.message
    except Exception as exc:  # report, never crash the dialog
        return False, f"{type(exc).__name__}: {exc}"
