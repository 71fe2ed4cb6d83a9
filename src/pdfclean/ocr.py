"""OCR with Tesseract: a page image to word glyphs for the usual pipeline.

The pipeline calls this for the pages that need it (no text layer, a garbled
one, little text over an image; see :func:`pdfclean.pipeline.needs_ocr`)::

    doc = open_document(data, password)       # OcrUnavailable: no Tesseract
    res = ocr_page(doc, 3, "ara+fas+eng")    # OcrResult(glyphs, confidence, …)
    got = read_pages(doc, [1, 2, 3], jobs=2)  # {page: OcrResult or its error}, 2 at once

and rebuilds the page from ``res.glyphs`` through the same stages as a text
layer. How a page is read:

1. **Deskew** (:func:`estimate_skew`). The page is rendered small (100 dpi,
   grey), binarised (Otsu), and the angle within ±5° that makes the
   horizontal projection of the ink sharpest is found (a coarse, then a fine
   search). Tesseract's orientation detection is unreliable on Arabic; the
   projection profile is not.
2. **Render.** The page is rendered again *through a rotation by that angle*,
   so MuPDF resamples the scan (or draws the vector text) once, straight into
   an upright image. Very large pages get a lower resolution so that an image
   stays under 40 megapixels; one page is in memory at a time.
3. **Read** (:func:`read_page`). ``tesseract`` runs as a subprocess (no
   shell, one thread, a timeout) and returns hOCR: lines with their baseline,
   words with box, confidence and text. Tesseract 4/5 (LSTM) gives every word
   in logical order; pdfclean never reverses it. One reading is not enough:

   * With several languages Tesseract reads a line in the first and retries
     doubtful words in the others; with ``eng`` among them Arabic words come
     back as Latin garbage («في» → «fy»), and the Arabic model alone reads
     English as digit soup («COP29» → «00229») and Eastern digits badly. So a
     page with Arabic-script text is read with all the languages (at 200 dpi)
     and with the page's own right-to-left language (``ara`` or ``fas``, from
     the first reading; at 300 dpi), and the two are combined row by row and
     word by word (:func:`combine`, :func:`_better`). Two readings at two
     resolutions also rarely drop the same line: Tesseract's layout analysis
     sometimes loses a whole line of tight Arabic text.
   * Ink that no word covers, a line's worth, is read again on its own, the
     recognised words painted out (:func:`uncovered_rows`).
   * Words that may be English or numbers (Western digits, Latin words of
     middling confidence) are read again with the English model, their images
     stacked in one strip: «9060» → «60%», «2» → «2.» (:func:`reread_latin`).

   About four Tesseract runs and 3–4 s a page (A4, one core).
4. **Glyphs** (:func:`_glyphs`). Each word becomes one
   :class:`~pdfclean.model.Glyph` in the coordinates of the straightened page
   (PDF points, top-left origin): its x extent is the word's ink box, its
   baseline its line's. Its size and vertical extent are those of a font box,
   the same for all the words of a line: the size comes from how wide the
   line's characters are (Tesseract's word heights are unreliable) and is
   snapped to the page's body size or a few others, so that paragraph breaks
   and heading detection see what they see in a text layer. Bold comes from
   stroke width. A space glyph is put between neighbouring words, so word
   spaces do not depend on gaps. Specks and punctuation noise are dropped,
   and Tesseract's systematic misreadings corrected (:func:`fix_word`: Arabic
   comma read as «,» «ء» or «»», Persian letters and digits in Arabic text and
   the other way round, the nisba «ـى» for «ـي»; a list bullet read as «٠»).

Several pages of a document are read at once by :func:`read_pages`: one
thread per page being read, each driving its own Tesseract runs (one thread
each); only the MuPDF rendering is taken in turn (:data:`MUPDF_LOCK`). How
many at once is ``jobs``, or a :class:`Slots` that lends slots (``pdfclean
batch`` lends free ``--jobs`` slots); the result does not depend on it.

The coordinates are those of the *deskewed* page: the rotation is undone about
the page centre only as a whole (a translation), so lines stay horizontal, as
line building needs.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .errors import InternalError, PdfCleanError, PdfError
from .model import Glyph
from .mupdf import load as _load_pymupdf

TESSERACT = "tesseract"  # the binary, looked up on PATH ($PDFCLEAN_TESSERACT overrides)
DEFAULT_LANG = "ara+fas+eng"
DEFAULT_DPI = 300
MAX_PIXELS = 40_000_000  # cap on the rendered page (the dpi is lowered to fit)
TIMEOUT = 120.0  # seconds per Tesseract run
PSM = "3"  # Tesseract page segmentation: fully automatic, no OSD
TESS_CONFIG: tuple[str, ...] = ()  # extra Tesseract variables (name=value)
FULL_DPI = 200  # resolution of the reading with all the languages
RTL_DPIS: tuple[int, ...] = (300,)  # … of the readings with the page's right-to-left language
DESKEW_DPI = 100
MAX_SKEW = 5.0  # degrees
MIN_SKEW = 0.05  # below this the page is not rotated
#: Tesseract languages written right to left
RTL_LANGS = frozenset({"ara", "fas", "per", "urd", "pus", "snd", "uig", "kur", "ckb", "heb", "yid",
                       "syr", "div", "script/Arabic", "script/Hebrew", "script/Syriac", "script/Thaana"})

# font box of a word, in ems from the baseline (like a text layer's glyph boxes)
ASCENT, DESCENT = 0.8, 0.3
#: average advance of an Arabic letter in ems (Amiri 0.35, Noto Naskh 0.41)
CHAR_EM = 0.37
BODY_SNAP = 0.15  # a regular line within this ratio of the page's body size is body text
SIZE_SNAP = 0.08  # other line sizes within this ratio of each other are one size
BOLD_RATIO = 1.2  # stroke width (per em) over the page's typical → bold
BOLD_RATIO_LARGE = 1.06  # … or this on text LARGE times the body size
LARGE = 1.1
NOISE_CONF = 35.0  # a 1-character word under this confidence is a speck
SPECK_CONF = 70.0  # … and so is a line of 1–2 characters under this
SMEAR_CONF, SMEAR_SIZE = 40.0, 3.0  # a line all under this confidence, this many times the usual size: a smear
GAP_EM = 1.5  # a gap this wide (ems) inside a line of some reading is an unread word
GAP_INK = 0.3  # … if this share of its columns has ink
# combining the readings (see combine)
SAME_ROW = 0.25  # lines whose baselines are this close (ems) are segments of one row
ROW_COVER = 0.6  # a reading covering less of a row than this share of the best is not taken
RTL_BONUS = 5.0  # confidence bonus of the right-to-left readings
DIGITS_BONUS = 20.0  # confidence bonus of the all-languages reading's numbers
FILL_CONF = 50.0  # a word where the base reading has nothing needs this
LATIN_LANG = "eng"  # the language words that may be English are read again with
REREAD_CONF = 88.0  # a Latin word or number under this confidence is read again in English
REREAD_ACCEPT = 75.0  # … and the English reading replaces it when this confident
REREAD_FITS = 40.0  # … or, for a number that fills the box the first reading left partly empty, this confident
MAX_REREAD = 60
RTL_WINS_CONF = 75.0  # an Arabic-script reading this confident beats a Latin one
LATIN_MIN_CONF = 50.0  # … and a Latin word under this loses to any more confident one
LATIN_OVER_ARABIC = 80.0  # a Latin word replaces a doubtful Arabic-script one only this confident
DIGITS_OVER_ARABIC = (60.0, 80.0)  # a number replaces an Arabic-script word under the first, if over the second
LATIN_ALONE_CONF = 65.0  # a Latin word where the RTL reading has nothing needs this


class OcrUnavailable(PdfError):
    """Tesseract (or a language's data) is not installed."""


class OcrError(PdfError):
    """OCR of one page failed (timeout, Tesseract error)."""


@dataclass
class OcrResult:
    glyphs: list[Glyph]
    confidence: float | None  # mean word confidence (0–100), None: no words
    angle: float = 0.0  # deskew rotation applied (degrees)
    dpi: float = DEFAULT_DPI  # resolution of the main reading, in dots per inch of the paper
    runs: int = 0  # Tesseract runs
    width: float | None = None  # the page as read (rotated by /Rotate), in PDF points
    height: float | None = None
    units: float = 72.0  # page units per inch of the paper (see :func:`page_units`)
    lines: list[dict] = field(default_factory=list)  # per line: text, size, bold (for debugging)


# --------------------------------------------------------------------------
# availability

_LANGS: dict[str, frozenset[str]] = {}


def tesseract_path() -> str:
    """The Tesseract binary, or :class:`OcrUnavailable`."""
    name = os.environ.get("PDFCLEAN_TESSERACT") or TESSERACT
    path = shutil.which(name)
    if not path:
        raise OcrUnavailable(f"Tesseract is not installed: no {name!r} on PATH (Debian: apt-get "
                             "install tesseract-ocr tesseract-ocr-ara tesseract-ocr-fas)")
    return path


def installed_languages(path: str | None = None) -> frozenset[str]:
    """Languages Tesseract has data for (cached per binary)."""
    path = path or tesseract_path()
    if path not in _LANGS:
        try:
            r = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30,
                               env=_env(), check=False)
        except (OSError, subprocess.SubprocessError) as e:
            raise OcrUnavailable(f"Tesseract does not run ({_short(e)})") from None
        if r.returncode != 0:
            raise OcrUnavailable(f"Tesseract does not run (exit code {r.returncode})")
        out = (r.stdout or "") + "\n" + (r.stderr or "")
        langs = [ln.strip() for ln in out.splitlines()
                 if re.fullmatch(r"[\w\-]+(/[\w\-]+)?", ln.strip())]
        _LANGS[path] = frozenset(langs)
    return _LANGS[path]


