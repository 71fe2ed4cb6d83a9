"""Engines: open a PDF and yield :class:`~pdfclean.model.RawPage` objects.

Both engines return the same thing: glyph boxes in the order the PDF draws
them, with combining marks already attached to their base letter and
multi-character glyphs (lam-alef, «الله») kept whole. What a glyph *means* in
reading order is decided later, from geometry, by :mod:`pdfclean.script`.

* ``pymupdf`` (default, fast): ``Page.get_texttrace()`` gives every glyph in
  content-stream order with its glyph id, origin and box; a glyph mapped to
  several characters shows up as one entry followed by entries with glyph id
  -1, which we fold back into one glyph.
* ``pdfplumber``: pdfminer's ``LTChar`` objects, already one per glyph.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from .errors import PdfError
from .model import Glyph, RawPage

ENGINES = ("pymupdf", "pdfplumber")
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi", re.I)


def is_mark(ch: str) -> bool:
    """True for a combining mark that sits on the previous letter.

    >>> is_mark("\\u0651"), is_mark("ب")
    (True, False)
    """
    return unicodedata.combining(ch) > 0 or unicodedata.category(ch) in ("Mn", "Me")


@dataclass(slots=True)
class _Char:
    """One entry of an engine's glyph stream, before clustering."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    baseline: float
    size: float
    font: str
    bold: bool
    cont: bool = False  # continues the previous glyph (multi-character glyph)


def cluster_stream(chars: list[_Char]) -> list[Glyph]:
    """Fold a content-stream run of characters into glyph clusters.

    Multi-character glyphs stay whole, and each combining mark joins the letter
    it belongs to. A producer drawing right-to-left text in logical order (pen
    moving left) emits a mark after its letter. One drawing in visual order
    (pen moving right) may do either: HarfBuzz-shaped output (LibreOffice,
    Chromium, Word) and python-bidi strings put the mark *before* its letter,
    FriBidi's REORDER_NSM and hand-positioned marks put it *after*. Both are
    tried and the reading that puts fewer marks where Arabic never has them
    (:func:`mark_implausibility`) wins.
    """
    pen_right = _pen_moves_right(chars)
    if not pen_right or not any(is_mark(c.text[:1] or " ") for c in chars):
        return _cluster(chars, attach_next=False)
    before = _cluster(chars, attach_next=True)
    after = _cluster(chars, attach_next=False)
    return after if mark_implausibility(after) < mark_implausibility(before) else before


def _pen_moves_right(chars: list[_Char]) -> bool:
    """Majority vote over consecutive glyphs on one baseline."""
    right = left = 0
    prev = None
    for c in chars:
        if c.cont or is_mark(c.text[:1] or " "):
            continue
        if prev is not None and abs(prev.baseline - c.baseline) < 0.5 * max(prev.size, 1):
            if c.x0 > prev.x0 + 0.01:
                right += 1
            elif c.x0 < prev.x0 - 0.01:
                left += 1
        prev = c
    return right >= left


def _cluster(chars: list[_Char], attach_next: bool) -> list[Glyph]:
    glyphs: list[Glyph] = []
    pending: list[_Char] = []  # marks waiting for the next base
    orphans: list[_Char] = []  # marks with no base near them
    last_pending = False  # was the previous entry a pending mark?

    def emit(c: _Char) -> Glyph:
        g = Glyph(c.text, c.x0, c.y0, c.x1, c.y1, c.baseline, c.size, c.font, c.bold, len(glyphs))
        glyphs.append(g)
        return g

    def near(m: _Char, g: Glyph | None) -> bool:
        """Could mark ``m`` sit on glyph ``g``? (Not a glyph of another line.)"""
        if g is None:
            return False
        em = max(g.size, 1.0)
        return abs(m.baseline - g.baseline) < 0.6 * em and g.x0 - 1.5 * em < m.x0 < g.x1 + 1.5 * em

    def place(m: _Char, *targets: Glyph | None) -> None:
        for g in targets:
            if near(m, g):
                g.text += m.text
                return
        orphans.append(m)

    for c in chars:
        if not c.text:
            continue
        if c.cont and (pending or glyphs):
            if last_pending:  # the rest of a multi-character mark glyph
                pending[-1].text += c.text
            else:
                glyphs[-1].text += c.text
            continue
        last_pending = False
        if is_mark(c.text[0]):
            if attach_next and _is_rtl_char(c.text[0]):
                pending.append(_Char(c.text, c.x0, c.y0, c.x1, c.y1, c.baseline, c.size, c.font, c.bold))
                last_pending = True
            else:
                place(c, glyphs[-1] if glyphs else None)
            continue
        prev = glyphs[-1] if glyphs else None
        g = emit(c)
        for m in pending:
            place(m, g, prev)
        pending.clear()
    for m in pending:
        place(m, glyphs[-1] if glyphs else None)
    for m in orphans:  # kept, as glyphs of their own
        emit(m)
    return glyphs


