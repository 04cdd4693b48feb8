"""Settings: pydantic-settings (``INTERVIEW_CORVUS_*`` env vars) over a JSON file.

Priority: explicit arguments > environment > ``settings.json`` in the platform
config dir > defaults. ``INTERVIEW_CORVUS_CONFIG_DIR`` / ``INTERVIEW_CORVUS_DATA_DIR``
move the directories (tests, portable installs). API keys are never fields here:
they live in the OS keyring (see ``secrets``).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

import platformdirs
from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    JsonConfigSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from interview_corvus.core.answers.models import normalize_language
from interview_corvus.core.answers.prompts import task_problem
from interview_corvus.core.config.atomic import write_atomic

log = logging.getLogger(__name__)

APP_NAME = "interview-corvus"
PROVIDERS = ("local", "openai", "openai-compatible", "anthropic", "llama-index", "replay")
ProviderName = Literal["local", "openai", "openai-compatible", "anthropic", "llama-index",
                       "replay"]
# the llama-index provider's presets (core/providers/llama_index_provider.py)
PRESETS = ("openai-like", "ollama", "gemini", "groq", "mistral")
PresetName = Literal["openai-like", "ollama", "gemini", "groq", "mistral"]
StructuredMode = Literal["json_schema", "json_object", "tools"]


def config_dir() -> Path:
    override = os.environ.get("INTERVIEW_CORVUS_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    override = os.environ.get("INTERVIEW_CORVUS_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def settings_file() -> Path:
    return config_dir() / "settings.json"


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a provider base URL, or None if it can (empty is fine)."""
    from urllib.parse import urlsplit

    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "The base URL is not a valid URL (check the port)."
    if parts.scheme not in ("http", "https"):
        return ("The base URL must start with http:// or https:// (e.g. "
                "https://api.openai.com/v1 or http://127.0.0.1:8080/v1).")
    if not parts.hostname:
        return ("The base URL has no host name (e.g. https://api.openai.com/v1 or "
                "http://127.0.0.1:8080/v1).")
    if any(c.isspace() for c in url):
        return "The base URL must not contain spaces."
    return None


class LLMSettings(BaseModel):
    provider: ProviderName = "local"
    preset: PresetName = Field(default="openai-like",
                               description="Which llama-index LLM the llama-index provider uses.")
    model: str = Field(default="", description="Model name; empty picks the provider's default.")
    base_url: str = Field(default="", description="Base URL for openai-compatible servers.")
    gguf_path: str = Field(default="", description="GGUF file for the local provider.")
    local_model: str = Field(
        default="", description="Catalog model for the local provider (corvus models); "
        "empty picks the best one on this machine. A gguf_path wins over it.")
    local_decoding: Literal["auto", "grammar", "resample", "free"] = Field(
        default="auto", description="How the local model keeps to JSON: the schema's "
        "grammar, or free decoding after a prefilled start (auto: free for catalog coder "
        "models, which keep to JSON, grammar for others).")
    replay_path: str = Field(default="", description="Transcript for the replay provider.")
    temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    max_tokens: int = Field(default=2048, ge=16, le=200_000)
    streaming: bool = True
    default_language: str = "python"
    structured_output: StructuredMode = "json_schema"
    max_retries: int = Field(default=2, ge=0, le=10)
    self_repair: bool = Field(
        default=True, description="Ask once more when the answer is invalid or cut off.")
    verify: bool = Field(
        default=True, description="Run an optimization's code against the original in a "
        "sandboxed child process (same results, measured speed); HTTP requests only when "
        "the server was started with --verify.")
    timeout: float = Field(default=120.0, gt=0)
    context_size: int = Field(default=4096, ge=512, le=131_072)
    task_prompts: dict[Literal["optimization", "solution", "mcq"], str] = Field(
        default_factory=dict, description="Your own task prompt per kind of answer (it may "
        "use {language}); the answer fields and the input are added after it.")

    @field_validator("task_prompts")
    @classmethod
    def _prompts(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, task in value.items():
            problem = task_problem(task)
            if problem:
                raise ValueError(f"{kind} prompt: {problem}")
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalize_language(value)


class ServerSettings(BaseModel):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    lan_access: bool = False
    max_concurrent_remote: int = Field(default=4, ge=1, le=64)
    rate_per_minute: int = Field(default=60, ge=1, le=100_000)


class UISettings(BaseModel):
    theme: Literal["light", "dark", "system"] = "system"
    opacity: float = Field(default=1.0, ge=0.2, le=1.0)
    always_on_top: bool = False
    hotkeys: dict[str, str] = Field(default_factory=dict)
    demo_hint_dismissed: bool = False  # the first-run note about the bundled model


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEW_CORVUS_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    llm: LLMSettings = Field(default_factory=LLMSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    ui: UISettings = Field(default_factory=UISettings)
    READS_FILE: ClassVar[bool] = True  # False: environment and arguments only
    READS_ENV: ClassVar[bool] = True  # False (with no file): the arguments exactly

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = settings_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings]
        if cls.READS_ENV:
            sources.append(env_settings)
        if cls.READS_FILE and _readable_settings(path):
            sources.append(JsonConfigSettingsSource(settings_cls, json_file=path, deep_merge=True))
        return tuple(sources)

    def save(self, path: Path | None = None) -> Path:
        """Write the settings file atomically. Holds no secrets by construction."""
        path = path or settings_file()
        write_atomic(path, json.dumps(self.model_dump(mode="json"), indent=2),
                     prefix=".settings-")
        log.info("settings saved to %s", path)
        return path

    @classmethod
    def exactly(cls, data: dict[str, Any]) -> Settings:
        """Settings that are ``data`` and nothing else (validated): no file or environment
        merged in, so what a form removed (a hotkey, a prompt) stays removed when saved."""
        return _Exactly.model_validate(data)

    def with_overrides(self, **llm: Any) -> Settings:
        """A copy with some LLM settings replaced (None values are ignored)."""
        changes = {k: v for k, v in llm.items() if v is not None}
        merged = self.llm.model_copy(update=changes)
        return self.model_copy(update={"llm": LLMSettings.model_validate(merged.model_dump())})


def _readable_settings(path: Path) -> bool:
    """Whether ``path`` holds a JSON object (valid JSON like ``[1, 2]`` or ``null`` is no
    settings file); anything else is logged with the path and skipped."""
    try:
        if not path.is_file():
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable settings file %s: %s", path, exc)
        return False
    except RecursionError:  # "[[[[…" 100,000 deep: like any unreadable file
        log.warning("ignoring unreadable settings file %s: JSON nested too deeply", path)
        return False
    if not isinstance(data, dict):
        log.warning("ignoring settings file %s: it holds JSON %s, not an object",
                    path, type(data).__name__)
        return False
    return True


def load_settings(**init: Any) -> Settings:
    """Load settings; a broken settings file is logged and skipped, never fatal."""
    try:
        return Settings(**init)
    except (ValueError, TypeError, RecursionError) as exc:
        log.warning("ignoring unreadable settings file %s: %s", settings_file(), exc)
        return _WithoutFile(**init)


class _WithoutFile(Settings):
    READS_FILE: ClassVar[bool] = False


class _Exactly(Settings):
    READS_FILE: ClassVar[bool] = False
    READS_ENV: ClassVar[bool] = False


def key_name(llm: LLMSettings) -> str:
    """The keyring entry of the API key the LLM settings use (one per provider; the
    llama-index provider keeps one per preset)."""
    return llm.preset if llm.provider == "llama-index" else llm.provider
