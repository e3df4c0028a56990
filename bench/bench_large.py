"""Benchmark `compare run` on two long plans: time and peak memory grow with the article count.

    python bench/bench_large.py [--articles 3000] [--repeat 3]

Two synthetic regulations of N articles each (第1条 … 第N条, two sentences of financial-policy
words each, different random draws) are compared as whole processes, and so are two of N/10
articles, the baseline measured in the same run: the ratios say how time and memory grow with
tenfold plans (10× is linear, 100× quadratic). Machines here are noisy, so each time is a median of
repeated runs, alternating the two sizes. Peak memory is the largest resident set of the child
process (ru_maxrss); the target is under 2 GB at 3,000 articles. (`difflib.HtmlDiff`, the baseline
of the other benchmarks, takes minutes on 3,000 lines, so it is not used here.)
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

from common import user_environ

WORDS = ("金融 机构 应当 依法 监督 管理 小额贷款 公司 融资 担保 风险 处置 信息 披露 报告 备案 地方 政府 部门 投资者 "
         "消费者 权益 保护 跨境 人民币 结算 绿色 债券 科技 创新 数据 平台 合作 开放 试点 区域 中心 市场 交易 登记 审批 "
         "许可 处罚 责令 改正 罚款").split()


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
    sizes = (args.articles, max(1, args.articles // 10))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = dict(user_environ(), COMPARE_CACHE_DIR=str(tmp / "cache"))
        commands = {}
        for n in sizes:
            a, b = tmp / f"a{n}.txt", tmp / f"b{n}.txt"
            write_plan(a, n, 1)
            write_plan(b, n, 2)
            commands[n] = [sys.executable, "-m", "compare", "run", str(a), str(b), "--corpus", str(tmp / "none"),
                           "-o", str(tmp / f"r{n}.html"), "--json", str(tmp / f"r{n}.json")]
            timed(commands[n], env)  # fill the token cache once: the figures are for warm caches
        runs = {n: [] for n in sizes}
        for _ in range(args.repeat):  # alternate, so both sizes see the same machine
            for n in sizes:
                runs[n].append(timed(commands[n], env))
    print(f"compare run, two plans of N articles each, warm caches, {args.repeat} runs, medians")
    big, small = sizes
    for n in sizes:
        print(f"  N = {n:5d}: {statistics.median(t for t, _ in runs[n]):6.1f} s, peak {max(m for _, m in runs[n])} MB")
    t_ratio = statistics.median(t for t, _ in runs[big]) / statistics.median(t for t, _ in runs[small])
    m_ratio = max(m for _, m in runs[big]) / max(m for _, m in runs[small])
    print(f"  growth for {big // small}x the articles: time {t_ratio:.1f}x, peak memory {m_ratio:.1f}x")

if __name__ == "__main__":
    main()
