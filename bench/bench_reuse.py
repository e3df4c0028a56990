"""`compare reuse` at 1,000 / 3,000 / 10,000 synthetic plans: Dask LocalCluster (2 workers) vs the single-process path.

Each run is a fresh process with an empty token cache (tokenizing counts). Reported per size and path:
wall time (s), peak RSS per worker process (MB; the driver's too), candidate pairs verified vs all
cross-plan clause pairs. Usage:

    python bench/bench_reuse.py [--sizes 1000 3000 10000] [--repeat 1] [--modes dask local]
    python bench/bench_reuse.py --candidates-only --sizes 10000   # candidate generation alone

Synthetic plans (see ``make_corpus``): articles of random words from the seed plan's vocabulary;
one plan in five belongs to a family of 20 and reuses some of the family's clauses with a word changed;
every plan carries a few stock clauses (penalty, effective date) from a pool of 8.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import user_environ

ROOT = Path(__file__).resolve().parent.parent
NUMS = "一二三四五六七八九十"


def vocabulary() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from compare.sections import load_plan
    from compare.tokenize import Segmentation

    doc = load_plan(ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md")
    return sorted(set(Segmentation.of(doc.text).tokens()))


def cn(n: int) -> str:
    if n <= 10:
        return NUMS[n - 1]
    return ("" if n < 20 else NUMS[n // 10 - 1]) + "十" + (NUMS[n % 10 - 1] if n % 10 else "")


def make_corpus(folder: Path, n: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    words = vocabulary()
    sentence = lambda k: "".join(rng.choice(words) for _ in range(k)) + "。"  # noqa: E731
    stock = [sentence(6) for _ in range(8)]
    families = [[sentence(rng.randint(8, 14)) for _ in range(30)] for _ in range(max(1, n // 100))]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        year, month, day = 2000 + rng.randrange(25), rng.randint(1, 12), rng.randint(1, 28)
        family = families[rng.randrange(len(families))] if rng.random() < 0.2 else None
        lines = ["---", f"title: 合成规划第{i}号", f"date: {year}-{month:02d}-{day:02d}", "---", ""]
        article = 0
        for chapter in range(1, 5):
            lines += [f"## 第{cn(chapter)}章 总则{chapter}", ""]
            for _ in range(4):
                article += 1
                body = []
                for _ in range(rng.randint(1, 2)):
                    if family and rng.random() < 0.5:
                        clause = list(family[rng.randrange(30)])
                        clause[rng.randrange(len(clause) - 1)] = rng.choice("的和与及在")  # one character changed
                        body.append("".join(clause))
                    elif rng.random() < 0.1:
                        body.append(stock[rng.randrange(len(stock))])
                    else:
                        body.append(sentence(rng.randint(6, 16)))
                lines += [f"第{cn(article)}条 " + "".join(body), ""]
        (folder / f"plan-{i:06d}.md").write_text("\n".join(lines), encoding="utf-8")


def one(corpus: str, mode: str) -> dict:
    """Run once in this process; print the figures as JSON."""
    import resource

    sys.path.insert(0, str(ROOT))
    from compare import api

    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        peaks = []
        if mode == "dask":
            from compare import reuse_engine

            real = reuse_engine.OnDask.close

            def close(self):  # read each worker's peak RSS before the cluster goes
                peaks.extend(self.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values())
                real(self)

            reuse_engine.OnDask.close = close
            result, _ = api.reuse(corpus, out, workers=2)
        else:
            result, _ = api.reuse(corpus, out, scheduler="local")
        wall = time.perf_counter() - t0
    return {"wall": wall, "driver_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_mb": [p / 1024 for p in peaks], "plans": result.plans, "clauses": result.clauses,
            "candidates": result.candidates, "all_pairs": result.all_pairs, "verified": result.verified,
            "clusters": len(result.clusters)}


def candidates_only(corpus: str) -> dict:
    """Candidate generation alone, in this process: parse the partitions, MinHash-band them, pair the buckets.

    Times (s) the parse (load, sections, tokens) and the candidate stages (signatures, bands, buckets)
    apart; counts the distinct candidate pairs (before verification) and all cross-plan clause pairs.
    """
    import resource

    import numpy as np

    sys.path.insert(0, str(ROOT))
    from compare import reuse as R
    from compare.corpus import plan_files
    from compare.reuse_engine import partitions_for

    paths = [str(p.resolve()) for p in plan_files(Path(corpus))]
    n = partitions_for(len(paths), 2)
    bounds = [round(k * len(paths) / n) for k in range(n + 1)]
    t0 = time.perf_counter()
    parts = [R.parse_partition(k, paths[bounds[k]:bounds[k + 1]]) for k in range(n)]
    t1 = time.perf_counter()
    bands = [R.band_records(p, n) for p in parts]
    buckets = [R.bucket_candidates(n, *[b[j] for b in bands]) for j in range(n)]
    pairs = np.unique(np.concatenate([c for b in buckets for c in b]).reshape(-1, 2), axis=0)
    t2 = time.perf_counter()
    per_plan = [q["clauses"] for p in parts for q in p.plans]
    total = sum(per_plan)
    return {"parse_s": t1 - t0, "candidates_s": t2 - t1, "partitions": n, "plans": len(per_plan), "clauses": total,
            "candidates": int(len(pairs)), "all_pairs": (total * total - sum(c * c for c in per_plan)) // 2,
            "band_records": int(sum(len(r) for b in bands for r in b)),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(corpus: Path, mode: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = dict(user_environ(), COMPARE_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, __file__, "--one", str(corpus), mode], env=env, check=True,
                             capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--candidates-only", action="store_true",
                    help="Measure candidate generation alone (parse, MinHash bands, buckets) in one process.")
    ap.add_argument("--modes", nargs="+", default=["dask", "local"], choices=["dask", "local"])
    ap.add_argument("--one", nargs=2, metavar=("CORPUS", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        corpus, mode = args.one
        print(json.dumps(candidates_only(corpus) if mode == "candidates" else one(corpus, mode)))
        return
    if args.candidates_only:  # candidate generation alone, where whole runs would take too long
        with tempfile.TemporaryDirectory() as tmp:
            for n in args.sizes:
                corpus = Path(tmp) / f"c{n}"
                make_corpus(corpus, n)
                print(json.dumps({"plans_made": n} | measure(corpus, "candidates")), flush=True)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"c{n}"
            make_corpus(corpus, n)
            runs = {m: [measure(corpus, m) for _ in range(args.repeat)] for m in args.modes}
            if set(runs) != {"dask", "local"}:
                print(json.dumps({"plans": n} | {m: r for m, r in runs.items()}), flush=True)
                continue
            d, s = runs["dask"], runs["local"]
            row = {"plans": n, "clauses": d[0]["clauses"], "candidates": d[0]["candidates"],
                   "all_pairs": d[0]["all_pairs"], "clusters": d[0]["clusters"],
                   "dask_s": statistics.median(r["wall"] for r in d), "local_s": statistics.median(r["wall"] for r in s),
                   "worker_mb": max(max(r["worker_mb"]) for r in d), "driver_mb": max(r["driver_mb"] for r in d),
                   "local_mb": max(r["driver_mb"] for r in s),
                   "same": all(r["candidates"] == s[0]["candidates"] and r["clusters"] == s[0]["clusters"] for r in d)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| plans | clauses | candidates / all pairs | Dask 2 workers (s) | single process (s) | Dask ÷ single "
          "| peak MB per worker | driver MB | single-process MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['plans']:,} | {r['clauses']:,} | {r['candidates']:,} / {r['all_pairs']:,} "
              f"({r['candidates'] / r['all_pairs']:.4%}) | {r['dask_s']:.1f} | {r['local_s']:.1f} "
              f"| {r['dask_s'] / r['local_s']:.2f} | {r['worker_mb']:.0f} | {r['driver_mb']:.0f} | {r['local_mb']:.0f} |")


if __name__ == "__main__":
    main()
