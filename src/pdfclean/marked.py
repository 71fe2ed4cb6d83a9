"""Marked content: ``/ActualText``, ``/ReversedChars`` and pagination ``/Artifact``.

Neither engine's glyph source says which marked-content sequence a glyph is
drawn in (MuPDF's text trace has no marked content; pdfminer's chars carry an
MCID and a tag, not the properties). So a page whose content, or a Form
XObject it draws, mentions ``/ActualText`` or ``/Artifact`` is read once more,
here: the content bytes are scanned for what matters — shown strings, the
font in use (``Tf``, kept across ``q``/``Q``), ``BDC``/``BMC``/``EMC`` and the
forms it draws (``Do``, followed) — and every glyph code a string shows is
counted (one byte per code for simple fonts, two for Identity-H/V and the
UCS-2/UTF-16 CMaps, an embedded CMap's codespace ranges otherwise). The
result, :class:`Marks`, holds ranges of code indexes in drawing order; the
engines' glyph lists are in the same order, one entry per code, so the marks
are applied by index. The count is checked first: when the engine saw a
different number of codes than the scan, nothing is applied to that page and
a warning says so.

The object model (resources, fonts, forms) comes from pikepdf/qpdf, opened
only when a page needs it; the content bytes are scanned with one regular
expression that matches only strings and the few operators that matter, so
a page full of ``/ActualText`` costs about a tenth of its text trace.

``/ReversedChars`` needs nothing: pdfclean orders text by geometry, never by
stream order, and an ``/ActualText`` string is taken as logical order (it is a
replacement string, not shown glyphs) wherever it sits.
"""

from __future__ import annotations

import io
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import is_, itemgetter

from .model import ink

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


