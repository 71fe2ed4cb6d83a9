"""The compiled kernel (src/pdfclean/_kernel.c) gives what the Python loops give.

``glyphtrace.read_trace`` (``engines._read_trace``) and ``engines._merge_runs`` are the reference; the
kernel's ``read_trace`` and ``merge_runs`` are their transcriptions. Both are
run on every page of every sample and real PDF and on generated input, and
the glyphs they make are compared slot by slot (class, every slot, the parts
of a run), as are the counts and the font-program requests.
"""

from __future__ import annotations

import copy
import math
import os
import unicodedata

import pytest
from conftest import CORPUS, GLYPH_SLOTS as SLOTS
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean import engines, fontmap
from pdfclean.model import Glyph, RawPage

PDFS = CORPUS
K = engines._kernel
needs_kernel = pytest.mark.skipif(K is None, reason="the kernel is not built (or PDFCLEAN_PURE is set)")


def _state(g: Glyph) -> tuple:
    """Everything a glyph holds, its run's letters included, NaN compared as equal."""
    vals = tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in (getattr(g, s) for s in SLOTS))
    return (type(g), vals, getattr(g, "gid", None),
            None if g.parts is None else tuple(_state(p) for p in g.parts))


def _same(a: list[Glyph], b: list[Glyph]) -> bool:
    return [_state(g) for g in a] == [_state(g) for g in b]


def _both_read(trace, W, H):
    tables = (fontmap.ODD, engines._CHARS, engines._BOLD_FONTS)
    py = engines._read_trace(trace, W, H, *tables)
    c = K.read_trace(trace, W, H, *tables)
    return py, c


def test_the_kernel_is_built_where_the_suite_runs():
    """CI installs pdfclean with its compiled kernel; losing it would pass every
    other test (the Python loops give the same output) while halving speed."""
    if os.environ.get("PDFCLEAN_PURE", "") not in ("", "0"):
        pytest.skip("PDFCLEAN_PURE asks for the Python loops")
    assert K is not None


def test_a_kernel_built_from_an_older_source_is_not_used(monkeypatch):
    """An editable install whose _kernel.c moved on without a rebuild lacks functions:
    a call to one would fail inside a stage (marked content read as unreadable, say),
    so such a module is not used at all and the Python loops run."""
    import importlib
    import types

    from pdfclean import kernel

    built = importlib.import_module("pdfclean._kernel") if K is not None else None
    if built is not None:  # what the source declares is what the module holds, both ways
        device = {"device_setup", "read_page", "trace_page"} if hasattr(built, "read_page") else set()  # test_device.py
        assert set(kernel.FUNCTIONS) | {"setup", "lines_setup"} | device == {
            n for n in dir(built) if not n.startswith("_")}
    old = types.SimpleNamespace(**{n: print for n in kernel.FUNCTIONS if n != "marked_scan"}, setup=print)
    monkeypatch.delenv("PDFCLEAN_PURE", raising=False)
    monkeypatch.setattr(importlib, "import_module", lambda name: old)
    assert kernel.load() is None
    monkeypatch.setattr(importlib, "import_module", lambda name: types.SimpleNamespace(
        **{n: print for n in kernel.FUNCTIONS}, setup=lambda *a: None))
    assert kernel.load() is not None


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_reads_every_page_as_python_does(pdf):
    pymupdf = engines._load_pymupdf()
    with pymupdf.open(pdf) as doc:
        for page in doc:
            trace = page.get_texttrace()
            r = page.cropbox
            py, c = _both_read(trace, r.width, r.height)
            assert c is not None, f"page {page.number + 1}: the kernel declined a MuPDF trace"
            assert _same(py[0], c[0]) and py[1:] == c[1:], f"page {page.number + 1}"
            glyphs = engines.cluster_stream(py[0], number=False)
            again = [copy.copy(g) for g in glyphs]
            assert _same(engines._merge_runs(glyphs), K.merge_runs(again, engines._STARTS_LETTER,
                                                                    engines.RUN_GAP_EM))


# --- generated input ----------------------------------------------------------

_CODES = st.sampled_from([0x0628, 0x062A, 0x0644, 0x0627, 0x064E, 0x0651, 0x20, 0x2E, 0x31, 0x41, 0xFFFD, 0xE000,
                          0x0, -1, 0x0A, 0xA0, 0x3000, 0x10FFFF, 0x0640])