def check(lang: str = DEFAULT_LANG) -> str:
    """The Tesseract binary, once it is known to read ``lang`` («ara+fas+eng»)."""
    if not re.fullmatch(r"[A-Za-z0-9_\-/]+(\+[A-Za-z0-9_\-/]+)*", lang or "") or ".." in lang:
        raise OcrUnavailable(f"bad OCR language {lang!r} (use Tesseract codes, e.g. ara+fas+eng)")
    path = tesseract_path()
    have = installed_languages(path)
    missing = [x for x in lang.split("+") if x not in have]
    if missing:
        deb = " ".join(f"tesseract-ocr-{m.lower().replace('_', '-')}" for m in missing if "/" not in m)
        raise OcrUnavailable(
            f"Tesseract has no data for {'+'.join(missing)} (installed: "
            f"{', '.join(sorted(have - {'osd'})) or 'none'}" + (f"; Debian: apt-get install {deb})" if deb else ")"))
    return path


def open_document(data: bytes, password: str | None = None, lang: str | None = None):
    """The PDF opened for rendering (a ``pymupdf.Document``), once Tesseract
    is known to be there (and to read ``lang``, when given)."""
    if lang:
        check(lang)
    else:
        tesseract_path()
    pymupdf = _load_pymupdf()

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:  # MuPDF raises several types
        raise PdfError(f"not a readable PDF ({_short(e)})") from None
    if doc.needs_pass and not (password and doc.authenticate(password)):
        doc.close()
        raise PdfError("encrypted PDF: a password is needed (--password)")
    return doc


# --------------------------------------------------------------------------
# one page


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
# text drawn as outlines

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


def ocr_page(doc, number: int, lang: str = DEFAULT_LANG, dpi: float = DEFAULT_DPI,
             timeout: float = TIMEOUT) -> OcrResult:
    """Read page ``number`` (1-based) of ``doc`` with Tesseract.

    Returns one glyph per word (and a space glyph between neighbouring words)
    in PDF points, top-left origin, on the deskewed page. Safe to call from
    several threads on one ``doc`` (see :func:`read_pages`).
    """
    path = check(lang)
    width, height, units = _on_page(doc, number, lambda page: (page.rect.width, page.rect.height,
                                                                 page_units(page)))
    if width < 1 or height < 1:
        return OcrResult([], None, width=width, height=height, units=units)
    # the cap, in dots per inch of the paper: MAX_PIXELS whatever the page box
    cap = units * math.sqrt(MAX_PIXELS / (width * height))
    dpi = min(float(dpi), cap)
    angle = skew_of(_on_page(doc, number, lambda page: _skew_image(page, DESKEW_DPI, units)))
    if abs(angle) < MIN_SKEW:
        angle = 0.0
    main = _on_page(doc, number, lambda page: _render(page, dpi, angle, units))
    renders = {round(dpi): main}

    def render(d: float) -> _Render:
        d = min(d, cap)
        if round(d) not in renders:
            renders[round(d)] = _on_page(doc, number, lambda page: _render(page, d, angle, units))
        return renders[round(d)]

    words, runs, spans = read_page(path, main, render, lang, timeout)
    renders.clear()
    res = _glyphs(words, main, spans)
    res.angle, res.dpi, res.runs = angle, dpi, runs
    res.width, res.height, res.units = width, height, units
    return res


class Slots:
    """How many pages of one document may be read at once.

    The calling thread always reads; each *extra* reader (a thread driving its
    own Tesseract runs) holds a slot while it works. ``Slots(n)``: n readers
    at most. ``pdfclean batch`` passes its own kind, which asks the
    coordinator for slots, so that workers and OCR readers together never
    outnumber ``--jobs``.
    """

    def __init__(self, jobs: int = 1) -> None:
        self._free = max(0, int(jobs) - 1)
        self._lock = threading.Lock()

    def acquire(self, want: int) -> int:
        """Take up to ``want`` slots now (never waits); how many were taken."""
        with self._lock:
            n = max(0, min(int(want), self._free))
            self._free -= n
            return n

    def release(self, n: int = 1) -> None:
        with self._lock:
            self._free += n


