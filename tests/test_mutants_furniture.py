"""Page furniture on hand-built pages whose truth is known: which outer lines
are running titles, headers, footers, page numbers or branding, and which are
body text that must stay.

Written to kill the mutants of ``pdfclean.furniture`` that the PDF-level tests
(tests/test_structure.py) let live: each page here is a list of lines on an A4
page (595 × 842 pt), a body of ten lines 18 pt apart (12 pt type, 6 pt gaps),
and a margin line placed where a producer puts one.
"""

from __future__ import annotations

import pytest

from pdfclean.furniture import (
    artifact_kinds,
    classify,
    is_branding,
    is_page_number,
    mask,
    split_edge_number,
    strip_furniture,
)
from pdfclean.lines import artifact_of
from pdfclean.model import Glyph, Line, Page

W, H = 595.0, 842.0
TITLE = "مجلة الدراسات الاستراتيجية"
PUBLISHER = "مركز المنبر للدراسات"


def L(text, y0, x0=60.0, x1=535.0, size=12.0, page=1, conf=None, artifact=None):
    return Line(text, x0, y0, x1, y0 + size, size, False, page, confidence=conf, artifact=artifact)


BODY = ("تواجه المنطقة تحديات اقتصادية كبيرة في ظل تراجع أسعار النفط وارتفاع معدلات التضخم، وهو ما "
        "يفرض على الحكومات مراجعة سياساتها المالية والبحث عن مصادر جديدة للإيرادات بعيداً عن الاعتماد "
        "الكامل على الريع. ويرى عدد من الخبراء أن الإصلاح الحقيقي يبدأ من تحسين بيئة الأعمال وتشجيع "
        "القطاع الخاص على الاستثمار في الزراعة والصناعة، إلى جانب تطوير التعليم المهني الذي يمدّ السوق "
        "بالمهارات المطلوبة.")


def body(page=1, top=100.0, rows=10, pitch=18.0):
    words = BODY.split() * 8
    return [L(" ".join(words[(page * rows + i) * 6:(page * rows + i) * 6 + 6]), top + i * pitch, page=page)
            for i in range(rows)]


def page(n, *margin, top=100.0):
    return Page(n, W, H, [*margin, *body(n, top=top)])


def removed(pages, **kw):
    _, rec = strip_furniture(pages, **kw)
    return sorted((r.page, r.kind, r.text) for r in rec)


def bodies_intact(pages):
    return all([l.text for l in p.lines] == [l.text for l in body(p.number)] for p in pages)


# ---------------------------------------------------------------------------
# whole pages


def test_repeated_running_title_and_page_numbers_go_body_stays():
    pages = [page(n, L(TITLE, 40, page=n), L(str(n), 790, 290, 305, page=n)) for n in (1, 2, 3)]
    got = removed(pages, doc_lang="ar")
    assert got == sorted([(n, "running_title", TITLE) for n in (1, 2, 3)]
                         + [(n, "page_number", str(n)) for n in (1, 2, 3)])
    assert bodies_intact(pages)


def test_removed_records_where_the_line_was():
    pages = [page(n, L(TITLE, 40, 100, 500, page=n)) for n in (1, 2)]
    _, rec = strip_furniture(pages, doc_lang="ar")
    assert {r.bbox for r in rec} == {(100.0, 40.0, 500.0, 52.0)}


def test_a_margin_line_on_one_page_only_is_body_unless_it_is_a_page_number():
    pages = [page(1, L(TITLE, 40), L("1", 790, 290, 305)), page(2), page(3)]
    assert removed(pages, doc_lang="ar") == [(1, "page_number", "1")]
    assert any(l.text == TITLE for l in pages[0].lines)


def test_running_title_with_its_changing_page_number():
    pages = [page(n, L(f"{TITLE} {n + 10}", 40, page=n)) for n in (1, 2, 3)]
    assert removed(pages, doc_lang="ar") == sorted(
        [(n, "running_title", TITLE) for n in (1, 2, 3)] + [(n, "page_number", str(n + 10)) for n in (1, 2, 3)])


