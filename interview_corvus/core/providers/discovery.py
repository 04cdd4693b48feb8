"""Models already on this machine: GGUF files in the usual caches, and local servers.

Looks where the common tools keep models — the Hugging Face hub cache, LM
Studio's models folder, llama.cpp's download cache — and asks the usual local
servers (Ollama on 11434, LM Studio on 1234) which models they serve. Each find
says how to use it (the settings to set). Nothing is downloaded or loaded; the
file walk and the probes are bounded, and a server that is not there costs one
refused connection.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from interview_corvus.core.errors import CorvusError

log = logging.getLogger(__name__)

SERVERS = (("ollama", "http://127.0.0.1:11434"), ("lm-studio", "http://127.0.0.1:1234"))
PROBE_TIMEOUT = 0.5
MAX_FILES = 200  # per folder: a huge cache still answers fast
MAX_DEPTH = 8


@dataclass(frozen=True)
class FoundModel:
    source: str  # bundled, huggingface, lm-studio, llama.cpp, ollama, lm-studio-server, …
    name: str
    location: str  # a file path, or a server's OpenAI-compatible base URL
    size: int | None = None  # bytes, for files

    @property
    def is_file(self) -> bool:
        return not self.location.startswith(("http://", "https://"))

    def settings(self) -> dict[str, str]:
        """The LLM settings that use this model."""
        if self.is_file:
            return {"provider": "local", "gguf_path": self.location}
        return {"provider": "openai-compatible", "base_url": self.location, "model": self.name}


def model_folders(env: Mapping[str, str] | None = None,
                  home: Path | None = None) -> list[tuple[str, Path]]:
    """(source, folder) pairs where GGUF files are usually kept."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    hf_home = Path(env.get("HF_HOME") or home / ".cache" / "huggingface")
    hub = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or str(hf_home / "hub")
    llama = env.get("LLAMA_CACHE") or str(home / ".cache" / "llama.cpp")
    return [("huggingface", Path(hub)), ("lm-studio", home / ".lmstudio" / "models"),
            ("lm-studio", home / ".cache" / "lm-studio" / "models"), ("llama.cpp", Path(llama))]


def _gguf_files(folder: Path) -> Iterable[Path]:
    found = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        if len(Path(root).relative_to(folder).parts) >= MAX_DEPTH:
            dirs.clear()
        for name in sorted(files):
            if name.lower().endswith(".gguf") and "mmproj" not in name.lower():
                yield Path(root) / name
                found += 1
                if found >= MAX_FILES:
                    return


def _name(path: Path, source: str) -> str:
    if source == "huggingface":  # hub/models--org--repo/snapshots/<rev>/file.gguf
        repo = next((p for p in path.parts if p.startswith("models--")), "")
        if repo:
            return f"{repo.removeprefix('models--').replace('--', '/')}: {path.name}"
    return path.name


def find_files(folders: list[tuple[str, Path]]) -> list[FoundModel]:
    found: dict[str, FoundModel] = {}
    for source, folder in folders:
        if not folder.is_dir():
            continue
        for path in _gguf_files(folder):
            try:
                size = path.stat().st_size  # follows the hub's snapshot links to the blob
            except OSError:  # a dangling link: an interrupted download
                continue
            key = str(path.resolve())
            found.setdefault(key, FoundModel(source, _name(path, source), str(path), size))
    return list(found.values())


def _get(url: str, timeout: float) -> Any:
    response = httpx.get(url, timeout=timeout)
    response.raise_for_status()
    return response.json()


def probe_servers(servers: Iterable[tuple[str, str]] = SERVERS,
                  timeout: float = PROBE_TIMEOUT) -> list[FoundModel]:
    """Models of the local servers that answer; Ollama's own list first, then the
    OpenAI-compatible ``/v1/models`` any such server has."""
    found: list[FoundModel] = []
    for source, base in servers:
        base = base.rstrip("/")
        try:
            if source == "ollama":
                names = [m["name"] for m in _get(f"{base}/api/tags", timeout)["models"]]
            else:
                names = [m["id"] for m in _get(f"{base}/v1/models", timeout)["data"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.debug("no %s server at %s: %s", source, base, exc)
            continue
        server = source if source == "ollama" else f"{source}-server"
        found += [FoundModel(server, str(name), f"{base}/v1") for name in names]
    return found


def discover(*, probe: bool = True, env: Mapping[str, str] | None = None,
             home: Path | None = None,
             servers: Iterable[tuple[str, str]] = SERVERS) -> list[FoundModel]:
    """The bundled model, GGUF files in the usual folders, and local servers' models."""
    from interview_corvus.core.providers.local import bundled_model_path

    found: list[FoundModel] = []
    try:
        bundled = bundled_model_path()
        found.append(FoundModel("bundled", bundled.name, str(bundled), bundled.stat().st_size))
    except (OSError, CorvusError) as exc:
        log.debug("no bundled model: %s", exc)
    found += find_files(model_folders(env, home))
    if probe:
        found += probe_servers(servers)
    return found
