"""Unicode from the embedded font program, where the text layer has none.

A PDF maps glyphs to text through the font's ``/ToUnicode`` CMap (or its
encoding). Producers leave holes: a ligature component or a mark cluster with
no entry (MuPDF reads U+FFFD, pdfminer ``(cid:N)``), an entry mapped to U+0000,
to the private-use area or to a control character. The glyph itself is
almost always still known to the font program embedded in the file, and this
module asks it, in this order:

1. its ``cmap`` read backwards (Unicode subtables; of several code points
   drawn with one glyph, the base letter rather than a presentation form);
2. its glyph names (``post`` table, CFF charset) through the Adobe Glyph List
   and the ``uniXXXX``/``uXXXXX``/``name.suffix``/``a_b`` conventions, with
   the short Arabic names fonts use (``lam_alef`` → «لا»);
3. its GSUB ligatures read backwards: a ligature glyph stands for the texts
   of its components, recursively (a shadda+damma mark ligature → «ُّ»);
4. its GSUB single and alternate substitutions read backwards: a contextual
   form or an alternate stands for its base glyph's text.

Why fontTools: it is the reference reader of OpenType tables in Python
(cmap, post, CFF charsets, GSUB with extension lookups, and its ``agl``
module implements the glyph-name conventions), loads tables lazily and reads
the subset, broken or oddly packed fonts producers embed; neither MuPDF nor
pdfminer exposes a font's GSUB or glyph names. pdf.js does the same thing in
JavaScript: for a font with no or a partial ToUnicode it builds the text from
the embedded font's own cmap and glyph names (``fonts.js``/``glyphlist.js``
and its ``uniXXXX`` parsing), so a glyph the PDF forgot to map still reads.

Everything is lazy: a page whose glyphs all map pays one table lookup per
glyph in the engine's loop (:data:`ODD`, replacing a test the loop already
made), nothing more; a font program is parsed on the first glyph of that
font that needs it, once per document, and each glyph's text is cached.

A glyph the font cannot map either is dropped and counted by the engine
(``unmapped_glyphs``) when its text holds U+FFFD or a private-use character
(:data:`LOST`), so those never reach a block; one that only holds a control
character is left to :func:`pdfclean.script.fix_control_chars`, which removes
and counts it.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections import Counter
from io import BytesIO
from itertools import accumulate, compress
from operator import mul
from typing import Any

from .model import Glyph, RawPage, ink

# --- what needs the font ------------------------------------------------------

#: Characters no text may keep: U+FFFD and the private-use areas (BMP, planes 15/16).
TATWEEL = "\u0640"  # the text an unmappable glyph drawn as a connecting stroke is given
LOST = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")
#: Characters that say the text layer did not really map the glyph: the above,
#: controls (not tab, newline, carriage return), lone surrogates, noncharacters.
SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                     "\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]|\\(cid:\\d+\\)")


def _odd_table() -> bytes:
    t = bytearray(0x110000)
    for a, b in ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF),
                 (0xFDD0, 0xFDEF), (0xFFFD, 0xFFFF), (0xE000, 0xF8FF), (0xF0000, 0x10FFFF)):
        t[a:b + 1] = b"\x01" * (b - a + 1)
    return bytes(t)  # 1.1 MB, indexed a little faster than a bytearray


#: ``ODD[cp]``: code point ``cp`` (an int from MuPDF, or ``ord`` of a
#: character) needs the font. 0 is odd, and so is any negative number MuPDF
#: uses for "no character" (the index wraps round into plane 16).
ODD = _odd_table()


def suspect(text: str) -> bool:
    """Does this glyph text need the font?

    >>> suspect("ل"), suspect("\\ufffd"), suspect("(cid:12)"), suspect("\\x00"), suspect("لا")
    (False, True, True, True, False)
    """
    return SUSPECT.search(text) is not None


def usable(text: str) -> bool:
    """Text a glyph may be given: something, and nothing suspect in it."""
    return bool(text) and SUSPECT.search(text) is None


# --- glyph names ----------------------------------------------------------------

def _arabic_names() -> dict[str, str]:
    """Short Arabic glyph names (``lam``, ``alef``, ``tehMarbuta``, ``fatha``…)
    as fonts use them, from the Unicode character names, lower-cased, spaces
    and hyphens taken out."""
    names: dict[str, str] = {}
    for cp in [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0x08A0, 0x0900)]:
        n = unicodedata.name(chr(cp), "")
        for prefix in ("ARABIC LETTER ", "ARABIC "):
            if n.startswith(prefix):
                key = n[len(prefix):].lower().replace(" ", "").replace("-", "")
                names.setdefault(key, chr(cp))
                break
    names.update({"alif": "\u0627", "allah": "\u0627\u0644\u0644\u0647", "lamalef": "\u0644\u0627",
                  "lamalif": "\u0644\u0627", "kashida": "\u0640", "tatweel": "\u0640",
                  "hamzaabove": "\u0654", "hamzabelow": "\u0655", "superscriptalef": "\u0670"})
    return names


_ARABIC = _arabic_names()
_UNI = re.compile(r"uni((?:[0-9A-Fa-f]{4})+)")
_U = re.compile(r"u([0-9A-Fa-f]{4,6})")
_agl_to_unicode = None


def _agl(name: str) -> str:
    global _agl_to_unicode
    if _agl_to_unicode is None:
        from fontTools.agl import toUnicode

        _agl_to_unicode = toUnicode
    return _agl_to_unicode(name)


def _component(part: str, arabic: bool) -> str:
    """One ligature component's text, or ""."""
    if arabic and part.lower() in _ARABIC:
        return _ARABIC[part.lower()]
    m = _UNI.fullmatch(part)
    if m:
        h = m.group(1)
        cps = [int(h[i:i + 4], 16) for i in range(0, len(h), 4)]
        return "" if any(0xD800 <= c <= 0xDFFF for c in cps) else "".join(map(chr, cps))
    m = _U.fullmatch(part)
    if m:
        c = int(m.group(1), 16)
        return "" if c > 0x10FFFF or 0xD800 <= c <= 0xDFFF else chr(c)
    t = _agl(part)
    if t:
        return t
    return _ARABIC.get(part.lower(), "")


