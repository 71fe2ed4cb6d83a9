"""Nothing is lost silently: every character a page's text layer yields ends
in a block, the front matter, the article head, the removed furniture or a
counted repair — on every sample and every real PDF, both engines.

The account is checked three ways: it balances page by page; what it says
went to blocks, front matter, head and furniture is what the output holds;
and what it says was read is what the engine library itself reports, counted
here without pdfclean's code.
"""

import re
import unicodedata

import pdfplumber
import pymupdf
import pytest

import pdfclean
from conftest import REAL, SAMPLES
from pdfclean.model import ink

ENGINES = ["pymupdf", "pdfplumber"]
PDFS = sorted(SAMPLES.glob("*.pdf")) + sorted(REAL.glob("*.pdf"))
GARBLED = {"ar_lyx_howto_ghostscript550_type3_garbled.pdf"}  # Type 3 glyphs, read as they are
# what each repair may do to the character count: remove (−), add (+) or either
DROPS = {"kashida", "overprinted_glyphs", "cluster_pieces", "wrong_code_points", "unmapped_glyphs", "orphan_marks",
         "bidi_controls",
         "control_chars", "tatweel", "not_horizontal", "outside_crop_box", "dehyphenated",
         "list_marker"}
ADDS = {"presentation_forms", "latin_ligatures"}  # a lam-alef or «fi» glyph is two letters
_BAD = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")  # U+FFFD, private use


def _drawn_pymupdf(pdf, number: int) -> int:
    """Characters MuPDF reports drawn on a page (texttrace), spaces aside."""
    with pymupdf.open(pdf) as d:
        return sum(0 if chr(c[0]).isspace() or chr(c[0]) == "\u200b" else 1
                   for s in d[number - 1].get_texttrace() for c in s["chars"] if c[0] > 0)


def _drawn_pdfplumber(pdf, number: int) -> int:
    with pdfplumber.open(pdf) as d:
        return sum(ink(c["text"]) for c in d.pages[number - 1].chars)


DRAWN = {"pymupdf": _drawn_pymupdf, "pdfplumber": _drawn_pdfplumber}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_every_character_is_accounted_for(pdf, engine):
    """… and none that no font could map reaches a block (one extraction, two checks)."""
    doc = pdfclean.extract(pdf, engine=engine, ocr="never")
    body = "\n".join(b.text for b in doc.blocks + doc.front_matter)
    assert not _BAD.search(body), [unicodedata.name(c, hex(ord(c))) for c in _BAD.findall(body)][:5]
    assert not [w for w in doc.warnings if "unaccounted" in w], doc.warnings
    totals = dict.fromkeys(("blocks", "front_matter", "article_head", "furniture"), 0)
    for p in doc.pages:
        acc = p["account"]
        changes = acc["repairs"]
        assert acc["read"] + sum(changes.values()) == sum(acc[k] for k in totals), (p["page"], acc)
        for kind, n in changes.items():
            assert (kind in DROPS and n < 0) or (kind in ADDS and n > 0) or kind not in DROPS | ADDS, \
                (kind, n)
        for k in totals:
            totals[k] += acc[k]
    # where the account says the characters went is what the output holds
    assert totals["blocks"] == sum(ink(b.text) for b in doc.blocks)
    assert totals["front_matter"] == sum(ink(b.text) for b in doc.front_matter)
    assert totals["article_head"] == sum(ink(r.text) for r in doc.removed if r.kind == "article_head")
    assert totals["furniture"] == sum(ink(r.text) for r in doc.removed if r.kind != "article_head")
    # what it says was read is what the library draws (first and last page: enough, and fast)
    for p in {doc.pages[0]["page"], doc.pages[-1]["page"]}:
        acc = next(x["account"] for x in doc.pages if x["page"] == p)
        assert acc["read"] == DRAWN[engine](pdf, p), (p, acc)


# That OCR triage leaves every page of a born-digital sample alone: tests/test_samples.py, on the
# extractions it scores (default options, both engines).
