from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview_corvus.core.stream.partial_json import (
    IncrementalJSONParser,
    JSONStreamError,
    apply_patch,
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)
documents = st.tuples(
    json_values,
    st.booleans(),  # ensure_ascii: \\uXXXX escapes (surrogate pairs) vs raw UTF-8
    st.sampled_from([None, 2]),  # compact vs indented
)


def split_points(draw_text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(draw_text) + 1) for c in cuts})
    pieces, last = [], 0
    for p in [*points, len(draw_text)]:
        pieces.append(draw_text[last:p])
        last = p
    return pieces


def consistent(partial, final) -> bool:
    """A partial is consistent with the final: strings are prefixes, lists grow."""
    if isinstance(partial, str):
        return isinstance(final, str) and final.startswith(partial)
    if isinstance(partial, list):
        return (
            isinstance(final, list)
            and len(partial) <= len(final)
            and all(consistent(p, f) for p, f in zip(partial, final, strict=False))
        )
    if isinstance(partial, dict):
        return isinstance(final, dict) and all(
            k in final and consistent(v, final[k]) for k, v in partial.items()
        )
    return partial == final or (partial != partial and final != final)


@settings(max_examples=300, deadline=None)
@given(documents, st.lists(st.integers(min_value=0, max_value=10**6), max_size=40))
def test_any_split_parses_like_json_loads(doc, cuts):
    value, ensure_ascii, indent = doc
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    parser = IncrementalJSONParser()
    rebuilt = None
    for piece in split_points(text, cuts):
        for patch in parser.feed(piece):
            rebuilt = apply_patch(rebuilt, patch)
        snap = parser.snapshot()
        if parser.started:
            assert consistent(snap, json.loads(text))
            assert rebuilt == snap
    last: list = []
    final = parser.finish(last)
    for patch in last:
        rebuilt = apply_patch(rebuilt, patch)
    assert final == json.loads(text)
    assert rebuilt == final


@settings(max_examples=200, deadline=None)
@given(documents, st.lists(st.integers(min_value=0, max_value=10**6), max_size=40))
def test_bytes_split_inside_utf8_characters(doc, cuts):
    value, _, indent = doc
    data = json.dumps(value, ensure_ascii=False, indent=indent).encode()
    parser = IncrementalJSONParser()
    points = sorted({c % (len(data) + 1) for c in cuts})
    last = 0
    for p in [*points, len(data)]:
        parser.feed(data[last:p])
        last = p
    assert parser.finish() == json.loads(data)


def test_every_split_of_escapes_and_surrogates():
    text = json.dumps({"k": 'a"\\/\b\f\n\r\t😀é\ud83d x', "n": [1.5e3, -0, True, None]})
    expected = json.loads(text)
    # valid JSON, but a lone surrogate cannot be written anywhere: it decodes to U+FFFD
    expected["k"] = expected["k"].replace("\ud83d", "\ufffd")
    for size in range(1, 9):
        parser = IncrementalJSONParser()
        for i in range(0, len(text), size):
            parser.feed(text[i : i + size])
            assert consistent(parser.snapshot(), expected)
        assert parser.finish() == expected


def test_strings_stream_as_appends():
    parser = IncrementalJSONParser()
    assert parser.feed('{"code": "ab') == [("set", (), {}), ("set", ("code",), "ab")]
    assert parser.feed("cd") == [("append", ("code",), "cd")]
    assert parser.feed('", "items": ["x') == [
        ("set", ("items",), []),
        ("set", ("items", 0), "x"),
    ]
    assert parser.feed('"], "n": 12') == []  # numbers appear only once complete
    assert parser.feed("}") == [("set", ("n",), 12)]
    assert parser.done


def test_skip_prefix_and_trailing_text():
    parser = IncrementalJSONParser(skip_prefix=True)
    parser.feed('```json\n{"a": 1}\n```')
    assert parser.finish() == {"a": 1}
    assert parser.trailing == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a" 1}', "expected ':'"),
        ('{"a": tru }', "invalid literal"),
        ('{"a": 01}', "invalid number"),
        ('{"a": "\\x"}', "invalid escape"),
        ('{"a": [1}', "mismatched"),
    ],
)
def test_invalid_json_names_the_problem(text, message):
    parser = IncrementalJSONParser()
    with pytest.raises(JSONStreamError, match=message):
        parser.feed(text)
        parser.finish()


def test_raw_control_characters_in_strings_are_accepted():
    parser = IncrementalJSONParser()
    parser.feed('{"code": "a\n\tb"}')
    assert parser.finish() == json.loads('{"code": "a\n\tb"}', strict=False)


def test_cut_off_document_is_incomplete():
    parser = IncrementalJSONParser()
    parser.feed('{"a": "unfinished')
    with pytest.raises(JSONStreamError, match="unexpected end"):
        parser.finish()
    assert parser.snapshot() == {"a": "unfinished"}


def test_deep_nesting_is_refused_with_a_clear_error():
    from interview_corvus.core.stream.partial_json import MAX_DEPTH, JSONStreamError

    parser = IncrementalJSONParser()
    with pytest.raises(JSONStreamError, match=f"nesting deeper than {MAX_DEPTH} levels"):
        parser.feed("[" * 16000)
    assert len(parser._stack) == MAX_DEPTH
    ok = IncrementalJSONParser()
    ok.feed("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert ok.done


@pytest.mark.parametrize("split", [1, 2, 3, 7, 100])
def test_invalid_utf8_is_reported_at_its_byte(split):
    from interview_corvus.core.stream.partial_json import JSONStreamError

    data = '{"k": "héllo 😀 '.encode() + b"\xff" + b'"}'
    where = data.index(b"\xff")
    parser = IncrementalJSONParser()
    with pytest.raises(JSONStreamError) as caught:
        for i in range(0, len(data), split):
            parser.feed(data[i : i + split])
    assert caught.value.position == where and "at byte" in str(caught.value)
