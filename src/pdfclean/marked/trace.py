"""Marks applied to MuPDF's text trace."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from itertools import chain
from operator import is_, itemgetter

from ..kernel import KERNEL
from ..model import ink
from .syntax import Marks


def _kernel_or(reference, name: str, takes: bool, *args):
    """``KERNEL.<name>(*args)`` where the compiled kernel is built, ``takes``
    (the arguments are of the types it reads) and it does not decline the
    input (None); else ``reference(*args)``, the Python it transcribes."""
    if takes and KERNEL is not None:
        out = getattr(KERNEL, name)(*args)
        if out is not None:
            return out
    return reference(*args)


def _kinds(marks: Marks) -> list[str | None]:
    """The pagination kind of every code (the innermost sequence's: inner
    sequences end first, so they are laid over the outer ones last)."""
    kinds: list[str | None] = [None] * marks.codes
    for a, b, k in reversed(marks.artifacts):
        kinds[a:b] = [k] * (b - a)
    return kinds


# ---- applying marks to the engines' glyph sources ----------------------------------------


def trace_codes(trace: list[dict]) -> int:
    """Glyph codes in MuPDF's text trace: its entries, but those that go on
    the glyph before (glyph id -1). (:func:`_trace_codes_py`, by the
    compiled kernel where it is built.)"""
    return _kernel_or(_trace_codes_py, "trace_codes", type(trace) is list, trace)


def _trace_codes_py(trace: list[dict]) -> int:
    """:func:`trace_codes`, the reference."""
    gids = list(map(_GID, chain.from_iterable(map(_CHARS, trace))))  # (no bytecode per entry)
    return len(gids) - gids.count(-1)


_CHARS, _GID = itemgetter("chars"), itemgetter(1)


class _Same(dict):
    """``table[(old, new)]``: does the ActualText say what the glyphs already
    say, up to compatibility forms (presentation forms for base letters, which
    the later stages fold anyway)? Then it is left alone."""

    def __missing__(self, key: tuple[str, str]) -> bool:
        old, new = key
        v = self[key] = old == new or unicodedata.normalize("NFKC", old) == unicodedata.normalize("NFKC", new)
        return v


_SAME = _Same()


def _stranded(old: str, new: str) -> bool:
    """Glyphs that are only marks, given an ActualText with letters: a
    cluster cut by a line break (Chromium draws the letter at the end of one
    line, the mark alone on the next, and puts the whole cluster's text on
    the mark). The letter is already there: the mark keeps its own text."""
    return bool(old) and all(unicodedata.combining(c) for c in old) and not all(
        unicodedata.combining(c) for c in new)


def apply_trace(trace: list[dict], marks: Marks, raw) -> list[tuple[list[dict], str | None]]:
    """MuPDF's text trace with ``marks`` applied: each ActualText sequence's
    glyphs become one entry (the union box, the ActualText as its characters:
    further characters follow as glyph id -1 entries, as MuPDF gives a glyph
    mapped to several), and the trace cut into parts by pagination kind."""
    spans = _apply_actual(trace, marks.actual, raw) if marks.actual else trace
    if not marks.artifacts:
        return [(spans, None)]
    return _split_by_kind(spans, marks)


def _split_by_kind(spans: list[dict], marks: Marks) -> list[tuple[list[dict], str | None]]:
    """``spans`` cut into parts by pagination kind, the ``k``-th code taking the
    kind of code ``k`` of ``marks``; a span with no change of kind among its
    codes goes whole (most do: a page has a few artifacts), and only the spans
    a change falls in are looked at glyph by glyph."""
    kinds = _kinds(marks)
    n = len(kinds)
    kind_of = lambda k: kinds[k] if 0 <= k < n else None  # noqa: E731
    ends = {0} | {k for a, b, _ in marks.artifacts for k in (a, b)}
    changes = sorted(k for k in ends if kind_of(k) != kind_of(k - 1))  # before code 0: none
    entries, off, starts = _entries(spans)  # (off: where each span's entries start)
    code_at = starts[:-1] if len(starts) <= len(entries) else None  # the entry of each code (None: each entry's)
    if code_at is not None:
        cut = sorted({bisect_right(off, code_at[c]) - 1 for c in changes if c < len(code_at)})  # spans changes fall in
    else:
        cut = sorted({bisect_right(off, c) - 1 for c in changes if c < len(entries)})
    parts: list[tuple[list[dict], str | None]] = []
    cur_kind: str | None = None
    cur: list[dict] = []
    done = 0  # the spans before it are placed
    for si in cut:
        cur.extend(filter(_CHARS, spans[done:si]))  # one kind throughout, the current one
        span = spans[si]
        k = (off[si] if code_at is None else bisect_left(code_at, off[si])) - 1  # the last code seen
        piece: list = []
        for c in span["chars"]:
            if c[1] != -1:
                k += 1
                kind = kinds[k] if k < n else None
                if kind != cur_kind:
                    if piece:
                        cur.append(_span(span, piece))
                        piece = []
                    if cur:
                        parts.append((cur, cur_kind))
                    cur, cur_kind = [], kind
            piece.append(c)
        if piece:
            cur.append(_span(span, piece))
        done = si + 1
    cur.extend(filter(_CHARS, spans[done:]))
    if cur:
        parts.append((cur, cur_kind))
    return parts


def _apply_actual(trace: list[dict], actual: list[tuple[int, int, str]], raw) -> list[dict]:
    """The trace with each ActualText sequence that changes the text made
    one entry (see :func:`apply_trace`); the spans no sequence changed are
    the trace's own."""
    entries, off, code_at = _entries(trace)
    reps, touched = _replacements(trace, actual, entries, off, code_at, raw)
    return _rebuilt(trace, off, reps, touched) if touched else trace


