"""What the engines call: an engine's glyphs with the page's marks applied."""

from __future__ import annotations

from .reader import Reader
from .syntax import MarkedError


def glyphs(reader: Reader, source, count, apply, read, raw, warnings: list[str]) -> list:
    """The engine's glyphs (``read(source)``) with the page's marked content
    applied: ``count(source)`` glyph codes must match the scan's, else the
    page is read as if unmarked, with a warning."""
    n = raw.number
    try:
        marks = reader.page(n - 1)
    except MarkedError as e:
        warnings.append(f"page {n}: marked content (ActualText, artifacts) not read ({e})")
        return read(source)
    if not marks:
        return read(source)
    seen = count(source)
    if seen != marks.codes:
        warnings.append(f"page {n}: marked content (ActualText, artifacts) not applied: the engine "
                        f"drew {seen} glyphs, the content stream shows {marks.codes}")
        return read(source)
    out: list = []
    for part, kind in apply(source, marks, raw):
        gs = read(part)
        if kind:
            for g in gs:
                g.artifact = kind
        out += gs
    return out
