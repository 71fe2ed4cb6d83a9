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

import re
import unicodedata
from bisect import bisect_left
from itertools import compress, groupby
from math import floor
from typing import Callable

from .kernel import KERNEL as _kernel, texts as _texts
from .model import Glyph, ink

OVERPRINT_EM = 0.12  # a copy within this share of the font size is the same glyph


def _cells(tag, x: float, y: float, cell: float) -> tuple[tuple, ...]:
    """The grid cell of (x, y) and the three next to it on the near sides
    (where a point within ``cell`` of (x, y) most likely lies), as
    ``(tag, column, row)`` keys; the first is the point's own."""
    fx, fy = x / cell, y / cell
    cx, cy = int(fx // 1), int(fy // 1)
    dx = 1 if fx - cx >= 0.5 else -1
    dy = 1 if fy - cy >= 0.5 else -1
    return (tag, cx, cy), (tag, cx + dx, cy), (tag, cx, cy + dy), (tag, cx + dx, cy + dy)


def fold_overprints(glyphs: list[Glyph]) -> tuple[list[Glyph], int]:
    """Drop every glyph that repeats one drawn before it on the page.

    A repeat has the same text and size (within 5 %), and its origin and
    advance within :data:`OVERPRINT_EM` of the font size of the first one's,
    whatever its render mode, colour or place in the drawing order. The first
    drawn copy is kept; it becomes bold if a copy was (a stroked copy is how
    office producers embolden a font with no bold face). Two different letters
    never sit that close on one baseline: the narrowest advance is a quarter
    em. (Two glyphs of one shaped cluster may: Typst maps a final lam-alef
    and its tanween both to «لاً», the tanween's pen point 0.04 em off the
    ligature's; it has no advance. Those are cluster pieces.)

    >>> a = Glyph("ب", 10, 0, 16, 12, 10, 12)
    >>> b = Glyph("ب", 10.3, 0.2, 16.3, 12.2, 10.2, 12, bold=True)
    >>> kept, n = fold_overprints([a, Glyph("ت", 16, 0, 22, 12, 10, 12), b])
    >>> [g.text for g in kept], n, kept[0].bold
    (['ب', 'ت'], 1, True)

    (:func:`_fold_overprints_py`, by the compiled kernel where it is built.)
    """
    if _kernel is not None and type(glyphs) is list:
        folded = _kernel.fold_overprints(glyphs, OVERPRINT_EM)
        if folded is not None:
            return folded
    return _fold_overprints_py(glyphs)


def _fold_overprints_py(glyphs: list[Glyph]) -> tuple[list[Glyph], int]:
    """:func:`fold_overprints`, the reference loop."""
    seen: dict[tuple, list[Glyph]] = {}  # grid cell (see _cells) -> the glyphs kept there
    get = seen.get
    out: list[Glyph] = []
    dropped = 0
    for g in glyphs:
        size = g.size if g.size > 1 else 1.0
        tol = OVERPRINT_EM * size
        fx, fy = g.x0 / tol, g.baseline / tol
        cx, cy = floor(fx), floor(fy)  # (as int(fx // 1): the same integer for a finite float)
        own = (g.text, cx, cy)
        near = get(own)
        dx = cx + 1 if fx - cx >= 0.5 else cx - 1
        dy = cy + 1 if fy - cy >= 0.5 else cy - 1
        first = None
        for cell in (near, get((g.text, dx, cy)), get((g.text, cx, dy)), get((g.text, dx, dy))):
            if cell is not None:
                for o in cell:
                    if abs(o.x0 - g.x0) < tol and abs(o.baseline - g.baseline) < tol and \
                            abs(o.size - g.size) <= 0.05 * size and abs(o.x1 - o.x0 - (g.x1 - g.x0)) < tol:
                        first = o
                        break
                if first is not None:
                    break
        if first is not None:
            dropped += 1
            if g.bold:
                first.bold = True
            continue
        if near is None:
            seen[own] = [g]
        else:
            near.append(g)
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
    text also puts between two letters (:data:`_SHAPE_CONFIRMED`) or a Latin
    letter (LibreOffice maps the elongations of some fonts to «J»), ""
    anything else.
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
        elif cat.startswith("L") and o < 0x0250:  # a Latin letter: as rare between two joined letters
            v = "s"
        else:
            v = ""
        self[ch] = v
        return v


_JOIN = _JoinTable()


class TextTable(dict):
    """``table[text]``: ``test(text)``, worked out once per glyph text (so
    that a page's glyphs are sorted out at C speed, ``map`` over their texts,
    and by the whole text: ``text[0]`` would make a new string for most
    Arabic characters). Texts of more than a few characters are not kept."""

    def __init__(self, test: Callable[[str], object]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, text: str):
        v = self.test(text)
        if len(text) <= 4:
            self[text] = v
        return v




def _kashida_runs(glyphs: list[Glyph], kinds: bytes, cands: list[int], drop: list[int],
                  shaped: dict[tuple, list[int]], left: dict[int, Glyph]) -> None:
    """The rows of candidates :func:`drop_kashida` finds between two joined
    letters: those dropped outright added to ``drop``, those awaiting their
    shape's confirmation to ``shaped``, the letter on the left of each to ``left``."""
    join = _JOIN
    rows = _kashida_rows(glyphs, kinds, cands)
    spans = _kernel.kashida_spans(glyphs, rows, join, KASHIDA_TOUCH_EM, KASHIDA_NEAR_EM) \
        if _kernel is not None and type(glyphs) is list and type(rows) is list else None
    for row, i, j in _kashida_spans_py(glyphs, rows) if spans is None else spans:
        a = glyphs[row[i - 1]]  # the letter left of the candidates row[i..j]
        run = row[i:j + 1]
        for k in run:
            left[k] = a
        if all(join[glyphs[k].text] == "p" for k in run):
            drop.extend(run)
        elif not _paired(glyphs, row, i, j):
            if _repeated(glyphs, run):
                drop.extend(run)
            for k in run:  # (a repeated row confirms its shape elsewhere on the page too)
                shaped.setdefault(_shape(glyphs[k]), []).append(k)


def _kashida_spans_py(glyphs: list[Glyph], rows) -> list[tuple[list[int], int, int]]:
    """Along each row of :func:`_kashida_rows`, the runs of candidates
    ``row[i..j]``, each meeting the next, between a letter that joins or ends
    (on the left) and one that joins (on the right), meeting both: ``(row, i,
    j)``, in order. (The compiled kernel's ``kashida_spans`` transcribes it.)"""
    join = _JOIN
    out = []
    for row, at, spaced in rows:
        em = KASHIDA_NEAR_EM if spaced else KASHIDA_TOUCH_EM
        n, c = len(row), 0
        while c < len(at):
            i = j = at[c]  # the candidates row[i..j], each meeting the next
            c += 1
            while c < len(at) and at[c] == j + 1 and _meet(glyphs[row[j]], glyphs[row[j + 1]], em):
                j += 1
                c += 1
            g = glyphs[row[i]]
            if i > 0 and j + 1 < n:
                a, b = glyphs[row[i - 1]], glyphs[row[j + 1]]  # left and right of the row
                if join[a.text[0]] in ("j", "l") and join[b.text[-1]] == "j" \
                        and _meet(a, g, em) and _meet(glyphs[row[j]], b, em):
                    out.append((row, i, j))
    return out


def _confirm_shapes(glyphs: list[Glyph], cands: list[int], shaped: dict[tuple, list[int]],
                    strokes: Callable[[Glyph], bool] | None, drop: list[int]) -> None:
    """The elongations awaiting confirmation (``shaped``) that :func:`drop_kashida`
    drops, added to ``drop``: those of a shape standing so often enough on the
    page, or drawn as a connecting stroke (``strokes``)."""
    total: dict[tuple, int] = {}
    drawn = {key[:2] for key in shaped}  # (font, text): the shapes' glyphs, before their advance is worked out
    for k in cands:
        g = glyphs[k]
        if (g.font, g.text) in drawn and (key := _shape(g)) in shaped:
            total[key] = total.get(key, 0) + 1
    for key, ks in shaped.items():
        if len(ks) >= SHAPE_MIN and len(ks) >= SHAPE_SHARE * total[key]:
            drop.extend(ks)
        elif strokes is not None:
            drop.extend(k for k in ks if strokes(glyphs[k]))


def drop_kashida(glyphs: list[Glyph], texts: list[str] | None = None,
                 strokes: Callable[[Glyph], bool] | None = None, kinds: bytes | None = None) -> tuple[list[Glyph], int]:
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
    glyphs there (:data:`SHAPE_SHARE`), or two or more of one shape stand in a
    row (:func:`_repeated`), or its font program draws it as a connecting
    stroke (``strokes``, the engine's test of the outline, where it has one:
    Ghostscript re-distilling Amiri maps an elongation to «’»); a bracket or
    quote only when no other one stands beside it. The letter left of a
    dropped elongation is stretched over it, so that the gap it leaves is
    never read as a space. ``texts``: the glyphs' texts, if the caller has
    them; ``kinds``: their :func:`row_kinds`, if it has those.

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
    >>> [x.text for x in drop_kashida([Glyph("ة", 0, 0, 5, 12, 10, 12), Glyph(":", 4.5, 0, 6.5, 12, 10, 12),
    ...   Glyph(":", 6.4, 0, 8.4, 12, 10, 12), Glyph("ق", 8.4, 0, 13, 12, 10, 12)])[0]]   # «ق::ة»
    ['ة', 'ق']
    >>> [x.text for x in drop_kashida([Glyph("ر", 0, 0, 5, 12, 10, 12), Glyph("J", 4.8, 0, 7.3, 12, 10, 12),
    ...   Glyph("J", 7.2, 0, 9.7, 12, 10, 12), Glyph("ض", 9.7, 0, 16, 12, 10, 12)])[0]]   # «ضJJر»
    ['ر', 'ض']
    """
    if kinds is None:
        kinds = row_kinds(_texts(glyphs) if texts is None else texts)
    if _CANDIDATE not in kinds:
        return glyphs, 0
    cands = [m.start() for m in _CANDIDATES.finditer(kinds)]
    drop: list[int] = []
    shaped: dict[tuple, list[int]] = {}  # glyph shape -> elongations of it awaiting confirmation
    left: dict[int, Glyph] = {}  # an elongation -> the letter on its left
    _kashida_runs(glyphs, kinds, cands, drop, shaped, left)
    if shaped:
        _confirm_shapes(glyphs, cands, shaped, strokes, drop)
    if not drop:
        return glyphs, 0
    for k in drop:  # the letter on the left reaches over the stroke: no gap is left for a space
        a = left[k]
        if glyphs[k].x1 > a.x1:
            a.x1 = glyphs[k].x1
    return _without_glyphs(glyphs, drop)


def _without_glyphs(glyphs: list[Glyph], drop) -> tuple[list[Glyph], int]:
    """``glyphs`` but those at the indexes in ``drop``, and how many went."""
    keep = bytearray(b"\x01") * len(glyphs)
    for k in drop:
        keep[k] = 0
    return list(compress(glyphs, keep)), keep.count(0)


def _repeated(glyphs: list[Glyph], run: list[int]) -> bool:
    """A row of two or more glyphs of one shape, no bracket or quote among
    them («ق::ة»): real text never doubles a mark between two joined letters;
    an elongation row does (see :func:`drop_kashida`)."""
    return len(run) > 1 and len({_shape(glyphs[k]) for k in run}) == 1 and glyphs[run[0]].text not in _PARTNER


def _kashida_rows(glyphs: list[Glyph], kinds: bytes, cands: list[int]):
    """:func:`_kashida_rows_py`, by the compiled kernel where it is built (the
    same rows; it declines, returning None, what it cannot read)."""
    if _kernel is not None and type(glyphs) is list and type(cands) is list:
        rows = _kernel.kashida_rows(glyphs, kinds, cands, _SPACE)
        if rows is not None:
            return rows
    return _kashida_rows_py(glyphs, kinds, cands)


def _kashida_rows_py(glyphs: list[Glyph], kinds: bytes, cands: list[int]):
    """The rows :func:`drop_kashida` looks along, with where its candidates
    (indexes in ``cands``) stand in them and whether a space glyph does: on
    each baseline a candidate stands on, the glyphs there that are not
    combining marks (``kinds``: :data:`_ROW_KIND` of each), left to right by
    centre (drawing order between equals).

    A page draws a line in one stretch of one baseline or a few, so a row is
    put together stretch by stretch (a few dozen a page), in drawing order,
    and sorted by centre alone: a stable sort keeps drawing order between
    equals, as sorting (centre, index) pairs would (but for a NaN centre,
    which has no order: then pairs are sorted). The per-glyph work is done at
    C speed, on shared index objects."""
    n = len(glyphs)
    base = [g.baseline for g in glyphs]
    index = list(range(n))
    rows: dict[float, list[int]] = {base[k]: [] for k in cands}
    spaced: set[int] = set()  # id() of the rows with a space glyph
    get = rows.get
    start = 0
    for b, stretch in groupby(base):  # (each glyph of a stretch == its first: it finds the same row)
        end = start + len(list(stretch))
        row = get(b)
        if row is not None:
            here = kinds[start:end]
            row.extend(compress(index[start:end], here))
            if _SPACE in here:
                spaced.add(id(row))
        start = end
    centre = [g.x0 + g.x1 for g in glyphs]
    on: dict[float, list[int]] = {}
    for k in cands:
        on.setdefault(base[k], []).append(k)
    if (total := sum(centre)) != total:
        yield from _rows_by_pairs(rows, on, centre, spaced)
        return
    key = centre.__getitem__
    for b, row in rows.items():
        row.sort(key=key)
        at, i = [], -1
        for k in sorted(on[b], key=key):  # in the row's order, so each is found after the one before
            i = row.index(k, i + 1)
            at.append(i)
        yield row, at, id(row) in spaced


def _rows_by_pairs(rows: dict[float, list[int]], on: dict[float, list[int]], centre: list[float], spaced: set[int]):
    """:func:`_kashida_rows` for a page with a NaN centre: each row sorted as
    its (centre, index) pairs, the candidates found in it by bisection."""
    for b, row in rows.items():
        pairs = sorted(zip(map(centre.__getitem__, row), row))
        yield [k for _c, k in pairs], sorted(bisect_left(pairs, (centre[k], k)) for k in on[b]), id(row) in spaced


def _row_kind(text: str) -> int:
    """What a glyph text is in :func:`drop_kashida`'s rows: 0 a combining mark
    (in no row), 1 another glyph, 2 a candidate elongation, 3 a space."""
    if not text or unicodedata.combining(text[0]):
        return 0
    if len(text) == 1 and _JOIN[text] in ("p", "s"):
        return 2
    return 3 if text.isspace() else 1


_ROW_KIND = TextTable(_row_kind)


def row_kinds(texts: list[str]) -> bytes:
    """:func:`_row_kind` of each glyph text, for :func:`drop_kashida` and
    :func:`drop_marks_mapped_to_punctuation` (its 2s are the candidates of both)."""
    return bytes(map(_ROW_KIND.__getitem__, texts))
_CANDIDATE, _SPACE = 2, 3
_CANDIDATES = re.compile(b"\x02")


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


# --- cluster pieces ---------------------------------------------------------------

PIECE_ZERO_EM = 0.02  # a glyph narrower than this (in ems) has no advance: a mark's, a dot's
PIECE_MARK_NEAR_EM = 0.3  # two mark glyphs of one cluster sit this close (in ems)
PIECE_OFF_EM = 0.1  # a mark's pen point may sit this far outside its letter's box (typst's tanween: 0.05)
BAR_TOP_EM = 0.12  # a connecting stroke's ink tops out below this (tatweel: 0.07–0.11 em) …
BAR_HEIGHT_EM = 0.16  # … and is no thicker than this; a dotless tooth rises to 0.13 em or more
#: In drawing order, a character again after nothing but marks («أُأ», «َّّ», «لل»): the
#: page may hold cluster pieces (:func:`fold_cluster_pieces` looks closer).
MAYBE_PIECE = re.compile("([^\\s\\d])[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]*\\1")


def _is_mark(ch: str) -> bool:
    return unicodedata.combining(ch) > 0 or unicodedata.category(ch) in ("Mn", "Me")


def _split_base(text: str) -> tuple[str, str]:
    """``text`` as its leading run of non-marks and the rest."""
    i = 0
    while i < len(text) and not _is_mark(text[i]):
        i += 1
    return text[:i], text[i:]


def _without(text: str, chars: str) -> str | None:
    """``text`` with one of each character of ``chars`` taken out, or None
    when ``chars`` is not all in it."""
    out = list(text)
    for c in chars:
        try:
            out.remove(c)
        except ValueError:
            return None
    return "".join(out)


def fold_cluster_pieces(glyphs: list[Glyph], bars: set[int] | Callable[[Glyph], bool] | None = None
                        ) -> tuple[list[Glyph], int]:
    """Take out the letters and marks a producer repeated on the extra glyphs
    of one shaped cluster.

    HarfBuzz may shape one character into several glyphs: Amiri puts a small
    vowel glyph over a decomposed hamza («أُ»: alef, then a small damma), draws
    a shadda and a vowel as two glyphs of one mark cluster (KacstBook, Amiri),
    adds a connecting stroke after a lam before kaf («لك») or after a jeem.
    Producers that build the ToUnicode map glyph by glyph from the shaped
    clusters (WeasyPrint, and any that write what cairo's show_text_glyphs is
    given: Inkscape, LibreOffice's old cairo export, GTK print) give every
    glyph of the cluster the cluster's text, or the text it had the first
    time it was drawn, and the text comes out with the piece doubled:
    «أأُقرّ», «تُقدَّّر», «للكنها».

    A piece is told by what it is drawn as, never by the text alone (real text
    doubles letters all the time: «للدراسات», «مما», «إنني»):

    * a glyph with no advance (a mark's or a dot's, under
      :data:`PIECE_ZERO_EM`) whose text starts with letters, drawn next to a
      glyph with an advance that holds those letters and whose box holds the
      piece's origin (give or take :data:`PIECE_OFF_EM` when the piece
      holds marks: typst places a tanween 0.05 em off its alef): the letters are the neighbour's, the
      piece keeps the marks the neighbour does not hold too (or goes, if none
      are left: typst maps a letter and its tanween glyph both to «صٍ», a
      final lam-alef and its tanween both to «لاً») — a real letter never
      sits inside the same letter;
    * a mark glyph whose text holds, besides its own, all the marks of the
      mark glyph drawn next to it, within :data:`PIECE_MARK_NEAR_EM`: those
      marks are the neighbour's (no letter carries a shadda twice);
    * a glyph in ``bars`` (``id()`` of glyphs the engine found its font draws
      as a connecting stroke on the baseline, :func:`draws_bar`, or the
      engine's test of a glyph, asked only of the glyphs that could fold),
      mapped to one Arabic letter and drawn next to a touching glyph of the
      same letter: it goes, its box added to the neighbour's.

    The first two need nothing but the glyphs and work in both engines. The
    third needs the glyph id and the font program: without ``bars`` (the
    pdfplumber engine, which has no glyph id, or an engine that does not look)
    a stroke mapped to a letter stays, and so does the doubled letter. Page
    statistics are no substitute: a shape (font, text, advance) or glyph id
    that is only ever drawn next to the same letter is as often a real
    contextual form (Amiri's lam before lam) as a piece.

    Returns the glyphs kept and the number of glyphs changed or dropped.

    >>> alef = Glyph("أ", 102.67, 0, 105.71, 12, 10, 12)
    >>> damma = Glyph("أُ", 103.9, 0, 103.9, 12, 9, 12)   # a small damma mapped to its cluster
    >>> kept, n = fold_cluster_pieces([damma, alef])
    >>> [g.text for g in kept], n
    (['ُ', 'أ'], 1)
    >>> sad = Glyph("صٍ", 380.3, 0, 392.1, 12, 10, 12)
    >>> [g.text for g in fold_cluster_pieces([Glyph("صٍ", 385.3, 0, 385.3, 12, 10, 12), sad])[0]]
    ['صٍ']
    >>> lamalef = Glyph("لاً", 427.16, 0, 434.05, 12, 10, 12)   # its tanween drawn 0.5 pt off it
    >>> [g.text for g in fold_cluster_pieces([Glyph("لاً", 426.66, 0, 426.66, 12, 10, 12), lamalef])[0]]
    ['لاً']
    >>> fold_cluster_pieces([Glyph("م", 0, 0, 5, 12, 10, 12), Glyph("م", 5, 0, 9, 12, 10, 12)])[1]   # «مم»
    0
    """
    kept, changed, _lost = cluster_pieces(glyphs, bars)
    return kept, changed


def cluster_pieces(glyphs: list[Glyph], bars: set[int] | Callable[[Glyph], bool] | None = None,
                   texts: list[str] | None = None) -> tuple[list[Glyph], int, int]:
    """:func:`fold_cluster_pieces`, and the characters (:func:`~pdfclean.model.ink`)
    the pieces lost, for the page's account (without reading every glyph's text twice).
    ``texts``: the glyphs' texts, if the caller has them (the list is changed with them)."""
    if texts is None:
        texts = _texts(glyphs)  # kept up to date
    same, marks = _piece_pairs(texts)
    drop: set[int] = set()
    was: dict[int, str] = {}  # index -> its text before it changed
    changed = _fold_marks(glyphs, texts, same + marks, drop, was)
    if bars:
        changed += _fold_bars(glyphs, same, bars if callable(bars) else (lambda g: id(g) in bars), drop, was)
    lost = sum(ink(t) - (0 if i in drop else ink(glyphs[i].text)) for i, t in was.items())
    if drop:
        glyphs = [g for k, g in enumerate(glyphs) if k not in drop]
    return glyphs, changed, lost


def _piece_pairs(texts: list[str]) -> tuple[list[int], list[int]]:
    """:func:`_piece_pairs_py`, by the compiled kernel where it is built."""
    if _kernel is not None and type(texts) is list:
        pairs = _kernel.piece_pairs(texts, _FIRST_MARK)
        if pairs is not None:
            return pairs
    return _piece_pairs_py(texts)


def _piece_pairs_py(texts: list[str]) -> tuple[list[int], list[int]]:
    """Where two glyphs side by side (texts ``i`` and ``i + 1``) start with one
    character, and where both start with a mark (a page has a few dozen)."""
    same = [m.start() for m in _TWICE.finditer("".join(map(_FIRST.__getitem__, texts)))]
    marks = [m.start() for m in _TWO_MARKS.finditer(bytes(map(_FIRST_MARK.__getitem__, texts)))]
    return same, marks


_FIRST = TextTable(lambda t: t[:1] or "\0")  # a text's first character (one for each glyph)
_FIRST_MARK = TextTable(lambda t: bool(t) and _is_mark(t[0]))  # it is a mark
_TWICE = re.compile(r"(?=(.)\1)", re.S)  # a character, then the same
_TWO_MARKS = re.compile(b"(?=\x01\x01)")


def _fold_marks(glyphs: list[Glyph], texts: list[str], pairs: list[int], drop: set[int], was: dict[int, str]) -> int:
    """The first two kinds of piece of :func:`fold_cluster_pieces` (glyphs
    with no advance): their texts changed (``texts`` too) or their indexes
    added to ``drop``, their old texts to ``was``. Returns the count.

    Only glyphs next to one whose text starts with the same character, or
    two mark glyphs side by side (``pairs``: the first of each two) can be
    such pieces: those are looked at, in drawing order, and the glyph after
    one that changed too (it is only marks now)."""
    n = len(glyphs)
    todo = sorted(set(pairs) | {p + 1 for p in pairs})
    changed = 0
    at = 0
    while at < len(todo):
        i = todo[at]
        at += 1
        g = glyphs[i]
        size = g.size if g.size > 1 else 1.0
        if g.x1 - g.x0 >= PIECE_ZERO_EM * size or not g.text:
            continue
        base, marks = _split_base(g.text)
        for j in (i - 1, i + 1):
            if not 0 <= j < n or j in drop:
                continue
            o = glyphs[j]
            if abs(o.baseline - g.baseline) > 0.6 * size:
                continue
            if base:  # a mark or dot glyph given its cluster's letters
                off = PIECE_OFF_EM * size if marks else 0.0  # (a mark glyph's offset)
                if o.x1 - o.x0 < PIECE_ZERO_EM * size or not o.x0 - off < g.x0 < o.x1 + off:
                    continue
                obase, omarks = _split_base(o.text)
                if obase != base:
                    continue
                rest = marks  # its marks, but those the neighbour holds as well (typst maps both so)
                for c in omarks:
                    rest = rest.replace(c, "", 1)
            elif len(marks) > 1 and o.text and all(_is_mark(c) for c in o.text) \
                    and o.x1 - o.x0 < PIECE_ZERO_EM * size and abs(o.x0 - g.x0) < PIECE_MARK_NEAR_EM * size:
                rest = _without(marks, o.text)
                if rest is None or len(rest) == len(marks):
                    continue
            else:
                continue
            was.setdefault(i, g.text)
            if rest:  # what is its own stays; a glyph with nothing of its own goes
                g.text = texts[i] = rest
                if i + 1 < n and (at == len(todo) or todo[at] != i + 1):  # now only marks: its next may pair
                    todo.insert(at, i + 1)
            else:
                drop.add(i)
            changed += 1
            break
    return changed




def drop_marks_mapped_to_punctuation(glyphs: list[Glyph], texts: list[str] | None = None,
                                     kinds: bytes | None = None) -> tuple[list[Glyph], int]:
    """Drop the glyphs with no advance that a producer mapped to punctuation
    and drew over an Arabic letter.

    Punctuation is spacing: a full stop, a bracket or a quote always moves
    the pen. A glyph drawn with no advance (under :data:`PIECE_ZERO_EM`) whose
    pen point lies on an Arabic letter with an advance beside it in the
    stream is a mark — its metrics say so — given a wrong code point
    (Ghostscript, re-distilling a PDF whose only mapping of a mark was an
    ActualText, maps it to ASCII: «أ[علن», «الخ’براء», «ردّ.»). What the mark
    was is lost; the glyph goes, counted (``wrong_code_points``). ``texts``:
    the glyphs' texts, if the caller has them; ``kinds``: their
    :func:`row_kinds`, if it has those. A glyph of one punctuation mark or
    symbol is a candidate there (kind 2) that is no digit: no character a
    candidate holds is a combining mark (tests/test_speed_paths.py checks it
    of every code point).

    >>> ain = Glyph("ع", 10, 0, 16, 12, 10, 12)
    >>> [g.text for g in drop_marks_mapped_to_punctuation([ain, Glyph("[", 12, 0, 12, 12, 10, 12)])[0]]
    ['ع']
    >>> [g.text for g in drop_marks_mapped_to_punctuation([ain, Glyph(".", 16, 0, 19, 12, 10, 12)])[0]]
    ['ع', '.']
    """
    drop: list[int] = []
    n = len(glyphs)
    if texts is None:
        texts = _texts(glyphs)
    if kinds is None:
        kinds = row_kinds(texts)
    for i in (m.start() for m in _CANDIDATES.finditer(kinds)):  # (a few per line)
        if texts[i].isdigit():  # a candidate that is no punctuation mark or symbol
            continue
        g = glyphs[i]
        size = g.size if g.size > 1 else 1.0
        if g.x1 - g.x0 >= PIECE_ZERO_EM * size:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                o = glyphs[j]
                if _JOIN[o.text[:1]] in ("j", "l") and o.x1 - o.x0 >= PIECE_ZERO_EM * size \
                        and o.x0 - 0.01 <= g.x0 <= o.x1 + 0.01 and abs(o.baseline - g.baseline) < 0.3 * size:
                    drop.append(i)
                    break
    if not drop:
        return glyphs, 0
    gone = set(drop)
    return [g for k, g in enumerate(glyphs) if k not in gone], len(drop)


def _fold_bars(glyphs: list[Glyph], pairs: list[int], is_bar: Callable[[Glyph], bool], drop: set[int],
               was: dict[int, str]) -> int:
    """The third kind of piece of :func:`fold_cluster_pieces`: each glyph
    ``is_bar`` calls a connecting stroke, mapped to one Arabic letter, folds
    into a touching glyph of that letter beside it (added to ``drop`` and
    ``was``, its box to the neighbour's). ``is_bar`` is asked only of glyphs
    beside a copy of their letter (among ``pairs``: glyphs p and p + 1 start
    with one character), and of each before its box grows. Returns the count."""
    n = len(glyphs)
    verdict: dict[int, bool] = {}  # index -> is_bar, asked before the glyph's box grew
    changed = 0
    for i in sorted(set(pairs) | {p + 1 for p in pairs}):
        g = glyphs[i]
        if i in drop or len(g.text) != 1 or _JOIN[g.text] not in ("j", "l"):
            continue
        size = g.size if g.size > 1 else 1.0
        if g.x1 - g.x0 < PIECE_ZERO_EM * size:
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < n or j in drop:
                continue
            o = glyphs[j]
            if o.text == g.text and o.font == g.font and abs(o.baseline - g.baseline) < 0.05 * size \
                    and (abs(o.x0 - g.x1) < 0.1 * size or abs(g.x0 - o.x1) < 0.1 * size):
                if i not in verdict:
                    verdict[i] = is_bar(g)
                if not verdict[i]:
                    break
                if j > i and j not in verdict:  # o's own verdict, on the box it was drawn with
                    verdict[j] = is_bar(o)
                o.x0, o.x1 = min(o.x0, g.x0), max(o.x1, g.x1)
                o.y0, o.y1 = min(o.y0, g.y0), max(o.y1, g.y1)
                drop.add(i)
                was.setdefault(i, g.text)
                changed += 1
                break
    return changed


def draws_bar(font, gid: int) -> bool:
    """Does glyph ``gid`` of the fontTools font ``font`` draw a connecting
    stroke (a tatweel) on the baseline: some ink, all of it below
    :data:`BAR_TOP_EM`, at most :data:`BAR_HEIGHT_EM` thick and at least
    1.4 times as wide as thick (Amiri's shortest stroke: 1.6)? A dotless
    medial tooth, the flattest letter, rises to 0.13 em; a period is as wide
    as it is high. False when the glyph cannot be read."""
    try:
        from fontTools.pens.boundsPen import BoundsPen

        name = font.getGlyphOrder()[gid]
        gs = font.getGlyphSet()
        pen = BoundsPen(gs)
        gs[name].draw(pen)
        if pen.bounds is None:
            return False
        upem = font["head"].unitsPerEm or 1000
        x0, y0, x1, y1 = pen.bounds
        return 0 < y1 < BAR_TOP_EM * upem and y1 - y0 <= BAR_HEIGHT_EM * upem and x1 - x0 >= 1.4 * (y1 - y0)
    except Exception:
        return False


def bar_between(inner: tuple | None, outer: tuple | None, upem: int) -> bool | None:
    """:func:`draws_bar`'s answer for a glyph whose outline box (x0, y0, x1,
    y1, font units, ``upem`` to the em) lies between ``inner`` and ``outer``
    (``_Sfnt.point_boxes``; both None: nothing drawn), when every box between
    them gets the same answer (with a rounding slack), else None (draw it).
    The box's height lies between the inner one's and the outer one's, and
    so does its width."""
    if outer is None:
        return False if inner is None else None
    upem = upem or 1000
    slack = 1e-6 * upem
    top, thick = BAR_TOP_EM * upem, BAR_HEIGHT_EM * upem
    ox0, oy0, ox1, oy1 = outer
    if oy1 < -slack:
        return False
    if inner is None:
        return None
    ix0, iy0, ix1, iy1 = inner
    if iy1 >= top + slack or iy1 - iy0 > thick + slack or ox1 - ox0 + slack < 1.4 * (iy1 - iy0):
        return False
    if iy1 > slack and oy1 < top - slack and oy1 - oy0 <= thick - slack and ix1 - ix0 >= 1.4 * (oy1 - oy0) + slack:
        return True
    return None


def no_bar(on_curve: tuple[float, float] | None, upem: int) -> bool:
    """Is a glyph whose on-curve points lie between heights ``on_curve``
    (lowest, highest; font units, ``upem`` to the em) surely no connecting
    stroke for :func:`draws_bar`? Its ink covers those points, so when they
    already rise to :data:`BAR_TOP_EM` or spread over more than
    :data:`BAR_HEIGHT_EM` its outline need not be drawn (most glyphs asked
    about are letters). False: not sure (no points known)."""
    if on_curve is None:
        return False
    lo, hi = on_curve
    upem = upem or 1000
    slack = 1e-6 * upem  # (rounding aside)
    return hi >= BAR_TOP_EM * upem + slack or hi - lo > BAR_HEIGHT_EM * upem + slack
