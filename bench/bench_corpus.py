"""Benchmark the corpus index on a synthetic corpus of 1,000 plans.

    python bench/bench_corpus.py [--plans 1000] [--corpus ../shared/corpus]

The synthetic plans are perturbed variants of the 20 real plans and the seed,
made by the alignment tests' generator (renumbered, reordered, with sections
deleted, inserted from other plans, split, merged and edited). Figures:

- jieba alone on one core: the baseline, in characters per second, same run (on a sample of
  100 plans: a rate, so the sample only shortens the run);
- indexing, cold and incremental, in characters per second and as a multiple of the baseline
  (issue 9's targets: ≥ 4× the baseline and ≥ 3 M characters/s on 2 cores);
- `compare clauses SEED` and `compare rank SEED` as whole processes on the warm index (medians);
- peak memory (max RSS) of indexing and of the query processes.
"""
from __future__ import annotations

import argparse
import os
import resource
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


def make_corpus(real: Path, out: Path, n: int) -> int:
    from perturb import make_variant

    from compare.corpus import plan_files
    from compare.sections import load_plan

    docs = [load_plan(p) for p in plan_files(real)] + [load_plan(SEED)]
    out.mkdir(parents=True, exist_ok=True)
    chars = 0
    for i in range(n):
        v = make_variant(docs[i % len(docs)], docs[(i * 7 + 3) % len(docs)], seed=i)
        (out / f"plan-{i:04d}.txt").write_text(v.text, encoding="utf-8")
        chars += len(v.text)
    return chars


def _jieba_worker(paths):
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    texts = [Path(p).read_text(encoding="utf-8") for p in paths]
    t = time.perf_counter()
    for text in texts:
        for _ in tokenizer.cut(text):
            pass
    return time.perf_counter() - t, sum(len(x) for x in texts)


def jieba_alone(paths: list[Path], jobs: int = 2) -> float:
    """Characters per second that plain jieba segments on ``jobs`` cores (initialization excluded)."""
    from concurrent.futures import ProcessPoolExecutor

    halves = [[str(p) for p in paths[k::jobs]] for k in range(jobs)]
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_jieba_worker, halves))
    return sum(c for _, c in results) / max(t for t, _ in results)


def timed_process(args, env, repeat):
    """Median wall time of `python -m compare ARGS`, and its peak RSS in KB (GNU time)."""
    times, rss = [], 0
    gnu_time = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    for _ in range(repeat):
        t = time.perf_counter()
        done = subprocess.run([*gnu_time, sys.executable, "-m", "compare", *args], env=env, check=True,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t)
        if gnu_time:
            rss = max(rss, int(done.stderr.strip().splitlines()[-1]))
    return statistics.median(times), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    real = Path(args.corpus)
    if not real.is_dir():
        sys.exit(f"needs the real plans in {real}")
    tmp = Path(tempfile.mkdtemp(prefix="compare-bench-corpus-"))
    os.environ["COMPARE_CACHE_DIR"] = str(tmp / "cache")
    env = dict(user_environ(), PYTHONPATH=str(ROOT))
    corpus, index = tmp / "corpus", tmp / "index.sqlite"

    t = time.perf_counter()
    chars = make_corpus(real, corpus, args.plans)
    print(f"synthetic corpus: {args.plans} plans, {chars:,} characters ({time.perf_counter() - t:.1f} s to make)")

    from compare import store
    from compare.tokenize import _jieba

    _jieba()  # build jieba's dictionary cache outside the timings
    paths = sorted(corpus.iterdir())
    baseline = jieba_alone(paths[:100], jobs=1)
    print(f"jieba alone, 1 core: {baseline:,.0f} chars/s")

    t = time.perf_counter()
    report = store.refresh(corpus, index, jobs=2)
    cold = time.perf_counter() - t
    rss_workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest pool worker
    print(f"index, cold: {cold:.1f} s, {report.chars / cold:,.0f} chars/s = {report.chars / cold / baseline:.1f}x jieba alone on 1 core "
          f"({report.summary()})")
    rss_index = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    t = time.perf_counter()
    store.refresh(corpus, index, jobs=2)
    print(f"index, nothing changed: {time.perf_counter() - t:.2f} s")
    for k in range(10):
        p = corpus / f"plan-{k:04d}.txt"
        p.write_text(p.read_text(encoding="utf-8") + "第九百条 本规划由有关部门负责解释。\n", encoding="utf-8")
    for k in range(10, 15):
        (corpus / f"plan-{k:04d}.txt").unlink()
    t = time.perf_counter()
    report = store.refresh(corpus, index, jobs=2)
    incremental = time.perf_counter() - t
    print(f"index, incremental (10 changed, 5 removed): {incremental:.2f} s, "
          f"{report.chars / incremental:,.0f} chars/s of changed text ({report.summary()})")

    common = ["--corpus", str(corpus), "--index", str(index), "--format", "json", "-o", os.devnull]
    subprocess.run([sys.executable, "-m", "compare", "rank", str(SEED), *common], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # builds the cached matrices
    clauses_s, rss_clauses = timed_process(["clauses", str(SEED), *common], env, args.repeat)
    print(f"compare clauses SEED (process, warm index): {clauses_s:.2f} s")
    rank_s, rss_rank = timed_process(["rank", str(SEED), *common], env, args.repeat)
    print(f"compare rank SEED (process, warm index): {rank_s:.2f} s")
    base = statistics.median(timed_process(["--version"], env, 1)[0] for _ in range(args.repeat))
    print(f"baseline, compare --version (process): {base:.2f} s; clauses = {clauses_s / base:.1f}x, rank = {rank_s / base:.1f}x")
    print(f"peak memory: indexing {rss_index / 1024:.0f} MB main process + {rss_workers / 1024:.0f} MB per worker; "
          f"compare clauses {rss_clauses / 1024:.0f} MB; compare rank {rss_rank / 1024:.0f} MB")


if __name__ == "__main__":
    main()
