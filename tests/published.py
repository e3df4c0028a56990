"""Plans as published: a plan's text laid out as an official document, printed to PDF or written to DOCX.

The official-document layout: A4, 16-point serif CJK (Noto Serif CJK SC) at 28-point line height,
justified first-line-indented paragraphs, a centred title, chapters as headings, page numbers
``— N —`` in the footer. PDFs are printed by headless Chromium (Playwright's ``page.pdf``);
DOCX files are written by python-docx, one paragraph per line, chapters in the "Heading 1" style.
"""
from __future__ import annotations

import html

CSS = """
@page { size: A4; }
body { font-family: 'Noto Serif CJK SC', serif; font-size: 16pt; line-height: 28pt; margin: 0; }
p { margin: 0; text-align: justify; text-indent: 2em; }
p.title { text-align: center; text-indent: 0; font-size: 22pt; line-height: 36pt; font-weight: bold; margin: 0 2em 28pt; }
p.chapter { text-align: center; text-indent: 0; font-family: 'Noto Sans CJK SC', sans-serif; }
p.right { text-align: right; text-indent: 0; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 20pt; }
td, th { border: 1px solid #000; padding: 2pt 4pt; }
p.note { font-size: 10.5pt; line-height: 16pt; text-indent: 0; }
"""
MARGIN = {"top": "37mm", "bottom": "35mm", "left": "28mm", "right": "26mm"}
FOOTER = ('<div style="width:100%;text-align:center;font-family:\'Noto Serif CJK SC\',serif;font-size:14pt;">'
          '— <span class="pageNumber"></span> —</div>')


def header_template(text: str) -> str:
    """A running header: ``text`` centred at the top of every page."""
    return (f'<div style="width:100%;text-align:center;font-family:\'Noto Serif CJK SC\',serif;font-size:12pt;">'
            f'{html.escape(text)}</div>')


def lines_with_roles(doc) -> list[tuple[str, str]]:
    """(line, role) for each line of a loaded plan: role "title", "chapter", "right" or "" (body)."""
    chapters = {s.span[0] for s in doc.sections if s.number}
    out, pos, titled = [], 0, False
    for line in doc.text.split("\n"):
        hints = doc.hints.get(pos, frozenset())
        if pos in chapters:
            role = "chapter"
        elif not titled and (line == doc.title or "center" in hints or "h1" in hints):
            role, titled = "title", True
        else:
            role = "right" if "right" in hints else ""
        out.append((line, role))
        pos += len(line) + 1
    return out


def official_html(lines: list[tuple[str, str]]) -> str:
    """An HTML page in the official layout; a role of "raw" puts the line in as HTML (tables, notes)."""
    body = "".join(line if role == "raw" else f'<p class="{role}">{html.escape(line)}</p>' for line, role in lines)
    return f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{CSS}</style></head><body>{body}</body></html>'


def print_pdf(page, lines, path, header: str | None = None) -> None:
    """Print ``lines`` to ``path`` as an A4 PDF with ``— N —`` page numbers (and a running header)."""
    page.set_content(official_html(lines))
    page.pdf(path=str(path), format="A4", margin=MARGIN, display_header_footer=True, footer_template=FOOTER,
             header_template=header_template(header) if header else "<span></span>")


def write_docx(lines, path) -> None:
    """One paragraph per line: the title centred and bold, chapters in "Heading 1", signatures right-aligned."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for line, role in lines:
        if role == "chapter":
            document.add_paragraph(line, style="Heading 1")
            continue
        par = document.add_paragraph()
        run = par.add_run(line)
        if role == "title":
            par.alignment, run.bold = WD_ALIGN_PARAGRAPH.CENTER, True
        elif role == "right":
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(path))
