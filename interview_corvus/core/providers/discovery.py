"""Models already on this machine: GGUF files in the usual caches, and local servers.

Looks where the common tools keep models — the Hugging Face hub cache, LM
Studio's models folder, llama.cpp's download cache — and asks the usual local
servers (Ollama on 11434, LM Studio on 1234) which models they serve. Each find
says how to use it (the settings to set). Nothing is downloaded or loaded; the
file walk and the probes are bounded, and a server that is not there costs one
refused connection. Only regular files are listed (a FIFO or ``/dev/zero`` named
``*.gguf`` is not a model). Each probe has a total deadline, a byte cap and a row
cap: a server that trickles bytes or answers 30 MB cannot hold up the listing.
Names from a server are outside text: shown through ``core.printable``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from interview_corvus.core.catalog.store import model_cache_dir
from interview_corvus.core.errors import CorvusError

log = logging.getLogger(__name__)

SERVERS = (("ollama", "http://127.0.0.1:11434"), ("lm-studio", "http://127.0.0.1:1234"))
PROBE_TIMEOUT = 1.5  # seconds for a whole probe: connect, headers and body
MAX_PROBE_BYTES = 1 << 20  # an answer listing models is a few KB
MAX_SERVER_MODELS = 200  # rows kept per server
MAX_NAME = 300  # characters of a model name
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
    """(source, folder) pairs where GGUF files are usually kept: this app's model cache
    (catalog models assembled or pulled), then the other tools'."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    hf_home = Path(env.get("HF_HOME") or home / ".cache" / "huggingface")
    hub = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or str(hf_home / "hub")
    llama = env.get("LLAMA_CACHE") or str(home / ".cache" / "llama.cpp")
    corvus = env.get("INTERVIEW_CORVUS_CACHE_DIR")  # the catalog's assembled models
    return [("corvus", Path(corvus) / "models" if corvus else model_cache_dir()),
            ("huggingface", Path(hub)), ("lm-studio", home / ".lmstudio" / "models"),
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
                info = path.stat()  # follows the hub's snapshot links to the blob
            except OSError:  # a dangling link: an interrupted download
                continue
            if not stat.S_ISREG(info.st_mode):  # a FIFO, a device, a folder
                log.debug("skipping %s: not a regular file", path)
                continue
            size = info.st_size
            key = str(path.resolve())
            found.setdefault(key, FoundModel(source, _name(path, source), str(path), size))
    return list(found.values())


class ProbeRefused(ValueError):
    """A server's answer was not read: too large, or not a listing of models."""


async def _fetch(client: httpx.AsyncClient, url: str) -> bytes:
    """The body at ``url``, at most ``MAX_PROBE_BYTES`` (decoded) or ``ProbeRefused``."""
    async with client.stream("GET", url) as response:
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_PROBE_BYTES:
            raise ProbeRefused(f"answer of {declared} bytes")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_PROBE_BYTES:
                raise ProbeRefused(f"answer over {MAX_PROBE_BYTES} bytes")
        return bytes(body)


def _names(payload: Any, source: str) -> list[str]:
    """Model names of an Ollama (``models[].name``) or OpenAI-style (``data[].id``)
    listing; at most ``MAX_SERVER_MODELS``, non-string names skipped."""
    key, field = ("models", "name") if source == "ollama" else ("data", "id")
    items = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise ProbeRefused(f"no {key!r} list in the answer")
    names: list[str] = []
    for item in items:
        name = item.get(field) if isinstance(item, dict) else None
        if isinstance(name, str) and name.strip() and len(name) <= MAX_NAME:
            names.append(name)
            if len(names) >= MAX_SERVER_MODELS:
                log.info("%s lists more than %d models; showing the first", source,
                         MAX_SERVER_MODELS)
                break
    return names


async def _probe(source: str, base: str, deadline: float) -> list[FoundModel]:
    base = base.rstrip("/")
    url = f"{base}/api/tags" if source == "ollama" else f"{base}/v1/models"
    try:
        async with asyncio.timeout(deadline), httpx.AsyncClient(
                timeout=deadline, trust_env=False, follow_redirects=False) as client:
            body = await _fetch(client, url)
        names = _names(json.loads(body), source)
    except (httpx.HTTPError, ValueError, TimeoutError, RecursionError) as exc:
        reason = "JSON nested too deeply" if isinstance(exc, RecursionError) else exc
        log.debug("no %s server at %s: %s", source, base, reason or type(exc).__name__)
        return []
    server = source if source == "ollama" else f"{source}-server"
    return [FoundModel(server, name, f"{base}/v1") for name in names]


async def _probe_all(servers: list[tuple[str, str]], deadline: float) -> list[FoundModel]:
    found = await asyncio.gather(*(_probe(source, base, deadline) for source, base in servers))
    return [model for models in found for model in models]


def probe_servers(servers: Iterable[tuple[str, str]] | None = None,
                  timeout: float = PROBE_TIMEOUT) -> list[FoundModel]:
    """Models of the local servers that answer; Ollama's own list first, then the
    OpenAI-compatible ``/v1/models`` any such server has. The servers are asked at
    once, each within ``timeout`` seconds in all (not per read)."""
    chosen = list(SERVERS if servers is None else servers)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a worker thread or the CLI
        return asyncio.run(_probe_all(chosen, timeout))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # called on a running loop
        return pool.submit(asyncio.run, _probe_all(chosen, timeout)).result()


def discover(*, probe: bool = True, env: Mapping[str, str] | None = None,
             home: Path | None = None,
             servers: Iterable[tuple[str, str]] | None = None) -> list[FoundModel]:
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
