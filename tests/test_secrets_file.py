"""The fallback store for keys when no keyring works: only by the user's choice, a file
in the config dir created 0600 atomically, read back when the keyring has nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from interview_corvus.core.config import secret_file, secrets
from interview_corvus.core.config.settings import config_dir

FAKE_KEY = "sk-test-fallback-abcdef012345"


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_without_a_keyring_a_key_needs_the_users_choice(no_keyring):
    assert not secrets.keyring_works()
    with pytest.raises(secrets.SecretStoreUnavailable) as info:
        secrets.set_api_key("openai", FAKE_KEY)
    assert "file readable only by you" in str(info.value)
    assert not secrets.file_store().exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_file_store_is_private_and_read_back(no_keyring, monkeypatch):
    modes: list[int] = []
    replace = os.replace

    def watched(src, dst):  # the file's mode before it takes the final name
        modes.append(_mode(Path(src)))
        replace(src, dst)

    monkeypatch.setattr(os, "replace", watched)
    secrets.set_api_key("openai", FAKE_KEY, to_file=True)
    path = secrets.file_store()
    assert path.parent == config_dir() and modes == [0o600] and _mode(path) == 0o600
    assert secrets.get_api_key("openai") == FAKE_KEY
    secrets.set_api_key("anthropic", "sk-ant-other-0123456789")  # the choice persists
    assert set(json.loads(path.read_text())) == {"openai", "anthropic"}
    assert _mode(path) == 0o600 and not list(path.parent.glob(".secrets-*"))
    secrets.set_api_key("openai", "")
    assert secrets.get_api_key("openai") is None
    secrets.forget_file()
    assert not path.exists() and secrets.get_api_key("anthropic") is None


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_file_others_can_read_is_made_private_again(no_keyring, caplog):
    secrets.set_api_key("groq", FAKE_KEY, to_file=True)
    secret_file.path().chmod(0o644)
    assert secrets.get_api_key("groq") == FAKE_KEY
    assert _mode(secret_file.path()) == 0o600
    leaked = FAKE_KEY in caplog.text
    assert not leaked and "made private" in caplog.text


def test_a_working_keyring_comes_first(memory_keyring):
    assert secrets.keyring_works()
    secret_file.write("openai", "sk-old-from-the-file-0000")
    secrets.set_api_key("openai", FAKE_KEY)
    assert memory_keyring.get_password(secrets.SERVICE, "openai") == FAKE_KEY
    assert secrets.get_api_key("openai") == FAKE_KEY
    assert secret_file.read("openai") == "sk-old-from-the-file-0000"  # not written there


def test_an_unreadable_file_is_ignored(no_keyring):
    path = secret_file.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[1, 2", encoding="utf-8")
    path.chmod(0o600)
    assert secrets.get_api_key("mistral") is None
