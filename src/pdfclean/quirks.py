"""Producer quirks repaired in the glyph stage, before lines are built.

Each repair takes a page's glyphs in drawing order and returns the glyphs to
keep with the number of glyphs it changed; the caller counts it in the page's
repairs and the characters it removed in the page's account, so nothing leaves
the page unrecorded.

* :func:`fold_overprints` — text drawn twice (fake bold: filled then stroked;
  a shadow or outline copy a fraction of an em away; a layer repeated when a
  page was assembled) is one text.
* :func:`drop_kashida` — justification elongations (kashida) that a producer
  drew as glyphs of their own and mapped to some character («ح,تى»,
  «ال..تراجع»): judged by geometry, whatever character they were mapped to.
"""

from __future__ import annotations

import unicodedata

from .model import Glyph

OVERPRINT_EM = 0.12  # a copy within this share of the font size is the same glyph


def _cells(x: float, y: float, cell: float) -> tuple[tuple[int, int], ...]:
    """The grid cell of (x, y) and the three next to it on the near sides: any
    point within ``cell`` of (x, y) lies in one of them."""
    fx, fy = x / cell, y / cell
    cx, cy = int(fx // 1), int(fy // 1)
    dx = 1 if fx - cx >= 0.5 else -1
    dy = 1 if fy - cy >= 0.5 else -1
    return (cx, cy), (cx + dx, cy), (cx, cy + dy), (cx + dx, cy + dy)


def fold_overprints(glyphs: list[Glyph]) -> tuple[list[Glyph], int]:
    """Drop every glyph that repeats one drawn before it on the page.

    A repeat has the same text and size (within 5 %) and its origin within
    :data:`OVERPRINT_EM` of the font size of the first one's, whatever its
    render mode, colour or place in the drawing order. The first drawn copy is
    kept; it becomes bold if a copy was (a stroked copy is how office
    producers embolden a font with no bold face). Two different letters never
    sit that close on one baseline: the narrowest advance is a quarter em.

    >>> a = Glyph("ب", 10, 0, 16, 12, 10, 12)
    >>> b = Glyph("ب", 10.3, 0.2, 16.3, 12.2, 10.2, 12, bold=True)
    >>> kept, n = fold_overprints([a, Glyph("ت", 16, 0, 22, 12, 10, 12), b])
    >>> [g.text for g in kept], n, kept[0].bold
    (['ب', 'ت'], 1, True)
    """
    seen: dict[tuple, list[Glyph]] = {}
    out: list[Glyph] = []
    dropped = 0
    for g in glyphs:
        size = g.size if g.size > 1 else 1.0
        tol = OVERPRINT_EM * size
        cells = _cells(g.x0, g.baseline, tol)
        first = None
        for c in cells:
            for o in seen.get((g.text, c), ()):
                if abs(o.x0 - g.x0) < tol and abs(o.baseline - g.baseline) < tol and \
                        abs(o.size - g.size) <= 0.05 * size:
                    first = o
                    break
            if first is not None:
                break
        if first is not None:
            dropped += 1
            if g.bold:
                first.bold = True
            continue
        seen.setdefault((g.text, cells[0]), []).append(g)
        out.append(g)
    return out, dropped


# Letters that never join the letter after them (right-joining only).
_RIGHT_JOINING = frozenset("ءآأؤإاةدذرزوىٱٲٳٵٶٷڈډڊڋڌڍڎڏڐڑڒړڔڕږڗژڙۀۃۄۅۆۇۈۉۊۋۍۏےۓەۮۯ")
KASHIDA_TOUCH_EM = 0.03  # an elongation touches the letters on both sides (gap below this)


class _JoinTable(dict):
    """``table[ch]``: what ``ch`` is for kashida purposes.

    "j" an Arabic letter that joins the next one, "l" any other Arabic letter,
    "p" something a producer may have mapped an elongation glyph to (a
    punctuation mark, symbol or tatweel), "" anything else.
    """

    def __missing__(self, ch: str) -> str:
        o = ord(ch)
        cat = unicodedata.category(ch)
        if (0x0620 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFC) and cat.startswith("L") and o != 0x0640:
            base = unicodedata.normalize("NFKC", ch)[:1]
            form = unicodedata.decomposition(ch).split(" ")[0]
            if form in ("<final>", "<isolated>"):
                v = "l"
            elif form in ("<initial>", "<medial>"):
                v = "j"
            else:
                v = "l" if base in _RIGHT_JOINING else "j"
        elif o == 0x0640 or cat[0] in "PS":
            v = "p"
        else:
            v = ""
        self[ch] = v
        return v


_JOIN = _JoinTable()


def drop_kashida(glyphs: list[Glyph]) -> tuple[list[Glyph], int]:
    """Drop elongation glyphs drawn between two joined Arabic letters.

    A producer justifying Arabic may stretch words with kashida glyphs of its
    own and map them to ',' or '.' (LibreOffice with Noto Naskh Arabic) or to
    tatweel. Such a glyph — or a row of them — is one character long, lies on
    the baseline of the letters around it in the drawing order and touches
    both (no gap: it *is* the joining stroke), and the letter it extends joins
    the next. Real punctuation stands after a word, with a gap or a space
    before the next one; in a number it stands between digits.

    >>> g = [Glyph("ي", 0, 0, 8.2, 12, 10, 12), Glyph(",", 8.2, 0, 10.7, 12, 10, 12),
    ...      Glyph("س", 10.7, 0, 18.6, 12, 10, 12)]
    >>> [x.text for x in drop_kashida(g)[0]]
    ['ي', 'س']
    """
    join = _JOIN
    n = len(glyphs)
    drop: list[int] = []
    i = 0
    while i < n:
        g = glyphs[i]
        if len(g.text) != 1 or join[g.text] != "p":
            i += 1
            continue
        j = i  # the row of candidates i..j, each touching the next on one baseline
        while j + 1 < n and len(glyphs[j + 1].text) == 1 and join[glyphs[j + 1].text] == "p" and \
                glyphs[j + 1].baseline == g.baseline and _touch(glyphs[j], glyphs[j + 1]):
            j += 1
        a, b = _letter(glyphs, i - 1, -1), _letter(glyphs, j + 1, 1)
        if a is not None and b is not None and a.baseline == g.baseline == b.baseline \
                and _touch(a, g) and _touch(glyphs[j], b):
            # the letter on the right is read first: it is the one stretched, so it joins onward
            if join[(a if a.x0 > b.x0 else b).text[-1]] == "j":
                drop.extend(range(i, j + 1))
        i = j + 1
    if not drop:
        return glyphs, 0
    gone = set(drop)
    return [g for k, g in enumerate(glyphs) if k not in gone], len(drop)


def _letter(glyphs: list[Glyph], k: int, step: int) -> Glyph | None:
    """The first glyph from index ``k`` on (going by ``step``) that is not a
    combining mark, if it is an Arabic letter; else None."""
    while 0 <= k < len(glyphs) and unicodedata.combining(glyphs[k].text[0]):
        k += step
    if 0 <= k < len(glyphs) and _JOIN[glyphs[k].text[0]] in ("j", "l"):
        return glyphs[k]
    return None


def _touch(a: Glyph, b: Glyph) -> bool:
    """Do boxes ``a`` and ``b`` meet side by side (either order), without a gap?"""
    tol = KASHIDA_TOUCH_EM * max(a.size, 1.0)
    return -0.5 * a.size < b.x0 - a.x1 < tol or -0.5 * a.size < a.x0 - b.x1 < tol
