"""The PyMuPDF engine's side: its documents' font programs, read as glyphs need them."""

from __future__ import annotations

import struct
from collections import Counter, OrderedDict

from ..model import Glyph, RawPage
from ..quirks import bar_between, draws_bar as _outline_bar, no_bar as _points_no_bar
from .program import FontText
from .repairs import _Repairs, _strip_subset
from .sfnt import _Sfnt
from .tables import LOST, suspect, TATWEEL


_UNREAD = object()  # (not yet in a cache)
MAX_PROGRAMS = 16  # font programs a document holds at once (the least recently used let go)


class MuPDFFonts:
    """The font programs of one PyMuPDF document, read as glyphs need them."""

    def __init__(self, doc, warnings: list[str]) -> None:
        self.doc, self.warnings = doc, warnings
        self._programs: dict[int, FontText | None] = {}
        self.warned: dict[int, tuple[int, Counter]] = {}
        self._bars: dict[tuple[int, int], bool] = {}  # (font xref, gid) -> draws a connecting stroke
        self._data: OrderedDict[int, tuple[bytes, str]] = OrderedDict()  # xref -> the font program and its kind
        self._let_go: set[int] = set()  # xrefs whose program read raw was let go (MAX_PROGRAMS)
        self._raw: dict[int, _Sfnt | None | bool] = {}  # xref -> read raw (None: no program, False: unread)
        self._advance: dict[tuple[int, int], float | None] = {}  # (xref, gid) -> advance read raw (see _raw_advance)
        self._sure: dict[tuple[int, int], bool] = {}  # (xref, gid) -> surely no stroke, from its points read raw
        self._fonts_of: dict[str, dict[str, list[int]]] = {}  # a page's font dictionary -> its fonts by name

    def page(self, page) -> "MuPDFPage":
        return MuPDFPage(self, page)

    def fonts_of(self, page) -> dict[str, list[int]]:
        """The xrefs of the page's fonts (Type 3 aside) by name, subset tag
        stripped; read once per font dictionary that pages share (by its
        reference, or its text when written inline)."""
        key = None
        try:
            kind, value = self.doc.xref_get_key(page.xref, "Resources/Font")
            if kind in ("xref", "dict"):
                key = value
        except Exception:
            pass
        names = self._fonts_of.get(key) if key is not None else None
        if names is None:
            names = {}
            try:
                entries = page.get_fonts()
            except Exception:
                return names
            for e in entries:
                if e[2] == "Type3":
                    continue
                names.setdefault(_strip_subset(str(e[3])), []).append(e[0])
            if key is not None:
                self._fonts_of[key] = names
        return names

    def draws_bar(self, xref: int, gid: int) -> bool | None:
        """:func:`pdfclean.quirks.draws_bar` for glyph ``gid`` of font ``xref``'s program, cached;
        told from its points read raw where they settle it (:func:`pdfclean.quirks.bar_between`:
        fontTools would first split the whole ``glyf`` table), else drawn by fontTools (opened
        only then); None when neither reads it."""
        key = (xref, gid)
        v = self._bars.get(key, _UNREAD)
        if v is _UNREAD:
            sf = self._read_raw(xref) if xref in self._let_go else self._raw.get(xref)  # (as if kept)
            boxes = sf.point_boxes(gid) if sf else None
            v = bar_between(*boxes, sf.upem) if boxes is not None else None
            if v is None:
                ft = self.program(xref)
                v = _outline_bar(ft._font, gid) if ft is not None else None
            self._bars[key] = v
        return v

    def no_bar(self, xrefs: list[int], gid: int, width: float) -> bool:
        """Is it sure, from the programs read raw, that glyph ``gid`` drawn
        ``width`` ems wide is no connecting stroke in any of fonts ``xrefs``:
        each either has no program :meth:`program` would read, or no such
        glyph, or an advance other than ``width``, or on-curve points no
        stroke has (:func:`pdfclean.quirks.no_bar`)? Then
        :meth:`MuPDFPage.is_bar` answers False whichever of them it would
        have read. (The points are read only for a program whose advance is
        ``width``.)"""
        for xref in xrefs:
            adv = self._advance.get((xref, gid), _UNREAD)
            if adv is _UNREAD:
                adv = self._advance[xref, gid] = self._raw_advance(xref, gid)
            if adv is None:
                return False
            if adv >= 0 and abs(adv - width) < 0.01:
                sure = self._sure.get((xref, gid))
                if sure is None:
                    sf = self._read_raw(xref)  # (read by _raw_advance, unless let go since)
                    sure = self._sure[xref, gid] = _points_no_bar(sf.on_curve_extent(gid), sf.upem)
                if not sure:
                    return False
        return True

    def _raw_advance(self, xref: int, gid: int) -> float | None:
        """For :meth:`no_bar`: the advance in ems of glyph ``gid`` of font
        ``xref``, read raw; -1: no program :meth:`program` would read, or no
        such glyph in it (fontTools reads as many advances as ``maxp`` counts
        glyphs, and names no more: :meth:`FontText.advance` has none either);
        None: not read raw."""
        sf = self._read_raw(xref)
        if sf is None or (sf and gid >= sf.glyphs):
            return -1.0
        return sf.advance(gid) if sf else None

    def _read_raw(self, xref: int) -> _Sfnt | None | bool:
        """Font ``xref``'s program read raw (None: no program :meth:`program`
        would read; False: not read raw), read on the first call."""
        sf = self._raw.get(xref, _UNREAD)
        if sf is _UNREAD:
            data, ext = self._program_data(xref)
            try:
                sf = self._raw[xref] = _Sfnt(data) if data and ext in ("ttf", "otf", "cff") else None
            except (ValueError, KeyError, struct.error):
                sf = self._raw[xref] = False
        return sf

    def _program_data(self, xref: int) -> tuple[bytes, str]:
        """Font ``xref``'s program and its kind. At most :data:`MAX_PROGRAMS`
        are held: a document drawing more fonts than that lets the least
        recently used go (its program, read raw and by fontTools; the answers
        worked out from them stay cached) and reads it again if asked."""
        got = self._data.get(xref)
        if got is not None:
            self._data.move_to_end(xref)
            return got
        try:
            _name, ext, _kind, data = self.doc.extract_font(xref)
        except Exception:
            data, ext = b"", ""
        got = self._data[xref] = (data, ext)
        while len(self._data) > MAX_PROGRAMS:
            old, _ = self._data.popitem(last=False)
            if self._raw.get(old):  # (None and False stay: nothing held)
                del self._raw[old]
                self._let_go.add(old)  # (read raw: draws_bar reads it again, as if kept)
            if self._programs.get(old) is not None:
                del self._programs[old]
        return got

    def program(self, xref: int) -> FontText | None:
        if xref not in self._programs:
            ft = None
            data, ext = self._program_data(xref)
            if data and ext in ("ttf", "otf", "cff"):
                ft = FontText(data, ext)
                if not ft.ok:
                    ft = None
            self._programs[xref] = ft
        return self._programs[xref]


