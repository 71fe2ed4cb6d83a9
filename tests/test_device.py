"""The compiled MuPDF text device (src/pdfclean/_device.c) reads what the text trace gives.

``read_trace(get_texttrace())`` is the reference: the device draws the page
itself and makes the glyphs directly, with PyMuPDF's trace arithmetic. Both
are run on every page of every sample and real PDF, and the glyphs, the
font-program requests and the counts are compared slot by slot, bit for bit;
the documents extracted with the device and without it are compared whole.
"""

from __future__ import annotations

import math
import os

import pytest
from conftest import CORPUS, GLYPH_SLOTS, SAMPLES

import pdfclean
from pdfclean import engines, fontmap, kernel
from pdfclean.mupdf import texttrace
from pdfclean.writers import to_json

PYMUPDF = engines._load_pymupdf()
DEVICE = kernel.mupdf_device(PYMUPDF)
needs_device = pytest.mark.skipif(DEVICE is None, reason="the kernel is built without MuPDF's text device")
TABLES = (fontmap.ODD, engines._CHARS, engines._BOLD_FONTS)


def _state(g) -> tuple:
    vals = tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in (getattr(g, s) for s in GLYPH_SLOTS))
    return type(g), vals, g.gid


def _fix(fix: list[tuple]) -> list[tuple]:  # what fontmap.repair_trace reads of each request
    return [(i, gid, span["font"], span["size"], span["chars"]) for i, gid, span in fix]


def _read(page, subset: bool = False, bold=engines._BOLD_FONTS):
    r = page.cropbox
    return DEVICE.read_page(*_at(page), r.width, r.height, fontmap.ODD, engines._CHARS, bold, subset)


def _at(page) -> tuple[int, int]:
    return int(PYMUPDF.mupdf.internal_context_get().this), page.this.m_internal_value()


TRACE_KEYS = ("dir", "font", "wmode", "flags", "size", "type", "bbox", "chars")


def _keys(trace: list[dict]) -> list[tuple]:
    return [tuple(span[k] for k in TRACE_KEYS) for span in trace]


def _reference(page):
    r = page.cropbox
    return engines._read_trace(texttrace(page, PYMUPDF.TOOLS), r.width, r.height, *TABLES)


def _same(a, b) -> bool:
    return ([_state(g) for g in a[0]], _fix(a[1]), a[2:]) == ([_state(g) for g in b[0]], _fix(b[1]), b[2:])


def test_the_device_is_built_where_the_suite_runs():
    """The Makefile builds the kernel with MuPDF's headers; losing the device
    would pass every other test (the trace gives the same glyphs) while
    slowing every page."""
    if os.environ.get("PDFCLEAN_PURE", "") not in ("", "0"):
        pytest.skip("PDFCLEAN_PURE asks for the Python loops")
    assert DEVICE is not None


@needs_device
@pytest.mark.parametrize("pdf", CORPUS, ids=lambda p: p.stem)
def test_the_device_reads_every_page_as_the_trace_does(pdf):
    with PYMUPDF.open(pdf) as doc:
        for page in doc:
            if page.rotation:  # the engine leaves a rotated page to the trace
                continue
            got = _read(page)
            assert got is not None, f"page {page.number + 1}: the device declined the page"
            assert _same(got, _reference(page)), f"page {page.number + 1}"
            trace = DEVICE.trace_page(*_at(page), False)  # the trace itself, for pages with marked content
            assert trace is not None and _keys(trace) == _keys(texttrace(page, PYMUPDF.TOOLS)), f"page {page.number + 1}"


@needs_device
def test_subset_font_names_as_pymupdf_gives_them():
    """PyMuPDF's set_subset_fontnames keeps the "ABCDEF+" prefix; the device follows it."""
    pdf = next(p for p in CORPUS if "libreoffice" in p.name)
    with PYMUPDF.open(pdf) as doc:
        page = doc[0]
        PYMUPDF.TOOLS.set_subset_fontnames(True)
        try:
            ref = _reference(page)
        finally:
            PYMUPDF.TOOLS.set_subset_fontnames(False)
        PYMUPDF.TOOLS.set_subset_fontnames(True)
        try:
            ref_trace = _keys(texttrace(page, PYMUPDF.TOOLS))
        finally:
            PYMUPDF.TOOLS.set_subset_fontnames(False)
        got = _read(page, subset=True)
        assert any("+" in g.font for g in got[0])
        assert _same(got, ref)
        assert _keys(DEVICE.trace_page(*_at(page), True)) == ref_trace
        assert not any("+" in g.font for g in _read(page)[0])


@needs_device
def test_an_error_of_pdfcleans_own_is_raised_not_taken_for_the_pdf():
    """A Python exception inside the device (here from the bold-name table) is
    raised to the caller: a bug of pdfclean's, never a page the PDF spoiled."""
    class Broken(dict):
        def __missing__(self, key):
            raise KeyError("injected")

    pdf = next(p for p in CORPUS if "libreoffice" in p.name)
    with PYMUPDF.open(pdf) as doc, pytest.raises(KeyError, match="injected"):
        _read(doc[0], bold=Broken())


@needs_device
def test_another_mupdf_is_not_driven():
    """Built for one MuPDF, the device refuses another version (its structures
    may differ): the engine then reads the trace."""
    k = kernel.KERNEL
    lib = next(p for p in os.listdir(os.path.dirname(PYMUPDF.mupdf.__file__)) if p.startswith("libmupdf.so"))
    path = os.path.join(os.path.dirname(PYMUPDF.mupdf.__file__), lib)
    try:
        assert k.device_setup(path, "0.0.0") is False
        with pytest.raises(RuntimeError):
            _read(PYMUPDF.open(CORPUS[0])[0])
        assert k.device_setup("/nonexistent/libmupdf.so", PYMUPDF.mupdf.FZ_VERSION) is False
    finally:
        assert k.device_setup(path, PYMUPDF.mupdf.FZ_VERSION) is True


@needs_device
@pytest.mark.parametrize("pdf", sorted({p.name.rsplit("-", 1)[-1]: p for p in SAMPLES.glob("*.pdf")}.values()),
                         ids=lambda p: p.stem)
def test_documents_are_the_same_with_the_device_and_without(pdf, monkeypatch):
    """One sample of each producer extracted whole, the device on and off."""
    with_device = to_json(pdfclean.extract(pdf, ocr="never"))
    monkeypatch.setattr(engines, "_mupdf_device", lambda pymupdf: None)
    assert to_json(pdfclean.extract(pdf, ocr="never")) == with_device
