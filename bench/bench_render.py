"""Benchmark the report render and the run's JSON on real pairs, two source trees alternately.

    python bench/bench_render.py --before /tmp/before-tree [--repeat 21] [--processes [--rounds 4]]
    python bench/bench_render.py --snapshot OUT_DIR [--tree .]

Timing (default): one process imports both trees, the before tree's package copied under the name
``compare_before``, and alternates their calls one by one (render, view, JSON and "run", below, each on a
fresh copy of the comparison; also render and JSON with the force kept, as bench_run.py times the render),
so that both trees see the same load on a shared machine. Printed: medians, their ratio, and the quartiles of
the ratio of each call to its neighbour.

Timing with ``--processes``: each round starts one process per tree (PYTHONPATH selects the tree, the working directory is
neutral so the current folder's package does not shadow it), in alternating order; a process compares
its pairs (untimed), then times "run" (``comparison_json`` then ``render_html`` of one comparison, what
`compare run --json` does after aligning), ``render_html`` (view + jinja2), ``build_view`` alone and
``comparison_json``, each the median of ``--repeat`` calls on a fresh copy of the comparison, so that
nothing a call computes and keeps on the Comparison (its force) is reused by the next. Printed: per pair
and measure, the median over rounds of each tree's medians, and after ÷ before.

Snapshot: writes the JSON and HTML of every pair (and the ``--lang en`` variants) to OUT_DIR, to be
compared byte for byte (``cmp``) with the same written by another tree.

Pairs: the seed against zj-local-finance-regulation-2020 (the warm-run pair), and two ~34,000-character
plans (bench_run.py's "30k plans"); the snapshot adds more real pairs, a decisions file, and both
interface languages. Needs the real plans in ../shared/corpus (copied, since `compare reuse` writes its
index into the corpus folder: the clause panel's reuse notes are part of the output).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md"

SNAPSHOT_PAIRS = [  # (A, B, lang, decisions?)
    ("SEED", "zj-local-finance-regulation-2020", "zh", False),
    ("SEED", "zj-local-finance-regulation-2020", "en", False),
    ("SEED", "zj-local-finance-regulation-2020", "zh", True),
    ("SEED", "aml-law-2024", "zh", False),
    ("SEED", "huzhou-green-finance-promotion-regulation-2021", "en", False),
    ("SEED", "sh-local-financial-supervision-regulation-2020", "zh", False),
    ("aml-law-2006", "aml-law-2024", "zh", False),
    ("aml-law-2006", "aml-law-2024", "en", False),
    ("aml-law-2006", "aml-law-2024", "zh", True),
    ("bj-business-environment-regulation-2020", "bj-business-environment-regulation-2024", "zh", False),
    ("securities-firm-risk-disposal-regulation-2016", "securities-firm-risk-disposal-regulation-2023", "en", False),
    ("sh-business-environment-regulation-2020", "sh-business-environment-regulation-2024", "zh", False),
    ("qingdao-finance-development-promotion-regulation-2012", "sd-local-finance-regulation-2016", "zh", False),
    ("BIG_A", "BIG_B", "zh", False),
    ("BIG_A", "BIG_B", "en", False),
]
TIMED_PAIRS = [("SEED", "zj-local-finance-regulation-2020"), ("BIG_A", "BIG_B")]

DECISIONS = {  # a reviewer's decisions: a pair with a note to escape, checks, and one stale decision
    "aml-law-2006": [
        {"action": "pair", "a": ["第一章/第三条"], "b": ["第一章/第四条"], "note": "<b>同一事项</b> & \"引号\""},
        {"action": "checked", "a": ["第一章/第一条"], "b": ["第一章/第一条"]},
        {"action": "unpair", "a": ["第九章/第九十条"], "b": ["第一章/第二条"], "note": "过时"},
    ],
    "SEED": [
        {"action": "checked", "a": ["一"], "b": ["第一章"]},
        {"action": "unpair", "a": ["第八章/第一条"], "b": ["第三章/第六条"]},
    ],
}


def _work(corpus: Path, work: Path) -> dict:
    """The corpus copied into ``work`` with its reuse results, and the two ~34K plans: {name: path}."""
    sys.path.insert(0, str(ROOT / "bench"))
    copy = work / "corpus"
    if not (copy / ".compare").is_dir():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(corpus, copy)
        for path in copy.rglob("*"):
            path.chmod(0o644)
        subprocess.run([sys.executable, "-m", "compare", "reuse", "--corpus", str(copy), "-o",
                        str(work / "reuse"), "--scheduler", "local"], check=True, cwd=work,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL)
    if not (work / "joined-30k-variant.txt").exists():
        sys.path.insert(0, str(ROOT))
        sys.path.insert(0, str(ROOT / "tests"))
        from bench_run import big_pair

        big_pair(copy, work)
    return {"SEED": SEED, "BIG_A": work / "joined-30k.txt", "BIG_B": work / "joined-30k-variant.txt"}


def _path(name: str, named: dict, corpus: Path) -> str:
    return str(named[name] if name in named else corpus / f"{name}.md")


# ------------------------------------------------------------------ run inside one tree's process

CHILD = r"""
import copy, json, statistics, sys, time
from compare import api
from compare.models import Options
from compare.report import build_view, render_html
try:
    from compare.serialize import comparison_json
