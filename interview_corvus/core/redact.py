"""Redaction of secrets from any text that leaves the process (errors, logs, history).

Upstream servers echo what they were sent: an API key in a 401 body, a URL
with ``user:password@`` in a connection error. Every ``CorvusError`` message
passes through ``redact`` when it is made (the one error boundary), and the
log handlers the app and CLI install use ``RedactingFilter``. Known secrets
(keys read from the keyring or environment, the server token) are registered
as they are read, so they are removed even when they look like nothing special.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
MIN_SECRET = 8  # shorter values are too likely to be ordinary words

_known: set[str] = set()
_lock = threading.Lock()
_known_pattern: re.Pattern[str] | None = None

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # credentials in URLs: scheme://user:pass@host → scheme://[redacted]@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@"), rf"\1{MASK}@"),
    # provider key shapes (OpenAI, Anthropic, Groq, xAI, Hugging Face, Google)
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{12,}"), MASK),
    (re.compile(r"\b(gsk|xai|hf)_[A-Za-z0-9]{16,}"), MASK),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"), MASK),
    # Authorization headers and key=value / "key": "value" pairs
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), rf"\1 {MASK}"),
    (re.compile(r"(?i)([\"']?(?:api[_-]?key|x-api-key|access[_-]?token|token|password|secret)"
                r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&}]{6,}"), rf"\1{MASK}"),
]


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that ``redact`` removes it wherever it appears."""
    global _known_pattern
    if not value or len(value) < MIN_SECRET:
        return
    with _lock:
        if value in _known:
            return
        _known.add(value)
        ordered = sorted(_known, key=len, reverse=True)
        _known_pattern = re.compile("|".join(re.escape(v) for v in ordered))


def redact(text: str) -> str:
    """``text`` with known secrets, key-shaped strings and URL credentials masked."""
    if not text:
        return text
    pattern = _known_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    for rule, replacement in _PATTERNS:
        text = rule.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Redacts each record's final message (arguments included) before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own handling
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