_TANWEEN = "\u064b\u064c\u064d"
_NO_MARKS = "\u0627\u0649"  # bare alef and alef maqsura: only tanween fath
_TA_MARBUTA = "\u0629"  # takes vowels and tanween, never shadda or sukun


def mark_implausibility(glyphs: list[Glyph]) -> int:
    """Count marks sitting where Arabic spelling never puts them.

    A mark on a space, digit or punctuation; shadda or sukun on ة, ا or ى; a
    vowel on bare alef; tanween in the middle of a word (its logical
    successor, the glyph drawn just before in a visual stream, is a joined
    letter other than ا/ى). Glyphs are in visual stream order.
    """
    bad = 0
    for i, g in enumerate(glyphs):
        marks = g.text[1:]
        if not marks or not any(is_mark(m) for m in marks):
            continue
        base = unicodedata.normalize("NFKC", g.text[0])[:1] or " "
        if not ("\u0620" <= base <= "\u064a" or "\u066e" <= base <= "\u06d3"):
            bad += 1
        elif base in _NO_MARKS and any(m != "\u064b" for m in marks if is_mark(m)):
            bad += 1
        elif base == _TA_MARBUTA and ("\u0651" in marks or "\u0652" in marks):
            bad += 1
        if any(m in _TANWEEN for m in marks) and i > 0:
            nxt = glyphs[i - 1]
            touching = abs(nxt.x1 - g.x0) < 0.15 * g.size
            nb = unicodedata.normalize("NFKC", nxt.text[0])[:1]
            if touching and "\u0620" <= nb <= "\u064a" and nb not in _NO_MARKS:
                bad += 1
    return bad


def _is_rtl_char(ch: str) -> bool:
    o = ord(ch)
    return 0x0590 <= o <= 0x08FF or 0xFB1D <= o <= 0xFEFF


class _Base:
    name = ""
    page_count = 0
    producer: str | None = None
    creator: str | None = None
    warnings: list[str]

    def pages(self, numbers: list[int]) -> Iterator[RawPage]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover
        pass


class PyMuPDFEngine(_Base):
    name = "pymupdf"

    def __init__(self, data: bytes, password: str | None = None):
        import pymupdf

        self.warnings = []
        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception as e:  # MuPDF raises several types here
            raise PdfError(f"not a readable PDF ({_short(e)})") from None
        if doc.needs_pass:
            if not password or not doc.authenticate(password):
                raise PdfError("encrypted PDF: a password is needed (--password)"
                               if not password else "encrypted PDF: wrong password")
        if not doc.is_pdf:
            raise PdfError("not a PDF")
        self.doc = doc
        self.page_count = doc.page_count
        md = doc.metadata or {}
        self.producer = md.get("producer") or None
        self.creator = md.get("creator") or None

    def pages(self, numbers: list[int]) -> Iterator[RawPage]:
        for n in numbers:
            try:
                page = self.doc[n - 1]
                rect = page.rect
                yield RawPage(n, rect.width, rect.height, self._glyphs(page, rect),
                              self._image_coverage(page, rect))
            except PdfError:
                raise
            except Exception as e:
                self.warnings.append(f"page {n}: could not be read ({_short(e)})")
                yield RawPage(n, 0.0, 0.0, [])

    @staticmethod
    def _glyphs(page, rect) -> list[Glyph]:
        # The trace is in page space (y down from the top of the mediabox);
        # a page with a shifted cropbox needs its offset removed.
        dx, dy = page.cropbox.x0 - page.mediabox.x0, page.cropbox.y0 - page.mediabox.y0
        W, H = rect.width, rect.height
        chars: list[_Char] = []
        out: list[Glyph] = []
        for span in page.get_texttrace():
            d = span["dir"]
            if abs(d[1]) > 0.05 or d[0] <= 0:  # only horizontal, upright text
                continue
            size = span["size"]
            if not size or size < 1.0:  # Type 3 fonts may report 0: use the box height
                bb = span["bbox"]
                size = max(1.0, bb[3] - bb[1])
            font = span["font"]
            bold = bool(span["flags"] & 16) or bool(_BOLD_RE.search(font))
            for uc, gid, origin, bbox in span["chars"]:
                if uc <= 0:
                    continue
                x0, y0, x1, y1 = bbox[0] - dx, bbox[1] - dy, bbox[2] - dx, bbox[3] - dy
                if x1 < 0 or x0 > W or y1 < 0 or y0 > H:
                    continue
                chars.append(_Char(chr(uc), x0, y0, x1, y1, origin[1] - dy, size, font, bold,
                                   cont=gid == -1))
        out.extend(cluster_stream(chars))
        return out

    @staticmethod
    def _image_coverage(page, rect) -> float:
        area = rect.width * rect.height or 1.0
        covered = 0.0
        try:
            for info in page.get_image_info():
                b = info["bbox"]
                w = max(0.0, min(b[2], rect.x1) - max(b[0], rect.x0))
                h = max(0.0, min(b[3], rect.y1) - max(b[1], rect.y0))
                covered += w * h
        except Exception:
            return 0.0
        return min(1.0, covered / area)

    def close(self) -> None:
        self.doc.close()


