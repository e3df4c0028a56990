"""Tokens and TF-IDF: private jieba, domain words, one-character words, sklearn parity, caches."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import tokenize
from compare.tfidf import fit
from compare.tokenize import Segmentation, pieces, segment
from conftest import ROOT, SEED


def test_domain_terms_stay_whole_and_global_jieba_untouched():
    import jieba

    text = "开展本外币合一银行结算账户体系试点，依托西部陆海新通道发展供应链金融和数字人民币。"
    tokens = Segmentation(text, segment(text)).tokens()
    for term in ("本外币合一", "西部陆海新通道", "供应链金融", "数字人民币"):
        assert term in tokens
    assert not jieba.dt.initialized  # our Tokenizer is private


def test_pieces_rebuild_the_text_and_one_char_words_count():
    text = "（一）鼓励发展债、股、贷。QFLP试点\n第二条"
    assert "".join(pieces(text)) == text
    tokens = Segmentation(text, segment(text)).tokens()
    assert "债" in tokens and "股" in tokens and "贷" in tokens and "qflp" in tokens
    assert "，" not in tokens and "（" not in tokens and "和" not in tokens  # punctuation and stop words out


def test_traditional_script_matches_simplified():
    simp, trad = "支持跨境资金池业务发展", "支持跨境資金池業務發展"
    assert Segmentation(simp, segment(simp)).tokens() == Segmentation(trad, segment(trad)).tokens()


def test_vectors_equal_sklearn_transform():
    from sklearn.feature_extraction.text import TfidfVectorizer

    units = [["绿色金融", "债券", "债券"], ["债券", "征信"], ["绿色金融", "征信", "征信", "征信"], ["贷"]]
    stats = fit(units)
    ours = stats.vectors(units).toarray()
    ref = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True).fit(units)
    theirs = ref.transform(units).toarray()[:, [ref.vocabulary_[t] for t in stats.vocabulary]]
    assert ours == pytest.approx(theirs)
    assert (ours * ours).sum(axis=1) == pytest.approx([1.0] * 4)


def test_runs_wake_jieba_only_when_asked_and_never_sklearn(tmp_path):
    code = (
        "import sys; from compare import api; "
        f"api.compare({str(SEED)!r}, {str(SEED)!r}, corpus={str(tmp_path)!r}); "
        "print('jieba' in sys.modules, 'sklearn' in sys.modules)"
    )
    env = dict(os.environ, COMPARE_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    env.pop("COMPARE_TOKENIZER", None)
    runs = [subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, cwd=tmp_path)
            for e in (env, env, dict(env, COMPARE_TOKENIZER="jieba"))]
    assert runs[0].stdout.split() == ["False", "False"], runs[0].stderr  # rjieba segments; numpy fits the IDF
    assert runs[1].stdout.split() == ["False", "False"], runs[1].stderr
    assert runs[2].stdout.split() == ["True", "False"], runs[2].stderr  # another tokenizer: the caches miss
    assert [r.stderr for r in runs] == ["", "", ""]  # jieba's "Building prefix dict" chatter is silenced
    assert (tmp_path / "cache" / "jieba.cache").exists() and (tmp_path / "cache" / "tokens").is_dir()
    assert len(list((tmp_path / "cache" / "idf").iterdir())) == 2  # one IDF per tokenizer


def test_the_cache_folder_is_pruned_oldest_first_past_its_limit(tmp_path, monkeypatch):
    """Past CACHE_LIMIT bytes of entries, the first write of a process deletes the least recently written
    down to three quarters; the entry just written, and what is not a recomputable entry (an index, the
    compiled templates, jieba's dictionary), stay. Under the limit nothing goes."""
    import os

    from compare import tokenize

    root = tmp_path / "cache"
    monkeypatch.setattr(tokenize, "CACHE_LIMIT", 10_000)
    monkeypatch.setattr(tokenize, "_PRUNED_ROOTS", set())
    entries = []
    for k in range(12):  # 12 × 1,000 bytes in four kinds, the oldest first
        entry = root / tokenize.PRUNED[k % 4] / f"{k:02d}" / f"entry-{k:02d}.json"
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text("x" * 1000, encoding="utf-8")
        os.utime(entry, ns=(k * 10**9, k * 10**9))
        entries.append(entry)
    kept = [root / "indexes" / "plans.sqlite", root / "jinja" / "t.cache", root / "jieba.cache"]
    for other in kept:
        other.parent.mkdir(parents=True, exist_ok=True)
        other.write_bytes(b"y" * 5000)
        os.utime(other, ns=(0, 0))
    new = root / "titles" / "new.json"
    tokenize.write_cache(new, "z" * 1000)  # 13,000 bytes of entries: down to 7,500
    assert [e.exists() for e in entries] == [False] * 6 + [True] * 6
    assert new.exists() and all(other.exists() for other in kept)
    tokenize.write_cache(root / "titles" / "newer.json", "z" * 9000)  # pruned once per process and folder
    assert all(e.exists() for e in entries[6:])
    monkeypatch.setattr(tokenize, "CACHE_LIMIT", 10**9)
    assert tokenize.prune_cache(root) == 0


def _chunks_by_regex(norm: str):
    """The reference: the whole text scanned by the long-run pattern (what _chunks did before its fast path)."""
    prev = 0
    for m in tokenize._LONG_RUN.finditer(norm):
        for cut in range(m.start() + tokenize.CHUNK, m.end(), tokenize.CHUNK):
            yield norm[prev:cut]
            prev = cut
    yield norm[prev:]


PIECES = st.sampled_from(["金", "融", "金金金", "a", "Z9", ".", "-", "，", "。", " ", "\n", "\u3400", "\U00020000",
                          "\u9fd5", "\u9fd6", "ｑ", "（", "金" * 120, "ab" * 70])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_vectorised_checks_agree_with_the_patterns(text):
    """_chunks and the tripled-character test read code points with numpy; the patterns are the reference."""
    import re

    assert list(tokenize._chunks(text)) == list(_chunks_by_regex(text))
    assert tokenize._tripled_han(text) == bool(re.search(r"([\u4e00-\u9fd5])\1\1", text))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=list("金融服务中心建设支持的了和在ABab01 ，。、\n（）%.-"), max_size=80), st.data())
def test_a_plans_vocabulary_and_token_ranges_say_what_its_content_tokens_say(text, data):
    # the index stores these arrays; they must be the content tokens' own sorted set, ids and bisections
    seg = Segmentation.build(text)
    content = seg.content()
    terms, ids = seg.vocabulary()
    assert terms == list(dict.fromkeys(content)) and [terms[i] for i in ids.tolist()] == content
    spans = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=8)))
    spans = list(zip(spans[::2], spans[1::2]))
    got = seg.token_ranges(spans).reshape(-1, 2).tolist() if spans else []
    assert got == [list(seg.token_range(a, b)) for a, b in spans]


def test_a_new_key_table_leaves_earlier_segmentations_whole(monkeypatch):
    text = "支持金融机构发展绿色金融，推动普惠金融发展"
    expected = Segmentation.build(text).content()
    first = Segmentation.build(text)
    first.token_range(0)  # its key ids are taken from the table in use now
    monkeypatch.setattr(tokenize, "_KEY_TABLE", tokenize._KeyTable())  # as a long-lived process's bound makes
    assert Segmentation.build("保险机构和证券公司").content()  # the new table gives its first ids to other keys
    assert first.content() == expected and first.vocabulary()[0] == list(dict.fromkeys(expected))
    assert len(expected) > 4