def test_one_word_repeated_at_the_top_is_a_header_and_at_the_foot_a_footer():
    pages = [page(n, L("العراق", 40, page=n), L(TITLE, 790, page=n)) for n in (1, 2)]
    assert removed(pages, doc_lang="ar") == sorted(
        [(n, "header", "العراق") for n in (1, 2)] + [(n, "footer", TITLE) for n in (1, 2)])


def test_foreign_running_title_goes_even_once():
    pages = [page(1, L("Water and Climate in Iraq", 40)), page(2)]
    assert removed(pages, doc_lang="ar") == [(1, "running_title", "Water and Climate in Iraq")]
    # the same line at the foot is a running title too (named by language, not band)
    pages = [page(1, L("Water and Climate in Iraq", 790)), page(2)]
    assert removed(pages, doc_lang="ar") == [(1, "running_title", "Water and Climate in Iraq")]


@pytest.mark.parametrize("text,doc_lang", [
    ("Iraqi Climate", "ar"),  # fewer than three words: too short to tell a language
    ("Water and Climate in Iraq", None),  # no body language known
    ("Water and Climate in Iraq", "en"),  # the body's own language
])
def test_a_one_off_line_that_is_not_clearly_foreign_stays(text, doc_lang):
    pages = [page(1, L(text, 40)), page(2)]
    assert removed(pages, doc_lang=doc_lang) == []


def test_repeated_line_set_at_body_spacing_is_body():
    # a tight top margin: the first row sits at the body's own line spacing
    pages = [page(n, L(TITLE, 82, page=n)) for n in (1, 2, 3)]
    assert removed(pages, doc_lang="ar") == []


def test_repeated_line_below_the_top_band_is_body():
    # 14 % of 842 pt is 117.9 pt: a line ending at 142 pt is not in the top band
    pages = [page(n, L(TITLE, 130, page=n), top=200) for n in (1, 2, 3)]
    assert removed(pages, doc_lang="ar") == []
    pages = [page(n, L(TITLE, 40, page=n), top=200) for n in (1, 2, 3)]
    assert len(removed(pages, doc_lang="ar")) == 3


def test_two_margin_rows_go_together_three_are_body():
    two = [page(n, L(TITLE, 30, page=n), L("العدد الثالث", 46, page=n)) for n in (1, 2)]
    assert [k for _, k, _ in removed(two, doc_lang="ar")] == ["running_title"] * 4
    three = [page(n, L(TITLE, 14, page=n), L("العدد الثالث", 30, page=n), L("السنة الأولى", 46, page=n))
             for n in (1, 2)]
    assert removed(three, doc_lang="ar") == []


def test_two_footer_rows_go_together():
    pages = [page(n, L("العدد الثالث", 774, page=n), L(TITLE, 790, page=n)) for n in (1, 2)]
    assert sorted(k for _, k, _ in removed(pages, doc_lang="ar")) == ["footer"] * 4


def test_a_page_of_one_line_has_no_furniture():
    pages = [Page(n, W, H, [L(TITLE, 40, page=n)]) for n in (1, 2)]
    assert removed(pages, doc_lang="ar") == []


def test_skipped_pages_are_left_alone():
    pages = [page(n, L(TITLE, 40, page=n), L(str(n), 790, 290, 305, page=n)) for n in (1, 2, 3)]
    got = removed(pages, doc_lang="ar", skip={1})
    assert {p for p, _, _ in got} == {2, 3}
    assert any(l.text == TITLE for l in pages[0].lines) and any(l.text == "1" for l in pages[0].lines)


def test_branding_publisher_url_and_cover_lines():
    pages = [page(1, L(PUBLISHER + " | بغداد", 40), L("www.almanbar.org", 790)), page(2)]
    assert removed(pages, doc_lang="ar", publisher=PUBLISHER) == sorted([
        (1, "branding", PUBLISHER + " | بغداد"), (1, "branding", "www.almanbar.org")])
    # a cover line repeated in the margins is branding; once, it is only a line
    cover = frozenset({"سلسلة أوراق بحثية"})
    twice = [page(n, L("سلسلة أوراق بحثية", 790, page=n)) for n in (1, 2)]
    assert [k for _, k, _ in removed(twice, doc_lang="ar", cover=cover)] == ["branding"] * 2
    once = [page(1, L("سلسلة أوراق بحثية", 790)), page(2)]
    assert removed(once, doc_lang="ar", cover=cover) == []


