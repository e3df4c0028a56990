"""A cold index of synthetic plans, this tree against another commit's, alternating round by round.

    python bench/bench_index_ab.py [--against bc87778] [--plans 1000] [--rounds 3] [--jobs 2]
                                   [--corpus ../shared/corpus]

The synthetic corpus is bench_corpus.py's (perturbed real plans). Each round indexes it from nothing
(`store.refresh` with a fresh index file and cache folder) once with each tree, in a fresh process, and
prints the wall time, characters per second, and the CPU time of the main process (the writer) and of the
workers. Whole-process benchmarks on these machines swing by a third from minute to minute; two trees
measured in the same round share the swing, so their ratio round by round is what holds.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_corpus import make_corpus
from common import two_trees, user_environ

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time
from pathlib import Path
from compare import store
corpus, index, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
report = store.refresh(corpus, index, jobs=jobs)
wall = time.perf_counter() - start
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "chars": report.chars, "main": own.ru_utime + own.ru_stime,
                  "workers": children.ru_utime + children.ru_stime}))
"""


def index_once(tree: Path, corpus: Path, work: Path, jobs: int) -> dict:
    index = work / f"index-{tree.name}.sqlite"
    for old in work.glob(index.name + "*"):
        old.unlink()
    env = dict(user_environ(), PYTHONPATH=str(tree), COMPARE_CACHE_DIR=str(work / f"cache-{tree.name}"))
    done = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(index), str(jobs)], env=env, cwd=tree,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="bc87778", help="the commit to measure beside this tree")
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-index-ab-"))
    chars = make_corpus(Path(args.corpus), work / "corpus", args.plans)
    print(f"synthetic corpus: {args.plans} plans, {chars:,} characters; {args.jobs} workers")
    trees = dict(zip((args.against, "this tree"), two_trees(ROOT, args.against, work)))
    print(f"{'round':5s}  {'tree':10s} {'wall s':>7s} {'M chars/s':>9s} {'CPU main':>8s} {'workers':>8s} {'total':>7s}")
    for k in range(1, args.rounds + 1):
        got = {}
        for name, tree in (trees.items() if k % 2 else reversed(trees.items())):
            got[name] = r = index_once(tree, work / "corpus", work, args.jobs)
            print(f"{k:<5d}  {name:10s} {r['wall']:7.2f} {r['chars'] / r['wall'] / 1e6:9.2f} {r['main']:8.2f} "
                  f"{r['workers']:8.2f} {r['main'] + r['workers']:7.2f}")
        old, new = got[args.against], got["this tree"]
        print(f"       this tree / {args.against}: wall {new['wall'] / old['wall']:.2f}, "
              f"CPU {(new['main'] + new['workers']) / (old['main'] + old['workers']):.2f}")


if __name__ == "__main__":
    main()
