"""Text drawn twice comes out once: fake bold (filled, then stroked), fill and
stroke in one operator, shadows, and invisible OCR-style text that must stay.

The PDFs are drawn here, the legacy way (visual-order presentation forms),
so each test knows exactly what was drawn and where.
"""

import pymupdf
import pytest
from rapidfuzz import fuzz

import pdfclean
from conftest import REAL, SAMPLES
from layouts import PARAS, Pdf
from pdfclean.eval import norm
from pdfclean.model import ink

ENGINES = ["pymupdf", "pdfplumber"]
TITLE = "الإصلاح المالي في العراق بين الريع والتنويع"
HEADINGS = ["أولاً: جذور الأزمة", "ثانياً: ما العمل؟", "ثالثاً: الطريق إلى التنويع"]


def _draw(pdf: Pdf, *args, **kw) -> None:
    """One line, its render mode kept inside a saved graphics state (the text
    render mode outlives the text object)."""
    pdf.c.saveState()
    pdf.la.draw_line(pdf.c, *args, **kw)
    pdf.c.restoreState()


def _head(pdf: Pdf, title_mode: str) -> float:
    """Title (drawn as asked), author and source lines; returns the next y."""
    la, c = pdf.la, pdf.c
    bold, fb = la.font_name("Amiri", True), la.font_name("Noto Serif", True)
    y = pdf.height - 80
    if title_mode == "fill+stroke":  # two operators: filled, then stroked on top
        _draw(pdf, TITLE, 60, 535, y, bold, fb, 18)
        _draw(pdf, TITLE, 60, 535, y, bold, fb, 18, mode=1)
    else:  # one operator that fills and strokes (render mode 2)
        _draw(pdf, TITLE, 60, 535, y, bold, fb, 18, mode=2)
    pdf.line("الكاتب: حسن عبد الله الربيعي", 60, 535, 112, size=13)
    pdf.line("المصدر: موقع الاقتصاد العراقي، نُشر بتاريخ 3 آذار 2024.", 60, 535, 134, size=13)
    return 175


def _heading(pdf: Pdf, text: str, y: float, how: str) -> None:
    la, c = pdf.la, pdf.c
    bold, fb = la.font_name("Amiri", True), la.font_name("Noto Serif", True)
    base = pdf.height - y
    if how == "shadow":  # a grey copy, a twentieth of an em away, drawn first
        c.setFillGray(0.6)
        la.draw_line(c, text, 60, 535, base, bold, fb, 14, dx=0.7, dy=-0.7)
        c.setFillGray(0)
        la.draw_line(c, text, 60, 535, base, bold, fb, 14)
    elif how == "fill+stroke":
        _draw(pdf, text, 60, 535, base, bold, fb, 14)
        _draw(pdf, text, 60, 535, base, bold, fb, 14, mode=1)
    else:
        _draw(pdf, text, 60, 535, base, bold, fb, 14, mode=2)


def _article(path, title_mode: str):
    pdf = Pdf(path)
    y = _head(pdf, title_mode)
    for text, para, how in zip(HEADINGS, PARAS[:3], ("fill+stroke", "shadow", "mode2")):
        _heading(pdf, text, y, how)
        y = pdf.para(para, 60, 535, y + 28, size=12) + 10
    return pdf.save()


@pytest.mark.parametrize("title_mode", ["fill+stroke", "mode2"])
@pytest.mark.parametrize("engine", ENGINES)
def test_title_and_headings_drawn_twice_come_out_once(tmp_path, engine, title_mode):
    doc = pdfclean.extract(_article(tmp_path / "twice.pdf", title_mode), engine=engine)
    assert doc.metadata.title == TITLE
    assert doc.metadata.author == "حسن عبد الله الربيعي"
    assert doc.metadata.published == "2024-03-03"
    assert [b.text for b in doc.blocks if b.type == "heading"] == HEADINGS
    paras = [b.text for b in doc.blocks if b.type == "paragraph"]
    assert len(paras) == 3
    for got, want in zip(paras, PARAS):
        assert fuzz.ratio(norm(got), norm(want)) >= 99, got[:40]
    assert doc.repairs["overprinted_glyphs"] > 0
    # every dropped copy is in the account, and it balances
    dropped = -sum(p["account"]["repairs"].get("overprinted_glyphs", 0) for p in doc.pages)
    # MuPDF reports a fill-and-stroke operator (mode 2) as two drawings, pdfminer as one
    twice = HEADINGS[:2] + ([TITLE] if title_mode == "fill+stroke" or engine == "pymupdf" else []) \
        + (HEADINGS[2:] if engine == "pymupdf" else [])
    drawn = sum(map(ink, twice))  # letters; a lam-alef glyph is one character of two letters
    assert 0.9 * drawn <= dropped <= drawn, (dropped, drawn)
    assert not [w for w in doc.warnings if "unaccounted" in w]