def read_pages(doc, numbers: list[int], lang: str = DEFAULT_LANG, *, jobs: int | Slots = 1,
               on_page: Callable[[int, OcrResult | PdfCleanError], None] | None = None,
               ) -> dict[int, OcrResult | PdfCleanError]:
    """Read the pages ``numbers`` of ``doc``, up to ``jobs`` at once (an int,
    or a :class:`Slots` — any object with its ``acquire``/``release``):
    ``{number: OcrResult, or the error of a page that failed}``.

    Each page is read exactly as :func:`ocr_page` reads it alone — the same
    Tesseract runs, each single-threaded (``OMP_THREAD_LIMIT=1``) — so the
    results do not depend on ``jobs``; only the MuPDF rendering is taken in
    turn (:data:`MUPDF_LOCK`). The calling thread reads too; before each page
    it takes it asks for slots for the pages no reader has yet, so a slot freed
    elsewhere (another document of a batch finished) is used at once.
    ``on_page(number, result)`` is called as each page ends, from the thread
    that read it. An unexpected exception (not a :class:`PdfCleanError`: a
    bug of ours, never the PDF's — what MuPDF raises about a page is an
    :class:`OcrError` of that page) stops the reading and is raised here, as
    an :class:`~pdfclean.errors.InternalError` naming the page, once every
    reader has stopped (``MemoryError`` as it is).
    """
    slots = Slots(jobs) if isinstance(jobs, int) else jobs  # or any object with acquire/release
    queue = deque(numbers)
    results: dict[int, OcrResult | PdfCleanError] = {}
    crashed: list[BaseException] = []
    lock = threading.Lock()
    helpers: list[threading.Thread] = []
    busy = [0]  # extra readers alive

    def take() -> int | None:
        with lock:
            return queue.popleft() if queue and not crashed else None

    def read(n: int) -> None:
        try:
            try:
                res: OcrResult | PdfCleanError = ocr_page(doc, n, lang)
            except PdfCleanError as e:
                res = e
            results[n] = res
            if on_page is not None:
                on_page(n, res)
        except Exception as e:  # noqa: BLE001 — ours: raised in the caller's thread
            with lock:
                crashed.append(e if isinstance(e, (MemoryError, PdfCleanError)) else _internal(e, n))
        except BaseException as e:  # noqa: BLE001
            with lock:
                crashed.append(e)

    def helper() -> None:
        try:
            while (n := take()) is not None:
                read(n)
        finally:
            with lock:
                busy[0] -= 1
            slots.release(1)

    try:
        while (n := take()) is not None:
            with lock:
                want = len(queue) - busy[0]
            got = slots.acquire(want) if want > 0 else 0
            for _ in range(got):
                with lock:
                    busy[0] += 1
                t = threading.Thread(target=helper, name=f"pdfclean-ocr-{len(helpers) + 1}", daemon=True)
                helpers.append(t)
                t.start()
            read(n)
    finally:
        for t in helpers:
            t.join()
    if crashed:
        raise crashed[0]
    return results


def _internal(e: Exception, page: int) -> InternalError:
    err = InternalError.wrap(e, page)
    err.__cause__ = e
    return err


def read_page(path: str, main: _Render, render, lang: str,
              timeout: float = TIMEOUT) -> tuple[list[_Word], int, list[tuple[float, float, float]]]:
    """All the words Tesseract finds on a page (points), after merging the
    readings and the second chance; how many Tesseract runs it took; and the
    extent of every line of every reading, (x0, x1, baseline).

    ``render(dpi)`` gives the page rendered at another resolution."""
    langs = lang.split("+")
    rtl = [x for x in langs if x in RTL_LANGS]
    other = [x for x in langs if x not in RTL_LANGS]
    scale = DEFAULT_DPI / main.dpi
    runs = 0
    main_lang = None
    if rtl and other:
        full = _read(path, render(FULL_DPI / scale) if FULL_DPI != DEFAULT_DPI else main, lang, timeout, 1)
        readings = [full]
        if any(_is_rtl_word(w.text) for w in full):
            main_lang = _main_rtl(full, rtl)
            for i, d in enumerate(RTL_DPIS):
                r = main if d == DEFAULT_DPI else render(d / scale)
                readings.append(_read(path, r, main_lang, timeout, 2 + 2 * i))
        elif FULL_DPI != DEFAULT_DPI:  # no Arabic script: one reading, at full resolution
            readings = [_read(path, main, lang, timeout, 1)]
            runs += 1
    else:  # one kind of script: one reading
        readings = [_read(path, main, lang, timeout, 1)]
    spans = [(min(w.x0 for w in ws), max(w.x1 for w in ws), ws[0].base)
             for r in readings for ws in _lines(r).values()]
    words = combine(readings)
    runs += len(readings)
    rows = uncovered_rows(main, words)
    if rows:
        masked = main.img.copy()  # type: ignore[attr-defined]
        for w in words:
            x0, y0, x1, y1 = main.box(w, 1)
            masked[y0:y1, x0:x1] = 255
        m = _Render(masked, main.dpi, main.ox, main.oy, main.dx, main.dy, main.units)
        more = [_read(path, m, lang, timeout, 101)]
        if main_lang:
            more.append(_read(path, m, main_lang, timeout, 102))
        runs += len(more)
        z = main.zoom
        for w in combine(more):
            yc = ((w.y0 + w.y1) / 2 - main.dy) * z - main.oy
            if any(a <= yc <= b for a, b in rows):
                words.append(w)
    if main_lang and LATIN_LANG in other:
        runs += reread_latin(path, main, words, timeout)
    return words, runs, spans


def _suspect_latin(w: _Word) -> bool:
    """A word that may be English or a number the Arabic model misread:
    digit soup for «COP29», «9060» for «60%», «2» for the list marker «2.»,
    Eastern and Western digits mixed."""
    t = w.text
    western = any("0" <= ch <= "9" for ch in t)
    if _is_rtl_word(re.sub("[\u0660-\u0669\u06f0-\u06f9]", "", t)):
        return western and w.conf < 90  # «ه7١٠»
    if western:
        return True
    return _is_latin_word(t) and w.conf < REREAD_CONF and w.src % 2 == 0


def _accept_reread(w: _Word, text: str, conf: float) -> bool:
    """Does the English reading ``text`` replace word ``w``? A number does
    when it carries a per cent sign the word lacks, adds only a full stop or
    bracket, holds the word's digits and more (the Arabic model read «2025»
    as «5»), or is sure where the word was not.

    >>> W = lambda t, c: _Word(t, 0, 0, 10, 10, c)
    >>> _accept_reread(W("5", 96), "2025", 96), _accept_reread(W("33", 97), "3.3", 96)
    (True, False)
    """
    letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    digits = re.sub(r"\D", "", text)
    if conf < REREAD_ACCEPT:
        return conf >= REREAD_FITS and not letters and _fills_box(w, text)
    if letters >= 2 and len(text) >= 2:
        return not (_is_rtl_word(w.text) and w.conf >= RTL_WINS_CONF)
    if letters or not digits:
        return False
    if not re.fullmatch(r"[(\[]?[\d.,/%\-]+[)\]]?[.,:؛،]?", text):
        return False
    if "%" in text and "%" not in w.text:
        return True
    if text.rstrip(".)") == w.text and conf >= REREAD_ACCEPT:  # «2» → «2.»
        return True
    mine = re.sub(r"\D", "", w.text)
    if conf >= 90 and mine and mine != digits and mine in digits:  # «5» read whole: «2025»
        return True
    return conf >= 90 and w.conf < 80


