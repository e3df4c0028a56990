"""Provenance and clause ranking (issue 14): groups of near-identical hits, duplicate plans counted once,
a cap per plan, the seeds as corpus rows, matrix links that resolve, one language on the terminal."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from compare.cli import main
from conftest import SEED, needs_corpus

CLAUSE = "支持小额贷款公司、融资担保公司规范发展，加强地方金融组织监管。"
QUERY = "支持小额贷款公司、融资担保公司规范发展，加强地方金融组织监管"


def _law(title: str, adopted: str, articles: list[str]) -> str:
    body = "\n\n".join(f"第{n}条 {text}" for n, text in zip("一二三四五六七八九十", articles))
    return f"# {title}\n\n{adopted} 示范省人民代表大会常务委员会通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n{body}\n"


# Three plans that say the clause (2012, 2016, 2021), the 2021 plan saying it in five articles; a news-site
# copy of the 2021 plan (front matter, quote markers, another footer); and a plan on another topic.
PLANS = {
    "qingdao-like-2012.md": _law("甲市金融发展促进条例", "2012年9月27日", [
        "为了促进金融业发展，制定本条例。", CLAUSE, "市人民政府应当设立金融发展专项资金。"]),
    "shandong-like-2016.md": _law("乙省地方金融条例", "2016年3月30日", [
        "为了规范地方金融活动，制定本条例。", CLAUSE.replace("加强", "进一步加强"), "鼓励发展农村金融。"]),
    "plan-2021.md": _law("丙区金融改革方案", "2021年12月13日", [
        CLAUSE, "支持小额贷款公司规范发展，加强地方金融组织监管，防范风险。",
        "支持融资担保公司规范发展，加强地方金融组织监管和信息报送。",
        "支持小额贷款公司、融资担保公司规范发展，加强地方金融组织监管，服务小微企业。",
        "支持小额贷款公司、融资担保公司规范发展，加强地方金融组织监管，支持乡村振兴。",
        "推动数字人民币试点。"]),
    "trade-2019.md": _law("丁省自由贸易试验区条例", "2019年9月26日", [
        "为了推进自由贸易试验区建设，制定本条例。", "试验区实行外商投资准入前国民待遇加负面清单管理制度。"]),
}


def _news_copy(text: str) -> str:
    lines = text.replace("<!-- INFO END -->\n\n", "").splitlines()
    return ('---\ntitle: "丙区金融改革方案（全文）"\ndate: 2021-12-30 09:00:00 +0800\n---\n'
            + "\n".join("> " + line if line.startswith("第") else line for line in lines) + "\n\n（来源：新闻网）\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("provenance") / "corpus"
    folder.mkdir()
    for name, text in PLANS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "plan-2021-news.md").write_text(_news_copy(PLANS["plan-2021.md"]), encoding="utf-8")
    return folder


def _lines(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _clauses(corpus, *args) -> list[dict]:
    return _lines(CliRunner().invoke(main, ["clauses", *args, "--corpus", str(corpus), "--format", "json"]))


def _match(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def _assert_no_first_after_a_near_identical_hit(hits: list[dict]) -> None:
    """The issue's test: no output names a "first" plan dated after a hit near-identical to it."""
    by_group: dict[tuple, list[dict]] = {}
    for h in hits:
        if h["group"]:
            by_group.setdefault((h["query_id"], h["group"]), []).append(h)
    for members in by_group.values():
        first = {(h["group_first_plan"], h["group_first_date"]) for h in members}
        assert len(first) == 1  # one first per group
        (_, first_date), = first
        for h in members:
            assert h["date"] is None or first_date <= h["date"], (first, h["plan"], h["date"])
            assert h["earliest"] == (h["date"] is not None and h["date"][:len(first_date)] <= first_date)
    same_text: dict[tuple, list[dict]] = {}
    for h in hits:  # identical texts are near-identical: always in one group
        same_text.setdefault((h["query_id"], _match(h["text"])), []).append(h)
    for members in same_text.values():
        if len({h["plan"] for h in members}) > 1:
            assert len({h["group"] for h in members}) == 1 and members[0]["group"]


