"""The scorer's own functions on hand-made cases: a gate is only as good as
what measures it."""

import pytest

from pdfclean import eval as ev


def test_norm_collapses_space_and_composes():
    assert ev.norm("  a \n b\t") == "a b"
    assert ev.norm("e\u0301") == "\u00e9"


def test_cer():
    assert ev.cer("abc", "abc") == 0.0
    assert ev.cer("abd", "abc") == pytest.approx(1 / 3)
    assert ev.cer("", "abcd") == 1.0
    assert ev.cer("ab  c", "ab c") == 0.0  # whitespace does not count
    assert ev.cer("xyz", "") == 3.0  # no truth: distance over 1
    assert ev.cer("الكتاب", "الكتب") == pytest.approx(1 / 5)


TRUTH = {"blocks": [{"type": "heading", "text": "العنوان"},
                    {"type": "paragraph", "text": "نص الفقرة الأولى في الصفحة 12 من التقرير"},
                    {"type": "list_item", "text": "البند الأول"},
                    {"type": "quote", "text": "قال إن الاتفاق قريب"}],
         "furniture": [{"text": "12"}, {"text": "مركز المنبر"}, {"text": "مركز المنبر"}],
         "front_matter": ["الكاتب: زيد"],
         "metadata": {"title": "العنوان الكبير", "author": "زيد", "source": "المنبر", "published": "2025-01-02"},
         "producer": "hand"}


def test_leaked_counts_furniture_beyond_what_the_truth_body_holds():
    body = " ".join(b["text"] for b in TRUTH["blocks"])
    assert ev.leaked(body, TRUTH) == []  # «12» is in the body itself: not a leak
    assert ev.leaked(body + " 12", TRUTH) == ["12"]
    assert ev.leaked(body + " 112", TRUTH) == []  # a page number counts as a whole number
    assert ev.leaked(body + " مركز المنبر مركز المنبر مركز المنبر", TRUTH) == ["مركز المنبر"] * 2  # ≤ drawn
    assert ev.leaked(body + " الكاتب: زيد", TRUTH) == ["الكاتب: زيد"]


def doc(blocks, **meta):
    return {"blocks": [{"type": t, "text": x} for t, x in blocks], "metadata": meta}


def test_score_doc_perfect():
    d = doc([(b["type"], b["text"]) for b in TRUTH["blocks"]], **TRUTH["metadata"])
    s = ev.score_doc(d, TRUTH, "x.pdf", "pymupdf")
    assert (s.cer, s.leaked, s.producer, s.engine) == (0.0, [], "hand", "pymupdf")
    assert (s.blocks_total, s.blocks_one, s.blocks_exact) == (4, 4, 4)
    assert (s.headings_typed, s.headings_total, s.lists_typed, s.lists_total) == (1, 1, 1, 1)
    assert (s.quotes_typed, s.quotes_total, s.meta_right, s.meta_total) == (1, 1, 4, 4)


def test_score_doc_types_splits_and_metadata():
    d = doc([("paragraph", "العنوان"),  # a heading typed paragraph
             ("paragraph", "نص الفقرة الأولى في الصفحة"), ("paragraph", "12 من التقرير"),  # split in two
             ("list_item", "البند الأول"), ("paragraph", "قال إن الاتفاق قريب")],  # a quote lost
            title="العنوان الكبير", author="عمرو", source=None, published="2025-01-02")
    s = ev.score_doc(d, TRUTH, "x.pdf", "pdfplumber")
    assert s.cer == 0.0  # the same characters, whatever the blocks
    assert (s.blocks_one, s.blocks_exact) == (3, 3)  # the split paragraph is not one block
    assert (s.headings_typed, s.lists_typed, s.quotes_typed) == (0, 1, 0)
    assert s.meta_right == 2  # title and date; a wrong author, a missing source


def test_score_doc_one_block_allows_a_lost_mark_but_not_exact():
    truth = {**TRUTH, "blocks": [{"type": "paragraph", "text": "اتفاقٌ قريبٌ جداً بين الطرفين في الجولة القادمة"}]}
    s = ev.score_doc(doc([("paragraph", "اتفاقٌ قريب جداً بين الطرفين في الجولة القادمة")]), truth, "x", "e")
    assert (s.blocks_one, s.blocks_exact) == (1, 0)
    assert 0 < s.cer < 0.05


def test_score_of_an_empty_output():
    s = ev.score_doc(doc([]), TRUTH, "x", "e")
    assert s.cer == 1.0 and s.blocks_one == 0 and s.meta_right == 0


def test_table_sums_per_producer_and_engine():
    a = ev.Score("a", "p", "pymupdf", truth_chars=100, edits=1, blocks_total=2, blocks_exact=1, blocks_one=2,
                 headings_total=1, headings_typed=1, meta_right=4, meta_total=4)
    b = ev.Score("b", "p", "pymupdf", truth_chars=300, edits=1, blocks_total=2, blocks_exact=2, blocks_one=2,
                 headings_total=1, headings_typed=0, meta_right=3, meta_total=4)
    row = [l for l in ev.table([a, b]).splitlines() if l.startswith("| p |")][0]
    assert "| 0.50 % |" in row and "| 100.0 % | 75.0 % | 50.0 % | 7/8 |" in row
