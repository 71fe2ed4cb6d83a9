"""Lines to blocks: paragraphs, headings and list items, across pages.

A paragraph break is read from the page like a reader does: a wider gap
between lines, a change of size or weight, a first-line indent (at the
*right* edge in right-to-left text), a short last line ending a sentence, or
a list marker. A paragraph cut by a page break (or by furniture) is joined
back when the page ends mid-sentence, and the block records both pages.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from .model import Block, Line, Page, ink
from .script import _BRACKET, _bracket_disorder, _counter, mirror_brackets

_FINAL = re.compile(r"[.!?؟:…»\"”'\)]\s*$|[.!?؟:…]\S{0,2}$")
_LIST = re.compile(
    r"^\s*(?:[•▪◦●■►✓]\s*|[\-–*]\s+|(?:\(?[0-9\u0660-\u0669\u06f0-\u06f9]{1,3}|\(?[أابجدهوزحط])[.)\-–]"
    r"(?:\s+|(?=[\u0621-\u064a])))"
)
HEADING_SIZE_RATIO = 1.12
JUSTIFIED_SHARE = 0.6  # body lines reaching the far edge, of all, for justified text
SHORT_EM = 2.0  # a last line ends this short of the far edge (ems) …
SHORT_EM_JUSTIFIED = 0.8  # … or this, in justified text (its other lines are flush)
SPACED_PITCH = 1.1  # after a sentence end, a line this far (in line pitches) starts a paragraph
HANG_EM = 0.2  # a list item's wrapped lines start this close (ems) to where its first wrap did


@dataclass
class _Draft:
    type: str
    lines: list[Line] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        return sorted({l.page for l in self.lines})


@dataclass
class Layout:
    """Measurements of the body text, shared by all pages."""

    size: float  # body font size
    pitch: float  # baseline-to-baseline distance of body lines
    right: dict[int, float]  # per page: the body's right edge
    left: dict[int, float]  # per page: the body's left edge
    indents: bool  # does the document indent first lines?
    justified: bool = False  # do most body lines reach both edges?
    spacing: frozenset = frozenset()  # how the text spaces its dashes and slashes (_spacing)


def reading_order(lines: list[Line]) -> list[Line]:
    """Top to bottom; in a two-column stretch, the right column first (RTL).

    Columns are found from a gutter: a vertical strip, away from the page
    edges, that no line crosses while at least three lines lie wholly on each
    side of it. Lines that cross it (a title over both columns) cut the page
    into stretches, each read column by column.
    """
    if len(lines) < 6:
        return _rows_order(lines)
    gutter = _gutter(lines)
    if gutter is None:
        return _rows_order(lines)
    g0, g1 = gutter
    rtl = sum(1 for l in lines if l.rtl) * 2 >= len(lines)
    out: list[Line] = []
    stretch: list[Line] = []

    def flush() -> None:
        right = [l for l in stretch if l.x0 >= g1 - 0.5]
        left = [l for l in stretch if l.x1 <= g0 + 0.5]
        first, second = (right, left) if rtl else (left, right)
        out.extend(_rows_order(first) + _rows_order(second))
        stretch.clear()

    for ln in sorted(lines, key=lambda l: l.y0):
        if ln.x0 < g1 - 0.5 and ln.x1 > g0 + 0.5:  # crosses the gutter
            flush()
            out.append(ln)
        else:
            stretch.append(ln)
    flush()
    return out


def _gutter(lines: list[Line]) -> tuple[float, float] | None:
    """The widest vertical strip crossed by few lines (titles over both
    columns), away from the edges, with ≥ 3 lines wholly on each side."""
    lo = min(l.x0 for l in lines)
    hi = max(l.x1 for l in lines)
    width = hi - lo
    if width <= 0:
        return None
    em = sorted(l.size for l in lines)[len(lines) // 2]
    allowed = max(1, len(lines) // 10)
    xs = sorted({x for l in lines for x in (l.x0, l.x1)})
    starts = sorted(l.x0 for l in lines)
    ends = sorted(l.x1 for l in lines)
    best: tuple[float, float] | None = None
    run: list[float] | None = None
    for a, b in zip(xs, xs[1:]):
        # lines across the strip (a, b): begun by a and not ended by a
        crossing = bisect_right(starts, a) - bisect_right(ends, a)
        if crossing <= allowed:
            run = [run[0], b] if run else [a, b]
            g0, g1 = run
            if g1 - g0 >= em and lo + 0.2 * width < (g0 + g1) / 2 < hi - 0.2 * width and (
                    best is None or g1 - g0 > best[1] - best[0]):
                best = (g0, g1)
        else:
            run = None
    if best is None:
        return None
    g0, g1 = best
    left = sum(1 for l in lines if l.x1 <= g0 + 0.5)
    right = sum(1 for l in lines if l.x0 >= g1 - 0.5)
    return best if left >= 3 and right >= 3 else None


def _rows_order(lines: list[Line]) -> list[Line]:
    """Top to bottom; segments of one row right to left (RTL documents)."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda l: l.y0):
        if rows and abs(ln.y0 - rows[-1][0].y0) < 0.5 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    out: list[Line] = []
    for r in rows:
        rtl = sum(1 for l in r if l.rtl) * 2 >= len(r)
        out.extend(sorted(r, key=lambda l: -l.x1 if rtl else l.x0))
    return out


