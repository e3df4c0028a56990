"""Benchmark `compare run`: whole process (cold) and library call (warm), with a stage breakdown.

    python bench/bench_run.py [--repeat 7] [--corpus ../shared/corpus]

Machines here are noisy, so every figure is a median of repeated runs, and each
is also given as a ratio to two baselines measured in the same run: the start-up
of a bare Python interpreter (`python -c pass`), and `difflib.HtmlDiff` writing a
side-by-side page for the same two files, run by the interpreter itself (issue 9's yardstick).

Figures:
- process, caches warm: `python -m compare run SEED PLAN --json /dev/null -o …` with token and IDF
  caches already filled (the everyday case);
- process, first run: the same with an empty cache folder (the segmenter loads its dictionary,
  every corpus plan is tokenized, the IDF is fitted);
- library, warm: `api.compare` + `render_html` in one process, repeated;
- stages: imports, tokenizing (rjieba, or jieba, over A, B and the corpus), alignment, diffs, rendering;
- report overhead on two plans of ~30,000 characters: rendering time vs the rest of `compare run`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import user_environ

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
SEED = ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md"


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def process(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def big_pair(corpus: Path, tmp: Path) -> tuple[Path, Path]:
    """Two plans of about 30,000 characters: two real regulations joined, and a perturbed variant."""
    from perturb import make_variant

    from compare.numbering import int_to_cn
    from compare.sections import load_plan

    first = load_plan(corpus / "sh-business-environment-regulation-2024.md")
    second = load_plan(corpus / "bj-business-environment-regulation-2024.md")
    lines, n = [first.title], 0
    for doc in (first, second):
        for s in doc.walk():
            if s.style == "tiao":
                n += 1
                lines.append(f"第{int_to_cn(n)}条 " + doc.text[s.title_start:s.end].replace("\n", ""))
    a = tmp / "joined-30k.txt"
    a.write_text("\n".join(lines) + "\n", encoding="utf-8")
    variant = make_variant(load_plan(a), load_plan(corpus / "zj-local-finance-regulation-2020.md"), seed=1)
    b = tmp / "joined-30k-variant.txt"
    b.write_text(variant.text, encoding="utf-8")
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "zj-local-finance-regulation-2020.md").exists():
        sys.exit(f"needs the real plans: {corpus} has no zj-local-finance-regulation-2020.md")
    plan = corpus / "zj-local-finance-regulation-2020.md"

    tmp = Path(tempfile.mkdtemp(prefix="compare-bench-"))
    env = dict(user_environ(), COMPARE_CACHE_DIR=str(tmp / "cache"), PYTHONPATH=str(ROOT))
    os.environ["COMPARE_CACHE_DIR"] = env["COMPARE_CACHE_DIR"]
    run_args = ["-m", "compare", "run", str(SEED), str(plan), "--corpus", str(corpus), "--json", os.devnull,
                "-o", str(tmp / "r.html")]
    rows = []

    baseline = median_time(lambda: process(["-c", "pass"], env), args.repeat)
    rows.append(("baseline: python -c pass", baseline))
    html_diff = ("import difflib, sys; a, b, out = sys.argv[1:]; read = lambda p: open(p, encoding='utf-8').read()"
                 ".splitlines(); open(out, 'w', encoding='utf-8').write(difflib.HtmlDiff().make_file(read(a), read(b)))")
    difflib_s = median_time(lambda: process(["-c", html_diff, str(SEED), str(plan), str(tmp / "difflib.html")], env),
                            args.repeat)
    rows.append(("baseline: difflib.HtmlDiff, same two files (process)", difflib_s))

    def first_run():
        fresh = dict(env, COMPARE_CACHE_DIR=tempfile.mkdtemp(dir=tmp))
        process(run_args, fresh)

    rows.append(("process, first run (empty caches)", median_time(first_run, max(3, args.repeat // 2))))
    process(run_args, env)  # fill the caches
    rows.append(("process, caches warm", median_time(lambda: process(run_args, env), args.repeat)))
    imports = median_time(lambda: process(["-c", "import compare.cli, compare.api, compare.align, compare.report, "
                                           "compare.diff, numpy, jinja2"], env), args.repeat)  # what a run imports
    rows.append(("  imports (process)", imports))

    # In-process stages, warm.
    from compare import api
    from compare.align import compare as align
    from compare.corpus import plan_files
    from compare.diff import diff_tokens, joined_tokens
    from compare.tfidf import corpus_stats
    from compare.models import Options
    from compare.report import build_view, render_html
    from compare.sections import load_plan
    from compare.tokenize import Segmentation, segment, tokenizer

    docs = [load_plan(p) for p in [SEED, plan] + plan_files(corpus)]
    segment("支持发展绿色金融")  # the segmenter's dictionary, loaded outside the timing
    total_chars = sum(len(d.text) for d in docs)
    tokenize_all = median_time(lambda: [segment(d.text) for d in docs], 3)
    rows.append((f"  tokenizing A, B and corpus ({total_chars:,} chars, {tokenizer()[0]} warm)", tokenize_all))
    a, b = docs[0], docs[1]
    stats = corpus_stats([a, b], plan_files(corpus))
    rows.append(("  alignment (warm)", median_time(lambda: align(a, b, stats), args.repeat)))
    c = align(a, b, stats)
    sa, sb = Segmentation.of(a.text), Segmentation.of(b.text)
    rows.append(("  word diffs, all pairs", median_time(
        lambda: [diff_tokens(joined_tokens(a, sa, p.a), joined_tokens(b, sb, p.b)) for p in c.pairs if p.a and p.b],
        args.repeat)))
    rows.append(("  render HTML (view + jinja2)", median_time(lambda: render_html(c), args.repeat)))
    rows.append(("library, warm: compare + render", median_time(
        lambda: render_html(api.compare(str(SEED), str(plan), str(corpus))), args.repeat)))

    big_a, big_b = big_pair(corpus, tmp)
    opts = Options()
    api.compare(str(big_a), str(big_b), str(corpus), opts)  # warm caches
    compare_big = median_time(lambda: api.compare(str(big_a), str(big_b), str(corpus), opts), args.repeat)
    cb = api.compare(str(big_a), str(big_b), str(corpus), opts)
    render_big = median_time(lambda: render_html(cb), args.repeat)
    view_big = median_time(lambda: build_view(cb), args.repeat)
    chars = (len(cb.a.text), len(cb.b.text))
    rows.append((f"30k plans ({chars[0]:,} / {chars[1]:,} chars): compare, warm", compare_big))
    rows.append(("30k plans: render report (of which view+diffs " + f"{view_big:.3f} s)", render_big))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  median s  × python  × difflib")
    for name, secs in rows:
        print(f"{name:<{width}}  {secs:8.3f}  {secs / baseline:8.1f}  {secs / difflib_s:8.1f}")
    got = dict(rows)
    warm = got["process, caches warm"]
    align_s, diff_s = got["  alignment (warm)"], got["  word diffs, all pairs"]
    render_s = got["  render HTML (view + jinja2)"]
    print(f"\nshares of a process with warm caches ({warm:.2f} s): imports {imports / warm:.0%} "
          f"(of which interpreter start {baseline / warm:.0%}), alignment {align_s / warm:.0%}, "
          f"word diffs {diff_s / warm:.0%}, rest of rendering {(render_s - diff_s) / warm:.0%}, "
          f"tokenizing 0% (cached); loading, hashing and cache reads take the rest")
    first = got["process, first run (empty caches)"]
    print(f"shares of a first run ({first:.2f} s): tokenizing {tokenize_all / first:.0%} "
          f"(+ the segmenter's dictionary load and the IDF fit)")


if __name__ == "__main__":
    main()
