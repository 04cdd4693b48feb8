"""Settings file and environment, and API keys in the keyring (faked at the backend)."""

from __future__ import annotations

import json
import logging

import keyring
import pytest
from keyring.backends import fail

from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import Settings, load_settings, settings_file


def test_defaults_use_the_local_provider():
    settings = load_settings()
    assert settings.llm.provider == "local" and settings.llm.streaming


def test_round_trip_through_the_settings_file():
    settings = Settings(llm={"provider": "openai", "model": "gpt-x", "temperature": 0.5,
                             "streaming": False, "default_language": "Rust"})
    path = settings.save()
    assert path == settings_file()
    loaded = load_settings()
    assert loaded.llm.provider == "openai" and loaded.llm.model == "gpt-x"
    assert loaded.llm.streaming is False and loaded.llm.default_language == "rust"


def test_environment_overrides_the_file(monkeypatch):
    Settings(llm={"provider": "openai"}).save()
    monkeypatch.setenv("INTERVIEW_CORVUS_LLM__PROVIDER", "anthropic")
    assert load_settings().llm.provider == "anthropic"


def test_broken_settings_file_is_not_fatal(caplog):
    settings_file().parent.mkdir(parents=True, exist_ok=True)
    settings_file().write_text('{"llm": {"temperature": "hot"}}')
    with caplog.at_level(logging.WARNING):
        settings = load_settings()
    assert settings.llm.temperature == 0.2
    assert "ignoring unreadable settings file" in caplog.text


def test_keys_live_in_the_keyring_not_the_file(memory_keyring, caplog):
    secret = "sk-test-1234567890abcdef"
    with caplog.at_level(logging.DEBUG):
        secrets.set_api_key("openai", secret)
        Settings(llm={"provider": "openai"}).save()
    assert secrets.get_api_key("openai") == secret
    assert secret not in settings_file().read_text()
    assert secret not in caplog.text
    assert secrets.mask(secret) == "••••••••cdef"
    secrets.set_api_key("openai", "")
    assert secrets.get_api_key("openai") is None


def test_environment_is_the_fallback(memory_keyring, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    assert secrets.get_api_key("anthropic") == "env-key"
    secrets.set_api_key("anthropic", "ring-key")
    assert secrets.get_api_key("anthropic") == "ring-key"


def test_no_keyring_backend_gives_a_clear_message(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        monkeypatch.setenv("OPENAI_API_KEY", "from-env")
        assert secrets.get_api_key("openai") == "from-env"
        with pytest.raises(secrets.SecretStoreUnavailable, match="OPENAI_API_KEY"):
            secrets.set_api_key("openai", "sk-abc")
    finally:
        keyring.set_keyring(previous)


def test_settings_schema_has_no_secret_fields():
    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)

    names = set(keys(Settings().model_dump()))
    assert not {n for n in names if "api_key" in n or n in ("token", "secret", "password")}
    assert json.dumps(Settings().model_dump())


def test_settling_the_heap_freezes_what_start_up_left():
    import gc

    from interview_corvus.core.config.heap import settle

    try:
        frozen = settle()
        assert frozen == gc.get_freeze_count() > 10_000  # modules, classes, schemas …
        assert gc.collect(2) >= 0  # later collections still run, over new objects only
    finally:
        gc.unfreeze()  # the rest of the suite keeps a plain heap
