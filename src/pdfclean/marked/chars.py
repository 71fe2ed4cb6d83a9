"""Marks applied to pdfplumber's chars."""

from __future__ import annotations

from .syntax import Marks
from .trace import _account, _kinds, _merge_pieces, _SAME, _stranded


_AXES = {0: ("x0", "x1", "bottom"), 90: ("top", "bottom", "x0"), 180: ("x0", "x1", "top"),
         270: ("top", "bottom", "x1")}


def _char_part_of(c: dict, group: list[dict], text: str, ax=_AXES[0]) -> bool:
    """:func:`_part_of` for pdfplumber's chars."""
    t = c.get("text") or ""
    if not group or text != "\0" and (not t or not set(t) <= set(text)):
        return False
    a, b, base = ax
    inked = [g for g in group if float(g[b]) - float(g[a]) > 0.01] or group
    x0 = min(float(g[a]) for g in inked)
    x1 = max(float(g[b]) for g in inked)
    cx0, cx1 = float(c[a]), float(c[b])
    mid, gmid = (cx0 + cx1) / 2, (x0 + x1) / 2
    size = _char_size(c)
    tol = 0.3 * size if min(cx1 - cx0, x1 - x0) < 0.01 else 0.01  # (as in _part_of)
    return (x0 - tol <= mid <= x1 + tol or cx0 - 0.01 <= gmid <= cx1 + 0.01) and abs(
        float(c[base]) - float(group[0][base])) < 0.5 * size


def _char_size(c: dict) -> float:
    """A char's font size (pdfminer's ``size`` is a box side, the wrong one on a turned page)."""
    return max(float(c.get("size") or 0), float(c["bottom"]) - float(c["top"]),
               float(c["x1"]) - float(c["x0"]), 1.0)


def apply_chars(chars: list[dict], marks: Marks, raw, rotation: int = 0) -> list[tuple[list[dict], str | None]]:
    """pdfplumber's chars (one per code) with ``marks`` applied, as :func:`apply_trace`
    (``rotation``: the page's, which pdfplumber's boxes are turned by)."""
    out = list(chars)
    ax = _AXES.get(rotation % 360, _AXES[0])
    a_, b_, base_ = ax
    actual = _merge_pieces(marks.actual, lambda a, b, c: b < len(chars) and _char_part_of(
        chars[b], chars[a:b], "\0", ax))
    covered = {c for a, b, _t in actual for c in range(a, b)}
    for start, end, text in actual:
        end = min(end, len(chars))
        while start > 0 and start - 1 not in covered and _char_part_of(
                chars[start - 1], chars[start:end], text, ax):
            start -= 1
        while end < len(chars) and end not in covered and _char_part_of(chars[end], chars[start:end], text, ax):
            end += 1
        covered.update(range(start, end))
        group = chars[start:end]
        if not group:
            continue
        old = "".join(c["text"] or "" for c in group)
        if _SAME[(old, text)] or _stranded(old, text):
            continue
        size = max(_char_size(c) for c in group)
        bases = [float(c[base_]) for c in group]
        if max(bases) - min(bases) > 0.5 * size:  # across lines: left as drawn
            continue
        c = dict(max(group, key=lambda g: float(g[b_]) - float(g[a_])))  # the base letter's origin
        c["text"] = text
        inked = [g for g in group if float(g[b_]) - float(g[a_]) > 0.01] or group  # marks' pen points aside
        for key, f in (("x0", min), ("top", min), ("x1", max), ("bottom", max)):
            c[key] = f(float(g[key]) for g in (inked if key in (a_, b_) else group))
        out[start] = c
        for i in range(start + 1, end):
            out[i] = None
        _account(raw, old, text)
    if not marks.artifacts:
        return [([c for c in out if c is not None], None)]
    parts: list[tuple[list[dict], str | None]] = []
    cur: list[dict] = []
    cur_kind: str | None = None
    kinds = _kinds(marks)
    for i, c in enumerate(out):
        if c is None:
            continue
        kind = kinds[i]
        if kind != cur_kind:
            if cur:
                parts.append((cur, cur_kind))
            cur, cur_kind = [], kind
        cur.append(c)
    if cur:
        parts.append((cur, cur_kind))
    return parts
