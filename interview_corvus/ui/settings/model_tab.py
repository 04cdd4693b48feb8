"""The settings dialog's Model tab: which provider answers, its model, address and key,
the local model, the replay transcript, sampling options and a connection test.

Providers and llama-index presets are shown by their names ("OpenAI-compatible
server") and stored by their ids (``openai-compatible``). The base URL's
placeholder fits the chosen provider. A connection test's result wraps under the
button and is cleared as soon as the provider or one of its fields changes, so it
never describes settings that are no longer on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from interview_corvus.core.answers.models import LANGUAGES
from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import LLMSettings, Settings, base_url_problem
from interview_corvus.core.errors import CorvusError
from interview_corvus.ui.platform.aio import spawn
from interview_corvus.ui.platform.theme import problem_style
from interview_corvus.ui.settings.forms import IdCombo, WrapLabel, checkbox, int_spin, spin
from interview_corvus.ui.settings.local_models import LocalModelRow

KEY_PROVIDERS = ("openai", "openai-compatible", "anthropic", "llama-index")
PROVIDER_NAMES = {
    "local": "Local model (llama.cpp)",
    "openai": "OpenAI",
    "openai-compatible": "OpenAI-compatible server (Ollama, LM Studio, vLLM…)",
    "anthropic": "Anthropic",
    "llama-index": "Another service, through LlamaIndex",
    "replay": "Replay a recorded transcript",
}
PRESET_NAMES = {"openai-like": "OpenAI-like server", "ollama": "Ollama",
                "gemini": "Google Gemini", "groq": "Groq", "mistral": "Mistral AI"}
# the base URL's placeholder: the provider's own address when empty, or an example
BASE_URL_HINTS = {
    "openai": "leave empty for https://api.openai.com/v1",
    "anthropic": "leave empty for https://api.anthropic.com",
    "openai-compatible": "e.g. http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:1234/v1 "
                         "(LM Studio)",
    "openai-like": "e.g. http://127.0.0.1:8000/v1",
    "ollama": "leave empty for http://127.0.0.1:11434",
    "gemini": "leave empty for Google's endpoint",
    "groq": "leave empty for Groq's endpoint",
    "mistral": "leave empty for https://api.mistral.ai",
}


class ModelTab(QWidget):
    tested = pyqtSignal(bool, str)  # from the test thread to the tab
    changed = pyqtSignal()  # something that decides whether Save is possible changed

    def __init__(self, llm: LLMSettings, settings_of: Callable[[], Settings]) -> None:
        """``settings_of``: the whole form's settings, for the connection test."""
        super().__init__()
        self.settings_of = settings_of
        self.provider = IdCombo(PROVIDER_NAMES, llm.provider)
        self.preset = IdCombo(PRESET_NAMES, llm.preset)  # one API key per preset
        self.model = QLineEdit(llm.model)
        self.model.setPlaceholderText("provider default")
        self.base_url = QLineEdit(llm.base_url)
        self.base_url_error = WrapLabel()
        self.base_url_error.setStyleSheet(problem_style(self.base_url_error))
        self.base_url_error.hide()
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.gguf = QLineEdit(llm.gguf_path)
        self.gguf.setPlaceholderText("the local model chosen above")
        self.local_model = LocalModelRow(llm.local_model)
        self.replay = QLineEdit(llm.replay_path)
        self.replay.setPlaceholderText("a .jsonl transcript")
        # each file field's Browse…, enabled with its field
        self.browse: dict[QLineEdit, QPushButton] = {}
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
        self.test_result = WrapLabel()  # on a row of its own: all of it, wrapped
        self.test_result.hide()
        self.find_button = QPushButton("Find models…")
        self.find_button.setToolTip("GGUF files and local servers (Ollama, LM Studio) on "
                                    "this machine")
        self._generation = 0  # bumped by every change: a late test result is dropped
        self._testing = -1
        self._layout()
        self.test_button.clicked.connect(self._on_test)
        self.tested.connect(self._on_tested)
        self.provider.currentIndexChanged.connect(lambda _i: self._on_provider())
        self.preset.currentIndexChanged.connect(lambda _i: self._on_provider())
        self.base_url.textChanged.connect(self._on_base_url)
        for field in (self.model, self.api_key, self.gguf, self.replay):
            field.textChanged.connect(self.clear_test)
        self.local_model.choice.currentIndexChanged.connect(self.clear_test)
        self._on_provider()

    def _layout(self) -> None:
        def with_browse(field: QLineEdit, slot: Callable[[], None], what: str) -> QHBoxLayout:
            row = QHBoxLayout()
            row.addWidget(field)
            browse = QPushButton("Browse…")
            browse.setAccessibleName(f"Browse for the {what}")
            browse.clicked.connect(slot)
            row.addWidget(browse)
            self.browse[field] = browse
            return row

        form = QFormLayout(self)
        rows: list[tuple[str, Any]] = [
            ("Provider", self.provider), ("llama-index preset", self.preset),
            ("Model", self.model), ("Base URL", self.base_url), ("", self.base_url_error),
            ("API key", self.api_key), ("Local model", self.local_model),
            *(("", w) for w in self.local_model.layout_below),
            ("GGUF file", with_browse(self.gguf, self._on_browse, "GGUF file")),
            ("Replay transcript", with_browse(self.replay, self._on_browse_replay,
                                                      "replay transcript")),
            ("Temperature", self.temperature), ("Max tokens", self.max_tokens),
            ("", self.streaming), ("", self.self_repair), ("", self.verify),
            ("Default language", self.language)]
        for label, field in rows:
            form.addRow(label, field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.find_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        form.addRow(self.test_result)  # the whole width, so a long answer wraps, not clips

    # -- reading the form -------------------------------------------------
    def values(self) -> dict[str, Any]:
        return dict(provider=self.provider.current_id(), preset=self.preset.current_id(),
                    model=self.model.text().strip(), base_url=self.base_url.text().strip(),
                    gguf_path=self.gguf.text().strip(), local_model=self.local_model.value(),
                    replay_path=self.replay.text().strip(),
                    temperature=self.temperature.value(), max_tokens=self.max_tokens.value(),
                    streaming=self.streaming.isChecked(),
                    self_repair=self.self_repair.isChecked(), verify=self.verify.isChecked(),
                    default_language=self.language.currentText())

    def key_entry(self) -> str:
        """The keyring entry of the key the form's provider uses ('' for none)."""
        name = self.provider.current_id()
        if name not in KEY_PROVIDERS:
            return ""
        return self.preset.current_id() if name == "llama-index" else name

    def problem(self) -> str | None:
        """What is wrong with the base URL (also shown under it), or None."""
        url = base_url_problem(self.base_url.text()) if self.base_url.isEnabled() else None
        self.base_url_error.setText(url or "")
        self.base_url_error.setVisible(bool(url))
        return url

    def use_model(self, llm: dict[str, str]) -> None:
        """Fill the form with a found model's settings."""
        self.provider.set_id(llm["provider"])
        self.gguf.setText(llm.get("gguf_path", self.gguf.text()))
        self.base_url.setText(llm.get("base_url", self.base_url.text()))
        self.model.setText(llm.get("model", self.model.text()))

    def refresh_key_hint(self) -> None:
        """The API key field's placeholder: the stored key, masked, or whether one is needed."""
        entry = self.key_entry()
        stored = secrets.get_api_key(entry) if entry else None
        self.api_key.setPlaceholderText(
            f"stored: {secrets.mask(stored)} (type to replace)" if stored
            else ("not set" if entry else "not needed"))

    # -- slots ------------------------------------------------------------
    def _on_provider(self) -> None:
        name = self.provider.current_id()
        self.api_key.setEnabled(name in KEY_PROVIDERS)
        self.preset.setEnabled(name == "llama-index")
        self.api_key.clear()
        self.refresh_key_hint()
        uses_url = name in ("openai-compatible", "openai", "anthropic", "llama-index")
        self.base_url.setEnabled(uses_url)
        hint = self.preset.current_id() if name == "llama-index" else name
        self.base_url.setPlaceholderText(BASE_URL_HINTS.get(hint, "") if uses_url
                                         else "not used by this provider")
        for field, used in ((self.gguf, name == "local"), (self.replay, name == "replay")):
            field.setEnabled(used)
            self.browse[field].setEnabled(used)
        self.local_model.setEnabled(name == "local")
        self.clear_test()
        self.changed.emit()

    def _on_base_url(self) -> None:
        self.clear_test()
        self.changed.emit()

    def clear_test(self) -> None:
        """Forget the last test's result: it was about other settings."""
        self._generation += 1
        self.test_result.clear()
        self.test_result.hide()

    def _on_browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "GGUF model", filter="GGUF (*.gguf)")
        if name:
            self.gguf.setText(name)

    def _on_browse_replay(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Replay transcript", self.replay.text(),
            filter="Transcripts (*.jsonl *.json);;All files (*)")
        if name:
            self.replay.setText(name)

    def _show_result(self, text: str) -> None:
        self.test_result.setText(text)
        self.test_result.setVisible(bool(text))

    def _on_test(self) -> None:
        self.clear_test()
        try:
            settings = self.settings_of()
        except ValueError as exc:
            self._show_result(f"✗ {exc}")
            return
        key = self.api_key.text().strip()
        self.test_button.setEnabled(False)
        self._testing = self._generation
        self._show_result("Testing…")

        async def test() -> None:  # on the Qt loop (qasync); the call in a worker thread
            ok, message = await asyncio.to_thread(_test_result, settings, key)
            with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
                self.tested.emit(ok, message)

        if not spawn(test):  # no asyncio loop in this process: a plain thread instead
            threading.Thread(target=lambda: self.tested.emit(*_test_result(settings, key)),
                             name="corvus-test-connection", daemon=True).start()

    def _on_tested(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        if self._testing != self._generation:
            return  # the form changed while it ran: the answer is about other settings
        self._show_result(("✓ " if ok else "✗ ") + message)


def named(message: str, provider: str) -> str:
    """A test's message with the provider's id ("replay is ready.") in its shown name."""
    if message == f"{provider} is ready.":
        return f"{PROVIDER_NAMES.get(provider, provider)}: ready."
    if message.startswith(f"{provider} ") and provider in PROVIDER_NAMES:
        return PROVIDER_NAMES[provider] + message[len(provider):]
    return message


def _test_result(settings: Settings, key: str) -> tuple[bool, str]:
    """(ok, what to show) of reaching the configured provider once."""
    from interview_corvus.core.providers import test_connection

    try:
        return True, named(test_connection(settings, key or None), settings.llm.provider)
    except CorvusError as exc:
        return False, exc.message
    except Exception as exc:  # report, never crash the dialog
        return False, f"{type(exc).__name__}: {exc}"
