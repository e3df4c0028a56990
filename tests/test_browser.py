"""The report in a real browser: headless Debian Chromium driven by Playwright.

Skips where /usr/bin/chromium or the playwright package is missing (.ci/run installs both).
A screenshot is saved to tests/artifacts/ for people to look at.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compare.cli import main
from conftest import DATA, SEED, SHARED_CORPUS, chromium

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    yield from chromium("browser tests")


def _report(tmp_path, a, b, corpus):
    out, js = tmp_path / "report.html", tmp_path / "report.json"
    result = CliRunner().invoke(main, ["run", str(a), str(b), "--corpus", str(corpus), "-o", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    return out, json.loads(js.read_text(encoding="utf-8"))


def _open(browser, path, width=1400, height=1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.goto(path.as_uri())
    return page, problems


def test_report_works_in_chromium(browser, tmp_path):
    other = SHARED_CORPUS / "zj-local-finance-regulation-2020.md"
    b_plan = other if other.exists() else DATA / "sections" / "law_style.md"
    corpus = SHARED_CORPUS if other.exists() else tmp_path
    path, data = _report(tmp_path, SEED, b_plan, corpus)
    page, problems = _open(browser, path)
    data["pairs"] = [p for p in data["pairs"] if p["role"] != "item"]  # items stand inside their articles

    assert page.locator("details.pair").count() == len(data["pairs"])
    assert page.locator("text=成渝共建西部金融中心规划").first.is_visible()

    # The kind filter hides exactly the only-B pairs, then shows them again.
    only_b = sum(p["kind"] == "only_b" for p in data["pairs"])
    assert only_b > 0
    page.locator('input[data-filter-kind="only_b"]').uncheck()
    assert page.locator('details.pair[data-kind="only_b"]:visible').count() == 0
    assert page.locator("details.pair:visible").count() == len(data["pairs"]) - only_b
    page.locator('input[data-filter-kind="only_b"]').check()
    assert page.locator("details.pair:visible").count() == len(data["pairs"])

    # The page is in Chinese; same pairs start collapsed, changes open; expand all opens every pair.
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.inner_text("#visible-count") == f"显示 {len(data['pairs'])} / {len(data['pairs'])} 项"
    same = sum(p["kind"] == "same" for p in data["pairs"])
    assert page.locator('details.pair[data-kind="same"][open]').count() == 0
    assert page.locator('details.pair:not([data-kind="same"])[open]').count() == len(data["pairs"]) - same
    page.locator("#expand-all").click()
    assert page.locator("details.pair[open]").count() == len(data["pairs"])
    page.locator("#collapse-all").click()
    assert page.locator("details.pair[open]").count() == 0
    page.locator("#expand-all").click()
    toggle = page.locator("button.view-toggle").first
    before = toggle.inner_text()
    toggle.click()
    assert toggle.inner_text() != before and toggle.inner_text() in ("显示共同表述", "显示逐词差异")

    # Every heatmap cell names both sections and the score.
    tips = page.eval_on_selector_all("svg.heatmap a.cell title", "els => els.map(e => e.textContent)")
    assert tips and all(" × 乙 " in tip and tip.startswith("甲 ") and "相似度" in tip for tip in tips)

    # A click on a paired heatmap cell jumps to its pair.
    cell = page.locator("svg.heatmap a.paired").first
    target = cell.get_attribute("href")
    cell.click()
    assert page.evaluate("location.hash") == target
    box = page.locator(target).bounding_box()
    assert box is not None and 0 <= box["y"] < 1000

    # Next-change key moves to a non-"same" pair.
    page.evaluate("window.scrollTo(0, 0)")
    page.keyboard.press("n")
    assert page.evaluate("document.getElementById(location.hash.slice(1)).dataset.kind") != "same"

    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "report-top.png"))
    best = page.evaluate("""() => {  // the closest changed pair: the one a reader of the README learns most from
        const changed = [...document.querySelectorAll('details.pair[data-kind="changed"], details.pair[data-kind="split"]')];
        changed.sort((x, y) => parseFloat(y.dataset.score) - parseFloat(x.dataset.score));
        return changed[0].id; }""")
    page.locator(f"#{best}").scroll_into_view_if_needed()
    page.evaluate(f"document.getElementById('{best}').scrollIntoView({{block: 'start'}}); window.scrollBy(0, -50)")
    page.screenshot(path=str(ARTIFACTS / "report-pair.png"))
    assert problems == []


def test_english_interface_and_print(browser, tmp_path):
    out = tmp_path / "en.html"
    result = CliRunner().invoke(main, ["run", str(SEED), str(DATA / "sections" / "law_style.md"), "--corpus",
                                       str(tmp_path), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    page, problems = _open(browser, out)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.inner_text("#visible-count").endswith(" shown")
    assert page.locator("#expand-all").inner_text() == "expand all"
    # In print, the overview heading goes and the preamble opens.
    page.emulate_media(media="print")
    assert not page.locator("#overview h2").is_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("document.querySelector('#preambles details').open") is True
    assert page.locator("details.pair:not([open])").count() == 0
    assert problems == []


def test_hostile_plan_runs_no_script(browser, tmp_path):
    path, _ = _report(tmp_path, DATA / "hostile" / "hostile_plan.txt", SEED, tmp_path)
    page, problems = _open(browser, path)
    page.locator("#expand-all").click()
    page.wait_for_timeout(200)
    assert problems == []
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert "<script>alert(1)</script>" in page.inner_text("body")


def test_a_group_reads_as_what_it_is(browser, tmp_path, shared_corpus):
    """AML 2006 第二十四条 + 第二十五条 → 2024 第四十四条 shows every member side by side, with B's items."""
    path, data = _report(tmp_path, shared_corpus / "aml-law-2006.md", shared_corpus / "aml-law-2024.md", shared_corpus)
    page, problems = _open(browser, path)
    group = page.locator("details.pair[data-kind='merge']", has_text="第四十四条").first
    a_side, b_side = group.locator(".col-a"), group.locator(".col-b")
    assert "第二十四条" in a_side.inner_text() and "第二十五条" in a_side.inner_text()
    assert "（三）对可能被转移、隐匿、篡改或者毁损的文件" in b_side.inner_text().replace("\n", "")
    assert problems == []


