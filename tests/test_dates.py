"""A plan's date (issue 14): an explicit front-matter date, the document's own issue date, front matter's
post date, DOCX core properties, a closing date line, the date it takes effect, the year its file is named
for; and --meta over all of them, kept by the index."""
from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

from compare.cli import main
from compare.errors import InputError
from compare.load import load
from compare.meta import read_meta
from conftest import needs_corpus

NOTICE = "示范省人民政府关于印发《示范规划》的通知\n示范省人民政府\n2022年3月8日\n一、总体要求\n（一）指导思想。扩大开放。\n"
BODY = "示范规划\n一、总体要求\n（一）指导思想。扩大开放。\n"


@pytest.mark.parametrize("name, text, date, kind", [
    ("notice.txt", NOTICE, "2022-03-08", "issued"),  # the date under the notice's signatories
    ("post.md", "---\ntitle: 示范规划\ndate: 2022-04-01 10:00:00 +0800\n---\n" + BODY, "2022-04-01", "issued"),
    ("post-issued.md", "---\ntitle: 示范规划\nissued: 2022-02-01\ndate: 2022-04-01\n---\n" + NOTICE, "2022-02-01",
     "issued"),
    ("copy.md", "---\ntitle: 示范规划\ndate: 2022-04-01 10:00:00 +0800\n---\n" + NOTICE, "2022-03-08", "issued"),
    ("closing.txt", BODY + "示范省人民政府\n2022年5月6日\n", "2022-05-06", "issued"),
    ("in-force.txt", BODY + "（二）附则。本方案自2014年8月1日起施行。\n", "2014-08-01", "effective"),
    ("law.md", "# 示范条例\n\n2008年4月23日 国务院令第523号公布\n\n2016年2月6日 第一次修订\n\n## 第一章 总则\n\n第一条 内容。\n",
     "2016-02-06", "revised"),  # the latest record of a law
    ("city.md", "# 示范市条例\n\n2021年8月26日 示范市人民代表大会常务委员会通过\n\n2021年9月29日 示范省人民代表大会常务委员会批准"
     "\n\n## 第一章 总则\n\n第一条 内容。\n", "2021-09-29", "approved"),  # a city's law, approved by its province
    ("amended.md", "# 示范条例\n\n2020年4月10日 示范市人民代表大会常务委员会通过\n\n2024年9月27日 《关于修改〈示范条例〉的决定》"
     "第三次修正\n\n## 第一章 总则\n\n第一条 内容。\n", "2024-09-27", "amended"),
    ("rules-2016.md", "# 示范条例\n\n2008年4月23日 国务院令第523号公布\n\n## 第一章 总则\n\n第一条 内容。\n", "2016",
     "file_name"),
    ("rules-2008.md", "# 示范条例\n\n2008年4月23日 国务院令第523号公布\n\n## 第一章 总则\n\n第一条 内容。\n",
     "2008-04-23", "published"),
    ("plain.txt", BODY, None, None),
    ("named-2021.txt", BODY, "2021", "file_name"),
    ("hash-2310b.txt", BODY, None, None),  # digits inside a name are no year
])
def test_date_rules(tmp_path, name, text, date, kind):
    """The date, and what it is (the report's header says 2014-08-01 施行, not a bare date an analyst would
    compare with another law's adoption date)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = load(path)
    assert (doc.date, doc.date_kind) == (date, kind)


def _docx(path, core: bool, created=None, modified=None, closing=None):
    import datetime
    import zipfile

    import docx

    document = docx.Document()
    for line in ["示范规划", "一、总体要求", "（一）指导思想。扩大开放。"] + ([closing] if closing else []):
        document.add_paragraph(line)
    if created:
        document.core_properties.created = datetime.datetime.fromisoformat(created)
    if modified:
        document.core_properties.modified = datetime.datetime.fromisoformat(modified)
    buf = io.BytesIO()
    document.save(buf)
    if core:
        path.write_bytes(buf.getvalue())
        return path
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w") as dst:  # a package without core properties
        for item in src.infolist():
            if item.filename != "docProps/core.xml":
                data = src.read(item.filename)
                if item.filename in ("[Content_Types].xml", "_rels/.rels"):  # no mention of the part left
                    data = re.sub(rb'<(Override|Relationship)[^>]*core\.xml"[^>]*/>', b"", data)
                dst.writestr(item, data)
    return path


def test_docx_dates_come_from_its_core_properties_and_are_never_invented(tmp_path):
    assert load(_docx(tmp_path / "a.docx", True, "2019-05-06T08:00:00", "2020-01-02T08:00:00")).date == "2019-05-06"
    assert load(_docx(tmp_path / "c.docx", False, closing="2018年7月9日")).date == "2018-07-09"
    assert load(_docx(tmp_path / "d.docx", False)).date is None  # python-docx would stamp today's date


def test_meta_file_reading(tmp_path):
    csv = tmp_path / "meta.csv"
    csv.write_text("file,title,date,issuer,notes\nnotice.txt,别的标题,2021-12-13,中国人民银行、财政部,x\n"
                   "plain,,2016-02,,\n\n", encoding="utf-8-sig")
    assert read_meta(csv) == {"notice.txt": {"title": "别的标题", "date": "2021-12-13", "issuers": ["中国人民银行", "财政部"]},
                              "plain": {"date": "2016-02"}}
    tsv = tmp_path / "meta.tsv"
    tsv.write_text("file\ttitle\tissuer\tdate\nx.md\t标题\t国务院\t2016年2月6日\n", encoding="utf-8")
    assert read_meta(tsv) == {"x.md": {"title": "标题", "date": "2016-02-06", "issuers": ["国务院"]}}
    for bad, problem in (("file,date\nx.md,2016-13-01\n", "line 2"), ("name,date\nx.md,2016\n", "needs a header")):
        (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
        with pytest.raises(InputError, match=problem):
            read_meta(tmp_path / "bad.csv")


def test_meta_overrides_everything_and_the_index_keeps_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notice.txt").write_text(NOTICE + "（二）工作目标。发展绿色金融。\n", encoding="utf-8")
    (corpus / "other.txt").write_text("另一规划\n一、总体要求\n（一）指导思想。扩大开放，发展绿色金融。\n", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("file,title,date,issuer\nnotice.txt,改过的标题,2001-02-03,某部门\n", encoding="utf-8")
    runner = CliRunner()
    index = str(tmp_path / "i.sqlite")
    result = runner.invoke(main, ["index", "--corpus", str(corpus), "--index", index, "--meta", str(meta)])
    assert result.exit_code == 0, result.output
    # a later query without --meta: the index kept it
    ranks = runner.invoke(main, ["rank", str(corpus / "other.txt"), "--corpus", str(corpus), "--index", index,
                                 "--format", "json"])
    row = next(json.loads(line) for line in ranks.stdout.splitlines() if json.loads(line)["name"] == "notice")
    assert row["title"] == "改过的标题" and row["date"] == "2001-02-03"
    hits = runner.invoke(main, ["clauses", "--query", "发展绿色金融", "--corpus", str(corpus), "--index", index,
                                "--format", "json"])
    assert {json.loads(line)["date"] for line in hits.stdout.splitlines()
            if json.loads(line)["plan"] == "notice"} == {"2001-02-03"}
    # run takes it too
    out = runner.invoke(main, ["run", str(corpus / "notice.txt"), str(corpus / "other.txt"), "--corpus", str(corpus),
                               "--no-html", "--json", "-", "--meta", str(meta)])
    a = json.loads(out.stdout)["a"]
    assert (a["title"], a["date"], a["issuers"]) == ("改过的标题", "2001-02-03", ["某部门"])
    assert a["date_kind"] is None  # the user's date: not the notice's issue date any more
    # a new --meta replaces what the index kept
    meta.write_text("file,date\nnotice,1999-09-09\n", encoding="utf-8")
    ranks = runner.invoke(main, ["rank", str(corpus / "other.txt"), "--corpus", str(corpus), "--index", index,
                                 "--format", "json", "--meta", str(meta)])
    row = next(json.loads(line) for line in ranks.stdout.splitlines() if json.loads(line)["name"] == "notice")
    assert row["date"] == "1999-09-09" and row["title"] == "示范规划"


@needs_corpus
def test_real_plans_dates(shared_corpus):
    """Read from the files: securities-2016 records only its 2008 promulgation (the 2016 revision is not
    written in it), so it takes the year its file is named for; sh-ftz-2014 has no date line, and takes the
    date it came into force; the MANIFEST, as --meta, gives the full dates."""
    assert load(shared_corpus / "securities-firm-risk-disposal-regulation-2016.md").date == "2016"
    assert load(shared_corpus / "securities-firm-risk-disposal-regulation-2023.md").date == "2023-07-20"
    assert load(shared_corpus / "sh-ftz-regulation-2014.md").date == "2014-08-01"
    assert load(shared_corpus / "aml-law-2024.md").date == "2024-11-08"
    manifest = read_meta(shared_corpus / "MANIFEST.tsv")
    assert manifest["securities-firm-risk-disposal-regulation-2016.md"]["date"] == "2016-02-06"
    assert len(manifest) == 20


def test_the_report_header_says_what_each_date_is(tmp_path):
    a, b = tmp_path / "in-force.txt", tmp_path / "law.md"
    a.write_text(BODY + "（二）附则。本方案自2014年8月1日起施行。\n", encoding="utf-8")
    b.write_text("# 示范条例\n\n2008年4月23日 国务院令第523号公布\n\n2016年2月6日 第一次修订\n\n## 第一章 总则\n\n第一条 内容。\n",
                 encoding="utf-8")
    for lang, words in ((None, ("2014-08-01 施行", "2016-02-06 修订")), ("en", ("2014-08-01 in force", "2016-02-06 revised"))):
        out = tmp_path / f"r-{lang}.html"
        result = CliRunner().invoke(main, ["run", str(a), str(b), "--corpus", str(tmp_path / "none"), "-o", str(out)]
                                    + (["--lang", lang] if lang else []))
        assert result.exit_code == 0, result.output
        header = out.read_text(encoding="utf-8").split('<div class="summary">')[0]
        assert all(w in header for w in words), words