@pytest.mark.parametrize("engine", ENGINES)
def test_text_drawn_once_is_not_folded(tmp_path, engine):
    """The same word repeated along a line, and two different lines drawn
    over each other, keep every glyph."""
    pdf = Pdf(tmp_path / "once.pdf")
    repeated = "نعم نعم نعم لا لا لا"
    pdf.line(repeated, 60, 535, 100, size=14)
    pdf.line("مسودة أولى للنقاش", 60, 535, 200, size=30)
    pdf.line("تقرير سري", 60, 535, 203, size=30)  # overlaps the line above, other letters
    doc = pdfclean.extract(pdf.save(), engine=engine)
    text = " ".join(b.text for b in doc.front_matter + doc.blocks) + " " + str(doc.metadata.title)
    assert repeated in text
    assert "overprinted_glyphs" not in doc.repairs
    with pymupdf.open(pdf.path) as d:  # every character drawn is read, whatever the engine
        drawn = sum(1 for s in d[0].get_texttrace() for c in s["chars"] if c[0] > 32)
    assert sum(p["account"]["read"] for p in doc.pages) == drawn


@pytest.mark.parametrize("engine", ENGINES)
def test_invisible_text_over_an_image_is_text(tmp_path, engine):
    """An OCR layer (render mode 3) over a page image is the page's text."""
    path = tmp_path / "scan.pdf"
    pdf = Pdf(path)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
    pix.clear_with(230)
    png = tmp_path / "page.png"
    pix.save(str(png))
    pdf.c.drawImage(str(png), 0, 0, pdf.width, pdf.height)
    la = pdf.la
    font, fb = la.font_name("Amiri"), la.font_name("Noto Serif")
    y = pdf.height - 100
    for line in la.wrap(PARAS[4], font, fb, 12, 475, 475):
        _draw(pdf, line, 60, 535, y, font, fb, 12, "justify", mode=3)
        y -= 20
    doc = pdfclean.extract(pdf.save(), engine=engine, ocr="never")
    assert fuzz.ratio(norm(doc.text), norm(PARAS[4])) >= 99
    assert "overprinted_glyphs" not in doc.repairs


@pytest.mark.parametrize("engine", ENGINES)
def test_text_outside_the_crop_box_is_reported(tmp_path, engine):
    pdf = Pdf(tmp_path / "crop.pdf")
    y = pdf.para(PARAS[0], 60, 535, 120, size=12)
    pdf.line("حاشية خارج حدود الصفحة المقصوصة", 60, 535, 800, size=12)
    path = pdf.save()
    with pymupdf.open(path) as d:
        d[0].set_cropbox(pymupdf.Rect(0, 0, 595, 600))  # the last line is left outside
        d.save(tmp_path / "cropped.pdf")
    doc = pdfclean.extract(tmp_path / "cropped.pdf", engine=engine)
    assert fuzz.ratio(norm(doc.text), norm(PARAS[0])) >= 99
    if engine == "pymupdf":  # pdfminer reads the mediabox: the line is simply there
        assert any("outside the crop box" in w for w in doc.warnings), doc.warnings
        acc = doc.pages[0]["account"]
        assert acc["repairs"]["outside_crop_box"] == -ink("حاشية خارج حدود الصفحة المقصوصة")
    assert not [w for w in doc.warnings if "unaccounted" in w]


REAL_PDFS = [p for p in sorted(REAL.glob("*.pdf"))
             if p.name not in ("ar_lyx_howto_ghostscript550_type3_garbled.pdf", "fa_seminar_guideline_image_only.pdf")]


