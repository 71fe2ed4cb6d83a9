"""Cluster pieces (:func:`pdfclean.quirks.fold_cluster_pieces`): the extra
glyphs HarfBuzz shapes one character into, which WeasyPrint-like producers map
to the whole cluster's text («أأُقرّ», «تُقدَّّر», «للكنها»), come out once;
real doubled letters («للدراسات», «مما», «إنني») stay.

The WeasyPrint PDFs are compiled here from a short HTML, with the fonts the
samples use (Amiri, KacstBook); a test skips when WeasyPrint or the font is
missing.
"""

from io import BytesIO

import pymupdf
import pytest

import pdfclean
from pdfclean import engines
from pdfclean.eval import norm
from pdfclean.model import Glyph, RawPage, ink
from pdfclean.quirks import draws_bar, fold_cluster_pieces

ENGINES = ["pymupdf", "pdfplumber"]
MARKS = "أُقرّ بأنّ الأسعار تُقدَّر بدقة"  # Amiri: a small damma mapped to «أُ»; a fatha mapped to «َّ»
REAL = "للدراسات مما إنني المملكة"  # doubled letters, each drawn as its own glyph
BARS = "لكنها الإلكترونية"  # Amiri adds a connecting stroke after a lam before kaf (so in «المملكة»)


def _weasyprint(tmp_path, font: str, *paragraphs: str):
    weasyprint = pytest.importorskip("weasyprint")
    html = (f'<html dir="rtl" lang="ar"><body style="font-family: \'{font}\'; font-size: 14pt">'
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>")
    path = tmp_path / f"{font.replace(' ', '_')}.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    with pymupdf.open(path) as d:
        if not any(font.replace(" ", "") in f[3].replace(" ", "").replace("-", "") for f in d[0].get_fonts()):
            pytest.skip(f"font {font} not installed")
    return path


def _body(doc) -> str:
    return norm(" ".join(b.text for b in doc.blocks))


def _balanced(doc) -> None:
    for p in doc.pages:
        acc = p["account"]
        totals = sum(acc[k] for k in ("blocks", "front_matter", "article_head", "furniture"))
        assert acc["read"] + sum(acc["repairs"].values()) == totals, acc


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("font", ["Amiri", "KacstBook"])
def test_weasyprint_marks_come_out_once(tmp_path, font, engine):
    pdf = _weasyprint(tmp_path, font, f"{MARKS} {REAL}")
    doc = pdfclean.extract(pdf, engine=engine, ocr="never")
    body = _body(doc)
    assert norm(REAL) in body and "أأ" not in body and "\u0651\u0651" not in body, body
    if engine == "pymupdf":  # pdfminer reads the marks WeasyPrint left unmapped as nothing: «أُقر»
        assert norm(MARKS) in body, body
        assert doc.repairs["cluster_pieces"] > 0
        assert sum(p["account"]["repairs"].get("cluster_pieces", 0) for p in doc.pages) < 0
    _balanced(doc)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("font", ["Amiri", "Noto Naskh Arabic"])
def test_real_doubled_letters_stay(tmp_path, font, engine):
    pdf = _weasyprint(tmp_path, font, f"{REAL} {REAL}")
    doc = pdfclean.extract(pdf, engine=engine, ocr="never")
    assert _body(doc) == norm(f"{REAL} {REAL}")
    assert "cluster_pieces" not in doc.repairs


def _trace_glyphs(pdf):
    """Page 1 as the PyMuPDF engine reads it, each glyph with its font
    program and glyph id (what an engine passing ``bars`` looks at)."""
    from fontTools.ttLib import TTFont

    with pymupdf.open(pdf) as d:
        page = d[0]
        trace = page.get_texttrace()
        raw = RawPage(1, page.rect.width, page.rect.height, [])
        glyphs = engines.PyMuPDFEngine._glyphs(trace, page.cropbox, raw, None)
        fonts = {f[3].split("+")[-1]: TTFont(BytesIO(d.extract_font(f[0])[3])) for f in page.get_fonts()}
    where = {(c[3][0], c[3][2], c[2][1]): (s["font"], c[1]) for s in trace for c in s["chars"] if c[1] != -1}
    ids = [where[(g.x0, g.x1, g.baseline)] for g in glyphs]
    return glyphs, raw, [(fonts[f], gid) for f, gid in ids]


def test_weasyprint_amiri_connecting_strokes(tmp_path):
    # WeasyPrint maps a glyph to its text the first time it draws it: the lam of
    # «لعب» first (drawn alone), then a lam with a stroke (the cluster «ل»)
    pdf = _weasyprint(tmp_path, "Amiri", "لعب لبنان", f"{BARS} {REAL}")
    glyphs, raw, ids = _trace_glyphs(pdf)
    bars = {id(g) for g, (font, gid) in zip(glyphs, ids) if draws_bar(font, gid)}
    # the font draws exactly the extra pieces of the three «لك» as strokes …
    assert [g.text for g in glyphs if id(g) in bars] == ["ل", "ل", "ل"]
    # … which the text layer maps to the lam beside them: «للكنها», «الإللكترونية»; the medial
    # lam of «المملكة» was first drawn with its stroke, so it has no text and the stroke
    # carries the letter: that stroke stays
    ls = sum(g.text == "ل" for g in glyphs)
    out = engines.finish_glyphs(glyphs, raw, [], bars=bars)
    assert raw.repairs["cluster_pieces"] == 2 and raw.account["cluster_pieces"] == -2
    text = "".join(g.text for g in out)  # runs of letters, each in reading order
    assert text.count("ل") == ls - 2
    for word in ("لكنها", "الإلكترونية", "للدراسات", "مما", "إنني", "لعب"):
        assert word in text, (word, text)
    # without the glyph ids (an engine that does not look) the strokes stay: nothing is guessed
    glyphs, raw, _ = _trace_glyphs(pdf)
    text = "".join(g.text for g in engines.finish_glyphs(glyphs, raw, []))
    assert "للكنها" in text and "cluster_pieces" not in raw.repairs


@pytest.mark.parametrize("engine", ENGINES)
def test_connecting_strokes_fold_in_both_engines(tmp_path, engine):
    # pdfminer's chars have no glyph id: the pdfplumber engine finds the strokes
    # from the font program through the CIDs the ToUnicode map gives a letter
    pdf = _weasyprint(tmp_path, "Amiri", "لعب لبنان", f"{BARS} {REAL}")
    doc = pdfclean.extract(pdf, engine=engine, ocr="never")
    body = _body(doc)
    assert norm(f"{BARS} {REAL}") in body and "للكنها" not in body, body
    assert doc.repairs["cluster_pieces"] >= 2
    _balanced(doc)


# --- hand-made glyph lists ----------------------------------------------------

def G(text, x0, x1, baseline=10.0, size=12.0, font="F"):
    return Glyph(text, x0, 0, x1, 12, baseline, size, font)


def test_real_doubles_are_left_alone():
    cases = [
        [G("ل", 0, 2.3), G("ل", 2.3, 4.6)],  # «لل»
        [G("م", 0, 5), G("م", 5, 9), G("ا", 9, 12)],
        [G("نّ", 0, 3), G("ن", 3, 6)],  # marks on one of them
        [G("ّ", 1, 1), G("ّ", 5, 5)],  # a shadda on each of two letters, drawn after them
        [G("ل", 0, 0), G("ل", 0, 2.3)],  # a zero-width letter at the edge of the same letter
        [G("ل", 0, 2.3), G("ب", 2.3, 2.3)],  # zero-width, another letter
    ]
    for glyphs in cases:
        texts = [g.text for g in glyphs]
        kept, n = fold_cluster_pieces(glyphs)
        assert n == 0 and [g.text for g in kept] == texts, texts
    g = [G("ل", 0, 2.3), G("ل", 2.3, 4.6)]
    assert fold_cluster_pieces(g, bars=set())[1] == 0


def test_mark_cluster_pieces():
    # WeasyPrint, KacstBook: a fatha glyph mapped to «َّ», then the shadda glyph
    kept, n = fold_cluster_pieces([G("\u064e\u0651", 348.7, 348.7), G("\u0651", 348.3, 348.3),
                                   G("د", 347.4, 352.5)])
    assert n == 1 and [g.text for g in kept] == ["\u064e", "\u0651", "د"]
    # typst: the tanween glyph mapped to its letter and mark, as the letter is
    kept, n = fold_cluster_pieces([G("صٍ", 385.3, 385.3), G("صٍ", 380.3, 392.1)])
    assert n == 1 and [g.text for g in kept] == ["صٍ"]


def test_connecting_stroke_folds_into_its_letter():
    kaf, bar, lam = G("ك", 249.2, 256.1), G("ل", 256.1, 258.7), G("ل", 258.7, 261.1)
    kept, n = fold_cluster_pieces([kaf, bar, lam], bars={id(bar)})
    assert n == 1 and kept == [kaf, lam] and (lam.x0, lam.x1) == (256.1, 261.1)
    # a stroke with no same letter beside it, or mapped to punctuation, stays
    dot = G(".", 10, 12)
    for glyphs, bars in (([kaf, G("ب", 256.1, 258.7)], None), ([G(".", 8, 10), dot], None)):
        bars = {id(glyphs[1])}
        assert fold_cluster_pieces(glyphs, bars)[1] == 0


def test_account_counts_what_pieces_lose():
    raw = RawPage(1, 600, 800, [])
    glyphs = [G("أُ", 103.9, 103.9), G("أ", 102.7, 105.7), G("ق", 105.7, 110)]
    out = engines.finish_glyphs(glyphs, raw, [])
    assert raw.account["read"] == 4 and raw.account["cluster_pieces"] == -1
    assert raw.repairs["cluster_pieces"] == 1
    assert sum(ink(g.text) for g in out) == 3


def test_pages_without_pieces_pay_nothing(monkeypatch):
    called = []
    monkeypatch.setattr(engines, "cluster_pieces", lambda g, b=None: called.append(1) or (g, 0, 0))
    engines.finish_glyphs([G("ب", 0, 3), G("ي", 3, 6), G("ت", 6, 9)], RawPage(1, 600, 800, []), [])
    assert not called