def _entries(trace: list[dict]) -> tuple[list, list[int], list[int]]:
    """The trace's entries in one list (a code's further characters, glyph
    id -1, follow it), where each span's entries start (and the end), and the
    entry each code starts at (and the end). (:func:`_entries_py`, by the
    compiled kernel where it is built.)"""
    return _kernel_or(_entries_py, "trace_entries", type(trace) is list, trace)


def _entries_py(trace: list[dict]) -> tuple[list, list[int], list[int]]:
    """:func:`_entries`, the reference."""
    entries: list = []
    off = [0]
    for span in trace:
        entries += span["chars"]
        off.append(len(entries))
    gids = list(map(_GID, entries))
    code_at = [i for i, g in enumerate(gids) if g != -1] if -1 in gids else list(range(len(entries)))
    code_at.append(len(entries))
    return entries, off, code_at


def _replacements(trace, actual, entries, off, code_at, raw) -> tuple[list[tuple[int, int, list]], set[int]]:
    """What the ActualText sequences ``actual`` (in codes) change in
    ``entries`` (:func:`_entries`): entries ``[i, j)`` replaced by a list, in
    order and apart, and the spans they touch. Most sequences restate their
    glyphs (Chromium wraps nearly every glyph): a glyph of one entry is
    looked at without slicing."""
    last = len(code_at) - 1
    actual = _merge_pieces(actual, lambda a, b, c: _part_of(
        entries[code_at[b]:code_at[min(c, last)]], entries[code_at[a]:code_at[min(b, last)]], "\0"))
    if KERNEL is not None and type(actual) is list:
        got = KERNEL.replacements(trace, actual, entries, off, code_at, raw, _RESTATES, _SAME, _stranded,
                                  _part_of, _account)
        if got is not None:
            return got
    return _replace_py(trace, actual, entries, off, code_at, raw)