# Every alternative starts with a literal byte, so the engine skips to the next
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
_SCAN = re.compile(
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


class Reader:
    """Reads marked content page by page; the PDF is opened (pikepdf) on the
    first page that needs it."""

    def __init__(self, data: bytes, password: str | None = None):
        self.data, self.password = data, password
        self._pdf = None
        self._fonts: dict = {}  # objgen -> _Font
        self.names: dict[bytes, str] = {}  # a tag as written -> its name
        self.ones: dict[tuple[bytes, bytes], str | None | tuple] = {}  # (tag, props) -> _Walk._one
        self._counts: dict[_Font, dict[bytes, int]] = {}  # a font -> a string -> its codes
        self._texts: dict[bytes, str | None] = {}  # a BDC property list -> its ActualText
        self._kinds: dict[bytes, str | None] = {}  # an artifact's property list -> its pagination kind
        self._suspects: bool | None = None  # /MarkInfo /Suspects: tags the producer doubts

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def _open(self):
        if self._pdf is None:
            import pikepdf

            self._pdf = pikepdf.open(io.BytesIO(self.data), password=self.password or "")
        return self._pdf

    def page(self, index: int) -> Marks:
        """The marks of page ``index`` (0-based); :class:`MarkedError` when
        its content cannot be read."""
        try:
            import pikepdf
        except ImportError as e:
            raise MarkedError("pikepdf is not installed") from e
        try:
            pdf = self._open()
            obj = pdf.pages[index].obj
            res = _inherited(obj, "/Resources")
            contents = obj.get("/Contents")
            if contents is None:
                return Marks()
            if isinstance(contents, pikepdf.Array):
                data = b"\n".join(c.read_bytes() for c in contents if isinstance(c, pikepdf.Stream))
            else:
                data = contents.read_bytes()
            for c in self._counts.values():
                if len(c) > 50_000:  # (a long document: strings seen long ago let go)
                    c.clear()
            w = _Walk(self)
            w.run(data, res, 0, set())
            if w.depth_stack:  # unclosed sequences end with the page
                for tag, start, kind, text in w.depth_stack:
                    w.close(tag, start, kind, text)
            if self._suspects is None:
                mi = pdf.Root.get("/MarkInfo")
                self._suspects = bool(mi is not None and mi.get("/Suspects", False))
            if self._suspects:  # the producer says its tags are suspect: ActualText not trusted
                w.marks.actual = []
            return w.marks
        except MarkedError:
            raise
        except (pikepdf.PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError,
                RecursionError) as e:  # (pikepdf may count the pages of a broken file otherwise)
            raise MarkedError(f"{type(e).__name__}: {' '.join(str(e).split())[:120]}") from e

    def actual_text(self, props: bytes) -> str | None:
        """The ``/ActualText`` of a property list (as written inline, or as
        :meth:`_Walk._properties` writes a named one), or None; worked out once
        per list (Chromium wraps every glyph in one of a few dozen)."""
        text = self._texts.get(props, 0)
        if text == 0:
            raw = _dict_value(props, b"ActualText") if b"/ActualText" in props else None
            text = self._texts[props] = text_string(raw) if raw is not None else None
        return text

    def pagination(self, props: bytes) -> str | None:
        """The pagination kind an ``/Artifact`` property list declares (:data:`PAGINATION`), or None."""
        kind = self._kinds.get(props, 0)
        if kind == 0:
            typ = _dict_value(props, b"Type")
            sub = _dict_value(props, b"Subtype")
            sub = sub.decode("latin-1") if isinstance(sub, bytes) else None
            if sub in PAGINATION:
                kind = PAGINATION[sub]
            elif typ == b"Pagination" and sub is None:
                kind = "pagination"  # header or footer: furniture tells by position
            else:
                kind = None
            self._kinds[props] = kind
        return kind

    def counts(self, font: _Font) -> dict[bytes, int]:
        """The codes of strings shown in ``font``, as far as worked out (a
        table per font: a string's codes depend on its bytes and the font only)."""
        c = self._counts.get(font)
        if c is None:
            c = self._counts[font] = {}
        return c

    def font(self, obj) -> _Font:
        key = obj.objgen if obj is not None and obj.is_indirect else None
        f = self._fonts.get(key) if key else None
        if f is None:
            f = _font(obj)
            if key:
                self._fonts[key] = f
        return f


def _inherited(obj, key: str):
    seen = 0
    while obj is not None and seen < 64:
        v = obj.get(key)
        if v is not None:
            return v
        obj = obj.get("/Parent")
        seen += 1
    return None


class _Walk:
    def __init__(self, reader: Reader):
        self.reader = reader
        self.marks = Marks()
        # open marked sequences: (tag, start code, pagination kind, ActualText)
        self.depth_stack: list[tuple[str, int, str | None, str | None]] = []
        self.actual_open = 0  # open sequences with ActualText (only the outermost counts)
        self.suspect = 0  # open /TagSuspect sequences: the producer doubts its own marks

    def close(self, tag: str, start: int, kind: str | None, text: str | None) -> None:
        m, end = self.marks, self.marks.codes
        if tag == "/TagSuspect":
            self.suspect -= 1
        if text is not None:
            self.actual_open -= 1
            if self.actual_open == 0 and end > start and not self.suspect:
                m.actual.append((start, end, text))
        if kind is not None and end > start:
            m.artifacts.append((start, end, kind))
        if tag == "/ReversedChars" and end > start:
            m.reversed.append((start, end))

    def run(self, data: bytes, res, depth: int, forms: set) -> None:
        """Scan ``data`` (content drawn with resources ``res``, inside
        ``depth`` forms, ``forms`` their keys): codes counted, sequences
        opened and closed. The count is kept in a local between calls that
        read it (``self.marks.codes`` is brought up to date before them).
        A string's codes are worked out once per font (``counts``: the
        reader's table for the font in use; glyph strings repeat)."""
        import pikepdf

        fonts = res.get("/Font") if res is not None else None
        by_name: dict[bytes, tuple[_Font, dict]] = {}  # Tf operand -> font and its counts, in these resources
        font = _SIMPLE
        counts = self.reader.counts(font)
        saved: list[tuple[_Font, dict]] = []
        dict_depth = 0
        dict_start = -1
        last_dict: tuple[int, int] | None = None
        m = self.marks
        codes = m.codes
        names = self.reader.names
        ones = self.reader.ones
        actual = m.actual
        pos, end = 0, len(data)
        while pos < end:  # one pass of the scan, or several when inline images are jumped over
            resume = end
            for t in _SCAN.finditer(data, pos):
                g = t.lastgroup
                if g == "strings":
                    if dict_depth:
                        continue
                    a, b = t.span()
                    if t.end("first") < b:  # several
                        codes += _string_codes(data[a:b], font)
                    else:  # one string
                        s = data[a:b]
                        n = counts.get(s)
                        if n is None:
                            n = counts[s] = _one_string_codes(s, font)
                        codes += n
                elif g == "one":  # BDC, strings, EMC
                    if dict_depth:
                        continue
                    raw, props, s = t.group("otag", "oprops", "ostrings")
                    text = ones.get((raw, props), 0)
                    if text == 0:
                        text = ones[raw, props] = self._one(raw, props)
                    n = counts.get(s)
                    if n is None:  # (Chromium: one hex string)
                        n = counts[s] = _one_string_codes(s, font) if s[0] == 60 and s.find(b">") == len(
                            s) - 1 else _string_codes(s, font)
                    if text.__class__ is not tuple:  # a sequence whose only effect is its text (None: none)
                        if text is not None and n and not self.actual_open and not self.suspect:
                            actual.append((codes, codes + n, text))
                        codes += n
                        continue
                    m.codes = codes
                    self._open_sequence(names[raw], props)
                    codes += n
                    m.codes = codes
                    self.close(*self.depth_stack.pop())
                elif g == "bseq":  # BMC, perhaps Tf, strings, EMC
                    if dict_depth:
                        continue
                    raw, tf, s = t.group("btag", "btf", "bstrings")
                    tag = names.get(raw) or names.setdefault(raw, _name(raw))
                    if tf is not None:
                        font, counts = by_name.get(tf) or self._font(fonts, tf, by_name)
                    n = counts.get(s)
                    if n is None:
                        n = counts[s] = _one_string_codes(s, font) if t.end("bfirst") == t.end(
                            "bstrings") else _string_codes(s, font)
                    if tag == "/ReversedChars":  # (a sequence without properties: its tag is all it says)
                        if n:
                            m.reversed.append((codes, codes + n))
                    elif tag == "/Artifact" or tag == "/TagSuspect":
                        m.codes = codes
                        self._open_sequence(tag, None)
                        m.codes = codes + n
                        self.close(*self.depth_stack.pop())
                    codes += n
                elif g == "props" or g == "named" or g == "bmc":
                    if dict_depth:
                        continue
                    raw = t.group("tag")
                    tag = names.get(raw) or names.setdefault(raw, _name(raw))
                    if g == "props":
                        props = t.group("props")
                    elif g == "named":
                        props = self._properties(res, _name(t.group("named")))
                    else:
                        props = None
                    m.codes = codes
                    self._open_sequence(tag, props)
                elif g == "emc":
                    if dict_depth:
                        continue
                    if self.depth_stack:
                        m.codes = codes
                        self.close(*self.depth_stack.pop())
                elif g == "q":
                    if not dict_depth:
                        saved.append((font, counts))
                elif g == "Q":
                    if not dict_depth and saved:
                        font, counts = saved.pop()
                elif g == "bi":
                    if dict_depth:
                        continue
                    e = _EI.search(data, data.find(b"ID", t.end()))
                    resume = e.end() if e else end
                    break
                elif g == "bdc":  # after a dictionary the scan could not take whole (nested)
                    if dict_depth:
                        continue
                    props = None
                    start = t.start()
                    if last_dict is not None and not data[last_dict[1]:start].strip():
                        props, start = data[last_dict[0]:last_dict[1]], last_dict[0]
                    head = _BDC_OPERANDS.search(data[max(0, start - 200):start].rstrip())
                    tag = _name(head.group(1)) if head else ""
                    if props is None and head and head.group(2):
                        props = self._properties(res, _name(head.group(2)))
                    m.codes = codes
                    self._open_sequence(tag, props)
                elif g == "d":
                    if dict_depth == 0:
                        dict_start = t.start()
                    dict_depth += 1
                elif g == "e":  # (not matched yet, see _SCAN)
                    if dict_depth:
                        dict_depth -= 1
                        if dict_depth == 0:
                            last_dict = (dict_start, t.end())
                elif dict_depth:
                    continue
                elif g == "tf":
                    key = t.group("tf")
                    font, counts = by_name.get(key) or self._font(fonts, key, by_name)
                elif g == "do":
                    if depth >= MAX_DEPTH:
                        raise MarkedError("forms nested too deep")
                    xo = res.get("/XObject") if res is not None else None
                    x = xo.get(_name(t.group("do"))) if xo is not None else None
                    if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Form":
                        key = x.objgen
                        if key in forms:
                            raise MarkedError("a form that draws itself")
                        m.codes = codes
                        self.run(x.read_bytes(), x.get("/Resources") or res, depth + 1, forms | {key})
                        codes = m.codes
            pos = resume
        m.codes = codes

    def _font(self, fonts, key: bytes, by_name: dict) -> tuple[_Font, dict[bytes, int]]:
        """The font a ``Tf`` operand names in ``fonts`` (a resource
        dictionary's) and its counts (:meth:`Reader.counts`), kept in ``by_name``."""
        fo = fonts.get(_name(key)) if fonts is not None else None
        font = self.reader.font(fo)
        by_name[key] = pair = (font, self.reader.counts(font))
        return pair

    def _one(self, raw: bytes, props: bytes) -> str | None | tuple:
        """What a sequence ``/raw props BDC strings EMC`` (opened and closed
        with only strings inside) does, worked out once per tag and property
        list (Chromium wraps every glyph in one of a few dozen): its
        ``/ActualText`` (None: none), a plain tag's only effect, or ``()``
        for the tags whose sequences do more (artifacts, suspects,
        ReversedChars), walked as any sequence."""
        tag = self.reader.names.get(raw) or self.reader.names.setdefault(raw, _name(raw))
        if tag in ("/Artifact", "/TagSuspect", "/ReversedChars"):
            return ()
        return self.reader.actual_text(props)

    def _properties(self, res, name: str) -> bytes | None:
        import pikepdf

        pl = res.get("/Properties") if res is not None else None
        d = pl.get(name) if pl is not None else None
        if not isinstance(d, pikepdf.Dictionary):
            return None
        out = []
        for k in ("/ActualText", "/Type", "/Subtype"):
            v = d.get(k)
            if isinstance(v, pikepdf.String):
                out.append(k.encode() + b"<" + bytes(v).hex().encode() + b">")
            elif isinstance(v, pikepdf.Name):
                out.append(k.encode() + str(v).encode("latin-1"))
        return b" ".join(out)

    def _open_sequence(self, tag: str, props: bytes | None) -> None:
        kind = text = None
        if tag == "/TagSuspect":  # Acrobat's PDFMaker: ActualText inside is not to be trusted
            self.suspect += 1
        if props:
            text = self.reader.actual_text(props)
            if text is not None:
                self.actual_open += 1
            if tag == "/Artifact":
                kind = self.reader.pagination(props)
        if kind is None and tag == "/Artifact":  # nested in a pagination artifact: the same kind
            for _t, _s, k, _x in reversed(self.depth_stack):
                if k is not None:
                    kind = k
                    break
        self.depth_stack.append((tag, self.marks.codes, kind, text))


def _kinds(marks: Marks) -> list[str | None]:
    """The pagination kind of every code (the innermost sequence's: inner
    sequences end first, so they are laid over the outer ones last)."""
    kinds: list[str | None] = [None] * marks.codes
    for a, b, k in reversed(marks.artifacts):
        kinds[a:b] = [k] * (b - a)
    return kinds


# ---- applying marks to the engines' glyph sources ----------------------------------------


def trace_codes(trace: list[dict]) -> int:
    """Glyph codes in MuPDF's text trace: its entries, but those that go on
    the glyph before (glyph id -1)."""
    gids = [c[1] for span in trace for c in span["chars"]]
    return len(gids) - gids.count(-1)


_CHARS, _GID = itemgetter("chars"), itemgetter(1)


class _Same(dict):
    """``table[(old, new)]``: does the ActualText say what the glyphs already
    say, up to compatibility forms (presentation forms for base letters, which
    the later stages fold anyway)? Then it is left alone."""

    def __missing__(self, key: tuple[str, str]) -> bool:
        old, new = key
        v = self[key] = old == new or unicodedata.normalize("NFKC", old) == unicodedata.normalize("NFKC", new)
        return v


_SAME = _Same()


def _stranded(old: str, new: str) -> bool:
    """Glyphs that are only marks, given an ActualText with letters: a
    cluster cut by a line break (Chromium draws the letter at the end of one
    line, the mark alone on the next, and puts the whole cluster's text on
    the mark). The letter is already there: the mark keeps its own text."""
    return bool(old) and all(unicodedata.combining(c) for c in old) and not all(
        unicodedata.combining(c) for c in new)


def apply_trace(trace: list[dict], marks: Marks, raw) -> list[tuple[list[dict], str | None]]:
    """MuPDF's text trace with ``marks`` applied: each ActualText sequence's
    glyphs become one entry (the union box, the ActualText as its characters:
    further characters follow as glyph id -1 entries, as MuPDF gives a glyph
    mapped to several), and the trace cut into parts by pagination kind."""
    spans = _apply_actual(trace, marks.actual, raw) if marks.actual else trace
    if not marks.artifacts:
        return [(spans, None)]
    return _split_by_kind(spans, marks)


def _split_by_kind(spans: list[dict], marks: Marks) -> list[tuple[list[dict], str | None]]:
    """``spans`` cut into parts by pagination kind, the ``k``-th code taking the
    kind of code ``k`` of ``marks``; a span with no change of kind among its
    codes goes whole (most do: a page has a few artifacts), and only the spans
    a change falls in are looked at glyph by glyph."""
    kinds = _kinds(marks)
    n = len(kinds)
    kind_of = lambda k: kinds[k] if 0 <= k < n else None  # noqa: E731
    ends = {0} | {k for a, b, _ in marks.artifacts for k in (a, b)}
    changes = sorted(k for k in ends if kind_of(k) != kind_of(k - 1))  # before code 0: none
    entries: list = []
    off = [0]  # where each span's entries start
    for span in spans:
        entries += span["chars"]
        off.append(len(entries))
    gids = list(map(_GID, entries))
    code_at = [i for i, g in enumerate(gids) if g != -1] if -1 in gids else None  # the entry of each code
    if code_at is not None:
        cut = sorted({bisect_right(off, code_at[c]) - 1 for c in changes if c < len(code_at)})  # spans changes fall in
    else:
        cut = sorted({bisect_right(off, c) - 1 for c in changes if c < len(entries)})
    parts: list[tuple[list[dict], str | None]] = []
    cur_kind: str | None = None
    cur: list[dict] = []
    done = 0  # the spans before it are placed
    for si in cut:
        cur.extend(filter(_CHARS, spans[done:si]))  # one kind throughout, the current one
        span = spans[si]
        k = (off[si] if code_at is None else bisect_left(code_at, off[si])) - 1  # the last code seen
        piece: list = []
        for c in span["chars"]:
            if c[1] != -1:
                k += 1
                kind = kinds[k] if k < n else None
                if kind != cur_kind:
                    if piece:
                        cur.append(_span(span, piece))
                        piece = []
                    if cur:
                        parts.append((cur, cur_kind))
                    cur, cur_kind = [], kind
            piece.append(c)
        if piece:
            cur.append(_span(span, piece))
        done = si + 1
    cur.extend(filter(_CHARS, spans[done:]))
    if cur:
        parts.append((cur, cur_kind))
    return parts


def _apply_actual(trace: list[dict], actual: list[tuple[int, int, str]], raw) -> list[dict]:
    """The trace with each ActualText sequence that changes the text made
    one entry (see :func:`apply_trace`); the spans no sequence changed are
    the trace's own. Most sequences restate their glyphs (Chromium wraps
    nearly every glyph): a glyph of one entry is looked at without slicing."""
    entries: list = []  # every entry; a code's further characters (glyph id -1) follow it
    off = [0]  # where each span's entries start
    for span in trace:
        entries += span["chars"]
        off.append(len(entries))
    gids = list(map(_GID, entries))
    # code_at[k]: the entry code k starts at
    code_at = [i for i, g in enumerate(gids) if g != -1] if -1 in gids else list(range(len(entries)))
    code_at.append(len(entries))
    last = len(code_at) - 1
    actual = _merge_pieces(actual, lambda a, b, c: _part_of(
        entries[code_at[b]:code_at[min(c, last)]], entries[code_at[a]:code_at[min(b, last)]], "\0"))
    covered = {c for a, b, _t in actual for c in range(a, b)}

    def joins(k: int, start: int, end: int, text: str) -> bool:
        """Is code ``k``, just outside ``[start, end)``, a piece of that cluster (:func:`_part_of`)?"""
        i = code_at[k]
        if code_at[k + 1] == i + 1 and text != "\0":  # one entry: its character must be in the text
            uc = entries[i][0]
            if uc <= 0 or chr(uc) not in text:
                return False
        return _part_of(entries[i:code_at[k + 1]], entries[code_at[start]:code_at[end]], text)

    touched: set[int] = set()  # spans whose entries changed
    reps: list[tuple[int, int, list]] = []  # entries [i, j) replaced by a list (in order, apart)
    same = _SAME
    restates = _RESTATES
    for start, end, text in actual:
        if end > last:
            end = last
        if end == start + 1:  # one code: of one entry, restated, no piece beside it? Then nothing changes
            i = code_at[start]
            if code_at[end] == i + 1 and restates[(entries[i][0], text)] and (
                    start == 0 or start - 1 in covered or _apart(entries, code_at, start - 1, text)) and (
                    end >= last or end in covered or _apart(entries, code_at, end, text)):
                continue
        # the cluster's other glyphs, drawn just outside the sequence (Typst draws a
        # raised mark in a text object of its own, with the whole cluster as its text)
        while start > 0 and start - 1 not in covered and joins(start - 1, start, end, text):
            start -= 1
        while end < last and end not in covered and joins(end, start, end, text):
            end += 1
        covered.update(range(start, end))
        i, j = code_at[start], code_at[end]
        if j - i == 1:
            uc = entries[i][0]
            old = chr(uc) if uc > 0 else ""
        elif j > i:
            old = "".join([chr(c[0]) for c in entries[i:j] if c[0] > 0])
        else:
            continue
        if same[(old, text)] or _stranded(old, text):
            continue
        group = entries[i:j]
        first_span = bisect_right(off, i) - 1
        size = trace[first_span]["size"] or 1.0
        ys = [c[2][1] for c in group]
        if max(ys) - min(ys) > 0.5 * size:  # across lines: left as drawn
            continue
        inked = [c for c in group if c[3][2] - c[3][0] > 0.01] or group  # marks' pen points aside
        box = (min([c[3][0] for c in inked]), min([c[3][1] for c in group]),
               max([c[3][2] for c in inked]), max([c[3][3] for c in group]))
        first = group[0]
        base = max(group, key=_advance)  # the base letter's origin, not a raised mark's
        reps.append((i, j, [(ord(ch), first[1] if n == 0 else -1, base[2], box) for n, ch in enumerate(text)]))
        touched.update(range(first_span, bisect_right(off, j - 1)))
        _account(raw, old, text)
    if not touched:
        return trace
    spans = []
    r = 0  # the first replacement not behind the span
    for si, span in enumerate(trace):
        if si not in touched:
            if span["chars"]:
                spans.append(span)
            continue
        a, b = off[si], off[si + 1]
        while reps[r][1] <= a:
            r += 1
        chars = span["chars"]
        cs: list = []
        at = a  # the span's entries before ``at`` are taken or replaced
        for q in range(r, len(reps)):
            i, j, new = reps[q]
            if i >= b:
                break
            if i >= a:  # (a replacement begun in a span before goes there)
                cs += chars[at - a:i - a]
                cs += new
            if j > at:
                at = j
        if at < b:
            cs += chars[at - a:]
        if cs:
            spans.append(_span(span, cs))
    return spans


class _Restates(dict):
    """``table[(uc, text)]``: does an ActualText ``text`` over one glyph mapped
    to ``uc`` (0 or less: to nothing) change nothing in :func:`_apply_actual`
    (it says what the glyph says, :data:`_SAME`, or the glyph is a mark
    stranded from its letter, :func:`_stranded`)?"""

    def __missing__(self, key: tuple[int, str]) -> bool:
        uc, text = key
        old = chr(uc) if uc > 0 else ""
        v = self[key] = bool(_SAME[(old, text)] or _stranded(old, text))
        return v


_RESTATES = _Restates()


def _apart(entries: list, code_at: list[int], k: int, text: str) -> bool:
    """Is code ``k`` surely no piece of a cluster whose text is ``text`` (the
    first test of :func:`_apply_actual`'s ``joins``, failed): one entry,
    mapped to a character ``text`` does not hold?"""
    i = code_at[k]
    if code_at[k + 1] != i + 1 or text == "\0":
        return False
    uc = entries[i][0]
    return uc <= 0 or chr(uc) not in text


def _merge_pieces(actual: list[tuple[int, int, str]], over) -> list[tuple[int, int, str]]:
    """Consecutive ActualText sequences with the same text, one drawn over the
    other (``over(a, b, c)``: the glyphs of ``[b, c)`` sit on those of
    ``[a, b)``), are one cluster cut in pieces (Typst gives a mark drawn
    apart and its letter each the whole cluster's text): one sequence."""
    out: list[tuple[int, int, str]] = []
    for a, b, t in sorted(actual):
        if out and out[-1][1] == a and out[-1][2] == t and over(out[-1][0], a, b):
            out[-1] = (out[-1][0], b, t)
        else:
            out.append((a, b, t))
    return out


def _part_of(glyph: list, group: list, text: str) -> bool:
    """Is ``glyph`` (an entry and its continuation entries) a piece of the
    cluster whose other glyphs ``group`` are, and whose text is ``text``:
    drawn over them (centre inside the box of those with an advance, near
    their baseline) and mapped to nothing ``text`` does not hold? (A mark's
    pen point may lie in the next letter: Chromium's «تُت».)"""
    if not glyph or not group or glyph[0][1] == -1:
        return False
    t = "".join([chr(c[0]) for c in glyph if c[0] > 0])
    if text != "\0" and (not t or not set(t) <= set(text)):
        return False
    b = glyph[0][3]
    inked = [c for c in group if c[3][2] - c[3][0] > 0.01] or group  # (a mark's pen point aside)
    x0 = min([c[3][0] for c in inked])
    x1 = max([c[3][2] for c in inked])
    mid = (b[0] + b[2]) / 2
    gmid = (x0 + x1) / 2
    size = max(b[3] - b[1], 1.0)
    # a mark's pen point (the glyph's, or the group's when it is only marks) sits off its letter
    tol = 0.3 * size if min(b[2] - b[0], x1 - x0) < 0.01 else 0.01
    return (x0 - tol <= mid <= x1 + tol or b[0] - 0.01 <= gmid <= b[2] + 0.01) and abs(
        glyph[0][2][1] - group[0][2][1]) < 0.5 * size


def _advance(c: tuple) -> float:
    return c[3][2] - c[3][0]


def _span(span: dict, chars: list) -> dict:
    """``span`` with ``chars`` as its entries: the span itself when they are
    its own (every one: an ActualText may replace one entry by one inside it)."""
    old = span["chars"]
    if len(chars) == len(old) and all(map(is_, chars, old)):
        return span
    s = dict(span)
    s["chars"] = tuple(chars)
    boxes = [c[3] for c in chars]
    s["bbox"] = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                 max(b[2] for b in boxes), max(b[3] for b in boxes))
    return s