class MuPDFPage:
    """One page's side of :class:`MuPDFFonts`: its fonts by name."""

    __slots__ = ("fonts", "page", "_by_name", "_memo", "_strokes")

    def __init__(self, fonts: MuPDFFonts, page) -> None:
        self.fonts, self.page = fonts, page
        self._by_name: dict[str, list[int]] | None = None
        self._memo: dict[tuple[str, int], str | None] = {}  # (span font, gid) -> text
        self._strokes: dict[tuple, bool] = {}  # (font, gid, width, size) -> draws_stroke's answer

    def _candidates(self, font: str) -> list[int]:
        if self._by_name is None:
            self._by_name = {n: list(xs) for n, xs in self.fonts.fonts_of(self.page).items()}
        c = self._by_name.get(font)
        if c is None:  # a name MuPDF shortened or took from the program
            c = self._by_name[font] = [x for n, xs in self._by_name.items() if font and n and
                                       (n.endswith(font) or font.endswith(n)) for x in xs]
        return c

    def is_bar(self, g: Glyph) -> bool:
        """Does glyph ``g`` (read from the text trace, so it knows its glyph
        id) draw a connecting stroke while mapped to an Arabic letter — a
        cluster piece (:func:`pdfclean.quirks.fold_cluster_pieces`, which
        asks only of glyphs drawn beside a touching copy of their letter)?
        Told from the outline in the font program whose advance matches the
        drawn width (:func:`pdfclean.quirks.draws_bar`, cached per font
        program and glyph)."""
        return "\u0620" <= g.text[:1] <= "\u06ff" and self.draws_stroke(g)

    def draws_stroke(self, g: Glyph) -> bool:
        """Does glyph ``g`` draw a connecting stroke, whatever its text says
        (an elongation a producer mapped to a quote: :func:`pdfclean.quirks.drop_kashida`
        asks of the marks it finds between two joined letters)? The answer
        depends on nothing else than the glyph's font, id, width and size (and
        the page's fonts): asked once per page for each."""
        gid = getattr(g, "gid", -1)
        if gid < 0 or not g.size:
            return False
        key = (g.font, gid, g.x1 - g.x0, g.size)
        v = self._strokes.get(key)
        if v is None:
            v = self._strokes[key] = self._draws_stroke(g.font, gid, (g.x1 - g.x0) / g.size)
        return v

    def _draws_stroke(self, font: str, gid: int, width: float) -> bool:
        """:meth:`draws_stroke` for glyph ``gid`` of span font ``font`` drawn ``width`` ems wide."""
        xrefs = self._candidates(font)
        if self.fonts.no_bar(xrefs, gid, width):  # (most glyphs asked are real letters)
            return False
        known = self.fonts._advance  # (read raw by no_bar: fontTools reads the same advance, or none where -1)
        for xref in xrefs:
            raw = known.get((xref, gid))
            if raw is not None and (raw < 0 or abs(raw - width) >= 0.01):
                continue  # not the program drawn
            if raw is None:  # not read raw: fontTools tells whether it is the program drawn
                ft = self.fonts.program(xref)
                adv = ft.advance(gid) if ft is not None else None
                if adv is None or abs(adv - width) >= 0.01:
                    continue
            v = self.fonts.draws_bar(xref, gid)  # (fontTools opened only if the points read raw do not settle it)
            if v is not None:
                return v
        return False

    def text(self, font: str, gid: int, width_em: float | None) -> str | None:
        """The font's text for glyph ``gid`` of the span font ``font``; with
        several embedded fonts of that name (subsets), the one whose advance
        matches the drawn width."""
        found: list[tuple[float, str]] = []
        for xref in self._candidates(font):
            ft = self.fonts.program(xref)
            t = ft.text(gid) if ft is not None else None
            if t:
                adv = ft.advance(gid)
                err = abs(adv - width_em) if adv is not None and width_em is not None else 1.0
                found.append((err, t))
        if not found:
            return None
        if len({t for _, t in found}) == 1:
            return found[0][1]
        return min(found)[1]

    def repair(self, glyphs: list[Glyph], fix: list[tuple[int, int, dict]], raw: RawPage) -> None:
        """Give the glyphs listed in ``fix`` (index, gid, span) the font's
        text; drop those it cannot map (counted, warned), but one whose
        outline is a connecting stroke (:meth:`draws_stroke`): that is an
        elongation, given a tatweel's text so that the kashida repair drops it
        between the letters it joins and no gap is left where it stood."""
        rep = _Repairs()
        drop = False
        memo = self._memo
        done: set[int] = set()
        for i, gid, span in fix:
            if i in done:  # a glyph listed twice (two of its characters odd)
                continue
            done.add(i)
            g = glyphs[i]
            if gid == -1:  # a further character of glyph i: find that glyph's id in its span
                gid = next((c[1] for c in span["chars"] if c[1] != -1 and c[3][0] == g.x0 and c[3][2] == g.x1), -1)
            font = span["font"]
            new = memo.get((font, gid), 0)
            if new == 0:
                size = span["size"] or 0.0
                new = memo[font, gid] = self.text(font, gid, (g.x1 - g.x0) / size if size > 0 else None) \
                    if gid >= 0 else None
            old = g.text
            if new is None and LOST.search(old) is None:
                continue  # only controls: script's control repair takes them
            if new is None and self.draws_stroke(g):  # an elongation: the kashida repair drops it, closing its gap
                new = memo[font, gid] = TATWEEL
            if not rep.apply(g, old, new, font, raw):
                drop = True
        if drop:
            glyphs[:] = [g for g in glyphs if g.text]
        rep.warn(raw, self.fonts.warnings, self.fonts.warned)


def repair_trace(fonts: MuPDFPage | None, glyphs: list[Glyph], fix: list[tuple[int, int, dict]],
                 raw: RawPage) -> None:
    """The PyMuPDF engine's call: :meth:`MuPDFPage.repair`, or with no fonts
    at hand, what may not stay stripped (counted)."""
    if fonts is not None:
        fonts.repair(glyphs, fix, raw)
        return
    rep, drop = _Repairs(), False
    for i, _gid, span in fix:
        if suspect(glyphs[i].text) and not rep.apply(glyphs[i], glyphs[i].text, None, span["font"], raw):
            drop = True
    if drop:
        glyphs[:] = [g for g in glyphs if g.text]
