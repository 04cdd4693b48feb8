"""The fenced layout of a local model's answer (code in a Markdown fence, then the JSON of
the other fields) becomes the answer's JSON as it streams, however the text is split."""

from __future__ import annotations

import json

import pytest

from interview_corvus.core.answers.models import MODELS
from interview_corvus.core.answers.prompts import describe_fields, system_prompt
from interview_corvus.core.providers.local_fence import FencedAnswer

PREFIX = '{"optimized_code": "'
CODE = 'def f(s):\n    return s.replace("`", "``") + "\\\\"\n'
WRITTEN = CODE + '```\n{"improvements": ["a"], "explanation": "b ``` c"}'
EXPECTED = {"optimized_code": CODE.rstrip("\n"), "improvements": ["a"],
            "explanation": "b ``` c"}


def convert(pieces: list[str]) -> str:
    fenced = FencedAnswer()
    return PREFIX + "".join(fenced.feed(piece) for piece in pieces)


@pytest.mark.parametrize("cut", range(len(WRITTEN) + 1))
def test_every_split_gives_the_same_json(cut):
    assert json.loads(convert([WRITTEN[:cut], WRITTEN[cut:]])) == EXPECTED


def test_one_character_at_a_time():
    assert json.loads(convert(list(WRITTEN))) == EXPECTED


def test_backticks_and_newlines_that_may_start_the_fence_are_held_until_decided():
    fenced = FencedAnswer()
    assert fenced.feed("x = 1\n`") == "x = 1"
    assert fenced.feed("`") == ""
    assert fenced.feed("y") == "\\n``y"  # not a fence after all
    assert fenced.feed("\n\n```") == ""  # the fence: trailing line breaks dropped
    assert fenced.feed(' \n{"a": 1}') == '", "a": 1}'


def test_prose_between_the_fence_and_the_object_is_skipped():
    assert json.loads(convert(["x\n```\nThen: ", '{"a": "}"}'])) == {
        "optimized_code": "x", "a": "}"}


def test_the_prompt_describes_the_fenced_layout():
    schema = MODELS["optimization"].answer_schema()
    fenced = describe_fields(schema, "optimized_code", "python")
    assert fenced.startswith("Answer layout: first the code alone (the complete")
    assert "```python" in fenced
    assert "- optimized_code" not in fenced and "- improvements" in fenced
    plain = describe_fields(schema)
    assert "- optimized_code" in plain and "\\n" in plain
    assert "Markdown code fence" in system_prompt("optimized_code")
    assert "one JSON object that follows" in system_prompt()


def test_the_fenced_grammar_ends_in_the_json_of_the_other_fields():
    from interview_corvus.core.providers.local_grammar import grammar_for

    schema = MODELS["optimization"].answer_schema()
    rules = grammar_for(schema, "optimized_code")._grammar
    assert rules.startswith('root ::= "```"') and "\nrest ::= \"{\"" in rules
    assert "optimized-code-kv" not in rules and "improvements-kv" in rules
    assert grammar_for(schema)._grammar.count("optimized-code-kv") == 2  # plain JSON


@pytest.mark.parametrize("size", [1, 2, 5, 1000])
def test_json_written_inside_the_fence_ends_the_code(size):
    """A model that writes the other fields as JSON inside the fence: the line opening
    the object ends the code; a dict literal that is indented stays code."""
    code = 'def f(xs):\n    d = {\n        "a": 1}\n    return d\n'
    written = code + '{\n  "improvements": ["a"], "explanation": "b"}\n```\n{"x": 1}'
    text = convert([written[i:i + size] for i in range(0, len(written), size)])
    answer, _end = json.JSONDecoder().raw_decode(text)
    assert answer == {"optimized_code": code.rstrip("\n"), "improvements": ["a"],
                      "explanation": "b"}