_X = st.floats(-50, 650, allow_nan=False) | st.sampled_from([0.0, 600.0, -0.0])


@st.composite
def _char(draw):
    x0, y0 = draw(_X), draw(_X)
    x1, y1 = x0 + draw(st.floats(0, 20)), y0 + draw(st.floats(0, 20))
    gid = draw(st.sampled_from([-1, 3, 7, 0]))
    return (draw(_CODES), gid, (x0, y1 - 2.0), (x0, y0, x1, y1))


@st.composite
def _span(draw):
    chars = tuple(draw(st.lists(_char(), max_size=8)))
    xs = [c[3] for c in chars] or [(draw(_X), draw(_X), 10.0, 10.0)]
    bb = (min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs), max(b[3] for b in xs))
    if draw(st.booleans()):  # a copy of a span drawn before: the drawn-twice check
        bb = (bb[0] + draw(st.floats(-1, 1)), bb[1], bb[2], bb[3])
    return {"dir": draw(st.sampled_from([(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.999, 0.04)])),
            "chars": chars, "bbox": bb,
            "size": draw(st.sampled_from([12.0, 0.0, 0.5, 9.96, float("nan")])),
            "type": draw(st.sampled_from([0, 1, 3])), "font": draw(st.sampled_from(["Amiri", "Amiri-Bold", "X"])),
            "flags": draw(st.sampled_from([0, 16, 20]))}


@needs_kernel
@settings(max_examples=300, deadline=None)
@given(st.lists(_span(), max_size=6), st.sampled_from([595.0, 300.0]))
def test_kernel_reads_generated_traces_as_python_does(trace, W):
    trace = trace + [dict(s) for s in trace[:2]]  # repeated spans: text drawn twice
    tables = (fontmap.ODD, engines._CHARS, engines._BOLD_FONTS)
    c = K.read_trace(trace, W, 842.0, *tables)
    try:
        py = engines._read_trace(trace, W, 842.0, *tables)
    except ValueError:  # a NaN size: no grid cell for the drawn-twice check; the kernel leaves it to Python
        assert c is None
        return
    assert c is not None
    assert _same(py[0], c[0]) and py[1:] == c[1:]


@needs_kernel
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 300), st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.sampled_from([0.0, 0.7, 1.3]),
                                               st.integers(1, 2), st.sampled_from([5.0, 8.0, 11.0]),
                                               st.sampled_from([9.0, 12.0])), min_size=1, max_size=12))
