"""The report's two charts as SVG-ready data: the unit × unit similarity heatmap and both plans' policy-force
profiles; and the place names by which the report, the heatmap's axes included, names a section. Part of the
report stage (see :mod:`compare.report`): numbers and labels for the templates, no markup."""
from __future__ import annotations

from .models import Role
from .templating import Strings, two_decimals


FORCE_BAR_WIDTH = 560  # px of the profile chart's bars (a plan's clauses = the whole bar)


def force_chart(c, force, shown_pairs, t) -> dict:
    """Both plans' tier profiles as SVG-ready stacked bars, strongest tier first, and the count of changes."""
    from .force import TIERS, profile

    left, bar, gap = 40, 22, 10
    rows = []
    for k, (side, doc, clauses) in enumerate((("a", c.a, force.a), ("b", c.b, force.b))):
        counts = profile(clauses)
        total = sum(counts.values())
        x, parts = float(left), []
        for tier, n in counts.items():
            width = FORCE_BAR_WIDTH * n / total if total else 0.0
            share = f"{n / total:.0%}" if total else "0%"
            parts.append({"tier": tier, "n": n, "x": round(x, 2), "width": round(width, 2), "share": share,
                          "tip": t("force_bar_tip", plan=t("side_" + side), tier=t("tier." + tier), n=n, share=share)})
            x += width
        rows.append({"side": t("side_" + side), "y": k * (bar + gap) + 4, "parts": parts, "total": total})
    changed = [p for p in shown_pairs if p]
    up = sum(1 for p in changed if p["change"] == "stronger")
    return {"rows": rows, "bar": bar, "left": left, "width": left + FORCE_BAR_WIDTH + 10,
            "height": 2 * (bar + gap) + 28, "legend_y": 2 * (bar + gap) + 16,
            "legend": [{"tier": tier, "label": t("tier." + tier), "x": left + k * 112} for k, tier in enumerate(reversed(TIERS))],
            "changed": len(changed), "up": up, "down": len(changed) - up,
            "hint": t("force_hint", changed=len(changed), up=up, down=len(changed) - up), "aria": t("force_chart_aria")}


def place_names(doc):
    """Section id → a name a reader can find it by: its number, with its parents' numbers before it until the
    name is unique (（五） under 第五十二条 reads 第五十二条（五）; 5、 of a plan whose items run on stays 5、)."""
    from collections import Counter

    count = Counter(s.number for s in doc.walk())

    def name(sid: str) -> str:
        s = doc.section(sid)
        out = s.number or sid
        while s.parent and count[s.number] > 1:
            s = doc.section(s.parent)
            out = s.number + out
        return out

    return name


def heatmap(c, anchor_of_a, t=None) -> dict:
    """Unit × unit similarity as SVG-ready cells; a cell links to the pair holding its A unit."""
    t = t or Strings()
    rows, cols = c.units_a, c.units_b
    if not c.matrix:  # too many units to draw (see align.MATRIX_CELLS)
        rows, cols = [], []
    paired = {(x, y) for p in c.pairs if p.role == Role.UNIT for x in p.a for y in p.b}
    size = max(4, min(14, 640 // max(1, len(cols)), 640 // max(1, len(rows))))
    top = max([max(row) for row in c.matrix if row] + [0.05])  # shade relative to the strongest match
    floor = max(0.05, 0.15 * top)  # fainter cells carry no structure and only bloat the page
    places_a, places_b = place_names(c.a), place_names(c.b)  # as the rest of the report names them
    label_a, label_b = {x: places_a(x) for x in rows}, {y: places_b(y) for y in cols}
    left, head = 90, 70  # room for row labels and for the rotated column labels
    cells = []
    tip = t.table["heatmap_tip"]
    names_b = {}  # column unit -> its tooltip name, made once
    column = {y: j for j, y in enumerate(cols)}
    paired_columns: dict[str, set] = {}  # A unit -> the columns of the B units paired with it
    for x, y in paired:
        if y in column:
            paired_columns.setdefault(x, set()).add(column[y])
    for i, (x, row) in enumerate(zip(rows, c.matrix)):
        name_a, href, y_px = _tip_name(c.a, x, label_a[x]), "#" + anchor_of_a[x], head + i * size
        shown = [j for j, v in enumerate(row[:len(cols)]) if not v < floor]  # most cells are too faint to draw
        outlined = paired_columns.get(x)
        if outlined:
            shown = sorted(outlined.union(shown))
        for j in shown:
            y, v = cols[j], row[j]
            is_paired = bool(outlined) and j in outlined
            name_b = names_b.get(y)
            if name_b is None:
                name_b = names_b[y] = _tip_name(c.b, y, label_b[y])
            shade = int(round(255 - min(1.0, v / top) * 215))
            cells.append({"x": left + j * size, "y": y_px, "fill": f"rgb({shade},{shade},255)",
                          "paired": is_paired, "href": href, "ij": f"{i},{j}",
                          "tip": tip.format(a=name_a, b=name_b, score=two_decimals(v))})
    col_step, row_step = -(-COL_LABEL_PITCH // size), -(-ROW_LABEL_PITCH // size)  # every k-th label: none overlap
    return {"size": size, "cells": cells, "left": left, "head": head,
            "axes": t("heatmap_axes"), "aria": t("heatmap_aria"),
            "width": left + 10 + len(cols) * size, "height": head + 10 + len(rows) * size,
            "rows": [{"y": head + i * size, "label": label_a[x], "href": "#" + anchor_of_a[x]}
                     for i, x in enumerate(rows) if i % row_step == 0],
            "cols": [{"x": left + j * size, "label": label_b[y]} for j, y in enumerate(cols) if j % col_step == 0],
            "n_rows": len(rows), "n_cols": len(cols)}


ROW_LABEL_PITCH = 11  # least px between two row labels of the heatmap (their font is 9px)
COL_LABEL_PITCH = 14  # and between two column labels, rotated: CJK glyphs on their side need air to read


def _tip_name(doc, section_id, label) -> str:
    """A heatmap tooltip's name for a section: its number, and its title or first words."""
    s = doc.section(section_id)
    words = s.short_title(16)
    return f"{label} {words}".strip() if words and words != label else label
