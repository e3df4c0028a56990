"""compare.jsontext: the report's indented JSON, byte for byte json.dumps(..., ensure_ascii=False, indent=1)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.jsontext import indented
from compare.models import Kind

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(list(Kind)))
KEYS = st.text(max_size=6) | st.integers() | st.floats() | st.booleans() | st.none()
DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                    | st.dictionaries(KEYS, inner, max_size=4), max_leaves=30)


def reference(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


@settings(max_examples=400, deadline=None)
@given(DATA)
def test_indented_is_json_dumps(data):
    assert indented(data) == reference(data)


@pytest.mark.parametrize("data", [
    {}, [], {"a": []}, {"a": {}}, [[]], "", "引号\"、反斜杠\\、换行\n、制表\t、\x00\x1f\x7f\u2028",
    {"score": 0.1 + 0.2, "n": -0, "big": 10**30, "tiny": 5e-324},
    {1: "int key", 2.5: "float key", True: "bool key", None: "null key"},
])
def test_indented_cases(data):
    assert indented(data) == reference(data)


@pytest.mark.parametrize("data", [{"a": object()}, {(1, 2): 1}, {1, 2}])
def test_what_json_cannot_write_fails_as_json_does(data):
    with pytest.raises(TypeError):
        reference(data)
    with pytest.raises(TypeError):
        indented(data)