NUMBER_EM = {".": 0.25, ",": 0.25, ":": 0.28, "/": 0.28, "-": 0.33, "(": 0.33, ")": 0.33, "%": 0.83}
DIGIT_HEIGHT_EM = 0.72  # a number's box is its digits' height, this share of an em
FITS = (0.7, 1.4)  # a reading fills its box: its width over the box's, at that em
EMPTY = 1.5  # … and leaves it partly empty beyond this


def _fill(w: _Word, text: str) -> float:
    """How much wider word ``w``'s box is than ``text`` set at the em its
    height gives (digits 0.5 em, points and brackets less): about 1 when the
    text is what the box holds.

    >>> round(_fill(_Word("25.", 228, 134, 259, 144, 68), "2025"), 2)
    1.12
    """
    em = (w.y1 - w.y0) / DIGIT_HEIGHT_EM
    width = sum(NUMBER_EM.get(ch, 0.5) for ch in text) * em
    return (w.x1 - w.x0) / width if width > 0 else 0.0


def _fills_box(w: _Word, text: str) -> bool:
    """Is the doubtful English reading ``text`` of a number the better one
    by geometry alone? It holds the word's digits and more, and it fills the
    word's box where the word's own text leaves part of it empty (Tesseract's
    Arabic model read a bilevel «2025.» as «25.» across the whole box).

    >>> W = _Word("25.", 228, 134, 259, 144, 68)
    >>> _fills_box(W, "2025"), _fills_box(W, "25"), _fills_box(_Word("2025", 228, 134, 259, 144, 68), "12025")
    (True, False, False)
    """
    if not re.fullmatch(r"[(\[]?[\d.,/%\-]+[)\]]?[.,:؛،]?", text):
        return False
    mine, digits = re.sub(r"\D", "", w.text), re.sub(r"\D", "", text)
    if not mine or mine == digits or mine not in digits:
        return False
    return FITS[0] <= _fill(w, text) <= FITS[1] and _fill(w, w.text) > EMPTY


def reread_latin(path: str, r: _Render, words: list[_Word], timeout: float = TIMEOUT) -> int:
    """Read again, with the English model alone, the words that may be
    English or numbers misread by the Arabic model (:func:`_suspect_latin`):
    their images stacked into one strip, one Tesseract run. Returns the number
    of runs (0 or 1)."""
    import numpy as np

    cands = [w for w in words if _suspect_latin(w)][:MAX_REREAD]
    if not cands:
        return 0
    crops = []
    for w in cands:
        pad = 0.25 * (w.y1 - w.y0) * r.zoom
        x0, y0, x1, y1 = r.box(w, pad)
        crops.append(r.img[y0:y1, x0:x1])  # type: ignore[index]
    width = max(c.shape[1] for c in crops) + 40
    gap = max(c.shape[0] for c in crops) // 2 + 10
    height = sum(c.shape[0] for c in crops) + gap * (len(crops) + 1)
    strip = np.full((height, width), 255, dtype=np.uint8)
    bands = []
    y = gap
    for c in crops:
        strip[y: y + c.shape[0], 20: 20 + c.shape[1]] = c
        bands.append((y, y + c.shape[0]))
        y += c.shape[0] + gap
    got = parse_hocr(_run(path, PREPROCESS(strip) if PREPROCESS else strip, LATIN_LANG, r.dpi, timeout,
                          psm="6"), 9)
    for w, (a, b) in zip(cands, bands):
        mine = sorted((g for g in got if a <= (g.y0 + g.y1) / 2 <= b and g.text.strip()), key=lambda g: g.x0)
        if not mine:
            continue
        text = " ".join(g.text.strip() for g in mine)
        conf = min(g.conf for g in mine)
        if conf < REREAD_FITS or text == w.text:
            continue
        # numbers with a sign or a full stop are drawn right to left: «%60» «.2»
        m = re.fullmatch(r"([%.]+)([\d.,]*\d)", text)
        if m:
            text = m.group(2) + m.group(1)
        if _accept_reread(w, text, conf):
            w.text, w.conf = text, conf
    return 1


def _read(path: str, r: _Render, lang: str, timeout: float, src: int) -> list[_Word]:
    img = PREPROCESS(r.img) if PREPROCESS else r.img
    return [r.to_points(w) for w in _words(_run(path, img, lang, r.dpi, timeout), src)]


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


def _run(path: str, img, lang: str, dpi: float, timeout: float, psm: str | None = None) -> str:
    h, w = img.shape
    pgm = b"P5\n%d %d\n255\n" % (w, h) + img.tobytes()
    cmd = [path, "stdin", "stdout", "-l", lang, "--oem", "1", "--psm", psm or PSM, "--dpi", str(round(dpi))]
    for kv in TESS_CONFIG:
        cmd += ["-c", kv]
    cmd.append("hocr")
    try:
        r = subprocess.run(cmd, input=pgm, capture_output=True, timeout=timeout, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise OcrError(f"Tesseract took longer than {timeout:.0f} s") from None
    except OSError as e:
        raise OcrUnavailable(f"Tesseract does not run ({_short(e)})") from None
    if r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"Tesseract failed ({err[-1] if err else f'exit code {r.returncode}'})")
    return r.stdout.decode("utf-8", "replace")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # one thread per Tesseract: its OpenMP threads cost more than they give
    # (7× slower on 2 cores); parallelism belongs to the caller
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


# --------------------------------------------------------------------------
# hOCR


@dataclass
class _Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float
    base: float = 0.0  # baseline y at the word (from its line)
    line: int = 0  # line id (unique per reading)
    src: int = 1  # which reading

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


class _Hocr(HTMLParser):
    """Words of Tesseract's hOCR, each with its line's baseline."""

    def __init__(self, src: int) -> None:
        super().__init__(convert_charrefs=True)
        self.src = src
        self.words: list[_Word] = []
        self.line: tuple | None = None  # (x0, y0, x1, y1, slope, offset)
        self.n_lines = 0
        self.word: _Word | None = None
        self.depth = 0  # tags open inside the current word
        self.buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.word is not None:
            self.depth += 1
            return
        a = dict(attrs)
        cls, title = a.get("class") or "", a.get("title") or ""
        if cls in ("ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption"):
            box = _bbox(title)
            if box:
                bl = re.search(r"baseline\s+(-?[\d.]+)\s+(-?[\d.]+)", title)
                slope, off = (float(bl.group(1)), float(bl.group(2))) if bl else (0.0, -0.2 * (box[3] - box[1]))
                self.line = (*box, slope, off)
                self.n_lines += 1
        elif cls == "ocrx_word" and self.line:
            box = _bbox(title)
            conf = re.search(r"x_wconf\s+(-?[\d.]+)", title)
            if box:
                x0, _, _, y1, slope, off = self.line
                base = y1 + off + slope * ((box[0] + box[2]) / 2 - x0)
                self.word = _Word("", *box, float(conf.group(1)) if conf else -1.0, base,
                                  self.src * 100_000 + self.n_lines, self.src)
                self.depth = 0
                self.buf = []

    def handle_endtag(self, tag):
        if self.word is None:
            return
        if self.depth:
            self.depth -= 1
            return
        self.word.text = "".join(self.buf).strip()
        self.words.append(self.word)
        self.word = None

    def handle_data(self, data):
        if self.word is not None:
            self.buf.append(data)