def name_to_text(name: str, arabic: bool | None = None) -> str:
    """The text a glyph name stands for, or "" (every component must be known).

    ``name.suffix`` drops the suffix; ``a_b`` is a ligature of ``a`` and
    ``b``; ``uniXXXX[XXXX…]`` and ``uXXXX[XX]`` spell code points; other
    components go through the Adobe Glyph List and short Arabic names.
    ``arabic`` (the font draws Arabic) lets a short Arabic name win over the
    Hebrew AGL name it shares (``alef``); None: when another component of the
    name is Arabic only.

    >>> name_to_text("lam_alef"), name_to_text("uni0644_uni0627"), name_to_text("uni0644.init")
    ('لا', 'لا', 'ل')
    >>> name_to_text("f_f_i"), name_to_text("glyph00012"), name_to_text("lam_foo")
    ('ffi', '', '')
    """
    base = name.split(".", 1)[0]
    if not base:
        return ""
    parts = base.split("_")
    if arabic is None:
        arabic = any(p.lower() in _ARABIC and not _agl(p) for p in parts)
    out = []
    for p in parts:
        t = _component(p, arabic)
        if not t:
            return ""
        out.append(t)
    return "".join(out)


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


class _Sfnt:
    """A TrueType program read raw, one glyph at a time: its units per em,
    a glyph's advance (``hmtx``, as fontTools reads it) and the heights of its
    on-curve points (``glyf``). The outline passes through those points, so
    its ink reaches at least that high and that low: enough to tell most
    glyphs from a connecting stroke (:func:`pdfclean.quirks.no_bar`) without
    fontTools, which first names every glyph and splits every table (most of
    the cost for a subset that keeps the full font's glyph ids). Raises
    ``ValueError`` (or ``struct.error``) for a program it does not read."""

    MAX_DEPTH = 8  # components inside components

    def __init__(self, data: bytes) -> None:
        if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            raise ValueError("not a TrueType program")
        tables = {}
        for i in range(struct.unpack_from(">H", data, 4)[0]):
            tag, _sum, at, n = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            if at + n > len(data):
                raise ValueError("a table runs past the end")
            tables[tag] = data[at:at + n]
        head, maxp = tables[b"head"], tables[b"maxp"]
        self.upem = struct.unpack_from(">H", head, 18)[0]
        self.long = struct.unpack_from(">h", head, 50)[0] != 0
        self.glyphs = struct.unpack_from(">H", maxp, 4)[0]
        hhea = tables.get(b"hhea")
        self.metrics = min(struct.unpack_from(">H", hhea, 34)[0], self.glyphs) if hhea else self.glyphs
        self.hmtx, self.loca, self.glyf = tables[b"hmtx"], tables[b"loca"], tables[b"glyf"]
        self.count = len(self.loca) // (4 if self.long else 2) - 1

    def advance(self, gid: int) -> float | None:
        """Glyph ``gid``'s advance in ems, or None where fontTools would have none."""
        n = self.metrics
        if not 0 <= gid < self.glyphs or not n or not self.upem \
                or len(self.hmtx) < 4 * n + 2 * (self.glyphs - n):
            return None
        return struct.unpack_from(">H", self.hmtx, 4 * min(gid, n - 1))[0] / self.upem

    def on_curve_extent(self, gid: int) -> tuple[float, float] | None:
        """(lowest, highest) y of glyph ``gid``'s on-curve points, in font
        units, as fontTools draws them (components placed by their offsets
        and scales); None when it has none or this reader does not follow
        the glyph (a point-matched or skewed component, a malformed glyph)."""
        ys: list[float] = []
        try:
            if not self._points(gid, None, ys, 0):
                return None
        except (struct.error, IndexError):
            return None
        return (min(ys), max(ys)) if ys else None

    def _points(self, gid: int, t, ys: list[float], depth: int) -> bool:
        """Add the y of glyph ``gid``'s on-curve points (through the
        fontTools ``Transform`` ``t``, None at the top) to ``ys``."""
        if depth > self.MAX_DEPTH or not 0 <= gid < self.count:
            return False
        if self.long:
            a, b = struct.unpack_from(">II", self.loca, 4 * gid)
        else:
            a, b = (2 * v for v in struct.unpack_from(">HH", self.loca, 2 * gid))
        data = self.glyf[a:b]
        if b <= a or len(data) != b - a:
            return b == a  # an empty glyph draws nothing
        (contours,) = struct.unpack_from(">h", data)
        if contours == -1:
            return self._components(data, t, ys, depth)
        if contours <= 0:
            return False
        return self._simple(data, contours, t, ys)

    @staticmethod
    def _simple(data: bytes, contours: int, t, ys: list[float]) -> bool:
        pos = 10 + 2 * contours
        n = struct.unpack_from(">H", data, pos - 2)[0] + 1  # the last contour's last point
        pos += 2 + struct.unpack_from(">H", data, pos)[0]  # instructions skipped
        flags, pos = _point_flags(data, pos, n)
        if len(flags) != n:
            return False
        pos += sum(flags.translate(_X_BYTES))  # the x coordinates
        moving = flags.translate(None, _Y_SAME)  # the points with a y delta of their own
        fmt = moving.translate(_Y_FORMAT)
        if pos + len(fmt) + fmt.count(b"h") > len(data):
            return False
        deltas = map(mul, struct.unpack_from(">" + fmt.decode(), data, pos), map(_SIGN.__getitem__, moving.translate(_Y_NEGATIVE)))
        y = list(accumulate(deltas, initial=0))  # y[k]: after the first k deltas
        on = map(y.__getitem__, compress(accumulate(flags.translate(_Y_MOVES)), flags.translate(_ON_CURVE)))
        if t is None:
            ys.extend(on)
        else:
            yy, dy = t[3], t[5]
            ys.extend([yy * v + dy for v in on])
        return True

    def _components(self, data: bytes, t, ys: list[float], depth: int) -> bool:
        from fontTools.misc.transform import Transform

        pos, more = 10, True
        while more:
            flags, gid = struct.unpack_from(">HH", data, pos)
            pos += 4
            if not flags & 2 or flags & 0x2000:  # anchored to points, or a 24-bit glyph id
                return False
            if flags & 1:
                dx, dy = struct.unpack_from(">hh", data, pos)
                pos += 4
            else:
                dx, dy = struct.unpack_from(">bb", data, pos)
                pos += 2
            xy = yx = 0
            if flags & 8:
                xx = yy = struct.unpack_from(">h", data, pos)[0] / 16384
                pos += 2
            elif flags & 0x40:
                xx, yy = (v / 16384 for v in struct.unpack_from(">hh", data, pos))
                pos += 4
            elif flags & 0x80:
                xx, xy, yx, yy = (v / 16384 for v in struct.unpack_from(">hhhh", data, pos))
                pos += 8
            else:
                xx = yy = 1
            c = Transform(xx, xy, yx, yy, dx, dy)
            c = c if t is None else t.transform(c)
            if c[1] != 0:  # y would depend on x
                return False
            if not self._points(gid, c, ys, depth + 1):
                return False
            more = flags & 0x20
        return True