def test_ocr_running_titles_read_a_little_differently_still_repeat():
    readings = [TITLE, "مجلة الدراسات الاستراتيجيه", "مجله الدراسات الاستراتيجية"]
    ocr = [page(n, L(t, 40, page=n, conf=85.0)) for n, t in zip((1, 2, 3), readings)]
    assert [k for _, k, _ in removed(ocr, doc_lang="ar")] == ["running_title"] * 3
    # the same texts in a text layer are three different lines, each on one page
    text_layer = [page(n, L(t, 40, page=n)) for n, t in zip((1, 2, 3), readings)]
    assert removed(text_layer, doc_lang="ar") == []
    # and OCR lines that are really different do not match
    other = ["مجلة الدراسات الاستراتيجية", "تقرير البنك الدولي السنوي", "أخبار الاقتصاد والطاقة"]
    ocr = [page(n, L(t, 40, page=n, conf=85.0)) for n, t in zip((1, 2, 3), other)]
    assert removed(ocr, doc_lang="ar") == []


def test_pagination_artifacts_go_wherever_they_stand():
    mid = [page(1, L(TITLE, 420, artifact="header"), L("٧", 440, 290, 305, artifact="page_number")), page(2)]
    _, rec = strip_furniture(mid, doc_lang="ar")
    assert sorted((r.page, r.kind, r.text) for r in rec) == [(1, "page_number", "٧"), (1, "running_title", TITLE)]
    assert {r.text: r.bbox for r in rec} == {TITLE: (60.0, 420.0, 535.0, 432.0), "٧": (290.0, 440.0, 305.0, 452.0)}
    assert bodies_intact(mid)


def test_an_artifact_in_the_margin_is_recorded_once():
    # the tagged header is also a margin candidate: one record; the untagged
    # page number at the foot of the same page is still found
    pages = [page(n, L(TITLE, 40, 100, 500, page=n, artifact="header"), L(str(n), 790, 290, 305, page=n))
             for n in (1, 2)]
    _, rec = strip_furniture(pages, doc_lang="ar")
    assert sorted((r.page, r.kind, r.text) for r in rec) == sorted(
        [(n, "running_title", TITLE) for n in (1, 2)] + [(n, "page_number", str(n)) for n in (1, 2)])
    assert {r.bbox for r in rec if r.kind == "running_title"} == {(100.0, 40.0, 500.0, 52.0)}


def test_running_title_and_page_number_drawn_as_two_segments_of_one_row():
    pages = [page(n, L(TITLE, 40, 300, 535, page=n), L(str(n + 4), 40, 60, 75, page=n)) for n in (1, 2, 3)]
    assert removed(pages, doc_lang="ar") == sorted(
        [(n, "running_title", TITLE) for n in (1, 2, 3)] + [(n, "page_number", str(n + 4)) for n in (1, 2, 3)])
    assert bodies_intact(pages)


def test_two_margin_rows_of_two_segments_each_go_together():
    pages = [page(n, L(TITLE, 30, 300, 535, page=n), L(str(n), 30, 60, 75, page=n),
                  L("العدد الثالث", 46, 300, 535, page=n), L("2024", 46, 60, 90, page=n)) for n in (1, 2)]
    got = removed(pages, doc_lang="ar")
    assert len(got) == 8 and bodies_intact(pages)


def test_running_title_numbered_on_all_pages_but_the_first():
    pages = [page(1, L(TITLE, 40))] + [page(n, L(f"{TITLE} {n}", 40, page=n)) for n in (2, 3)]
    assert removed(pages, doc_lang="ar") == sorted(
        [(n, "running_title", TITLE) for n in (1, 2, 3)] + [(n, "page_number", str(n)) for n in (2, 3)])


def test_different_one_off_lines_ending_in_numbers_do_not_repeat():
    pages = [page(1, L("العدد 12", 40)), page(2, L("السنة 3", 40, page=2)), page(3)]
    assert removed(pages, doc_lang="ar") == []


