"""The corpus's outputs: tables (text with CJK widths, CSV, JSON lines) and pages for rank, clauses,
the matrix and the force profiles."""
from __future__ import annotations

import io
import json
import re

from .report import relative_href, reuse_phrase
from .serialize import c1_escaped, dumps, printable
from .templating import Strings, render_page, two_decimals

def display_width(text: str) -> int:
    """Columns a text takes in a terminal or a monospace layout: 2 for a wide (CJK) character, 1 otherwise."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[）)]$")  # 上海市优化营商环境条例（2020年原文）: what tells versions apart


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    if display_width(text) <= width:
        return text
    note = _TRAILING_NOTE.search(text)
    if note and display_width(note.group()) <= width * 2 // 3:  # cut the middle, keep the closing note
        return _clip(text[:note.start()], width - display_width(note.group())) + note.group()
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            return out + "…"
        out, used = out + ch, used + w
    return out


def text_table(header: list[str], rows: list[list[str]], widths: list[int]) -> str:
    """A fixed-width table that lines up with CJK text (wide characters count double)."""
    lines = []
    for row in [header] + rows:
        cells = [_clip(printable(str(v)), w) for v, w in zip(row, widths)]
        lines.append("  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths)).rstrip())
    return "\n".join(lines) + "\n"


def csv_text(header: list[str], rows: list[list]) -> str:
    """CSV that Excel opens correctly: UTF-8 with a byte-order mark, CRLF rows."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buf.getvalue()