def _point_flags(data: bytes, pos: int, n: int) -> tuple[bytes, int]:
    """The flags of a simple glyph's ``n`` points from ``pos`` in its
    ``data`` (a flag with bit 3 set is followed by its count of repeats),
    and the position after them: fewer or more than ``n`` flags when the data
    runs out or a repeat runs past the last point."""
    out = bytearray()
    while len(out) < n:
        need = n - len(out)
        m = _REPEATS.search(data, pos, pos + need)
        if m is None:  # the rest, one byte each
            out += data[pos:pos + need]
            return bytes(out), pos + need
        at = m.start()
        out += data[pos:at + 1]
        out += data[at:at + 1] * data[at + 1]  # (IndexError: no count)
        pos = at + 2
    return bytes(out), pos


def _flag_table(value) -> bytes:
    return bytes(value(f) for f in range(256))


_REPEATS = re.compile(b"[" + re.escape(bytes(f for f in range(256) if f & 8)) + b"]")
_X_BYTES = _flag_table(lambda f: 1 if f & 2 else 0 if f & 16 else 2)  # bytes of the x coordinate
_Y_SAME = bytes(f for f in range(256) if not f & 4 and f & 32)  # no y delta: the y before
_Y_MOVES = _flag_table(lambda f: 0 if not f & 4 and f & 32 else 1)
_Y_FORMAT = _flag_table(lambda f: ord("B") if f & 4 else ord("h"))  # one byte (its sign in bit 5) or two
_Y_NEGATIVE = _flag_table(lambda f: 1 if f & 4 and not f & 32 else 0)
_SIGN = (1, -1)
_ON_CURVE = _flag_table(lambda f: f & 1)


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


