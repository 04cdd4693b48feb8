"""Answer models and the JSON schemas sent to the model."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from interview_corvus.core.answers.languages import (  # noqa: F401 - re-exported
    LANGUAGES,
    language_for_suffix,
    normalize_language,
)
from interview_corvus.core.answers.verification import Verification

Kind = Literal["optimization", "solution", "mcq"]
FieldState = Literal["pending", "streaming", "done"]


class StreamedAnswer(BaseModel):
    """Base for answers that fill in while the model streams."""

    # Fields the service fills in from the request; the model never writes them.
    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = ("language",)
    # Bookkeeping fields, never part of the schema sent to the model.
    STATUS_FIELDS: ClassVar[tuple[str, ...]] = ("progress", "is_complete", "fields")
    # Answer fields the schema asks for but a final answer may lack (older transcripts
    # and models that skip them still validate); they keep their defaults.
    OPTIONAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    KIND: ClassVar[Kind]
    # What varies per kind, in one place (the window, the CLI, the providers, the service):
    ACTION: ClassVar[str]  # the verb that makes one: optimize / solve
    EMPTY_INPUT: ClassVar[str]  # what to say when there is nothing to work on
    CODE_FIELD: ClassVar[str]  # the answer's code
    CODE_TITLE: ClassVar[str]
    LIST_FIELD: ClassVar[str]  # the answer's bullet list
    LIST_TITLE: ClassVar[str]
    # complexity rows: (label, field before, field after); "" where there is no before
    COMPLEXITY: ClassVar[tuple[tuple[str, str, str], ...]]
    EXTRA: ClassVar[tuple[str, str] | None] = None  # (field, title) of a further text section
    SHOWS_CODE: ClassVar[bool] = True  # CODE_FIELD holds code (highlighted as the language)
    # bounds that keep a small model's answer finite and on topic (see answer_schema); code
    # has no maxLength: max_tokens and the loop detector bound it, whatever the input size
    SMALL_MODEL_LIMITS: ClassVar[dict[str, int]]

    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    is_complete: bool = False
    fields: dict[str, FieldState] = Field(
        default_factory=dict,
        description="How far each answer field, and each list item (as name[i]), has come: "
                    "pending (not begun), streaming (being written) or done (its value "
                    "closed). Empty for answers from before field states were kept.")

    def field_done(self, name: str) -> bool:
        """Whether ``name`` (a field, or ``name[i]`` for a list item) is written in full.
        Answers without field states (stored before they were kept) count as done."""
        return self.is_complete or not self.fields or self.fields.get(name) == "done"

    def writing(self, name: str) -> bool:
        """Whether ``name`` is being written now (begun, not closed)."""
        return not self.field_done(name) and self.fields.get(name) == "streaming"

    @classmethod
    def done_fields(cls, values: dict[str, Any]) -> dict[str, FieldState]:
        """Every answer field and list item of ``values`` marked done."""
        states: dict[str, FieldState] = {}
        for name in cls.answer_fields():
            states[name] = "done"
            items = values.get(name)
            if isinstance(items, list):
                states.update({f"{name}[{i}]": "done" for i in range(len(items))})
        return states

    @classmethod
    def answer_fields(cls) -> list[str]:
        """Fields the model writes, in the order the schema lists them."""
        skip = set(cls.REQUEST_FIELDS) | set(cls.STATUS_FIELDS)
        return [name for name in cls.model_fields if name not in skip]

    @classmethod
    def compares(cls) -> bool:
        """Whether the answer has a before and an after (complexity columns, a diff)."""
        return any(before for _, before, _ in cls.COMPLEXITY)

    @classmethod
    def text_sections(cls) -> list[tuple[str, str]]:
        """(field, title) of the prose sections after the list and the complexities."""
        return [("explanation", "Explanation"), *([cls.EXTRA] if cls.EXTRA else [])]

    @classmethod
    def layout(cls) -> dict[str, Any]:
        """How this kind of answer is shown, section by section (the live page and any
        client render from it, so no client keeps its own copy of the fields)."""
        return {
            "kind": cls.KIND, "action": cls.ACTION,
            "code": {"field": cls.CODE_FIELD, "title": cls.CODE_TITLE,
                     "is_code": cls.SHOWS_CODE},
            "list": {"field": cls.LIST_FIELD, "title": cls.LIST_TITLE},
            "complexity": {"compares": cls.compares(), "rows": [
                {"label": label, "before": before or None, "after": after}
                for label, before, after in cls.COMPLEXITY]},
            "texts": [{"field": name, "title": title} for name, title in cls.text_sections()],
            "check": ({"field": "verification", "title": "Check",
                       "states": ["checking", "verified", "counterexample", "unverified"],
                       "note": "Filled in after the answer completes (not by the model): "
                               "both versions run on the same inputs in a sandbox; over "
                               "HTTP only when the server was started with --verify."}
                      if "verification" in cls.STATUS_FIELDS else None),
        }

    @classmethod
    def expected_sizes(cls, input_chars: int) -> dict[str, float]:
        """Typical length of each field in characters (the progress estimate)."""
        raise NotImplementedError

    @classmethod
    def answer_schema(cls, limits: dict[str, int] | None = None) -> dict[str, Any]:
        """JSON schema of the part the model writes.

        ``limits`` bounds string lengths (``maxLength``) and list sizes
        (``maxItems``) so that a small model cannot loop forever.
        """
        full = cls.model_json_schema()
        props: dict[str, Any] = {}
        for name in cls.answer_fields():
            prop = dict(full["properties"][name])
            prop.pop("default", None)
            if limits and name in limits:
                if prop.get("type") == "array":
                    prop["maxItems"] = limits[name]
                    prop["items"] = {**prop.get("items", {}), "maxLength": limits.get(
                        f"{name}[]", 200)}
                else:
                    prop["maxLength"] = limits[name]
            props[name] = prop
        return {
            "title": cls.__name__,
            "type": "object",
            "properties": props,
            "required": list(props),
            "additionalProperties": False,
        }


class CodeOptimization(StreamedAnswer):
    """An optimized version of the user's code with before/after complexity."""

    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = ("original_code", "language")
    STATUS_FIELDS: ClassVar[tuple[str, ...]] = ("progress", "is_complete", "fields",
                                                "verification")
    KIND: ClassVar[Kind] = "optimization"
    ACTION: ClassVar[str] = "optimize"
    EMPTY_INPUT: ClassVar[str] = "There is no code to optimize: the input is empty."
    CODE_FIELD: ClassVar[str] = "optimized_code"
    CODE_TITLE: ClassVar[str] = "Optimized code"
    LIST_FIELD: ClassVar[str] = "improvements"
    LIST_TITLE: ClassVar[str] = "Improvements"
    COMPLEXITY: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("time", "original_time_complexity", "optimized_time_complexity"),
        ("space", "original_space_complexity", "optimized_space_complexity"))
    SMALL_MODEL_LIMITS: ClassVar[dict[str, int]] = {
        "improvements": 3, "improvements[]": 120, "original_time_complexity": 20,
        "optimized_time_complexity": 20, "original_space_complexity": 20,
        "optimized_space_complexity": 20, "explanation": 300, "examples": 3,
        "examples[]": 160}
    OPTIONAL_FIELDS: ClassVar[tuple[str, ...]] = ("examples",)

    original_code: str = Field(default="", description="The code as the user gave it.")
    # The code first: after the prefilled '"optimized_code": "' a small model writes it as a
    # JSON string; asked for after other fields, Qwen2.5-Coder-1.5B often opened it with a
    # Python triple quote (invalid JSON) — measured with scripts/bench_quality.py.
    optimized_code: str = Field(
        default="", description="The complete optimized code: same names, parameters and "
        "results as the original, every import it needs.")
    language: str = Field(default="", description="Programming language of the code.")
    improvements: list[str] = Field(
        default_factory=list, description="Each change made and why it helps."
    )
    original_time_complexity: str = Field(
        default="", description="Big-O time complexity of the original code, e.g. O(n^2)."
    )
    optimized_time_complexity: str = Field(
        default="", description="Big-O time complexity of the optimized code."
    )
    original_space_complexity: str = Field(
        default="", description="Big-O space complexity of the original code."
    )
    optimized_space_complexity: str = Field(
        default="", description="Big-O space complexity of the optimized code."
    )
    explanation: str = Field(default="", description="Why the optimized version is better.")
    examples: list[str] = Field(
        default_factory=list, description="Two or three calls of the original function "
        "with literal arguments that exercise it, each a call alone (for def area(w, h): "
        "area(2, 3)).")
    verification: Verification | None = Field(
        default=None, description="The check of the answer: both versions run on the same "
        "inputs in a sandbox, and timed (filled in by the app, not the model).")

    @classmethod
    def expected_sizes(cls, input_chars: int) -> dict[str, float]:
        return {"optimized_code": input_chars * 1.1 + 40, "improvements": 350,
                "original_time_complexity": 8, "optimized_time_complexity": 8,
                "original_space_complexity": 8, "optimized_space_complexity": 8,
                "explanation": 450, "examples": 90}


