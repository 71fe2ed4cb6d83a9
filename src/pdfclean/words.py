"""Word boxes from glyph geometry, for outputs that place words on the page (ALTO).

A visual line (:class:`~pdfclean.lines.VisualLine`) holds its glyphs left to
right with a space glyph between words; its :class:`~pdfclean.model.Line`
holds the text in logical order, repaired. :func:`line_words` gives each word
of ``line.text.split()`` the box of the glyphs it was read from:

1. the visual words (glyphs between spaces) are put in logical order — right
   to left in a right-to-left line, with runs of left-to-right words (Latin,
   and digits after them) kept left to right, as the bidi algorithm shows them;
2. each word, visual and logical, gets a key that repairs cannot change: its
   letters and digits folded for search (:func:`~pdfclean.search.normalize_for_search`:
   presentation forms, yeh and kaf forms, marks and tatweel fold away) and
   sorted (so a word's letters in visual or logical order give one key);
3. the two sequences are aligned on their keys (``difflib``); words of the
   text that match a visual word take its box. Where a stretch differs (a
   repair joined «و Word» into one word), a text word takes the union of the
   visual words it came from, or, with as many on both sides, each its own;
   only when one visual word holds several text words (or none is left) is a
   box cut in proportion to the characters, and the word is marked
   ``approximate``.

OCR words are one glyph each, with Tesseract's confidence: a word's
confidence is its glyphs' mean.
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from .model import Glyph, Line, Word
from .search import normalize_for_search


@lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    """Letters and digits of ``text``, folded and sorted: the same for a word as
    drawn (visual order, presentation forms) and as repaired.

    >>> _key("ﺔﺳﺭﺪﻤﻟﺍ") == _key("المدرسة")
    True
    """
    folded = normalize_for_search(unicodedata.normalize("NFKC", text), "ar")
    return "".join(sorted(c for c in folded if c.isalnum()))


@lru_cache(maxsize=1 << 16)
def _kind(text: str) -> str:
    """R (right-to-left letters), L (left-to-right letters), N (digits) or O."""
    r = l_ = d = 0
    for c in text:
        b = unicodedata.bidirectional(c)
        if b in ("R", "AL"):
            r += 1
        elif b == "L":
            l_ += 1
        elif b in ("EN", "AN"):
            d += 1
    if r or l_:
        return "R" if r >= l_ else "L"
    return "N" if d else "O"


def logical_order(kinds: list[str], rtl: bool) -> list[int]:
    """Indices of visual words (left to right) in reading order: the base
    direction's order, with each run of words of the other direction (and
    the digits and neutrals inside it, or digits right after left-to-right
    letters) turned back.

    >>> logical_order(["R", "L", "L", "R"], True)
    [3, 1, 2, 0]
    >>> logical_order(["R", "N", "R"], True)
    [2, 1, 0]
    """
    order = list(range(len(kinds)))
    if rtl:
        order.reverse()
    foreign = "L" if rtl else "R"
    out: list[int] = []
    i = 0
    while i < len(order):
        if kinds[order[i]] != foreign:
            out.append(order[i])
            i += 1
            continue
        j = i + 1
        end = i + 1  # the run ends after its last word of the foreign direction (or digits after L)
        while j < len(order):
            k = kinds[order[j]]
            if k == foreign or (k == "N" and foreign == "L"):
                end = j + 1
            elif k != "N" and k != "O":
                break
            j += 1
        out.extend(reversed(order[i:end]))
        i = end
    return out


def _box(glyphs: list[Glyph]) -> tuple[float, float, float, float]:
    return (min(g.x0 for g in glyphs), min(g.y0 for g in glyphs),
            max(g.x1 for g in glyphs), max(g.y1 for g in glyphs))


def _conf(glyphs: list[Glyph]) -> float | None:
    cs = [g.conf for g in glyphs if g.conf is not None]
    return sum(cs) / len(cs) if cs else None


def split_box(box: tuple[float, float, float, float], texts: list[str], rtl: bool,
              conf: float | None = None) -> list[Word]:
    """``box`` cut across into one approximate box per text, in proportion to
    their characters (a space's worth between them); the first text at the
    right in a right-to-left line.

    >>> [round(w.x0) for w in split_box((0, 0, 90, 10), ["ab", "abcd"], False)]
    [0, 39]
    """
    x0, y0, x1, y1 = box
    weights = [max(1, len(t)) for t in texts]
    total = sum(weights) + len(texts) - 1
    unit = (x1 - x0) / total if total else 0.0
    out: list[Word] = []
    pos = 0.0
    for w in weights:
        a, b = pos, pos + w * unit
        if rtl:
            out.append(Word(x1 - b, y0, x1 - a, y1, conf, True))
        else:
            out.append(Word(x0 + a, y0, x0 + b, y1, conf, True))
        pos = b + unit
    return out


def line_words(line: Line, glyphs: list[Glyph]) -> list[Word]:
    """One :class:`~pdfclean.model.Word` per word of ``line.text.split()``,
    from the line's visual glyphs (left to right, words split by space glyphs)."""
    tokens = line.text.split()
    if not tokens:
        return []
    groups: list[list[Glyph]] = []
    cur: list[Glyph] = []
    for g in glyphs:
        if g.text.isspace() or g.text == "\u200b":
            if cur:
                groups.append(cur)
                cur = []
        else:
            cur.append(g)
    if cur:
        groups.append(cur)
    if not groups:
        return split_box((line.x0, line.y0, line.x1, line.y1), tokens, line.rtl, line.confidence)
    texts = ["".join(g.text for g in grp) for grp in groups]
    order = logical_order([_kind(t) for t in texts], line.rtl)
    vis = [groups[i] for i in order]
    vkeys = [_key(texts[i]) for i in order]
    tkeys = [_key(t) for t in tokens]
    out: list[Word | None] = [None] * len(tokens)
    used: set[int] = set()
    ops = SequenceMatcher(None, tkeys, vkeys, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2)):
                out[i] = Word(*_box(vis[j]), _conf(vis[j]))
        elif tag == "replace" and i2 - i1 == 1:  # one word of the text from several drawn
            glyphs_ = [g for grp in vis[j1:j2] for g in grp]
            out[i1] = Word(*_box(glyphs_), _conf(glyphs_))
        elif tag == "replace":  # several words from fewer drawn ones: cut their union
            glyphs_ = [g for grp in vis[j1:j2] for g in grp]
            out[i1:i2] = split_box(_box(glyphs_), tokens[i1:i2], line.rtl, _conf(glyphs_))
        else:
            continue
        used.update(range(j1, j2))
    for i, w in enumerate(out):  # a word the order put elsewhere («AI 2025» or «2025 AI»?): by its key
        if w is None:
            j = next((j for j, k in enumerate(vkeys) if j not in used and k == tkeys[i]), None)
            if j is not None:
                used.add(j)
                out[i] = Word(*_box(vis[j]), _conf(vis[j]))
    missing = [i for i, w in enumerate(out) if w is None]  # text words with no glyphs left
    if missing:
        cut = split_box((line.x0, line.y0, line.x1, line.y1), tokens, line.rtl, line.confidence)
        for i in missing:
            out[i] = cut[i]
    return out  # type: ignore[return-value]