def measure(pages: list[Page]) -> Layout:
    weights: Counter = Counter()
    for p in pages:
        for l in p.lines:
            weights[round(l.size * 2) / 2] += len(l.text)
    size = max(1.0, weights.most_common(1)[0][0]) if weights else 10.0
    pitches = []
    right: dict[int, float] = {}
    left: dict[int, float] = {}
    firsts = 0
    for p in pages:
        body = [l for l in p.lines if abs(l.size - size) < 0.15 * size]
        if not body:
            continue
        ys = sorted(l.base for l in body)
        pitches.extend(b - a for a, b in zip(ys, ys[1:]) if 0.5 * size < b - a < 3 * size)
        right[p.number] = _edge([l.x1 for l in body], max)
        left[p.number] = _edge([l.x0 for l in body], min)
    pitch = median(pitches) if pitches else 1.3 * size
    flush = lines = 0
    for p in pages:
        if p.number in right:
            firsts += sum(1 for l in p.lines if l.rtl and right[p.number] - l.x1 > 0.8 * size)
            for l in p.lines:
                if abs(l.size - size) < 0.15 * size:
                    lines += 1
                    far = l.x0 - left[p.number] if l.rtl else right[p.number] - l.x1
                    flush += far < 0.3 * size
    return Layout(size, pitch, right, left, firsts >= 2, lines >= 8 and flush >= JUSTIFIED_SHARE * lines,
                  _spacing(pages))


def _spacing(pages: list[Page]) -> frozenset:
    """How this text, inside its lines, spaces its dashes and slashes, more
    often than not: ``("after", c)`` for a mark it follows with a space where
    none precedes it («آذار/ مارس» against «آذار/مارس», «2023 – 2025»), and
    ``("tight_before", c)`` for a dash it sets right after a word («إيران—
    وهو» against «إيران — وهو»). A line broken after one, or before one, is
    joined to the next the same way."""
    spaced: Counter = Counter()
    tight: Counter = Counter()
    # every line at once: no match takes in a newline, nor sees past one (both look for \S or a space)
    text = "\n".join([l.text for p in pages for l in p.lines])
    for c, space in _mid_breaks(text):
        (spaced if space else tight)["after", c] += 1
    for m in _DASH_AFTER.finditer(text):
        d = m.start()  # «x – », «x– »: a space before the dash only after a word
        before = text[d - 1: d]
        if before == " ":
            if d >= 2 and not text[d - 2].isspace():
                spaced["tight_before", m.group()] += 1
        elif before and not before.isspace():
            tight["tight_before", m.group()] += 1
    return frozenset(k for k in tight if k[0] == "tight_before" and tight[k] > spaced[k]) | frozenset(
        k for k in spaced if k[0] == "after" and spaced[k] > tight[k])


def _mid_breaks(text: str) -> list[tuple[str, bool]]:
    """Each dash or slash between two non-spaces, with or without one space
    after it: what ``\\S([\\-‐–/])( ?)\\S`` finds, left to right without
    overlap (a match takes in the characters on both sides), but the regex
    engine looks only at the marks, not at every letter of the text."""
    out: list[tuple[str, bool]] = []
    end = 0  # where the last match ended: the character there was taken
    n = len(text)
    for m in _MID_MARK.finditer(text):
        d = m.start()
        if d - 1 < end or text[d - 1].isspace():
            continue
        after = text[d + 1: d + 2]
        if after == " ":
            if d + 2 < n and not text[d + 2].isspace():
                out.append((m.group(), True))
                end = d + 3
        elif after and not after.isspace():
            out.append((m.group(), False))
            end = d + 2
    return out


