"""The stroke test read raw gives fontTools' answer wherever it gives one.

:meth:`pdfclean.fontmap.MuPDFFonts.draws_bar` settles a glyph from its
points read raw (``_Sfnt.point_boxes`` and :func:`pdfclean.quirks.bar_between`)
and asks fontTools (:func:`pdfclean.quirks.draws_bar`) only when they do not
settle it; components are placed by ``_compose``, fontTools' ``Transform``
arithmetic as plain tuples. Checked here against fontTools itself.
"""

from __future__ import annotations

import glob

import pymupdf
import pytest
from fontTools.misc.transform import Transform
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean import fontmap, quirks
from pdfclean.fontmap.sfnt import _compose


def test_bar_between_settles_only_what_every_box_between_settles():
    bar = (0, 0, 300, 90)  # a stroke: flat, wide, on the baseline
    assert quirks.bar_between(bar, bar, 1000) is True
    assert quirks.bar_between((0, 0, 300, 400), (0, 0, 300, 400), 1000) is False  # a letter
    assert quirks.bar_between((0, 0, 100, 90), (0, 0, 100, 90), 1000) is False  # a period: as wide as high
    assert quirks.bar_between((0, 0, 300, 90), (0, 0, 300, 130), 1000) is None  # its curve may rise past 0.12 em
    assert quirks.bar_between(None, (0, 0, 300, 90), 1000) is None  # no on-curve point: fontTools decides
    assert quirks.bar_between(None, (0, -500, 300, -400), 1000) is False  # all below the baseline
    assert quirks.bar_between(None, None, 1000) is False  # nothing drawn


box = st.tuples(st.integers(-300, 300), st.integers(-300, 300), st.integers(-300, 300), st.integers(-300, 300))


@settings(max_examples=400, deadline=None)
@given(box, box, st.integers(-40, 40), st.integers(-40, 40), st.integers(-40, 40), st.integers(-40, 40),
       st.sampled_from([1000, 2048, 0]))
def test_bar_between_agrees_with_every_box_between(a, b, d0, d1, d2, d3, upem):
    inner = (min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3]))
    outer = (min(inner[0], b[0]), min(inner[1], b[1]), max(inner[2], b[2]), max(inner[3], b[3]))
    v = quirks.bar_between(inner, outer, upem)
    if v is None:
        return
    # a box between the two, as BoundsPen could give it: the draws_bar test on it
    x0 = max(outer[0], min(inner[0], inner[0] - abs(d0)))
    y0 = max(outer[1], min(inner[1], inner[1] - abs(d1)))
    x1 = min(outer[2], max(inner[2], inner[2] + abs(d2)))
    y1 = min(outer[3], max(inner[3], inner[3] + abs(d3)))
    u = upem or 1000
    want = 0 < y1 < quirks.BAR_TOP_EM * u and y1 - y0 <= quirks.BAR_HEIGHT_EM * u and x1 - x0 >= 1.4 * (y1 - y0)
    assert v == want
    for y1b in (inner[3], outer[3]):  # the corners
        for y0b in (inner[1], outer[1]):
            for w in (inner[2] - inner[0], outer[2] - outer[0]):
                assert v == (0 < y1b < quirks.BAR_TOP_EM * u and y1b - y0b <= quirks.BAR_HEIGHT_EM * u
                             and w >= 1.4 * (y1b - y0b))


num = st.one_of(st.integers(-3, 3), st.floats(-2, 2, allow_nan=False), st.sampled_from([0.5, 1, 0, -1]))


@settings(max_examples=300, deadline=None)
@given(st.tuples(num, num, num, num, st.integers(-500, 500), st.integers(-500, 500)),
       st.tuples(num, num, num, num, st.integers(-500, 500), st.integers(-500, 500)))
def test_compose_is_fonttools_transform(t, c):
    assert _compose(t, c) == tuple(Transform(*t).transform(Transform(*c)))


