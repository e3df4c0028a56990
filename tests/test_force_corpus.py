"""The corpus view of policy force (`compare profile --all`): every plan's tier profile ordered by date, its
genre, and the two answers (median binding share by genre; trend of binding+directive share over time)."""
from __future__ import annotations

import html
import json
import re

import pytest
from click.testing import CliRunner

from compare import api, force
from compare.cli import main
from compare.pages import profiles_summary, render_corpus_profiles
from compare.templating import Strings
from conftest import SEED, needs_corpus


def plan(folder, name, title, date, body="第一条 金融机构应当依法经营。\n\n第二条 支持设立村镇银行。\n"):
    when = f"{date[:4]}年{int(date[5:7])}月{int(date[8:])}日\n\n" if date else ""
    (folder / f"{name}.md").write_text(f"# {title}\n\n{when}{body}", encoding="utf-8")


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    plan(folder, "zeta-2018", "甲市金融条例", "2018-05-01")
    plan(folder, "beta-2019", "乙市金融条例", "2019-01-01")
    plan(folder, "alpha-2019", "丙市金融发展规划", "2019-01-01", "一、推进金融改革。\n\n二、探索设立基金。\n")
    plan(folder, "gamma", "丁市金融条例", None)
    plan(folder, "aardvark", "戊市实施方案", None, "一、支持银行发展。\n")
    (folder / "seed-copy.md").write_bytes(SEED.read_bytes())  # the seed again: listed once
    return folder


def test_rows_are_ordered_by_date_undated_last_ties_by_name(corpus):
    cp = api.profiles(str(corpus))
    assert [(r.plan, r.date) for r in cp.rows] == [
        ("zeta-2018", "2018-05-01"), ("alpha-2019", "2019-01-01"), ("beta-2019", "2019-01-01"),
        (SEED.stem, "2021-12-13"), ("aardvark", None), ("gamma", None)]
    assert cp.skipped == []


def test_every_plan_appears_once_with_its_counts(corpus):
    data = json.loads(CliRunner().invoke(main, ["profile", "--all", "--corpus", str(corpus), "--format", "json"]).output)
    names = [p["plan"] for p in data["plans"]]
    assert sorted(names) == sorted({"zeta-2018", "beta-2019", "alpha-2019", "gamma", "aardvark", SEED.stem})
    beta = next(p for p in data["plans"] if p["plan"] == "beta-2019")
    assert beta["tiers"] == {"binding": 1, "directive": 0, "supportive": 1, "exploratory": 0, "none": 0}
    assert beta["shares"]["binding"] == 0.5 and beta["binding_directive_share"] == 0.5
    assert beta["genre"] == "regulation" and beta["per_10k"]["binding"] > 0


