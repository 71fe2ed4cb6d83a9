"""Real Arabic/Persian PDFs from public repositories (tests/data/realpdfs).

Every one must go through both engines without an exception; where the text
layer is usable, the body must be clean Unicode; where it is not (image-only,
broken font encodings), a warning must say so and name the pages.
"""

import csv
import re

import pytest

import pdfclean
from conftest import REAL

ROWS = {r["file"]: r for r in csv.DictReader(open(REAL / "SOURCES.tsv", encoding="utf-8"), delimiter="\t")}
FILES = sorted(ROWS)
UNUSABLE = {"ar_lyx_howto_ghostscript550_type3_garbled.pdf", "fa_seminar_guideline_image_only.pdf"}

PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_fixture_list_is_complete():
    assert set(FILES) == {p.name for p in REAL.glob("*.pdf")}


@pytest.mark.parametrize("engine", ["pymupdf", "pdfplumber"])
@pytest.mark.parametrize("name", FILES)
def test_extracts_without_crashing(name, engine):
    doc = pdfclean.extract(REAL / name, engine=engine, ocr="never")  # OCR: tests/test_ocr.py
    assert doc.source.pages == int(ROWS[name]["pages"])
    body = "\n".join(b.text for b in doc.front_matter + doc.blocks)
    if name in UNUSABLE:
        assert doc.warnings, "an unusable text layer must be reported"
        assert re.search(r"page", " ".join(doc.warnings))
        return
    assert body.strip(), "a usable text layer gave no text"
    assert not PRESENTATION.findall(body)
    assert not BIDI_CONTROLS.findall(body)
    assert "\u0640" not in body  # tatweel


def test_image_only_pdf_says_so_without_ocr():
    doc = pdfclean.extract(REAL / "fa_seminar_guideline_image_only.pdf", ocr="never")
    assert not doc.blocks
    assert any("no text on any page: page(s) 1" in w for w in doc.warnings)


def test_garbled_type3_pdf_names_its_pages_without_ocr():
    doc = pdfclean.extract(REAL / "ar_lyx_howto_ghostscript550_type3_garbled.pdf", ocr="never")
    assert any("garbled" in w and "1-20" in w for w in doc.warnings)


def test_word_lam_alef_defect_repaired_by_cluster_order():
    # Word maps its lam-alef glyph to «لا» and draws words left to right:
    # extractors that reverse per character print «اإلنتاجية», «المشكالت».
    doc = pdfclean.extract(REAL / "ar_docling_rtl01_word_ltsc.pdf")
    text = f"{doc.metadata.title}\n{doc.text}"
    assert "الإنتاجية" in text and "المشكلات" in text and "خلال" in text
    assert "اإل" not in text and "شكالت" not in text
    # Word draws the space after «Python» at the end of its run: «و Pythonمن»
    assert "بلغة R وPython من الأدوات" in text


def test_arabic_indic_digits_keep_their_order():
    # the Amiri documentation is dated ٢٨ نوفمبر ٢٠١٥ (PyMuPDF prints ٥١٠٢)
    doc = pdfclean.extract(REAL / "ar_amiri_docs_xetex_2015.pdf", pages="1")
    text = " ".join(b.text for b in doc.front_matter + doc.blocks) + " " + str(doc.metadata.published_text)
    assert "٢٠١٥" in text and "٥١٠٢" not in text


def test_persian_zwnj_is_kept():
    text = pdfclean.extract(REAL / "fa_essay_libreoffice35_writer.pdf").text
    assert "\u200c" in text
    assert "می\u200cکردند" in text


LAM_ALEF_TRACE = re.compile(r"(?<![\u0621-\u064a])ا[أإآا]ل|اال")


@pytest.mark.parametrize("name", [f for f in FILES if f not in UNUSABLE])
def test_script_is_clean_on_real_pdfs(name):
    """No lam-alef traces; function words read backwards ≤ 1 % of hits."""
    from pdfclean.quality import function_word_hits

    doc = pdfclean.extract(REAL / name, ocr="never")
    text = "\n".join(b.text for b in doc.front_matter + doc.blocks)
    assert not LAM_ALEF_TRACE.findall(text)
    fwd, rev = function_word_hits(text)
    assert rev <= 0.01 * (fwd + rev), (fwd, rev)
