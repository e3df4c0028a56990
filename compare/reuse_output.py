"""What the reuse job writes: Parquet tables (via pyarrow), JSON lines, CSV and the overview page.

``DIR/clusters.parquet``, ``DIR/members.parquet`` and ``DIR/edges.parquet``
are for pandas, DuckDB or Spark; ``DIR/index.html`` shows the largest
clusters and the diffusion graph (plans in date order, arcs weighted by the
clauses they share). Everything is rendered in memory first, so a failure
never leaves half the outputs; every file is deterministic (no timestamps).
"""
from __future__ import annotations

import io
import json
import math
from pathlib import Path

from .reuse import ReuseResult

CLUSTER_FIELDS = ["id", "size", "clauses", "first_plan", "first_date", "boilerplate", "text"]
MEMBER_FIELDS = ["cluster", "plan", "title", "date", "path", "section", "clause", "text", "first"]
EDGE_FIELDS = ["source", "target", "source_date", "target_date", "shared"]
PAGE_CLUSTERS = 50  # clusters of reuse listed on the page
PAGE_BOILERPLATE = 10  # and stock phrases after them
PAGE_EDGES = 200  # strongest edges drawn on the page
LABEL_PX = 6.5  # pixels per display column of a plan label on the diffusion graph (11px text)


def tables(result: ReuseResult) -> dict[str, object]:
    """The three pyarrow tables, by file name."""
    import pyarrow as pa

    def table(rows, fields, types):
        return pa.table({f: pa.array([getattr(r, f) for r in rows], type=t) for f, t in zip(fields, types)})

    s, i, b = pa.string(), pa.int64(), pa.bool_()
    return {
        "clusters.parquet": table(result.clusters, CLUSTER_FIELDS, [i, i, i, s, s, b, s]),
        "members.parquet": table(result.members, MEMBER_FIELDS, [i, s, s, s, s, s, s, s, b]),
        "edges.parquet": table(result.edges, EDGE_FIELDS, [s, s, s, s, i]),
    }


def parquet_bytes(table) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")  # no creation time is stored: same rows, same bytes
    return buf.getvalue()


def cluster_objects(result: ReuseResult) -> list[dict]:
    """One object per cluster: id, size, plans (plan, date, sections), first (plan, date), boilerplate, text."""
    return [{"id": c.id, "size": c.size,
             "plans": [{"plan": p["plan"], "date": p["date"], "sections": p["sections"]} for p in c.plans],
             "first": {"plan": c.first_plan, "date": c.first_date}, "boilerplate": c.boilerplate, "text": c.text}
            for c in result.clusters]


def render_clusters(result: ReuseResult, fmt: str) -> str:
    """``json``: one object per line; ``csv``: the clusters table with its plans, a BOM for Excel."""
    if fmt == "json":
        return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in cluster_objects(result))
    from .pages import csv_text

    rows = [[getattr(c, f) for f in CLUSTER_FIELDS] + [";".join(p["plan"] for p in c.plans)] for c in result.clusters]
    return csv_text(CLUSTER_FIELDS + ["plans"], rows)


def summary_line(result: ReuseResult, lang: str | None = None) -> str:
    """One line for the terminal, in the interface language."""
    from .templating import Strings

    t = Strings(lang)
    share = result.candidates / result.all_pairs if result.all_pairs else 0.0
    return (t("cli.reuse_summary", plans=result.plans, clauses=result.clauses, clusters=len(result.clusters),
              boilerplate=sum(c.boilerplate for c in result.clusters), edges=len(result.edges),
              candidates=f"{result.candidates:,}", all_pairs=f"{result.all_pairs:,}", share=f"{share:.3%}")
            + (t("cli.skipped", n=len(result.skipped)) if result.skipped else ""))


def render_page(result: ReuseResult, template_dir=None, lang: str | None = None) -> str:
    """DIR/index.html: the largest clusters, and the diffusion graph as an SVG of arcs between dated plans."""
    from .pages import display_width
    from .ranking import BOILERPLATE_SHARE
    from .templating import Strings, render_page

    t = Strings(lang)
    edges = result.edges[:PAGE_EDGES]  # the strongest: edges come most shared first
    drawn = {n for e in edges for n in (e.source, e.target)}
    plans = [p for p in result.plan_list if p["name"] in drawn]  # in date order
    alone = [p["name"] for p in result.plan_list if p["name"] not in drawn]  # said under the graph, not left out
    step = 26
    x = {p["name"]: 40 + k * step for k, p in enumerate(plans)}
    top = max([e.shared for e in edges] + [1])
    base = 20 + max([abs(x[e.target] - x[e.source]) / 2 for e in edges] + [0])
    arcs = []
    for e in edges:  # the earlier plan stands on the left, so every arc runs left to right over the line
        x1, x2 = x[e.source], x[e.target]
        r = abs(x2 - x1) / 2
        arcs.append({"d": f"M {x1} {base:.0f} A {r:.1f} {r:.1f} 0 0 {1 if x2 > x1 else 0} {x2} {base:.0f}",
                     "width": f"{0.5 + 5.5 * math.sqrt(e.shared / top):.2f}",
                     "tip": t("reuse_edge_tip", source=e.source, target=e.target, n=e.shared)})
    # Labels run down-right at 60°, LABEL_PX wide per column (pages.display_width: 2 for a CJK character):
    # the picture is as wide and as tall as the longest reaches, so no name is cut at its edge.
    reach = {p["name"]: LABEL_PX * display_width(p["name"]) for p in plans}
    width = max([x[n] + reach[n] / 2 + 16 for n in reach] + [300])
    label_room = 20 + 0.87 * max(reach.values(), default=0)
    ordered = sorted(result.clusters, key=lambda c: c.id)
    # the reuse first, then the stock phrases the hint promises last: a cut at PAGE_CLUSTERS had left none
    listed = ([c for c in ordered if not c.boilerplate][:PAGE_CLUSTERS]
              + [c for c in ordered if c.boilerplate][:PAGE_BOILERPLATE])
    return render_page("reuse.html", template_dir, t=t, html_lang=t("html_lang"), result=result,
                        clusters=listed, plans=plans, x=x, arcs=arcs, base=int(base),
                        alone=t("reuse_graph_alone", names=t("cli.list_sep").join(alone)) if alone else "",
                        width=int(width), height=int(base + label_room), boilerplate_share=f"{BOILERPLATE_SHARE:.0%}")


def outputs(result: ReuseResult, out_dir: str | Path, template_dir=None, lang: str | None = None) -> list:
    """(path, bytes or text) for every file the job writes into ``out_dir``."""
    out = Path(out_dir)
    files = [(out / name, parquet_bytes(table)) for name, table in tables(result).items()]
    files.append((out / "index.html", render_page(result, template_dir, lang)))
    return files
