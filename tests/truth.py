"""The hand-labelled truth set on real plan pairs (tests/data/truth), and how an alignment is scored on it.

A truth file names articles as numbered (第二十四条); labels are described in tests/data/truth/README.md.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TRUTH = Path(__file__).resolve().parent / "data" / "truth"
LINK_LABELS = ("clear", "group")


@dataclass(frozen=True)
class Label:
    label: str
    a: str | None  # article number as written in A (a unit's path in a plan without articles), None for "-"
    b: str | None
    group: str
    note: str


def truth_files() -> list[Path]:
    """The five pairs the aligner was built against (in-sample)."""
    return sorted(TRUTH.glob("*__*.tsv"))


def heldout_files() -> list[Path]:
    """Pairs labelled after the aligner was built, and never used to change it (tests/data/truth/heldout)."""
    return sorted((TRUTH / "heldout").glob("*__*.tsv"))


def plan_vs_law_files() -> list[Path]:
    """The seed plan against two regulations (tests/data/truth/plan-vs-law): a plan's measures against a
    law's articles, the genres apart; the pairs rules for this genre gap may be built against."""
    return sorted((TRUTH / "plan-vs-law").glob("*__*.tsv"))


def plan_vs_law_heldout_files() -> list[Path]:
    """Two more such pairs (plan-vs-law/heldout), labelled before the others and never used to change a rule."""
    return sorted((TRUTH / "plan-vs-law" / "heldout").glob("*__*.tsv"))


def plan_names(path: Path) -> tuple[str, str]:
    a, b = path.stem.split("__")
    return a, b


def load_truth(path: Path) -> list[Label]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [Label(r["label"], None if r["a"] == "-" else r["a"], None if r["b"] == "-" else r["b"],
                  r["group"] or "", r["note"] or "") for r in rows]


def articles(doc) -> dict[str, str]:
    """A labelled unit's name → section id: the article number as written (第X条) for a plan in articles;
    for a plan without articles (the seed's 一、/(一)/1、), each unit's path of numbers (二、/(五)/17、)."""
    out = {}
    for s in doc.walk():
        if s.style == "tiao":
            out.setdefault(s.number.strip(), s.id)
    if out:
        return out
    from compare.decisions import section_names
    from compare.models import Role, roles

    role, names = roles(doc), section_names(doc)
    return {names[s.id]: s.id for s in doc.walk() if role[s.id] == Role.UNIT}


def _numbers(comparison) -> tuple[dict[str, str], dict[str, str]]:
    """Section id → article number as written, for A and for B."""
    return ({v: k for k, v in articles(comparison.a).items()}, {v: k for k, v in articles(comparison.b).items()})


def tool_links(comparison) -> tuple[set[tuple[str, str]], set[str], set[str]]:
    """(A article, B article) pairs that share a unit pair or group; A and B articles that are paired at all."""
    num_a, num_b = _numbers(comparison)
    links, paired_a, paired_b = set(), set(), set()
    for p in comparison.pairs:
        if not (p.a and p.b):
            continue
        xs = [num_a[x] for x in p.a if x in num_a]
        ys = [num_b[y] for y in p.b if y in num_b]
        links |= {(x, y) for x in xs for y in ys}
        paired_a |= set(xs)
        paired_b |= set(ys)
    return links, paired_a, paired_b


def move_links(comparison) -> set[tuple[str, str]]:
    """(A article, B article) where the tool says part of A's text now stands in B's article (or the reverse)."""
    num_a, num_b = _numbers(comparison)
    out = set()
    for m in getattr(comparison, "moves", []):
        if m.a in num_a and m.b in num_b:
            out.add((num_a[m.a], num_b[m.b]))
    return out


@dataclass
class Score:
    links: int = 0  # clear + group labels
    links_found: int = 0
    negatives: int = 0
    negatives_paired: int = 0
    only: int = 0
    only_alone: int = 0
    parts: int = 0
    parts_found: int = 0  # as a pair or a partial-move link

    def add(self, other: "Score") -> "Score":
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))
        return self

    @property
    def recall(self) -> float:
        return self.links_found / self.links if self.links else 1.0

    @property
    def negative_rate(self) -> float:
        return self.negatives_paired / self.negatives if self.negatives else 0.0

    @property
    def only_rate(self) -> float:
        return self.only_alone / self.only if self.only else 1.0

    @property
    def part_rate(self) -> float:
        return self.parts_found / self.parts if self.parts else 1.0

    def line(self) -> str:
        return (f"link recall {self.recall:.3f} ({self.links_found}/{self.links}), negatives paired "
                f"{self.negative_rate:.3f} ({self.negatives_paired}/{self.negatives}), only left alone "
                f"{self.only_rate:.3f} ({self.only_alone}/{self.only}), parts linked {self.part_rate:.3f} "
                f"({self.parts_found}/{self.parts})")


def score(labels: list[Label], links: set, paired_a: set, paired_b: set, moves: set = frozenset()) -> Score:
    s = Score()
    for row in labels:
        if row.label in LINK_LABELS:
            s.links += 1
            s.links_found += (row.a, row.b) in links
        elif row.label == "negative":
            s.negatives += 1
            s.negatives_paired += (row.a, row.b) in links
        elif row.label == "only_a":
            s.only += 1
            s.only_alone += row.a not in paired_a
        elif row.label == "only_b":
            s.only += 1
            s.only_alone += row.b not in paired_b
        elif row.label == "part":
            s.parts += 1
            s.parts_found += (row.a, row.b) in links or (row.a, row.b) in moves
    return s


def baseline_links(doc_a, doc_b, threshold: float = 0.2):
    """The baseline: character-bigram TF-IDF over both plans' articles, optimal one-to-one assignment, cosine ≥ 0.2."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.feature_extraction.text import TfidfVectorizer

    def texts(doc):
        arts = articles(doc)
        return list(arts), [doc.text[doc.section(i).title_start:doc.section(i).end] for i in arts.values()]

    na, ta = texts(doc_a)
    nb, tb = texts(doc_b)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2)).fit(ta + tb)
    sim = (vectorizer.transform(ta) @ vectorizer.transform(tb).T).toarray()
    rows, cols = linear_sum_assignment(-sim)
    links = {(na[r], nb[c]) for r, c in zip(rows, cols) if sim[r, c] >= threshold}
    return links, {x for x, _ in links}, {y for _, y in links}