_MID_MARK = re.compile(r"[\-‐–/]")
_DASH_AFTER = re.compile(r"[–—](?= )")  # a dash a space follows (after a word or a space: _spacing)


def _edge(xs: list[float], pick) -> float:
    """The edge most body lines reach: the most common rounded value (ties: the
    outermost), so hanging list markers and indents do not move it."""
    c = Counter(round(x) for x in xs)
    best = max(c.values())
    return float(pick(v for v, n in c.items() if n == best))


def build_blocks(pages: list[Page], layout: Layout | None = None) -> list[Block]:
    """Blocks of the body in reading order. A paragraph cut by a page break is
    joined back; a page's footnotes follow the paragraph that ends on it."""
    layout = layout or measure(pages)
    drafts: list[_Draft] = []
    notes: list[_Draft] = []  # footnotes of the previous page, not yet placed
    for p in pages:
        body_lines, note_lines = split_footnotes(p.lines, layout)
        page_drafts = _page_drafts(body_lines, layout)
        if drafts and page_drafts and _continues(drafts[-1], page_drafts[0], layout):
            drafts[-1].lines.extend(page_drafts[0].lines)
            page_drafts = page_drafts[1:]
        drafts.extend(notes)
        drafts.extend(page_drafts)
        notes = _footnote_drafts(note_lines)
    drafts.extend(notes)
    return [b for b in (_finish(d, layout.spacing) for d in drafts) if b.text]


_NOTE_MARK = re.compile(r"^\s*(?:[(\[]?[0-9\u0660-\u0669\u06f0-\u06f9]{1,3}[)\].\-–]?|\*{1,3})\s*\S")


def split_footnotes(lines: list[Line], lay: Layout) -> tuple[list[Line], list[Line]]:
    """Footnotes: small lines at the foot of a page, below all body text, the
    first starting with a note mark («1», «(1)», «[١]», «*»)."""
    if not lines:
        return lines, []
    body_bottom = max((l.y1 for l in lines if l.size >= 0.92 * lay.size), default=None)
    if body_bottom is None:
        return lines, []
    foot = sorted((l for l in lines if l.y0 >= body_bottom - 0.1 * lay.size
                   and l.size < 0.9 * lay.size), key=lambda l: l.y0)
    if not foot or not _NOTE_MARK.match(foot[0].text):
        return lines, []
    ids = {id(l) for l in foot}
    return [l for l in lines if id(l) not in ids], foot


def _footnote_drafts(lines: list[Line]) -> list[_Draft]:
    out: list[_Draft] = []
    for ln in _rows_order(lines):
        if not out or _NOTE_MARK.match(ln.text):
            out.append(_Draft("footnote"))
        out[-1].lines.append(ln)
    return out


def _page_drafts(lines: list[Line], lay: Layout) -> list[_Draft]:
    lines = reading_order(lines)
    out: list[_Draft] = []
    prev: Line | None = None
    hang: float | None = None  # where a list item's wrapped lines start
    for k, ln in enumerate(lines):
        in_list = bool(out) and out[-1].type == "list_item"
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if prev is None or _breaks(prev, ln, lay, in_list, hang, out[-1].lines, nxt):
            kind = "list_item" if _LIST.match(ln.text) else "paragraph"
            if kind != "list_item":
                hang = None
            out.append(_Draft(kind))
        elif in_list:
            hang = ln.x1 if ln.rtl else ln.x0
        out[-1].lines.append(ln)
        prev = ln
    for d in out:
        if d.type == "paragraph":
            d.type = _block_type(d.lines, lay)
    return out


def _block_type(lines: list[Line], lay: Layout) -> str:
    """heading, quote or paragraph, from size, weight, length and indents."""
    big = all(l.size >= HEADING_SIZE_RATIO * lay.size for l in lines)
    bold = all(l.bold for l in lines)
    if (big or bold) and len(lines) <= 3:  # (the text is joined only for a heading's few lines)
        text = _join(lines)
        words = len(text.split())
        # a bold sentence of ten words or more ending in a full stop is emphasis
        if words <= 25 and (big or not (words >= 10 and re.search(r"[.!]\s*$", text))):
            return "heading"
    right = lay.right.get(lines[0].page)
    left = lay.left.get(lines[0].page)
    if right is not None and len(lines) >= 2:
        inset_r = all(right - l.x1 > 1.0 * lay.size for l in lines)
        inset_l = all(l.x0 - left > 1.0 * lay.size for l in lines[:-1])
        if inset_r and inset_l:
            return "quote"
    return "paragraph"


