"""Known local models: what they are, where their bytes come from, and the verified file.

``entries`` holds the catalog (name, size, licence, sha256, the registry chunk
packages and the Hugging Face file); ``store`` assembles, verifies and finds the
files in the user cache; ``hub`` pulls one from Hugging Face.
"""

from __future__ import annotations

from interview_corvus.core.catalog.entries import CATALOG, FALLBACK, CatalogModel, by_name
from interview_corvus.core.catalog.store import (
    Choice,
    Progress,
    choose,
    ensure,
    model_cache_dir,
    status,
)

__all__ = ["CATALOG", "FALLBACK", "CatalogModel", "Choice", "Progress", "by_name", "choose",
           "ensure", "model_cache_dir", "status"]