# --- the engines' side --------------------------------------------------------------

_PLACEHOLDER = 0x100000  # pdfminer side: U+100000 + CID stands for a CID whose map entry was suspect
_CID = re.compile(r"\(cid:(\d+)\)")


def _strip_subset(name: str) -> str:
    return name[7:] if len(name) > 7 and name[6] == "+" and name[:6].isupper() and name[:6].isalpha() else name


class _Repairs:
    """What one page's repairs did, for the counters and the warning."""

    def __init__(self) -> None:
        self.dropped: Counter = Counter()  # font -> glyphs dropped

    def apply(self, g: Glyph, old: str, new: str | None, font: str, raw: RawPage) -> bool:
        """Give glyph ``g`` (text ``old`` in the layer) its font text ``new``;
        with none, strip what may not stay. Counted in ``raw`` so that
        ``read`` (which :func:`~pdfclean.engines.finish_glyphs` takes from the
        glyphs' final text) stays what the layer had. False: drop the glyph."""
        if new:
            g.text = new
            d = ink(new) - ink(old)
            raw.repairs["font_unicode"] += 1
            raw.account["font_unicode"] += d
            raw.account["read"] -= d
            return True
        kept = _CID.sub("", LOST.sub("", old))
        if kept == old:
            return True  # only controls: script's control repair takes them
        lost = ink(old) - ink(kept)
        raw.repairs["unmapped_glyphs"] += 1
        raw.account["unmapped_glyphs"] -= lost
        raw.account["read"] += lost
        self.dropped[font] += 1
        g.text = kept
        return bool(kept)

    def warn(self, raw: RawPage, warnings: list[str], warned: dict[int, tuple[int, Counter]]) -> None:
        """One warning per page (a page read in parts, around its marked
        content, updates the one it has: ``warned`` holds page -> (index in
        ``warnings``, glyphs per font))."""
        if not self.dropped:
            return
        at, dropped = warned.get(raw.number, (None, Counter()))
        dropped.update(self.dropped)
        n = sum(dropped.values())
        text = (f"page {raw.number}: {n} glyph(s) with no Unicode mapping dropped "
                f"(font{'s' if len(dropped) > 1 else ''} {', '.join(sorted(dropped))})")
        if at is not None and at < len(warnings) and warnings[at].startswith(f"page {raw.number}: "):
            warnings[at] = text
        else:
            warned[raw.number] = (len(warnings), dropped)
            warnings.append(text)


