"""What a long document's extraction holds is a cache only: MuPDF's store,
emptied every ``engines.STORE_PAGES`` pages, and the font programs, of which
a document holds ``fontmap.mupdf.MAX_PROGRAMS`` at a time.

A long document is made of samples of several producers (their fonts shared by
the pages of each part, so fonts are decoded again after the store is
emptied) and extracted with the store emptied as the engine does it and never,
and with one program held and all: the documents are the same, the store was
emptied as often as it should be, and programs were let go and read again.
"""

from __future__ import annotations

import pytest
from conftest import SAMPLES

import pdfclean
from pdfclean import engines
from pdfclean.fontmap import mupdf as fonts_mupdf
from pdfclean.writers import to_json

PYMUPDF = engines._load_pymupdf()


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    """About 70 pages: every producer's samples of two articles, in turn, and
    the first three again (the same fonts, after the others: made one by
    ``garbage=3``)."""
    out = PYMUPDF.open()
    files = sorted(SAMPLES.glob("a*.pdf"))
    for f in files + files[:3]:
        with PYMUPDF.open(f) as d:
            out.insert_pdf(d)
    data = out.tobytes(garbage=3, deflate=True)
    out.close()
    return data


def test_the_store_emptied_every_so_many_pages_changes_nothing(long_pdf, monkeypatch):
    emptied = []
    real = PYMUPDF.TOOLS.store_shrink
    monkeypatch.setattr(PYMUPDF.TOOLS, "store_shrink", lambda p: (emptied.append(p), real(p))[1])
    doc = pdfclean.extract(long_pdf, ocr="never", explain=True)
    pages = doc.source.pages
    assert pages > 2 * engines.STORE_PAGES
    assert emptied == [100] * ((pages - 1) // engines.STORE_PAGES)
    monkeypatch.setattr(engines, "STORE_PAGES", 10 ** 9)
    emptied.clear()
    kept = pdfclean.extract(long_pdf, ocr="never", explain=True)
    assert emptied == []
    assert to_json(doc) == to_json(kept)


def test_font_programs_let_go_and_read_again_change_nothing(long_pdf, monkeypatch):
    made, again = [], []
    init, read_raw = fonts_mupdf.MuPDFFonts.__init__, fonts_mupdf.MuPDFFonts._read_raw

    def reading(self, xref):
        if xref in self._let_go and xref not in self._raw:
            again.append(xref)
        return read_raw(self, xref)

    monkeypatch.setattr(fonts_mupdf.MuPDFFonts, "__init__", lambda self, *a: (made.append(self), init(self, *a))[1])
    monkeypatch.setattr(fonts_mupdf.MuPDFFonts, "_read_raw", reading)
    monkeypatch.setattr(fonts_mupdf, "MAX_PROGRAMS", 1)
    few = pdfclean.extract(long_pdf, ocr="never", explain=True)
    (fonts,) = made
    assert len(fonts._data) <= 1 and fonts._let_go and again  # programs let go, and read again
    monkeypatch.setattr(fonts_mupdf, "MAX_PROGRAMS", 10 ** 9)
    made.clear()
    every = pdfclean.extract(long_pdf, ocr="never", explain=True)
    assert not made[0]._let_go
    assert to_json(few) == to_json(every)
