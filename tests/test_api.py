"""The notebook API: the README's example, run as written."""
from __future__ import annotations

import json
import re
import sys

from conftest import ROOT, SHARED_CORPUS, needs_corpus


def _readme_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python and notebooks"):readme.index("## Reading a report")]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@needs_corpus
def test_the_readme_notebook_example_runs(tmp_path, monkeypatch):
    """The first block runs after `pip install .` alone (no pandas: the README's first command does not install
    it); the second, which the README says needs pandas, makes tables of its rows."""
    import shutil

    monkeypatch.chdir(tmp_path)
    corpus = shutil.copytree(SHARED_CORPUS, tmp_path / "corpus")  # rank and clauses index the folder they read
    plain, with_pandas = [code.replace("../shared/corpus", str(corpus)) for code in _readme_examples()]
    scope: dict = {}
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "pandas", None)  # `import pandas` fails, as where only `pip install .` ran
        exec(compile(plain, "README.md", "exec"), scope)
    c = scope["c"]
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(scope["data"])["a"]["title"] == "成渝共建西部金融中心规划"
    assert scope["a_texts"] and scope["b_texts"]
    assert all(isinstance(t, str) and t for t in scope["a_texts"] + scope["b_texts"])
    assert 0.0 <= c.score <= 1.0
    assert all(isinstance(row, dict) for row in scope["ranks"] + scope["hits"])

    import pandas as pd  # a test dependency: the second block uses it, compare itself does not

    exec(compile(with_pandas, "README.md", "exec"), scope)
    ranks = scope["ranks_table"]
    assert isinstance(ranks, pd.DataFrame) and {"name", "score", "coverage"} <= set(ranks.columns)
    assert len(ranks) == 5 and list(ranks["score"]) == sorted(ranks["score"], reverse=True)
    assert {"plan", "text", "score"} <= set(scope["hits_table"].columns)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "`pip install .` does not install pandas" in readme  # said where the pandas block needs it


def test_import_compare_is_light_and_to_html_never_overwrites_a_plan(tmp_path):
    import subprocess

    loaded = subprocess.run([sys.executable, "-c", "import compare, sys; print(sorted(m for m in sys.modules "
                             "if m.startswith(('numpy', 'scipy', 'jinja2', 'compare.'))))"],
                            capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"

    import compare
    from compare.errors import BadArgument

    a = tmp_path / "a.md"
    a.write_text("第一条 为了规范地方金融组织，制定本条例。\n第二条 小额贷款公司应当依法经营。\n", encoding="utf-8")
    b = tmp_path / "b.md"
    b.write_text("第一条 为了促进地方金融发展，制定本条例。\n第二条 小额贷款公司应当依法经营。\n", encoding="utf-8")
    c = compare.run(str(a), str(b), corpus=str(tmp_path / "none"), threshold=0.1)
    same = next(p for p in c.pairs if p.kind == "same")
    assert c.texts(same) == (["第二条 小额贷款公司应当依法经营。"], ["第二条 小额贷款公司应当依法经营。"])
    try:
        c.to_html(str(a))
        raise AssertionError("to_html overwrote plan A")
    except BadArgument:
        pass
    assert a.read_text(encoding="utf-8").startswith("第一条")
    assert c.to_html(str(tmp_path / "r.html")).startswith("<!DOCTYPE html>")


def test_a_comparison_renders_in_the_language_it_was_run_with(tmp_path):
    """compare.run(…, lang="en").to_html() is the English page, as `compare run --lang en` writes it;
    to_html(lang=…) overrides it, and the JSON is the same in either language."""
    import compare
    from compare.models import Options
    from compare.report import render_html

    a = tmp_path / "a.md"
    a.write_text("第一条 为了规范地方金融组织，制定本条例。\n第二条 小额贷款公司应当依法经营。\n", encoding="utf-8")
    b = tmp_path / "b.md"
    b.write_text("第一条 为了促进地方金融发展，制定本条例。\n第二条 小额贷款公司应当依法经营。\n", encoding="utf-8")
    corpus = str(tmp_path / "none")
    en = compare.run(str(a), str(b), corpus=corpus, lang="en")
    page = en.to_html(str(tmp_path / "en.html"))
    assert '<html lang="en">' in page and "Alignment at a glance" in page
    assert "对应关系总览" not in page and "目录" not in page
    assert page == render_html(en, Options(lang="en"))  # what `compare run --lang en` writes
    assert (tmp_path / "en.html").read_text(encoding="utf-8") == page
    zh = en.to_html(lang="zh")
    assert '<html lang="zh-CN">' in zh and "对应关系总览" in zh
    default = compare.run(str(a), str(b), corpus=corpus)
    assert default.to_html() == zh and default.to_html(lang="en") == page
    assert en.to_json() == default.to_json()


def test_the_notebook_functions_survive_their_modules_being_imported():
    """compare.rank is the function, even after the ranking stage's own module has been imported."""
    import importlib

    import compare

    importlib.import_module("compare.ranking")
    assert callable(compare.rank) and callable(compare.clauses) and callable(compare.run)
    assert compare.rank.__module__ == "compare"