def test_kernel_finds_text_drawn_twice_among_many_spans_as_python_does(fillers, boxes):
    """Spans piled on a few places, as wide as an earlier one there or not (a
    cell holding several boxes, the match not the newest), after hundreds that
    match nothing (the table grown): the kernel's grid of cells answers as the
    Python loop's dict of lists does."""
    spans = [(50 + k % 20, 50 + k // 20, 0.0, 1, 5.0, 12.0) for k in range(fillers)] + boxes
    trace = []
    for col, row, dx, n, w, size in spans:
        x, y = col * 14.0 + dx, row * 16.0
        chars = tuple((0x0628, 3, (x + w * i, y + 10.0), (x + w * i, y, x + w * (i + 1), y + 12.0))
                      for i in range(n))
        trace.append({"dir": (1.0, 0.0), "chars": chars, "bbox": (x, y, x + w * n, y + 12.0), "size": size,
                      "type": 0, "font": "Amiri", "flags": 0})
    tables = (fontmap.ODD, engines._CHARS, engines._BOLD_FONTS)
    c = K.read_trace(trace, 2000.0, 2000.0, *tables)
    py = engines._read_trace(trace, 2000.0, 2000.0, *tables)
    assert c is not None and c[4] == py[4] and _same(py[0], c[0]) and py[1:] == c[1:]


_LETTERS = st.sampled_from(["ب", "ت", "لا", "سَ", " ", "1", "a", "ـ", "َ", "ة"])


@st.composite
def _glyphs(draw):
    out, x = [], 300.0
    for _ in range(draw(st.integers(0, 14))):
        w = draw(st.sampled_from([4.0, 5.5, 6.0]))
        x += draw(st.sampled_from([-w, -w - 0.5, -w - 3.0, w, 0.2, 0.0]))
        base = draw(st.sampled_from([100.0, 100.0, 100.4, 130.0]))
        size = draw(st.sampled_from([12.0, 12.0, 10.0]))
        out.append(Glyph(draw(_LETTERS), x, base - size * 0.8 + draw(st.sampled_from([0.0, -1.0])), x + w,
                         base + size * 0.2 + draw(st.sampled_from([0.0, 1.5])), base, size,
                         draw(st.sampled_from(["A", "A", "B"])), draw(st.sampled_from([False, False, True])),
                         artifact=draw(st.sampled_from([None, None, "header"]))))
    return out


@needs_kernel
@settings(max_examples=400, deadline=None)
@given(_glyphs())
def test_kernel_merges_runs_as_python_does(glyphs):
    again = [copy.copy(g) for g in glyphs]
    assert _same(engines._merge_runs(glyphs), K.merge_runs(again, engines._STARTS_LETTER, engines.RUN_GAP_EM))
    assert [g.seq for g in glyphs] == [g.seq for g in again] == list(range(len(glyphs)))


@needs_kernel
@settings(max_examples=300, deadline=None)
@given(_glyphs(), st.integers(1, 3))
def test_kernel_votes_on_the_pen_and_finds_marks_as_python_does(glyphs, repeat):
    glyphs = glyphs * repeat * 200  # past 500 pairs the vote samples every step-th pair
    assert K.pen_moves_right(glyphs) == engines._pen_votes(glyphs)
    assert K.lookup(glyphs, engines._STARTS_MARK) == [engines._STARTS_MARK[g.text] for g in glyphs]


@needs_kernel
def test_kernel_declines_what_it_cannot_read_and_python_reads_it():
    """Input not of MuPDF's shape (a list for a tuple, an int coordinate, a
    missing key, a glyph with a coordinate of another type) is left to the
    Python loop, whole, and the engine still reads the page."""
    span = {"dir": (1.0, 0.0), "chars": ((0x0628, 3, (10.0, 20.0), (10.0, 10.0, 16.0, 22.0)),), "bbox":
            (10.0, 10.0, 16.0, 22.0), "size": 12.0, "type": 0, "font": "F", "flags": 0}
    tables = (fontmap.ODD, engines._CHARS, engines._BOLD_FONTS)
    assert K.read_trace([span], 595.0, 842.0, *tables) is not None
    for bad in ({"chars": list(span["chars"])}, {"bbox": (10, 10.0, 16.0, 22.0)}, {"size": 12},
                {"chars": ((0x0628, 3, (10.0, 20.0), (10, 10.0, 16.0, 22.0)),)}):
        odd = dict(span, **bad)
        assert K.read_trace([odd], 595.0, 842.0, *tables) is None
        raw = RawPage(1, 595.0, 842.0, [])
        assert [g.text for g in engines.PyMuPDFEngine._glyphs([odd], _Rect(595.0, 842.0), raw)] == ["ب"]
    assert K.read_trace([{k: v for k, v in span.items() if k != "flags"}], 595.0, 842.0, *tables) is None
    g = Glyph("ب", 1, 0.0, 2.0, 1.0, 1.0, 12.0)  # an int x0 a double holds: read
    assert K.merge_runs([g], engines._STARTS_LETTER, 0.1) is not None
    g = Glyph("ب", 2 ** 60, 0.0, 2.0, 1.0, 1.0, 12.0)  # one it does not: declined
    assert K.merge_runs([g], engines._STARTS_LETTER, 0.1) is None
    assert [x.text for x in engines.merge_runs([g])] == ["ب"]


class _Rect:
    def __init__(self, w: float, h: float) -> None:
        self.width, self.height = w, h


def _rows(rows) -> list[tuple]:
    return [(list(r), list(a), bool(s)) for r, a, s in rows]


def _kashida_input(glyphs):
    from pdfclean import quirks

    kinds = bytes(map(quirks._ROW_KIND.__getitem__, [g.text for g in glyphs]))
    return kinds, [m.start() for m in quirks._CANDIDATES.finditer(kinds)]


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_finds_the_kashida_rows_python_finds(pdf):
    from pdfclean import quirks

    pymupdf = engines._load_pymupdf()
    declined = 0
    with pymupdf.open(pdf) as doc:
        for page in doc:
            r = page.cropbox
            glyphs = engines._read_trace(page.get_texttrace(), r.width, r.height, fontmap.ODD, engines._CHARS,
                                         engines._BOLD_FONTS)[0]
            kinds, cands = _kashida_input(glyphs)
            c = K.kashida_rows(glyphs, kinds, cands, quirks._SPACE)
            declined += c is None
            if c is not None:
                assert _rows(c) == _rows(quirks._kashida_rows_py(glyphs, kinds, cands)), f"page {page.number + 1}"
                assert _spans_both(glyphs, c), f"page {page.number + 1}"
    assert not declined or pdf.parent.name == "realpdfs"


def _spans_both(glyphs, rows) -> bool:
    """The kernel's kashida_spans held to quirks._kashida_spans_py on ``rows``; False when it
    left them to Python."""
    from pdfclean import quirks

    c = K.kashida_spans(glyphs, rows, quirks._JOIN, quirks.KASHIDA_TOUCH_EM, quirks.KASHIDA_NEAR_EM)
    if c is None:
        return False
    py = quirks._kashida_spans_py(glyphs, rows)
    assert [(list(r), i, j) for r, i, j in c] == [(list(r), i, j) for r, i, j in py]
    return True


_ROW_TEXTS = st.sampled_from(["ب", "ل", "ة", ",", "(", ")", "J", " ", "ـ", "َ", "1", "ر", "."])


@needs_kernel
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_ROW_TEXTS, st.sampled_from([0.0, 3.0, 5.5, 5.5, 8.0, -2.0]),
                          st.sampled_from([100.0, 100.0, 120.0, -0.0, 0.0]), st.sampled_from([2.0, 3.0, 0.0])),
                max_size=30))
