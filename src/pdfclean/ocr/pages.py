"""Reading pages: one page (:func:`ocr_page`: deskew, render, the readings
merged, glyphs), the readings of a page (:func:`read_page`), and several
pages of a document at once (:func:`read_pages`, on :class:`Slots`)."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

from ..errors import InternalError, PdfCleanError
from .common import (DEFAULT_DPI, DEFAULT_LANG, DESKEW_DPI, FULL_DPI, LATIN_LANG, MAX_PIXELS, MIN_SKEW,
                     RTL_DPIS, RTL_LANGS, TIMEOUT, OcrResult, _is_rtl_word, _lines, _Word)
from .glyphs import _glyphs
from .merge import _main_rtl, combine, reread_latin, uncovered_rows
from .render import _on_page, _render, _Render, _skew_image, page_units, skew_of
from .tesseract import _read, check


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
