"""The programming languages answers are given in, and how names and file suffixes map
onto them."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = (
    "python",
    "java",
    "javascript",
    "typescript",
    "c++",
    "c#",
    "go",
    "rust",
    "ruby",
    "kotlin",
    "swift",
    "sql",
)

_EXTENSIONS = {
    ".py": "python", ".java": "java", ".js": "javascript", ".mjs": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".cpp": "c++", ".cc": "c++",
    ".cxx": "c++", ".hpp": "c++", ".h": "c++", ".cs": "c#", ".go": "go",
    ".rs": "rust", ".rb": "ruby", ".kt": "kotlin", ".kts": "kotlin",
    ".swift": "swift", ".sql": "sql",
}


def language_for_suffix(suffix: str) -> str | None:
    """The language a file extension implies, or None."""
    return _EXTENSIONS.get(suffix.lower())


def normalize_language(value: str) -> str:
    """Return the canonical language name or raise ValueError listing the valid ones."""
    key = value.strip().lower()
    aliases = {"cpp": "c++", "csharp": "c#", "cs": "c#", "js": "javascript",
               "ts": "typescript", "py": "python", "golang": "go", "rs": "rust",
               "kt": "kotlin", "rb": "ruby"}
    key = aliases.get(key, key)
    if key not in LANGUAGES:
        raise ValueError(
            f"unknown language {value!r}; valid languages: {', '.join(LANGUAGES)}"
        )
    return key