_UNREAD = object()  # (not yet in a cache)


class MuPDFFonts:
    """The font programs of one PyMuPDF document, read as glyphs need them."""

    def __init__(self, doc, warnings: list[str]) -> None:
        self.doc, self.warnings = doc, warnings
        self._programs: dict[int, FontText | None] = {}
        self.warned: dict[int, tuple[int, Counter]] = {}
        self._bars: dict[tuple[int, int], bool] = {}  # (font xref, gid) -> draws a connecting stroke
        self._data: dict[int, tuple[bytes, str]] = {}  # xref -> the font program and its kind
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

    def draws_bar(self, xref: int, ft: FontText, gid: int) -> bool:
        """:func:`pdfclean.quirks.draws_bar` for glyph ``gid`` of program ``ft`` (font ``xref``), cached."""
        key = (xref, gid)
        v = self._bars.get(key)
        if v is None:
            from .quirks import draws_bar

            v = self._bars[key] = draws_bar(ft._font, gid)
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
                    sf = self._raw[xref]
                    from .quirks import no_bar

                    sure = self._sure[xref, gid] = no_bar(sf.on_curve_extent(gid), sf.upem)
                if not sure:
                    return False
        return True

    def _raw_advance(self, xref: int, gid: int) -> float | None:
        """For :meth:`no_bar`: the advance in ems of glyph ``gid`` of font
        ``xref``, read raw; -1: no program :meth:`program` would read, or no
        such glyph in it (fontTools reads as many advances as ``maxp`` counts
        glyphs, and names no more: :meth:`FontText.advance` has none either);
        None: not read raw."""
        sf = self._raw.get(xref, _UNREAD)
        if sf is _UNREAD:
            data, ext = self._program_data(xref)
            try:
                sf = self._raw[xref] = _Sfnt(data) if data and ext in ("ttf", "otf", "cff") else None
            except (ValueError, KeyError, struct.error):
                sf = self._raw[xref] = False
        if sf is None or (sf and gid >= sf.glyphs):
            return -1.0
        return sf.advance(gid) if sf else None

    def _program_data(self, xref: int) -> tuple[bytes, str]:
        if xref not in self._data:
            try:
                _name, ext, _kind, data = self.doc.extract_font(xref)
            except Exception:
                data, ext = b"", ""
            self._data[xref] = (data, ext)
        return self._data[xref]

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

    __slots__ = ("fonts", "page", "_by_name", "_memo")

    def __init__(self, fonts: MuPDFFonts, page) -> None:
        self.fonts, self.page = fonts, page
        self._by_name: dict[str, list[int]] | None = None
        self._memo: dict[tuple[str, int], str | None] = {}  # (span font, gid) -> text

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
        asks of the marks it finds between two joined letters)?"""
        gid = getattr(g, "gid", -1)
        if gid < 0 or not g.size:
            return False
        width = (g.x1 - g.x0) / g.size
        xrefs = self._candidates(g.font)
        if self.fonts.no_bar(xrefs, gid, width):  # (most glyphs asked are real letters)
            return False
        for xref in xrefs:
            ft = self.fonts.program(xref)
            adv = ft.advance(gid) if ft is not None else None
            if adv is None or abs(adv - width) >= 0.01:
                continue
            return self.fonts.draws_bar(xref, ft, gid)
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
        from .quirks import draws_bar

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
            if new is None and drawn is not None and drawn[0]._font is not None and (LOST.search(old) or _CID.search(old)):
                from .quirks import draws_bar

                if draws_bar(drawn[0]._font, drawn[1]):  # an elongation (see MuPDFPage.repair)
                    new = TATWEEL
            g.text = old
        return self._page.apply(g, old, new, font, raw)

    def end_page(self, raw: RawPage) -> None:
        self._page.warn(raw, self.warnings, self.warned)
        self._page = _Repairs()


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


def strip(g: Glyph, raw: RawPage) -> bool:
    """The pdfplumber engine's fallback with no fonts at hand (see :meth:`PdfMinerFonts.fix`)."""
    return _Repairs().apply(g, g.text, None, g.font, raw)
