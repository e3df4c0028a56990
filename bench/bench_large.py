"""Benchmark `compare run` on two long plans: time and peak memory grow with the article count.

    python bench/bench_large.py [--articles 3000] [--repeat 3]

Two synthetic regulations of N articles each (第1条 … 第N条, two sentences of financial-policy
words each, different random draws) are compared as whole processes. Machines here are noisy, so
each figure is a median of repeated runs, with a ratio to a baseline measured in the same run:
`difflib.HtmlDiff` writing a side-by-side page for the same two files. Peak memory is the largest
resident set of the child process (ru_maxrss); the target is under 2 GB at 3,000 articles.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("金融 机构 应当 依法 监督 管理 小额贷款 公司 融资 担保 风险 处置 信息 披露 报告 备案 地方 政府 部门 投资者 "
         "消费者 权益 保护 跨境 人民币 结算 绿色 债券 科技 创新 数据 平台 合作 开放 试点 区域 中心 市场 交易 登记 审批 "
         "许可 处罚 责令 改正 罚款").split()
DIFFLIB = ("import difflib,sys; a,b,o=sys.argv[1:]; "
           "open(o,'w').write(difflib.HtmlDiff().make_file(open(a).read().splitlines(), open(b).read().splitlines()))")


def write_plan(path: Path, articles: int, seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    for k in range(1, articles + 1):
        n = rng.randint(15, 40)
        sentence = lambda: "".join(rng.choice(WORDS) for _ in range(n)) + "。"  # noqa: E731
        lines.append(f"第{k}条 {sentence()}{sentence()}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(args: list[str], env: dict) -> tuple[float, int]:
    """(seconds, peak resident set in MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"failed: {' '.join(args)}")
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        a, b = tmp / "a.txt", tmp / "b.txt"
        write_plan(a, args.articles, 1)
        write_plan(b, args.articles, 2)
        env = dict(os.environ, COMPARE_CACHE_DIR=str(tmp / "cache"))
        run = [sys.executable, "-m", "compare", "run", str(a), str(b), "--corpus", str(tmp / "none"),
               "-o", str(tmp / "r.html"), "--json", str(tmp / "r.json")]
        base = [sys.executable, "-c", DIFFLIB, str(a), str(b), str(tmp / "d.html")]
        timed(run, env)  # fill the token cache once: the figures are for warm caches
        ours, theirs = [], []
        for _ in range(args.repeat):  # alternate, so both see the same machine
            ours.append(timed(run, env))
            theirs.append(timed(base, env))
    t, m = statistics.median(x for x, _ in ours), max(y for _, y in ours)
    bt = statistics.median(x for x, _ in theirs)
    print(f"{args.articles} articles a side, {args.repeat} runs, medians")
    print(f"compare run:      {t:6.1f} s, peak {m} MB")
    print(f"difflib HtmlDiff: {bt:6.1f} s  (ratio {t / bt:.1f}x)")


if __name__ == "__main__":
    main()
