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
from collections import Counter
from typing import Callable, Iterator

from . import fontmap, marked
from .codepoints import CJK, fix_mangled
from .errors import PdfError
from .glyphtrace import CHARS as _CHARS, read_trace as _read_trace
from .kernel import KERNEL as _kernel, mupdf_device as _mupdf_device, texts as _texts
from .model import Glyph, RawPage, ink
from .mupdf import load as _load_pymupdf, texttrace
from .quirks import (MAYBE_PIECE, TextTable, cluster_pieces, drop_kashida, drop_marks_mapped_to_punctuation,
                     fold_overprints, row_kinds)

ENGINES = ("pymupdf", "pdfplumber")
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi", re.I)


class _BoldNames(dict):
    """``table[font]``: does the font's name say it is bold? Worked out once per name."""

    def __missing__(self, font: str) -> bool:
        b = self[font] = bool(_BOLD_RE.search(font))
        return b


_BOLD_FONTS = _BoldNames()
_is_bold_name = _BOLD_FONTS.__getitem__


_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")  # the operator that opens an inline image


_PLENTY_OF_TEXT = 200  # glyph boxes: more text than OCR triage ever asks about the images for
# MuPDF keeps what it decodes (fonts above all) in its store, up to 256 MB, for
# pages to come; pdfclean reads each page once, so a long document's store is
# emptied every so many pages: a 250-page document of a hundred fonts peaks 21 MB
# lower, and a font its pages share is decoded again once per stretch (no
# measurable time). A cache only: the output is the same.
STORE_PAGES = 25


def _has_inline_image(content: bytes) -> bool:
    return b"BI" in content and _INLINE_IMAGE.search(content) is not None


class _MarkTable(dict):
    """``table[ch]``: is ``ch`` a combining mark (one that sits on another
    letter)? Worked out once per character.

    >>> _MARKS["\u0651"], _MARKS["ب"]
    (True, False)
    """

    def __missing__(self, ch: str) -> bool:
        m = self[ch] = unicodedata.combining(ch) > 0 or unicodedata.category(ch) in ("Mn", "Me")
        return m


_MARKS = _MarkTable()


_STARTS_MARK = TextTable(lambda t: _MARKS[t[0]])  # a glyph text starts with a mark


def cluster_stream(glyphs: list[Glyph], number: bool = True, habit: Counter | None = None) -> list[Glyph]:
    """Attach each combining mark to the letter it sits on.

    ``glyphs`` are in content-stream order, one per drawn glyph (a glyph
    mapped to several characters is already one). A producer drawing
    right-to-left text in logical order (pen moving left) emits a mark after
    its letter. One drawing in visual order (pen moving right) may do either:
    HarfBuzz-shaped output (LibreOffice, Chromium, Word) and python-bidi
    strings put the mark *before* its letter, FriBidi's REORDER_NSM and
    hand-positioned marks put it *after*. Both readings are scored and the one
    that puts fewer marks where Arabic spelling never has them wins
    (:func:`_implausible`). Where the page cannot tell (a tie), the
    document's ``habit`` does: how the earlier pages that could tell went (a
    producer keeps one way; the tally is updated here). A mark with no letter
    near it stays on its own.

    ``seq`` is set to the position in the result unless ``number`` is false
    (:func:`merge_runs` numbers them then). (:func:`_cluster_stream_py`, by
    the compiled kernel where it is built.)
    """
    if _kernel is not None and type(glyphs) is list:
        out = _kernel.cluster_stream(glyphs, _STARTS_MARK, _BASE_LETTER, habit)
        if out is not None:
            return _number(out) if number else out
    return _cluster_stream_py(glyphs, number, habit)