def test_kernel_finds_kashida_rows_of_generated_glyphs(spec):
    from pdfclean import quirks

    glyphs = [Glyph(t, x, b - 9, x + w, b + 3, b, 12.0) for t, x, b, w in spec]
    kinds, cands = _kashida_input(glyphs)
    c = K.kashida_rows(glyphs, kinds, cands, quirks._SPACE)
    assert c is not None
    assert _rows(c) == _rows(quirks._kashida_rows_py(glyphs, kinds, cands))
    assert _spans_both(glyphs, c)
    glyphs.append(Glyph("ب", float("nan"), 0.0, 1.0, 1.0, 100.0, 12.0))  # a NaN centre: left to Python
    kinds, cands = _kashida_input(glyphs)
    assert K.kashida_rows(glyphs, kinds, cands, quirks._SPACE) is None


# --- the glyph-repair and script-repair stages (quirks.py, script.py) ---------------------------

_PIECE_TEXTS = st.sampled_from(["", "\0", "ب", "ب", "بَ", "َ", "َّ", "ّ", "ل", "لا", "a", " ", "ٍ", "\u0301", "𝐀", "ـ"])


@needs_kernel
@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECE_TEXTS, max_size=40))
def test_kernel_finds_the_piece_pairs_python_finds(texts):
    from pdfclean import quirks

    assert K.piece_pairs(texts, quirks._FIRST_MARK) == quirks._piece_pairs_py(texts)
    assert K.piece_pairs(texts + [1], quirks._FIRST_MARK) is None  # not a text: left to Python


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_finds_the_piece_pairs_of_every_page(pdf):
    from pdfclean import quirks

    pymupdf = engines._load_pymupdf()
    with pymupdf.open(pdf) as doc:
        for page in doc:
            r = page.cropbox
            glyphs = engines._read_trace(page.get_texttrace(), r.width, r.height, fontmap.ODD, engines._CHARS,
                                         engines._BOLD_FONTS)[0]
            texts = [g.text for g in glyphs]
            assert K.piece_pairs(texts, quirks._FIRST_MARK) == quirks._piece_pairs_py(texts)