def _bbox(title: str) -> tuple[float, float, float, float] | None:
    m = re.search(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)", title)
    return tuple(float(v) for v in m.groups()) if m else None  # type: ignore[return-value]


def parse_hocr(hocr: str, src: int = 1) -> list[_Word]:
    """The words of Tesseract's hOCR (pixel boxes, with their line's baseline)."""
    p = _Hocr(src)
    p.feed(hocr)
    p.close()
    return p.words


_MARKS = re.compile("[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed]")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def _words(hocr: str, src: int) -> list[_Word]:
    out = []
    for w in parse_hocr(hocr, src):
        w.text = _BIDI.sub("", w.text).strip()
        if _keep(w):
            out.append(w)
    return out


def _keep(w: _Word) -> bool:
    t = w.text
    if not t or t.isspace() or w.conf < 10 or w.x1 <= w.x0 or w.y1 <= w.y0:
        return False
    bare = _MARKS.sub("", t)
    if not bare:
        return False  # marks on their own
    if len(bare) == 1 and w.conf < NOISE_CONF and not bare.isdigit():
        return False  # a speck read as a letter
    if not any(ch.isalnum() for ch in t) and w.conf < 50:
        return False  # punctuation noise
    return True


# --------------------------------------------------------------------------
# two readings, one set of words


def _is_rtl_word(t: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in t)


def _is_latin_word(t: str) -> bool:
    return any(ch.isascii() and ch.isalpha() for ch in t) and not _is_rtl_word(t)


def _main_rtl(words: list[_Word], rtl: list[str]) -> str:
    """The right-to-left language to read the page with: the one its words
    are in (Arabic or Persian), else all of them."""
    if len(rtl) == 1:
        return rtl[0]
    from .lang import language_of

    text = " ".join(w.text for w in words if _is_rtl_word(w.text) and w.conf >= 60)
    code = {"ar": "ara", "fa": "fas"}.get(language_of(text, ocr=True))
    if code in rtl:
        return code
    return "+".join(rtl)


def _overlap(a: _Word, b: _Word, share: float = 0.3) -> bool:
    """Do two word boxes of two readings cover the same ink (same line,
    overlapping in x by ``share`` of the narrower)?"""
    ox = min(a.x1, b.x1) - max(a.x0, b.x0)
    oy = min(a.y1, b.y1) - max(a.y0, b.y0)
    return (ox > 0 and oy > 0 and ox >= share * min(a.x1 - a.x0, b.x1 - b.x0)
            and oy >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0))


_URLISH = re.compile(r"(https?://|www\.|@)\S+|\S+\.(org|com|net)\b", re.IGNORECASE)


def _lines(words: list[_Word]) -> dict[int, list[_Word]]:
    out: dict[int, list[_Word]] = {}
    for w in words:
        out.setdefault(w.line, []).append(w)
    return out


def _rows(words: list[_Word]) -> list[list[_Word]]:
    """Words of all readings grouped into visual rows: the lines of two
    readings are one row when they read the same ink (their words overlap).

    Baselines alone do not do: Tesseract's baselines of one line differ by a
    third of an em between readings, and a reading may merge two lines."""
    lines = _lines(words)
    ids = list(lines)
    parent = {i: i for i in ids}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    span = {i: (min(w.y0 for w in ws), max(w.y1 for w in ws)) for i, ws in lines.items()}
    src = {i: ws[0].src for i, ws in lines.items()}
    for k, i in enumerate(ids):
        for j in ids[k + 1:]:
            if src[i] == src[j] or span[i][1] <= span[j][0] or span[j][1] <= span[i][0]:
                continue
            a, b = lines[i], lines[j]
            hits = sum(1 for w in a if any(_overlap(w, o) for o in b))
            if hits and hits >= 0.3 * min(len(a), len(b)):
                parent[find(i)] = find(j)
    rows: dict[int, list[_Word]] = {}
    for i in ids:
        rows.setdefault(find(i), []).extend(lines[i])
    return sorted(rows.values(), key=lambda ws: min(w.base for w in ws))


def _quality(ws: list[_Word]) -> float:
    """Mean confidence of a reading of a row, by characters."""
    n = sum(len(w.text) for w in ws)
    return sum(w.conf * len(w.text) for w in ws) / n if n else 0.0


def combine(readings: list[list[_Word]]) -> list[_Word]:
    """One set of words from several readings of a page.

    ``readings[0]`` is with all the languages (its words have odd ``src``),
    the others with the page's right-to-left language only (even ``src``).
    Row by row (:func:`_rows`), the reading with the best confidence that
    covers most of the row is the base (a right-to-left reading is preferred
    by :data:`RTL_BONUS`); then each word of the other readings that reads
    the same ink as a base word may replace it (:func:`_better`), and one
    that covers ink no base word covers is added (:func:`_fills`)."""
    rows = _rows([w for r in readings for w in r])
    out: list[_Word] = []
    for row in rows:
        by_src: dict[int, list[_Word]] = {}
        for w in row:
            by_src.setdefault(w.src, []).append(w)
        cover = {k: sum(w.x1 - w.x0 for w in ws) for k, ws in by_src.items()}
        top = max(cover.values())
        cands = [k for k in by_src if cover[k] >= ROW_COVER * top]
        best = max(cands, key=lambda k: _quality(by_src[k]) + (RTL_BONUS if k % 2 == 0 else 0.0))
        got = list(by_src[best])
        bases = {w.line: w.base for w in got}
        others = sorted((k for k in by_src if k != best), key=lambda k: -_quality(by_src[k]))
        for k in others:
            for w in by_src[k]:
                under = [o for o in got if _overlap(w, o)]
                if not under:
                    if _fills(w):
                        got.append(w)
                    continue
                same = [o for o in under if _overlap(o, w, 0.5)]
                if same and all(_better(w, o) for o in same):
                    got = [o for o in got if o not in same]
                    got.append(w)
        if best % 2 == 1:  # an all-languages base: its doubtful Latin words go
            got = [w for w in got if not (w.src % 2 == 1 and _is_latin_word(w.text)
                                          and w.conf < LATIN_ALONE_CONF and not _URLISH.search(w.text))]
            for w in (w for k in others if k % 2 == 0 for w in by_src[k]):  # … for an Arabic reading
                if _is_rtl_word(w.text) and not any(_overlap(w, o) for o in got):
                    got.append(w)
        # words taken from another reading join the nearest line of this one
        for w in got:
            if w.line not in bases:
                w.line = min(bases, key=lambda k: abs(bases[k] - w.base))
                w.base = bases[w.line]
        out.extend(got)
    return out


