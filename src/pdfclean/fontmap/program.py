"""One font program: glyph id → text (cmap, glyph names, GSUB)."""

from __future__ import annotations

import unicodedata
from io import BytesIO
from typing import Any

from .tables import _ARABIC, name_to_text, SUSPECT, usable


# --- one font program -------------------------------------------------------------

def _rank(cp: int) -> tuple:
    """Sort key among code points drawn with one glyph: usable, then a base
    character rather than a presentation form or compatibility variant, then
    the lowest."""
    ch = chr(cp)
    return (bool(SUSPECT.match(ch)),
            0xFB00 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF,
            unicodedata.decomposition(ch).startswith("<"),
            cp)


def _quiet_fonttools() -> None:
    """fontTools logs what it thinks of a subset font's tables ('modified'
    timestamps, hmtx sizes) at warning level; embedded fonts are what they are,
    and pdfclean's stderr is for its own one-line messages."""
    import logging

    logging.getLogger("fontTools").setLevel(logging.ERROR)


class FontText:
    """glyph id → text for one embedded font program (TrueType, OpenType or
    bare CFF), worked out on demand and cached."""

    def __init__(self, data: bytes, ext: str = "") -> None:
        self._data, self._ext = data, ext
        self._font: Any = None
        self._order: list[str] | None = None
        self._index: dict[str, int] = {}
        self._cmap: dict[int, str] = {}  # gid -> best text from the cmap
        self._real_names = False
        self._arabic = False
        self._ligs: dict[str, list[list[str]]] | None = None  # ligature glyph -> components
        self._singles: dict[str, list[str]] | None = None  # substituted glyph -> sources
        self._text: dict[int, str] = {}
        self.ok = self._load()

    def _load(self) -> bool:
        try:
            from fontTools.ttLib import TTFont

            _quiet_fonttools()

            if self._data[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf"):
                f = TTFont(BytesIO(self._data), lazy=True, fontNumber=0)
                self._font = f
                order = f.getGlyphOrder()
                if "CFF " in f:
                    self._real_names = not hasattr(f["CFF "].cff[0], "ROS")
                elif "post" in f:
                    self._real_names = f["post"].formatType in (1.0, 2.0)
                best: dict[int, list[int]] = {}
                if "cmap" in f:
                    for t in f["cmap"].tables:
                        if not t.isUnicode():
                            continue
                        for cp, name in t.cmap.items():
                            best.setdefault(name, []).append(cp)
                self._set_order(order)
                for name, cps in best.items():
                    gid = self._index.get(name)
                    if gid is not None:
                        cp = min(cps, key=_rank)
                        if not SUSPECT.match(chr(cp)):
                            self._cmap[gid] = chr(cp)
                            if 0x0600 <= cp <= 0x06FF or 0xFB50 <= cp <= 0xFEFC:
                                self._arabic = True
            else:  # a bare CFF program (FontFile3 /Type1C or /CIDFontType0C)
                from fontTools.cffLib import CFFFontSet

                cff = CFFFontSet()
                cff.decompile(BytesIO(self._data), None)
                top = cff[0]
                self._real_names = not hasattr(top, "ROS")
                self._set_order(list(top.charset or []))
            if not self._arabic and self._real_names:
                self._arabic = any(n.startswith(("uni06", "uniFE", "uniFB")) or n.lower().split(".")[0]
                                   in _ARABIC for n in self._order or ())
            return bool(self._order)
        except Exception:  # a font fontTools cannot read: its glyphs are not resolvable
            self._font = None
            return False

    def _set_order(self, order: list[str]) -> None:
        self._order = order
        self._index = {n: i for i, n in enumerate(order)}

    def gid_of(self, name: str) -> int | None:
        return self._index.get(name)

    def num_glyphs(self) -> int:
        return len(self._order or ())

    def is_cid_keyed(self) -> bool:
        return bool(self._order) and not self._real_names and self._font is None

    def advance(self, gid: int) -> float | None:
        """The glyph's advance in ems (hmtx), for telling subsets apart."""
        try:
            f = self._font
            if f is None or "hmtx" not in f:
                return None
            return f["hmtx"][self._order[gid]][0] / f["head"].unitsPerEm
        except Exception:
            return None

    def text(self, gid: int) -> str | None:
        """The text glyph ``gid`` stands for, or None."""
        if not self.ok or gid < 0 or gid >= len(self._order):
            return None
        t = self._text.get(gid)
        if t is None:
            t = self._text[gid] = self._resolve(gid, frozenset()) or ""
        return t or None

    def _resolve(self, gid: int, seen: frozenset) -> str:
        t = self._cmap.get(gid)
        if t:
            return t
        name = self._order[gid]
        if self._real_names and name != ".notdef":
            t = name_to_text(name, self._arabic)
            if usable(t):
                return t
        if self._font is None or gid in seen or len(seen) > 8:
            return ""
        seen = seen | {gid}
        if self._ligs is None:
            self._read_gsub()
        options = []  # a ligature may be listed with its components in several orders
        for comps in self._ligs.get(name, ()):
            texts = [self._resolve(self._index[c], seen) if c in self._index else "" for c in comps]
            if all(texts):
                options.append("".join(texts))
        if options:  # the one in canonical (NFC) order, as text is stored
            return next((t for t in options if unicodedata.is_normalized("NFC", t)), options[0])
        for src in self._singles.get(name, ()):
            i = self._index.get(src)
            if i is not None:
                t = self._resolve(i, seen)
                if t:
                    return t
        return ""

    def _read_gsub(self) -> None:
        ligs: dict[str, list[list[str]]] = {}
        singles: dict[str, list[str]] = {}
        self._ligs, self._singles = ligs, singles
        try:
            f = self._font
            if "GSUB" not in f or f["GSUB"].table.LookupList is None:
                return
            for lookup in f["GSUB"].table.LookupList.Lookup:
                for st in lookup.SubTable:
                    kind = lookup.LookupType
                    if kind == 7:
                        kind, st = st.ExtensionLookupType, st.ExtSubTable
                    if kind == 1:
                        for a, b in st.mapping.items():
                            if a != b:
                                singles.setdefault(b, []).append(a)
                    elif kind == 2:
                        for a, seq in st.mapping.items():
                            if len(seq) == 1 and seq[0] != a:
                                singles.setdefault(seq[0], []).append(a)
                    elif kind == 3:
                        for a, alts in st.alternates.items():
                            for b in alts:
                                if a != b:
                                    singles.setdefault(b, []).append(a)
                    elif kind == 4:
                        for first, lst in st.ligatures.items():
                            for lig in lst:
                                ligs.setdefault(lig.LigGlyph, []).append([first, *lig.Component])
                    elif kind == 8:
                        for a, b in zip(st.Coverage.glyphs, st.Substitute):
                            if a != b:
                                singles.setdefault(b, []).append(a)
        except Exception:  # a broken GSUB: what was read so far stands
            pass