@st.composite
def _line_glyphs(draw):
    out = []
    for i in range(draw(st.integers(0, 16))):
        g = Glyph("ب", 0.0, 0.0, 1.0, 1.0, 1.0, 12.0)
        g.seq = draw(st.sampled_from([i, i, 2 * i, 40 - i, 0, -3]))
        g.n = draw(st.sampled_from([1, 1, 2, 3, 0]))
        g.rightward = draw(st.booleans())
        out.append(g)
    return out


@needs_kernel
@settings(max_examples=500, deadline=None)
@given(_line_glyphs(), st.text(alphabet="RRRLNW", max_size=18))
def test_kernel_tells_a_visual_stream_as_python_does(glyphs, types):
    from pdfclean import script

    assert K.stream_was_visual(glyphs, types) == script._stream_was_visual_py(glyphs, types)


@needs_kernel
def test_kernel_leaves_odd_runs_to_python():
    from pdfclean import script

    g = Glyph("ب", 0.0, 0.0, 1.0, 1.0, 1.0, 12.0)
    for attr, value in (("seq", 2 ** 40), ("seq", 1.0), ("n", None), ("rightward", 1)):
        odd = copy.copy(g)
        setattr(odd, attr, value)
        assert K.stream_was_visual([odd], "R") is None
        assert K.stream_was_visual([odd], "L") is False  # (a glyph of another class is not read)
    assert script._stream_was_visual([g, g], "RR") is False


@st.composite
def _overprinted(draw):
    out = []
    for _ in range(draw(st.integers(0, 24))):
        x = draw(st.sampled_from([10.0, 10.3, 11.4, 9.1, 16.0, -3.2, 0.0, -0.0]))
        base = draw(st.sampled_from([100.0, 100.2, 101.5, 99.4, -7.0]))
        size = draw(st.sampled_from([12.0, 12.3, 10.0, 0.5, 0.0, float("nan")]))
        w = draw(st.sampled_from([6.0, 6.2, 0.0, float("inf")]))
        text = draw(st.sampled_from(["ب", "ت", "بَ", "بَ"]))
        if draw(st.booleans()):
            text = text[:1] + text[1:]  # an equal text, another object
        out.append(Glyph(text, x, base - 9, x + w, base + 3, base, size, bold=draw(st.booleans())))
    if out and draw(st.booleans()):
        out.append(out[draw(st.integers(0, len(out) - 1))])  # one glyph twice in the list
    return out


@needs_kernel
@settings(max_examples=500, deadline=None)
@given(_overprinted())
def test_kernel_folds_overprints_as_python_does(glyphs):
    from pdfclean import quirks

    again = [copy.copy(g) for g in glyphs]
    same = {id(g): g2 for g, g2 in zip(glyphs, again)}
    again = [same[id(g)] for g in glyphs]  # (the same glyph twice stays one object)
    py = quirks._fold_overprints_py(glyphs)
    c = K.fold_overprints(again, quirks.OVERPRINT_EM)
    assert c is not None
    assert _same(py[0], c[0]) and py[1] == c[1] and _same(glyphs, again)


@needs_kernel
def test_kernel_leaves_odd_overprints_to_python():
    from pdfclean import quirks

    g = Glyph("ب", 10.0, 0.0, 16.0, 12.0, 10.0, 12.0)
    assert K.fold_overprints([g, copy.copy(g)], quirks.OVERPRINT_EM)[1] == 1
    for attr, value in (("x0", 10), ("x0", float("inf")), ("baseline", float("nan")), ("bold", 1), ("size", 12)):
        odd = copy.copy(g)
        setattr(odd, attr, value)
        assert K.fold_overprints([copy.copy(g), odd], quirks.OVERPRINT_EM) is None
    odd = copy.copy(g)
    odd.x0 = 10  # an int: Python folds it all the same
    assert quirks.fold_overprints([g, odd])[1] == 1


@needs_kernel
@pytest.mark.parametrize("pdf", [p for p in PDFS if "overprint" in p.name or p.parent.name == "realpdfs"],
                         ids=lambda p: p.stem)
def test_kernel_folds_the_overprints_of_every_page(pdf):
    from pdfclean import quirks

    pymupdf = engines._load_pymupdf()
    with pymupdf.open(pdf) as doc:
        for page in doc:
            r = page.cropbox
            glyphs = engines._read_trace(page.get_texttrace(), r.width, r.height, fontmap.ODD, engines._CHARS,
                                         engines._BOLD_FONTS)[0]
            again = [copy.copy(g) for g in glyphs]
            py = quirks._fold_overprints_py(glyphs)
            c = K.fold_overprints(again, quirks.OVERPRINT_EM)
            assert c is not None
            assert _same(py[0], c[0]) and py[1] == c[1] and _same(glyphs, again), f"page {page.number + 1}"