_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_YEH_END = re.compile("[\u064a\u0649\u06cc]([^\\w]*)$")


def _kind(t: str) -> str:
    """latin, arabic, digits or other."""
    if _is_rtl_word(_DIGITS.sub("", t)) and any(ch.isalpha() for ch in t):
        return "arabic"
    if any(ch.isascii() and ch.isalpha() for ch in t):
        return "latin"
    if _DIGITS.search(t):
        return "digits"
    return "other"


def _better(w: _Word, o: _Word) -> bool:
    """Should word ``w`` of one reading replace word ``o`` of another (the
    same ink)?

    * The same text: no.
    * Only the final yeh differs (ي / ى / ی): the dotted ي wins. Blur takes
      the dots of a final yeh away in one reading or another; it never adds
      two dots under an alef maqsura.
    * Latin against Arabic script: Arabic misread as English comes back as
      Latin words of confidence up to 90, but then the Arabic reading is
      confident too (:data:`RTL_WINS_CONF`); real English reads as digit
      soup in Arabic.
    * Numbers: the all-languages reading reads Eastern digits (through the
      Persian model) and per cent signs (through the English one) far better
      than the Arabic model alone (:data:`DIGITS_BONUS`).
    * Otherwise the more confident (a right-to-left reading by :data:`RTL_BONUS`).
    """
    if w.text == o.text:
        return False
    if _YEH_END.search(w.text) and _YEH_END.search(o.text) and \
            _YEH_END.sub("", w.text) == _YEH_END.sub("", o.text) and \
            _YEH_END.search(w.text).group(1) == _YEH_END.search(o.text).group(1):  # type: ignore[union-attr]
        return w.text[_YEH_END.search(w.text).start()] == "\u064a"  # type: ignore[union-attr]
    kw, ko = _kind(w.text), _kind(o.text)

    def score(x: _Word, k: str) -> float:
        s = x.conf + (RTL_BONUS if x.src % 2 == 0 else 0.0)
        if k == "digits" and x.src % 2 == 1:
            s += DIGITS_BONUS
        return s

    if kw == "latin" and ko == "arabic":
        return o.conf < RTL_WINS_CONF and w.conf >= LATIN_OVER_ARABIC and w.conf > o.conf
    if kw == "arabic" and ko == "latin":  # a doubtful Latin word is worse than any Arabic reading
        return w.conf >= RTL_WINS_CONF or o.conf < LATIN_ALONE_CONF or w.conf > o.conf
    if kw == "digits" and ko == "arabic":  # «حقاً» read as «2» by one reading
        return o.conf < DIGITS_OVER_ARABIC[0] and w.conf >= DIGITS_OVER_ARABIC[1]
    if kw == "latin" and ko in ("digits", "other"):
        return w.conf >= LATIN_MIN_CONF and (w.conf > o.conf or _URLISH.search(w.text) is not None
                                             or o.conf < RTL_WINS_CONF)
    return score(w, kw) > score(o, ko)


def _fills(w: _Word) -> bool:
    """May a word be added where the base reading has nothing?"""
    if _is_latin_word(w.text):
        return w.conf >= LATIN_ALONE_CONF or _URLISH.search(w.text) is not None
    return w.conf >= (FILL_CONF if len(w.text) > 1 else SPECK_CONF)


