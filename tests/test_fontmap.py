"""Unicode from the embedded font program (:mod:`pdfclean.fontmap`).

PDFs are made here, in ``tmp_path``, from a sample whose fonts are embedded
TrueType subsets (headless Chromium's): their ``/ToUnicode`` CMaps removed, or
rewritten to say U+FFFD or private use, or the font programs gutted so that
nothing can map the glyphs. Fonts are built with fontTools' FontBuilder to
test the cmap, glyph-name and GSUB readings one by one.
"""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st

import pdfclean
from conftest import SAMPLES
from pdfclean.fontmap import FontText, name_to_text, suspect

ENGINES = ["pymupdf", "pdfplumber"]
SOURCE = SAMPLES / "iaea-nuclear-file-chromium.pdf"  # Type0 Identity-H TrueType subsets with cmap and GSUB
LOST = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")
AMIRI = "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"


# --- PDFs made for the tests -------------------------------------------------------

def _fonts(pdf: pikepdf.Pdf):
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0":
            yield obj


def _program(font) -> pikepdf.Stream:
    return font.DescendantFonts[0].FontDescriptor.FontFile2


def _glyph_count(font) -> int:
    return TTFont(io.BytesIO(_program(font).read_bytes()), lazy=True)["maxp"].numGlyphs


def _cmap(pdf: pikepdf.Pdf, dst: dict[int, str]) -> pikepdf.Stream:
    """A ToUnicode CMap mapping each CID in ``dst`` to its text."""
    items = sorted(dst.items())
    body = []
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        body.append(f"{len(chunk)} beginbfchar")
        body += [f"<{c:04X}> <{t.encode('utf-16-be').hex().upper()}>" for c, t in chunk]
        body.append("endbfchar")
    text = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CMapName /Test def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            + "\n".join(body) + "\nendcmap CMapName currentdict /CMap defineresource pop end end\n")
    return pikepdf.Stream(pdf, text.encode("ascii"))


def _make(tmp_path, name: str, tounicode: str, gut: bool = False):
    """The sample with its Type0 fonts' ToUnicode removed ("none") or saying
    U+FFFD ("fffd") or private use ("pua") for every glyph; ``gut``: the font
    programs lose their cmap, glyph names and GSUB too (nothing can map them)."""
    pdf = pikepdf.open(SOURCE)
    for font in _fonts(pdf):
        n = _glyph_count(font)
        if tounicode == "none":
            del font["/ToUnicode"]
        elif tounicode == "fffd":
            font.ToUnicode = _cmap(pdf, {c: "\ufffd" for c in range(1, n)})
        elif tounicode == "pua":
            font.ToUnicode = _cmap(pdf, {c: chr(0xE000 + c) for c in range(1, n)})
        if gut:
            tt = TTFont(io.BytesIO(_program(font).read_bytes()))
            for tag in ("cmap", "GSUB"):
                if tag in tt:
                    del tt[tag]
            tt["post"].formatType = 3.0
            out = io.BytesIO()
            tt.save(out)
            _program(font).write(out.getvalue())
    path = tmp_path / name
    pdf.save(path)
    return path


def _balanced(doc) -> bool:
    for p in doc.pages:
        a = p["account"]
        if a["read"] + sum(a["repairs"].values()) != sum(a[k] for k in ("blocks", "front_matter", "article_head",
                                                                           "furniture")):
            return False
    return True


def _all_text(doc) -> str:
    return "\n".join(b.text for b in doc.blocks + doc.front_matter)


@pytest.fixture(scope="module")
def original():
    return {e: pdfclean.extract(SOURCE, engine=e, ocr="never").text for e in ENGINES}


