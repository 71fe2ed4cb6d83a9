"""The scan of a page's content (and the forms it draws) into :class:`Marks`."""

from __future__ import annotations

import io

from ..kernel import KERNEL
from .syntax import (
    _BDC_OPERANDS, _dict_value, _EI, _Font, _font, MarkedError, Marks, MAX_DEPTH, _name,
    _FAST, _literal_first, _one_string_codes, PAGINATION, _SCAN, _SIMPLE, _string_codes, text_string,
)


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


def _count(counts: dict[bytes, int], s: bytes, font: _Font, one: bool) -> int:
    """The codes of strings ``s`` shown in ``font`` (``one``: a single
    string), kept in ``counts``."""
    n = counts[s] = _one_string_codes(s, font) if one else _string_codes(s, font)
    return n


_STANDARD = _SCAN  # the pattern KERNEL.marked_scan transcribes


def _scan():
    """The scan's pattern, :data:`_SCAN` (the tests put others in its place),
    compiled to skip fast (:func:`_literal_first`)."""
    return _FAST.get(_SCAN) or _FAST.setdefault(_SCAN, _literal_first(_SCAN))


def _nesting(g: str | None, t, depth: int, start: int, last: tuple[int, int] | None):
    """The nesting ``depth`` of a dictionary begun at ``start`` after token
    ``g`` (match ``t``), and the span of the last one closed: ``(depth, last)``."""
    if g == "d":
        return depth + 1, last
    if g == "e":  # (not matched yet, see _SCAN)
        return depth - 1, ((start, t.end()) if depth == 1 else last)
    return depth, last