def test_a_bad_file_is_skipped_and_counted(corpus):
    (corpus / "broken.md").write_bytes(b"")
    result = CliRunner().invoke(main, ["profile", "--all", "--corpus", str(corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["skipped"]) == 1 and "broken.md" in data["skipped"][0]
    assert "broken" not in [p["plan"] for p in data["plans"]] and len(data["plans"]) == 6
    assert "警告：" in result.stderr and "6 份文件，跳过 1 个" in result.stderr
    page = render_corpus_profiles(api.profiles(str(corpus)), "html")
    assert Strings()("profiles_skipped", n=1) in page


def test_page_is_deterministic_and_escapes_titles(corpus, tmp_path):
    plan(corpus, "evil", '<script>alert("x")</script>条例', "2020-01-01")
    runner = CliRunner()
    pages = []
    for k in range(2):
        out = tmp_path / f"p{k}.html"
        result = runner.invoke(main, ["profile", "--all", "--corpus", str(corpus), "-o", str(out)])
        assert result.exit_code == 0, result.output
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "<script" not in page  # the page needs no script at all
    assert page.count('class="profile-bar"') == 7


def test_csv_and_json_follow_the_output_suffix(corpus, tmp_path):
    runner = CliRunner()
    for name, start in (("p.csv", "\ufeffplan,title,date,genre,chars,clauses,binding,"), ("p.json", "{")):
        out = tmp_path / name
        assert runner.invoke(main, ["profile", "--all", "--corpus", str(corpus), "-o", str(out)]).exit_code == 0
        assert out.read_text(encoding="utf-8").startswith(start)
    rows = (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 7 and rows[1].startswith("zeta-2018,甲市金融条例,2018-05-01,regulation,")


@pytest.mark.parametrize("title, genre", [
    ("成渝共建西部金融中心规划", "plan"),
    ("某省金融业发展实施方案", "plan"),
    ("关于金融支持实体经济的指导意见", "plan"),
    ("中华人民共和国反洗钱法", "regulation"),
    ("中华人民共和国反洗钱法（2006年原文；与aml-law-2024为新旧版本对）", "regulation"),
    ("《温州市民间融资管理条例》", "regulation"),
    ("某市地方金融组织管理办法（试行）", "regulation"),
    ("关于做好金融工作的通知", "other"),
    ("", "other"),
])
def test_genre_is_the_titles_last_word(title, genre):
    assert force.genre(title) == genre


@pytest.mark.parametrize("xs, ys, rho", [
    ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
    ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
    (["2001", "2002", "2003", "2004"], [0.1, 0.3, 0.2, 0.4], 0.8),
    ([1, 2, 2, 3], [1, 2, 3, 4], 0.9487),  # ties take their average rank
    ([1, 2], [1, 2], None),  # too few
    ([1, 2, 3], [5, 5, 5], None),  # no variation
])
def test_spearman(xs, ys, rho):
    assert force.spearman(xs, ys) == rho


def test_summary_reads_the_figures(corpus):
    cp = api.profiles(str(corpus))
    assert set(cp.by_genre) == {"plan", "regulation"} and cp.by_genre["regulation"]["plans"] == 3
    assert cp.trend["plans"] == 4 and cp.trend["threshold"] == round(1.96 / 3 ** 0.5, 4)
    en = profiles_summary(cp, Strings("en"))
    assert "median binding share of plan (3): 0%; median binding share of regulation/law (3): 50%." in en[0]
    assert "fewer than 3" not in en[0] and en[1].endswith("(4 dated; |ρ| must exceed 1.13 to stand out from chance): "
                                                         "no clear trend.")


def _row(name, genre, date, binding, directive=0.0):
    shares = {"binding": binding, "directive": directive, "supportive": 0.0, "exploratory": 0.0,
              "none": round(1 - binding - directive, 4)}
    return force.CorpusRow(name, name, date, genre, name, 100, 10, {}, {}, shares)


def test_summary_says_when_a_genre_has_too_few_plans_and_reads_a_trend():
    rows = [_row(f"r{k}", "regulation", f"20{10 + k}-01-01", 0.1 * k, 0.05) for k in range(6)]
    cp = force.corpus_profiles(rows + [_row("p", "plan", None, 0.0)], [])
    assert cp.by_genre == {"plan": {"plans": 1, "median_binding_share": 0.0},
                           "regulation": {"plans": 6, "median_binding_share": 0.25}}
    assert cp.trend == {"plans": 6, "rho": 1.0, "threshold": round(1.96 / 5 ** 0.5, 4), "direction": "rising"}
    zh = profiles_summary(cp, Strings("zh"))
    assert "规划类（1 部）约束分句占比中位数 0%" in zh[0] and "规划类不足 3 部" in zh[0]
    assert "ρ = +1.00" in zh[1] and zh[1].endswith("随时间上升。")


def test_cli_checks_its_options(corpus):
    runner = CliRunner()
    for args, message in ((["profile", "--corpus", str(corpus)], "give a PLAN"),
                          (["profile", "--all", str(SEED), "--corpus", str(corpus)], "--all takes no PLAN"),
                          (["profile", str(SEED), "--format", "html"], "needs --all")):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and message in result.output


@needs_corpus
def test_real_corpus_page_shows_the_printed_figures(shared_corpus, tmp_path):
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["profile", "--all", "--corpus", str(shared_corpus), "--format", "json"]).stdout)
    table = runner.invoke(main, ["profile", "--all", "--corpus", str(shared_corpus), "--lang", "en"]).stdout
    table_zh = runner.invoke(main, ["profile", "--all", "--corpus", str(shared_corpus)]).stdout  # zh by default
    out = tmp_path / "profiles.html"
    assert runner.invoke(main, ["profile", "--all", "--corpus", str(shared_corpus), "-o", str(out)]).exit_code == 0
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert data["skipped"] == [] and len(data["plans"]) == len(list(shared_corpus.glob("*.md"))) + 1  # + the seed
    zh = Strings("zh")
    for genre, v in data["by_genre"].items():
        share = f"{v['median_binding_share']:.0%}"
        assert zh("profiles_genre_median", genre=zh("genre." + genre), n=v["plans"], share=share) in page
        assert zh("profiles_genre_median", genre=zh("genre." + genre), n=v["plans"], share=share) in table_zh
        assert f"median binding share of {Strings('en')('genre.' + genre)} ({v['plans']}): {share}" in table
    rho = f"{data['trend']['rho']:+.2f}"
    assert f"ρ = {rho}" in page and f"ρ of the binding+directive share against date = {rho}" in table
    assert zh("trend." + data["trend"]["direction"]) in page
    shown = re.findall(r'<small>([^<]+)</small></th>', page)  # plan names in the page's row order
    assert shown == [p["plan"] for p in data["plans"]]
    for p in data["plans"]:
        assert f"{p['binding_directive_share']:.0%}" in page
