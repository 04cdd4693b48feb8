"""Prompts for each kind of answer."""

from __future__ import annotations

import string
from typing import Any

SYSTEM = (
    "You are Interview Corvus, an expert software engineer who helps programmers "
    "practise for technical interviews. Answer with one JSON object that follows "
    "the given JSON schema exactly, with no text before or after it. Keep "
    "complexities in Big-O notation such as O(n log n)."
)


def describe_fields(schema: dict[str, Any]) -> str:
    """A compact field list: shorter than the raw schema, which the API gets anyway."""
    lines = []
    for name, prop in schema.get("properties", {}).items():
        kind = "list of strings" if prop.get("type") == "array" else "string"
        lines.append(f"- {name} ({kind}): {prop.get('description', '')}")
    return "Answer fields, in this order:\n" + "\n".join(lines)


# for each kind of answer: (the task, how the user's text is given); {language}, {text}
TASKS = {
    "optimization": (
        "Optimize this {language} code for time and space. Keep its behaviour. "
        "Write the complete optimized code, list each improvement, give the time "
        "and space complexity before and after, and explain the result.",
        "Code:\n```{language}\n{text}\n```"),
    "solution": (
        "Solve this programming problem in {language}. Write complete, runnable "
        "code, explain it, give its time and space complexity, list the edge cases "
        "it handles and mention alternative approaches.",
        "Problem:\n{text}"),
    "mcq": (
        "Answer this multiple-choice question about programming ({language}). Give the "
        "correct option, go through every option in order saying why it is right or "
        "wrong, and explain the answer.",
        "Question:\n{text}"),
}


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
    notes = f"\n\nThe user also wrote (part of the problem):\n{text.strip()}" if text.strip() \
        else ""
    return (
        f"The attached {pages} show a programming problem. Read it carefully and "
        f"solve it in {language}: complete, runnable code, an explanation, time and "
        "space complexity, edge cases and alternative approaches.\n\n"
        f"{describe_fields(schema)}{notes}"
    )


def follow_up_prompt(kind: str, message: str, language: str, schema: dict[str, Any],
                     code: str = "") -> str:
    """The new request of a follow-up turn (the earlier turns go before it)."""
    target = f"\n\nThe code to optimize:\n```{language}\n{code}\n```" if code else ""
    return (f"Follow-up request: {message}\n\nAnswer it with a complete, revised {kind} in "
            f"{language} as one JSON object (every field, not only what changed)."
            f"{target}\n\n{describe_fields(schema)}")
