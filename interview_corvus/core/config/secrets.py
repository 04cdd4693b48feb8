"""API keys and the server token: the OS keyring first, then (only if the user chose
it) a file readable only by them, then environment variables.

Keys are never written to the settings file or logged. On a machine with no
keyring backend, writing raises ``SecretStoreUnavailable`` (with a message fit for
the user) unless the user opted in to the fallback file (``to_file=True`` once; the
file existing is that choice from then on, see ``secret_file``).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import keyring
import keyring.errors

from interview_corvus.core.config import secret_file
from interview_corvus.core.redact import register_secret

log = logging.getLogger(__name__)

SERVICE = "interview-corvus"
ENV_FALLBACK = {
    "openai": "OPENAI_API_KEY",
    "openai-compatible": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "openai-like": "OPENAI_API_KEY",
    "gemini": "GOOGLE_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistral": "MISTRAL_API_KEY",
}
_ERRORS = (keyring.errors.KeyringError, RuntimeError, OSError)


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keyring on this machine (and no fallback file chosen)."""


def _no_keyring_message(exc: Exception, env: str) -> str:
    return (
        f"No system keyring is available to store the key ({type(exc).__name__}). "
        "You can keep keys in a file readable only by you instead (Settings offers it), "
        f"set the {env} environment variable, or install a keyring backend "
        "(Secret Service / KWallet on Linux)."
    )


def keyring_works() -> bool:
    """False when keyring has no real backend here (its ``fail`` backend, or a chain of
    none). A backend that exists but refuses to store shows itself only on a write."""
    backend = keyring.get_keyring()
    try:
        from keyring.backends import chainer, fail
    except ImportError:  # pragma: no cover - keyring always ships both
        return True
    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


def file_store() -> Path:
    """Where keys go when the user chose the file store."""
    return secret_file.path()


def uses_file() -> bool:
    """Whether the user chose the file store (it exists)."""
    return secret_file.exists()


def forget_file() -> None:
    """Turn the file store off: the file and the keys in it are deleted."""
    secret_file.remove()


def get_api_key(provider: str) -> str | None:
    """The key for ``provider``: the keyring, else the file store, else its env var."""
    try:
        value = keyring.get_password(SERVICE, provider)
    except _ERRORS as exc:
        log.info("keyring unavailable (%s); trying the other stores for %s",
                 type(exc).__name__, provider)
        value = None
    if not value and secret_file.exists():
        value = secret_file.read(provider)
    if not value:
        env = ENV_FALLBACK.get(provider)
        value = os.environ.get(env) if env else None
    register_secret(value)  # from now on, redacted wherever it might be echoed
    return value


def set_api_key(provider: str, value: str | None, *, to_file: bool | None = None) -> None:
    """Store (or with an empty value, delete) the key for ``provider``. When the keyring
    cannot, the key goes to the file store if the user chose it: ``to_file`` True (the
    choice made now), False (refused now), None (the earlier choice: the file exists);
    otherwise ``SecretStoreUnavailable``."""
    register_secret(value)
    try:
        if value:
            keyring.set_password(SERVICE, provider, value)
        else:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(SERVICE, provider)
    except _ERRORS as exc:
        if not (secret_file.exists() if to_file is None else to_file):
            env = ENV_FALLBACK.get(provider, "API key")
            raise SecretStoreUnavailable(_no_keyring_message(exc, env)) from exc
        secret_file.write(provider, value)
        return
    if not value and secret_file.exists():
        secret_file.write(provider, None)  # deleted everywhere it was kept
    log.info("API key for %s %s", provider, "stored" if value else "removed")


def mask(value: str | None) -> str:
    """A display form of a secret that reveals at most its last four characters."""
    if not value:
        return ""
    return "•" * 8 + value[-4:] if len(value) > 8 else "•" * len(value)
