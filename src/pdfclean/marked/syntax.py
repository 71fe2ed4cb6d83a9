"""The content stream's syntax: the scanning expressions, names and strings, fonts' glyph codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


MARKERS = re.compile(rb"/ActualText|/Artifact")
_DELIM = rb"\s\[\]()<>{}/%"
_STR = rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"  # literal string (one level of nesting)
_NAME = rb"[^" + _DELIM + rb"]+"
_END = rb"(?![^" + _DELIM + rb"])"
_NAME_ONCE = rb"[^" + _DELIM + rb"]++"  # a whole name
# the same string, matched without backtracking (a string is read one way only)
_STR_ONCE = rb"\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.)*+\))*+\)"


def _op(name: str, op: bytes) -> bytes:
    """An operator standing alone (a delimiter before and after it), its
    first byte matched first and the group ``name`` (empty) after it."""
    first = re.escape(op[:1])
    return first + rb"(?<![^" + _DELIM + rb"]" + first + rb")" + op[1:] + _END + rb"(?P<" + name.encode() + rb">)"


_PROPS = rb"<<(?:[^<>()]++|" + _STR_ONCE + rb"|<[^<>]*+>)*+>>"  # an inline dictionary, not nested
_QUIET = rb"[^(</%EBQq]*+"  # bytes no match of _SCAN starts at
_EMC = rb"E(?<![^" + _DELIM + rb"]E)MC" + _END
_STRING = rb"(?:<[0-9A-Fa-f\s]*+>|" + _STR_ONCE + rb")"  # a hex or literal string
_STRINGS = _STRING + rb"(?:" + _QUIET + _STRING + rb")*+"  # strings with nothing between them that matters


# Every alternative starts with a literal byte (the first once split, see
# _literal_first), so the engine skips to the next
# ( < / % E B Q q at C speed. Two take several tokens at once, counted as those
# tokens would have been one by one: strings with nothing between them that
# matters (positions, text operators, TJ arrays: the font stays), and a
# sequence with inline properties around such strings (Chromium wraps every
# glyph so). Only strings, marked sequences, fonts, forms and
# the operators that matter are matched; "<<" opens a dictionary the sequence
# pattern could not take whole. NOTE: its ">>" is not matched (nor was it by
# the first version of this pattern, whose first-byte test left ">" out), so
# what follows such a dictionary in the stream is not counted and the page's
# marks are not applied (a warning says so); an alternative rb">>(?P<e>)"
# would close it (run() handles it), a change of output to be made on its own.


class _Written:
    """A pattern as written (``pattern``, ``flags``: as a compiled one has
    them), not compiled: the scan runs it in another form (:func:`_literal_first`),
    compiled on the first page that needs it (compiling this alternation costs
    as much as scanning a page)."""

    __slots__ = ("pattern", "flags")

    def __init__(self, pattern: bytes, flags: int):
        self.pattern, self.flags = pattern, flags


_SCAN = _Written(
    b"|".join([
        rb"(?P<strings>(?P<first>" + _STRING + rb")(?:" + _QUIET + _STRING + rb")*+)",
        # a sequence with inline properties around strings: BDC, the strings, EMC
        rb"/(?P<otag>" + _NAME + rb")\s*(?P<oprops>" + _PROPS + rb")\s*BDC" + _END + _QUIET
        + rb"(?P<ostrings>" + _STRINGS + rb")" + _QUIET + _EMC + rb"(?P<one>)",
        # a sequence without properties around strings, the font perhaps set first: BMC,
        # Tf, the strings, EMC (Typst wraps every run so). Each token is the one the
        # alternatives below would match there: the tag is the longest name (as theirs,
        # when it is followed by BMC), and a font name ending in BMC is left to them
        rb"/(?P<btag>" + _NAME_ONCE + rb")\s*BMC" + _END + _QUIET
        + rb"(?:/(?P<btf>" + _NAME_ONCE + rb")(?<!BMC)\s+[-+]?[\d.]+\s+Tf" + _END + _QUIET + rb")?"
        + rb"(?P<bstrings>(?P<bfirst>" + _STRING + rb")(?:" + _QUIET + _STRING + rb")*+)" + _QUIET + _EMC
        + rb"(?P<bseq>)",
        # a marked sequence: tag and properties (inline, without nested dictionaries, or named)
        rb"/(?P<tag>" + _NAME + rb")\s*(?:(?P<props>" + _PROPS + rb")\s*BDC"
        rb"|/(?P<named>" + _NAME + rb")\s*BDC|(?P<bmc>BMC))" + _END,
        rb"<<(?P<d>)",
        rb"/(?P<tf>" + _NAME + rb")\s+[-+]?[\d.]+\s+Tf" + _END,
        rb"/(?P<do>" + _NAME + rb")\s+Do" + _END,
        _op("emc", b"EMC"), _op("bi", b"BI"), _op("q", b"q"), _op("Q", b"Q"), _op("bdc", b"BDC"),
        rb"%[^\r\n]*",
    ]),
    re.S,
)


def _literal_first(scan: re.Pattern | _Written) -> re.Pattern:
    """``scan`` with its strings alternative split in two, a hex string's and a
    literal string's, so that every alternative starts with a literal byte:
    only then does the regular-expression engine skip, at C speed, to the
    bytes a match may start at (a group first, and it tries every position).
    The same matches: a run that starts with a hex string ends in the empty
    group ``strings`` (``first`` closed after its first string), one that
    starts with a literal string in ``lstrings`` (``lfirst``). A pattern
    without that alternative (the tests' one-by-one scans) is taken as it is."""
    runs = rb"(?P<strings>(?P<first>" + _STRING + rb")(?:" + _QUIET + _STRING + rb")*+)|"
    if runs not in scan.pattern:
        return scan if isinstance(scan, re.Pattern) else re.compile(scan.pattern, scan.flags)
    more = rb"(?:" + _QUIET + _STRING + rb")*+"
    split = (rb"<[0-9A-Fa-f\s]*+>(?P<first>)" + more + rb"(?P<strings>)|"
             + _STR_ONCE + rb"(?P<lfirst>)" + more + rb"(?P<lstrings>)|")
    return re.compile(scan.pattern.replace(runs, split), scan.flags)


_FAST: dict = {}  # a scan pattern -> the same, compiled to skip fast
_WS = re.compile(rb"\s+")
_HEX_PLAIN = re.compile(rb"<([0-9A-Fa-f]*)>")
_PART = re.compile(rb"<(?P<h>[0-9A-Fa-f\s]*+)>|" + _STR_ONCE, re.S)
_BDC_OPERANDS = re.compile(rb"/([^" + _DELIM + rb"]+)\s*(?:/([^" + _DELIM + rb"]+)\s*)?$")
_EI = re.compile(rb"\sEI(?![^" + _DELIM + rb"])")
_NAME_ESC = re.compile(rb"#([0-9A-Fa-f]{2})")
_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_LIT_ESC = re.compile(rb"\\([0-7]{1,3}|\r\n|.)", re.S)
MAX_DEPTH = 12  # forms inside forms

PAGINATION = {"Header": "header", "Footer": "footer", "PageNum": "page_number"}


class MarkedError(Exception):
    """The marked content of a page could not be read (and is not applied)."""


@dataclass(slots=True)
class Marks:
    """A page's marked content, as ranges ``[start, end)`` of glyph-code
    indexes in drawing order."""

    codes: int = 0  # glyph codes the page's content shows
    actual: list[tuple[int, int, str]] = field(default_factory=list)  # ActualText (outermost)
    artifacts: list[tuple[int, int, str]] = field(default_factory=list)  # pagination kind
    reversed: list[tuple[int, int]] = field(default_factory=list)  # ReversedChars

    def __bool__(self) -> bool:
        return bool(self.actual or self.artifacts)


def _name(b: bytes) -> str:
    return "/" + _NAME_ESC.sub(lambda m: bytes([int(m.group(1), 16)]), b).decode("latin-1")


def _literal(b: bytes) -> bytes:
    """The bytes of a literal string's body (escapes resolved)."""
    def esc(m: re.Match) -> bytes:
        t = m.group(1)
        if t[:1].isdigit():
            return bytes([int(t, 8) & 0xFF])
        if t in (b"\n", b"\r", b"\r\n"):
            return b""
        return _ESC.get(t, t)
    return _LIT_ESC.sub(esc, b) if b"\\" in b else b


_CONT = re.compile(rb"\\(?:\r\n|\r|\n)")
_ONE = re.compile(rb"\\(?:[0-7]{1,3}|.)", re.S)


def _literal_len(b: bytes) -> int:
    """Bytes of a literal string's body, without decoding it."""
    if b"\\" not in b:
        return len(b)
    if b"\\\n" in b or b"\\\r" in b:
        b = _CONT.sub(b"", b)
    rest, escapes = _ONE.subn(b"", b)  # each escape one byte
    return len(rest) + escapes


_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")


def _hex(b: bytes) -> bytes:
    """A hex string's bytes: anything but hex digits skipped, an odd last digit padded with 0."""
    try:
        return bytes.fromhex(b.decode("ascii"))  # pairs of digits, white space between them at most
    except ValueError:
        h = _NOT_HEX.sub(b"", b)
        if len(h) % 2:
            h += b"0"
        return bytes.fromhex(h.decode("ascii"))


def text_string(raw: bytes) -> str:
    """A PDF text string: UTF-16BE or UTF-8 with a byte-order mark, else
    PDFDocEncoding (read as Latin-1 where it agrees)."""
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", "replace")
    if raw[:3] == b"\xef\xbb\xbf":
        return raw[3:].decode("utf-8", "replace")
    try:
        import pikepdf

        return str(pikepdf.String(raw))  # PDFDocEncoding
    except Exception:  # noqa: BLE001
        return raw.decode("latin-1")


_VALUES = {key: re.compile(rb"/" + key + rb"\s*(?:(" + _STR + rb")|(<[^<>]*>)|/(" + _NAME + rb"))", re.S)
           for key in (b"ActualText", b"Type", b"Subtype")}


def _dict_value(d: bytes, key: bytes) -> bytes | None:
    """Raw value of ``key`` in an inline dictionary: a string's bytes or a name."""
    m = _VALUES[key].search(d)
    if not m:
        return None
    if m.group(1) is not None:
        return _literal(m.group(1)[1:-1])
    if m.group(2) is not None:
        return _hex(m.group(2)[1:-1])
    return m.group(3)


class _Font:
    """How a font's strings split into codes."""

    __slots__ = ("width", "ranges")

    def __init__(self, width: int = 1, ranges: list[tuple[bytes, bytes]] | None = None):
        self.width, self.ranges = width, ranges

    def count(self, s: bytes) -> int:
        if self.ranges is None:
            return len(s) // self.width if self.width > 1 else len(s)
        n = i = 0
        while i < len(s):
            for lo, hi in self.ranges:
                k = len(lo)
                c = s[i:i + k]
                if len(c) == k and all(a <= b <= z for a, b, z in zip(lo, c, hi)):
                    i += k
                    break
            else:
                i += 1  # not in any range: one byte (as MuPDF does)
            n += 1
        return n


_SIMPLE = _Font(1)
_TWO = _Font(2)


def _font(obj) -> _Font:
    import pikepdf

    if obj is None or obj.get("/Subtype") != "/Type0":
        return _SIMPLE
    enc = obj.get("/Encoding")
    if isinstance(enc, pikepdf.Name):
        e = str(enc)
        if e in ("/Identity-H", "/Identity-V") or "UCS2" in e or "UTF16" in e:
            return _TWO
        raise MarkedError(f"predefined CMap {e[1:]}")
    if isinstance(enc, pikepdf.Stream):
        data = enc.read_bytes()
        ranges = []
        for block in re.findall(rb"begincodespacerange(.*?)endcodespacerange", data, re.S):
            hexes = re.findall(rb"<([0-9A-Fa-f\s]*)>", block)
            ranges += [(_hex(a), _hex(b)) for a, b in zip(hexes[::2], hexes[1::2])]
        if not ranges:
            raise MarkedError("an embedded CMap without codespace ranges")
        if all(len(a) == 2 and a == b"\x00\x00" and b == b"\xff\xff" for a, b in ranges):
            return _TWO
        return _Font(0, sorted(ranges, key=lambda r: len(r[0])))
    raise MarkedError("a Type0 font without an encoding")


def _hex_codes(h: bytes, font: _Font) -> int:
    """Codes a hex string's body ``h`` shows in ``font`` (as :meth:`_Walk.run` counts them)."""
    if font.ranges is not None:
        return font.count(_hex(h))
    n = len(h) - len(_WS.findall(h)) if b" " in h or b"\n" in h else len(h)
    return (n + 1) // 2 if font.width == 1 else n // (2 * font.width)


def _literal_codes(data: bytes, a: int, b: int, font: _Font) -> int:
    """Codes the literal string ``data[a:b]`` (its parentheses included) shows in ``font``."""
    if font.ranges is not None:
        return font.count(_literal(data[a + 1:b - 1]))
    n = b - a - 2 if data.find(b"\\", a, b) < 0 else _literal_len(data[a + 1:b - 1])
    return n if font.width == 1 else n // font.width


def _one_string_codes(s: bytes, font: _Font) -> int:
    """Codes the one hex or literal string ``s`` shows in ``font``."""
    return _hex_codes(s[1:-1], font) if s[0] == 60 else _literal_codes(s, 0, len(s), font)


def _string_codes(body: bytes, font: _Font) -> int:
    """Codes the strings in ``body`` (strings, and between them bytes where
    no string starts) show in ``font``: hex strings of a simple or two-byte
    font summed at C speed."""
    if font.ranges is None and b"(" not in body:
        hexes = _HEX_PLAIN.findall(body)
        if len(hexes) == body.count(b"<"):  # no white space in any
            lens = list(map(len, hexes))
            if font.width == 1:  # each string: (n + 1) // 2
                return (sum(lens) + sum(map((1).__and__, lens))) // 2
            step = 2 * font.width
            return sum([n // step for n in lens])
    total = 0
    for p in _PART.finditer(body):  # (the strings, one by one, as _SCAN would have matched them)
        h = p.group("h")
        total += _hex_codes(h, font) if h is not None else _literal_codes(body, p.start(), p.end(), font)
    return total