def uncovered_rows(r: _Render, words: list[_Word], min_share: float = 0.25) -> list[tuple[int, int]]:
    """Row ranges (pixels of ``r``) holding a text line's worth of ink that no
    word box covers: the lines Tesseract's layout analysis dropped."""
    import numpy as np

    if not words:
        return []
    img = r.img
    ink = img < min(_otsu(img), 200)  # type: ignore[operator]
    covered = np.zeros_like(ink)
    boxes = [r.box(w, 2) for w in words]
    for x0, y0, x1, y1 in boxes:
        covered[y0:y1, x0:x1] = True
    rest = ink & ~covered
    line_h = sorted(_line_size([w]) for w in words)[len(words) // 2] * r.zoom
    x0 = min(b[0] for b in boxes)
    x1 = max(b[2] for b in boxes)
    width = max(1.0, x1 - x0)
    cols = rest[:, x0: x1 + 1]
    band = max(4, int(line_h / 2))
    rows = []
    start = None
    n = cols.shape[0]
    for y in range(0, n, band):
        seg = cols[y: y + band]
        full = seg.any(axis=0).sum() >= min_share * width and seg.sum() >= 0.02 * seg.size
        if full and start is None:
            start = y
        elif not full and start is not None:
            rows.append((start, y))
            start = None
    if start is not None:
        rows.append((start, n))
    return [(a, b) for a, b in rows if b - a >= 0.5 * line_h]


# --------------------------------------------------------------------------
# systematic misreadings

_PERSIAN_LETTERS = re.compile("[پچژگ\u200c]")
# letters a word-final hamza follows (سماء شيء بدء ضوء جزء بطء); after any
# other letter a final «ء» is the Arabic comma misread
_BEFORE_HAMZA = frozenset("اآيىدوزطئ\u064b\u064e\u0650\u064f\u0651\u0652")


def fix_word(text: str, rtl_line: bool, language: str | None) -> str:
    """Correct Tesseract's systematic misreadings in one word.

    * In a right-to-left line a Latin comma after a word is the Arabic comma.
    * In an Arabic line, Persian yeh, keheh and digits (from the Persian
      model) are Arabic ي, ك and Arabic-Indic digits; in a Persian line it is
      the other way round.

    >>> fix_word("العراق,", True, "ar"), fix_word("الولایات", True, "ar"), fix_word("۲۰۲۴", True, "ar")
    ('العراق،', 'الولايات', '٢٠٢٤')
    >>> fix_word("خلافء", True, "ar"), fix_word("سماء", True, "ar"), fix_word("شيء", True, "ar")
    ('خلاف،', 'سماء', 'شيء')
    >>> fix_word("يك", True, "fa"), fix_word("١٤٠٣", True, "fa")
    ('یک', '۱۴۰۳')
    """
    if rtl_line and text.endswith(",") and len(text) > 1:
        text = text[:-1] + "،"
    if rtl_line and len(text) > 2 and text.endswith("ء") and text[-2] not in _BEFORE_HAMZA:
        text = text[:-1] + "،"  # the Arabic comma read as a hamza: «خلافء»
    if language == "ar":
        text = text.translate(_TO_ARABIC_DIGITS)
        if not _PERSIAN_LETTERS.search(text):
            text = text.replace("ک", "ك").replace("ی", "ي")
            text = _FINAL_MAQSURA.sub(_final_yeh, text)
    elif language == "fa":
        text = text.replace("ك", "ک").replace("ي", "ی").replace("ى", "ی").translate(_TO_PERSIAN_DIGITS)
    return text


# Words that do end in alef maqsura and start with the article (the nisba
# adjectives, far more frequent, end in yeh)
_MAQSURA_WORDS = frozenset(
    "الأولى الأخرى الكبرى الصغرى العظمى الوسطى القصوى الدنيا الأقصى الأعلى الأدنى الأقوى الأجدى "
    "المدى المستوى المحتوى القوى البنى الدعوى الشكاوى الفتاوى الموسيقى الحمى الذكرى الفوضى "
    "الجدوى المبنى المعنى المنتدى الملتقى المرمى المسعى المغزى المقتضى المنحنى المصطفى الهوى "
    "الصدى الندى الرؤى القرى الأذى الضحى الأسى الثرى الكلى المثلى الحسنى الشورى البشرى اليسرى "
    "اليمنى العليا الفصحى المرضى الجرحى القتلى الأسرى الموتى الحبلى النجوى التقوى".split())
_FINAL_MAQSURA = re.compile("[\u0621-\u064a\u064b-\u0652]+\u0649(?=[\u064b-\u0652]*(?:[^\u0621-\u0652]|$))")


def _final_yeh(m: re.Match) -> str:
    """A final alef maqsura that is a yeh: «فى» «الذى» «التى» and the
    nisba adjectives «العراقى» «النووى». Tesseract reads ى wherever a font
    draws the final yeh without its dots (Noto Naskh bold) or blur takes them."""
    w = m.group(0)
    bare = re.sub("[\u064b-\u0652]", "", w)
    core = bare[1:] if bare[:1] in "وفبلك" and len(bare) > 3 else bare
    if core in ("فى", "الذى", "التى") or bare in ("فى", "وفى"):
        return w[:-1] + "\u064a"
    if core.startswith("ال") and len(core) >= 5 and core not in _MAQSURA_WORDS \
            and ("ال" + core[2:]) not in _MAQSURA_WORDS:
        return w[:-1] + "\u064a"
    return w


_TO_ARABIC_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")
_TO_PERSIAN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")


_BULLETS = frozenset("٠ه.•·o°*")


def _fix_bullet(ws: list[_Word], size: float, rtl: bool) -> None:
    """A list bullet at the start of a right-to-left line comes back as «٠»,
    «ه» or «.» (a «1.» whose digit is lost): a narrow one-character word
    before a line of text is the bullet «•»."""
    if not rtl or len(ws) < 3:
        return
    first = max(ws, key=lambda w: w.x1)
    if first.text in _BULLETS and first.x1 - first.x0 <= 0.5 * size:
        first.text = "•"


def _close_gaps(ws: list[_Word], size: float, spans, ink, r: _Render) -> None:
    """A word no reading could read leaves a gap in its line; wider than two
    ems, line building would cut the line there (as at a column gap), and a
    cover's «المصدر: …، نُشر بتاريخ ١٥ …» would lose its date. Where a line
    of some reading spans the gap and there is ink in it (not the blank
    between a running title and its page number), the neighbours' boxes are
    widened over it."""
    base = ws[0].base
    for a, b in zip(ws, ws[1:]):  # left to right
        gap = b.x0 - a.x1
        if gap <= GAP_EM * size:
            continue
        if not any(x0 <= a.x1 and x1 >= b.x0 and abs(bl - base) <= 0.5 * size for x0, x1, bl in spans):
            continue
        probe = _Word("", a.x1 + 0.1 * size, base - 0.7 * size, b.x0 - 0.1 * size, base + 0.2 * size, 0)
        x0, y0, x1, y1 = r.box(probe)
        cut = ink[y0:y1, x0:x1]
        if cut.size and cut.any(axis=0).mean() >= GAP_INK:
            mid = (a.x1 + b.x0) / 2
            a.x1, b.x0 = mid - 0.2 * size, mid + 0.2 * size


def _fix_guillemets(lines: list[list[_Word]]) -> None:
    """Tesseract reads the Arabic comma «،» of some fonts as «»». A «»» that
    closes no «««» is a comma (lines in reading order, words right to left)."""
    depth = 0
    for ws in lines:
        for w in sorted(ws, key=lambda w: -w.cx):
            if not _is_rtl_word(w.text) and not w.text.strip("«»،"):
                continue
            chars = list(w.text)
            for i, ch in enumerate(chars):
                if ch == "«":
                    depth += 1
                elif ch == "»":
                    if depth:
                        depth -= 1
                    elif i == len(chars) - 1 and i > 0:
                        chars[i] = "،"
            w.text = "".join(chars)


# --------------------------------------------------------------------------
# words to glyphs


def _group_lines(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into text lines, top to bottom: Tesseract's lines, those
    on one baseline (segments of one row) joined; every word of a line gets
    the line's baseline."""
    lines = sorted(_lines(words).values(), key=lambda ws: ws[0].base)
    if not lines:
        return []
    typical = sorted(_line_size(ws) for ws in lines)[len(lines) // 2]
    out: list[list[_Word]] = []
    for ws in lines:
        if out and abs(ws[0].base - out[-1][0].base) <= SAME_ROW * typical and not any(
                _overlap(a, b) for a in ws for b in out[-1]):
            out[-1].extend(ws)
        else:
            out.append(list(ws))
    for ws in out:
        base = sorted(w.base for w in ws)[len(ws) // 2]
        for w in ws:
            w.base = base
    return out


def _char_width(text: str) -> float:
    """Typical advance of a word's characters, in Arabic-letter widths (an
    Arabic letter ≈ :data:`CHAR_EM` em; Latin capitals are wider; marks none)."""
    n = 0.0
    for ch in text:
        if _MARKS.match(ch):
            continue
        if "A" <= ch <= "Z":
            n += 1.8
        elif ch.isascii() and ch.isalnum():
            n += 1.35
        elif ch.isalpha():
            n += 1.0
        else:
            n += 0.7
    return n


def _line_size(ws: list[_Word]) -> float:
    """Font size of a line (in the words' units), from how wide its characters
    are: ink width over character count is far steadier than any height
    (Tesseract's word boxes often span the whole line height)."""
    width = sum(w.x1 - w.x0 for w in ws)
    chars = sum(_char_width(w.text) for w in ws)
    return max(1e-3, width / max(1.0, chars) / CHAR_EM)


def line_sizes(raw: list[float], weights: list[float], bold: list[bool]) -> list[float]:
    """Snap the lines' raw size estimates to a few sizes.

    The page's body size is the weighted median of the lines' estimates (by
    characters); a regular line within :data:`BODY_SNAP` of it is body text of
    exactly that size. The other lines are snapped among themselves
    (:func:`snap_sizes`).

    >>> line_sizes([12.5, 13.4, 12.9, 15.2, 9.0], [80, 90, 85, 20, 10], [False] * 3 + [True, False])
    [12.9, 12.9, 12.9, 15.2, 9.0]
    """
    if not raw:
        return []
    body = _wmedian([(r, w) for r, w, b in zip(raw, weights, bold) if not b] or list(zip(raw, weights)))
    out: list[float | None] = [body if (not b and abs(r - body) <= BODY_SNAP * body) else None
                               for r, b in zip(raw, bold)]
    rest = [i for i, v in enumerate(out) if v is None]
    for i, v in zip(rest, snap_sizes([(raw[i], weights[i]) for i in rest])):
        out[i] = v
    return [round(float(v), 2) for v in out]  # type: ignore[arg-type]


def snap_sizes(sizes: list[tuple[float, float]], tol: float = SIZE_SNAP) -> list[float]:
    """Snap raw sizes (value, weight) to a few: the heaviest value takes every
    size within ``tol`` (relative) of it, then the next heaviest of the rest…

    >>> snap_sizes([(13.2, 50), (12.8, 60), (13.0, 40), (17.5, 10)])
    [12.8, 12.8, 12.8, 17.5]
    """
    out: list[float | None] = [None] * len(sizes)
    left = set(range(len(sizes)))
    while left:
        best = max(left, key=lambda i: (sum(sizes[j][1] for j in left
                                             if abs(sizes[j][0] - sizes[i][0]) <= tol * sizes[i][0]),
                                         sizes[i][1]))
        centre = sizes[best][0]
        for j in list(left):
            if abs(sizes[j][0] - centre) <= tol * centre:
                out[j] = centre
                left.discard(j)
    return [float(v) for v in out]  # type: ignore[arg-type]


def _stroke(ink, r: _Render, words: list[_Word]) -> float | None:
    """Mean stroke width (points) of the ink inside the words' boxes:
    twice the ink area over its boundary length."""
    area = edge = 0
    for wd in words:
        x0, y0, x1, y1 = r.box(wd)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        b = ink[y0:y1, x0:x1]
        a = int(b.sum())
        if not a:
            continue
        inner = b[1:-1, 1:-1] & b[:-2, 1:-1] & b[2:, 1:-1] & b[1:-1, :-2] & b[1:-1, 2:]
        area += a
        edge += a - int(inner.sum())
    return 2.0 * area / edge / r.zoom if edge else None


def _wmedian(vals: list[tuple[float, float]]) -> float:
    vals = sorted(vals)
    total = sum(w for _, w in vals)
    acc = 0.0
    for v, w in vals:
        acc += w
        if acc >= total / 2:
            return v
    return vals[-1][0]


def _without_smears(lines: list[list[_Word]]) -> list[list[_Word]]:
    """The lines without smears: a line whose every word is doubtful (under
    :data:`SMEAR_CONF`) and whose few characters are spread over
    :data:`SMEAR_SIZE` times the page's typical character width is not text —
    a shadow, the page's edge or a picture read as letters (a camera's dark
    corner reads «لل ييح حب» over a third of the page)."""
    if len(lines) < 2:
        return lines
    sizes = [_line_size(ws) for ws in lines]
    typical = sorted(sizes)[len(sizes) // 2]
    return [ws for ws, size in zip(lines, sizes)
            if size <= SMEAR_SIZE * typical or max(w.conf for w in ws) >= SMEAR_CONF]


def _glyphs(words: list[_Word], r: _Render, spans: list[tuple[float, float, float]] = ()) -> OcrResult:
    # a line of one or two doubtful characters is a speck (a stray «١» or «2»)
    lines = [ws for ws in _group_lines(words)
             if sum(len(w.text) for w in ws) > 2 or max(w.conf for w in ws) >= SPECK_CONF]
    lines = _without_smears(lines)
    if not lines:
        return OcrResult([], None)
    from .lang import language_of

    page_lang = language_of(" ".join(w.text for ws in lines for w in ws), ocr=True)
    lines = [sorted(ws, key=lambda w: w.x0 + w.x1) for ws in lines]
    _fix_guillemets(lines)
    rtls = []
    for ws in lines:
        n_rtl = sum(len(w.text) for w in ws if _is_rtl_word(w.text))
        n_ltr = sum(len(w.text) for w in ws if _is_latin_word(w.text))
        rtl = n_rtl * 10 >= 3 * max(1, n_rtl + n_ltr)
        rtls.append(rtl)
        ll = language_of(" ".join(w.text for w in ws), ocr=True)
        if ll not in ("ar", "fa"):
            ll = page_lang if page_lang in ("ar", "fa") else None
        for w in ws:
            w.text = fix_word(w.text, rtl, ll)

    raw = [_line_size(ws) for ws in lines]
    weights = [sum(len(w.text) for w in ws) for ws in lines]
    ink = r.img < min(_otsu(r.img), 200)  # type: ignore[operator]
    strokes = [_stroke(ink, r, ws) for ws in lines]
    # stroke width per em, against the page's typical (by characters)
    rel = [(st / sz, n) for st, sz, n in zip(strokes, raw, weights) if st]
    typical = _wmedian(rel) if rel else None
    ratios = [st / sz / typical if (typical and st) else 1.0 for st, sz in zip(strokes, raw)]
    # bold: a much thicker stroke, or a thicker one on larger text (headings)
    body = _wmedian(list(zip(raw, weights)))
    bolds = [q >= BOLD_RATIO or (q >= BOLD_RATIO_LARGE and rs >= LARGE * body) for q, rs in zip(ratios, raw)]
    sizes = line_sizes(raw, weights, bolds)

    for ws, size, rtl in zip(lines, sizes, rtls):
        _fix_bullet(ws, size, rtl)
        _close_gaps(ws, size, spans, ink, r)

    glyphs: list[Glyph] = []
    confs: list[float] = []
    info: list[dict] = []
    seq = 0
    for ws, size, rs, ratio, bold, rtl in zip(lines, sizes, raw, ratios, bolds, rtls):
        base = ws[0].base
        y0, y1 = base - ASCENT * size, base + DESCENT * size
        info.append({"text": " ".join(w.text for w in (reversed(ws) if rtl else ws)), "size": size, "raw": round(rs, 2),
                     "bold": bold, "stroke": round(ratio, 2), "abs_stroke": round(ratio * rs * (typical or 0), 3),
                     "conf": round(sum(w.conf for w in ws) / len(ws), 1),
                     "src": sorted({w.src for w in ws})})
        prev: Glyph | None = None
        for w in ws:
            g = Glyph(w.text, w.x0, y0, w.x1, y1, base, size, "OCR", bold, seq, w.conf)
            if prev is not None:
                mid = ((prev.x0 + prev.x1) / 2 + (g.x0 + g.x1) / 2) / 2
                glyphs.append(Glyph(" ", mid, y0, mid, y1, base, size, "OCR", bold, seq))
                seq += 1
                g.seq = seq
            glyphs.append(g)
            confs.append(w.conf)
            seq += 1
            prev = g
    conf = sum(confs) / len(confs) if confs else None
    return OcrResult(glyphs, conf, lines=info)


# --------------------------------------------------------------------------
# deskew


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


def _short(e: BaseException) -> str:
    s = str(e).strip().splitlines()
    return (s[0] if s else type(e).__name__)[:160]
