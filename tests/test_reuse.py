"""compare reuse: corpus-wide clause reuse, in this process and on a Dask LocalCluster."""
from __future__ import annotations

import json
import os
import signal

import pytest
from click.testing import CliRunner

from compare.cli import main
from compare.reuse import MIN_TOKENS
from compare.reuse_engine import InProcess, OnDask, run_job

from conftest import needs_corpus, real_corpus_files

PENALTY = "违反本规定，构成犯罪的，依法追究刑事责任。"
NEGATIVE_LIST = "自贸试验区对外商投资实行准入前国民待遇加负面清单管理制度。"
OPENING = "为了规范地方金融组织的经营行为，防范和化解金融风险，促进地方金融健康发展，制定本条例。"

# Five small plans, each read: A (2015) first says OPENING and NEGATIVE_LIST; B (2018) copies both, C (2020)
# copies NEGATIVE_LIST with one word changed; PENALTY stands twice in C and once in B and D, so it is a formula.
PLANS = {
    "a-2015.md": ("2015-03-01", [OPENING, NEGATIVE_LIST, "支持绿色金融产品创新，鼓励金融机构开展碳排放权质押贷款。"]),
    "b-2018.md": ("2018-06-01", [OPENING, NEGATIVE_LIST, PENALTY, "推动数字人民币试点，拓展跨境支付应用场景。"]),
    "c-2020.md": ("2020-01-01", ["自贸试验区实行外商投资准入前国民待遇加负面清单管理制度。", PENALTY, PENALTY,
                                  "建设区域性股权市场，服务中小微企业直接融资。"]),
    "d-2021.md": ("2021-09-01", [PENALTY, "完善农村信用体系，扩大普惠金融覆盖面。"]),
    "e-2019.md": ("2019-05-01", ["加强金融消费者权益保护，畅通投诉处理渠道。"]),
}
# Six more plans that share nothing, so that three plans of eleven are not 30% of the corpus (boilerplate).
FILLERS = ["培育科技金融专营机构，发展知识产权质押融资。", "规范发展融资租赁公司，服务装备制造业转型升级。",
           "设立政府性融资担保基金，降低小微企业担保费率。", "引进境外合格投资者，开展跨境双向人民币资金池业务。",
           "支持保险资金参与重大基础设施项目建设。", "健全地方金融监管协调机制，压实属地风险处置责任。"]
PLANS.update({f"{'fghijk'[k]}-2022.md": ("2022-01-01", [text]) for k, text in enumerate(FILLERS)})


def write_plans(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, (date, clauses) in PLANS.items():
        articles = "\n\n".join(f"第{'一二三四五'[k]}条 {text}" for k, text in enumerate(clauses))
        (folder / name).write_text(f"---\ntitle: 规划{name[0]}\ndate: {date}\n---\n\n{articles}\n", encoding="utf-8")
    (folder / "broken.md").write_bytes(b"   \n")  # an empty plan: skipped and counted
    return folder


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    return write_plans(tmp_path_factory.mktemp("reuse") / "plans")


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster of 2 worker processes for the module (startup costs seconds)."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as c:
        yield c


def files(folder):
    from compare.corpus import plan_files

    return plan_files(folder)


def outcome(result):
    return (result.clusters, result.members, result.edges, result.candidates, result.verified, result.skipped)


@pytest.fixture(scope="module")
def in_process(small_corpus):
    return run_job(files(small_corpus), InProcess(), partitions=1)


def test_small_corpus_reads_right(in_process):
    r = in_process
    assert r.plans == 11 and len(r.skipped) == 1 and "broken.md" in r.skipped[0]
    by_text = {c.text: c for c in r.clusters}
    opening, negative, penalty = by_text[OPENING], by_text[NEGATIVE_LIST], by_text[PENALTY]
    assert [p["plan"] for p in opening.plans] == ["a-2015", "b-2018"] and not opening.boilerplate
    assert [p["plan"] for p in negative.plans] == ["a-2015", "b-2018", "c-2020"]  # the variant joins
    assert (negative.first_plan, negative.first_date) == ("a-2015", "2015-03-01")
    assert [p["plan"] for p in penalty.plans] == ["b-2018", "c-2020", "d-2021"]
    assert penalty.clauses == 4 and penalty.boilerplate  # in 3 plans and twice in c: a formula
    assert len(r.clusters) == 3  # nothing else is shared
    edges = {(e.source, e.target): e.shared for e in r.edges}
    assert edges == {("a-2015", "b-2018"): 2, ("a-2015", "c-2020"): 1, ("b-2018", "c-2020"): 1}  # boilerplate not


def test_results_do_not_depend_on_partitioning(small_corpus, in_process):
    assert outcome(run_job(files(small_corpus), InProcess(), partitions=5)) == outcome(in_process)


@pytest.mark.parametrize("partitions", [1, 2, 5, 9, 12])
def test_the_progress_ends_at_its_total(small_corpus, partitions):
    """--scheduler local's bar stopped at 76%: the job expected more tasks than it ran. Now the last call is
    (total, total), done never exceeds the total, and neither goes back."""
    calls = []
    run_job(files(small_corpus), InProcess(lambda done, total, _: calls.append((done, total))), partitions=partitions)
    assert calls[-1][0] == calls[-1][1] == len(calls)
    assert all(done <= total for done, total in calls)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)