def _account(raw, old: str, new: str) -> None:
    """An ActualText replacing ``old``: a repair, and the change in characters
    (the engine's read count, taken after, is set back to the text as mapped)."""
    d = ink(new) - ink(old)
    raw.repairs["actual_text"] += 1
    raw.account["actual_text"] += d
    raw.account["read"] -= d


# pdfplumber's boxes are in the rotated page: per rotation, the keys of the box
# along the line (start, end) and the one that follows the baseline
_AXES = {0: ("x0", "x1", "bottom"), 90: ("top", "bottom", "x0"), 180: ("x0", "x1", "top"),
         270: ("top", "bottom", "x1")}


def _char_part_of(c: dict, group: list[dict], text: str, ax=_AXES[0]) -> bool:
    """:func:`_part_of` for pdfplumber's chars."""
    t = c.get("text") or ""
    if not group or text != "\0" and (not t or not set(t) <= set(text)):
        return False
    a, b, base = ax
    inked = [g for g in group if float(g[b]) - float(g[a]) > 0.01] or group
    x0 = min(float(g[a]) for g in inked)
    x1 = max(float(g[b]) for g in inked)
    cx0, cx1 = float(c[a]), float(c[b])
    mid, gmid = (cx0 + cx1) / 2, (x0 + x1) / 2
    size = _char_size(c)
    tol = 0.3 * size if min(cx1 - cx0, x1 - x0) < 0.01 else 0.01  # (as in _part_of)
    return (x0 - tol <= mid <= x1 + tol or cx0 - 0.01 <= gmid <= cx1 + 0.01) and abs(
        float(c[base]) - float(group[0][base])) < 0.5 * size