# --- the text comes back ----------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("tounicode", ["none", "fffd", "pua"])
def test_text_comes_back_from_the_font_program(tmp_path, original, engine, tounicode):
    pdf = _make(tmp_path, f"{tounicode}.pdf", tounicode)
    doc = pdfclean.extract(pdf, engine=engine, ocr="never")
    assert doc.repairs["font_unicode"] > 1000
    assert doc.text == original[engine]
    assert not LOST.search(_all_text(doc))
    assert _balanced(doc)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_glyph_nothing_can_map_is_dropped_counted_and_warned(tmp_path, engine):
    pdf = _make(tmp_path, "gutted.pdf", "fffd", gut=True)
    doc = pdfclean.extract(pdf, engine=engine, ocr="never", pages="1")
    assert doc.repairs["unmapped_glyphs"] > 100
    assert "font_unicode" not in doc.repairs
    warned = [w for w in doc.warnings if "no Unicode mapping dropped" in w]
    assert warned and warned[0].startswith("page 1: ") and "NotoNaskhArabic" in warned[0]
    assert not LOST.search(_all_text(doc) + "".join(r.text for r in doc.removed))
    assert _balanced(doc)
    acc = doc.pages[0]["account"]
    assert acc["repairs"]["unmapped_glyphs"] < 0


# --- one font program ----------------------------------------------------------------

