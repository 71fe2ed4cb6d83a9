"""Page images for the report: each page's size, rotation and image (a
``data:`` URI), rendered by MuPDF."""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass

from ..mupdf import load as _load_pymupdf
from .common import DEFAULT_DPI, MAX_IMAGE_PAGES, MAX_IMAGE_SIDE, PdfInput


@dataclass
class PageView:
    """How a page is drawn: its size in points (as displayed, rotation applied),
    the matrix taking extraction coordinates (unrotated page, points, y down)
    to displayed ones, and the image as a data URI (None: not rendered)."""

    number: int
    width: float = 595.0
    height: float = 842.0
    matrix: tuple[float, float, float, float, float, float] = (1, 0, 0, 1, 0, 0)
    src: str | None = None
    px: tuple[int, int] = (0, 0)
    note: str | None = None  # why there is no image

    def percent_box(self, bbox, displayed: bool = False) -> tuple[float, float, float, float] | None:
        """(left, top, width, height) in percent of the displayed page, clipped.
        ``displayed``: the box is in displayed coordinates already (OCR reads
        the page as displayed, its /Rotate applied)."""
        try:
            x0, y0, x1, y1 = (float(v) for v in bbox)
        except (TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            return None
        a, b, c, d, e, f = (1, 0, 0, 1, 0, 0) if displayed else self.matrix
        pts = [(a * x + c * y + e, b * x + d * y + f) for x, y in ((x0, y0), (x1, y1))]
        xs, ys = sorted(p[0] for p in pts), sorted(p[1] for p in pts)
        W, H = self.width or 1.0, self.height or 1.0
        left, right = max(0.0, xs[0] / W * 100), min(100.0, xs[1] / W * 100)
        top, bottom = max(0.0, ys[0] / H * 100), min(100.0, ys[1] / H * 100)
        if right <= left or bottom <= top:
            return None
        return left, top, max(right - left, 0.3), max(bottom - top, 0.3)


def render_pages(pdf: PdfInput | None, numbers: Iterable[int], *, password: str | None = None,
                 dpi: float = DEFAULT_DPI, color: bool = False,
                 max_images: int = MAX_IMAGE_PAGES) -> dict[int, PageView]:
    """A :class:`PageView` per page number: size, rotation and the page image
    (grayscale by default, so the coloured outlines stand out; PNG or JPEG,
    whichever is smaller). A page that cannot be rendered gets no image and a
    note; the report is still written."""
    numbers = list(numbers)
    views = {n: PageView(n) for n in numbers}
    if pdf is None:
        for v in views.values():
            v.note = "no PDF given"
        return views
    try:
        pymupdf = _load_pymupdf()

        if isinstance(pdf, (bytes, bytearray, memoryview)):
            doc = pymupdf.open(stream=bytes(pdf), filetype="pdf")
        else:
            doc = pymupdf.open(os.fspath(pdf), filetype="pdf")
    except Exception as e:  # noqa: BLE001 - the report is still useful without images
        for v in views.values():
            v.note = f"the PDF could not be opened for rendering ({type(e).__name__})"
        return views
    try:
        if doc.needs_pass and not doc.authenticate(password or ""):
            for v in views.values():
                v.note = "encrypted PDF: no password to render it"
            return views
        for i, n in enumerate(numbers):
            v = views[n]
            if not 1 <= n <= doc.page_count:
                v.note = "no such page"
                continue
            try:
                page = doc[n - 1]
                rect = page.rect
                v.width, v.height = float(rect.width) or 1.0, float(rect.height) or 1.0
                m = page.rotation_matrix
                v.matrix = (m.a, m.b, m.c, m.d, m.e, m.f)
                if i >= max_images:
                    v.note = f"image not embedded (more than {max_images} pages)"
                    continue
                zoom = min(dpi / 72.0, MAX_IMAGE_SIDE / max(v.width, v.height, 1.0))
                cs = pymupdf.csRGB if color else pymupdf.csGRAY
                pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=cs, alpha=False)
                png = pix.tobytes("png")
                jpg = pix.tobytes("jpeg", jpg_quality=70)
                data, mime = (png, "image/png") if len(png) <= len(jpg) else (jpg, "image/jpeg")
                v.src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
                v.px = (pix.width, pix.height)
            except Exception as e:  # noqa: BLE001
                v.note = f"page could not be rendered ({type(e).__name__})"
    finally:
        doc.close()
    return views