def test_the_terminal_bar_shows_done_of_total_as_given(monkeypatch):
    """The bar follows (done, total) as the caller says them: a total that grows (the job's last tasks) ends
    the bar full, neither past it nor short of it."""
    import io
    import sys

    from compare.cli_common import progress_bar

    screen = io.StringIO()
    screen.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", screen)
    bar = progress_bar("progress.reuse", "en")
    update = bar.__enter__()
    for done in range(1, 9):
        update(done, 8, "task")
    update(9, 10, "describe")
    update(10, 10, "describe")
    assert (bar.bar.pos, bar.bar.length) == (10, 10)
    bar.__exit__(None, None, None)


def test_local_cluster_with_two_workers_equals_in_process(small_corpus, in_process, cluster):
    calls = []
    executor = OnDask(cluster.scheduler_address, progress=lambda done, total, _: calls.append((done, total)))
    try:
        assert executor.workers() == 2
        result = run_job(files(small_corpus), executor)
    finally:
        executor.close()
    assert outcome(result) == outcome(in_process)
    assert calls[-1][0] == calls[-1][1] == len(calls)  # on Dask too the bar ends at 100%


def test_killing_a_worker_mid_job_changes_nothing(small_corpus, in_process, cluster):
    killed = []

    def kill_one(done, total, _):
        if not killed and done < total:
            pid = sorted(executor.client.run(os.getpid).values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append((pid, done, total))

    executor = OnDask(cluster.scheduler_address, progress=kill_one)
    try:
        result = run_job(files(small_corpus), executor)
    finally:
        executor.close()
    assert killed and killed[0][1] < killed[0][2]  # killed while tasks were still to run
    assert outcome(result) == outcome(in_process)


def test_cli_writes_tables_page_and_json(small_corpus, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "reuse"
    result = CliRunner().invoke(main, ["reuse", "--corpus", str(small_corpus), "--scheduler", "local",
                                       "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "警告：" in result.stderr and "broken.md" in result.stderr and "跳过 1 个" in result.stderr
    assert "文本复用：" in result.stderr  # the terminal speaks the interface language (zh by default)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [set(r) for r in rows] == [{"id", "size", "plans", "first", "boilerplate", "text"}] * 3
    negative = next(r for r in rows if r["text"] == NEGATIVE_LIST)
    assert negative["first"] == {"plan": "a-2015", "date": "2015-03-01"} and negative["size"] == 3
    assert negative["plans"][0] == {"plan": "a-2015", "date": "2015-03-01", "sections": ["第二条"]}
    members = pq.read_table(out / "members.parquet").to_pylist()
    assert sorted((m["plan"], m["text"]) for m in members if m["text"] == PENALTY) == \
        [("b-2018", PENALTY), ("c-2020", PENALTY), ("c-2020", PENALTY), ("d-2021", PENALTY)]
    assert pq.read_table(out / "clusters.parquet").num_rows == 3
    assert pq.read_table(out / "edges.parquet").column_names == ["source", "target", "source_date", "target_date", "shared"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "扩散图" in page and "a-2015 → b-2018：共有 2 条分句" in page
    # plans that share nothing (d-2021 only the boilerplate penalty) are named under the graph, not left out
    assert "未与其他文件共有分句、因而不在图中的：e-2019，d-2021，f-2022，g-2022，h-2022，i-2022，j-2022，k-2022。" in page
    assert "<th title=\"见于至少 30% 的文件" in page and ">套话</th>" in page  # not the pair report's 未计入正文的内容
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = CliRunner().invoke(main, ["reuse", "--corpus", str(small_corpus), "--scheduler", "local", "-o", str(out),
                                      "--format", "csv"])
    assert again.exit_code == 0 and again.stdout.startswith("\ufeffid,size,clauses,first_plan")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # deterministic, byte for byte


@pytest.mark.parametrize("args, code, message", [
    (["-o", "{file}"], 2, "is not a folder"),
    (["-o", "{dir}", "--threshold", "1.5"], 2, "1.5"),
    (["-o", "{dir}", "--corpus", "{missing}"], 4, "corpus folder does not exist"),  # as for an unknown plan
])
def test_cli_refuses_bad_arguments(args, code, message, small_corpus, tmp_path):
    (tmp_path / "file").write_text("x")
    subst = {"file": tmp_path / "file", "dir": tmp_path / "out", "missing": tmp_path / "nope"}
    args = [a.format(**subst) for a in args]
    if "--corpus" not in args:
        args += ["--corpus", str(small_corpus)]
    result = CliRunner().invoke(main, ["reuse", "--scheduler", "local", *args], env={"COMPARE_LANG": "en"})
    assert result.exit_code == code and message in result.output
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the real corpus, read and then asserted

@pytest.fixture(scope="module")
def real():
    if not real_corpus_files():
        pytest.skip("the real plans are not here")
    from conftest import SHARED_CORPUS

    return run_job(files(SHARED_CORPUS), InProcess())


@needs_corpus
def test_penalty_clause_is_one_boilerplate_cluster(real):
    # Read in the corpus: 构成犯罪的，依法追究刑事责任 closes 12 clauses, in the AML law (2006 and 2024: 违反本法规定，…),
    # 山东省地方金融条例 (8 articles of chapter 5) and 上海市地方金融监督管理条例 (articles 34 and 41).
    holding = [m for m in real.members if "构成犯罪的，依法追究刑事责任" in m.text]
    assert len({m.cluster for m in holding}) == 1 and len(holding) == 12
    cluster = next(c for c in real.clusters if c.id == holding[0].cluster)
    assert cluster.boilerplate and cluster.clauses == 12
    assert [p["plan"] for p in cluster.plans] == ["aml-law-2006", "sd-local-finance-regulation-2016",
                                                 "sh-local-financial-supervision-regulation-2020", "aml-law-2024"]
    assert (cluster.first_plan, cluster.first_date) == ("aml-law-2006", "2006-10-31")
    assert not any(e for e in real.edges if e.shared == 0)


@needs_corpus
def test_the_page_lists_reuse_before_boilerplate(real):
    import re

    from compare.reuse_output import render_page

    flags = re.findall(r"<tr><td>(\d+)</td><td title=[^>]*>\d+</td><td>[^<]*</td><td>(✓?)</td>", render_page(real))
    # cluster 1, 本条例自2014年3月1日起施行 in five laws, is stock; 2 is reuse (自贸试验区实行外商投资准入前…)
    assert next(c for c in real.clusters if c.id == 1).boilerplate
    marks = [f for _, f in flags]
    assert flags[0] == ("2", "") and marks == sorted(marks)  # no stock row above a reuse row
    # 50 rows of reuse, then the stock phrases the hint says come last: a cut at 50 had left none, and the
    # 套话 column empty on every row
    stock = sum(c.boilerplate for c in real.clusters)
    assert marks.count("") == 50 and marks.count("✓") == min(10, stock) > 0


@needs_corpus
def test_every_plan_label_of_the_diffusion_graph_fits_inside_it(real):
    import re

    from compare.pages import display_width
    from compare.reuse_output import LABEL_PX, render_page

    page = render_page(real)
    width, height = map(int, re.search(r'<svg class="diffusion"[^>]* width="(\d+)" height="(\d+)"', page).groups())
    labels = re.findall(r'<text x="(\d+)" y="(\d+)" class="row-label" transform="rotate\(60[^>]*>([^<]+)<title>', page)
    assert len(labels) >= 15  # the plans that share clauses with another
    for x, y, name in labels:  # a label runs down-right at 60°
        reach = LABEL_PX * display_width(name)
        assert int(x) + reach / 2 <= width and int(y) + 0.86 * reach <= height, name


@needs_corpus
@pytest.mark.parametrize("old, new, share", [
    ("sh-business-environment-regulation-2020", "sh-business-environment-regulation-2024", 0.8),
    ("bj-business-environment-regulation-2020", "bj-business-environment-regulation-2024", 0.7),
    ("securities-firm-risk-disposal-regulation-2016", "securities-firm-risk-disposal-regulation-2023", 0.9),
    # the 2024 AML law rewrote the 2006 one (4,730 → 11,348 characters): about half of the old clauses stand
    ("aml-law-2006", "aml-law-2024", 0.45),
])
def test_version_pairs_share_most_clauses(real, old, new, share):
    clauses = {p["name"]: p["clauses"] for p in real.plan_list}
    edge = next(e for e in real.edges if (e.source, e.target) == (old, new))  # directed: old version first
    assert edge.shared >= share * clauses[old]
    strongest = max((e for e in real.edges if old in (e.source, e.target)), key=lambda e: e.shared)
    assert {strongest.source, strongest.target} == {old, new}


@needs_corpus
def test_free_trade_zone_regulations_form_a_family(real):
    ftz = {"sh-ftz-regulation-2014", "zj-ftz-regulation-2017", "cq-ftz-regulation-2019", "sd-ftz-regulation-2020"}
    shared = {frozenset((e.source, e.target)): e.shared for e in real.edges}
    for a in ftz:
        for b in ftz - {a}:
            # 4 to 12 clauses of reuse a pair (Shanghai 2014 shares 4 with Chongqing and with Shandong); the scope
            # article (本条例适用于…自由贸易试验区) that all four carry is a formula and counts for none of them
            assert shared.get(frozenset((a, b)), 0) >= 4, (a, b)
        strongest = max((e for e in real.edges if a in (e.source, e.target)), key=lambda e: (e.shared, e.source))
        assert {strongest.source, strongest.target} - {a} <= ftz  # each one's closest plan is another FTZ regulation
    negative_list = [c for c in real.clusters if ftz <= {p["plan"] for p in c.plans}]
    assert any("负面清单" in c.text and not c.boilerplate for c in negative_list)


@needs_corpus
def test_candidates_find_what_all_pairs_would(real):
    """Recall of the MinHash candidates against an exhaustive all-pairs scan at the same threshold."""
    import numpy as np

    from compare.reuse import parse_partition, fit_stats, partition_frequencies, vectorize
    from conftest import SHARED_CORPUS

    part = parse_partition(0, [str(p) for p in files(SHARED_CORPUS)])
    rows = vectorize(part, fit_stats(partition_frequencies(part)))
    scores = (rows @ rows.T).toarray()
    plan = np.array(part.clause_plan)
    ok = np.array([len(set(t)) >= MIN_TOKENS for t in part.tokens])
    a, b = np.nonzero(np.triu(np.round(scores, 9) >= real.threshold, 1) & (plan[:, None] != plan[None, :])
                      & ok[:, None] & ok[None, :])
    names = [p["name"] for p in part.plans]
    cluster_of = {(m.plan, m.clause): m.cluster for m in real.members}
    key = lambda i: (names[plan[i]], part.clause_ids[i])  # noqa: E731
    found = sum(1 for i, j in zip(a, b) if cluster_of.get(key(i)) is not None and cluster_of.get(key(i)) == cluster_of.get(key(j)))
    assert len(a) > 500 and found / len(a) >= 0.98
    assert real.candidates < 0.02 * real.all_pairs


@pytest.mark.parametrize("plans, copies, text, boilerplate", [
    (6, 1, "自贸试验区实行外商投资准入前国民待遇加负面清单管理模式。", True),  # in 30% of 20 plans
    (5, 1, "自贸试验区实行外商投资准入前国民待遇加负面清单管理模式。", False),  # borrowed by a quarter: reuse
    (3, 2, "违反本法规定，构成犯罪的，依法追究刑事责任。", True),  # a formula repeated inside one plan
    (2, 1, "本条例自2014年3月1日起施行。", True),  # when a law takes effect: every law says it
    (2, 1, "本法自 2007年1月1日 起施行", True),
    (2, 1, "本条例自公布之日起施行。", True),
    (2, 1, "本条例自2014年3月1日起施行前已经设立的机构，应当在一年内整改。", False),  # a transition rule
    (2, 1, "本条例适用于经国务院批准设立的中国（上海）自由贸易试验区（以下简称“自贸试验区”）。", True),  # scope
    (2, 1, "本条例适用于本市行政区域内优化营商环境的相关工作。", True),
    (2, 1, "海南自由贸易港建设和管理活动适用本法。", True),  # the scope, the other way round
    (2, 1, "有下列情形之一的，适用本条例：", False),
    (2, 1, "违反本条例规定的行为，法律、行政法规已有法律责任规定的，从其规定。", True),  # penalties elsewhere
    (2, 1, "违反本条例规定的行为,法律、行政法规和省的地方性法规已有法律责任规定的,从其规定。", True),
    (2, 1, "法律、行政法规另有规定的，从其规定。", True),
    (2, 1, "本条例适用于合作区建设和发展促进等活动；合作区执行委员会应当制定实施细则。", False),  # more than scope
    (2, 1, "违反本条例规定，擅自设立地方金融组织的，由市地方金融监管部门予以取缔。", False),  # a penalty itself
])
def test_boilerplate_rule(plans, copies, text, boilerplate):
    from compare.reuse import is_boilerplate

    assert is_boilerplate(plans, copies, 20, text) == boilerplate
