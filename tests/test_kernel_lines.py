"""The kernel's line building (``line_bands``, ``line_segments``) gives what
:func:`pdfclean.lines._bands_py` and :func:`pdfclean.lines._segments` give.

Both paths are run on the glyphs of every page of every sample and real PDF
(both engines) and on generated bands, and compared slot by slot: every slot of
every line, floats by their bits (so ``-0.0`` is not ``0.0``, an int not a
float), glyphs by identity where the paths share them and by every slot where
they make them (word spaces); the band's order after the in-place sort too.
Input not of the shape the kernel reads is declined (None) untouched.
"""

from __future__ import annotations

import copy
import math

import pytest
from conftest import CORPUS, GLYPH_SLOTS
from hypothesis import given, settings
from hypothesis import strategies as st

import pdfclean
from pdfclean import lines, pipeline
from pdfclean.lines import (SEGMENT_GAP_EM, SPACE_GAP_EM, SPACE_GAP_EM_WITH_SPACES, VisualLine, artifact_of,
                            drop_unmapped)
from pdfclean.model import Glyph

PDFS = CORPUS
K = lines._kernel
needs_kernel = pytest.mark.skipif(K is None, reason="the kernel is not built (or PDFCLEAN_PURE is set)")
LINE_SLOTS = ("x0", "y0", "x1", "y1", "size", "bold", "unmapped", "orphans", "orphan_chars", "artifact", "baseline")
ARGS = (drop_unmapped, artifact_of, SEGMENT_GAP_EM, SPACE_GAP_EM, SPACE_GAP_EM_WITH_SPACES)


def _val(v):
    """A value as compared: a float by its bits, anything else with its type."""
    if isinstance(v, float):
        return ("float", "nan" if math.isnan(v) else v.hex())
    return (type(v), v)


def _glyph(g, shared: set[int]):
    if id(g) in shared:  # a glyph of the input: the same object
        return ("same", id(g))
    return (type(g), tuple(_val(getattr(g, s)) for s in GLYPH_SLOTS), g.parts)


def _line(vl: VisualLine, shared: set[int]):
    assert type(vl) is VisualLine
    return tuple(_val(getattr(vl, s)) for s in LINE_SLOTS), [_glyph(g, shared) for g in vl.glyphs]


def _shared(band) -> set[int]:
    ids = {id(g) for g in band}
    ids.update(id(p) for g in band if g.parts for p in g.parts)
    return ids


def _both_segments(band):
    """Both paths on copies of ``band``: the kernel did not decline, gave the same lines, sorted alike."""
    a, b = list(band), list(band)
    py = lines._segments(a)
    c = K.line_segments(b, *ARGS)
    assert c is not None, "the kernel declined a band"
    assert [id(g) for g in a] == [id(g) for g in b]  # band.sort(key=_center), in place
    shared = _shared(band)
    assert [_line(vl, shared) for vl in c] == [_line(vl, shared) for vl in py]


def _both_bands(glyphs):
    py = lines._bands_py(glyphs)
    c = K.line_bands(list(glyphs))
    assert c is not None, "the kernel declined a page"
    assert [[id(g) for g in b] for b in c] == [[id(g) for g in b] for b in py]
    return py


def _both(glyphs):
    """Every stage of build_lines: bands, each band's segments, the whole."""
    if not glyphs:
        return
    for band in lines._merge_stray_bands(_both_bands(glyphs)):
        _both_segments(band)
    shared = _shared(glyphs)
    c = lines.build_lines(list(glyphs))
    py = _python_lines(glyphs)
    assert [_line(vl, shared) for vl in c] == [_line(vl, shared) for vl in py]


def _python_lines(glyphs):
    """``lines.build_lines`` with the kernel set aside."""
    kernel, lines._kernel = lines._kernel, None
    try:
        return lines.build_lines(list(glyphs))
    finally:
        lines._kernel = kernel


# every page with MuPDF's glyphs; pdfplumber's (other objects, other rounding) on the real PDFs and on
# one article in every producer's rendering — the whole corpus again would double this test's time
PAIRS = [(p, "pymupdf") for p in PDFS] + [(p, "pdfplumber") for p in PDFS
                                           if "realpdfs" in p.parts or p.name.startswith("almanbar-iran-us-talks")]


@needs_kernel
@pytest.mark.parametrize("pdf,engine", PAIRS, ids=lambda v: getattr(v, "stem", v))
def test_kernel_builds_the_lines_of_every_page_as_python_does(pdf, engine, monkeypatch):
    pages = []
    build = pipeline.build_lines

    def both(glyphs):
        _both(copy.copy(glyphs))
        pages.append(len(glyphs))
        return build(glyphs)

    monkeypatch.setattr(pipeline, "build_lines", both)
    pdfclean.extract(pdf, engine=engine, ocr="never")
    assert pages


# --- generated input ----------------------------------------------------------

_TEXTS = st.sampled_from(["ب", "ل", "a", "x", "U", "Ã", "3", " ", "\u200b", "\u00a0", "\t", "(", "\u0651", "\u0640",
                          "\ufffd", "لا", "ﷲ", "ab", "a b"])
_NUM = st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 5.0, 0.3, 1e-9]) | st.integers(-3, 8) | st.floats(-5, 30)


def _twins(v):
    """``v`` or a value equal to it that is another object: an int, the other zero."""
    opts = [v]
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 40:
        opts.append(int(v))
    if v == 0:
        opts += [0.0, -0.0]
    return st.sampled_from(opts)


