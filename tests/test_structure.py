"""Page layouts beyond the samples: columns, footnotes, alternating headers,
short documents, page-number styles."""

from rapidfuzz import fuzz

import pdfclean
from layouts import PARAS, TWO_COLUMN_TITLE, Pdf, two_columns


def _texts(doc, kind=None):
    return [b.text for b in doc.blocks if kind is None or b.type == kind]


def _same(a: str, b: str) -> bool:
    return fuzz.ratio(" ".join(a.split()), " ".join(b.split())) >= 97


def test_two_columns_read_right_column_first(tmp_path):
    doc = pdfclean.extract(two_columns(tmp_path / "columns.pdf"))
    texts = _texts(doc)
    assert doc.metadata.title == TWO_COLUMN_TITLE
    assert len(texts) == 4, texts
    for got, want in zip(texts, PARAS[:4]):
        assert _same(got, want), (got[:40], want[:40])


def test_footnotes_are_footnote_blocks_after_the_joined_paragraph(tmp_path):
    pdf = Pdf(tmp_path / "notes.pdf")
    body = PARAS[0] + " " + PARAS[1] + " " + PARAS[2]
    # page 1: a paragraph that runs on to page 2, and a footnote at the foot
    la = pdf.la
    font, fb = la.font_name("Amiri"), la.font_name("Noto Serif")
    lines = la.wrap(body, font, fb, 12, 475 - 18, 475)
    y = 100
    for i, ln in enumerate(lines[:4]):
        pdf.line(ln, 60, 535 - (18 if i == 0 else 0), y, size=12, align="justify")
        y += 19
    pdf.line("(1) ينظر: تقرير البنك الدولي عن الاقتصاد العراقي، 2024، ص 12.", 60, 535, 760, size=9)
    pdf.page()
    y = 100
    for i, ln in enumerate(lines[4:]):
        last = i == len(lines) - 5
        pdf.line(ln, 60, 535, y, size=12, align="right" if last else "justify")
        y += 19
    pdf.para(PARAS[3], 60, 535, y + 10, size=12, lead=19 / 12)
    doc = pdfclean.extract(pdf.save())
    assert [b.type for b in doc.blocks] == ["paragraph", "footnote", "paragraph"], _texts(doc)
    assert _same(doc.blocks[0].text, body) and doc.blocks[0].pages == [1, 2]
    assert doc.blocks[1].text.startswith("(1) ينظر") and doc.blocks[1].pages == [1]


def test_alternating_headers_and_page_numbers_are_removed(tmp_path):
    pdf = Pdf(tmp_path / "alt.pdf")
    for n in range(1, 6):
        head = "مجلة الدراسات الاستراتيجية" if n % 2 else "الإصلاح الاقتصادي في العراق"
        pdf.line(head, 60, 535, 40, size=10, align="left" if n % 2 else "right")
        pdf.line(str(n), 60, 535, 810, size=10, align="center")
        pdf.para(PARAS[n % len(PARAS)], 60, 535, 100, size=12)
        pdf.para(PARAS[(n + 1) % len(PARAS)], 60, 535, 200, size=12)
        pdf.page()
    doc = pdfclean.extract(pdf.save())
    body = " ".join(_texts(doc))
    assert "مجلة الدراسات" not in body and "الإصلاح الاقتصادي في العراق" not in body
    kinds = {(r.kind, r.page) for r in doc.removed}
    assert {("page_number", n) for n in range(1, 6)} <= kinds
    assert len([r for r in doc.removed if r.kind in ("running_title", "header")]) == 5


def test_two_page_document_with_one_off_running_titles(tmp_path):
    """A Persian running title on page 1 only, an English one on page 2, abjad
    and «n / N» page numbers: nothing repeats, all of it is furniture."""
    pdf = Pdf(tmp_path / "short.pdf")
    pdf.line("بحران آب در عراق و چالش‌های پیش رو", 60, 535, 40, size=10, family="Nazli")
    pdf.line("أ", 60, 535, 810, size=10, align="center")
    pdf.para(PARAS[0], 60, 535, 100, size=12)
    pdf.para(PARAS[1], 60, 535, 190, size=12)
    pdf.page()
    pdf.line("Water and Climate in Iraq", 60, 535, 40, size=10, align="left", family="Noto Serif")
    pdf.line("2 / 2", 60, 535, 810, size=10, align="center", family="Noto Serif")
    pdf.para(PARAS[2], 60, 535, 100, size=12)
    doc = pdfclean.extract(pdf.save())
    texts = _texts(doc)
    assert len(texts) == 3 and all(_same(a, b) for a, b in zip(texts, PARAS[:3])), texts
    kinds = sorted((r.page, r.kind) for r in doc.removed)
    assert kinds == [(1, "page_number"), (1, "running_title"), (2, "page_number"), (2, "running_title")]


def test_persian_quote_inside_the_body_stays(tmp_path):
    pdf = Pdf(tmp_path / "quote.pdf")
    pdf.para(PARAS[0], 60, 535, 60, size=12)
    pdf.line("بحران آب در عراق و چالش‌های پیش رو", 60, 535, 140, size=12, family="Nazli")
    pdf.para(PARAS[1], 60, 535, 170, size=12)
    pdf.para(PARAS[2], 60, 535, 260, size=12)
    doc = pdfclean.extract(pdf.save())
    assert any("بحران آب در عراق" in t for t in _texts(doc)), _texts(doc)
    assert not doc.removed


def test_text_repeated_at_the_foot_of_every_page_is_body_when_it_is_not_set_apart(tmp_path):
    """A book that repeats a paragraph on every page: outer rows that follow
    the body at its own line spacing are body text, not a footer."""
    pdf = Pdf(tmp_path / "repeat.pdf")
    for n in range(3):
        y = pdf.para(PARAS[n], 60, 535, 600, size=12)
        pdf.para(PARAS[5], 60, 535, y, size=12, indent=18)
        pdf.page()
    doc = pdfclean.extract(pdf.save())
    assert not doc.removed, doc.removed
    assert sum(_same(t, PARAS[5]) for t in _texts(doc)) == 3


def test_cropped_and_rotated_pages_read_like_the_original(tmp_path):
    """Text coordinates are in the unrotated cropbox frame for both engines."""
    import pymupdf

    from conftest import SAMPLE_PDF

    src = pymupdf.open(SAMPLE_PDF)
    d = pymupdf.open()
    for _ in range(3):
        d.insert_pdf(src, from_page=1, to_page=1)
    d[1].set_cropbox(pymupdf.Rect(20, 15, 580, 830))
    d[2].set_rotation(90)
    path = tmp_path / "frames.pdf"
    d.save(path)
    for engine in ("pymupdf", "pdfplumber"):
        doc = pdfclean.extract(path, engine=engine)
        per_page = {n: [b.text for b in doc.blocks if b.pages == [n]] for n in (1, 2, 3)}
        # (page 1 lost its title lines to the metadata; compare what follows)
        assert per_page[1][-4:] and per_page[1][-4:] == per_page[2][-4:] == per_page[3][-4:], engine
        assert {r.page for r in doc.removed if r.kind == "running_title"} == {1, 2, 3}, engine