class CodeSolution(StreamedAnswer):
    """A complete solution to a programming problem."""

    KIND: ClassVar[Kind] = "solution"
    ACTION: ClassVar[str] = "solve"
    EMPTY_INPUT: ClassVar[str] = "There is no problem to solve: the input is empty."
    CODE_FIELD: ClassVar[str] = "code"
    CODE_TITLE: ClassVar[str] = "Solution"
    LIST_FIELD: ClassVar[str] = "edge_cases"
    LIST_TITLE: ClassVar[str] = "Edge cases"
    COMPLEXITY: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("time", "", "time_complexity"), ("space", "", "space_complexity"))
    EXTRA: ClassVar[tuple[str, str] | None] = ("alternative_approaches",
                                               "Alternative approaches")
    SMALL_MODEL_LIMITS: ClassVar[dict[str, int]] = {
        "explanation": 300, "time_complexity": 20, "space_complexity": 20, "edge_cases": 3,
        "edge_cases[]": 100, "alternative_approaches": 200}

    code: str = Field(default="", description="The complete, runnable solution code.")
    language: str = Field(default="", description="Programming language of the solution.")
    explanation: str = Field(default="", description="How the solution works.")
    time_complexity: str = Field(default="", description="Big-O time complexity, e.g. O(n).")
    space_complexity: str = Field(default="", description="Big-O space complexity.")
    edge_cases: list[str] = Field(
        default_factory=list, description="Edge cases the solution handles."
    )
    alternative_approaches: str = Field(
        default="", description="Other approaches and their trade-offs."
    )

    @classmethod
    def expected_sizes(cls, input_chars: int) -> dict[str, float]:
        return {"code": 900, "explanation": 600, "time_complexity": 8, "space_complexity": 8,
                "edge_cases": 250, "alternative_approaches": 300}