def test_first_said_belongs_to_a_group_of_near_identical_hits(corpus):
    hits = _clauses(corpus, "--query", QUERY, "--top", "10")
    _assert_no_first_after_a_near_identical_hit(hits)
    group = [h for h in hits if _match(h["text"]) == _match(CLAUSE)]
    plans = {h["plan"] for h in group}
    assert len(plans) == 2 and "qingdao-like-2012" in plans  # and one of plan-2021 and its news copy, once
    assert {h["group_first_plan"] for h in group} == {"qingdao-like-2012"}
    assert [h["earliest"] for h in sorted(group, key=lambda h: h["date"])] == [True, False]
    # the 2016 wording ("进一步加强") is near-identical too: same group, first still 2012
    assert any(h["plan"] == "shandong-like-2016" and h["group"] == group[0]["group"] for h in hits)

    table = CliRunner().invoke(main, ["clauses", "--query", QUERY, "--top", "10", "--corpus", str(corpus),
                                      "--lang", "en"]).stdout
    firsts = re.findall(r"first said: (\S+) \((\S+)\)", table)
    assert firsts and len(firsts) == len(set(re.findall(r"\[group (\d+)", table)))  # once per group
    hit_rows = re.findall(r"^  \d+\. .*$", table, re.M)
    assert hit_rows and not any("first said" in row for row in hit_rows)  # a hit row never names a first plan
    for row in hit_rows:
        m = re.search(r"\d\.\d{3}  (\S+) (\S+)  .*\[group (\d+)", row)
        if m:
            first_plan, first_date = firsts[int(m.group(3)) - 1]
            assert first_date <= m.group(2)
            assert ("earliest" in row) == (m.group(2) == first_date)


def test_duplicate_plans_are_counted_once_unless_kept(corpus):
    hits = _clauses(corpus, "--query", QUERY, "--top", "20", "--per-plan", "9")
    assert len({"plan-2021-news", "plan-2021"} & {h["plan"] for h in hits}) == 1
    kept = _clauses(corpus, "--query", QUERY, "--top", "20", "--per-plan", "9", "--keep-duplicates")
    assert {"plan-2021-news", "plan-2021"} <= {h["plan"] for h in kept}
    _assert_no_first_after_a_near_identical_hit(kept)

    runner = CliRunner()
    ranks = _lines(runner.invoke(main, ["rank", str(corpus / "qingdao-like-2012.md"), "--corpus", str(corpus),
                                        "--format", "json"]))
    names = [r["name"] for r in ranks]
    assert "qingdao-like-2012" not in names
    copies = [r for r in ranks if r["name"] in ("plan-2021", "plan-2021-news")]
    assert len(copies) == 1 and {copies[0]["name"], *copies[0]["duplicates"]} == {"plan-2021", "plan-2021-news"}
    kept = _lines(runner.invoke(main, ["rank", str(corpus / "qingdao-like-2012.md"), "--corpus", str(corpus),
                                       "--format", "json", "--keep-duplicates"]))
    assert {"plan-2021", "plan-2021-news"} <= {r["name"] for r in kept}
    # ranking the plan itself: its news copy is the plan itself, never a row
    own = _lines(runner.invoke(main, ["rank", str(corpus / "plan-2021.md"), "--corpus", str(corpus), "--format", "json"]))
    assert not {"plan-2021", "plan-2021-news"} & {r["name"] for r in own}
    assert own  # the other plans are there


def test_keep_duplicates_never_names_the_query_plan_as_a_copy_inside_a_row(corpus):
    """rank/matrix --keep-duplicates list each copy on its own row: no row says it holds a copy (before, the
    news copy's row read '（含近同副本：plan-2021）' when plan-2021 itself was the query)."""
    runner = CliRunner()
    rows = _lines(runner.invoke(main, ["rank", str(corpus / "plan-2021.md"), "--corpus", str(corpus),
                                       "--format", "json", "--keep-duplicates"]))
    assert "plan-2021-news" in {r["name"] for r in rows} and "plan-2021" not in {r["name"] for r in rows}
    assert all(r["duplicates"] == [] for r in rows)
    table = runner.invoke(main, ["rank", str(corpus / "plan-2021.md"), "--corpus", str(corpus),
                                 "--keep-duplicates"]).stdout
    assert "含近同副本" not in table
    kept = _lines(runner.invoke(main, ["rank", str(corpus / "qingdao-like-2012.md"), "--corpus", str(corpus),
                                       "--format", "json", "--keep-duplicates"]))
    assert all(r["duplicates"] == [] for r in kept)  # each copy its own row: none counted in another

    page = corpus.parent / "m.html"
    result = runner.invoke(main, ["matrix", str(corpus / "trade-2019.md"), "--corpus", str(corpus), "-o", str(page)])
    assert result.exit_code == 0, result.output
    labels = re.findall(r'class="row-label"[^>]*>([^<]+)<', page.read_text(encoding="utf-8"))
    assert len({"plan-2021", "plan-2021-news"} & set(labels)) == 1


