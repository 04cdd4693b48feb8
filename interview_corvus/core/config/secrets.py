"""API keys: the OS keyring first, environment variables as fallback.

Keys are never written to the settings file or logged. On a machine with no
keyring backend, reading falls back to the environment and writing raises a
``SecretStoreUnavailable`` with a message fit for the user.
"""

from __future__ import annotations

import contextlib
import logging
import os

import keyring
import keyring.errors

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


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keyring on this machine."""


def _no_keyring_message(exc: Exception) -> str:
    return (
        "No system keyring is available to store the API key "
        f"({type(exc).__name__}). Set the {{env}} environment variable instead, "
        "or install a keyring backend (Secret Service / KWallet on Linux)."
    )


def get_api_key(provider: str) -> str | None:
    """The key for ``provider`` from the keyring, else from its env var, else None."""
    try:
        value = keyring.get_password(SERVICE, provider)
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        log.info("keyring unavailable (%s); using environment for %s", type(exc).__name__,
                 provider)
        value = None
    if not value:
        env = ENV_FALLBACK.get(provider)
        value = os.environ.get(env) if env else None
    register_secret(value)  # from now on, redacted wherever it might be echoed
    return value


def set_api_key(provider: str, value: str | None) -> None:
    """Store (or with an empty value, delete) the key for ``provider``."""
    env = ENV_FALLBACK.get(provider, "API key")
    register_secret(value)
    try:
        if value:
            keyring.set_password(SERVICE, provider, value)
        else:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(SERVICE, provider)
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise SecretStoreUnavailable(_no_keyring_message(exc).format(env=env)) from exc
    log.info("API key for %s %s", provider, "stored" if value else "removed")


def mask(value: str | None) -> str:
    """A display form of a secret that reveals at most its last four characters."""
    if not value:
        return ""
    return "•" * 8 + value[-4:] if len(value) > 8 else "•" * len(value)
