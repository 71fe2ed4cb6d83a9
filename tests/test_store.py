"""MuPDF's store, emptied every ``engines.STORE_PAGES`` pages of a long document, is a cache only.

A long document is made of samples of several producers (their fonts shared by
the pages of each part, so fonts are decoded again after the store is
emptied) and extracted with the store emptied as the engine does it and never:
the documents are the same, and the store was emptied as often as it should be.
"""

from __future__ import annotations

import pytest
from conftest import SAMPLES

import pdfclean
from pdfclean import engines
from pdfclean.writers import to_json

PYMUPDF = engines._load_pymupdf()


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> bytes:
    """About 60 pages: every producer's samples of two articles, in turn."""
    out = PYMUPDF.open()
    for f in sorted(SAMPLES.glob("a*.pdf")):
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