def _char_size(c: dict) -> float:
    """A char's font size (pdfminer's ``size`` is a box side, the wrong one on a turned page)."""
    return max(float(c.get("size") or 0), float(c["bottom"]) - float(c["top"]),
               float(c["x1"]) - float(c["x0"]), 1.0)


def apply_chars(chars: list[dict], marks: Marks, raw, rotation: int = 0) -> list[tuple[list[dict], str | None]]:
    """pdfplumber's chars (one per code) with ``marks`` applied, as :func:`apply_trace`
    (``rotation``: the page's, which pdfplumber's boxes are turned by)."""
    out = list(chars)
    ax = _AXES.get(rotation % 360, _AXES[0])
    a_, b_, base_ = ax
    actual = _merge_pieces(marks.actual, lambda a, b, c: b < len(chars) and _char_part_of(
        chars[b], chars[a:b], "\0", ax))
    covered = {c for a, b, _t in actual for c in range(a, b)}
    for start, end, text in actual:
        end = min(end, len(chars))
        while start > 0 and start - 1 not in covered and _char_part_of(
                chars[start - 1], chars[start:end], text, ax):
            start -= 1
        while end < len(chars) and end not in covered and _char_part_of(chars[end], chars[start:end], text, ax):
            end += 1
        covered.update(range(start, end))
        group = chars[start:end]
        if not group:
            continue
        old = "".join(c["text"] or "" for c in group)
        if _SAME[(old, text)] or _stranded(old, text):
            continue
        size = max(_char_size(c) for c in group)
        bases = [float(c[base_]) for c in group]
        if max(bases) - min(bases) > 0.5 * size:  # across lines: left as drawn
            continue
        c = dict(max(group, key=lambda g: float(g[b_]) - float(g[a_])))  # the base letter's origin
        c["text"] = text
        inked = [g for g in group if float(g[b_]) - float(g[a_]) > 0.01] or group  # marks' pen points aside
        for key, f in (("x0", min), ("top", min), ("x1", max), ("bottom", max)):
            c[key] = f(float(g[key]) for g in (inked if key in (a_, b_) else group))
        out[start] = c
        for i in range(start + 1, end):
            out[i] = None
        _account(raw, old, text)
    if not marks.artifacts:
        return [([c for c in out if c is not None], None)]
    parts: list[tuple[list[dict], str | None]] = []
    cur: list[dict] = []
    cur_kind: str | None = None
    kinds = _kinds(marks)
    for i, c in enumerate(out):
        if c is None:
            continue
        kind = kinds[i]
        if kind != cur_kind:
            if cur:
                parts.append((cur, cur_kind))
            cur, cur_kind = [], kind
        cur.append(c)
    if cur:
        parts.append((cur, cur_kind))
    return parts


