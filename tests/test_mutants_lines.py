"""Line building on hand-placed glyphs: bands, segments, word spaces, stray
marks, unmapped glyphs, runs crossed by a glyph drawn out of turn.

Written to kill the mutants of ``pdfclean.lines`` that the PDF-level tests let
live. Glyphs are placed in points, 10 pt type, so an em is 10 pt: a word space
is a gap over 0.12 em (1.2 pt) without space glyphs, over 0.45 em with them,
and a new segment starts past 2 em.
"""

from __future__ import annotations

import random

import pytest

from pdfclean.lines import build_lines
from pdfclean.model import Glyph

SHADDA, FATHA = "\u0651", "\u064e"


def G(t, x0, x1, base=100.0, size=10.0, bold=False, **kw):
    return Glyph(t, x0, base - 0.8 * size, x1, base + 0.2 * size, base, size, "F", bold, **kw)


def word(text, x, base=100.0, size=10.0, w=5.0, bold=False):
    """Letters of ``text`` drawn left to right from ``x``, ``w`` points each."""
    return [G(c, x + i * w, x + (i + 1) * w, base, size, bold) for i, c in enumerate(text)]


def texts(lines):
    return ["".join(g.text for g in vl.glyphs) for vl in lines]


def test_no_glyphs_no_lines():
    assert build_lines([]) == []
    assert build_lines([G(" ", 0, 3), G(" ", 5, 8)]) == []


@pytest.mark.parametrize("gap,want", [(0.5, "abcd"), (1.0, "abcd"), (1.5, "ab cd"), (9.0, "ab cd"),
                                      (15.0, "ab cd")])
def test_word_space_from_a_gap_when_the_line_has_no_space_glyphs(gap, want):
    lines = build_lines(word("ab", 0) + word("cd", 10 + gap))
    assert texts(lines) == [want]
    if " " in want:  # the space spans the gap
        sp = lines[0].glyphs[2]
        assert (sp.x0, sp.x1) == (10.0, 10 + gap)


@pytest.mark.parametrize("gap,want", [(3.0, "ab cdef"), (4.0, "ab cdef"), (5.0, "ab cd ef")])
def test_with_space_glyphs_only_a_wide_gap_is_a_space(gap, want):
    # Chromium kerns letters apart inside a word; its word spaces are glyphs
    glyphs = word("ab", 0) + [G(" ", 10, 13)] + word("cd", 13) + word("ef", 23 + gap)
    assert texts(build_lines(glyphs)) == [want]


def test_space_glyphs_are_replaced_by_one_space_each():
    glyphs = word("ab", 0) + [G(" ", 10, 13), G(" ", 13, 16)] + word("cd", 16)
    assert texts(build_lines(glyphs)) == ["ab cd"]
    # a space glyph before the first letter makes no leading space
    assert texts(build_lines([G(" ", 0, 3)] + word("ab", 3))) == ["ab"]
    # a zero-width space is a space glyph too
    assert texts(build_lines(word("ab", 0) + [G("\u200b", 10, 10)] + word("cd", 10))) == ["ab cd"]


@pytest.mark.parametrize("gap,segments", [(15.0, ["ab cd"]), (19.0, ["ab cd"]), (21.0, ["ab", "cd"]),
                                          (80.0, ["ab", "cd"])])
def test_a_gap_over_two_ems_starts_a_segment(gap, segments):
    lines = build_lines(word("ab", 0) + word("cd", 10 + gap))
    assert texts(lines) == segments
    if len(segments) == 2:
        assert [(vl.x0, vl.x1) for vl in lines] == [(0.0, 10.0), (10 + gap, 20 + gap)]


def test_segment_gap_is_measured_in_the_median_size_of_the_band():
    # mostly 20 pt letters (2 em = 40 pt): a 30 pt gap is a word space there
    glyphs = word("abc", 0, size=20, w=10) + word("de", 60, size=20, w=10) + word("f", 90, size=8)
    assert texts(build_lines(glyphs)) == ["abc de f"]


def test_bands_top_to_bottom_whatever_the_stream_order():
    glyphs = word("top", 0, base=100) + word("mid", 0, base=116) + word("low", 0, base=200)
    random.Random(3).shuffle(glyphs)
    assert texts(build_lines(glyphs)) == ["top", "mid", "low"]


@pytest.mark.parametrize("shift,lines", [(0.0, 1), (3.0, 1), (3.4, 1), (4.0, 2), (8.0, 2)])
def test_baselines_within_a_third_of_an_em_share_a_band(shift, lines):
    # 0.35 em of 10 pt is 3.5 pt
    glyphs = word("ab", 0) + word("cd", 10.5, base=100 + shift)
    assert len(build_lines(glyphs)) == lines


def test_band_tolerance_follows_the_larger_glyph():
    # a 10 pt line, then a 20 pt glyph 5 pt lower: within 0.35 of its own size (7 pt)
    glyphs = word("ab", 0) + [G("X", 10.5, 20, base=105, size=20)]
    assert texts(build_lines(glyphs)) == ["abX"]


