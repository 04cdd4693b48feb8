"""Prompts for each kind of answer: the text lives in ``resources/prompts/prompts.toml``,
how it is put together here."""

from __future__ import annotations

import string
import tomllib
from importlib import resources
from typing import Any


def _load() -> dict[str, Any]:
    """The shipped prompts (``resources/prompts/prompts.toml``)."""
    source = resources.files("interview_corvus.resources") / "prompts" / "prompts.toml"
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"the shipped prompts ({source}) cannot be read: {exc}") from exc


_PROMPTS = _load()
SYSTEM: str = _PROMPTS["system"]


def describe_fields(schema: dict[str, Any]) -> str:
    """A compact field list: shorter than the raw schema, which the API gets anyway."""
    lines = []
    for name, prop in schema.get("properties", {}).items():
        kind = "list of strings" if prop.get("type") == "array" else "string"
        lines.append(f"- {name} ({kind}): {prop.get('description', '')}")
    return "Answer fields, in this order:\n" + "\n".join(lines)


# for each kind of answer: (the task, how the user's text is given); {language}, {text}
TASKS: dict[str, tuple[str, str]] = {
    kind: (table["task"], table["input"]) for kind, table in _PROMPTS.items()
    if isinstance(table, dict) and "input" in table}


def task_problem(task: str) -> str | None:
    """What is wrong with a user's task prompt, or None. It may use ``{language}`` (and
    ``{{``/``}}`` for braces); the answer fields and the input are added after it."""
    if not task.strip():
        return "the prompt is empty"
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(task) if name is not None}
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    unknown = sorted(names - {"language"})
    if unknown:
        return (f"unknown placeholder {{{unknown[0]}}}: only {{language}} is filled in "
                "(write {{ and }} for literal braces)")
    return None


def answer_prompt(kind: str, text: str, language: str, schema: dict[str, Any],
                  task: str | None = None) -> str:
    """The request for a kind of answer; ``task`` replaces the default task (Settings)."""
    default, given = TASKS[kind]
    return (f"{(task or default).format(language=language)}\n\n{describe_fields(schema)}"
            f"\n\n{given.format(language=language, text=text)}")


def image_solution_prompt(language: str, schema: dict[str, Any], count: int,
                          text: str = "") -> str:
    pages = "screenshot" if count == 1 else f"{count} screenshots"
    template = _PROMPTS["image_solution"]
    notes = template["notes"].format(text=text.strip()) if text.strip() else ""
    return template["task"].format(pages=pages, language=language,
                                   fields=describe_fields(schema), notes=notes)


def follow_up_prompt(kind: str, message: str, language: str, schema: dict[str, Any],
                     code: str = "") -> str:
    """The new request of a follow-up turn (the earlier turns go before it)."""
    template = _PROMPTS["follow_up"]
    target = template["target"].format(language=language, code=code) if code else ""
    return template["task"].format(message=message, kind=kind, language=language,
                                   target=target, fields=describe_fields(schema))
