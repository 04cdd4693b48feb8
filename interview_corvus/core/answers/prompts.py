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


def describe_fields(schema: dict[str, Any], fence: str = "", language: str = "") -> str:
    """A compact field list: shorter than the raw schema, which the API gets anyway.

    ``fence`` names a code field written first in a Markdown code fence (a local
    model's layout, ``providers.local_fence``); the other fields then follow as JSON.
    """
    lines = []
    for name, prop in schema.get("properties", {}).items():
        if name == fence:
            continue
        kind = "list of strings" if prop.get("type") == "array" else "string"
        lines.append(f"- {name} ({kind}): {prop.get('description', '')}")
    if not fence:
        return ("Answer fields, in this order (code in a JSON string has its line breaks "
                "written as \\n):\n" + "\n".join(lines))
    what = schema["properties"][fence].get("description", "the code")
    return (f"Answer layout: first the code alone ({what[:1].lower()}{what.rstrip('.')[1:]}) "
            f"in one Markdown code fence (```{language} ... ```); after the closing fence, "
            "one JSON object with these fields, in this order:\n" + "\n".join(lines))


def system_prompt(fence: str = "") -> str:
    """The system prompt: one JSON object, or with ``fence`` the fenced code first."""
    return _PROMPTS["system_fenced"] if fence else SYSTEM


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
        fields = [(name, spec, conversion) for _, name, spec, conversion
                  in string.Formatter().parse(task) if name is not None]
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    for name, spec, conversion in fields:
        if name != "language":
            return (f"unknown placeholder {{{name}}}: only {{language}} is filled in "
                    "(write {{ and }} for literal braces)")
        if conversion:  # {language!r}: a conversion, refused by name
            return (f"{{language!{conversion}}} has a conversion (!{conversion}): write "
                    "{language} alone")
        if spec:  # {language:d}, {language:>20000000}, {language:{x}}
            shown = spec if len(spec) <= 20 else spec[:20] + "…"
            what = "a nested field" if "{" in spec else "a format spec"
            return (f"{{language:{shown}}} has {what} (:{shown}): write {{language}} alone")
    return None


def answer_prompt(kind: str, text: str, language: str, schema: dict[str, Any],
                  task: str | None = None, fence: str = "") -> str:
    """The request for a kind of answer; ``task`` replaces the default task (Settings)."""
    default, given = TASKS[kind]
    fields = describe_fields(schema, fence, language)
    return (f"{(task or default).format(language=language)}\n\n{fields}"
            f"\n\n{given.format(language=language, text=text)}")


def image_solution_prompt(language: str, schema: dict[str, Any], count: int,
                          text: str = "", fence: str = "") -> str:
    pages = "screenshot" if count == 1 else f"{count} screenshots"
    template = _PROMPTS["image_solution"]
    notes = template["notes"].format(text=text.strip()) if text.strip() else ""
    return template["task"].format(pages=pages, language=language,
                                   fields=describe_fields(schema, fence, language), notes=notes)


def follow_up_prompt(kind: str, message: str, language: str, schema: dict[str, Any],
                     code: str = "", fence: str = "") -> str:
    """The new request of a follow-up turn (the earlier turns go before it)."""
    template = _PROMPTS["follow_up"]
    target = template["target"].format(language=language, code=code) if code else ""
    return template["task"].format(message=message, kind=kind, language=language,
                                   target=target,
                                   fields=describe_fields(schema, fence, language))
