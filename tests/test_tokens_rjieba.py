"""rjieba gives jieba's token boundaries: over the real plans, on the cases where jieba-rs differs, on random text."""
from __future__ import annotations

import logging
import os
import random
import re
import subprocess
import sys

import pytest

from compare import tokenize
from compare.normalize import match_form
from conftest import ROOT, SEED, needs_corpus, real_corpus_files

pytestmark = pytest.mark.skipif(tokenize.tokenizer()[0] != "rjieba",
                                reason="rjieba is not installed here (or COMPARE_TOKENIZER=jieba): nothing to compare")


def _segment_with(monkeypatch, name: str, text: str) -> list[int]:
    monkeypatch.setenv("COMPARE_TOKENIZER", name)
    tokenize.tokenizer.cache_clear()
    try:
        assert tokenize.tokenizer()[0] == name
        return tokenize.segment(text)
    finally:
        tokenize.tokenizer.cache_clear()


def _stock_jieba():
    """A jieba.Tokenizer given the domain dictionary the way jieba's add_word does it (its total not put right)."""
    import jieba

    jieba.setLogLevel(logging.CRITICAL)
    stock = jieba.Tokenizer()
    stock.tmp_dir, stock.cache_file = str(tokenize.cache_dir()), "jieba.cache"
    for word, freq in tokenize._domain_entries():
        stock.add_word(word, freq)
    return stock


def _jieba_ends(cut, text: str) -> list[int]:
    ends, pos = [], 0
    for piece in tokenize._chunks(match_form(text)):
        for token in cut(piece, HMM=True):
            pos += len(token)
            ends.append(pos)
    return ends


@needs_corpus
def test_rjieba_boundaries_equal_jiebas_over_every_real_plan_and_the_seed(monkeypatch):
    from compare.models import Options
    from compare.sections import load_plan

    stock = _stock_jieba()
    texts = {p.name: load_plan(p, Options()).text for p in real_corpus_files() + [SEED]}
    assert len(texts) == 21 and sum(map(len, texts.values())) > 150_000
    for name, text in texts.items():
        ours = _segment_with(monkeypatch, "rjieba", text)
        assert ours == _segment_with(monkeypatch, "jieba", text), name  # the fallback
        assert ours == _jieba_ends(stock.cut, text), name  # jieba as it comes, add_word as jieba does it
        assert ours[-1] == len(text)


@pytest.mark.parametrize("text", [
    "https://finews.zning.xyz/html_News/NewsShare.html?infoCode=1",  # jieba-rs keeps unknown ascii runs whole
    "版本1.2.3，e-CNY试点，x_y中国，中国a.b，www.gov.cn",
    "㐀㐁中国，鿖鿗中国，豈更，𠀀务",  # characters jieba-rs takes for Chinese, jieba does not
    "展展展持融券，金建建建展，险/服服服服展12证券",  # Viterbi ties that jieba-rs breaks the other way
    "中国\r\n国家  中\u3000国，5G+金融、C++语言、R&D投入、AT&T、GDP增长6.5%以上、B超检查",
])
def test_the_places_jieba_rs_differs_come_out_as_jieba(monkeypatch, text):
    ours = _segment_with(monkeypatch, "rjieba", text)
    assert ours == _segment_with(monkeypatch, "jieba", text)
    assert ours == _jieba_ends(_stock_jieba().cut, text)


def test_random_mixed_text_segments_as_jieba(monkeypatch):
    alphabet = list("金融服务中心建设支持发展国家银行证券保险的了和在推动") + list("abXY0123._%-+#&") + \
        [" ", "\r\n", "\n", "，", "。", "/", "㐀", "鿖", "豈", "𠀀"]
    rng = random.Random(9)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(4000)]
    jieba_ends = [_segment_with(monkeypatch, "jieba", t) for t in texts]
    assert [_segment_with(monkeypatch, "rjieba", t) for t in texts] == jieba_ends
    fast = sum(tokenize._EXT_HAN.search(t) is None and not tokenize._tripled_han(t) for t in texts)
    assert fast > 1000  # rjieba's fast path is exercised too
    # ... both where no word can split (letters or digits, no symbol beside them) and where one may
    plain = sum(tokenize._ASCII_WORD.search(t) is not None and tokenize._MAY_SPLIT.search(t) is None for t in texts)
    assert plain > 200 and sum(tokenize._MAY_SPLIT.search(t) is not None for t in texts) > 200
    # the one-branch pattern says what its definition says: a letter or digit beside one of +#&._%-
    beside = re.compile(r"[a-zA-Z0-9][+#&._%\-]|[+#&._%\-][a-zA-Z0-9]")
    assert [tokenize._MAY_SPLIT.search(t) is None for t in texts] == [beside.search(t) is None for t in texts]


def test_every_domain_word_has_a_frequency():
    # without one, each segmenter suggests its own, and they may differ by one
    entries = tokenize._domain_entries()
    assert len(entries) > 100 and all(freq for _, freq in entries)
    assert all(tokenize._rjieba().has_word(word) for word, _ in entries)


def test_the_tokenizer_is_named_in_the_fingerprint(monkeypatch):
    rjieba_print = tokenize.dictionary_fingerprint()
    try:
        with monkeypatch.context() as m:
            m.setenv("COMPARE_TOKENIZER", "jieba")
            tokenize.tokenizer.cache_clear()
            tokenize.dictionary_fingerprint.cache_clear()
            assert tokenize.tokenizer()[0] == "jieba" and tokenize.tokenizer()[1][0].isdigit()
            assert tokenize.dictionary_fingerprint() != rjieba_print
        with monkeypatch.context() as m:
            m.setattr(tokenize, "_rjieba_module", lambda: (_ for _ in ()).throw(ImportError("no rjieba")))
            tokenize.tokenizer.cache_clear()
            assert tokenize.tokenizer()[0] == "jieba"  # rjieba cannot load: jieba
    finally:
        tokenize.tokenizer.cache_clear()
        tokenize.dictionary_fingerprint.cache_clear()
    assert tokenize.dictionary_fingerprint() == rjieba_print


def test_segmenting_wakes_neither_jieba_nor_rjiebas_own_instance(tmp_path):
    code = ("import sys; from compare.tokenize import segment, tokenizer; "
            "ends = segment('支持发展绿色金融和数字人民币'); "
            "print(tokenizer()[0], 'jieba' in sys.modules, 'rjieba' in sys.modules, len(ends))")
    env = dict(os.environ, COMPARE_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    env.pop("COMPARE_TOKENIZER", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.split() == ["rjieba", "False", "False", "5"], out.stderr
