"""A warm `compare run` of this tree against another commit's, alternating, with difflib as the yardstick.

    python bench/bench_warm.py [--against b82e945] [--repeat 11] [--corpus ../shared/corpus]

Each round runs, one after the other, `difflib.HtmlDiff` writing a side-by-side page of the seed and
zj-local-finance-regulation-2020 (issue 9's yardstick), then `python -m compare run` of the same two files
(`--json` and `-o`) from each tree, every tree with its own warm cache folder. Alternating the trees in
every round puts them under the same load, so their ratio holds where seconds do not. Printed: the median
wall time and the median CPU time (user + system, from wait4) of each, and each as a multiple of difflib's.
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

from common import two_trees, user_environ

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md"
HTML_DIFF = ("import difflib, sys; a, b, out = sys.argv[1:]; read = lambda p: open(p, encoding='utf-8').read()"
             ".splitlines(); open(out, 'w', encoding='utf-8').write(difflib.HtmlDiff().make_file(read(a), read(b)))")


def timed(command: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode})")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="b82e945", help="the commit to measure beside this tree")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    plan = corpus / "zj-local-finance-regulation-2020.md"
    work = Path(tempfile.mkdtemp(prefix="bench-warm-"))
    other, this = two_trees(ROOT, args.against, work)
    base = user_environ()
    runs = {"difflib": ([sys.executable, "-c", HTML_DIFF, str(SEED), str(plan), str(work / "d.html")], base, work)}
    for name, tree in ((args.against, other), ("this tree", this)):
        env = dict(base, PYTHONPATH=str(tree), COMPARE_CACHE_DIR=str(work / f"cache-{tree.name}"))
        runs[name] = ([sys.executable, "-m", "compare", "run", str(SEED), str(plan), "--corpus", str(corpus),
                       "--json", str(work / "r.json"), "-o", str(work / "r.html")], env, tree)
    for command, env, cwd in runs.values():  # caches and bytecode warm
        timed(command, env, cwd)
        timed(command, env, cwd)
    wall = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, (command, env, cwd) in runs.items():
            w, c = timed(command, env, cwd)
            wall[name].append(w)
            cpu[name].append(c)
    base_wall, base_cpu = statistics.median(wall["difflib"]), statistics.median(cpu["difflib"])
    print(f"{'process':28s} {'wall s':>8s} {'× difflib':>10s} {'CPU s':>8s} {'× difflib':>10s}")
    for name in runs:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"{name:28s} {w:8.3f} {w / base_wall:10.2f} {c:8.3f} {c / base_cpu:10.2f}")


if __name__ == "__main__":
    main()