def _cluster_stream_py(glyphs: list[Glyph], number: bool = True, habit: Counter | None = None) -> list[Glyph]:
    """:func:`cluster_stream`, the reference."""
    mark = _kernel.lookup(glyphs, _STARTS_MARK) if _kernel is not None and type(glyphs) is list else \
        [_STARTS_MARK[g.text] for g in glyphs]
    marks: list[int] = []
    i = -1
    try:
        while True:  # the marks' indexes, found at C speed (they are few)
            i = mark.index(True, i + 1)
            marks.append(i)
    except ValueError:
        pass
    if not marks:
        return _number(glyphs) if number else glyphs
    out: list[Glyph] = []  # the glyphs that are not marks
    start = 0
    for i in marks:
        out += glyphs[start:i]
        start = i + 1
    out += glyphs[start:]
    nxt = _NearestBase(mark, 1)
    prv = _NearestBase(mark, -1)
    attach_next = False
    if _pen_moves_right(out):
        score_next = score_prev = 0
        for i in marks:
            if not _is_rtl_char(glyphs[i].text[0]):
                continue
            j, k = nxt[i], prv[i]
            score_next += _implausible(glyphs, glyphs[i].text, j, prv[j] if j is not None else None)
            score_prev += _implausible(glyphs, glyphs[i].text, k, prv[k] if k is not None else None)
        if score_next != score_prev:
            attach_next = score_next < score_prev
            if habit is not None:
                habit["next" if attach_next else "prev"] += 1
        else:
            attach_next = habit is None or habit["next"] >= habit["prev"]
    for i in marks:  # in stream order, so several marks on a letter keep theirs
        g = glyphs[i]
        first = nxt[i] if attach_next and _is_rtl_char(g.text[0]) else prv[i]
        second = prv[i] if first == nxt[i] else nxt[i]
        for t in (first, second):
            if t is not None and _near(g, glyphs[t]):
                glyphs[t].text += g.text
                break
        else:
            out.append(g)  # an orphan, after everything
    return _number(out) if number else out


def _number(glyphs: list[Glyph]) -> list[Glyph]:
    for i, g in enumerate(glyphs):
        g.seq = i
    return glyphs


class _LetterTable(dict):
    """``table[ch]``: an Arabic-script letter (not a mark, not tatweel)?"""

    def __missing__(self, ch: str) -> bool:
        o = ord(ch)
        v = self[ch] = ((0x0620 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFC) and o != 0x0640
                        and unicodedata.category(ch).startswith("L"))
        return v


_LETTERS = _LetterTable()
_STARTS_LETTER = TextTable(lambda t: _LETTERS[t[0]])  # … with a letter
RUN_GAP_EM = 0.1  # letters closer than this (in ems) belong to one run


def merge_runs(glyphs: list[Glyph]) -> list[Glyph]:
    """:func:`_merge_runs`, by the compiled kernel where it is built (the same
    result; it declines, returning None, glyphs it cannot read as this does)."""
    if _kernel is not None and type(glyphs) is list:
        out = _kernel.merge_runs(glyphs, _STARTS_LETTER, RUN_GAP_EM)
        if out is not None:
            return out
    return _merge_runs(glyphs)


def _merge_runs(glyphs: list[Glyph]) -> list[Glyph]:
    """Fold runs of touching Arabic letters, drawn one after another, into one box.

    An Arabic word is drawn as letters that touch, in one direction, on one
    baseline, in one font; where it stands and how it reads is all the later
    stages need, so each such run becomes one :class:`Glyph` holding its text
    in reading order (letters always read right to left) and the count ``n``
    of glyphs it holds. Lines and bidi then work on a few hundred boxes per
    page instead of a few thousand glyphs, with the same result. Marks must be
    attached first (:func:`cluster_stream`); anything but a letter (spaces,
    digits, Latin, punctuation, stray marks, tatweel) stays a box of its own.
    A run keeps its letters (``parts``): where another glyph turns out to sit
    inside it (a ZWNJ or an unmapped mark drawn out of turn), lines are built
    from the letters instead (:func:`pdfclean.lines.unmerge_crossed`). Each
    glyph's ``seq`` is set to its position in ``glyphs``.
    """
    out: list[Glyph] = []
    letters = _STARTS_LETTER
    run: Glyph | None = None  # the last letter, or the copy of it a run grows in
    right: bool | None = None  # the run's direction; None: one letter so far
    # the run's edges, letter count and what its letters share, kept in locals
    lo = hi = y0 = y1 = tol = 0.0
    n = 0
    base = size = font = bold = None
    for k, g in enumerate(glyphs):
        g.seq = k  # drawing order, marks attached (a run takes its first letter's)
        if not letters[g.text]:
            if right is not None:
                run.n, run.y0, run.y1 = n, y0, y1
            out.append(g)
            run, right = None, None
            continue
        if run is not None and g.baseline == base and g.size == size and g.font == font and g.bold == bold \
                and g.artifact == run.artifact:
            if right is not False and -3 * tol < g.x0 - hi < tol:
                step = True  # drawn left to right: g reads first
            elif right is not True and -3 * tol < lo - g.x1 < tol:
                step = False
            else:
                step = None
            if step is not None:
                if right is None:  # the run's second letter: grow a copy of the first
                    run = out[-1] = Glyph(run.text, lo, y0, hi, y1, base, size, font, bold, run.seq,
                                          rightward=step, parts=[run], artifact=run.artifact)
                    right = step
                run.parts.append(g)
                if step:
                    run.text = g.text + run.text
                    if g.x1 > hi:
                        hi = run.x1 = g.x1
                else:
                    run.text += g.text
                    if g.x0 < lo:
                        lo = run.x0 = g.x0
                n += 1
                if g.y0 < y0:
                    y0 = g.y0
                if g.y1 > y1:
                    y1 = g.y1
                continue
        if right is not None:
            run.n, run.y0, run.y1 = n, y0, y1
        out.append(g)
        run, right, n = g, None, 1
        lo, hi, y0, y1 = g.x0, g.x1, g.y0, g.y1
        base, size, font, bold = g.baseline, g.size, g.font, g.bold
        tol = RUN_GAP_EM * size
    if right is not None:
        run.n, run.y0, run.y1 = n, y0, y1
    return out


