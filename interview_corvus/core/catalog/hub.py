"""``corvus models pull``: a catalog model from Hugging Face, with huggingface_hub.

The file lands in the shared Hugging Face cache (``HF_HUB_CACHE`` / ``HF_HOME``),
where other tools find it too; an interrupted download resumes; ``HF_ENDPOINT``
points at a mirror. The bytes are trusted only once their sha256 matches the
catalog's (a mismatching file is deleted from the cache).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from interview_corvus.core.catalog.entries import CatalogModel
from interview_corvus.core.catalog.store import Progress, hub_cache_dir, verify
from interview_corvus.core.errors import BadRequest, CorvusError, Unavailable

log = logging.getLogger(__name__)


def _progress_bar(progress: Progress | None, what: str) -> Any:
    """A tqdm class that reports to ``progress`` and draws nothing itself."""
    from tqdm.auto import tqdm

    class Report(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.done = int(kwargs.get("initial") or 0)
            self.whole = int(kwargs.get("total") or 0)
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            self.done += int(n or 0)
            if progress is not None:
                progress(what, self.done, self.whole)
            return None

    return Report


def pull(model: CatalogModel, progress: Progress | None = None) -> Path:
    """Download ``model``'s GGUF from Hugging Face (resuming a partial download), verify
    it and remember it; the path in the hub cache.

    Raises ``BadRequest`` for a model with no Hugging Face file or bytes that do not
    match the catalog, ``Unavailable`` when the hub cannot be reached.
    """
    if not model.hf_repo:
        raise BadRequest(f"{model.name} is not downloaded from Hugging Face: it ships in "
                         f"the {model.bundled_package or model.extra} package.")
    try:
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import HfHubHTTPError
    except ImportError as exc:
        raise Unavailable("Downloading models needs huggingface_hub: "
                          "pip install huggingface_hub.") from exc
    what = f"Downloading {model.title}"
    try:
        found = hf_hub_download(model.hf_repo, model.hf_file, cache_dir=hub_cache_dir(),
                                tqdm_class=_progress_bar(progress, what))
    except (OSError, ValueError) as exc:  # HTTP and connection errors, offline, a full disk
        refused = _cause(exc, HfHubHTTPError)
        if refused is not None and refused.response is not None:
            raise Unavailable(f"Hugging Face refused {model.hf_repo}/{model.hf_file} (HTTP "
                              f"{refused.response.status_code}).") from None
        if _cause(exc, ConnectionError) or type(exc).__name__ == "LocalEntryNotFoundError":
            raise Unavailable(f"Could not download {model.title}: the Hugging Face hub "
                              f"({_endpoint()}) did not answer. Check the connection, or "
                              "set HF_ENDPOINT to a mirror.") from None
        raise Unavailable(f"Could not download {model.title} from Hugging Face: "
                          f"{type(exc).__name__}: {exc}"[:300]) from None
    path = Path(str(found))
    try:
        verify(model, path, progress)
    except CorvusError:
        _forget(path)
        raise
    log.info("pulled %s into %s", model.name, path)
    return path


def _cause(exc: BaseException, kind: type[BaseException]) -> Any:
    """``exc`` or the first exception of type ``kind`` in its cause/context chain."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None or isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _endpoint() -> str:
    from huggingface_hub import constants

    return str(constants.ENDPOINT)


def _forget(path: Path) -> None:
    """Remove a refused download from the hub cache (the snapshot link and its blob)."""
    blob = path.resolve()
    for target in (path, blob):
        try:
            target.unlink()
        except OSError:
            log.warning("could not remove %s from the Hugging Face cache", target)