def test_line_box_size_baseline_and_weight():
    glyphs = (word("ab", 0, base=100, size=10, bold=True) + word("cd", 10.2, base=101, size=12, bold=True)
              + word("e", 20.4, base=100, size=10))
    (vl,) = build_lines(glyphs)
    assert (vl.x0, vl.x1) == (0.0, 25.4)
    assert vl.y0 == min(g.y0 for g in glyphs) and vl.y1 == max(g.y1 for g in glyphs)
    assert vl.size == 10.0  # median of 10, 10, 10, 12, 12
    assert vl.baseline == 100.0
    assert vl.bold  # four of five letters
    assert vl.unmapped == 0 and vl.orphans == 0 and vl.artifact is None


def test_half_bold_is_not_bold_and_sizes_count_letters_in_runs():
    (vl,) = build_lines(word("ab", 0, bold=True) + word("cd", 10.2))
    assert not vl.bold
    # a run of five letters in one box weighs five
    run = Glyph("abcde", 0, 92, 25, 102, 100, 12, "F", True, n=5,
                parts=[G(c, 5 * i, 5 * i + 5, size=12, bold=True) for i, c in enumerate("abcde")])
    (vl,) = build_lines([run] + word("fg", 25.2, size=10))
    assert vl.bold and vl.size == 12


def test_the_space_glyph_does_not_stretch_the_line_box_upward():
    # a tall space glyph (fonts give spaces odd boxes) is not ink
    glyphs = word("ab", 0) + [Glyph(" ", 10, 50, 13, 150, 100, 10)] + word("cd", 13)
    (vl,) = build_lines(glyphs)
    assert (vl.y0, vl.y1) == (92.0, 102.0)


def test_a_stray_mark_near_a_line_joins_it():
    # a shadda drawn high above its letter, a band of its own: folded back in
    glyphs = word("بت", 0) + [G(SHADDA, 2, 4, base=92)]
    (vl,) = build_lines(glyphs)
    assert SHADDA in texts([vl])[0] and vl.orphans == 0


def test_a_stray_mark_joins_the_nearer_line():
    glyphs = word("بت", 0, base=100) + word("سن", 0, base=130) + [G(FATHA, 2, 4, base=121)]
    lines = build_lines(glyphs)
    assert texts(lines)[0] == "بت" and FATHA in texts(lines)[1]
    glyphs = word("بت", 0, base=100) + word("سن", 0, base=130) + [G(FATHA, 2, 4, base=108)]
    lines = build_lines(glyphs)
    assert FATHA in texts(lines)[0] and texts(lines)[1] == "سن"


def test_marks_far_from_any_line_are_dropped_and_counted():
    glyphs = word("بت", 0, base=100) + [G(SHADDA, 2, 4, base=60), G("\ufffd", 5, 9, base=60)]
    (vl,) = build_lines(glyphs)
    assert texts([vl]) == ["بت"]
    assert (vl.orphans, vl.orphan_chars) == (2, 2)


def test_orphans_are_counted_on_the_first_line_only():
    glyphs = word("ab", 0, base=100) + word("cd", 0, base=200) + [G("\u0640", 0, 4, base=300)]
    lines = build_lines(glyphs)
    assert [(vl.orphans, vl.orphan_chars) for vl in lines] == [(1, 1), (0, 0)]


def test_more_than_three_stray_marks_are_not_folded_in():
    near = word("بت", 0, base=100)
    three = build_lines(near + [G(SHADDA, 2 * i, 2 * i + 2, base=92) for i in range(3)])
    assert len(three) == 1 and three[0].orphans == 0 and texts(three)[0].count(SHADDA) == 3
    four = build_lines(near + [G(SHADDA, 2 * i, 2 * i + 2, base=92) for i in range(4)])
    assert texts(four) == ["بت"] and four[0].orphans == 4


def test_a_band_with_a_letter_is_a_line_even_beside_marks():
    glyphs = word("ab", 0, base=100) + [G(SHADDA, 0, 2, base=130), G("x", 2, 7, base=130)]
    assert len(build_lines(glyphs)) == 2


@pytest.mark.parametrize("left,right", [("بي", "ت"), ("ب", "يت")])
def test_an_unmapped_narrow_latin_glyph_inside_an_arabic_word_is_dropped(left, right):
    # the raw code of a glyph the ToUnicode map lacks: one narrow Latin letter
    # touching Arabic letters («مستقلّU»)
    glyphs = word(left, 0) + [G("U", 5 * len(left) - 1, 5 * len(left) + 1)] + word(right, 5 * len(left))
    (vl,) = build_lines(glyphs)
    assert "U" not in texts([vl])[0] and vl.unmapped == 1


@pytest.mark.parametrize("glyphs", [
    word("بي", 0) + [G("U", 10, 16)] + word("ت", 16),  # a full-width letter: real Latin
    word("بي", 0) + [G("U", 13, 15)] + word("ت", 17),  # touching nothing
    word("ab", 0) + [G("l", 10, 12)] + word("ت", 12),  # beside a Latin letter
    word("بي", 0) + [G("Ω", 10, 12)] + word("ت", 12),  # not a Latin letter
])
def test_a_real_latin_letter_stays(glyphs):
    (vl,) = build_lines(glyphs)
    assert vl.unmapped == 0 and "".join(texts([vl])[0].split()) == "".join(g.text for g in glyphs)