def _follow(page, link):
    """Click a link inside the report; it lands on its target, in view."""
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    box = page.locator(target).bounding_box()
    assert box is not None and 0 <= box["y"] < 1000
    return target


def test_a_partial_move_links_both_ways(browser, tmp_path, shared_corpus):
    """Chongqing 第三十二条's sentence on financial leasing (推动内资融资租赁企业试点…) stands in Shandong
    第三十一条, which pairs with another article: the A card says where it went, the B card where it came
    from, each link lands on the other, and the sentence is highlighted on both ends. Two regions' laws were not
    edited one into the other: the notes say the text also stands there (见于), not that it moved out (移出)."""
    path, data = _report(tmp_path, shared_corpus / "cq-ftz-regulation-2019.md",
                         shared_corpus / "sd-ftz-regulation-2020.md", shared_corpus)
    names = {s["id"]: s.get("number", "") for side in ("a", "b") for s in data[side]["sections"]}
    moves = [(m["a"], m["b"]) for m in data["moves"]]
    assert [(names[a], names[b]) for a, b in moves] == [("第三十二条", "第三十一条")]
    page, problems = _open(browser, path)
    out = page.locator("a.move-link", has_text="甲第三十二条的 9 句中有 1 句另见于乙第三十一条")
    assert out.count() == 1 and "移出" not in page.content()
    moved_out = page.locator("details.pair", has=out).locator(".col-a .moved-text[title='此句另见于乙第三十一条']")
    assert "推动内资融资租赁企业试点" in "".join(moved_out.all_inner_texts())
    target = _follow(page, out)
    moved_in = page.locator(target).locator(".col-b .moved-text[title='此句另见于甲第三十二条']")
    assert "建立统一的内外资融资租赁企业准入标准" in "".join(moved_in.all_inner_texts())
    back = page.locator(target).locator("a.move-link", has_text="乙第三十一条有 1 句另见于甲第三十二条")
    assert back.count() == 1
    _follow(page, back)
    assert problems == []


