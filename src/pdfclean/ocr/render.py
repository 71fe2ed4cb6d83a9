"""A page as an image: rendered upright through the deskew rotation
(:func:`_render`), at the scale of its scan (:func:`page_units`), evened out
and stretched for Tesseract (:func:`preprocess`), and the skew measured
(:func:`estimate_skew`: projection profiles). MuPDF is taken in turn
(:data:`MUPDF_LOCK`)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from ..mupdf import load as _load_pymupdf
from .common import DESKEW_DPI, MAX_SKEW, OcrError, _short, _Word


@dataclass
class _Render:
    """A page rendered upright: pixel (x, y) is page point
    ((x + ox) / zoom + dx, (y + oy) / zoom + dy) of the straightened page."""

    img: object  # numpy uint8 array (height, width)
    dpi: float  # dots per inch of the paper (what Tesseract is told)
    ox: float
    oy: float
    dx: float
    dy: float
    units: float = 72.0  # page units per inch of the paper (72: the box is the paper)

    @property
    def zoom(self) -> float:
        """Pixels per page unit."""
        return self.dpi / self.units

    def to_points(self, w: _Word) -> _Word:
        z = self.zoom
        w.x0, w.x1 = (w.x0 + self.ox) / z + self.dx, (w.x1 + self.ox) / z + self.dx
        w.y0, w.y1 = (w.y0 + self.oy) / z + self.dy, (w.y1 + self.oy) / z + self.dy
        w.base = (w.base + self.oy) / z + self.dy
        return w

    def box(self, w: _Word, pad: float = 0.0) -> tuple[int, int, int, int]:
        """A word's box (points) in this image's pixels: x0, y0, x1, y1, clipped."""
        z = self.zoom
        h, wd = self.img.shape  # type: ignore[attr-defined]
        x0 = int((w.x0 - self.dx) * z - self.ox - pad)
        x1 = int((w.x1 - self.dx) * z - self.ox + pad) + 1
        y0 = int((w.y0 - self.dy) * z - self.oy - pad)
        y1 = int((w.y1 - self.dy) * z - self.oy + pad) + 1
        return max(0, x0), max(0, y0), min(wd, x1), min(h, y1)


def _mupdf_errors() -> tuple[type[BaseException], ...]:
    """What MuPDF raises about a page it cannot draw (a broken image, a bad
    stream): the PDF's fault. A ``TypeError``/``ValueError`` from PyMuPDF's
    bindings is a bad argument of ours and is not among them."""
    pymupdf = _load_pymupdf()

    errs: list[type[BaseException]] = [RuntimeError]
    base = getattr(getattr(pymupdf, "mupdf", None), "FzErrorBase", None)
    if isinstance(base, type):
        errs.append(base)
    return tuple(errs)


def _pixmap(page, zoom: float, angle: float = 0.0):
    """The page drawn grey at ``zoom`` pixels per unit (through a rotation by
    ``angle``): a Matrix, never a dpi — PyMuPDF ≥ 1.24 wants an integer dpi,
    and a scan's page box gives any scale. A page MuPDF cannot draw is an
    :class:`OcrError` (the PDF's); anything else raised here is ours."""
    pymupdf = _load_pymupdf()

    mat = pymupdf.Matrix(zoom, zoom)
    if angle:
        mat = mat.prerotate(angle)
    try:
        return page.get_pixmap(matrix=mat, colorspace=pymupdf.csGRAY, alpha=False)
    except _mupdf_errors() as e:
        raise OcrError(f"cannot render the page ({_short(e)})") from None


def _samples(pix):
    import numpy as np

    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]


def _render(page, dpi: float, angle: float, units: float = 72.0) -> _Render:
    rect = page.rect
    pix = _pixmap(page, dpi / units, angle)
    img = _samples(pix)
    # the rotation is undone about the page centre as a whole (a translation)
    cx, cy = (rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2
    rad = math.radians(angle)
    dx = cx - (cx * math.cos(rad) - cy * math.sin(rad)) - rect.x0
    dy = cy - (cx * math.sin(rad) + cy * math.cos(rad)) - rect.y0
    return _Render(img, dpi, pix.x, pix.y, dx, dy, units)


# --------------------------------------------------------------------------
# the scale of a scan

#: paper sizes (inches) a scan's pixel count is matched against when its
#: page box says nothing of its resolution
PAPERS = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0), "Legal": (8.5, 14.0), "A5": (5.83, 8.27),
          "B5": (6.93, 9.84), "JIS B5": (7.17, 10.12), "A3": (11.69, 16.54), "Tabloid": (11.0, 17.0)}
SCAN_DPIS = (100, 150, 200, 240, 300, 400, 600)  # resolutions scanners write: a guess snaps to one
PAPER_FIT = 0.02  # the pixel count's aspect within this of a paper's
ASSUMED_DPI = 200  # a scan whose paper nothing tells is taken for this resolution
MIN_COVER = 0.3  # an image covering this share of the page is the page's scan
MIN_DPI = 100  # a scan recorded under this resolution is measured by its pixels
MAX_PAPER = 24 * 72.0  # a page box longer than this (points) is no paper a scanner takes


