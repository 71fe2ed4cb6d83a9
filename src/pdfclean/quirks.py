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
# Marks that real text also sets between two letters with no space («المعلم(ة)»,
# «آذار/مارس», «"كذا"»): an elongation mapped to one of them (LibreOffice maps its
# kashida glyph to '(' in some fonts) is told apart by its shape, see drop_kashida.
_SHAPE_CONFIRMED = frozenset("/\\|()[]{}<>«»‹›\"'“”‘’„،؛؟٪٫٬!?:;%&@#")
_PARTNER = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<",
            "«": "»", "»": "«", "‹": "›", "›": "‹", '"': '"', "'": "'", "“": "”", "”": "“",
            "‘": "’", "’": "‘", "„": "“"}
SHAPE_MIN = 3  # elongations of one glyph shape on a page before the shape is taken as one …
SHAPE_SHARE = 0.8  # … and the share of its glyphs on the page that stand so
KASHIDA_TOUCH_EM = 0.03  # an elongation meets the letters on both sides (gap below this) …
KASHIDA_NEAR_EM = 0.3  # … or this, on a line whose word spaces are glyphs


class _JoinTable(dict):
    """``table[ch]``: what ``ch`` is for kashida purposes.

    "j" an Arabic letter that joins the next one, "l" any other Arabic letter,
    "p" something a producer may have mapped an elongation glyph to (a
    punctuation mark, symbol, digit or tatweel), "s" one of those that real
    text also puts between two letters (:data:`_SHAPE_CONFIRMED`), "" anything
    else.
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
        elif o == 0x0640 or cat[0] in "PSN":
            v = "s" if ch in _SHAPE_CONFIRMED else "p"
        else:
            v = ""
        self[ch] = v
        return v


_JOIN = _JoinTable()


def drop_kashida(glyphs: list[Glyph]) -> tuple[list[Glyph], int]:
    """Drop elongation glyphs drawn between two joined Arabic letters.

    A producer justifying Arabic may stretch words with kashida glyphs of its
    own and map them to ',' or '.' (LibreOffice with Noto Naskh Arabic), '1'
    (with Noto Sans Arabic), '(' (in some sizes) or tatweel. Such a glyph — or
    a row of them, often overlapping each other and the letters — is one
    character long, lies on the baseline of the letters beside it, and those
    are Arabic letters with no space between them: the one on the right,
    which it stretches, joins the next. Its box meets both letters: within
    :data:`KASHIDA_TOUCH_EM` on a line without space glyphs, within
    :data:`KASHIDA_NEAR_EM` on one whose word spaces are glyphs (there a space
    glyph stands between a real punctuation mark and the next word;
    LibreOffice also positions its elongations loosely). Neighbours are found
    by position, not drawing order (LibreOffice starts a new text run at an
    elongation).

    A mark that real text also sets between letters (a bracket in
    «المعلم(ة)», a slash in «آذار/مارس»: :data:`_SHAPE_CONFIRMED`) is an
    elongation only when its glyph shape — font, character and advance —
    stands so at least :data:`SHAPE_MIN` times on the page and for most of its
    glyphs there (:data:`SHAPE_SHARE`), and a bracket or quote only when no
    other one stands beside it. The letter left of a dropped elongation is
    stretched over it, so that the gap it leaves is never read as a space.

    >>> g = [Glyph("ي", 0, 0, 8.2, 12, 10, 12), Glyph(",", 8.2, 0, 10.7, 12, 10, 12),
    ...      Glyph("س", 10.7, 0, 18.6, 12, 10, 12)]
    >>> [x.text for x in drop_kashida(g)[0]]
    ['ي', 'س']
    >>> drop_kashida([Glyph("ي", 0, 0, 8.2, 12, 10, 12), Glyph("،", 8.3, 0, 10.7, 12, 10, 12),
    ...               Glyph("س", 13.7, 0, 18.6, 12, 10, 12)])[1]   # a comma, then a gap
    0
    >>> drop_kashida([Glyph("ة", 0, 0, 5, 12, 10, 12), Glyph(")", 5, 0, 8, 12, 10, 12),
    ...   Glyph("ة", 8, 0, 13, 12, 10, 12), Glyph("(", 13, 0, 16, 12, 10, 12),
    ...   Glyph("م", 16, 0, 21, 12, 10, 12)])[1]   # «م(ة)»: a bracket pair
    0
    """
    join = _JOIN
    cands = [k for k, g in enumerate(glyphs) if len(g.text) == 1 and join[g.text] in "ps" and join[g.text]]
    if not cands:
        return glyphs, 0
    baselines = {glyphs[k].baseline for k in cands}
    rows: dict[float, list[int]] = {}
    for k, g in enumerate(glyphs):
        if g.baseline in baselines and not unicodedata.combining(g.text[0]):
            rows.setdefault(g.baseline, []).append(k)
    drop: list[int] = []
    shaped: dict[tuple, list[int]] = {}  # glyph shape -> elongations of it awaiting confirmation
    left: dict[int, Glyph] = {}  # an elongation -> the letter on its left
    for row in rows.values():
        row.sort(key=lambda k: glyphs[k].x0 + glyphs[k].x1)
        em = KASHIDA_NEAR_EM if any(glyphs[k].text.isspace() for k in row) else KASHIDA_TOUCH_EM
        i, n = 0, len(row)
        while i < n:
            g = glyphs[row[i]]
            if len(g.text) != 1 or join[g.text] not in ("p", "s"):
                i += 1
                continue
            j = i  # the candidates row[i..j], each meeting the next
            while j + 1 < n and len(glyphs[row[j + 1]].text) == 1 and join[glyphs[row[j + 1]].text] in ("p", "s") \
                    and _meet(glyphs[row[j]], glyphs[row[j + 1]], em):
                j += 1
            if i > 0 and j + 1 < n:
                a, b = glyphs[row[i - 1]], glyphs[row[j + 1]]  # left and right of the row
                if join[a.text[0]] in ("j", "l") and join[b.text[-1]] == "j" \
                        and _meet(a, g, em) and _meet(glyphs[row[j]], b, em):
                    run = row[i:j + 1]
                    for k in run:
                        left[k] = a
                    if all(join[glyphs[k].text] == "p" for k in run):
                        drop.extend(run)
                    elif not _paired(glyphs, row, i, j):
                        for k in run:
                            shaped.setdefault(_shape(glyphs[k]), []).append(k)
            i = j + 1
    if shaped:
        total: dict[tuple, int] = {}
        for k in cands:
            key = _shape(glyphs[k])
            if key in shaped:
                total[key] = total.get(key, 0) + 1
        for key, ks in shaped.items():
            if len(ks) >= SHAPE_MIN and len(ks) >= SHAPE_SHARE * total[key]:
                drop.extend(ks)
    if not drop:
        return glyphs, 0
    for k in drop:  # the letter on the left reaches over the stroke: no gap is left for a space
        a = left[k]
        if glyphs[k].x1 > a.x1:
            a.x1 = glyphs[k].x1
    gone = set(drop)
    return [g for k, g in enumerate(glyphs) if k not in gone], len(drop)


def _shape(g: Glyph) -> tuple:
    """What tells one glyph of a font from another without its id: font,
    character, advance (in ems)."""
    return g.font, g.text, round((g.x1 - g.x0) / max(g.size, 1.0), 2)


def _paired(glyphs: list[Glyph], row: list[int], i: int, j: int) -> bool:
    """Does a bracket or quote of the row ``row[i..j]`` have its partner
    (either way round) within three glyphs of the row?"""
    partners = {_PARTNER[c] for k in row[i:j + 1] if (c := glyphs[k].text) in _PARTNER}
    if not partners:
        return False
    near = row[max(0, i - 3):i] + row[j + 1:j + 4]
    return any(glyphs[k].text in partners for k in near)


def _meet(a: Glyph, b: Glyph, em: float) -> bool:
    """Does box ``b`` (to the right of ``a`` by centre) meet or overlap ``a``
    within ``em`` of the font size?"""
    return b.x0 - a.x1 < em * max(a.size, 1.0)