except ImportError:  # a commit from before the JSON moved out of report.py
    from compare.report import comparison_json

job = json.loads(sys.argv[1])
out = {}
for key, a, b in job["pairs"]:
    opts = Options()
    c = api.compare(a, b, job["corpus"], opts)
    render_html(c, opts), comparison_json(c)  # warm: templates compiled, token caches read
    for name, fn in (("run", lambda x: (comparison_json(x), render_html(x, opts))),
                     ("render", lambda x: render_html(x, opts)), ("view", lambda x: build_view(x, opts)),
                     ("json", comparison_json)):
        times = []
        for _ in range(job["repeat"]):
            fresh = copy.copy(c)
            fresh.__dict__.pop("_force", None)
            t = time.perf_counter()
            fn(fresh)
            times.append(time.perf_counter() - t)
        out[key + " " + name] = statistics.median(times)
print(json.dumps(out))
"""


def time_trees(trees: dict, pairs: list, corpus: Path, work: Path, rounds: int, repeat: int) -> dict:
    """{tree: {measure: [median per round]}}, the trees' processes alternating (order swapped each round)."""
    job = json.dumps({"pairs": pairs, "corpus": str(corpus), "repeat": repeat})
    got: dict = {name: {} for name in trees}
    order = list(trees)
    for k in range(rounds):
        for name in (order if k % 2 == 0 else order[::-1]):
            env = dict(os.environ, PYTHONPATH=str(trees[name]))
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            res = subprocess.run([sys.executable, "-c", CHILD, job], cwd=work, env=env, check=True,
                                 capture_output=True, text=True)
            for measure, secs in json.loads(res.stdout).items():
                got[name].setdefault(measure, []).append(secs)
    return got


INTERLEAVED = r"""
import copy, json, statistics, sys, time
sys.path.insert(0, sys.argv[2])  # the before tree's package, copied as compare_before
import importlib
import compare_before.api, compare_before.models, compare_before.report
import compare.api, compare.models, compare.report


def json_of(name):  # comparison_json: in serialize.py since it moved out of report.py
    try:
        return importlib.import_module(name + ".serialize").comparison_json
    except ImportError:
        return importlib.import_module(name + ".report").comparison_json

job = json.loads(sys.argv[1])
out = {}
for key, a, b in job["pairs"]:
    calls, written = {}, []
    for side, pkg in (("before", compare_before), ("after", compare)):
        opts = pkg.models.Options()
        c = pkg.api.compare(a, b, job["corpus"], opts)
        rep = pkg.report
        rep.comparison_json = json_of(pkg.__name__)
        written.append((rep.comparison_json(c), rep.render_html(c, opts)))  # also warms templates and caches

        def fresh(c=c):
            f = copy.copy(c)
            f.__dict__.pop("_force", None)
            return f

        calls[side] = {
            "run": lambda rep=rep, opts=opts, fresh=fresh: (lambda f: (rep.comparison_json(f), rep.render_html(f, opts)))(fresh()),
            "render": lambda rep=rep, opts=opts, fresh=fresh: rep.render_html(fresh(), opts),
            "view": lambda rep=rep, opts=opts, fresh=fresh: rep.build_view(fresh(), opts),
            "json": lambda rep=rep, fresh=fresh: rep.comparison_json(fresh()),
            "render, force kept": lambda rep=rep, opts=opts, c=c: rep.render_html(c, opts),
            "json, force kept": lambda rep=rep, c=c: rep.comparison_json(c),
        }
    assert written[0] == written[1], f"{key}: the two trees write different JSON or HTML"
    for measure in calls["before"]:
        times = {"before": [], "after": []}
        for k in range(job["repeat"]):
            for side in (("before", "after") if k % 2 == 0 else ("after", "before")):
                t = time.perf_counter()
                calls[side][measure]()
                times[side].append(time.perf_counter() - t)
        out[key + " " + measure] = times
print(json.dumps(out))
"""


