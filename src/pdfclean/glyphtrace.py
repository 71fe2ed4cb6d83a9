"""MuPDF's text trace read into glyphs: the PyMuPDF engine's per-glyph loop.

:func:`read_trace` is the loop in Python, the reference; the compiled kernel
(``pdfclean._kernel``, from ``_kernel.c``, :data:`pdfclean.kernel.KERNEL`) has
its transcription, which :meth:`pdfclean.engines.PyMuPDFEngine._glyphs` uses
where it is built (tests/test_kernel.py holds the two to the same output).
"""

from __future__ import annotations

from .model import Glyph, TraceGlyph
from .quirks import _cells


class _CharTable(dict):
    """``table[code point]``: its one-character string, made once, so that
    the glyphs of a page share their text objects (compared and looked up
    by identity, their hash computed once)."""

    def __missing__(self, cp: int) -> str:
        ch = self[cp] = chr(cp)
        return ch



CHARS = _CharTable()




def read_trace(trace: list[dict], W: float, H: float, odd: bytes, chars_of: dict,
                bold_name: dict) -> tuple[list[Glyph], list[tuple], int, int, bool]:
    """The glyphs of a page's text trace (see :meth:`PyMuPDFEngine._glyphs`),
    the glyphs to ask the font program about (``fix``), the characters drawn
    turned and drawn outside the page (``W`` × ``H``), and whether some text
    may be drawn twice (a stroked span, or two spans of as many glyphs at one
    place). The compiled kernel's ``read_trace`` is this loop transcribed."""
    glyphs: list[Glyph] = []
    turned = outside = 0
    spans: dict[tuple, list[tuple]] = {}  # (glyph count, grid cell) -> span boxes
    maybe_twice = False
    fix: list[tuple] = []
    for span in trace:
        d = span["dir"]
        chars = span["chars"]
        if abs(d[1]) > 0.05 or d[0] <= 0:  # only horizontal, upright text
            turned += sum(1 for c in chars if c[0] > 0 and not chr(c[0]).isspace())
            continue
        size = span["size"]
        bb = span["bbox"]  # the union of its glyphs' boxes
        if not size or size < 1.0:  # Type 3 fonts may report 0: use the box height
            size = max(1.0, bb[3] - bb[1])
        kind = span["type"]
        if not maybe_twice:  # text drawn twice? (stroked copy, shadow): checked per span
            if kind == 1:
                maybe_twice = True
            else:  # a span like it (count, box within tol) stored in a cell near it
                tol = 0.12 * size
                cells = _cells(len(chars), bb[0], bb[1], tol)
                for key in cells:
                    for o in spans.get(key, ()):
                        if abs(o[0] - bb[0]) < tol and abs(o[1] - bb[1]) < tol and abs(o[2] - bb[2]) < tol:
                            maybe_twice = True
                spans.setdefault(cells[0], []).append(bb)
        font = span["font"]
        bold = bool(span["flags"] & 16) or bold_name[font] or kind == 1
        inside = bb[0] >= 0 and bb[1] >= 0 and bb[2] <= W and bb[3] <= H
        outside += span_glyphs(chars, glyphs, fix, span, size, font, bold, inside, W, H, odd, chars_of)
    return glyphs, fix, turned, outside, maybe_twice


def span_glyphs(chars, glyphs: list[Glyph], fix: list[tuple], span: dict, size: float, font: str, bold: bool,
                 inside: bool, W: float, H: float, odd: bytes, chars_of: dict) -> int:
    """The glyphs of one text-trace span (``chars``), appended to ``glyphs``
    (:meth:`PyMuPDFEngine._glyphs` has worked out what the span's glyphs
    share); the glyphs to ask the font program about appended to ``fix``.
    Returns the non-space characters drawn outside the page (``inside``: the
    span's box is on it, so no glyph need be checked). The compiled kernel's
    ``span_glyphs`` is this loop transcribed."""
    outside = 0
    append = glyphs.append
    kept = False
    for uc, gid, origin, (x0, y0, x1, y1) in chars:
        if odd[uc]:  # no character (<= 0), U+FFFD, private use, a control: ask the font
            if uc <= 0:
                continue
            if gid != -1:
                kept = inside or (x1 >= 0 and x0 <= W and y1 >= 0 and y0 <= H)
            if kept:  # the glyph it is (or is part of)
                fix.append((len(glyphs) - (gid == -1), gid, span))
        if gid == -1:  # more characters of the previous glyph
            if kept:
                glyphs[-1].text += chr(uc)
            elif not chr(uc).isspace():
                outside += 1
            continue
        kept = inside or (x1 >= 0 and x0 <= W and y1 >= 0 and y0 <= H)
        if kept:
            g = TraceGlyph(chars_of[uc], x0, y0, x1, y1, origin[1], size, font, bold)
            g.gid = gid
            append(g)
        elif not chr(uc).isspace():
            outside += 1
    return outside

