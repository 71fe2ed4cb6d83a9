"""Triage of pages with no text layer: is the text drawn as outlines
(:func:`outlined_text`), so that the page needs OCR rather than being blank?
(The other triage rules, on the text layer, are
:func:`pdfclean.pipeline.needs_ocr`.)"""

from __future__ import annotations

from ..mupdf import load as _load_pymupdf
from .render import MUPDF_LOCK, _mupdf_errors


OUTLINE_MIN_PATHS = 150  # filled paths of glyph size a page of outlined text has at least
OUTLINE_MAX_EM = 0.06  # … each at most this share of the page height tall
OUTLINE_ROWS = 8  # … standing on at least this many rows
OUTLINE_AREA = 0.1  # … spread over at least this share of the page


def outlined_text(page) -> bool:
    """Is the page's text drawn as filled outlines (Ghostscript's
    ``-dNoOutputFonts``, "convert text to curves" in design tools), with no
    text layer to read? Many small filled paths, of a glyph's height, on many
    rows, over a text-like area; a chart or a drawing has fewer, larger ones."""
    rect = page.rect
    if rect.width < 1 or rect.height < 1:
        return False
    try:
        paths = page.get_cdrawings()
    except _mupdf_errors():
        return False
    small = []
    for d in paths:
        if "f" not in (d.get("type") or "") or d.get("fill") is None:
            continue
        x0, y0, x1, y1 = d["rect"]
        if 0 < y1 - y0 <= OUTLINE_MAX_EM * rect.height and x1 - x0 <= 0.5 * rect.width:
            small.append((x0, y0, x1, y1))
    if len(small) < OUTLINE_MIN_PATHS:
        return False
    heights = sorted(b[3] - b[1] for b in small)
    em = max(1.0, heights[len(heights) // 2])
    rows = {round(b[3] / em) for b in small}
    x0, y0 = min(b[0] for b in small), min(b[1] for b in small)
    x1, y1 = max(b[2] for b in small), max(b[3] for b in small)
    return len(rows) >= OUTLINE_ROWS and (x1 - x0) * (y1 - y0) >= OUTLINE_AREA * rect.width * rect.height


def outlined_pages(data: bytes, password: str | None, numbers: list[int]) -> set[int]:
    """Which of the pages ``numbers`` (1-based) hold text drawn as outlines
    (:func:`outlined_text`); none when the PDF cannot be opened here."""
    pymupdf = _load_pymupdf()

    out: set[int] = set()
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception:  # noqa: BLE001 — the engine has read it; nothing to add
        return out
    with MUPDF_LOCK:
        try:
            if doc.needs_pass and not (password and doc.authenticate(password)):
                return out
            for n in numbers:
                if 1 <= n <= doc.page_count and outlined_text(doc[n - 1]):
                    out.add(n)
        finally:
            doc.close()
    return out