def time_interleaved(before: Path, pairs: list, corpus: Path, work: Path, repeat: int) -> dict:
    """{measure: {"before": [s], "after": [s]}}: both trees in one process (the before tree's package copied
    as ``compare_before``), calls alternating one by one, so both see the same load."""
    pkg = work / "before-package"
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(before / "compare", pkg / "compare_before", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(before / "templates", pkg / "templates")  # found beside the package, as in a checkout
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    res = subprocess.run([sys.executable, "-c", INTERLEAVED, json.dumps({"pairs": pairs, "corpus": str(corpus),
                          "repeat": repeat}), str(pkg)], cwd=work, env=env, check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


SNAP = r"""
import json, sys
from compare import api
from compare.models import Options
from compare.report import render_html
try:
    from compare.serialize import comparison_json
except ImportError:  # a commit from before the JSON moved out of report.py
    from compare.report import comparison_json

job = json.loads(sys.argv[1])
for stem, a, b, lang, decisions in job["pairs"]:
    opts = Options(lang=lang)
    c = api.compare(a, b, job["corpus"], opts, decisions=decisions)
    for ext, text in (("json", comparison_json(c)), ("html", render_html(c, opts))):
        with open(f"{job['out']}/{stem}.{ext}", "w", encoding="utf-8") as f:
            f.write(text)
"""


def snapshot(tree: Path, out: Path, corpus: Path, named: dict, work: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pairs = []
    for a, b, lang, with_decisions in SNAPSHOT_PAIRS:
        stem = f"{a}_vs_{b}.{lang}" + (".decisions" if with_decisions else "")
        decisions = None
        if with_decisions:
            decisions = str(work / f"{a}.decisions.json")
            Path(decisions).write_text(json.dumps({"format": "compare-decisions/1", "decisions": DECISIONS[a]},
                                                  ensure_ascii=False), encoding="utf-8")
        pairs.append((stem, _path(a, named, corpus), _path(b, named, corpus), lang, decisions))
    env = dict(os.environ, PYTHONPATH=str(tree))
    subprocess.run([sys.executable, "-c", SNAP, json.dumps({"pairs": pairs, "corpus": str(corpus), "out": str(out)})],
                   cwd=work, env=env, check=True)
    print(f"wrote {2 * len(pairs)} files to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "compare-bench-render"),
                        help="folder for the corpus copy, the ~34K plans and the caches (kept between runs)")
    parser.add_argument("--before", help="the unchanged tree (e.g. `git archive` of the start commit)")
    parser.add_argument("--after", default=str(ROOT))
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--processes", action="store_true",
                        help="one process per tree and round, alternating (default: both trees in one process)")
    parser.add_argument("--snapshot", help="write every pair's JSON and HTML here instead of timing")
    parser.add_argument("--tree", default=str(ROOT), help="the tree whose output --snapshot writes")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "zj-local-finance-regulation-2020.md").exists():
        sys.exit(f"needs the real plans: {corpus} has no zj-local-finance-regulation-2020.md")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("COMPARE_CACHE_DIR", str(work / "cache"))
    named = _work(corpus, work)
    copy = work / "corpus"
    if args.snapshot:
        snapshot(Path(args.tree).resolve(), Path(args.snapshot).resolve(), copy, named, work)
        return
    if not args.before:
        sys.exit("give --before TREE (the unchanged code) to time against")
    trees = {"before": Path(args.before).resolve(), "after": Path(args.after).resolve()}
    pairs = [(f"{'34K' if a == 'BIG_A' else 'seed/zj'}", _path(a, named, copy), _path(b, named, copy))
             for a, b in TIMED_PAIRS]
    t0 = time.time()
    if not args.processes:
        got = time_interleaved(trees["before"], pairs, copy, work, args.repeat)
        print(f"one process, the two trees' calls alternating, {args.repeat} calls each ({time.time() - t0:.0f} s)")
        print(f"{'measure':<26} {'before s':>9} {'after s':>9} {'after/before':>13}   quartiles of after/before per call pair")
        for measure, times in got.items():
            b, a = times["before"], times["after"]
            q = statistics.quantiles([x / y for x, y in zip(a, b)], n=4)
            print(f"{measure:<26} {statistics.median(b):9.4f} {statistics.median(a):9.4f} "
                  f"{statistics.median(a) / statistics.median(b):13.2f}   {q[0]:.2f} {q[1]:.2f} {q[2]:.2f}")
        return
    got = time_trees(trees, pairs, copy, work, args.rounds, args.repeat)
    print(f"{args.rounds} rounds × {args.repeat} calls, trees alternating ({time.time() - t0:.0f} s)")
    print(f"{'measure':<16} {'before s':>9} {'after s':>9} {'after/before':>13}   per-round after/before")
    for measure in got["before"]:
        b, a = got["before"][measure], got["after"][measure]
        per_round = " ".join(f"{x / y:.2f}" for x, y in zip(a, b))
        print(f"{measure:<16} {statistics.median(b):9.4f} {statistics.median(a):9.4f} "
              f"{statistics.median(a) / statistics.median(b):13.2f}   {per_round}")


if __name__ == "__main__":
    main()
