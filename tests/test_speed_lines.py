"""The fast paths of line building and line repair give what the plain ones gave.

Each speed-up of :mod:`pdfclean.lines` and :mod:`pdfclean.script` is checked
here against the plain version it replaced, kept below as the oracle, on
generated input (the style of ``test_speed_paths.py``); byte-identical output
on the sample and real PDFs is checked by comparing runs.
"""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean import lines, quality, script
from pdfclean.lines import (SEGMENT_GAP_EM, SPACE_GAP_EM, SPACE_GAP_EM_WITH_SPACES, _NARROW_LATIN, _SPACE_CHAR,
                            _center, _inside_word, _make, _sizes, drop_unmapped, unmerge_crossed)
from pdfclean.model import Glyph

# --- the oracles: the plain versions -----------------------------------------------


def plain_segments(band):
    band.sort(key=_center)
    band = unmerge_crossed(band)
    text = "".join([g.text for g in band])
    unmapped = 0
    if _NARROW_LATIN.search(text):
        band, unmapped = drop_unmapped(band)
    if _SPACE_CHAR.search(text):
        ink = [g for g in band if not (g.text.isspace() or g.text == "\u200b")]
    else:
        ink = band
    if not ink:
        return []
    sizes = sorted(_sizes(ink))
    k = len(sizes)
    size = sizes[k // 2] if k % 2 else (sizes[k // 2 - 1] + sizes[k // 2]) / 2
    seg_gap = SEGMENT_GAP_EM * size
    has_spaces = len(ink) < len(band)
    space_gap = (SPACE_GAP_EM_WITH_SPACES if has_spaces else SPACE_GAP_EM) * size
    out, cur, prev, saw_space = [], [], None, None
    for g in band:
        if has_spaces and (g.text.isspace() or g.text == "\u200b"):
            if prev is not None:
                saw_space = g
            continue
        if prev is not None:
            gap = g.x0 - prev.x1
            if gap > seg_gap:
                out.append(_make(cur))
                cur = []
            elif (saw_space is not None and not _inside_word(saw_space, prev, g)) or gap > space_gap:
                cur.append(Glyph(" ", prev.x1, prev.y0, g.x0 if g.x0 > prev.x1 else prev.x1, prev.y1,
                                 prev.baseline, prev.size, prev.font, prev.bold))
        cur.append(g)
        prev = g
        saw_space = None
    if cur:
        out.append(_make(cur, None if out else sizes))
    if out and unmapped:
        out[0].unmapped = unmapped
    return out


def plain_script_plausibility(text):
    words = quality._SCRIPT_WORD.findall(text)
    if not words:
        return 0, 0.0
    common = sum(1 for w in words if w in quality._COMMON_WORDS)
    article = sum(1 for w in words if w.startswith(quality._ARTICLE) and len(w) > 3)
    return len(words), max(common, article) / len(words)


# --- generated bands -----------------------------------------------------------------

_texts = st.sampled_from(["ب", "ل", "a", "x", "3", " ", "\u200b", "\u00a0", "(", "\u0651", "لا", "ﷲ", "ab"])


@st.composite
def bands(draw):
    """A band of glyphs drawn in any order: letters, spaces (some over the
    letters beside them), runs of letters, a few of them bold or larger."""
    glyphs = []
    x = 0.0
    for _ in range(draw(st.integers(1, 14))):
        t = draw(_texts)
        w = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]))
        x += draw(st.sampled_from([-1.0, 0.0, 0.5, 1.3, 3.0, 4.6, 25.0]))
        size = draw(st.sampled_from([10.0, 10.0, 12.0]))
        bold = draw(st.booleans())
        if draw(st.integers(0, 5)) == 0 and not t.isspace():  # a run of letters
            parts = [Glyph("ب", x + i * w / 3, 90, x + (i + 1) * w / 3, 102, 100, size, "F", bold)
                     for i in range(3)]
            glyphs.append(Glyph("ببب", x, 90, x + w, 102, 100, size, "F", bold, n=3, parts=parts))
        else:
            glyphs.append(Glyph(t, x, 90, x + w, 102, 100, size, "F", bold))
        x += w
    return draw(st.permutations(glyphs))


def _shape(vls):
    return [(vl.x0, vl.y0, vl.x1, vl.y1, vl.size, vl.bold, vl.unmapped, vl.artifact, vl.baseline,
             [(g.text, g.x0, g.y0, g.x1, g.y1, g.baseline, g.size, g.bold) for g in vl.glyphs]) for vl in vls]


@settings(max_examples=1500, deadline=None)
@given(bands())
def test_segments_as_before(band):
    assert _shape(lines._segments(list(band))) == _shape(plain_segments(copy.copy(list(band))))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["في", "الكتاب", "لله", "وال", "بالعلم", "لل", "كتب", "x", "٣", "من", "ﻻ"]),
                max_size=30))
def test_script_plausibility_counted_in_c(words):
    text = " ".join(words)
    assert quality.script_plausibility(text) == plain_script_plausibility(text)


@given(st.lists(st.text(min_size=1, max_size=3), max_size=10))
def test_classes_of_texts_are_their_first_characters(texts):
    assert "".join(map(script._CLASSES_OF, texts)) == "".join(script._CLASS[t[0]] for t in texts)