def page_units(page) -> float:
    """Page units per inch of the paper, for rendering ``page`` by the pixels
    of its scan rather than by an assumed resolution.

    The page box is the paper (72 units an inch; MuPDF applies /UserUnit)
    unless the page is a scan whose box cannot be its paper: an image of
    exactly one pixel per unit (what img2pdf and many scanners write when no
    resolution is recorded: a 1275 × 1650 pt page for a Letter page at
    150 dpi), under 100 dpi, or a box larger than any paper
    (:data:`MAX_PAPER`: a 300 dpi scan recorded as 72 or 96 dpi). Then the
    paper is found from the pixel count — the standard size
    (:data:`PAPERS`) whose aspect it has, at a resolution scanners use — or,
    failing that, a one-pixel-per-unit scan is taken for
    :data:`ASSUMED_DPI`. Rotation (/Rotate, or an image drawn turned)
    changes nothing: the image's pixels are measured along its own axes."""
    dens, px = scan_density(page)
    if dens is None:
        return 72.0
    rect = page.rect
    pixel_box = abs(dens - 1.0) <= 0.01
    if not pixel_box and 72.0 * dens >= MIN_DPI and max(rect.width, rect.height) <= MAX_PAPER:
        return 72.0
    dpi = paper_dpi(*px)
    if dpi:
        return dpi / dens
    return float(ASSUMED_DPI) if pixel_box else 72.0


def scan_density(page) -> tuple[float | None, tuple[int, int]]:
    """Pixels per page unit of the scan that covers most of ``page`` (at
    least :data:`MIN_COVER` of it), and its size in pixels; (None, (0, 0))
    for a page with no such image. A scan cut into strips or tiles (images
    of one density side by side) counts as one: its pixel size is the
    strips' box times the density."""
    rect = page.rect
    area = max(1e-6, rect.width * rect.height)
    try:
        infos = page.get_image_info()
    except _mupdf_errors():
        return None, (0, 0)
    groups: dict[float, list] = {}  # density → [cover, x0, y0, x1, y1, largest (w, h), its cover]
    for info in infos:
        w, h = int(info.get("width") or 0), int(info.get("height") or 0)
        a, b, c, d = (float(v) for v in (info.get("transform") or (0, 0, 0, 0))[:4])
        lx, ly = math.hypot(a, b), math.hypot(c, d)
        if w < 2 or h < 2 or lx <= 0 or ly <= 0:
            continue
        x0, y0, x1, y1 = info["bbox"]
        cw = max(0.0, min(x1, rect.x1) - max(x0, rect.x0))
        ch = max(0.0, min(y1, rect.y1) - max(y0, rect.y0))
        cover = cw * ch / area
        dens = math.sqrt(w / lx * h / ly)
        key = round(dens, 2)
        g = groups.setdefault(key, [0.0, x0, y0, x1, y1, (w, h), 0.0, dens])
        g[0] += cover
        g[1], g[2], g[3], g[4] = min(g[1], x0), min(g[2], y0), max(g[3], x1), max(g[4], y1)
        if cover > g[6]:
            g[5], g[6] = (w, h), cover
    if not groups:
        return None, (0, 0)
    cover, x0, y0, x1, y1, largest, one, dens = max(groups.values(), key=lambda g: g[0])
    if cover < MIN_COVER:
        return None, (0, 0)
    if one >= 0.95 * cover:
        return dens, largest
    return dens, (round((x1 - x0) * dens), round((y1 - y0) * dens))


def paper_dpi(w: int, h: int) -> float | None:
    """The resolution at which a ``w`` × ``h`` pixel scan is a standard paper
    size (snapped to a common scanner resolution within 3 %), or None.

    >>> paper_dpi(1275, 1650), paper_dpi(2480, 3508), paper_dpi(1654, 2339), paper_dpi(1000, 1000)
    (150.0, 300.0, 200.0, None)
    """
    short, long_ = sorted((w, h))
    for pw, ph in PAPERS.values():
        a, b = short / pw, long_ / ph
        if abs(a / b - 1.0) > PAPER_FIT:
            continue
        dpi = (a + b) / 2
        if not 90 <= dpi <= 1250:
            continue
        near = min(SCAN_DPIS, key=lambda d: abs(d - dpi))
        return float(near) if abs(near - dpi) <= 0.03 * near else round(dpi, 1)
    return None


MUPDF_LOCK = threading.RLock()
"""Held around every MuPDF call of the OCR path (PyMuPDF is not thread-safe):
pages read in parallel take turns to render; Tesseract runs outside it."""


def _on_page(doc, number: int, fn):
    """``fn(page)`` with MuPDF to ourselves: the page object is made, used and
    dropped under :data:`MUPDF_LOCK`; ``fn`` must return plain data."""
    with MUPDF_LOCK:
        page = doc[number - 1]
        try:
            return fn(page)
        finally:
            del page


