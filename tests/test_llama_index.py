"""The llama-index provider without a server: presets, missing integrations, keys."""

from __future__ import annotations

import importlib

import pytest

from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import Settings, key_name
from interview_corvus.core.errors import BadRequest
from interview_corvus.core.providers import build_provider
from interview_corvus.core.providers.base import AnswerRequest
from interview_corvus.core.providers.llama_index_provider import PRESETS, LlamaIndexProvider


def test_openai_like_preset_builds_an_openai_like_llm_with_json_output():
    provider = LlamaIndexProvider("openai-like", "m", base_url="http://127.0.0.1:9/v1")
    request = AnswerRequest(kind="optimization", system="S", prompt="P",
                            schema={"type": "object"}, max_tokens=50, temperature=0.1,
                            turns=[("user", "U"), ("assistant", "A")])
    built = provider.build(request)
    llm = built.llm
    built.close()
    assert type(llm).__name__ == "OpenAILike" and llm.max_retries == 0
    assert llm.additional_kwargs["response_format"] == {"type": "json_object",
                                                        "schema": {"type": "object"}}
    roles = [str(m.role.value) for m in provider._messages(request)]
    assert roles == ["system", "user", "assistant", "user"]
    assert provider.small_model_likely and provider.schema_limits("solution", 1)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_a_preset_without_its_integration_names_the_extra(preset, monkeypatch):
    real = importlib.import_module

    def without_it(name: str, *args):
        if name == PRESETS[preset].module:
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_it)
    with pytest.raises(BadRequest, match=rf"interview-corvus\[{PRESETS[preset].extra}\]"):
        LlamaIndexProvider(preset)
    monkeypatch.undo()
    assert LlamaIndexProvider(preset).model == PRESETS[preset].default_model  # installed


def test_unknown_preset_and_images_are_refused():
    with pytest.raises(BadRequest, match="choose one of"):
        LlamaIndexProvider("nope")
    provider = LlamaIndexProvider("openai-like", base_url="http://127.0.0.1:9/v1")
    request = AnswerRequest(kind="solution", system="S", prompt="P", schema={},
                            max_tokens=5, temperature=0, images=[__file__])  # type: ignore[list-item]
    with pytest.raises(BadRequest, match="text only"):
        provider._messages(request)


def test_one_key_per_preset_in_the_keyring(memory_keyring):
    secrets.set_api_key("groq", "gsk_" + "x" * 30)
    llm = Settings(llm={"provider": "llama-index", "preset": "groq"}).llm
    assert key_name(llm) == "groq"
    assert key_name(Settings(llm={"provider": "openai"}).llm) == "openai"
    provider = build_provider(Settings(llm={"provider": "llama-index", "preset": "groq"}))
    assert provider.api_key.startswith("gsk_")


def test_the_settings_dialog_offers_presets_and_keeps_their_keys(qtbot, memory_keyring):
    from interview_corvus.ui.settings.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.preset.isEnabled()
    dialog.provider.setCurrentText("llama-index")
    dialog.preset.setCurrentText("mistral")
    assert dialog.preset.isEnabled() and dialog.api_key.isEnabled()
    dialog.api_key.setText("mistral-key-0123456789")
    settings = dialog.save()
    assert settings.llm.preset == "mistral"
    assert secrets.get_api_key("mistral") == "mistral-key-0123456789"
    assert secrets.get_api_key("llama-index") is None