class _NearestBase(dict):
    """``table[i]``: index of the nearest non-mark glyph after (``step`` 1) or
    before (-1) index ``i``, or None; found on demand (marks are few)."""

    def __init__(self, mark: list[bool], step: int) -> None:
        super().__init__()
        self.mark, self.step = mark, step

    def __missing__(self, i: int) -> int | None:
        j, mark, n = i + self.step, self.mark, len(self.mark)
        while 0 <= j < n and mark[j]:
            j += self.step
        v = self[i] = j if 0 <= j < n else None
        return v


def _near(m: Glyph, g: Glyph) -> bool:
    """Could mark ``m`` sit on glyph ``g`` (same line, within an em or so)?"""
    em = max(g.size, 1.0)
    return abs(m.baseline - g.baseline) < 0.6 * em and g.x0 - 1.5 * em < m.x0 < g.x1 + 1.5 * em


def _pen_moves_right(bases: list[Glyph]) -> bool:
    """Majority vote over consecutive glyphs (marks left out) on one baseline
    (at most ~500 pairs, spread evenly over the page); by the kernel where it
    is built (:func:`_pen_votes` is the reference)."""
    if _kernel is not None and type(bases) is list:
        v = _kernel.pen_moves_right(bases)
        if v is not None:
            return v
    return _pen_votes(bases)


def _pen_votes(bases: list[Glyph]) -> bool:
    right = left = 0
    step = len(bases) // 500 + 1
    for p, c in zip(bases[::step], bases[1::step]):
        if abs(p.baseline - c.baseline) < (0.5 * p.size if p.size > 1 else 0.5):
            d = c.x0 - p.x0
            if d > 0.01:
                right += 1
            elif d < -0.01:
                left += 1
    return right >= left


_TANWEEN = "\u064b\u064c\u064d"
_NO_MARKS = "\u0627\u0649"  # bare alef and alef maqsura: only tanween fath
_TA_MARBUTA = "\u0629"  # takes vowels and tanween, never shadda or sukun


def _base_letter(text: str) -> str:
    return unicodedata.normalize("NFKC", text[0])[:1] or " "


_BASE_LETTER = TextTable(_base_letter)  # a glyph text's first character -> its base letter


def _implausible(glyphs: list[Glyph], marks: str, b: int | None, after: int | None) -> int:
    """1 if marks on glyph ``b`` break Arabic spelling, else 0.

    ``after`` is the glyph that follows ``b`` in reading order (drawn just
    before it in a visual stream). Never: a mark on a space, digit or
    punctuation; shadda or sukun on ة, ا or ى; a vowel on bare alef; tanween
    before a joined letter other than ا/ى.
    """
    if b is None:
        return 1
    base = _base_letter(glyphs[b].text)
    if not ("\u0620" <= base <= "\u064a" or "\u066e" <= base <= "\u06d3"):
        return 1
    if base in _NO_MARKS and any(m != "\u064b" for m in marks):
        return 1
    if base == _TA_MARBUTA and ("\u0651" in marks or "\u0652" in marks):
        return 1
    if after is not None and any(m in _TANWEEN for m in marks):
        g, a = glyphs[b], glyphs[after]
        nb = _base_letter(a.text)
        if abs(a.x1 - g.x0) < 0.15 * g.size and "\u0620" <= nb <= "\u064a" and nb not in _NO_MARKS:
            return 1
    return 0


