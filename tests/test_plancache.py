"""compare.plancache: a plan read back from the cache is the Document that parsing gives, field for field."""
from __future__ import annotations

import shutil

import pytest

from compare import plancache, sections
from compare.errors import InputError
from compare.load import load
from compare.models import Options
from conftest import DATA, SEED, real_corpus_files


def plans():
    return [SEED, *sorted((DATA / "sections").iterdir()), *real_corpus_files()]


def parsed(path, **options):
    return sections.parse(load(path, **options))


@pytest.mark.parametrize("path", plans(), ids=lambda p: p.name)
def test_a_kept_plan_equals_parsing_it_anew(tmp_path, monkeypatch, path):
    options = Options(cache_dir=str(tmp_path))
    try:
        fresh = parsed(path)
    except InputError:  # the fixtures include bad input: it raises from the cache's path the same way
        with pytest.raises(InputError):
            sections.load_plan(path, options)
        assert not (tmp_path / "plans").exists()
        return
    assert sections.load_plan(path, options) == fresh  # parsed, and kept
    monkeypatch.setattr(sections, "parse", lambda doc: pytest.fail("parsed again"))
    kept = sections.load_plan(path, options)
    assert kept == fresh and kept.warnings == fresh.warnings
    assert [getattr(w, "key", None) for w in kept.warnings] == [getattr(w, "key", None) for w in fresh.warnings]
    assert type(kept.preamble) is tuple and all(type(s.span) is tuple for s in kept.walk())


def test_the_key_holds_the_bytes_the_name_and_the_options(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    plan = tmp_path / "plan.txt"
    shutil.copy(DATA / "sections" / "law_style.md", plan)
    options = Options(cache_dir=str(cache))
    sections.load_plan(plan, options)
    calls = []
    real_parse = sections.parse
    monkeypatch.setattr(sections, "parse", lambda doc: calls.append(doc.path) or real_parse(doc))
    sections.load_plan(plan, options)
    assert calls == []
    sections.load_plan(plan, Options(cache_dir=str(cache), format="txt"))  # another reading
    renamed = tmp_path / "other-2021.txt"
    shutil.copy(plan, renamed)
    assert sections.load_plan(renamed, options).name == "other-2021"  # another name: its own messages and date
    plan.write_text(plan.read_text(encoding="utf-8") + "\n第九十九条 新增一条。\n", encoding="utf-8")
    assert "第九十九条" in sections.load_plan(plan, options).text
    monkeypatch.setattr(plancache, "_fingerprint", lambda: "another parser")
    sections.load_plan(plan, options)
    assert calls == [str(plan), str(renamed), str(plan), str(plan)]


def test_a_damaged_kept_plan_is_parsed_again(tmp_path):
    options = Options(cache_dir=str(tmp_path))
    fresh = sections.load_plan(SEED, options)
    for kept in (tmp_path / "plans").rglob("*.json"):
        kept.write_text('{"path": 1}', encoding="utf-8")
    assert sections.load_plan(SEED, options) == fresh