def stretch_contrast(img):
    """Grey levels stretched so that the darkest 1 % is black and the
    lightest 0.5 % white: scans are often grey on grey, and Tesseract's
    binarisation loses thin strokes and dots on them."""
    import numpy as np

    lo, hi = np.percentile(img, 1), np.percentile(img, 99.5)
    if hi - lo < 32:
        return img
    out = (img.astype(np.float64) - lo) * (255.0 / (hi - lo))  # float64 under any NumPy (1.x kept float32)
    return np.clip(out, 0, 255).astype(np.uint8)


LIGHT_BLOCK = 48  # pixels: the paper's brightness is measured in blocks this size …
LIGHT_UNEVEN = 40  # … and evened out when the blocks' paper differs by more grey levels than this


def even_light(img):
    """Light falling off across the page (a camera, a book's gutter) evened
    out: the paper's brightness is measured in each block (its 97th
    percentile: text always leaves more of a block bare than that) and spread
    back to every pixel between the blocks' centres (beyond the outer ones
    it stays theirs); each pixel is divided by it. A page whose paper is
    evenly lit (every scanner's) is returned as it is."""
    import numpy as np

    h, w = img.shape
    b = LIGHT_BLOCK
    if h < 2 * b or w < 2 * b:
        return img
    hb, wb = h // b, w // b
    blocks = img[: hb * b, : wb * b].reshape(hb, b, wb, b).swapaxes(1, 2).reshape(hb, wb, b * b)
    paper = np.percentile(blocks, 97, axis=2).astype(np.float32)
    lo, hi = np.percentile(paper, 5), np.percentile(paper, 95)
    if hi - lo <= LIGHT_UNEVEN:
        return img
    ys = np.minimum((np.arange(h) + 0.5) / b - 0.5, hb - 1).clip(0)
    xs = np.minimum((np.arange(w) + 0.5) / b - 0.5, wb - 1).clip(0)
    y0, x0 = ys.astype(int), xs.astype(int)
    y1, x1 = np.minimum(y0 + 1, hb - 1), np.minimum(x0 + 1, wb - 1)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    top = paper[y0][:, x0] * (1 - fx) + paper[y0][:, x1] * fx
    bottom = paper[y1][:, x0] * (1 - fx) + paper[y1][:, x1] * fx
    light = np.maximum(top * (1 - fy) + bottom * fy, 1.0)
    return np.clip(img.astype(np.float32) * (255.0 / light), 0, 255).astype(np.uint8)


def preprocess(img):
    """What Tesseract is given: the light evened out, then the contrast stretched."""
    return stretch_contrast(even_light(img))


PREPROCESS = preprocess  # image → image before Tesseract


def _otsu(img) -> int:
    """Otsu's threshold of a grayscale image (ink is darker than it)."""
    import numpy as np

    hist = np.bincount(img.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if not total:
        return 128
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 / total - m0) ** 2 / (w0 * w1)
    between = np.nan_to_num(between[:-1])
    return int(np.argmax(between)) + 1


def estimate_skew(page, dpi: float = DESKEW_DPI, max_angle: float = MAX_SKEW) -> float:
    """The rotation (degrees, MuPDF's sense) that makes the page's text lines
    horizontal: the angle whose horizontal ink projection is sharpest."""
    return skew_of(_skew_image(page, dpi, page_units(page)), max_angle)


DESKEW_PIXELS = 4_000_000


def _skew_image(page, dpi: float = DESKEW_DPI, units: float = 72.0):
    """The page rendered small and grey for :func:`skew_of` (a numpy array):
    ``dpi`` dots per inch of the paper, at most :data:`DESKEW_PIXELS`."""
    rect = page.rect
    zoom = min(dpi / units, math.sqrt(DESKEW_PIXELS / max(1.0, rect.width * rect.height)))
    return _samples(_pixmap(page, zoom))


def skew_of(img, max_angle: float = MAX_SKEW) -> float:
    """Skew angle of a grayscale page image (see :func:`estimate_skew`)."""
    import numpy as np

    ink = img < min(_otsu(img), 200)
    share = ink.mean()
    if share < 0.001 or share > 0.4:  # blank, or a photograph
        return 0.0
    ys, xs = np.nonzero(ink)
    if len(xs) > 300_000:
        step = len(xs) // 300_000 + 1
        ys, xs = ys[::step], xs[::step]
    xs = xs.astype(np.float64) - img.shape[1] / 2
    ys = ys.astype(np.float64)

    def score(a: float) -> float:
        r = math.radians(a)
        y = xs * math.sin(r) + ys * math.cos(r)
        y = np.round(y - y.min()).astype(np.int64)
        h = np.bincount(y).astype(np.float64)
        return float(np.sum(np.diff(h) ** 2))

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.25)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, 0.02)
    best = max(fine, key=score)
    return round(float(best), 2)