def _is_rtl_char(ch: str) -> bool:
    o = ord(ch)
    return 0x0590 <= o <= 0x08FF or 0xFB1D <= o <= 0xFEFF


_AR_LETTER = "\u0620-\u063f\u0641-\u064a\u066e-\u06d3\ufb50-\ufdff\ufe70-\ufefc"
# in drawing order: a letter, something that is neither letter nor space (or a digit or a Latin letter), a letter
_MAYBE_KASHIDA = re.compile(f"[{_AR_LETTER}][\u064b-\u065f\u0670]*(?:[^\\w\\s]|[\\d\u0640A-Za-z])+"
                            f"[\u064b-\u065f\u0670]*[{_AR_LETTER}]")


def _count_unread(raw: RawPage, turned: int, outside: int) -> None:
    """Characters the engine saw but did not read: read, and removed (reported by finish_glyphs)."""
    if turned:
        raw.account["not_horizontal"] -= turned
    if outside:
        raw.account["outside_crop_box"] -= outside
    raw.account["read"] += turned + outside


def finish_glyphs(glyphs: list[Glyph], raw: RawPage, warnings: list[str],
                  overprints: bool = True, bars: set[int] | Callable[[Glyph], bool] | None = None,
                  habit: Counter | None = None, strokes: Callable[[Glyph], bool] | None = None) -> list[Glyph]:
    """The glyph stage after an engine: characters read counted, producer
    quirks repaired (:mod:`pdfclean.quirks`: text drawn twice, kashida glyphs,
    the pieces of a shaped cluster given the cluster's text; ``overprints``
    false skips the first where the engine saw no sign of it; ``bars``: the
    glyphs drawn as connecting strokes, as ids or as the engine's test, asked
    only of the glyphs that could be one, see
    :func:`~pdfclean.quirks.fold_cluster_pieces`; ``strokes``: the engine's
    test of any glyph's outline, for :func:`~pdfclean.quirks.drop_kashida`), marks attached (``habit``:
    the document's, see :func:`cluster_stream`) and runs of letters folded.

    Whatever this drops is counted in ``raw.repairs`` and ``raw.account``;
    what the engine did not read (turned text, text outside the crop box) is
    reported in ``warnings``.
    """
    acc = raw.account
    texts: list[str] | None = _texts(glyphs)  # the glyphs' texts, while they are the glyphs'
    text = "".join(texts)
    inked = ink(text)  # the characters of the glyphs as they stand
    acc["read"] += inked
    for kind, what in (("not_horizontal", "drawn turned or vertically"),
                       ("outside_crop_box", "drawn outside the crop box")):
        if acc[kind]:
            warnings.append(f"page {raw.number}: {-acc[kind]} characters {what} were not read")
    if CJK.search(text):  # perhaps a mangled ToUnicode (Ghostscript): decoded in place
        glyphs, n = fix_mangled(glyphs)
        texts = None
        if n:
            raw.repairs["mangled_code_points"] += n
            fixed = ink("".join(_texts(glyphs)))
            acc["mangled_code_points"] += fixed - inked
            inked = fixed
    maybe_kashida = _MAYBE_KASHIDA.search(text) is not None
    kinds = row_kinds(texts) if maybe_kashida and texts is not None else None  # (while texts are the glyphs')
    for name, repair, wanted in (("kashida", drop_kashida, maybe_kashida),
                                 ("overprinted_glyphs", fold_overprints, overprints),
                                 ("wrong_code_points", drop_marks_mapped_to_punctuation, maybe_kashida)):
        if not wanted:
            continue
        if repair is fold_overprints:
            glyphs, n = repair(glyphs)
        elif repair is drop_kashida:
            glyphs, n = repair(glyphs, texts=texts, strokes=strokes, kinds=kinds)
        else:
            glyphs, n = repair(glyphs, texts=texts, kinds=kinds)
        if n:  # glyphs dropped, the others' texts as they were: the characters lost are the difference
            texts = kinds = None
            raw.repairs[name] += n
            kept = ink("".join(_texts(glyphs)))
            acc[name] -= inked - kept
            inked = kept
    if MAYBE_PIECE.search(text) or (bars and not callable(bars)):  # a character repeated (marks between)
        glyphs, n, lost = cluster_pieces(glyphs, bars, texts=texts)
        if n:  # pieces may lose characters and stay (a mark keeps its own)
            raw.repairs["cluster_pieces"] += n
            acc["cluster_pieces"] -= lost
    return merge_runs(cluster_stream(glyphs, number=False, habit=habit))