# ---- what the engines call --------------------------------------------------------------


def mupdf_wants(page, forms: dict, content: bytes | None = None) -> bool:
    """Does a MuPDF page's content (``content``, decoded, if the caller has
    it), or a form it uses, mention ActualText or an artifact? (``forms``
    caches the answer per form xref.)"""
    if MARKERS.search(page.read_contents() if content is None else content):
        return True
    for x in page.get_xobjects():
        xref = x[0]
        v = forms.get(xref)
        if v is None:
            v = forms[xref] = MARKERS.search(page.parent.xref_stream(xref) or b"") is not None
        if v:
            return True
    return False


def pdfminer_wants(page_obj) -> bool:
    """The same for a pdfminer page (its decoded streams are cached for the
    interpreter, so this costs little)."""
    from pdfminer.pdftypes import resolve1

    for s in page_obj.contents or ():
        s = resolve1(s)
        if hasattr(s, "get_data") and MARKERS.search(s.get_data()):
            return True
    todo = [page_obj.resources]
    seen: set[int] = set()
    while todo:
        res = resolve1(todo.pop())
        xo = resolve1(res.get("XObject")) if isinstance(res, dict) else None
        for ref in (xo.values() if isinstance(xo, dict) else ()):
            key = getattr(ref, "objid", None)
            if key in seen or len(seen) > 500:
                continue
            seen.add(key)
            x = resolve1(ref)
            if getattr(x, "attrs", {}).get("Subtype") is not None and str(x.attrs.get("Subtype")).endswith("Form"):
                if MARKERS.search(x.get_data()):
                    return True
                todo.append(x.attrs.get("Resources"))
    return False


def glyphs(reader: Reader, source, count, apply, read, raw, warnings: list[str]) -> list:
    """The engine's glyphs (``read(source)``) with the page's marked content
    applied: ``count(source)`` glyph codes must match the scan's, else the
    page is read as if unmarked, with a warning."""
    n = raw.number
    try:
        marks = reader.page(n - 1)
    except MarkedError as e:
        warnings.append(f"page {n}: marked content (ActualText, artifacts) not read ({e})")
        return read(source)
    if not marks:
        return read(source)
    seen = count(source)
    if seen != marks.codes:
        warnings.append(f"page {n}: marked content (ActualText, artifacts) not applied: the engine "
                        f"drew {seen} glyphs, the content stream shows {marks.codes}")
        return read(source)
    out: list = []
    for part, kind in apply(source, marks, raw):
        gs = read(part)
        if kind:
            for g in gs:
                g.artifact = kind
        out += gs
    return out