def test_three_word_foreign_title_is_long_enough():
    pages = [page(1, L("Climate in Iraq", 40)), page(2)]
    assert removed(pages, doc_lang="ar") == [(1, "running_title", "Climate in Iraq")]


def test_ocr_misreading_of_the_publisher_is_branding():
    pages = [page(1, L("مرك المنبر للدراسات", 40, conf=70.0)), page(2)]
    assert removed(pages, doc_lang="ar", publisher=PUBLISHER) == [(1, "branding", "مرك المنبر للدراسات")]
    # the same text in a text layer is what the PDF says: not the publisher's name
    pages = [page(1, L("مرك المنبر للدراسات", 40)), page(2)]
    assert removed(pages, doc_lang="ar", publisher=PUBLISHER) == []
    assert classify("مرك المنبر للدراسات", "top", 1, "ar", PUBLISHER) == []
    assert classify("مرك المنبر للدراسات", "top", 1, "ar", PUBLISHER, fuzzy=True) == [
        ("branding", "مرك المنبر للدراسات")]


def test_an_empty_artifact_line_goes_without_a_record():
    pages = [page(1, L("  ", 420, artifact="pagination")), page(2)]
    assert removed(pages, doc_lang="ar") == []
    assert bodies_intact(pages)


# ---------------------------------------------------------------------------
# the pieces


@pytest.mark.parametrize("artifact,y0,text,want", [
    ("page_number", 790, " 12 ", [("page_number", "12")]),
    ("header", 790, TITLE, [("running_title", TITLE)]),  # the subtype names the band, not the place
    ("footer", 40, TITLE, [("footer", TITLE)]),
    ("pagination", 40, TITLE, [("running_title", TITLE)]),  # no subtype: the half page it is in
    ("pagination", 790, TITLE, [("footer", TITLE)]),
    ("pagination", 40, "العراق", [("header", "العراق")]),
    ("header", 40, f"{TITLE} 12", [("running_title", TITLE), ("page_number", "12")]),
    ("footer", 790, "www.almanbar.org", [("branding", "www.almanbar.org")]),
    ("pagination", 420, "   ", []),
    ("page_number", 790, "xii", [("page_number", "xii")]),  # a tagged page number needs no digits
    ("page_number", 40, "الصفحة الثالثة", [("page_number", "الصفحة الثالثة")]),
    ("footer", 790, PUBLISHER, [("branding", PUBLISHER)]),
    ("footer", 790, "Water and Climate in Iraq", [("running_title", "Water and Climate in Iraq")]),
])
def test_artifact_kinds(artifact, y0, text, want):
    assert artifact_kinds(L(text, y0, artifact=artifact), H, "ar", PUBLISHER) == want


def test_artifacts_through_strip_furniture_keep_their_context():
    # an untyped pagination artifact in the lower half is a footer; the
    # publisher and the body's language reach the artifact's classification
    pages = [page(1, L(TITLE, 600, artifact="pagination"), L(PUBLISHER, 790, artifact="footer"),
                  L("Water and Climate in Iraq", 810, artifact="footer")), page(2)]
    assert removed(pages, doc_lang="ar", publisher=PUBLISHER) == sorted([
        (1, "footer", TITLE), (1, "branding", PUBLISHER), (1, "running_title", "Water and Climate in Iraq")])


def _g(artifact):
    return Glyph("ب", 0, 0, 5, 10, 8, 10, artifact=artifact)


@pytest.mark.parametrize("kinds,want", [
    (["page_number"], "page_number"),
    (["header", "header"], "header"),
    (["header", "page_number"], "header"),  # a running title with its number
    (["page_number", "footer"], "footer"),
    (["header", "footer"], "pagination"),
    (["header", "footer", "page_number"], "pagination"),
    (["pagination"], "pagination"),
    (["header", None], None),  # one glyph of body text: not an artifact line
    ([None], None),
])
def test_artifact_of(kinds, want):
    assert artifact_of([_g(k) for k in kinds]) == want