def _reviewed_plans(tmp_path):
    """Two versions of a small law: B rewords 第三条 and 第五条 (read from tests/data/sections/law_style.md)."""
    a = DATA / "sections" / "law_style.md"
    b = tmp_path / "law_style_v2.md"
    text = a.read_text(encoding="utf-8")
    b.write_text(text.replace("应当加强监督管理", "应当依法加强日常监督管理")
                 .replace("应当建立风险防范制度", "应当建立健全风险防范和处置制度"), encoding="utf-8")
    return a, b


def test_review_pair_unpair_export_and_rerun(browser, tmp_path):
    """Pair two sections by clicking, unpair a pair, export the decisions, re-run with them: the new report
    and its JSON hold the reviewer's pair, and the unpaired sections stand apart."""
    from compare import api

    a_plan, b_plan = _reviewed_plans(tmp_path)
    path, data = _report(tmp_path, a_plan, b_plan, tmp_path)
    kinds = {(tuple(p["a"]), tuple(p["b"])): p["kind"] for p in data["pairs"]}
    assert kinds[("2/1/3",), ("2/1/3",)] == "changed" and kinds[("3/6",), ("3/6",)] == "same"
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    paired_before = int(page.inner_text(".counts li:first-child b"))

    page.keyboard.press("r")  # review mode, by key
    assert page.locator("#review-bar").is_visible()
    a_pair = page.locator("details.pair", has=page.locator('.col-a .sec[data-name="第二章/第一节/第三条"]'))
    page.locator(f'.toc-entry[data-for="{a_pair.get_attribute("id")}"] a').click()  # a contents entry picks A's side
    assert page.inner_text("#review-sel-a") == "第二章/第一节/第三条"
    assert page.evaluate("location.hash") == ""  # picked, not followed
    page.locator('.col-b .sec[data-name="第二章/第二节/第五条"] h3').first.click()  # a section heading picks B
    page.locator("#review-pair").click()
    assert "审阅者配对" in a_pair.locator("summary").inner_text()
    assert a_pair.evaluate("el => el.classList.contains('r-pair')")
    # The counts update: A 第三条 and B 第五条 leave their pairs, their old partners stand alone.
    assert int(page.inner_text(".counts li:first-child b")) == paired_before - 1
    last = page.locator("details.pair", has=page.locator('.col-a .sec[data-name="第三章/第六条"]'))
    last.locator("button.r-unpair").click()
    assert "已取消配对" in last.locator("summary").inner_text()
    assert page.locator("#decision-list li").count() == 2

    page.reload()  # kept in local storage, keyed by both plans' sha256
    assert page.locator("#decision-list li").count() == 2
    page.locator("#review-mode").check()
    with page.expect_download() as download:
        page.locator("#review-export").click()
    assert download.value.suggested_filename == "law_style_vs_law_style_v2.decisions.json"
    exported = tmp_path / "decisions.json"
    download.value.save_as(exported)
    saved = json.loads(exported.read_text(encoding="utf-8"))
    assert saved["format"] == "compare-decisions/1"
    assert saved["a"] == {"title": "示范省地方金融条例", "sha256": api.outline(str(a_plan)).sha256}
    assert saved["b"]["sha256"] == api.outline(str(b_plan)).sha256
    assert saved["decisions"] == [
        {"action": "pair", "a": ["第二章/第一节/第三条"], "b": ["第二章/第二节/第五条"]},
        {"action": "unpair", "a": ["第三章/第六条"], "b": ["第三章/第六条"]},
    ]
    assert problems == []

    out, js = tmp_path / "reviewed.html", tmp_path / "reviewed.json"
    result = CliRunner().invoke(main, ["run", str(a_plan), str(b_plan), "--corpus", str(tmp_path), "-o", str(out),
                                       "--json", str(js), "--decisions", str(exported)])
    assert result.exit_code == 0, result.output
    rerun = json.loads(js.read_text(encoding="utf-8"))
    decided = [(p["a"], p["b"], p["decided"]) for p in rerun["pairs"] if p.get("decided")]
    assert decided == [(["2/1/3"], ["2/2/5"], "pair")]
    assert not any("3/6" in p["a"] and "3/6" in p["b"] for p in rerun["pairs"])
    assert rerun["stale_decisions"] == []
    page2 = browser.new_page(viewport={"width": 1400, "height": 1000})
    page2.on("pageerror", lambda e: problems.append(str(e)))
    page2.goto(out.as_uri())
    reviewer = page2.locator('details.pair[data-decided="pair"]')
    assert reviewer.count() == 1
    assert reviewer.locator(".col-a .sec").get_attribute("data-name") == "第二章/第一节/第三条"
    assert reviewer.locator(".col-b .sec").get_attribute("data-name") == "第二章/第二节/第五条"
    assert "审阅者配对" in reviewer.locator("summary").inner_text()
    assert page2.locator("#decision-list li").count() == 2  # the decisions come with the report
    # The page recounts with its decisions at load: already applied, they change no count. The header counts
    # articles; headings (第X章) are counted apart.
    shown = [p for p in rerun["pairs"] if p["role"] == "unit"]
    assert int(page2.inner_text(".counts li:first-child b")) == sum(1 for p in shown if p["a"] and p["b"])
    assert int(page2.inner_text(".counts li.k-only_a b")) == sum(1 for p in shown if p["kind"] == "only_a")
    assert int(page2.inner_text(".counts li.k-only_b b")) == sum(1 for p in shown if p["kind"] == "only_b")


