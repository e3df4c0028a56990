"""compare.patterns.LazyPattern: the same answers as re.compile, compiled once, on first use."""
from __future__ import annotations

import re

import pytest

from compare import patterns
from compare.patterns import lazy_compile

CASES = [  # (pattern, flags, text)
    (r"第([零〇○一二两三四五六七八九十百千]{1,6})条", 0, "第十二条 地方金融组织应当……第三条"),
    (r"</script\s*>", re.I, "a</SCRIPT >b</script>"),
    (rb"\A(?:\xef\xbb\xbf)?\s*\{", 0, b'\xef\xbb\xbf {"a": 1}'),
]


@pytest.mark.parametrize("pattern, flags, text", CASES)
def test_answers_as_re_compile_does(pattern, flags, text):
    lazy, real = lazy_compile(pattern, flags), re.compile(pattern, flags)
    assert lazy.pattern == real.pattern and lazy.flags == real.flags and lazy.groups == real.groups
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert (lazy.match(text) is None) == (real.match(text) is None)
    assert lazy.sub(type(text)(), text) == real.sub(type(text)(), text)
    assert lazy.split(text) == real.split(text)


def test_compiles_once_and_only_when_used(monkeypatch):
    calls = []
    real_compile = re.compile
    monkeypatch.setattr(patterns.re, "compile", lambda *args: calls.append(args) or real_compile(*args))
    lazy = lazy_compile(r"(\d+)、")
    assert calls == []  # defining it compiles nothing
    assert lazy.match("12、支持").group(1) == "12"
    assert lazy.search("第3、") and lazy.findall("1、2、") == ["1", "2"]
    assert calls == [(r"(\d+)、", 0)]