@pytest.mark.parametrize("text,want", [
    ("12", True), ("٣", True), ("۱۲", True), ("- 3 -", True), ("– ٤ –", True), ("(12)", True),
    ("صفحة ٣", True), ("الصفحة 3", True), ("ص. 12", True), ("Page 7", True), ("p. 7", True),
    ("3 / 12", True), ("3 من 12", True), ("۳ از ۱۲", True), ("7 of 12", True), ("| 5 |", True),
    ("ب", True), ("(ج)", True), ("- د -", True),
    ("2024 عام", False), ("الفصل 3", False), ("3.5%", False), ("12 13", False), ("بغداد", False), ("", False),
])
def test_is_page_number(text, want):
    assert is_page_number(text) is want


@pytest.mark.parametrize("text,want", [
    ("واقعیتهای نادیده گرفته شده 3", ("واقعیتهای نادیده گرفته شده", "3")),
    ("12 الإصلاح الاقتصادي", ("الإصلاح الاقتصادي", "12")),
    ("- ١٢ - مجلة الدراسات", ("مجلة الدراسات", "- ١٢ -")),
    ("مجلة الدراسات (5)", ("مجلة الدراسات", "(5)")),
    ("  العنوان 3  ", ("العنوان", "3")),
    ("مجلة الدراسات", None),
    ("12", None),
    ("العدد12", None),
])
def test_split_edge_number(text, want):
    assert split_edge_number(text) == want


def test_mask_ignores_digits_spacing_and_case():
    assert mask("Page  12") == mask("page 3") == "page #"
    assert mask("العدد ١٢ لسنة ۱۴۰۳") == "العدد # لسنة #"
    assert mask(" a\u00a0 b ") == "a b"
    assert mask("عنوان") != mask("عنوان 1")


@pytest.mark.parametrize("text,kw,want", [
    ("www.almanbar.org", {}, True),
    ("https://example.net/x", {}, True),
    ("almanbar.iq", {}, True),
    ("info@almanbar.org", {}, True),
    ("Strategic Studies Institute", {}, True),
    ("The Research Council", {}, True),
    ("مركز  المنبر   للدراسات | بغداد", {"publisher": PUBLISHER}, True),  # spacing differs
    ("مركز المنبر", {"publisher": PUBLISHER}, False),  # part of the name is not the name
    ("مرك المنبر للدراسات", {"publisher": PUBLISHER}, False),  # a text layer is read exactly
    ("مرك المنبر للدراسات", {"publisher": PUBLISHER, "fuzzy": True}, True),  # OCR is not
    ("المنبر", {"publisher": PUBLISHER, "fuzzy": True}, False),  # too short to be the name
    ("تقرير البنك الدولي السنوي", {"publisher": PUBLISHER, "fuzzy": True}, False),
    ("سلسلة أوراق بحثية", {"cover": frozenset({"سلسلة أوراق بحثية"})}, True),
    ("سلسلة أوراق بحثية", {}, False),
    ("الاقتصاد العراقي بعد 2003", {}, False),
    ("الاقتصاد العراقي", {"publisher": ""}, False),
])
def test_is_branding(text, kw, want):
    assert is_branding(text, **kw) is want


@pytest.mark.parametrize("text,band,repeats,lang_,want", [
    ("", "top", 5, "ar", []),
    ("   ", "top", 5, "ar", []),
    (" 7 ", "bottom", 1, "ar", [("page_number", "7")]),
    (TITLE, "top", 1, "ar", []),
    (TITLE, "top", 2, "ar", [("running_title", TITLE)]),
    (TITLE, "bottom", 2, "ar", [("footer", TITLE)]),
    ("العراق", "top", 2, "ar", [("header", "العراق")]),
    ("العراق", "bottom", 2, "ar", [("footer", "العراق")]),
    ("Water and Climate in Iraq", "bottom", 1, "ar", [("running_title", "Water and Climate in Iraq")]),
    (f"Water and Climate in Iraq {7}", "top", 1, "ar",
     [("running_title", "Water and Climate in Iraq"), ("page_number", "7")]),
    (f"{TITLE} 7", "bottom", 3, "ar", [("footer", TITLE), ("page_number", "7")]),
])
def test_classify(text, band, repeats, lang_, want):
    assert classify(text, band, repeats, lang_, None) == want