class MultipleChoiceAnswer(StreamedAnswer):
    """The answer to a multiple-choice question, with a word on every option."""

    KIND: ClassVar[Kind] = "mcq"
    ACTION: ClassVar[str] = "mcq"
    EMPTY_INPUT: ClassVar[str] = "There is no question to answer: the input is empty."
    CODE_FIELD: ClassVar[str] = "answer"
    CODE_TITLE: ClassVar[str] = "Answer"
    SHOWS_CODE: ClassVar[bool] = False
    LIST_FIELD: ClassVar[str] = "option_notes"
    LIST_TITLE: ClassVar[str] = "Each option"
    COMPLEXITY: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    SMALL_MODEL_LIMITS: ClassVar[dict[str, int]] = {
        "answer": 200, "option_notes": 6, "option_notes[]": 150, "explanation": 300}

    answer: str = Field(default="", description="The correct option, e.g. \"B) O(n log n)\".")
    language: str = Field(default="", description="The programming language in question.")
    option_notes: list[str] = Field(
        default_factory=list, description="Every option in order, and why it is right or wrong.")
    explanation: str = Field(default="", description="Why the answer is correct.")

    @classmethod
    def expected_sizes(cls, input_chars: int) -> dict[str, float]:
        return {"answer": 25, "option_notes": 400, "explanation": 400}


MODELS: dict[str, type[StreamedAnswer]] = {
    "optimization": CodeOptimization,
    "solution": CodeSolution,
    "mcq": MultipleChoiceAnswer,
}
# the verb that makes each kind (the CLI command, the window's action) → its kind
KIND_OF_ACTION: dict[str, str] = {model.ACTION: kind for kind, model in MODELS.items()}