def json_lines(records: list[dict]) -> str:
    """One JSON object per line."""
    return "".join(c1_escaped(json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def _records(items) -> list[dict]:
    from dataclasses import asdict

    return [asdict(x) for x in items]


RANK_FIELDS = ["name", "title", "date", "score", "coverage", "shared_clauses", "path", "duplicates"]


def _cell(value):
    """A CSV cell: lists joined with '; '."""
    return "; ".join(value) if isinstance(value, list) else value


def render_rank(ranks, fmt: str, lang: str | None = None, threshold: float = 0.2) -> str:
    """``rank``'s result as a table (in the interface language), JSON lines or CSV (keys in English)."""
    rows = [[_cell(getattr(r, f)) for f in RANK_FIELDS] for r in ranks]
    if fmt == "json":
        return json_lines(_records(ranks))
    if fmt == "csv":
        return csv_text(RANK_FIELDS, rows)
    t = Strings(lang)
    shown = [[str(i), r.name, r.title, r.date or "", f"{r.score:.3f}", f"{r.coverage:.0%}", str(r.shared_clauses)]
             for i, r in enumerate(ranks, start=1)]
    name_width = max([display_width(printable(row[1])) for row in shown] + [4])  # never cut: names are pasted into `run`
    header = ["#", t("cli.rank_plan"), t("cli.rank_title"), t("cli.rank_date"), t("cli.rank_score"),
              t("cli.rank_coverage", threshold=f"{threshold:g}"), t("cli.rank_shared")]
    widths = [3, name_width, 34, 10, 6, max(8, display_width(header[5])), max(8, display_width(header[6]))]
    lines = text_table(header, shown, widths).splitlines()
    out = lines[:1]
    for line, r in zip(lines[1:], ranks):  # a plan's copies on a line of their own, under its name
        out.append(line)
        if r.duplicates:
            out.append(" " * 5 + printable(t("cli.rank_duplicates", names=", ".join(r.duplicates)).strip()))
    return "\n".join(out) + "\n"


def render_profile(pp, fmt: str, lang: str | None = None) -> str:
    """A plan's force profile as a table (in the interface language), JSON ({"plan", "clauses", "tiers", …})
    or CSV (one row per tier); JSON and CSV keep their English keys."""
    if fmt == "json":
        return dumps({"plan": pp.plan, "title": pp.title, "date": pp.date, "chars": pp.chars, "clauses": pp.clauses,
                      "tiers": pp.tiers, "per_10k": pp.per_10k, "parts": pp.parts})
    tiers = list(pp.tiers)
    if fmt == "csv":
        header = ["tier", "clauses", "per_10k"] + [f"{p['number'] or p['id']} {p['title']}".strip() for p in pp.parts]
        return csv_text(header, [[t, pp.tiers[t], pp.per_10k[t]] + [p["shares"][t] for p in pp.parts] for t in tiers])
    t = Strings(lang)
    head = t("cli.profile_head", title=pp.title, plan=pp.plan, date=f", {pp.date}" if pp.date else "",
             clauses=pp.clauses, chars=pp.chars) + "\n\n"
    names = [t("tier." + tier) for tier in tiers]
    rows = [[name, str(pp.tiers[tier]), f"{pp.per_10k[tier]:.1f}"] for tier, name in zip(tiers, names)]
    table = text_table([t("cli.profile_tier"), t("cli.profile_clauses"), t("cli.profile_per_10k")], rows, [12, 8, 13])
    parts = [[f"{p['number']} {p['title']}".strip() or p["id"], str(p["clauses"])]
             + [f"{p['shares'][tier]:.0%}" for tier in tiers] for p in pp.parts]
    by_part = text_table([t("cli.profile_part"), t("cli.profile_clauses")] + names, parts,
                         [30, 8] + [12] * len(tiers)) if parts else ""
    return printable(head) + table + ("\n" + by_part if by_part else "")


CLAUSE_FIELDS = ["query_id", "query_text", "rank", "score", "plan", "title", "date", "section", "clause_id", "text",
                 "boilerplate", "plans_with_it", "group", "group_plans", "group_first_plan", "group_first_date",
                 "earliest", "reuse_cluster"]


def render_clauses(results, fmt: str, lang: str | None = None) -> str:
    """``clauses``'s result. In the table, provenance stands once per group of near-identical hits (its
    earliest plan and date; where the index holds current reuse results, "appears in N plans, first in X
    (date)" for the group's reuse cluster), and a hit row says only whether it is the earliest of its group."""
    if fmt == "json":
        return json_lines([{k: r[k] for k in CLAUSE_FIELDS} for r in _records(results.hits)])
    if fmt == "csv":
        return csv_text(CLAUSE_FIELDS, [[getattr(h, f) for f in CLAUSE_FIELDS] for h in results.hits])
    from .ranking import QUERY_ID

    t = Strings(lang)
    out: list[str] = []
    by_query: dict[str, list] = {}
    for h in results.hits:
        by_query.setdefault(h.query_id, []).append(h)
    for query_id, hits in by_query.items():
        place = results.query_places.get(query_id)
        label = t("cli.query") if query_id == QUERY_ID else \
            t("cli.query_place", path=place[0], n=place[1]) if place else query_id
        out.append(f"\n{label}  {hits[0].query_text}\n")
        if hits[0].boilerplate:
            out.append("  " + t("cli.boilerplate", n=hits[0].plans_with_it) + "\n")
        for h in hits:
            mark = ""
            if h.group:
                mark = "  [" + t("cli.group_earliest" if h.earliest else "cli.group_member", group=h.group) + "]"
            out.append(f"  {h.rank}. {h.score:.3f}  {h.plan} {h.date or ''}  {h.section}{mark}\n     {h.text}\n")
        groups = {h.group: h for h in hits if h.group}
        for number, h in sorted(groups.items()):
            if h.reuse_cluster:  # the reuse cluster in the index: "appears in N plans, first in X (date)"
                out.append("  " + t("cli.reuse_line", group=number, cluster=h.reuse_cluster,
                                    appears=reuse_phrase(t, h.group_plans, h.group_first_plan, h.group_first_date))
                           + "\n")
                continue
            first = t("cli.group_first", plan=h.group_first_plan, date=h.group_first_date) if h.group_first_plan \
                else t("cli.group_undated")
            out.append("  " + t("cli.group_line", group=number, n=h.group_plans, first=first) + "\n")
    if not results.hits:
        out.append(t("cli.no_clauses") + "\n")
    return printable("".join(out).lstrip("\n"))


def render_matrix(m, template_dir=None, lang: str | None = None) -> str:
    """The corpus page: clustered plan × plan heatmap and the seed's coverage table."""
    t = Strings(lang)
    n = len(m.plans)
    size = max(6, min(22, 700 // max(1, n)))
    top = max([m.similarity[i][j] for i in range(n) for j in range(n) if i != j] + [0.05])
    # a cell's tooltip names both plans as a reader knows them: title and year (the file's name in brackets)
    names = [f"{p['title']} {(p.get('date') or '')[:4]}".strip() + f"（{p['name']}）" for p in m.plans]
    cells = []
    for i in range(n):
        for j in range(n):
            v = m.similarity[i][j]
            shade = int(round(255 - min(1.0, v / top) * 215))
            fill = "rgb(200,200,200)" if i == j else f"rgb({shade},{shade},255)"  # the diagonal is trivially 1
            cells.append({"x": 270 + j * size, "y": 10 + i * size, "fill": fill,
                          "tip": f"{names[i]} × {names[j]}: {two_decimals(v)}"})
    reports = list(m.reports) + [None] * (len(m.columns) - len(m.reports))
    links = [relative_href(name) if name else None for name in reports]  # only reports that are there
    return render_page("matrix.html", template_dir, m=m, cells=cells, size=size, links=links, t=t,
                        html_lang=t("html_lang"), counted=matrix_counts(m, t))


def matrix_counts(m, t) -> list[str]:
    """What the page's plan count covers, so it never contradicts the reports beside it (run --all writes one
    per plan): the plans shown (of how many, where --top cut), the near-duplicates folded into a plan's row
    and column, and the query plan's own copies, each by name."""
    n = len(m.plans)
    listed = max(m.listed, n)
    out = [t("matrix_plans", n=n) if listed == n else t("matrix_plans_of", n=n, total=listed)]
    folded = [t("matrix_folded_one", copy=copy, plan=p["name"]) for p in m.plans for copy in p.get("duplicates", [])]
    if folded:
        out.append(t("matrix_folded", n=len(folded), copies=t("cli.list_sep").join(folded)))
    if m.own_copies:
        out.append(t("matrix_own_copies", copies=t("cli.list_sep").join(m.own_copies), seed=m.seed["name"]))
    return out


# ---------------------------------------------------------------- corpus force profiles

PROFILE_BAR_WIDTH = 200  # px of a plan's stacked tier bar on the corpus page (its clauses = the whole bar)
PROFILE_FIELDS = ["plan", "title", "date", "genre", "chars", "clauses"]


def profiles_summary(cp, t) -> list[str]:
    """The two answers, in the language of ``t``: median binding share by genre, and the trend over time."""
    from .force import GENRE_ENDINGS

    medians = [t("profiles_genre_median", genre=t("genre." + g), n=v["plans"], share=f"{v['median_binding_share']:.0%}")
               for g, v in cp.by_genre.items()]
    lines = [t("profiles_q_genre") + " " + t("profiles_list_sep").join(medians) + t("profiles_end")]
    few = [t("genre." + g) for g, _ in GENRE_ENDINGS if 0 < cp.by_genre.get(g, {}).get("plans", 0) < 3]
    if few:
        lines[0] += " " + t("profiles_few", genres=t("profiles_genre_sep").join(few))
    tr = cp.trend
    reading = t("trend." + (tr["direction"] or "none"))
    if tr["rho"] is None:
        lines.append(t("profiles_q_trend") + " " + t("profiles_trend_none", n=tr["plans"], reading=reading))
    else:
        lines.append(t("profiles_q_trend") + " " + t("profiles_trend", rho=f"{tr['rho']:+.2f}", n=tr["plans"],
                                                      threshold=f"{tr['threshold']:.2f}", reading=reading))
    return lines


def _profile_records(cp) -> list[dict]:
    return [{"plan": r.plan, "title": r.title, "date": r.date, "genre": r.genre, "path": r.path, "chars": r.chars,
             "clauses": r.clauses, "tiers": r.tiers, "per_10k": r.per_10k, "shares": r.shares,
             "binding_directive_share": r.trend_share} for r in cp.rows]


def render_corpus_profiles(cp, fmt: str, template_dir=None, lang: str | None = None) -> str:
    """Every plan's force profile (compare.force.CorpusProfiles) as an HTML page, JSON ({"plans", "by_genre",
    "trend", "skipped"}), CSV (one row per plan) or a table with the two answers below it (English)."""
    from .force import GENRE_ENDINGS, TIERS

    tiers = list(reversed(TIERS))
    if fmt == "json":
        return dumps({"plans": _profile_records(cp), "by_genre": cp.by_genre, "trend": cp.trend, "skipped": cp.skipped})
    if fmt == "csv":
        header = PROFILE_FIELDS + tiers + [f"{x}_per_10k" for x in tiers] + [f"{x}_share" for x in tiers] + ["path"]
        return csv_text(header, [[getattr(r, f) for f in PROFILE_FIELDS] + [r.tiers[x] for x in tiers]
                                 + [r.per_10k[x] for x in tiers] + [r.shares[x] for x in tiers] + [r.path] for r in cp.rows])
    t = Strings(lang)
    if fmt == "table":
        rows = [[r.date or "", r.plan, r.title, t("genre." + r.genre), str(r.clauses)]
                + [f"{r.shares[x]:.0%}" for x in tiers] + [f"{r.trend_share:.0%}"] for r in cp.rows]
        header = [t("cli.profiles_date"), t("cli.profiles_plan"), t("cli.profiles_title"), t("cli.profiles_genre"),
                  t("cli.profile_clauses")] + [t("tier." + x) for x in tiers] + [t("cli.profiles_bd")]
        table = text_table(header, rows, [10, max([display_width(printable(r.plan)) for r in cp.rows] + [4]), 24, 14, 7]
                           + [11, 9, 10, 11, 4] + [max(4, display_width(t("cli.profiles_bd")))])
        skipped = t("cli.profiles_skipped", n=len(cp.skipped)) + "\n" if cp.skipped else ""
        return table + "\n" + printable("\n".join(profiles_summary(cp, t))) + "\n" + skipped
    rows = []
    for r in cp.rows:
        x, parts = 0.0, []
        for tier in tiers:
            width = PROFILE_BAR_WIDTH * r.shares[tier]
            share = f"{r.shares[tier]:.0%}"
            parts.append({"tier": tier, "n": r.tiers[tier], "x": round(x, 2), "width": round(width, 2),
                          "tip": t("force_bar_tip", plan=r.title, tier=t("tier." + tier), n=r.tiers[tier], share=share)})
            x += width
        cells = [{"tier": tier, "n": r.tiers[tier], "share": f"{r.shares[tier]:.0%}", "per_10k": f"{r.per_10k[tier]:.1f}"}
                 for tier in tiers]
        rows.append({"row": r, "genre": t("genre." + r.genre), "parts": parts, "cells": cells,
                     "trend": f"{r.trend_share:.0%}"})
    rule = t("profiles_genre_rule", plan="、".join(GENRE_ENDINGS[0][1]), regulation="、".join(GENRE_ENDINGS[1][1]))
    return render_page("profiles.html", template_dir, t=t, html_lang=t("html_lang"), cp=cp, rows=rows,
                        tiers=[(tier, t("tier." + tier)) for tier in tiers], summary=profiles_summary(cp, t),
                        rule=rule, bar_width=PROFILE_BAR_WIDTH)
