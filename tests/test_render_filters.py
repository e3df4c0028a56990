"""The report's markup written in Python (compare.templating's filters) is the markup the jinja2 loops wrote,
byte for byte, and escapes everything; the environment's dict look-up means what jinja2's means."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from compare.diff import Segment, tokens_in
from compare.templating import diff_runs, environment, escape_text, heatmap_cells

HOSTILE = st.text(alphabet="金融<>&'\"/\\ a\n\ue000=;", max_size=20)

# the loops as _diff.html and _heatmap.html wrote them before the filters (run through the same environment)
SEGMENTS_LOOP = """{%- for s in segs -%}
{%- set open, close = ("<mark class=\\"shared\\">", "</mark>") if view == "shared" and s.op == 1 else ("", "") if view == "shared" or s.op == 0 else ("<del>", "</del>") if s.op == -1 else ("<ins>", "</ins>") if s.op == 1 else ("", "") -%}
{{ open|safe }}{% if s.mark %}<b class="force-marker tier-{{ s.mark }}">{{ s.text }}</b>{% else %}{{ s.text }}{% endif %}{{ close|safe }}
{%- endfor -%}"""
CELLS_LOOP = """{% for c in h.cells %}<a href="{{ c.href }}" class="cell{% if c.paired %} paired{% endif %}" data-ij="{{ c.ij }}"><rect x="{{ c.x }}" y="{{ c.y }}" width="{{ h.size }}" height="{{ h.size }}" fill="{{ c.fill }}"{% if c.paired %} stroke="#d9480f" stroke-width="2"{% endif %}><title>{{ c.tip }}</title></rect></a>{% endfor %}"""


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_escape_text_is_markupsafe(text):
    assert escape_text(text) == str(escape(text))


SEGMENT = st.builds(Segment, st.sampled_from([-1, 0, 1]), HOSTILE, st.sampled_from(["", "binding", "x\"<y"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(SEGMENT, max_size=6), st.sampled_from(["diff", "shared"]))
def test_diff_runs_writes_what_the_jinja2_loop_wrote(segments, view):
    env = environment()
    assert str(diff_runs(segments, view)) == env.from_string(SEGMENTS_LOOP).render(segs=segments, view=view)


@pytest.mark.parametrize("segments, view, expected", [
    ([Segment(0, "同"), Segment(-1, "<删>"), Segment(1, "增&")], "diff", "同<del>&lt;删&gt;</del><ins>增&amp;</ins>"),
    ([Segment(1, "共有"), Segment(0, "其余")], "shared", '<mark class="shared">共有</mark>其余'),
    ([Segment(-1, "应当", "binding")], "diff", '<del><b class="force-marker tier-binding">应当</b></del>'),
    # a sentence of a partial move: outside the run's tags, so the shared phrase's colour shows over it
    ([Segment(1, "融资<租赁>", "", '此句来自甲第"五"条')], "shared",
     '<span class="moved-text" title="此句来自甲第&#34;五&#34;条"><mark class="shared">融资&lt;租赁&gt;</mark></span>'),
    ([Segment(0, "不得", "binding", "此句现位于乙第三条"), Segment(0, "吸收")], "diff",
     '<span class="moved-text" title="此句现位于乙第三条"><b class="force-marker tier-binding">不得</b></span>吸收'),
    ([Segment(0, "文", "", '"><script>alert(1)</script>')], "diff",
     '<span class="moved-text" title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">文</span>'),
])
def test_diff_runs_markup(segments, view, expected):
    assert diff_runs(segments, view) == expected


CELL = st.fixed_dictionaries({"x": st.integers(0, 900), "y": st.integers(0, 900), "fill": st.just("rgb(40,40,255)"),
                              "paired": st.booleans(), "href": st.just("#p3"), "ij": st.just("1,2"), "tip": HOSTILE})


@settings(max_examples=100, deadline=None)
@given(st.lists(CELL, max_size=5), st.integers(4, 14))
def test_heatmap_cells_writes_what_the_jinja2_loop_wrote(cells, size):
    env = environment()
    expected = env.from_string(CELLS_LOOP).render(h={"cells": cells, "size": size})
    assert str(heatmap_cells(cells, size)) == expected


def test_a_tooltip_cannot_open_markup():
    cell = {"x": 1, "y": 2, "fill": "rgb(1,1,255)", "paired": True, "href": "#p0", "ij": "0,0",
            "tip": '</title><script>alert("x")</script>'}
    page = str(heatmap_cells([cell], 5))
    assert "<script>" not in page and "&lt;/title&gt;&lt;script&gt;" in page


@pytest.mark.parametrize("source, data, expected", [
    ("{{ d.kind }}", {"kind": "same"}, "same"),  # a key
    ("{{ d.keys()|list|join(',') }}", {"a": 1, "b": 2}, "a,b"),  # a dict's own attribute still wins
    ("{{ d.items()|list|length }}", {"items": 5}, "1"),  # even over a key of that name, as in jinja2
    ("{{ d.get('x', 7) }}", {}, "7"),
    ("{{ d.name }}", type("Obj", (), {"name": "attr"})(), "attr"),  # objects as before
    ("{{ d.x.y }}", {"x": {"y": "<b>"}}, "&lt;b&gt;"),  # escaped as ever
])
def test_dict_lookup_means_what_jinja2_means(source, data, expected):
    assert environment().from_string(source).render(d=data) == expected


def test_a_missing_key_is_still_a_strict_error():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ d.missing }}").render(d={"kind": "same"})


class _Seg:
    def __init__(self, text, ends):
        self.text, self.ends = text, ends


def _cut(seg, start, end):
    """tokens_in as it was: cut the text at every token end inside the span."""
    import bisect

    if start >= end:
        return []
    i = bisect.bisect_right(seg.ends, start)
    j = bisect.bisect_left(seg.ends, end, i)
    cuts = [start, *seg.ends[i:j], end]
    return [seg.text[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


@pytest.mark.parametrize("text, ends", [
    ("支持发展绿色金融。", [2, 4, 6, 8, 9]),
    ("abcdef", [2, 2, 4, 6]),  # an empty token: cut as before
    ("", []),
])
def test_tokens_in_slices_the_tokens_as_it_cut_them(text, ends):
    seg = _Seg(text, ends)
    for start in range(-2, len(text) + 3):
        for end in range(-2, len(text) + 3):
            assert tokens_in(seg, start, end) == _cut(seg, start, end), (start, end)