# ---- marks attached to their letters (cluster_stream) -------------------------------------------

def _cluster_both(glyphs, habit):
    """cluster_stream by the kernel and by Python, each on its own copy of ``glyphs`` and
    ``habit``: held to the same glyphs out, the same texts left on the glyphs in and the same
    habit. False when the kernel left them to Python."""
    from collections import Counter

    a, b = [copy.copy(g) for g in glyphs], [copy.copy(g) for g in glyphs]
    ha, hb = (None, None) if habit is None else (Counter(habit), Counter(habit))
    c = K.cluster_stream(a, engines._STARTS_MARK, engines._BASE_LETTER, ha)
    if c is None:
        return False
    py = engines._cluster_stream_py(b, False, hb)
    assert _same(c, py) and _same(a, b) and ha == hb
    assert (c is a) == (py is b)  # no mark: the list itself
    return True


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_attaches_marks_on_every_page_as_python_does(pdf, monkeypatch):
    import pdfclean

    seen = []
    real = engines.cluster_stream

    def spy(glyphs, number=True, habit=None):
        seen.append(_cluster_both(glyphs, habit))
        return real(glyphs, number, habit)

    monkeypatch.setattr(engines, "cluster_stream", spy)
    try:
        pdfclean.extract(str(pdf), ocr="never")
    except pdfclean.PdfCleanError:
        pass
    assert all(seen)


_MARKED = st.sampled_from(["ب", "ت", "لا", "ا", "ى", "ة", "ﺏ", " ", "1", "a", "َ", "ّ", "ً", "ٌ", "ٍ", "ْ", "ًّ", "\u0301"])


@st.composite
def _marked_glyphs(draw):
    out, x = [], 300.0
    step = draw(st.sampled_from([-1.0, 1.0]))  # the pen moves left (logical order) or right (visual)
    for _ in range(draw(st.integers(0, 16))):
        text = draw(_MARKED)
        w = 0.0 if unicodedata.combining(text[0]) else draw(st.sampled_from([4.0, 6.0]))
        x += step * w + draw(st.sampled_from([0.0, 0.0, 0.5, -25.0]))
        base = draw(st.sampled_from([100.0, 100.0, 101.0, 108.0, 140.0]))  # (a mark 7.2 pt off its letter: no em)
        size = draw(st.sampled_from([12.0, 12.0, 0.5]))
        out.append(Glyph(text, x, base - 8, x + w, base + 2, base, size))
    return out


@needs_kernel
@settings(max_examples=1500, deadline=None)
@given(_marked_glyphs(), st.one_of(st.none(), st.fixed_dictionaries({"next": st.integers(0, 2),
                                                                     "prev": st.integers(0, 2)})))
def test_kernel_attaches_marks_of_generated_glyphs_as_python_does(glyphs, habit):
    assert _cluster_both(glyphs, habit)


@needs_kernel
def test_kernel_leaves_unreadable_glyphs_to_python():
    ok = Glyph("ب", 0.0, 0.0, 5.0, 10.0, 8.0, 12.0)
    assert K.cluster_stream([ok, Glyph("", 5.0, 0.0, 5.0, 10.0, 8.0, 12.0)], engines._STARTS_MARK,
                            engines._BASE_LETTER, None) is None  # (Python: an IndexError)
    assert K.cluster_stream([ok, Glyph("َ", 5.0, 0.0, 5.0, 10.0, "8", 12.0)], engines._STARTS_MARK,
                            engines._BASE_LETTER, None) is None


@needs_kernel
@settings(max_examples=200, deadline=None)
@given(_glyphs())
def test_kernel_lists_the_texts_python_lists(glyphs):
    class Other:  # (not a Glyph: its attribute is read)
        text = "x"

    glyphs = glyphs + [Other()]
    assert K.texts(glyphs) == [g.text for g in glyphs]
    with pytest.raises(AttributeError):
        K.texts([object()])