def _tiny_font(post_names: bool = False) -> bytes:
    """lam, alef, beh; lam_alef (a GSUB ligature of lam and alef); beh.init (a
    single substitution of beh); beh.init_lam_alef (a ligature of beh.init and
    lam_alef: recursive); alef also mapped from U+FE8D (a presentation form)."""
    order = [".notdef", "lam", "alef", "beh", "glyph4", "glyph5", "glyph6", "orphan"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({0x0644: "lam", 0x0627: "alef", 0xFE8D: "alef", 0x0628: "beh"})
    pen = TTGlyphPen(None)
    fb.setupGlyf({g: pen.glyph() for g in order})
    fb.setupHorizontalMetrics({g: (500, 0) for g in order})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupOS2()
    fb.setupPost(keepGlyphNames=post_names)
    fb.addOpenTypeFeatures("""
        languagesystem arab dflt;
        feature rlig { sub lam alef by glyph4; sub glyph5 glyph4 by glyph6; } rlig;
        feature init { sub beh by glyph5; } init;
    """)
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


def test_the_cmap_read_backwards_prefers_the_base_letter():
    ft = FontText(_tiny_font())
    assert ft.text(1) == "ل" and ft.text(2) == "ا" and ft.text(3) == "ب"  # not U+FE8D for alef


def test_gsub_ligatures_and_single_substitutions_read_backwards():
    ft = FontText(_tiny_font())  # post format 3: no glyph names to help
    assert ft.text(4) == "لا"  # a ligature → its components
    assert ft.text(5) == "ب"  # an initial form → its base glyph
    assert ft.text(6) == "بلا"  # a ligature of a form and a ligature, recursively
    assert ft.text(7) is None and ft.text(0) is None and ft.text(99) is None


def test_glyph_names_from_the_post_table():
    fb = FontBuilder(1000, isTTF=True)
    order = [".notdef", "lam_alef", "uni0644_uni0627", "uni0628.init", "glyph00004", "aLam.medi"]
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({})
    pen = TTGlyphPen(None)
    fb.setupGlyf({g: pen.glyph() for g in order})
    fb.setupHorizontalMetrics({g: (500, 0) for g in order})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupOS2()
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    ft = FontText(out.getvalue())
    assert [ft.text(g) for g in range(6)] == [None, "لا", "لا", "ب", None, None]


@pytest.mark.skipif(not __import__("os").path.exists(AMIRI), reason="fonts-hosny-amiri not installed")
def test_amiri_without_glyph_names_reads_its_forms_through_gsub():
    """Amiri's thousands of contextual forms and ligature parts, their names
    taken away: GSUB read backwards gives each the letter its name says."""
    tt = TTFont(AMIRI)
    named = FontText(open(AMIRI, "rb").read())
    tt["post"].formatType = 3.0
    out = io.BytesIO()
    tt.save(out)
    bare = FontText(out.getvalue())
    agree = total = 0
    for gid, name in enumerate(tt.getGlyphOrder()):
        want = named.text(gid)
        if want and "." in name and "\u0620" <= want[0] <= "\u06ff" and gid not in bare._cmap:
            total += 1
            agree += bare.text(gid) == want
    assert total > 1000 and agree / total > 0.9, (agree, total)


# --- glyph names ------------------------------------------------------------------------

def test_ligature_names():
    assert name_to_text("lam_alef") == "لا"
    assert name_to_text("uni0644_uni0627") == "لا"
    assert name_to_text("uni06440627") == "لا"
    assert name_to_text("lam_alef.fina") == "لا"
    assert name_to_text("alef", arabic=True) == "ا" and name_to_text("alef") == "\u05d0"  # AGL: Hebrew
    assert name_to_text("tehMarbuta", arabic=True) == "ة"
    assert name_to_text("allah") == "الله"
    assert name_to_text("f_f_i") == "ffi" and name_to_text("u1F600") == "😀"
    for bad in ("glyph00012", "cid00123", ".notdef", "lam_nonsense", "", "uniD800", "_"):
        assert name_to_text(bad) == "", bad


_CHARS = st.characters(blacklist_categories=("Cs", "Co", "Cn", "Cc"))


@given(st.lists(_CHARS, min_size=1, max_size=4), st.sampled_from(["", ".init", ".fina", ".ss01", ".alt.2"]))
def test_uni_names_spell_their_code_points(chars, suffix):
    text = "".join(chars)
    bmp = all(ord(c) <= 0xFFFF for c in chars)
    if bmp:
        assert name_to_text("uni" + "".join(f"{ord(c):04X}" for c in chars) + suffix) == text
    assert name_to_text("_".join(f"u{ord(c):04X}" if ord(c) > 0xFFFF else f"uni{ord(c):04X}"
                                 for c in chars) + suffix) == text


@given(st.text(max_size=30))
def test_any_name_gives_text_or_nothing(name):
    t = name_to_text(name)
    assert isinstance(t, str)
    assert not t or not any(0xD800 <= ord(c) <= 0xDFFF for c in t)


def test_suspect_texts():
    assert suspect("\ufffd") and suspect("\ue000") and suspect("\U000f0001") and suspect("\x00")
    assert suspect("(cid:17)") and suspect("\x85")
    assert not suspect("لا") and not suspect("a b\t") and not suspect("\u00a0")


# --- the corpus: that no U+FFFD or private-use character reaches a block of any sample or real PDF,
# with either engine, is checked by tests/test_conservation.py, on the extraction it accounts for.

# Elongations a producer left unmapped or mapped to a quote: Ghostscript re-distilling LibreOffice's
# Amiri text. The font program draws them as connecting strokes; they are kashida, never a gap or a «’».
GS = SAMPLES / "iraq-youth-unemployment-ghostscript.pdf"  # U+FFFD strokes inside «الكهرباء» (3 times)
GS_QUOTE = SAMPLES / "iraq-desertification-agriculture-ghostscript.pdf"  # a stroke mapped to ’ in «الخبراء»


@pytest.mark.parametrize("engine", ["pymupdf", "pdfplumber"])
def test_an_unmappable_glyph_drawn_as_a_stroke_is_an_elongation(engine):
    doc = pdfclean.extract(GS, engine=engine, ocr="never")
    assert "ال كهرباء" not in doc.text and doc.text.count("الكهرباء") == 3
    # given a tatweel's text from the font (counted), then dropped by the kashida repair (counted)
    assert doc.repairs["font_unicode"] >= 9 and doc.repairs["kashida"] >= 9
    assert "\u0640" not in doc.text and "\ufffd" not in doc.text


def test_an_elongation_mapped_to_a_quote_is_dropped_by_its_outline():
    doc = pdfclean.extract(GS_QUOTE, ocr="never")
    assert "الخبراء" in doc.text and "’" not in doc.text
