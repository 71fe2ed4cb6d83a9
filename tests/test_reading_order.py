"""Reading order and column gutters on layouts with known truth.

Unit cases on hand-made lines (``blocks.reading_order``, ``_gutter``,
``_breaks``), and the same questions on real PDFs drawn by tests/layouts.py,
read through the engines: the gutter is where the page leaves it, the right
column is read first, paragraph breaks fall where the paragraphs end.
"""

import pytest
from rapidfuzz import fuzz

from layouts import PARAS, Pdf, two_columns
from pdfclean import blocks
from pdfclean.engines import open_engine
from pdfclean.model import Line
from pdfclean.pipeline import _page


def L(text, x0, y0, x1, size=11.0, page=1, bold=False, rtl=True):
    return Line(text, x0, y0, x1, y0 + size, size, bold, page, rtl=rtl, baseline=y0 + 0.8 * size)


def columns(rows=5, right=(310, 535), left=(60, 285), top=120.0, pitch=17.6):
    """Lines of two columns: r0…r4 on the right, l0…l4 on the left."""
    lines = [L(f"r{i}", right[0], top + i * pitch, right[1]) for i in range(rows)]
    lines += [L(f"l{i}", left[0], top + i * pitch, left[1]) for i in range(rows)]
    return lines


def test_gutter_of_two_columns():
    g = blocks._gutter(columns())
    assert g == (285, 310)


def test_no_gutter_in_one_column_or_with_too_few_lines():
    one = [L(f"p{i}", 60, 100 + 17.6 * i, 535 - (40 if i == 4 else 0)) for i in range(8)]
    assert blocks._gutter(one) is None
    assert blocks._gutter(columns(rows=2)) is None  # fewer than 3 lines a side


def test_a_gutter_near_the_edge_is_not_one():
    lines = [L(f"a{i}", 60, 100 + 17.6 * i, 500) for i in range(6)]
    lines += [L(f"n{i}", 520, 100 + 17.6 * i, 535) for i in range(6)]  # a margin note column
    assert blocks._gutter(lines) is None


def test_reading_order_right_column_first_title_across():
    lines = columns() + [L("title", 60, 80, 535, size=16, bold=True)]
    got = [l.text for l in blocks.reading_order(lines)]
    assert got == ["title"] + [f"r{i}" for i in range(5)] + [f"l{i}" for i in range(5)]


def test_reading_order_left_column_first_in_ltr_text():
    lines = [L(l.text, l.x0, l.y0, l.x1, rtl=False) for l in columns()]
    got = [l.text for l in blocks.reading_order(lines)]
    assert got == [f"l{i}" for i in range(5)] + [f"r{i}" for i in range(5)]


def test_a_line_across_the_gutter_cuts_the_page_into_stretches():
    top = columns(rows=3, top=100)
    rule = [L("across", 60, 160, 535)]
    bottom = columns(rows=3, top=190)
    for l in bottom:
        l.text = l.text.upper()
    got = [l.text for l in blocks.reading_order(top + rule + bottom)]
    assert got == ["r0", "r1", "r2", "l0", "l1", "l2", "across", "R0", "R1", "R2", "L0", "L1", "L2"]


def test_one_row_of_segments_reads_right_to_left():
    got = [l.text for l in blocks.reading_order([L("left", 60, 100, 200), L("right", 400, 100, 535)])]
    assert got == ["right", "left"]


def layout_of(lines):
    from pdfclean.model import Page

    return blocks.measure([Page(1, 595, 842, lines)])


def test_breaks_within_and_between_paragraphs():
    # a justified paragraph: full lines, a short last one; then the next one, its
    # first line indented (on the right: Arabic)
    p1 = [L(f"a{i}", 60, 100 + 17.6 * i, 535) for i in range(3)] + [L("a3", 300, 100 + 17.6 * 3, 535)]
    p2 = [L("b0", 60, 100 + 17.6 * 4, 517), L("b1", 60, 100 + 17.6 * 5, 535), L("b2", 60, 100 + 17.6 * 6, 535)]
    lay = blocks.Layout(size=11.0, pitch=17.6, right={1: 535.0}, left={1: 60.0}, indents=True, justified=True)
    assert [blocks._breaks(a, b, lay) for a, b in zip(p1, p1[1:])] == [False, False, False]
    assert blocks._breaks(p1[-1], p2[0], lay)
    assert not blocks._breaks(p2[0], p2[1], lay)


def test_breaks_on_a_wide_gap_a_size_change_and_bold():
    a = L("a", 60, 100, 535)
    lines = [L(f"x{i}", 60, 100 + 17.6 * i, 535) for i in range(6)]
    lay = layout_of(lines)
    assert blocks._breaks(a, L("far", 60, 100 + 3 * 17.6, 535), lay)  # a blank line between
    assert blocks._breaks(a, L("big", 60, 100 + 17.6, 535, size=16), lay)
    assert blocks._breaks(a, L("bold", 60, 100 + 17.6, 535, bold=True), lay)
    assert not blocks._breaks(a, L("next", 60, 100 + 17.6, 535), lay)


# --------------------------------------------------------------------------- drawn PDFs


def page_lines(path, engine="pymupdf", number=1):
    eng = open_engine(engine, path.read_bytes())
    try:
        raw = next(iter(eng.pages([number])))
        return _page(raw).lines
    finally:
        eng.close()


def same(a: str, b: str) -> bool:
    return fuzz.partial_ratio(" ".join(a.split()), " ".join(b.split())) >= 95