class PdfPlumberEngine(_Base):
    name = "pdfplumber"

    def __init__(self, data: bytes, password: str | None = None):
        import io

        import pdfplumber

        self.warnings = []
        try:
            self.pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
            self.page_count = len(self.pdf.pages)
        except Exception as e:
            name = type(e).__name__
            if "Password" in name or "Encrypt" in name:
                raise PdfError("encrypted PDF: a password is needed (--password)"
                               if not password else "encrypted PDF: wrong password") from None
            raise PdfError(f"not a readable PDF ({_short(e) or name})") from None
        md = self.pdf.metadata or {}
        self.producer = _meta_str(md.get("Producer"))
        self.creator = _meta_str(md.get("Creator"))

    def pages(self, numbers: list[int]) -> Iterator[RawPage]:
        for n in numbers:
            try:
                page = self.pdf.pages[n - 1]
                yield RawPage(n, float(page.width), float(page.height), self._glyphs(page),
                              self._image_coverage(page))
                page.close()
            except Exception as e:
                self.warnings.append(f"page {n}: could not be read ({_short(e)})")
                yield RawPage(n, 0.0, 0.0, [])

    @staticmethod
    def _glyphs(page) -> list[Glyph]:
        H = float(page.height)
        x_off, top_off = float(page.bbox[0]), float(page.bbox[1])
        chars: list[_Char] = []
        for c in page.chars:
            if not c.get("upright", True):
                continue
            m = c.get("matrix") or (1, 0, 0, 1, c["x0"], H - c["bottom"])
            if abs(m[1]) > 0.05 * abs(m[0] or 1) or m[0] <= 0:
                continue
            size = max(1.0, float(c.get("size") or 0.0), float(c["bottom"] - c["top"]))
            font = str(c.get("fontname") or "")
            # y1 is the top of the box and m[5] the baseline, both bottom-up
            baseline = float(c["top"]) + (float(c["y1"]) - float(m[5])) - top_off
            chars.append(_Char(c["text"], float(c["x0"]) - x_off, float(c["top"]) - top_off,
                               float(c["x1"]) - x_off, float(c["bottom"]) - top_off,
                               baseline, size, font, bool(_BOLD_RE.search(font))))
        return cluster_stream(chars)

    @staticmethod
    def _image_coverage(page) -> float:
        area = float(page.width * page.height) or 1.0
        covered = sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"]))
                      for i in page.images)
        return min(1.0, covered / area)

    def close(self) -> None:
        self.pdf.close()


def _meta_str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bytes):
        for enc in ("utf-16", "utf-8", "latin-1"):
            try:
                return v.decode(enc)
            except UnicodeDecodeError:
                continue
    return str(v) or None


def _short(e: BaseException) -> str:
    s = " ".join(str(e).split())
    return s[:160]


def open_engine(name: str, data: bytes, password: str | None = None) -> _Base:
    if name == "pymupdf":
        return PyMuPDFEngine(data, password)
    if name == "pdfplumber":
        return PdfPlumberEngine(data, password)
    raise ValueError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