def test_unmapped_glyphs_are_counted_on_the_first_segment():
    glyphs = word("بي", 0) + [G("U", 9, 11)] + word("ت", 10) + word("سن", 60) + [G("Q", 69, 71)] + word("م", 70)
    lines = build_lines(glyphs)
    assert [vl.unmapped for vl in lines] == [2, 0]
    assert all("U" not in t and "Q" not in t for t in texts(lines))


def test_typst_space_drawn_over_touching_letters_separates_nothing():
    # Typst draws the space it broke a line at from the pen position of the last letter
    # («بينم ا»): here a space from the pen position of «b» over «b» and on
    glyphs = word("ab", 0) + [G(" ", 5, 11)] + word("cd", 10) + [G(" ", 20, 23)] + word("ef", 23)
    assert texts(build_lines(glyphs)) == ["abcd ef"]
    # the same from the right: the space ends where the next letter ends
    glyphs = word("ab", 0) + [G(" ", 9, 15)] + word("cd", 10) + [G(" ", 20, 23)] + word("ef", 23)
    assert texts(build_lines(glyphs)) == ["abcd ef"]


def test_a_space_that_starts_mid_letter_still_separates():
    # Chromium kerns a letter into a real space: it starts inside the letter
    glyphs = word("ab", 0) + [G(" ", 7.5, 10.5)] + word("cd", 10) + [G(" ", 20, 23)] + word("ef", 23)
    assert texts(build_lines(glyphs)) == ["ab cd ef"]


def test_a_zero_width_space_glyph_between_touching_letters_separates():
    glyphs = word("ab", 0) + [G(" ", 10, 10)] + word("cd", 10)
    assert texts(build_lines(glyphs)) == ["ab cd"]


def _run(text, x0, w=5.0):
    parts = [G(c, x0 + i * w, x0 + (i + 1) * w) for i, c in enumerate(text)]
    return Glyph(text, x0, 92, x0 + w * len(text), 102, 100, 10, "F", n=len(text), parts=parts)


def test_a_run_crossed_by_a_glyph_drawn_out_of_turn_gives_back_its_letters():
    # a ZWNJ drawn at the join of two letters of a run takes its place between them
    glyphs = [_run("abc", 0), G("\u200c", 5, 5)]
    (vl,) = build_lines(glyphs)
    assert texts([vl]) == ["a\u200cbc"] and all(g.n == 1 for g in vl.glyphs)
    # from the other side: the crossing glyph comes first in x order
    glyphs = [G("\u200c", 12, 12), _run("abc", 2)]
    (vl,) = build_lines(glyphs)
    assert texts([vl]) == ["ab\u200cc"]


def test_a_run_with_its_neighbours_outside_stays_whole():
    glyphs = [G("x", -5, 0), _run("abc", 0), G("y", 15, 20)]
    (vl,) = build_lines(glyphs)
    assert [g.text for g in vl.glyphs] == ["x", "abc", "y"]


def test_artifact_lines_carry_their_kind():
    art = [Glyph(c, 5 * i, 92, 5 * i + 5, 102, 100, 10, artifact="header") for i, c in enumerate("abc")]
    (vl,) = build_lines(art)
    assert vl.artifact == "header"
    mixed = art + [G("d", 15, 20)]
    (vl,) = build_lines(mixed)
    assert vl.artifact is None


@pytest.mark.parametrize("raw", ["A", "Z", "a", "z", "\u00c0", "\u00c3", "\u024f"])
def test_every_latin_raw_code_inside_an_arabic_word_is_dropped(raw):
    # an unmapped glyph prints as its raw code, any Latin letter of A–Z, a–z, À–ɏ
    glyphs = word("بي", 0) + [G(raw, 9, 11)] + word("ت", 10)
    (vl,) = build_lines(glyphs)
    assert texts([vl]) == ["بيت"] and vl.unmapped == 1


def test_a_narrow_digit_or_mark_inside_an_arabic_word_is_not_a_raw_code():
    # the line has Latin letters (so the check runs), but «1» and «ّ» are not letters of A–ɏ
    glyphs = word("بي", 0) + [G("1", 9, 11)] + word("تسنم", 10) + word("abc", 40)
    (vl,) = build_lines(glyphs)
    assert vl.unmapped == 0 and texts([vl])[0].startswith("بي1تسنم")


def test_a_space_glyph_beside_a_raw_code_does_not_save_it():
    glyphs = word("بي", 0) + [G("U", 9, 11), G(" ", 11, 14)] + word("ت", 14)
    (vl,) = build_lines(glyphs)
    assert "U" not in texts([vl])[0] and vl.unmapped == 1


def test_a_raw_code_drawn_a_hair_away_from_its_letters_is_still_dropped():
    # half a point (0.05 em) either side: it still sits on the word
    glyphs = word("بي", 0) + [G("U", 10.5, 12)] + word("ت", 12.5)
    (vl,) = build_lines(glyphs)
    assert "U" not in texts([vl])[0] and vl.unmapped == 1