def _breaks(a: Line, b: Line, lay: Layout, in_list: bool = False, hang: float | None = None,
            block: list[Line] | None = None, nxt: Line | None = None) -> bool:
    """Does line ``b`` start a new block after line ``a``? (``block``: the
    lines of ``a``'s block so far, ``a`` last; ``nxt``: the line after ``b``.)"""
    gap = b.base - a.base
    if gap > 1.45 * lay.pitch * max(1.0, b.size / lay.size) or gap < -0.5 * lay.size:
        return True
    if abs(a.size - b.size) > 0.1 * lay.size or a.bold != b.bold:
        return True
    if _LIST.match(b.text):
        return True
    right = lay.right.get(a.page, a.x1)
    left = lay.left.get(a.page, a.x0)
    em = lay.size
    short_em = SHORT_EM_JUSTIFIED if lay.justified else SHORT_EM
    earlier = block[:-1] if block else []
    if a.rtl and b.rtl:
        # a first-line indent: b starts short of the right edge, and of a's start
        inset = right - b.x1 > 0.8 * em
        indented = inset and a.x1 - b.x1 > 0.5 * em
        # a line is short of its block's own far edge (a quote's is inset)
        far = max(left, min(l.x0 for l in earlier)) if earlier else left
        short = a.x0 - far > short_em * em
        full = a.x0 - left < 0.5 * em  # a reaches the page's far edge
        start, at = (lambda l: l.x1), b.x1
    else:
        inset = b.x0 - left > 0.8 * em
        indented = inset and b.x0 - a.x0 > 0.5 * em
        far = min(right, max(l.x1 for l in earlier)) if earlier else right
        short = far - a.x1 > short_em * em
        full = right - a.x1 < 0.5 * em
        start, at = (lambda l: l.x0), b.x0
    if in_list:
        # a list item runs on (its wrapped lines may hang under the item text)
        # until a line ends a sentence short of the far edge, or ends one and
        # the next line does not hang
        if not _FINAL.search(a.text):
            return False
        if short or gap > 1.08 * lay.pitch:  # items are often spaced more than lines
            return True
        if hang is not None:  # the list's wrapped lines start here: same item if b does
            return abs(at - hang) > HANG_EM * em
        return True
    if lay.indents and (indented or inset and _one_line_paragraph(a, b, block, nxt, start, full, em)):
        return True
    if _FINAL.search(a.text):
        # a sentence ends the line: a break if the line ends short, or if the
        # next one stands further off than the lines of a paragraph do
        if short or gap > SPACED_PITCH * lay.pitch * max(1.0, b.size / lay.size):
            return True
    return False


def _one_line_paragraph(a: Line, b: Line, block: list[Line] | None, nxt: Line | None,
                        start, full: bool, em: float) -> bool:
    """Is ``a``, indented, ``full`` (reaching the page's far edge) and ending
    a sentence, a paragraph of one line, ``b`` indented like it the first
    line of the next? Yes when ``a`` began its block and the line after
    ``b`` goes back to the edge (or there is none): a block whose every line
    is inset (a quote) keeps its lines at the inset."""
    if not full or not block or len(block) != 1 or abs(start(a) - start(b)) > 0.3 * em \
            or not _FINAL.search(a.text):
        return False
    return nxt is None or abs(start(nxt) - start(b)) > 0.5 * em


def _continues(last: _Draft, first: _Draft, lay: Layout) -> bool:
    """Does the first block of a page continue the last block of the previous one?"""
    if last.type != "paragraph" or first.type not in ("paragraph",):
        return False
    a, b = last.lines[-1], first.lines[0]
    if not _FINAL.search(a.text):
        return True
    # ended with punctuation: join only if the line was full and the next not indented
    right = lay.right.get(b.page, b.x1)
    left = lay.left.get(a.page, a.x0)
    full = a.x0 - left < 1.0 * lay.size if a.rtl else True
    indented = right - b.x1 > 0.8 * lay.size if b.rtl else False
    return lay.indents and full and not indented


# a line broken after a dash or slash with no space before it, or after an opening bracket
_BREAK_AFTER = re.compile(r"(?:\S([\-‐–/])|([(\[{«“‹]))$")


