"""Segmentation speed: jieba against rjieba, on the real plans and the seed, one core.

    python bench/bench_tokens.py [--repeat 7] [--corpus ../shared/corpus]

Both run through ``compare.tokenize.segment`` (match_form, CHUNK pieces, the
domain dictionary), so the figures are what indexing and a first run pay.
Each repeat segments every text once; the median is reported. Dictionary
loading is timed apart, in fresh processes (jieba from its cache file).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import user_environ

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED = ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md"


def _load_time(name: str, repeat: int) -> float:
    code = ("import time; t = time.perf_counter(); from compare import tokenize as T; "
            "T.segment('支持发展绿色金融'); print(time.perf_counter() - t)")
    env = dict(user_environ(), COMPARE_TOKENIZER=name, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)  # jieba builds its cache
    return statistics.median(float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                                  capture_output=True, text=True).stdout) for _ in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = ap.parse_args()

    from compare import tokenize
    from compare.corpus import plan_files
    from compare.sections import load_plan

    texts = [load_plan(p).text for p in plan_files(Path(args.corpus))] + [load_plan(SEED).text]
    chars = sum(map(len, texts))
    print(f"{len(texts)} texts, {chars:,} characters; median of {args.repeat} repeats, one core")
    timings = {}
    for name in ("jieba", "rjieba"):
        os.environ["COMPARE_TOKENIZER"] = name
        tokenize.tokenizer.cache_clear()
        assert tokenize.tokenizer()[0] == name
        for text in texts[:1]:
            tokenize.segment(text)  # dictionary loaded outside the timing
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            for text in texts:
                tokenize.segment(text)
            runs.append(time.perf_counter() - t)
        timings[name] = statistics.median(runs)
        print(f"{name:7s} {'/'.join(tokenize.tokenizer())}: {timings[name]:.3f} s, "
              f"{chars / timings[name] / 1e6:.2f} M chars/s (runs {min(runs):.3f}–{max(runs):.3f} s)")
    print(f"rjieba / jieba speed: {timings['jieba'] / timings['rjieba']:.1f}x")
    for name in ("jieba", "rjieba"):
        print(f"{name:7s} dictionary load + first segment, fresh process: {_load_time(name, 5):.3f} s")


if __name__ == "__main__":
    main()
