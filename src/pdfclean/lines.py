"""Group a page's glyphs into visual lines, geometry first.

Engines and producers disagree on what a "line" is (MuPDF splits a mixed
Arabic/Latin line into several; pdfminer merges columns), so pdfclean builds
its own: glyphs sharing a baseline form a band; a band is cut into segments at
gaps wider than two ems (columns, or a running title and its page number);
word spaces come from space glyphs where the PDF has them and from gaps where
it has none (XeTeX, Chromium).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter, not_

from .kernel import KERNEL
from .model import Glyph

SEGMENT_GAP_EM = 2.0  # a gap wider than this (in ems) starts a new segment
SPACE_GAP_EM = 0.12  # a gap wider than this (in ems) is a word space (XeTeX: ~0.19)
# … unless the line has space glyphs of its own: then only a wide gap is a space
# (Chromium kerns «ر» away from the next letter by 0.12 em inside a word)
SPACE_GAP_EM_WITH_SPACES = 0.45


@dataclass(slots=True)
class VisualLine:
    """Glyphs of one line, left to right as drawn, with word spaces as glyphs."""

    glyphs: list[Glyph]
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    unmapped: int = 0  # glyphs dropped by :func:`drop_unmapped`
    orphans: int = 0  # stray marks of the page dropped (counted on its first line)
    orphan_chars: int = 0  # … and their characters
    artifact: str | None = None  # every glyph a pagination artifact: its kind (:func:`artifact_of`)
    baseline: float = 0.0  # the median baseline of its glyphs


def _is_space(g: Glyph) -> bool:
    return g.text.isspace() or g.text == "\u200b"


_X0, _Y0, _X1, _Y1 = attrgetter("x0"), attrgetter("y0"), attrgetter("x1"), attrgetter("y1")
_BASELINE = attrgetter("baseline")
_SPACE_CHAR = re.compile(r"[\s\u200b]")
_NARROW_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def _center(g: Glyph) -> float:
    return g.x0 + g.x1


def build_lines(glyphs: list[Glyph]) -> list[VisualLine]:
    """Visual lines of a page, top to bottom; within a band, left to right.

    The kernel's ``line_bands`` and ``line_segments`` (when built) transcribe
    :func:`_bands_py` and :func:`_segments`, which stay the reference and the
    fallback (for input not of the shape they read: they return None)."""
    if not glyphs:
        return []
    bands = _kernel.line_bands(glyphs) if _kernel is not None and type(glyphs) is list else None
    if bands is None:
        bands = _bands_py(glyphs)
    bands = _merge_stray_bands(bands)
    weak = [b for b in bands if _is_weak(b[0]) and all(map(_is_weak, b))]  # (a band's first glyph decides most)
    orphans = sum(map(len, weak))
    if weak:
        bands = [b for b in bands if not all(map(_is_weak, b))]

    lines: list[VisualLine] = []
    if _kernel is not None:
        segments, args = _kernel.line_segments, (drop_unmapped, artifact_of, SEGMENT_GAP_EM, SPACE_GAP_EM,
                                                 SPACE_GAP_EM_WITH_SPACES)
        for band in bands:
            out = segments(band, *args)
            lines.extend(_segments(band) if out is None else out)
    else:
        for band in bands:
            lines.extend(_segments(band))
    if orphans and lines:  # marks with no letter anywhere near: dropped, and counted
        lines[0].orphans = orphans
        lines[0].orphan_chars = sum(len(g.text) for b in weak for g in b)
    return lines


def _bands_py(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """The glyphs (not none) in bands of one baseline, top to bottom: sorted by
    baseline, a glyph joins the band when it stands within 0.35 em of its first."""
    order = sorted(glyphs, key=_BASELINE)
    bands: list[list[Glyph]] = []
    band: list[Glyph] = [order[0]]
    ref = order[0].baseline
    tol = 0.35 * order[0].size
    for g in order[1:]:
        d = g.baseline - ref
        if d <= tol or d <= 0.35 * g.size:
            band.append(g)
        else:
            bands.append(band)
            band = [g]
            ref = g.baseline
            tol = 0.35 * g.size
    bands.append(band)
    return bands


def _is_arabic(g: Glyph) -> bool:
    o = ord(g.text[0])
    return 0x0600 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFC


def _is_latin_letter(t: str) -> bool:
    return len(t) == 1 and ("A" <= t <= "Z" or "a" <= t <= "z" or "\u00c0" <= t <= "\u024f")


def drop_unmapped(band: list[Glyph]) -> tuple[list[Glyph], int]:
    """Drop glyphs that a font left without a Unicode mapping (band sorted by x).

    When a ToUnicode map lacks a glyph (a mark or a ligature piece the
    producer's subsetter could not name), engines fall back to the raw code
    and print a stray Latin letter inside an Arabic word («الحÃيرة»,
    «مستقلّU»). Such a glyph is one narrow Latin character that overlaps or
    touches an Arabic letter and has no Latin neighbour; a real Latin letter
    never sits like that.
    """
    out: list[Glyph] = []
    n = 0
    for i, g in enumerate(band):
        if _is_latin_letter(g.text) and g.x1 - g.x0 < 0.25 * g.size:
            near = [o for o in band[max(0, i - 2): i + 3] if o is not g and not _is_space(o)]
            tol = 0.1 * g.size
            touching = [o for o in near if g.x0 <= o.x1 + tol and g.x1 >= o.x0 - tol]
            if touching and all(_is_arabic(o) for o in touching) and not any(
                    o.text.isascii() and o.text.isalpha() for o in near):
                n += 1
                continue
        out.append(g)
    return out, n


def _is_weak(g: Glyph) -> bool:
    """A glyph that cannot make a line of its own: a mark, U+FFFD, tatweel."""
    c = g.text[0]
    return c in "\ufffd\u0640" or unicodedata.combining(c) > 0


def _merge_stray_bands(bands: list[list[Glyph]]) -> list[list[Glyph]]:
    """Fold a band of a few stray marks (a mark drawn high, a glyph mapped to
    U+FFFD) into the nearest line, so it does not split a paragraph."""
    out: list[list[Glyph]] = []
    for i, band in enumerate(bands):
        if len(band) <= 3 and all(_is_weak(g) for g in band):
            b = band[0].baseline
            cands = [j for j in (i - 1, i + 1) if 0 <= j < len(bands)
                     and abs(bands[j][0].baseline - b) < 1.2 * bands[j][0].size]
            if cands:
                j = min(cands, key=lambda j: abs(bands[j][0].baseline - b))
                if j < i and out:
                    out[-1].extend(band)
                else:
                    bands[j].extend(band)
                continue
        out.append(band)
    return out


def unmerge_crossed(band: list[Glyph]) -> list[Glyph]:
    """``band`` (sorted by x) with every run of letters that another glyph's
    centre falls inside replaced by its letters, sorted again.

    A glyph drawn out of turn inside a word (a ZWNJ, an unmapped mark) must
    take its place between letters, as it would have without runs.
    """
    crossed = []
    last = len(band) - 1
    for i, g in enumerate(band):
        if g.n > 1:
            eps = 0.02 * g.size
            lo, hi = 2 * (g.x0 + eps), 2 * (g.x1 - eps)  # centres are kept doubled
            if i > 0:
                p = band[i - 1]
                if lo < p.x0 + p.x1 < hi:
                    crossed.append(g)
                    continue
            if i < last:
                p = band[i + 1]
                if lo < p.x0 + p.x1 < hi:
                    crossed.append(g)
    if not crossed:
        return band
    out: list[Glyph] = []
    for g in band:
        if g.n > 1 and any(g is c for c in crossed):
            out.extend(g.parts)
        else:
            out.append(g)
    out.sort(key=_center)
    return out


def _segments(band: list[Glyph]) -> list[VisualLine]:
    band.sort(key=_center)
    band = unmerge_crossed(band)
    texts = [g.text for g in band]
    text = "".join(texts)
    unmapped = 0
    if _NARROW_LATIN.search(text):
        band, unmapped = drop_unmapped(band)
        texts = [g.text for g in band]
    spaces = None  # which glyphs are spaces (_is_space), when some may be
    if _SPACE_CHAR.search(text):
        spaces = [t.isspace() or t == "\u200b" for t in texts] if "\u200b" in text else list(map(str.isspace, texts))
        ink = list(compress(band, map(not_, spaces)))
    else:
        ink = band
    if not ink:
        return []
    sizes = sorted(_sizes(ink))
    k = len(sizes)
    size = sizes[k // 2] if k % 2 else (sizes[k // 2 - 1] + sizes[k // 2]) / 2  # the median
    seg_gap = SEGMENT_GAP_EM * size
    has_spaces = len(ink) < len(band)
    space_gap = (SPACE_GAP_EM_WITH_SPACES if has_spaces else SPACE_GAP_EM) * size
    out: list[VisualLine] = []
    cur: list[Glyph] = []
    prev: Glyph | None = None
    saw_space: Glyph | None = None
    for g, space in zip(band, spaces if has_spaces else repeat(False)):
        if space:
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
        out.append(_make(cur, sizes, ink) if not out else _make(cur))  # one segment: the band's sizes and ink
    if out and unmapped:
        out[0].unmapped = unmapped
    return out


def _inside_word(space: Glyph, a: Glyph, b: Glyph) -> bool:
    """Is a space glyph drawn over the letters beside it rather than between
    them — the letters touch and the space starts where one of them does?
    Typst draws the space it broke a line at from the pen position of the
    line's last letter («بينم ا»); such a space separates nothing. (Chromium
    kerns a letter into a real space: that space starts mid-letter.)"""
    tol = 0.05 * space.size
    if space.x1 - space.x0 <= tol or b.x0 - a.x1 > tol:  # the letters must touch
        return False
    # drawn from the same pen position as one of them
    return abs(space.x0 - a.x0) < tol or abs(space.x1 - b.x1) < tol


def _sizes(glyphs: list[Glyph]) -> list[float]:
    """Every glyph's size, repeated for each drawn glyph a box holds."""
    out: list[float] = []
    for g in glyphs:
        if g.n == 1:
            out.append(g.size)
        else:
            out.extend([g.size] * g.n)
    return out