def test_raw_stroke_test_agrees_with_fonttools():
    """Every glyph of the programs embedded in a few samples (the producers
    whose pieces are strokes): where the raw points settle draws_bar, it is
    fontTools' answer."""
    pdfs = sorted(glob.glob("samples/pdfs/*-weasyprint.pdf"))[:2] + sorted(glob.glob("samples/pdfs/*-ghostscript.pdf"))[:2]
    if not pdfs:
        pytest.skip("no samples")
    settled = bars = 0
    for pdf in pdfs:
        with pymupdf.open(pdf) as d:
            for xref, ext, *_ in d[0].get_fonts():
                data = d.extract_font(xref)[3]
                if ext != "ttf" or not data:
                    continue
                ft, sf = fontmap.FontText(data), fontmap._Sfnt(data)
                if not ft.ok:
                    continue
                for gid in range(sf.glyphs):
                    boxes = sf.point_boxes(gid)
                    v = quirks.bar_between(*boxes, sf.upem) if boxes is not None else None
                    if v is not None:
                        assert v == quirks.draws_bar(ft._font, gid), (pdf, xref, gid)
                        settled += 1
                        bars += v
    assert settled > 500 and bars > 0


def test_point_boxes_decline_what_fonttools_draws_otherwise():
    """A program with outlines fontTools prefers to glyf, or a composite glyph: not settled raw."""
    pdfs = sorted(glob.glob("samples/pdfs/*-weasyprint.pdf"))[:1]
    if not pdfs:
        pytest.skip("no samples")
    with pymupdf.open(pdfs[0]) as d:
        xref = next(x for x, ext, *_ in d[0].get_fonts() if ext == "ttf")
        sf = fontmap._Sfnt(d.extract_font(xref)[3])
    sf.plain_glyf = False
    assert all(sf.point_boxes(g) is None for g in range(min(sf.glyphs, 50)))
    assert sf.point_boxes(-1) is None and sf.point_boxes(sf.glyphs) is None


def test_stroke_test_opens_fonttools_only_where_the_raw_points_do_not_settle(monkeypatch):
    """MuPDFPage's stroke test answers as asking fontTools first would (its advance, then its
    outline), on every glyph the samples of the producers whose pieces are strokes ask about,
    and opens a program with fontTools only for a glyph whose points read raw do not settle it."""
    import pdfclean

    pdfs = sorted(glob.glob("samples/pdfs/*-weasyprint.pdf"))[:3] + sorted(glob.glob("samples/pdfs/*-ghostscript.pdf"))[:3]
    if not pdfs:
        pytest.skip("no samples")
    real_stroke, real_program = fontmap.MuPDFPage._draws_stroke, fontmap.MuPDFFonts.program
    asked, opened, glyph = [], [], [None]

    def stroke(self, font, gid, width):
        glyph[0] = gid
        try:
            v = real_stroke(self, font, gid, width)
        finally:
            glyph[0] = None
        asked.append((v, _fonttools_first(self, font, gid, width, real_program)))
        return v

    def program(self, xref):
        if glyph[0] is not None and xref not in self._programs:  # opened for the stroke test
            opened.append((self, xref, glyph[0]))
        return real_program(self, xref)

    monkeypatch.setattr(fontmap.MuPDFPage, "_draws_stroke", stroke)
    monkeypatch.setattr(fontmap.MuPDFFonts, "program", program)
    for pdf in pdfs:
        pdfclean.extract(pdf, ocr="never")
    assert len(asked) > 100 and any(v for v, _ in asked)
    assert [v for v, _ in asked] == [ref for _, ref in asked]
    for fonts, xref, gid in opened:
        sf = fonts._read_raw(xref)
        boxes = sf.point_boxes(gid) if sf else None
        assert fonts._advance.get((xref, gid)) is None or boxes is None or \
            quirks.bar_between(*boxes, sf.upem) is None, (xref, gid)


def _fonttools_first(page, font, gid, width, program):
    """The stroke test as it was: each candidate program opened with fontTools for its
    advance, and the outline drawn by fontTools."""
    xrefs = page._candidates(font)
    if page.fonts.no_bar(xrefs, gid, width):
        return False
    for xref in xrefs:
        raw = page.fonts._advance.get((xref, gid))
        if raw is not None and (raw < 0 or abs(raw - width) >= 0.01):
            continue
        ft = program(page.fonts, xref)
        adv = ft.advance(gid) if ft is not None else None
        if adv is None or abs(adv - width) >= 0.01:
            continue
        return quirks.draws_bar(ft._font, gid)
    return False