def _replace_py(trace, actual, entries, off, code_at, raw) -> tuple[list[tuple[int, int, list]], set[int]]:
    """:func:`_replacements` after the pieces of a cluster are merged: the
    reference loop (the compiled kernel's ``replacements`` transcribes it)."""
    last = len(code_at) - 1
    covered = {c for a, b, _t in actual for c in range(a, b)}

    def joins(k: int, start: int, end: int, text: str) -> bool:
        """Is code ``k``, just outside ``[start, end)``, a piece of that cluster (:func:`_part_of`)?"""
        i = code_at[k]
        if code_at[k + 1] == i + 1 and text != "\0":  # one entry: its character must be in the text
            uc = entries[i][0]
            if uc <= 0 or chr(uc) not in text:
                return False
        return _part_of(entries[i:code_at[k + 1]], entries[code_at[start]:code_at[end]], text)

    touched: set[int] = set()
    reps: list[tuple[int, int, list]] = []
    restates = _RESTATES
    for start, end, text in actual:
        if end > last:
            end = last
        if end == start + 1:  # one code: of one entry, restated, no piece beside it? Then nothing changes
            i = code_at[start]
            if code_at[end] == i + 1 and restates[(entries[i][0], text)] and (
                    start == 0 or start - 1 in covered or _apart(entries, code_at, start - 1, text)) and (
                    end >= last or end in covered or _apart(entries, code_at, end, text)):
                continue
        # the cluster's other glyphs, drawn just outside the sequence (Typst draws a
        # raised mark in a text object of its own, with the whole cluster as its text)
        while start > 0 and start - 1 not in covered and joins(start - 1, start, end, text):
            start -= 1
        while end < last and end not in covered and joins(end, start, end, text):
            end += 1
        covered.update(range(start, end))
        i, j = code_at[start], code_at[end]
        new = _replacement(trace, entries, off, i, j, text, raw)
        if new is not None:
            reps.append((i, j, new))
            touched.update(range(bisect_right(off, i) - 1, bisect_right(off, j - 1)))
    return reps, touched


def _replacement(trace, entries, off, i: int, j: int, text: str, raw) -> list | None:
    """The one entry (its further characters as glyph id -1 entries) that
    entries ``[i, j)`` become under the ActualText ``text``, counted in
    ``raw``; None when the text changes nothing or the glyphs lie across lines."""
    if j - i == 1:
        uc = entries[i][0]
        old = chr(uc) if uc > 0 else ""
    elif j > i:
        old = "".join([chr(c[0]) for c in entries[i:j] if c[0] > 0])
    else:
        return None
    if _SAME[(old, text)] or _stranded(old, text):
        return None
    group = entries[i:j]
    size = trace[bisect_right(off, i) - 1]["size"] or 1.0
    ys = [c[2][1] for c in group]
    if max(ys) - min(ys) > 0.5 * size:  # across lines: left as drawn
        return None
    inked = [c for c in group if c[3][2] - c[3][0] > 0.01] or group  # marks' pen points aside
    box = (min([c[3][0] for c in inked]), min([c[3][1] for c in group]),
           max([c[3][2] for c in inked]), max([c[3][3] for c in group]))
    first = group[0]
    base = max(group, key=_advance)  # the base letter's origin, not a raised mark's
    _account(raw, old, text)
    return [(ord(ch), first[1] if n == 0 else -1, base[2], box) for n, ch in enumerate(text)]


def _rebuilt(trace: list[dict], off: list[int], reps: list[tuple[int, int, list]], touched: set[int]) -> list[dict]:
    """The trace with the replacements ``reps`` made in the ``touched`` spans
    (a replacement begun in a span goes there; spans left empty go).
    (:func:`_rebuilt_py`, by the compiled kernel where it is built.)"""
    return _kernel_or(_rebuilt_py, "rebuilt", type(trace) is list and type(touched) is set, trace, off, reps, touched)


def _rebuilt_py(trace: list[dict], off: list[int], reps: list[tuple[int, int, list]], touched: set[int]) -> list[dict]:
    """:func:`_rebuilt`, the reference."""
    spans = []
    r = 0  # the first replacement not behind the span
    for si, span in enumerate(trace):
        if si not in touched:
            if span["chars"]:
                spans.append(span)
            continue
        a, b = off[si], off[si + 1]
        while reps[r][1] <= a:
            r += 1
        chars = span["chars"]
        cs: list = []
        at = a  # the span's entries before ``at`` are taken or replaced
        for q in range(r, len(reps)):
            i, j, new = reps[q]
            if i >= b:
                break
            if i >= a:
                cs += chars[at - a:i - a]
                cs += new
            if j > at:
                at = j
        if at < b:
            cs += chars[at - a:]
        if cs:
            spans.append(_span(span, cs))
    return spans


class _Restates(dict):
    """``table[(uc, text)]``: does an ActualText ``text`` over one glyph mapped
    to ``uc`` (0 or less: to nothing) change nothing in :func:`_apply_actual`
    (it says what the glyph says, :data:`_SAME`, or the glyph is a mark
    stranded from its letter, :func:`_stranded`)?"""

    def __missing__(self, key: tuple[int, str]) -> bool:
        uc, text = key
        old = chr(uc) if uc > 0 else ""
        v = self[key] = bool(_SAME[(old, text)] or _stranded(old, text))
        return v


