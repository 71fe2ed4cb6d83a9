"""The pdfplumber engine's side: its documents' font programs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Glyph, RawPage
from .program import FontText
from .repairs import _CID, _PLACEHOLDER, _Repairs
from .tables import LOST, SUSPECT, TATWEEL, usable


class PdfMinerFonts:
    """The font programs of one pdfplumber document.

    pdfminer's chars carry no CID: for a glyph with no text at all it writes
    ``(cid:N)``, but for one mapped to U+0000, U+FFFD or private use the CID
    is lost. So before a page is read (:meth:`prepare`), the ToUnicode maps
    of its fonts (loaded through pdfminer's own cached resource manager, as
    its interpreter would) have their suspect entries replaced by one
    placeholder character per CID (U+100000 + CID, plane 16, itself
    suspect), and what the map said is kept, for the account and for the
    glyphs the font cannot map either.
    """

    def __init__(self, pdf, warnings: list[str]) -> None:
        self.pdf, self.warnings = pdf, warnings
        self._seen: dict[int, Any] = {}  # id(pdfminer font) -> the font (kept alive)
        self._strokes: dict[tuple[int, int], bool] = {}  # (id(font program), gid) -> drawn as a stroke
        self._by_name: dict[str, list[dict]] = {}  # fontname -> entries
        self._forms: set = set()
        self._page = _Repairs()
        self.warned: dict[int, tuple[int, Counter]] = {}
        self.bars: set[int] = set()  # ids of this page's glyphs that draw connecting strokes

    def prepare(self, page) -> None:
        try:
            from pdfminer.pdftypes import resolve1

            self._walk(resolve1(page.page_obj.resources) or {}, 0, resolve1)
        except Exception:  # a broken resource dictionary: pdfminer will say so, or read on
            pass
        self._page = _Repairs()
        self.bars = set()

    def _walk(self, res, depth: int, resolve1) -> None:
        from pdfminer.pdftypes import PDFObjRef

        fonts = resolve1(res.get("Font")) if isinstance(res, dict) else None
        for spec in (fonts or {}).values():
            objid = spec.objid if isinstance(spec, PDFObjRef) else None
            spec = resolve1(spec)
            if not isinstance(spec, dict):
                continue
            try:
                font = self.pdf.rsrcmgr.get_font(objid, spec)
            except Exception:
                continue
            if id(font) not in self._seen:
                self._seen[id(font)] = font
                self._add(font, spec, resolve1)
        xobjs = resolve1(res.get("XObject")) if isinstance(res, dict) and depth < 4 else None
        for ref in (xobjs or {}).values():
            key = ref.objid if isinstance(ref, PDFObjRef) else id(ref)
            if key in self._forms:
                continue
            self._forms.add(key)
            x = resolve1(ref)
            attrs = getattr(x, "attrs", None)
            if attrs and getattr(attrs.get("Subtype"), "name", None) == "Form":
                self._walk(resolve1(attrs.get("Resources")) or {}, depth + 1, resolve1)

    def _add(self, font, spec: dict, resolve1) -> None:
        entry: dict[str, Any] = {"font": font, "spec": spec, "old": {}, "program": False}
        self._by_name.setdefault(str(getattr(font, "fontname", "")), []).append(entry)
        um = getattr(font, "unicode_map", None)
        table = getattr(um, "cid2unichr", None)
        # no ToUnicode: pdfminer read the TrueType cmap itself (and misreads
        # some subsets' format 4 tables); the font program is asked instead
        guessed = "ToUnicode" not in spec and font.is_multibyte()
        if isinstance(table, dict):
            for cid, v in list(table.items()):
                if isinstance(v, str) and (guessed or SUSPECT.search(v)) and 0 <= cid < 0x10000:
                    entry["old"][cid] = v
                    table[cid] = chr(_PLACEHOLDER + cid)
            self._mark_bars(entry, table)

    def _mark_bars(self, entry: dict, table: dict) -> None:
        """Connecting strokes mapped to a letter (see :meth:`MuPDFPage.is_bar`):
        pdfminer's chars carry no glyph id, so the CIDs of a font whose glyph
        draws a stroke while its map says an Arabic letter another CID also
        says get placeholders, like suspect ones; :meth:`fix` gives them their
        letter back and lists them in :attr:`bars`. The font program is read
        only for a font with such letters."""
        from ..quirks import draws_bar

        by_letter: dict[str, list[int]] = {}
        for cid, v in table.items():
            if isinstance(v, str) and len(v) == 1 and "\u0620" <= v <= "\u06ff" and 0 <= cid < 0x10000:
                by_letter.setdefault(v, []).append(cid)
        cands = [c for cids in by_letter.values() if len(cids) > 1 for c in cids]
        ft = self._program(entry) if cands else None
        if ft is None or ft._font is None:
            return
        for cid in cands:
            gid = self._gid(entry, ft, cid)
            if gid is not None and draws_bar(ft._font, gid):
                entry["old"][cid] = table[cid]
                entry.setdefault("bars", set()).add(cid)
                table[cid] = chr(_PLACEHOLDER + cid)

    def _program(self, entry: dict) -> FontText | None:
        if entry["program"] is False:
            entry["program"] = None
            try:
                from pdfminer.pdftypes import resolve1

                font, spec = entry["font"], entry["spec"]
                desc = getattr(font, "descriptor", None) or {}
                stream = resolve1(desc.get("FontFile2")) or resolve1(desc.get("FontFile3"))
                if stream is not None:
                    ft = FontText(stream.get_data())
                    if ft.ok:
                        entry["program"] = ft
                        entry["cid2gid"] = self._cid2gid(spec, resolve1)
            except Exception:
                entry["program"] = None
        return entry["program"]

    @staticmethod
    def _cid2gid(spec: dict, resolve1):
        """CIDToGIDMap of a Type0 font (None: identity; bytes: the map)."""
        dfs = resolve1(spec.get("DescendantFonts"))
        if not dfs:
            return None
        m = resolve1(resolve1(dfs[0]).get("CIDToGIDMap"))
        return m.get_data() if hasattr(m, "get_data") else None

    def _gid(self, entry: dict, ft: FontText, cid: int) -> int | None:
        font = entry["font"]
        if font.is_multibyte():  # a CID font: CIDToGIDMap (TrueType) or the CFF charset
            m = entry.get("cid2gid")
            if m is not None:
                return int.from_bytes(m[2 * cid:2 * cid + 2], "big") if 2 * cid + 2 <= len(m) else None
            if ft.is_cid_keyed():
                return ft.gid_of(f"cid{cid:05d}")
            return cid
        f = ft._font  # a simple TrueType font: the code through its (3,0) or (1,0) cmap
        if f is None or "cmap" not in f:
            return None
        for pid, eid, codes in ((3, 0, (cid, 0xF000 + cid, 0xF100 + cid, 0xF200 + cid)), (1, 0, (cid,))):
            t = f["cmap"].getcmap(pid, eid)
            if t is not None:
                for c in codes:
                    if c in t.cmap:
                        return ft.gid_of(t.cmap[c])
        return None

    def fix(self, g: Glyph, raw: RawPage) -> bool:
        """Give glyph ``g`` (its text suspect) the font's text, or strip it
        (counted). False: drop it."""
        text, font = g.text, g.font
        entries = self._by_name.get(font, ())
        cid, old = None, text  # old: what the layer says (pdfminer's own "(cid:N)" for no text)
        if len(text) == 1 and ord(text) >= _PLACEHOLDER:
            c = ord(text) - _PLACEHOLDER
            for e in entries:
                if c in e["old"]:
                    cid, old = c, e["old"][c]
                    if c in e.get("bars", ()):  # its letter, and a stroke
                        g.text = old
                        self.bars.add(id(g))
                        return True
                    break
        else:
            m = _CID.fullmatch(text)
            if m:
                cid = int(m.group(1))
        new = None
        if cid is not None:
            drawn = None  # the first program that has the glyph, and its id there
            for e in entries:
                ft = self._program(e)
                gid = self._gid(e, ft, cid) if ft is not None else None
                t = ft.text(gid) if gid is not None else None
                if gid is not None and drawn is None:
                    drawn = ft, gid
                if not t and not e["font"].is_multibyte():  # a simple font: its encoding's name
                    t = getattr(e["font"], "cid2unicode", {}).get(cid)
                    t = t if t and usable(t) else None
                if t:
                    new = t
                    break
            if new is None and drawn is not None and (LOST.search(old) or _CID.search(old)) \
                    and self._stroke(*drawn):  # an elongation (see MuPDFPage.repair)
                new = TATWEEL
            g.text = old
        return self._page.apply(g, old, new, font, raw)

    def _stroke(self, ft: FontText, gid: int) -> bool:
        """:func:`pdfclean.quirks.draws_bar` of glyph ``gid`` of program ``ft``, once per glyph
        (a document may leave hundreds of glyphs unmapped)."""
        key = (id(ft), gid)
        v = self._strokes.get(key)
        if v is None:
            from ..quirks import draws_bar

            v = self._strokes[key] = ft._font is not None and draws_bar(ft._font, gid)
        return v

    def end_page(self, raw: RawPage) -> None:
        self._page.warn(raw, self.warnings, self.warned)
        self._page = _Repairs()


def strip(g: Glyph, raw: RawPage) -> bool:
    """The pdfplumber engine's fallback with no fonts at hand (see :meth:`PdfMinerFonts.fix`)."""
    return _Repairs().apply(g, g.text, None, g.font, raw)
