"""Every page rotation (/Rotate 0, 90, 180, 270), both engines: the text of a
turned page is the text of the page unturned.

The text is drawn upright in the page's own space; /Rotate only says how a
viewer turns the page, so pdfclean must read the same lines in the same
order, and OCR must not be asked for.
"""

import pymupdf
import pytest

import pdfclean
from conftest import SAMPLE_PDF

ROTATIONS = [0, 90, 180, 270]
ENGINES = ["pymupdf", "pdfplumber"]


def turned(rotation: int, pages=(1, 2, 3)) -> bytes:
    """The first pages of the sample with every page's /Rotate set."""
    with pymupdf.open(SAMPLE_PDF) as src, pymupdf.open() as out:
        out.insert_pdf(src, from_page=pages[0] - 1, to_page=pages[-1] - 1)
        for page in out:
            page.set_rotation(rotation)
        return out.tobytes(garbage=3, deflate=True)


@pytest.fixture(scope="module")
def upright():
    return {eng: pdfclean.extract(turned(0), engine=eng, ocr="never") for eng in ENGINES}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rotation", ROTATIONS)
def test_text_of_a_turned_page_is_the_upright_text(upright, rotation, engine):
    data = turned(rotation)
    with pymupdf.open(stream=data) as d:
        assert [p.rotation for p in d] == [rotation] * d.page_count
    doc = pdfclean.extract(data, engine=engine, ocr="never")
    want = upright[engine]
    assert want.blocks and doc.text == want.text
    assert [(b.type, b.pages) for b in doc.blocks] == [(b.type, b.pages) for b in want.blocks]
    assert doc.metadata.title == want.metadata.title
    assert [r.text for r in doc.removed] == [r.text for r in want.removed]
    assert not any("OCR" in w or "garbled" in w for w in doc.warnings)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_both_engines_agree_on_a_turned_page(rotation):
    data = turned(rotation, pages=(2, 3))
    a, b = (pdfclean.extract(data, engine=e, ocr="never") for e in ENGINES)
    assert a.text == b.text and a.text