class _Base:
    name = ""
    page_count = 0
    producer: str | None = None
    creator: str | None = None
    warnings: list[str]
    habit: Counter  # how this document's pages draw marks (cluster_stream)

    def pages(self, numbers: list[int]) -> Iterator[RawPage]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover
        pass


class PyMuPDFEngine(_Base):
    name = "pymupdf"

    def __init__(self, data: bytes, password: str | None = None):
        pymupdf = _load_pymupdf()

        self.warnings = []
        self.habit = Counter()
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
        self._tools = pymupdf.TOOLS
        self._context = pymupdf.mupdf.internal_context_get
        self._device = _mupdf_device(pymupdf)  # None: PyMuPDF's text trace
        self.marks = marked.Reader(data, password)
        self._forms: dict[int, bool] = {}  # form xref -> mentions marked content
        self.page_count = doc.page_count
        md = doc.metadata or {}
        self.producer = md.get("producer") or None
        self.creator = md.get("creator") or None

    def pages(self, numbers: list[int]) -> Iterator[RawPage]:
        fonts = fontmap.MuPDFFonts(self.doc, self.warnings)  # font programs, read if a glyph needs one
        for k, n in enumerate(numbers):
            if k and k % STORE_PAGES == 0:
                self._tools.store_shrink(100)
            drawn = trace = None
            try:  # MuPDF's work: a failure here is the PDF's
                page = self.doc[n - 1]
                rect = page.cropbox  # unrotated, like the text coordinates
                content = page.read_contents()  # decoded once: marked content, inline images
                wants_marks = marked.mupdf_wants(page, self._forms, content)
                rotated = page.rotation != 0
            except Exception as e:
                yield self._unreadable(n, e)
                continue
            if self._device is not None and not rotated:  # (the trace of a rotated page is PyMuPDF's to turn)
                at, subset = (int(self._context().this), page.this.m_internal_value()), \
                    bool(self._tools.set_subset_fontnames())
                if wants_marks:  # the marks are applied to the trace
                    trace = self._device.trace_page(*at, subset)
                else:
                    drawn = self._device.read_page(*at, rect.width, rect.height, fontmap.ODD, _CHARS, _BOLD_FONTS,
                                                   subset)
            if drawn is None and trace is None:  # no device, or it left the page to PyMuPDF
                try:
                    trace = texttrace(page, self._tools)  # boxes of one ascent and descent
                except Exception as e:
                    yield self._unreadable(n, e)
                    continue
            raw = RawPage(n, rect.width, rect.height, [])
            fp = fonts.page(page)
            if wants_marks:  # ActualText, artifacts (pdfclean.marked)
                glyphs = marked.glyphs(self.marks, trace, marked.trace_codes, marked.apply_trace,
                                       lambda t: self._glyphs(t, rect, raw, fp), raw, self.warnings)
            else:
                glyphs = self._glyphs(trace, rect, raw, fp, drawn)
            raw.glyphs = finish_glyphs(glyphs, raw, self.warnings,
                                       overprints=raw.repairs.pop("_maybe_overprinted", 0) > 0, bars=fp.is_bar,
                                       habit=self.habit, strokes=fp.draws_stroke)
            raw.image_coverage = self._image_coverage(page, rect, raw.glyphs, n, self.warnings, content)
            yield raw

    def _unreadable(self, n: int, e: Exception) -> RawPage:
        """Page ``n`` as MuPDF failed to read it (``e``): empty, and a warning says so."""
        self.warnings.append(f"page {n}: could not be read ({_short(e)})")
        return RawPage(n, 0.0, 0.0, [])

    @staticmethod
    def _glyphs(trace: list[dict] | None, rect, raw: RawPage, fonts: fontmap.MuPDFPage | None = None,
                drawn: tuple | None = None) -> list[Glyph]:
        """Glyphs of a page's text trace, in drawing order; text not drawn
        upright and horizontally or outside the crop box is counted in
        ``raw.account`` (and so reported), not read. A glyph the layer did not
        map (U+FFFD, private use, a control) gets its text from the font
        program (``fonts``, :mod:`pdfclean.fontmap`) or is dropped, counted.
        ``drawn``: what the compiled device read off the page instead of the
        trace (:func:`pdfclean.kernel.mupdf_device`), the same tuple."""
        # The trace is in unrotated page space, relative to the cropbox's
        # top-left corner (y down): ``rect`` is the unrotated cropbox.
        W, H = rect.width, rect.height
        res = drawn
        if res is None and _kernel is not None and type(trace) is list:
            res = _kernel.read_trace(trace, W, H, fontmap.ODD, _CHARS, _BOLD_FONTS)
        glyphs, fix, turned, outside, maybe_twice = res or _read_trace(trace, W, H, fontmap.ODD, _CHARS, _BOLD_FONTS)
        if fix:
            fontmap.repair_trace(fonts, glyphs, fix, raw)
        if maybe_twice:
            raw.repairs["_maybe_overprinted"] = 1
        _count_unread(raw, turned, outside)
        return glyphs

    @staticmethod
    def _image_coverage(page, rect, glyphs: list[Glyph], number: int = 0,
                        warnings: list[str] | None = None, content: bytes | None = None) -> float:
        """Share of the page under images; text drawn before an image that
        covers it (hidden, unless the image is transparent there) is noted in
        ``warnings``.

        Placing images costs a second run of the page: skipped when the page
        uses no image XObject and no form. Inline images are looked for (in
        the decoded content) only on pages with little text, where OCR triage
        needs to know; a page full of text reports them as 0.
        """
        area = rect.width * rect.height or 1.0
        covered = 0.0
        try:
            if not (page.get_images() or page.get_xobjects()) and (
                    len(glyphs) >= _PLENTY_OF_TEXT or not _has_inline_image(
                        page.read_contents() if content is None else content)):
                return 0.0
            log = page.get_bboxlog()  # what is drawn, in drawing order
        except Exception:
            return 0.0
        images: list[tuple] = []
        hidden = 0
        for kind, b in reversed(log):  # the last drawn first: an image hides what came before it
            if kind == "fill-image":
                images.append(b)
                w = max(0.0, min(b[2], rect.x1) - max(b[0], rect.x0))
                h = max(0.0, min(b[3], rect.y1) - max(b[1], rect.y0))
                covered += w * h
            elif kind.endswith("-text") and any(i[0] <= b[0] and i[1] <= b[1] and b[2] <= i[2] and b[3] <= i[3]
                                                for i in images):
                hidden += 1
        if hidden and warnings is not None:
            warnings.append(f"page {number}: {hidden} text run(s) drawn under an image that covers them "
                            "(hidden on the page, read all the same)")
        return min(1.0, covered / area)

    def close(self) -> None:
        self.marks.close()
        self.doc.close()