def test_per_plan_caps_the_hits_of_one_plan(corpus):
    for per_plan, expected in ((None, 3), ("1", 1), ("2", 2)):
        hits = _clauses(corpus, "--query", QUERY, "--top", "8", *(["--per-plan", per_plan] if per_plan else []))
        counts: dict[str, int] = {}
        for h in hits:
            counts[h["plan"]] = counts.get(h["plan"], 0) + 1
        said = [n for n in counts if n.startswith("plan-2021")]  # five articles say it there (once: its copy)
        assert len(said) == 1 and counts[said[0]] == expected and max(counts.values()) == expected


def test_the_seed_is_a_corpus_row(corpus, tmp_path):
    hits = _clauses(corpus, "--query", "健全金融审判体系，研究设立金融法院", "--top", "3")
    assert hits and hits[0]["plan"] == SEED.stem
    page = tmp_path / "m.html"
    result = CliRunner().invoke(main, ["matrix", str(corpus / "trade-2019.md"), "--corpus", str(corpus), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert SEED.stem in re.findall(r'class="row-label"[^>]*>([^<]+)<', page.read_text(encoding="utf-8"))


def _hrefs(page: Path) -> list[str]:
    return [unquote(html.unescape(h)) for h in re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8"))]


def test_every_matrix_link_resolves(corpus, tmp_path):
    runner = CliRunner()
    alone = tmp_path / "alone"
    alone.mkdir()
    plan = corpus / "qingdao-like-2012.md"
    (alone / "qingdao-like-2012_vs_plan-2021.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    result = runner.invoke(main, ["matrix", str(plan), "--corpus", str(corpus), "-o", str(alone / "m.html")])
    assert result.exit_code == 0, result.output
    hrefs = _hrefs(alone / "m.html")
    assert set(hrefs) <= {"./qingdao-like-2012_vs_plan-2021.html"}  # the one report there, if its column is shown
    assert all((alone / h).is_file() for h in hrefs)

    out = tmp_path / "all"
    result = runner.invoke(main, ["run", "--all", str(plan), "--corpus", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    hrefs = _hrefs(out / "index.html")
    assert hrefs and all((out / h).is_file() for h in hrefs)
    assert {h[2:] for h in hrefs} >= {"qingdao-like-2012_vs_shandong-like-2016.html",
                                      f"qingdao-like-2012_vs_{SEED.stem}.html"}


def test_terminal_output_follows_lang(corpus, tmp_path):
    runner = CliRunner()
    a, b = str(corpus / "qingdao-like-2012.md"), str(corpus / "shandong-like-2016.md")
    zh = runner.invoke(main, ["run", a, b, "--corpus", str(corpus), "-o", str(tmp_path / "r.html")])
    en = runner.invoke(main, ["run", a, b, "--corpus", str(corpus), "-o", str(tmp_path / "r.html"), "--lang", "en"])
    assert zh.exit_code == 0 and en.exit_code == 0, zh.output + en.output
    assert re.search(r"总体相似度 \d\.\d\d · 已配对 \d+（.*）· 仅见于甲 \d+ · 仅见于乙 \d+", zh.stderr), zh.stderr
    assert "已写入" in zh.stderr and "only in" not in zh.stderr and "wrote" not in zh.stderr
    assert re.search(r"score \d\.\d\d · \d+ paired \(.*\) · \d+ only in A · \d+ only in B", en.stderr), en.stderr
    rank_zh = runner.invoke(main, ["rank", a, "--corpus", str(corpus)]).stdout
    rank_en = runner.invoke(main, ["rank", a, "--corpus", str(corpus), "--lang", "en", "--threshold", "0.3"]).stdout
    assert rank_zh.splitlines()[0].split()[1:3] == ["文件", "标题"] and "覆盖率（余弦≥0.2）" in rank_zh
    assert "covered (cos≥0.3)" in rank_en  # coverage is named with the threshold it counts

    bad = tmp_path / "bad-date.txt"
    bad.write_text("示范规划\n示范省人民政府\n2022年13月45日\n一、总体要求\n（一）指导思想。扩大开放。\n", encoding="utf-8")
    out = runner.invoke(main, ["sections", str(bad)])
    assert "警告：" in out.stderr and "忽略了不存在的日期" in out.stderr and "impossible" not in out.stderr
    out = runner.invoke(main, ["sections", str(bad), "--lang", "en"])
    assert "warning: " in out.stderr and "ignored an impossible date" in out.stderr


def test_a_query_is_named_in_the_interface_language(corpus):
    """clauses --query heads its table 查询 in zh and query in en; JSON keeps query_id "query"."""
    runner = CliRunner()
    zh = runner.invoke(main, ["clauses", "--query", QUERY, "--corpus", str(corpus)])
    en = runner.invoke(main, ["clauses", "--query", QUERY, "--corpus", str(corpus), "--lang", "en"])
    assert zh.exit_code == 0 and en.exit_code == 0, zh.output + en.output
    assert zh.stdout.startswith(f"查询  {QUERY}\n") and "query" not in zh.stdout
    assert en.stdout.startswith(f"query  {QUERY}\n")
    assert {h["query_id"] for h in _clauses(corpus, "--query", QUERY)} == {"query"}


@needs_corpus
def test_no_first_plan_later_than_a_near_identical_hit_over_the_real_corpus(shared_corpus, tmp_path):
    """The issue's case: the seed's clauses against the 20 real plans (a qingdao-2012 hit was labelled
    "first said: …-2021"); and with --keep-duplicates and a news copy of the seed in the corpus."""
    hits = _clauses(shared_corpus, str(SEED), "--index", str(tmp_path / "i.sqlite"), "--top", "8")
    assert len(hits) > 100 and any(h["group"] for h in hits)
    _assert_no_first_after_a_near_identical_hit(hits)


@pytest.mark.parametrize("seed", range(6))
def test_near_groups_are_the_single_link_components(seed):
    """Near-identical hits group by single link at NEAR_IDENTICAL (a chain a~b~c is one group even where a
    and c differ more), each group labelled by its first row: checked against union-find over every pair."""
    from types import SimpleNamespace

    import numpy as np
    from scipy import sparse as sp

    from compare.ranking import NEAR_IDENTICAL, near_groups

    rng = np.random.default_rng(seed)
    bases = rng.random((4, 30)) ** 4  # four unrelated clauses, and near copies of them
    rows = [bases[k] + rng.random(30) * rng.choice([0.0, 0.01, 0.3]) for k in rng.integers(0, 4, 40)]
    rows += [rows[0] * 1.0, bases[1] * 0.0 + 1.0]  # an exact copy; a clause like none of them
    dense = np.array(rows)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    corpus = SimpleNamespace(clause_rows=sp.csr_matrix(dense))
    chosen = [int(r) for r in rng.permutation(len(rows))[:35]]  # candidate rows: any subset, any order

    sim = dense[chosen] @ dense[chosen].T
    parent = list(range(len(chosen)))

    def root(k):
        while parent[k] != k:
            k = parent[k]
        return k

    for i in range(len(chosen)):
        for j in range(i + 1, len(chosen)):
            if sim[i, j] >= NEAR_IDENTICAL:
                parent[max(root(i), root(j))] = min(root(i), root(j))
    expected = [min(k for k in range(len(chosen)) if root(k) == root(i)) for i in range(len(chosen))]
    labels = near_groups(chosen, corpus)
    assert labels == expected
    assert 1 < len(set(labels)) < len(chosen)  # the case holds groups and singletons


@pytest.mark.parametrize("n_plans, n_terms, projected", [(40, 30, 1024), (700, 60, 8), (520, 400, 16)])
def test_near_identical_plans_are_every_pair_the_full_product_finds(monkeypatch, n_plans, n_terms, projected):
    """Plans whose whole-text cosine reaches DUPLICATE_COSINE: the screened search (heaviest columns first,
    exact products for what survives) finds exactly the pairs that every pair's product finds, in the
    same order, across blocks of 500 plans, with empty plans and columns fewer or more than it projects."""
    import numpy as np
    from scipy import sparse as sp

    from compare import derived

    monkeypatch.setattr(derived, "PROJECTED_COLUMNS", projected)
    rng = np.random.default_rng(n_plans)
    bases = sp.random(12, n_terms, density=0.3, random_state=n_plans, format="csr").toarray()
    rows = []
    for k in rng.integers(0, 12, n_plans):
        noise = rng.random(n_terms) * (rng.random(n_terms) < 0.1) * rng.choice([0.0, 0.02, 0.05, 0.5])
        rows.append(bases[k] + noise)
    rows[3] = np.zeros(n_terms)  # an empty plan: cosine 0 with every plan, itself included
    rows[4] = np.zeros(n_terms)
    dense = np.array(rows)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    matrix = sp.csr_matrix(np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0))
    full = (matrix @ matrix.T).toarray()
    expected = [(i, j) for i, j in zip(*np.nonzero(full >= derived.DUPLICATE_COSINE)) if i < j]
    assert derived._near_identical_pairs(matrix) == [(int(i), int(j)) for i, j in expected]
    assert 0 < len(expected) < n_plans * (n_plans - 1) // 2  # near copies and plans apart


def test_run_all_page_counts_its_plans_and_names_the_folded_copies(corpus, tmp_path):
    """run --all wrote a report per plan (the news copy included) while its page said one plan fewer, with no
    word of the copy folded into plan-2021's column: the page says what it shows and names what it folds."""
    out = tmp_path / "all"
    result = CliRunner().invoke(main, ["run", "--all", str(corpus / "qingdao-like-2012.md"), "--corpus", str(corpus),
                                       "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    reports = len(list(out.glob("*_vs_*.html")))
    page = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    shown = int(re.search(r"<span>(\d+) plans</span>", page).group(1))
    folded = re.search(r"<span>(\d+) near-duplicates? folded into the plans? (?:it copies|they copy), not shown apart: "
                       r"(plan-2021-news into plan-2021|plan-2021 into plan-2021-news)</span>", page)
    assert folded and shown + int(folded.group(1)) == reports
    own = CliRunner().invoke(main, ["matrix", str(corpus / "plan-2021.md"), "--corpus", str(corpus),
                                    "-o", str(tmp_path / "m.html"), "--lang", "zh"])
    assert own.exit_code == 0, own.output
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "plan-2021-news 与 plan-2021 近同，视为其本身，不单列" in page


def test_a_hit_alone_in_its_group_is_its_earliest_and_the_counts_are_what_the_readme_says(corpus):
    """A hit alone had earliest false and no first plan, and plans_with_it 0 beside group_plans 1, undocumented.
    Now a hit alone is its group's first and earliest; plans_with_it is one count per query clause (the
    plans holding a clause at cosine ≥ 0.8 to the query), and group_plans counts the hit's group."""
    from compare.ranking import BOILERPLATE_NEAR

    hits = _clauses(corpus, "--query", "推动数字人民币试点", "--min-score", "0.1")
    alone = [h for h in hits if h["group"] == 0]
    assert alone
    for h in alone:
        assert h["group_plans"] == 1 and h["earliest"] is True
        assert (h["group_first_plan"], h["group_first_date"]) == (h["plan"], h["date"])
    for query in (QUERY, "推动数字人民币试点"):
        hits = _clauses(corpus, "--query", query, "--top", "10", "--min-score", "0.1")
        assert len({h["plans_with_it"] for h in hits}) == 1  # one value per query clause
        near = {h["plan"] for h in hits if h["score"] >= BOILERPLATE_NEAR}
        assert hits[0]["plans_with_it"] == len(near)  # every plan with a near copy is a hit here (few plans)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    from compare.pages import CLAUSE_FIELDS

    documented = set(re.findall(r"^  \| (`[^|]+`) \|", readme, re.M))
    assert {f for cell in documented for f in re.findall(r"`(\w+)`", cell)} >= set(CLAUSE_FIELDS)


def test_a_revision_is_not_folded_into_the_text_it_revises(tmp_path):
    """Two versions of one law are near-identical (cosine 0.98 or more), but not copies: 证券公司风险处置条例 2023
    was folded into its 2016 text and the current law, whose penalty articles changed, vanished from rank and
    the matrix. A copy of the same year (a news site's) is still folded. Here the 2023 version moves two
    articles (the same words: cosine 1.0, another text)."""
    topics = ["小额贷款公司", "融资担保公司", "区域性股权市场", "典当行", "融资租赁公司", "商业保理公司"]
    articles = [f"{t}应当建立健全内部控制和风险管理制度，按照规定报送经营数据和重大事项。" for t in topics]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    old = _law("乙省地方金融条例", "2016年3月30日", articles)
    (corpus / "law-2016.md").write_text(old, encoding="utf-8")
    (corpus / "law-2016-news.md").write_text(old.replace("# 乙省", "# 转载：乙省"), encoding="utf-8")
    (corpus / "law-2023.md").write_text(_law("乙省地方金融条例", "2023年7月20日", articles[1:] + articles[:1]),
                                        encoding="utf-8")
    (corpus / "other.md").write_text(PLANS["trade-2019.md"], encoding="utf-8")
    ranks = _lines(CliRunner().invoke(main, ["rank", str(corpus / "other.md"), "--corpus", str(corpus),
                                             "--format", "json", "--threshold", "0"]))
    rows = {r["name"]: r["duplicates"] for r in ranks}
    assert rows["law-2023"] == []  # its own row
    copies = {"law-2016", "law-2016-news"}
    row = (copies & set(rows)).pop()  # the copy and its text are one row, as before
    assert rows[row] == sorted(copies - {row})