@pytest.mark.parametrize("pdf", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_real_pdfs_say_each_letter_no_more_often_than_it_is_drawn(pdf):
    """Count each Arabic letter the PDF draws at a distinct place (MuPDF's own
    trace, presentation forms folded); the output may not hold more of it —
    a word doubled by an overprint would — except what ActualText and the
    font's own tables gave back."""
    import unicodedata
    from collections import Counter

    drawn: Counter = Counter()
    with pymupdf.open(pdf) as d:
        for page in d:
            seen = set()
            for s in page.get_texttrace():
                for uc, _gid, (x, y), _bbox in s["chars"]:
                    key = (uc, round(x * 2), round(y * 2))
                    if uc > 0 and key not in seen:
                        seen.add(key)
                        drawn.update(unicodedata.normalize("NFKC", chr(uc)))
    doc = pdfclean.extract(pdf, ocr="never")
    out: Counter = Counter()
    for text in [b.text for b in doc.blocks + doc.front_matter] + [r.text for r in doc.removed]:
        out.update(text)
    given = sum(max(0, p["account"]["repairs"].get(k, 0)) for p in doc.pages
                for k in ("actual_text", "font_unicode"))
    letters = [c for c in out if "\u0621" <= c <= "\u064a" or c in "پچژگکی"]
    excess = sum(max(0, out[c] - drawn[c]) for c in letters)
    assert excess <= given, {c: (out[c], drawn[c]) for c in letters if out[c] > drawn[c]}


def test_text_under_an_opaque_image_is_noted(tmp_path):
    """Text drawn first and then covered by an image is hidden on the page:
    it is read, and a warning says so; text over an image is not."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 80), False)
    pix.clear_with(200)
    png = tmp_path / "page.png"
    pix.save(str(png))
    for order in ("text-then-image", "image-then-text"):
        pdf = Pdf(tmp_path / f"{order}.pdf")
        if order == "image-then-text":
            pdf.c.drawImage(str(png), 40, 400, 515, 400)
        pdf.para(PARAS[1], 60, 535, 500, size=12)
        if order == "text-then-image":
            pdf.c.drawImage(str(png), 40, 200, 515, 400)
        doc = pdfclean.extract(pdf.save(), ocr="never")
        assert fuzz.ratio(norm(doc.text), norm(PARAS[1])) >= 99
        noted = [w for w in doc.warnings if "under an image" in w]
        assert bool(noted) == (order == "text-then-image"), doc.warnings


OVERPRINT_SAMPLES = sorted(SAMPLES.glob("*-overprint.pdf"))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("pdf", OVERPRINT_SAMPLES, ids=[p.name for p in OVERPRINT_SAMPLES])
def test_overprint_samples_title_and_headings_once(pdf, engine):
    """The generated articles whose title and headings are filled then
    stroked, one heading with a shadow, a last page under an image: every
    heading once and exact, the title exact, the copies counted."""
    import json

    truth = json.loads(pdf.with_name(pdf.name[:-4] + ".truth.json").read_text(encoding="utf-8"))
    assert len(OVERPRINT_SAMPLES) >= 3
    doc = pdfclean.extract(pdf, engine=engine)
    assert doc.metadata.title == truth["metadata"]["title"]
    want = [norm(b["text"]) for b in truth["blocks"] if b["type"] == "heading"]
    got = [norm(b.text) for b in doc.blocks if b.type == "heading"]
    assert got == want
    assert doc.repairs["overprinted_glyphs"] > 0


def test_a_cluster_piece_with_the_same_text_is_not_a_copy():
    # Typst maps a final lam-alef and its tanween glyph both to «لاً»; the tanween
    # (no advance) is drawn first, 0.04 em off the ligature: a piece, not a copy
    from pdfclean.model import Glyph
    from pdfclean.quirks import fold_cluster_pieces, fold_overprints

    piece = Glyph("لاً", 203.69, 168.27, 203.69, 180.27, 177.87, 12)
    lig = Glyph("لاً", 204.22, 169.41, 211.4, 181.41, 179.01, 12)
    kept, n = fold_overprints([piece, lig])
    assert n == 0 and kept == [piece, lig]
    assert [(g.text, g.x1 - g.x0 > 0) for g in fold_cluster_pieces(kept)[0]] == [("لاً", True)]