def _join(lines: list[Line], delta: Counter | None = None, spacing: frozenset = frozenset()) -> str:
    """The lines' texts joined by spaces; a Latin word hyphenated at a line end
    is joined back (the hyphen counted in ``delta`` under the line's page),
    a line broken after a dash or slash that had no space before it
    («2023–» / «2025», «شباط/» / «فبراير») runs on without one, unless
    ``spacing`` says the text follows that mark with a space, a line that
    starts with a dash the text sets right after a word follows the last
    without one (see :func:`_spacing`), and a line broken after an opening
    bracket or quote runs on without one."""
    parts: list[str] = []  # texts and the separators between them (joined once: linear)
    for ln in lines:
        t = ln.text.strip()
        if not t:
            continue
        if not parts:
            parts.append(t)
            continue
        last = parts[-1]
        if last.endswith("-") and t[:1].islower():
            parts[-1] = last[:-1]
            parts.append(t)
            if delta is not None:
                delta[(ln.page, "dehyphenated")] -= 1
        elif (m := _BREAK_AFTER.search(last[-2:])) and (m.group(2) or ("after", m.group(1)) not in spacing) \
                or ("tight_before", t[0]) in spacing and t[1:2] == " ":
            parts.append(t)
        else:
            parts.append(" ")
            parts.append(t)
    return "".join(parts)


def balance_brackets(lines: list[Line]) -> None:
    """Brackets and guillemets the right way round across a block's lines.

    Each line was mirrored or not by its own bracket balance; a pair split
    over two lines leaves each line unbalanced either way, so the decision is
    taken again over the joined block: a right-to-left line whose flip makes
    the block better balanced is flipped (counted as ``mirrored_brackets``);
    all of them at once first (a producer that mirrors none), then one by one.

    >>> a = Line("قالت الوكالة الدولية )IAEA", 0, 0, 100, 10, 10, False, 1)
    >>> b = Line("( إن البرنامج سلمي", 0, 12, 100, 22, 10, False, 1)
    >>> balance_brackets([a, b]); _join([a, b])
    'قالت الوكالة الدولية (IAEA ) إن البرنامج سلمي'
    """
    if len(lines) < 2 or not (before := _bracket_disorder(_join(lines))):
        return
    flip = [ln for ln in lines if ln.rtl and _BRACKET.search(ln.text)]
    old = [ln.text for ln in flip]
    for ln in flip:
        ln.text = mirror_brackets(ln.text)
    if _bracket_disorder(_join(lines)) < before:
        for ln in flip:
            ln.repairs["mirrored_brackets"] += 1
        return
    for ln, text in zip(flip, old):
        ln.text = text
    for ln in flip:
        before = _bracket_disorder(_join(lines))
        if not before:
            return
        old = ln.text
        ln.text = mirror_brackets(old)
        if _bracket_disorder(_join(lines)) < before:
            ln.repairs["mirrored_brackets"] += 1
        else:
            ln.text = old


def _finish(d: _Draft, spacing: frozenset = frozenset()) -> Block:
    balance_brackets(d.lines)
    delta: Counter = _counter()
    text = _join(d.lines, delta, spacing)
    repairs: Counter = _counter()
    if d.type == "list_item" and (item := _LIST.sub("", text, count=1).strip()):
        # the marker goes (a marker with no item after it is all the text there is)
        delta[(d.lines[0].page, "list_marker")] += ink(item) - ink(text)
        repairs["list_marker"] += 1
        text = item
    joined = -sum(n for (_, k), n in delta.items() if k == "dehyphenated")
    if joined:
        repairs["dehyphenated"] += joined
    for ln in d.lines:
        if ln.repairs:  # (an empty update changes nothing)
            repairs.update(ln.repairs)
    confs = [(ln.confidence, len(ln.text)) for ln in d.lines if ln.confidence is not None]
    conf = sum(c * n for c, n in confs) / max(1, sum(n for _, n in confs)) if confs else None
    boxes = [(ln.page, ln.x0, ln.y0, ln.x1, ln.y1) for ln in d.lines]
    chars: Counter = _counter()
    texts: dict[int, list[str]] = {}  # per page (in the lines' order): one count of a page's text
    for ln in d.lines:
        texts.setdefault(ln.page, []).append(ln.text)
    for page, ts in texts.items():
        chars[page] += ink("".join(ts))
    for (page, _), n in delta.items():
        chars[page] += n
    lines = d.lines if d.lines and d.lines[0].words is not None else None  # (extract(words=True))
    return Block(d.type, text, d.pages, repairs, conf, boxes, delta, chars, lines)
