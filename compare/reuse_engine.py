"""Run the reuse job (:mod:`compare.reuse`) in this process or on a Dask cluster.

One function, :func:`run_job`, lays out the task graph through an *executor*:
:class:`InProcess` calls each task at once; :class:`OnDask` submits it to a
``distributed`` client, so the whole graph up to the verified edges is on the
scheduler before anything is waited for. Tasks are pure functions of their
inputs and of the plan files, so a worker lost mid-job only makes the
scheduler run its tasks again: the result does not change. Dask is imported
only here, and only by :class:`OnDask`.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from . import reuse as R
from .tfidf import add_frequencies

PLANS_PER_PARTITION = 250  # a partition's plans are parsed by one task; its clauses travel together
FAN_IN = 8  # partitions summed per task in the tree reduction of document frequencies


class InProcess:
    """Each task runs when it is submitted, here: the single-process path."""

    dashboard = None

    def __init__(self, progress=None):
        self.progress, self.done, self.total = progress, 0, 0

    def submit(self, fn, *args):
        result = fn(*args)
        self.done += 1
        if self.progress:  # run_job expects each task before it submits it: the last call is (total, total)
            self.progress(self.done, max(self.total, self.done), fn.__name__)
        return result

    def item(self, value, j):
        return value[j]

    def gather(self, values):
        return values

    def expect(self, n: int) -> None:
        self.total += n

    def wait(self) -> None:
        pass

    def close(self) -> None:
        pass


class OnDask:
    """Tasks go to a Dask cluster: the one at ``scheduler`` (``tcp://host:8786``), or a LocalCluster started here."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, progress=None):
        import logging

        from distributed import Client, LocalCluster

        self.progress, self.futures, self.cluster = progress, [], None
        self.done = self.total = 0  # tasks finished and submitted over the whole job, for one progress bar
        if scheduler:
            from .errors import CompareError

            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise CompareError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        else:
            self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                        dashboard_address=":0" if _has_bokeh() else None,
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.dashboard = self.client.dashboard_link if _has_bokeh() else None

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def submit(self, fn, *args):
        future = self.client.submit(fn, *args, pure=False, key=f"reuse-{fn.__name__}-{_token()}")
        self.futures.append(future)
        self.total += 1
        return future

    def item(self, future, j):
        return self.submit(_item, future, j)

    def gather(self, values):
        return self.client.gather(values)

    def expect(self, n: int) -> None:
        pass

    def wait(self) -> None:
        """Block until every task submitted so far is done, reporting progress as they finish: tasks done of
        all submitted in the job so far, so the bar is at 100% when the last wait returns."""
        from distributed import as_completed

        futures, self.futures = self.futures, []
        for _ in as_completed(futures):
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total, "reuse")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _item(value, j):
    return value[j]


def _token() -> str:
    import uuid

    return uuid.uuid4().hex[:12]


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def graph_size(n: int) -> int:
    """The tasks :func:`run_job` submits over ``n`` partitions before the clusters are described (items
    aside: they are tasks on Dask only): 8 a partition, the tree of frequency sums and the IDF fit."""
    sums, width = 0, n
    while width > 1:
        width = math.ceil(width / FAN_IN)
        sums += width
    return 8 * n + sums + 1


def partitions_for(n_plans: int, workers: int) -> int:
    """Enough partitions to keep every worker busy (4 each), and none over PLANS_PER_PARTITION plans."""
    return max(1, min(n_plans, max(math.ceil(n_plans / PLANS_PER_PARTITION), 4 * workers)))


def run_job(files: list[Path], executor, threshold: float = R.DEFAULT_THRESHOLD, partitions: int | None = None,
            max_bytes: int | None = None, overrides=None) -> R.ReuseResult:
    """Every clause of every plan in ``files`` against the other plans' clauses; see :mod:`compare.reuse`.
    ``overrides(path)``: the metadata entry in force for a plan file (its title and date replace the file's,
    before the first-said plans and the edges are worked out)."""
    paths = [os.path.abspath(f) for f in files]  # workers read the files: a path every worker sees
    workers = executor.workers() if hasattr(executor, "workers") else 1
    n = partitions or partitions_for(len(paths), workers)
    n = max(1, min(n, len(paths) or 1))
    bounds = [round(k * len(paths) / n) for k in range(n + 1)]
    executor.expect(graph_size(n))
    sub = executor.submit
    parts = [sub(R.parse_partition, k, paths[bounds[k]:bounds[k + 1]], max_bytes) for k in range(n)]
    freqs = [sub(R.partition_frequencies, p) for p in parts]
    while len(freqs) > 1:
        freqs = [sub(add_frequencies, *freqs[i:i + FAN_IN]) for i in range(0, len(freqs), FAN_IN)]
    stats = sub(R.fit_stats, freqs[0])
    rows = [sub(R.vectorize, p, stats) for p in parts]
    bands = [sub(R.band_records, p, n) for p in parts]
    buckets = [sub(R.bucket_candidates, n, *[executor.item(b, j) for b in bands]) for j in range(n)]
    halves = [sub(R.attach, parts[k], rows[k], n, *[executor.item(c, k) for c in buckets]) for k in range(n)]
    checked = [sub(R.verify, k, rows[k], threshold, *[executor.item(h, k) for h in halves]) for k in range(n)]
    meta = [sub(R.plans_of, p) for p in parts]
    executor.wait()
    verified = executor.gather(checked)
    edges = sorted(e for part_edges, _ in verified for e in part_edges)
    candidates = sum(seen for _, seen in verified)
    plans, skipped, clause_counts = {}, [], []
    for plan_map, bad, count in executor.gather(meta):
        plans.update(plan_map)
        skipped += bad
        clause_counts.append(count)
    for plan in plans.values() if overrides else ():
        entry = overrides(plan["path"])
        plan.update({k: entry[k] for k in ("title", "date") if k in entry})
    groups = R.components(edges)
    wanted: dict[int, list[int]] = {}
    for gid in (g for group in groups for g in group):
        wanted.setdefault(gid // R.STRIDE, []).append(gid)
    info = {}
    executor.expect(len(wanted))
    for found in executor.gather([sub(R.describe, parts[k], gids) for k, gids in sorted(wanted.items())]):
        info.update(found)
    executor.wait()
    clusters, members, plan_edges = R.assemble(groups, info, plans, len(plans))
    per_plan = [p["clauses"] for p in plans.values()]
    total = sum(per_plan)
    all_pairs = (total * total - sum(c * c for c in per_plan)) // 2
    return R.ReuseResult(clusters, members, plan_edges, len(plans), total, skipped, candidates, all_pairs,
                         len(edges), threshold, sorted(plans.values(), key=R.date_key), executor.dashboard)