_RESTATES = _Restates()


def _apart(entries: list, code_at: list[int], k: int, text: str) -> bool:
    """Is code ``k`` surely no piece of a cluster whose text is ``text`` (the
    first test of :func:`_apply_actual`'s ``joins``, failed): one entry,
    mapped to a character ``text`` does not hold?"""
    i = code_at[k]
    if code_at[k + 1] != i + 1 or text == "\0":
        return False
    uc = entries[i][0]
    return uc <= 0 or chr(uc) not in text


def _merge_pieces(actual: list[tuple[int, int, str]], over) -> list[tuple[int, int, str]]:
    """Consecutive ActualText sequences with the same text, one drawn over the
    other (``over(a, b, c)``: the glyphs of ``[b, c)`` sit on those of
    ``[a, b)``), are one cluster cut in pieces (Typst gives a mark drawn
    apart and its letter each the whole cluster's text): one sequence.
    (:func:`_merge_pieces_py`, by the compiled kernel where it is built.)"""
    return _kernel_or(_merge_pieces_py, "merge_pieces", type(actual) is list, actual, over)


def _merge_pieces_py(actual: list[tuple[int, int, str]], over) -> list[tuple[int, int, str]]:
    """:func:`_merge_pieces`, the reference."""
    out: list[tuple[int, int, str]] = []
    for a, b, t in sorted(actual):
        if out and out[-1][1] == a and out[-1][2] == t and over(out[-1][0], a, b):
            out[-1] = (out[-1][0], b, t)
        else:
            out.append((a, b, t))
    return out


def _part_of(glyph: list, group: list, text: str) -> bool:
    """Is ``glyph`` (an entry and its continuation entries) a piece of the
    cluster whose other glyphs ``group`` are, and whose text is ``text``:
    drawn over them (centre inside the box of those with an advance, near
    their baseline) and mapped to nothing ``text`` does not hold? (A mark's
    pen point may lie in the next letter: Chromium's «تُت».)"""
    if not glyph or not group or glyph[0][1] == -1:
        return False
    t = "".join([chr(c[0]) for c in glyph if c[0] > 0])
    if text != "\0" and (not t or not set(t) <= set(text)):
        return False
    b = glyph[0][3]
    inked = [c for c in group if c[3][2] - c[3][0] > 0.01] or group  # (a mark's pen point aside)
    x0 = min([c[3][0] for c in inked])
    x1 = max([c[3][2] for c in inked])
    mid = (b[0] + b[2]) / 2
    gmid = (x0 + x1) / 2
    size = max(b[3] - b[1], 1.0)
    # a mark's pen point (the glyph's, or the group's when it is only marks) sits off its letter
    tol = 0.3 * size if min(b[2] - b[0], x1 - x0) < 0.01 else 0.01
    return (x0 - tol <= mid <= x1 + tol or b[0] - 0.01 <= gmid <= b[2] + 0.01) and abs(
        glyph[0][2][1] - group[0][2][1]) < 0.5 * size


def _advance(c: tuple) -> float:
    return c[3][2] - c[3][0]


def _span(span: dict, chars: list) -> dict:
    """``span`` with ``chars`` as its entries: the span itself when they are
    its own (every one: an ActualText may replace one entry by one inside it)."""
    old = span["chars"]
    if len(chars) == len(old) and all(map(is_, chars, old)):
        return span
    s = dict(span)
    s["chars"] = tuple(chars)
    boxes = [c[3] for c in chars]
    s["bbox"] = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                 max(b[2] for b in boxes), max(b[3] for b in boxes))
    return s


def _account(raw, old: str, new: str) -> None:
    """An ActualText replacing ``old``: a repair, and the change in characters
    (the engine's read count, taken after, is set back to the text as mapped)."""
    d = ink(new) - ink(old)
    raw.repairs["actual_text"] += 1
    raw.account["actual_text"] += d
    raw.account["read"] -= d


# pdfplumber's boxes are in the rotated page: per rotation, the keys of the box