class PdfPlumberEngine(_Base):
    name = "pdfplumber"

    def __init__(self, data: bytes, password: str | None = None):
        import io

        import pdfplumber

        self.warnings = []
        self.habit = Counter()
        try:
            self.pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
            self.marks = marked.Reader(data, password)
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
        fonts = fontmap.PdfMinerFonts(self.pdf, self.warnings)  # font programs, read if a glyph needs one
        for n in numbers:
            try:  # pdfminer's work: a failure here is the PDF's
                page = self.pdf.pages[n - 1]
                w, h = self._frame(page)[:2]
                fonts.prepare(page)  # unmapped glyphs keep their CID (it never raises)
                chars = page.chars
                coverage = self._image_coverage(page)
                wants_marks = marked.pdfminer_wants(page.page_obj)
            except Exception as e:
                self.warnings.append(f"page {n}: could not be read ({_short(e)})")
                yield RawPage(n, 0.0, 0.0, [])
                continue
            raw = RawPage(n, w, h, [], coverage)
            if wants_marks:  # ActualText, artifacts (pdfclean.marked)
                rot = int(page.rotation or 0)  # pdfplumber's boxes are turned with the page
                glyphs = marked.glyphs(self.marks, chars, len, lambda cs, m, r: marked.apply_chars(cs, m, r, rot),
                                       lambda cs: self._glyphs(page, cs, raw, fonts), raw, self.warnings)
            else:
                glyphs = self._glyphs(page, chars, raw, fonts)
            raw.glyphs = finish_glyphs(glyphs, raw, self.warnings, bars=fonts.bars, habit=self.habit)
            page.close()
            yield raw

    @staticmethod
    def _frame(page) -> tuple[float, float, float, float, int]:
        """Unrotated cropbox width and height, the cropbox's offset inside the
        mediabox (pdfplumber's boxes are top-down, in rotated space) and the
        page rotation. (An offset on a rotated page is not corrected.)"""
        cb = [float(v) for v in page.cropbox]
        mb = [float(v) for v in page.mediabox]
        rot = int(page.rotation or 0) % 360
        w, h = cb[2] - cb[0], cb[3] - cb[1]
        if rot in (90, 270):
            return h, w, 0.0, 0.0, rot
        return w, h, cb[0] - mb[0], cb[1] - mb[1], rot

    @classmethod
    def _glyphs(cls, page, chars: list[dict], raw: RawPage,
                fonts: fontmap.PdfMinerFonts | None = None) -> list[Glyph]:
        """Glyphs in unrotated cropbox space, y down — the pymupdf engine's frame.
        A glyph pdfminer did not map (``(cid:N)``, U+FFFD, private use, a
        control) gets its text from the font program (``fonts``,
        :mod:`pdfclean.fontmap`) or is dropped, counted.

        pdfplumber hands out coordinates of the *rotated* page; they are turned
        back so that text drawn horizontally is horizontal again.
        """
        W, H, x_off, top_off, rot = cls._frame(page)
        RW, RH = float(page.width), float(page.height)  # the rotated mediabox

        def unrotate(x: float, y: float) -> tuple[float, float]:
            if rot == 90:
                x, y = y, RW - x
            elif rot == 180:
                x, y = RW - x, RH - y
            elif rot == 270:
                x, y = RH - y, x
            return x - x_off, y - top_off

        glyphs: list[Glyph] = []
        turned = outside = 0
        odd, suspect, fix = fontmap.ODD, fontmap.suspect, fonts.fix if fonts is not None else fontmap.strip
        for c in chars:
            if not c["text"]:
                continue
            ax, ay = unrotate(float(c["x0"]), float(c["top"]))
            bx, by = unrotate(float(c["x1"]), float(c["bottom"]))
            x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
            m = c.get("matrix") or (1, 0, 0, 1, c["x0"], RH - c["bottom"])
            ox, oy = unrotate(float(m[4]), RH - float(m[5]))  # the glyph origin, on the baseline
            # horizontal, left-to-right drawing only (after turning the page back)
            if rot in (0, 180) and (abs(m[1]) > 0.05 * abs(m[0] or 1) or (m[0] <= 0) == (rot == 0)) or \
                    rot in (90, 270) and (abs(m[0]) > 0.05 * abs(m[1] or 1) or m[1] == 0):
                turned += ink(c["text"])
                continue
            if x1 < 0 or x0 > W or y1 < 0 or y0 > H:  # outside the crop box, like MuPDF
                outside += ink(c["text"])
                continue
            size = max(1.0, float(c.get("size") or 0.0), y1 - y0)
            font = str(c.get("fontname") or "")
            g = Glyph(c["text"], x0, y0, x1, y1, oy, size, font, _is_bold_name(font))
            if (odd[ord(g.text)] if len(g.text) == 1 else suspect(g.text)) and not fix(g, raw):
                continue  # no text for it, counted
            glyphs.append(g)
        if fonts is not None:
            fonts.end_page(raw)
        _count_unread(raw, turned, outside)
        return glyphs

    @staticmethod
    def _image_coverage(page) -> float:
        area = float(page.width * page.height) or 1.0
        covered = sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"]))
                      for i in page.images)
        return min(1.0, covered / area)

    def close(self) -> None:
        self.marks.close()
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