def test_corpus_profiles_page_in_chromium(browser, tmp_path):
    """`compare profile --all`: one bar per plan whose parts fill it, the answers shown, nothing blocked by the CSP."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "evil.md").write_text('# <img src=x onerror=alert(1)>条例\n\n2020年1月1日\n\n第一条 金融机构应当依法经营。\n',
                                    encoding="utf-8")
    (corpus / "other.md").write_text("# 某市金融发展规划\n\n2019年1月1日\n\n一、总体要求\n\n推进金融改革，支持设立基金。探索绿色金融。\n",
                                     encoding="utf-8")
    out = tmp_path / "profiles.html"
    result = CliRunner().invoke(main, ["profile", "--all", "--corpus", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, problems = _open(browser, out)
    assert page.evaluate("document.querySelectorAll('script, img, iframe').length") == 0
    assert page.locator("svg.profile-bar").count() == 3  # the two plans and the seed
    widths = page.eval_on_selector_all("svg.profile-bar", "bars => bars.map(b => [...b.querySelectorAll('rect')]"
                                       ".reduce((s, r) => s + r.getBBox().width, 0))")
    assert all(abs(w - 200) < 0.5 for w in widths), widths
    body = page.inner_text("body")
    assert "<img src=x onerror=alert(1)>条例" in body and "法规比规划更具约束力吗？" in body
    assert page.inner_text("tbody tr:first-child td.date") == "2019-01-01"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "profiles.png"), full_page=True)
    assert problems == []


def test_an_article_left_alone_pairs_with_its_nearest_in_one_click(browser, tmp_path, shared_corpus):
    """An only-in-A article names the other plan's nearest article, links to it, and review mode pairs the two
    with one button; the counts follow and the exported decision names both."""
    path, data = _report(tmp_path, shared_corpus / "sh-local-financial-supervision-regulation-2020.md",
                         shared_corpus / "sd-local-finance-regulation-2016.md", shared_corpus)
    alone_b = {p["b"][0] for p in data["pairs"] if p["kind"] == "only_b" and p["role"] == "unit"}
    n, pair = next((n, p) for n, p in enumerate(data["pairs"])
                   if p["kind"] == "only_a" and p.get("nearest") and p["nearest"]["id"] in alone_b)
    target = data["pairs"].index(next(p for p in data["pairs"] if p["b"] == [pair["nearest"]["id"]]))
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    el = page.locator(f"details.pair#p{n}")
    link = el.locator("summary a.nearest-link")
    assert link.get_attribute("href") == f"#p{target}"
    from compare.templating import two_decimals

    assert f"（{two_decimals(pair['nearest']['score'])}）" in link.inner_text() and link.inner_text().startswith("最接近：乙")
    name_a = el.locator(".col-a .sec").first.get_attribute("data-name")
    name_b = link.get_attribute("data-nearest-name")
    assert page.locator(f"details.pair#p{target} .col-b .sec").first.get_attribute("data-name") == name_b
    counts = {k: int(page.inner_text(f".counts li.k-{k} b")) for k in ("only_a", "only_b")}
    paired = int(page.inner_text(".counts li:first-child b"))

    page.keyboard.press("r")
    el.locator("button.r-nearest").click()
    assert "审阅者配对" in el.locator("summary").inner_text()
    assert int(page.inner_text(".counts li:first-child b")) == paired + 1
    assert int(page.inner_text(".counts li.k-only_a b")) == counts["only_a"] - 1
    assert int(page.inner_text(".counts li.k-only_b b")) == counts["only_b"] - 1
    # the kinds add up to the pairs: the reviewer's pair is counted as such (it read 已配对 80 over kinds of 79)
    kinds = [li for li in page.locator(".counts li").all()[1:]
             if li.is_visible() and "k-only_" not in li.get_attribute("class")]
    assert sum(int(li.locator("b").inner_text()) for li in kinds) == paired + 1
    assert page.locator(".counts li.k-reviewer").inner_text() == "审阅者配对 1"
    with page.expect_download() as download:
        page.locator("#review-export").click()
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["decisions"] == [{"action": "pair", "a": [name_a], "b": [name_b]}]
    assert problems == []


def test_next_and_previous_visit_every_change_below_the_bar(browser, tmp_path):
    """下一处 walks every change in order and 上一处 walks back, each card just below the sticky controls
    (also at the page's end, where a card cannot scroll to the top); the contents stay below the controls
    when review mode makes them taller."""
    path, _ = _report(tmp_path, SEED, DATA / "sections" / "law_style.md", tmp_path)
    page, problems = _open(browser, path)
    changes = page.eval_on_selector_all('details.pair:not([data-kind="same"])', "els => els.map(e => e.id)")
    assert len(changes) >= 5
    bar = lambda: page.evaluate("document.querySelector('.controls').getBoundingClientRect().bottom")  # noqa: E731
    where = "document.getElementById(location.hash.slice(1)).getBoundingClientRect().top"

    forward = []
    for _ in changes:
        page.locator("#next-change").click()
        forward.append(page.evaluate("location.hash.slice(1)"))
        assert page.evaluate(where) >= bar()
    assert forward == changes
    backward = []
    for _ in changes[1:]:
        page.locator("#prev-change").click()
        backward.append(page.evaluate("location.hash.slice(1)"))
        assert page.evaluate(where) >= bar()
    assert backward == changes[-2::-1]

    page.locator("#review-mode").check()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_timeout(100)  # the ResizeObserver's callback
    assert page.evaluate("document.querySelector('.toc').getBoundingClientRect().top") >= bar() - 1
    assert problems == []


def test_a_link_to_a_filtered_card_shows_counts_and_reaches_it(browser, tmp_path):
    path, data = _report(tmp_path, SEED, DATA / "sections" / "law_style.md", tmp_path)
    page, problems = _open(browser, path)
    cell = page.locator('svg.heatmap a.paired').first
    target = cell.get_attribute("href")
    kind = page.locator(target).get_attribute("data-kind")
    page.locator(f'input[data-filter-kind="{kind}"]').uncheck()
    assert page.locator(target).is_hidden()
    shown = page.locator("details.pair:visible").count()
    cell.click()
    page.locator(target).wait_for(state="visible", timeout=5000)  # hashchange is handled after the click returns
    box = page.locator(target).bounding_box()
    assert box is not None and 0 <= box["y"] < 1000
    assert page.inner_text("#visible-count").startswith(f"显示 {shown + 1} / ")
    # The filter hides it again; a second click on the same cell (no hashchange: the address holds it) shows it.
    page.locator(f'input[data-filter-kind="{kind}"]').check()
    page.locator(f'input[data-filter-kind="{kind}"]').uncheck()
    assert page.locator(target).is_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    cell.click()
    page.locator(target).wait_for(state="visible", timeout=5000)
    page.wait_for_function(f"document.querySelector('{target}').getBoundingClientRect().top < 1000", timeout=5000)
    assert 0 <= page.locator(target).bounding_box()["y"] < 1000
    assert problems == []


def test_the_review_count_reads_one_decision_in_the_singular(browser, tmp_path):
    """The count of a reviewer's decisions is written by the page's script: in English it read
    '1 reviewer decisions'."""
    a, b = DATA / "sections" / "law_style.md", tmp_path / "b.md"
    b.write_text(a.read_text(encoding="utf-8").replace("应当加强监督管理", "应当依法加强日常监督管理"), encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["run", str(a), str(b), "--corpus", str(tmp_path / "none"), "--lang", "en",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, problems = _open(browser, out)
    page.keyboard.press("r")
    checks = page.locator("details.pair button.r-check")
    checks.nth(0).click()
    assert page.inner_text("#review-count") == "1 reviewer decision"
    checks.nth(1).click()
    assert page.inner_text("#review-count") == "2 reviewer decisions"
    assert not problems, problems


def test_the_contents_stay_within_reach_on_a_narrow_screen(browser, tmp_path):
    """At 800 px the contents column was hidden: a reader of a long report had no way to its articles but
    scrolling. It stands above the cards, in a box of its own, and its links work."""
    path, _ = _report(tmp_path, SEED, DATA / "sections" / "law_style.md", tmp_path)
    page, problems = _open(browser, path, width=800, height=900)
    toc = page.locator("aside.toc")
    assert toc.is_visible()
    box, main = toc.bounding_box(), page.locator("main").bounding_box()
    assert box["y"] + box["height"] <= main["y"] + 1 and box["height"] <= 0.3 * 900 + 1  # above, a third at most
    entry = page.locator(".toc-entry a").nth(3)
    target = entry.get_attribute("href")
    entry.click()
    assert page.evaluate("location.hash") == target and page.locator(target).is_visible()
    assert problems == []


def test_a_deleted_numeral_is_not_struck_into_another(browser, tmp_path):
    """A line through the middle of 二十九 reads 三十九, and one through 一 adds a stroke: deletions are
    underlined with a wave instead, and a legend says which marks are A's and which are B's."""
    law = "第一条 为了规范证券公司风险处置，制定本条例。\n第二条 证券公司进行重整的，应当依照《证券法》第一百{}条的规定报经批准。\n"
    a, b = tmp_path / "old.md", tmp_path / "new.md"
    a.write_text("# 证券公司风险处置条例\n\n" + law.format("二十九"), encoding="utf-8")
    b.write_text("# 证券公司风险处置条例\n\n" + law.format("二十二"), encoding="utf-8")
    path, _ = _report(tmp_path, a, b, tmp_path)
    page, problems = _open(browser, path)
    deleted = page.locator(".pair del").filter(has_text="九").first
    assert deleted.is_visible()
    style = deleted.evaluate("e => getComputedStyle(e).textDecorationLine + ' ' + getComputedStyle(e).textDecorationStyle")
    assert "line-through" not in style and "underline wavy" in style
    assert page.locator(".diff-legend del").inner_text() == "甲删去或改写的文字"
    assert page.locator(".diff-legend ins").inner_text() == "乙新增或改写的文字"
    assert problems == []