@st.composite
def _glyph_of(draw, x, base, n=1):
    w = draw(_NUM)
    size = draw(st.sampled_from([10.0, 10.0, 12.0, 10, 1.0, 0.5]))
    y0 = base - draw(st.sampled_from([8.0, 9, 7.5]))
    x0, y0, x1, y1 = (draw(_twins(v)) for v in (x, y0, x + w, y0 + draw(st.sampled_from([12.0, 11, 3.0]))))
    return Glyph(draw(_TEXTS), x0, y0, x1, y1, draw(_twins(base)), size, draw(st.sampled_from(["F", "G"])),
                 draw(st.booleans()), artifact=draw(st.sampled_from([None, None, None, "header", "page_number",
                                                                     "footer"])))


@st.composite
def _band(draw, base=100.0):
    """Glyphs of (about) one baseline in any order: letters, spaces over or between
    letters, stray Latin letters, runs of letters crossed or not, the same glyph twice."""
    glyphs, x = [], 0.0
    for _ in range(draw(st.integers(1, 16))):
        x += draw(st.sampled_from([-1.0, 0.0, 0.0, 0.5, 1.3, 3.0, 4.6, 25.0, 0.1]))
        b = base + draw(st.sampled_from([0.0, 0.0, 0.4, -2.0, 5.0, -100.0]))
        if draw(st.integers(0, 4)) == 0:  # a run of letters
            k = draw(st.integers(2, 4))
            w = draw(st.sampled_from([3.0, 6.0, 9.0]))
            size = draw(st.sampled_from([10.0, 12.0]))
            bold = draw(st.booleans())
            parts = [Glyph("ب", x + i * w / k, 90, x + (i + 1) * w / k, 102, b, size, "F", bold) for i in range(k)]
            glyphs.append(Glyph("ب" * k, x, 90, x + w, 102, b, size, "F", bold, n=k, parts=parts,
                                artifact=draw(st.sampled_from([None, "header"]))))
            x += w
        else:
            g = draw(_glyph_of(x, b))
            glyphs.append(g)
            x = max(x, g.x1) if isinstance(g.x1, float) else x
    if glyphs and draw(st.integers(0, 6)) == 0:
        glyphs.append(glyphs[0])  # the same glyph twice
    return draw(st.permutations(glyphs))


@needs_kernel
@settings(max_examples=2000, deadline=None)
@given(_band())
def test_kernel_segments_generated_bands_as_python_does(band):
    _both_segments(band)


@needs_kernel
@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_band(), st.sampled_from([100.0, 103.0, 112.0, 140.0, 100, -0.0])), max_size=5))
def test_kernel_builds_generated_pages_as_python_does(rows):
    _both([g for band, base in rows for g in copy.deepcopy(band) if not setattr(g, "baseline", base)])


# --- declined shapes ----------------------------------------------------------


def _ok(**kw):
    g = Glyph("ب", 1.0, 90.0, 6.0, 102.0, 100.0, 10.0, "F", False)
    for k, v in kw.items():
        setattr(g, k, v)
    return g


def _unset():
    g = Glyph.__new__(Glyph)
    for s in ("text", "x0", "y0", "x1", "y1", "baseline", "font", "bold", "n", "parts", "artifact"):
        setattr(g, s, getattr(_ok(), s))
    return g  # no size


_BAD = [_ok(x0=float("nan")), _ok(x1=float("inf")), _ok(size=float("nan")), _ok(x0=True), _ok(x0=2 ** 60),
        _ok(x0="1"), _ok(bold=1), _ok(n=0), _ok(n=2, parts=None), _ok(n=2, parts=(_ok(), _ok())),
        _ok(n=2, parts=[_ok(), _ok(n=2, parts=[_ok(), _ok()])]), _ok(n=2, parts=[_ok(), _ok(x1=float("nan"))]),
        _ok(text=None), _unset(), object()]


@needs_kernel
@pytest.mark.parametrize("bad", range(len(_BAD)))
def test_kernel_declines_a_band_not_of_the_shape_untouched(bad):
    band = [_ok(x0=30.0, x1=36.0), _BAD[bad], _ok(x0=10.0, x1=16.0)]
    before = list(band)
    assert K.line_segments(band, *ARGS) is None
    assert [id(g) for g in band] == [id(g) for g in before]


@needs_kernel
@pytest.mark.parametrize("bad", [_ok(baseline=float("nan")), _ok(size="10"), _ok(baseline=2 ** 55), object()])
def test_kernel_declines_a_page_not_of_the_shape(bad):
    assert K.line_bands([_ok(), bad]) is None
    assert K.line_bands([]) is None


@needs_kernel
def test_declined_input_is_built_by_python():
    """A page the kernel declines (an int coordinate past 2**50, a run whose parts are a tuple)
    gets the lines the Python builds."""
    page = [_ok(x0=30.0, x1=36.0), _ok(x0=10, x1=2 ** 52), _ok(x0=50.0, x1=56.0, n=2, parts=(_ok(), _ok()))]
    with_kernel = lines.build_lines(list(page))
    pure = _python_lines(page)
    shared = _shared([g for g in page if g.n == 1])
    assert [_line(vl, shared) for vl in with_kernel] == [_line(vl, shared) for vl in pure]
    assert ["".join(g.text for g in vl.glyphs) for vl in with_kernel] == ["ب بب"]