def _make(glyphs: list[Glyph], sizes: list[float] | None = None, ink: list[Glyph] | None = None) -> VisualLine:
    """The line of ``glyphs``; ``sizes`` (sorted) and ``ink`` (the glyphs
    but word spaces), when known."""
    if ink is None:
        ink = [g for g in glyphs if g.text != " "]
    if sizes is None:
        sizes = sorted(_sizes(ink))
    bold = sum([g.n for g in ink if g.bold]) * 2 > len(sizes)
    vl = VisualLine(glyphs, min(map(_X0, glyphs)), min(map(_Y0, ink)),
                    max(map(_X1, glyphs)), max(map(_Y1, ink)),
                    sizes[len(sizes) // 2], bold)
    bases = sorted(map(_BASELINE, ink))
    vl.baseline = bases[len(bases) // 2]
    if ink[0].artifact is not None:
        vl.artifact = artifact_of(ink)
    return vl


def artifact_of(glyphs: list[Glyph]) -> str | None:
    """The pagination kind of a line whose every glyph is a pagination
    artifact, else None. A running title with its page number (header and
    page-number artifacts on one line) is a header: furniture splits it."""
    kinds = {g.artifact for g in glyphs}
    if None in kinds:
        return None
    if len(kinds) > 1:
        kinds.discard("page_number")
    return kinds.pop() if len(kinds) == 1 else "pagination"


def _load_kernel():
    """The kernel, its line functions set up, or None (not built, or PDFCLEAN_PURE)."""
    if KERNEL is None:
        return None
    KERNEL.lines_setup(VisualLine)
    return KERNEL


_kernel = _load_kernel()