@pytest.mark.parametrize("engine", ["pymupdf", "pdfplumber"])
def test_drawn_columns_gutter_and_order(tmp_path, engine):
    lines = page_lines(two_columns(tmp_path / "columns.pdf"), engine)
    g = blocks._gutter(lines)
    assert g is not None and 280 <= g[0] < g[1] <= 315, g
    ordered = blocks.reading_order(lines)
    assert ordered[0].size > 14  # the title over both columns first
    sides = ["R" if l.x0 >= g[1] - 0.5 else "L" for l in ordered[1:]]
    assert sides == sorted(sides, reverse=True) and "L" in sides and "R" in sides  # all right, then left
    text = " ".join(l.text for l in ordered)
    spots = [text.find(p.split()[0] + " " + p.split()[1]) for p in PARAS[:4]]
    assert all(s >= 0 for s in spots) and spots == sorted(spots), spots


def test_drawn_paragraph_breaks_fall_where_paragraphs_end(tmp_path):
    pdf = Pdf(tmp_path / "paras.pdf")
    y = 100
    for p in PARAS[:3]:
        y = pdf.para(p, 60, 535, y, size=12, lead=19 / 12)
    lines = blocks.reading_order(page_lines(pdf.save()))
    lay = layout_of(lines)
    starts = [0] + [i + 1 for i, (a, b) in enumerate(zip(lines, lines[1:])) if blocks._breaks(a, b, lay)]
    paras = [" ".join(l.text for l in lines[s:e]) for s, e in zip(starts, starts[1:] + [len(lines)])]
    assert len(paras) == 3, paras
    for got, want in zip(paras, PARAS[:3]):
        assert same(got, want), (got[:40], want[:40])


def _grouped(lines, lay):
    return [[l.text for l in d.lines] for d in blocks._page_drafts(lines, lay)]


JUSTIFIED = dict(size=11.0, pitch=17.6, right={1: 535.0}, left={1: 60.0}, indents=True, justified=True)


def test_a_full_one_line_paragraph_between_indented_ones():
    # Typst: paragraph spacing hardly wider than the leading; a paragraph of one
    # line that fills it, indented like the next paragraph's first line
    y = [100 + 17.6 * i for i in range(5)]
    lines = [L("a0 ends.", 58, y[0], 517), L("b0", 60, y[1], 517), L("b1", 60, y[2], 535),
             L("b2 ends.", 300, y[3], 535), L("c0", 60, y[4], 517)]
    assert _grouped(lines, blocks.Layout(**JUSTIFIED)) == [["a0 ends."], ["b0", "b1", "b2 ends."], ["c0"]]


def test_a_block_inset_on_one_side_keeps_its_lines():
    # every line inset at the start edge: a quote or an address, not one-line paragraphs
    y = [100 + 17.6 * i for i in range(5)]
    lay = blocks.Layout(**JUSTIFIED)
    inset = [L("q0 ends.", 60, y[0], 505), L("q1 ends.", 60, y[1], 505), L("q2", 200, y[2], 505)]
    assert _grouped(inset, lay) == [["q0 ends.", "q1 ends.", "q2"]]
    # two lines, the first not ending a sentence: one block, whatever follows
    two = [L("q0,", 62, y[0], 505), L("q1 ends.", 240, y[1], 505), L("next", 60, y[2], 517)]
    assert _grouped(two, lay)[0] == ["q0,", "q1 ends."]


def test_a_quote_inset_on_both_sides_breaks_at_its_own_short_line():
    # the quote's lines end at its own far edge (88), not the page's (60): a
    # sentence ending there is not a short last line
    y = [100 + 17.6 * i for i in range(4)]
    lines = [L("q0", 88, y[0], 507), L("q1 ends.", 88, y[1], 507), L("q2 ends.", 260, y[2], 507),
             L("p0", 60, y[3], 517)]
    assert _grouped(lines, blocks.Layout(**JUSTIFIED)) == [["q0", "q1 ends.", "q2 ends."], ["p0"]]


def test_a_paragraph_indent_near_a_list_hang_is_not_the_item():
    # a list item's wrapped lines hang at 509.7; the next paragraph's first line is
    # indented to 514.1 (0.3 em off the hang), after the item's full last line
    lay = blocks.Layout(size=13.5, pitch=22.9, right={1: 536.0}, left={1: 60.0}, indents=True,
                        justified=True)
    y = [100 + 22.9 * i for i in range(5)]
    lines = [L("1. item", 57, y[0], 524, size=13.5), L("wrap", 57, y[1], 509.7, size=13.5),
             L("wrap ends.", 56, y[2], 509.7, size=13.5), L("para", 59.5, y[3], 514.1, size=13.5),
             L("more", 60, y[4], 536, size=13.5)]
    assert _grouped(lines, lay) == [["1. item", "wrap", "wrap ends."], ["para", "more"]]


def test_a_line_starting_with_a_dash_follows_the_text_s_habit():
    from pdfclean.model import Page

    def page(*texts):
        return [Page(1, 595, 842, [L(t, 60, 100 + 17.6 * i, 535) for i, t in enumerate(texts)])]

    tight = blocks._spacing(page("قال إيران— وهو ما", "العراق— وهو"))
    spaced = blocks._spacing(page("قال إيران — وهو ما", "العراق — وهو"))
    assert ("tight_before", "—") in tight and ("tight_before", "—") not in spaced
    lines = [L("مع إيران", 60, 100, 535), L("— وهو ما يعتقد", 60, 117.6, 535)]
    assert blocks._join(lines, spacing=tight) == "مع إيران— وهو ما يعتقد"
    assert blocks._join(lines, spacing=spaced) == "مع إيران — وهو ما يعتقد"
    assert blocks._join(lines) == "مع إيران — وهو ما يعتقد"  # no habit known: a space