def _after_inline_image(data: bytes, at: int) -> int:
    """Where the scan resumes after an inline image begun (``BI``) before
    ``at``: past its ``EI``, or at the end (no ``ID`` after it: a search from
    ``find``'s -1 would start over at 0 and find an earlier image's ``EI``, and
    the scan would go round for ever).

    >>> _after_inline_image(b"BI /W 1 ID x EI q BI ", 20)
    21
    """
    i = data.find(b"ID", at)
    e = _EI.search(data, i) if i >= 0 else None
    return e.end() if e else len(data)


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
        """Scan ``data`` (content drawn with resources ``res``, inside ``depth``
        forms, ``forms`` their keys): codes counted (in a local; ``marks.codes``
        brought up to date before the calls that read it), sequences opened and
        closed; a string's codes worked out once per font (``counts``). The
        kernel's ``marked_scan`` takes the common tokens as this loop would, and
        stops at others: the loop takes one (rare ones in :meth:`_rare`), and gives the scan back."""
        fonts = res.get("/Font") if res is not None else None
        by_name: dict[bytes, tuple[_Font, dict]] = {}  # Tf operand -> font and its counts, in these resources
        font = _SIMPLE
        counts = self.reader.counts(font)
        saved: list[tuple[_Font, dict]] = []  # the font at each q
        dict_depth, dict_start, last_dict = 0, -1, None  # a dictionary the scan could not take whole
        m = self.marks
        codes, actual = m.codes, m.actual
        names, ones = self.reader.names, self.reader.ones
        pos, end, scan = 0, len(data), _scan()
        kern = KERNEL if KERNEL is not None and _SCAN is _STANDARD and data.__class__ is bytes else None
        while pos < end:  # one pass of the scan, or several when inline images are jumped over
            if kern is not None and not dict_depth:
                pos, codes, (font, counts), self.actual_open, self.suspect = kern.marked_scan(
                    data, pos, codes, (font, counts), saved, by_name, ones, names, self.reader._texts,
                    self.reader._kinds, self.depth_stack, actual, m.artifacts, m.reversed, self.actual_open,
                    self.suspect)
            resume = end
            for t in scan.finditer(data, pos):
                g = t.lastgroup
                if dict_depth:  # inside that dictionary only its nesting counts
                    dict_depth, last_dict = _nesting(g, t, dict_depth, dict_start, last_dict)
                    continue
                if g == "strings" or g == "lstrings":  # one or several (begun with a hex, a literal string)
                    s = t[0]
                    n = counts.get(s)
                    if n is None:
                        n = _count(counts, s, font, t.end("first" if g == "strings" else "lfirst") == t.end())
                    codes += n
                elif g == "one":  # BDC, strings, EMC
                    raw, props, s = t.group("otag", "oprops", "ostrings")
                    text = ones.get((raw, props), 0)
                    if text == 0:
                        text = ones[raw, props] = self._one(raw, props)
                    n = counts.get(s)
                    if n is None:  # (Chromium: one hex string)
                        n = _count(counts, s, font, s[0] == 60 and s.find(b">") == len(s) - 1)
                    if text.__class__ is tuple:  # a sequence that does more than give a text
                        m.codes = codes
                        self._sequence(names[raw], props, n)
                    elif text is not None and n and not self.actual_open and not self.suspect:
                        actual.append((codes, codes + n, text))
                    codes += n
                elif g == "bseq":  # BMC, perhaps Tf, strings, EMC
                    codes, font, counts = self._bseq(t, codes, font, counts, fonts, by_name)
                elif g == "tf":
                    font, counts = by_name.get(key := t.group("tf")) or self._font(fonts, key, by_name)
                elif g == "q":
                    saved.append((font, counts))
                elif g == "Q":
                    if saved:
                        font, counts = saved.pop()
                elif g == "emc":
                    if self.depth_stack:
                        m.codes = codes
                        self.close(*self.depth_stack.pop())
                elif g == "d":
                    dict_depth, dict_start = 1, t.start()
                elif g == "bi":
                    resume = _after_inline_image(data, t.end())
                    break
                elif g is not None and g != "e":  # a sequence opened, a form drawn
                    m.codes = codes
                    self._rare(g, t, data, res, depth, forms, last_dict)
                    codes = m.codes
                if kern is not None and not dict_depth:  # one token taken: the kernel's again
                    resume = t.end()
                    break
            pos = resume
        m.codes = codes

    def _bseq(self, t, codes: int, font: _Font, counts: dict, fonts, by_name: dict) -> tuple[int, _Font, dict]:
        """A sequence ``BMC``, perhaps ``Tf``, strings, ``EMC`` (match ``t``) at
        ``codes``, in ``font`` (``counts`` its counts): codes, font and counts after it."""
        raw, tf, s = t.group("btag", "btf", "bstrings")
        names, m = self.reader.names, self.marks
        tag = names.get(raw) or names.setdefault(raw, _name(raw))
        if tf is not None:
            font, counts = by_name.get(tf) or self._font(fonts, tf, by_name)
        n = counts.get(s)
        if n is None:
            n = _count(counts, s, font, t.end("bfirst") == t.end("bstrings"))
        if tag == "/ReversedChars":  # (a sequence without properties: its tag is all it says)
            if n:
                m.reversed.append((codes, codes + n))
        elif tag == "/Artifact" or tag == "/TagSuspect":
            m.codes = codes
            self._sequence(tag, None, n)
        return codes + n, font, counts

    def _sequence(self, tag: str, props: bytes | None, n: int) -> None:
        """A sequence opened at ``marks.codes`` around ``n`` codes, and closed."""
        self._open_sequence(tag, props)
        self.marks.codes += n
        self.close(*self.depth_stack.pop())

    def _rare(self, g: str, t, data: bytes, res, depth: int, forms: set, last_dict) -> None:
        """The tokens of :meth:`run` met less often (group ``g``, match ``t``):
        a sequence opened (``last_dict``: the span of the dictionary last
        skipped), a form drawn; ``marks.codes`` is up to date."""
        if g == "props" or g == "named" or g == "bmc":
            raw = t.group("tag")
            names = self.reader.names
            tag = names.get(raw) or names.setdefault(raw, _name(raw))
            if g == "props":
                props = t.group("props")
            elif g == "named":
                props = self._properties(res, _name(t.group("named")))
            else:
                props = None
            self._open_sequence(tag, props)
        elif g == "bdc":  # after a dictionary the scan could not take whole (nested)
            props = None
            start = t.start()
            if last_dict is not None and not data[last_dict[1]:start].strip():
                props, start = data[last_dict[0]:last_dict[1]], last_dict[0]
            head = _BDC_OPERANDS.search(data[max(0, start - 200):start].rstrip())
            tag = _name(head.group(1)) if head else ""
            if props is None and head and head.group(2):
                props = self._properties(res, _name(head.group(2)))
            self._open_sequence(tag, props)
        elif g == "do":
            self._draw(_name(t.group("do")), res, depth, forms)

    def _draw(self, name: str, res, depth: int, forms: set) -> None:
        """The form XObject ``name`` of ``res`` scanned, if it is one."""
        import pikepdf

        if depth >= MAX_DEPTH:
            raise MarkedError("forms nested too deep")
        xo = res.get("/XObject") if res is not None else None
        x = xo.get(name) if xo is not None else None
        if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Form":
            key = x.objgen
            if key in forms:
                raise MarkedError("a form that draws itself")
            self.run(x.read_bytes(), x.get("/Resources") or res, depth + 1, forms | {key})

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
