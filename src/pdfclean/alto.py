"""ALTO 4 XML: the document with its page geometry, for digital-library systems
(Goobi, Kitodo, Islandora, eScriptorium, the OCR-D tools).

One ``Page`` per page read, with its size. The article's blocks are
``TextBlock``s in reading order inside ``PrintSpace`` (a block cut by a page
break is one ``TextBlock`` per page, chained by ``IDNEXT``); each line a
``TextLine``, each word a ``String`` with ``CONTENT`` and its box. Removed
furniture — running titles, headers, footers, page numbers, branding — goes
into ``TopMargin``/``BottomMargin``; the front matter (cover) and the
article's head (title, author, source lines) stay in ``PrintSpace``, tagged.
Every block names its kind with ``TAGREFS`` (``Tags``: the block types as
``StructureTag``s, the removed kinds as ``LayoutTag``s, ``front_matter`` and
``list_marker`` as ``OtherTag``s). OCR words carry ``WC`` (Tesseract's
confidence / 100).

The words are the JSON's: a block's ``String``s, read in order, are the words
of its ``text`` — a word the JSON joins across a line break is two
``String``s with ``SUBS_TYPE`` ``HypPart1``/``HypPart2`` and ``SUBS_CONTENT``
the whole word (a hyphen the JSON drops is a ``HYP``); a list item's marker,
which the JSON drops, is a ``String`` tagged ``list_marker``.

Coordinates are ``inch1200`` (1/1200 inch: PDF points × 50/3, from the
page's top-left corner; at D dpi a pixel is value × D / 1200). Word boxes come
from the glyphs (:mod:`pdfclean.words`); the ``Description`` says how many had
to be cut from a larger box in proportion to their characters, and gives the
processing software and the source file's sha256.

Needs the lines and word boxes: ``extract(..., words=True)`` (what
``pdfclean extract -f alto`` and ``pdfclean batch -f alto`` do).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .version import __version__
from .model import BLOCK_TYPES, REMOVED_KINDS, Line, Word
from .words import split_box

if TYPE_CHECKING:
    from .model import Document

NS = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
UNIT = 1200 / 72  # inch1200 per PDF point
_TOP_KINDS = frozenset({"running_title", "header"})


@dataclass
class _String:
    """One ``String`` to write."""

    content: str
    box: tuple[float, float, float, float] | None
    conf: float | None = None
    approximate: bool = False
    subs: tuple[str, str] | None = None  # (SUBS_TYPE, SUBS_CONTENT)
    hyp: bool = False  # a HYP (a hyphen the text dropped) ends the line after it
    tag: str | None = None  # "list_marker"


_Item = list  # [line index, token, Word | None]


def _word(w: Word | None) -> tuple:
    if w is None:
        return None, None, False
    return (w.x0, w.y0, w.x1, w.y1), w.confidence, w.approximate


def _cut(item: _Item, parts: list[str], rtl: bool) -> list[_Item]:
    """A token split into ``parts`` (a glued list marker or page number), each
    with a box cut from the token's in proportion."""
    li, _, w = item
    if w is None:
        return [[li, p, None] for p in parts]
    return [[li, p, c] for p, c in zip(parts, split_box((w.x0, w.y0, w.x1, w.y1), parts, rtl, w.confidence))]


def unit_strings(text: str, lines: list[Line], lead: str = "all") -> list[tuple[Line, list[_String]]] | None:
    """The ``String``s of a text read from ``lines`` (each with word boxes
    aligned to ``line.text.split()``), line by line: ``text``'s words matched
    in order against the lines' words, a word joined across a line break
    found as its parts. ``lead``: ``"all"``, the lines hold the text and
    nothing else (a block); ``"marker"``, the same but for a list item's
    marker before the text (kept, tagged); ``"drop"``, the text is a part of
    the lines (a running title beside its page number): the rest is left
    out. None when the words do not match (the caller then
    cuts the text's words from the lines' boxes).
    """
    want = text.split()
    if not want:
        return []
    items: list[_Item] = []
    for li, ln in enumerate(lines):
        toks = ln.text.split()
        ws = ln.words if ln.words is not None and len(ln.words) == len(toks) else [None] * len(toks)
        items.extend([li, t, w] for t, w in zip(toks, ws))
    starts = range(len(items)) if lead == "drop" else [0]
    for j0 in starts:
        out = _walk(want, items, lines, j0, lead)
        if out is not None:
            return out
    return None


def _walk(want: list[str], items: list[_Item], lines: list[Line], j: int, lead: str):
    items = [list(it) for it in items]  # (split tokens replace their items)
    per_line: dict[int, list[_String]] = defaultdict(list)
    first = want[0]
    if lead == "marker":
        while j < len(items) and items[j][1] != first:
            tok = items[j][1]
            if tok.endswith(first) and len(tok) > len(first):  # «1.الكلمة»: the marker glued on
                items[j:j + 1] = _cut(items[j], [tok[: -len(first)], first], lines[items[j][0]].rtl)
            box, conf, approx = _word(items[j][2])
            per_line[items[j][0]].append(_String(items[j][1], box, conf, approx, tag="list_marker"))
            j += 1
    elif lead == "drop" and j < len(items) and items[j][1] != first:
        tok = items[j][1]
        if not tok.endswith(first):
            return None
        items[j:j + 1] = _cut(items[j], [tok[: -len(first)], first], lines[items[j][0]].rtl)
        j += 1
    n = len(items)
    for i, b in enumerate(want):
        if j >= n:
            return None
        tok = items[j][1]
        if tok != b and lead == "drop" and i == len(want) - 1 and tok.startswith(b):
            items[j:j + 1] = _cut(items[j], [b, tok[len(b):]], lines[items[j][0]].rtl)
            n = len(items)
            tok = b
        if tok == b:
            box, conf, approx = _word(items[j][2])
            per_line[items[j][0]].append(_String(b, box, conf, approx))
            j += 1
            continue
        # a word across a line break: its parts end one line and start the next
        acc, pieces, k = "", [], j
        while k < n and len(acc) < len(b):
            if pieces and items[k][0] == items[k - 1][0]:
                return None
            t = items[k][1]
            last_of_line = k + 1 >= n or items[k + 1][0] != items[k][0]
            if b.startswith(acc + t):
                acc += t
                pieces.append((k, t, False))
            elif last_of_line and t.endswith("-") and b.startswith(acc + t[:-1]):
                acc += t[:-1]
                pieces.append((k, t[:-1], True))
            else:
                return None
            if acc != b and not last_of_line:
                return None
            k += 1
        if acc != b or len(pieces) < 2:
            return None
        for m, (kk, part, hyp) in enumerate(pieces):
            box, conf, approx = _word(items[kk][2])
            per_line[items[kk][0]].append(_String(part, box, conf, approx,
                                                  ("HypPart1" if m < len(pieces) - 1 else "HypPart2", b), hyp))
        j = k
    if lead != "drop" and j != n:
        return None
    return [(lines[li], per_line[li]) for li in sorted(per_line)]


def approximate_strings(text: str, lines: list[Line],
                        bbox: tuple[float, float, float, float] | None = None) -> list[tuple[Line | None, list[_String]]]:
    """``text``'s words spread over ``lines`` in proportion to their characters,
    each box cut from its line's (``approximate``); with no lines, over
    ``bbox`` as one line (or with no box at all)."""
    want = text.split()
    if not lines:
        if bbox is None:
            return [(None, [_String(t, None) for t in want])]
        return [(None, [_String(t, (w.x0, w.y0, w.x1, w.y1), None, True)
                        for t, w in zip(want, split_box(bbox, want, True))])]
    sizes = [max(1, len(ln.text)) for ln in lines]
    total = sum(sizes)
    out: list[tuple[Line | None, list[_String]]] = []
    pos = 0
    for li, ln in enumerate(lines):
        end = len(want) if li == len(lines) - 1 else round(len(want) * sum(sizes[: li + 1]) / total)
        part = want[pos:end]
        pos = end
        if part:
            cut = split_box((ln.x0, ln.y0, ln.x1, ln.y1), part, ln.rtl, ln.confidence)
            out.append((ln, [_String(t, (w.x0, w.y0, w.x1, w.y1), w.confidence, True) for t, w in zip(part, cut)]))
    return out


# ---------------------------------------------------------------------------
# XML

_XML_BAD = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _attr(v) -> str:
    s = _XML_BAD.sub("\ufffd", str(v))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _u(v: float) -> int:
    return round(v * UNIT)


def _geom(box) -> str:
    if box is None:
        return ""
    x0, y0, x1, y1 = box
    return (f' HPOS="{_u(x0)}" VPOS="{_u(y0)}" WIDTH="{max(0, _u(x1) - _u(x0))}"'
            f' HEIGHT="{max(0, _u(y1) - _u(y0))}"')


def _union(boxes):
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


_LANG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


@dataclass
class _Unit:
    """One TextBlock to write: its id, tags, lines and the next piece's id."""

    id: str
    tags: list[str]
    lines: list[tuple[Line | None, list[_String]]]
    page: int
    next_id: str | None = None
    rtl: bool = True

    @property
    def box(self):
        return _union(s.box for _, ss in self.lines for s in ss)


class _Counts:
    def __init__(self) -> None:
        self.exact = self.approximate = 0


def _unit_lines(text: str, lines: list[Line] | None, lead: str, bbox, counts: _Counts):
    got = unit_strings(text, lines, lead) if lines else None
    if got is None:
        got = approximate_strings(text, lines or [], bbox)
    for _, ss in got:
        for s in ss:
            if s.approximate or s.box is None:
                counts.approximate += 1
            else:
                counts.exact += 1
    return got


def _pieces(prefix: str, tags: list[str], got, fallback_page: int) -> list[_Unit]:
    """A block's lines grouped into one unit per page, chained."""
    units: list[_Unit] = []
    for ln, ss in got:
        page = ln.page if ln is not None else fallback_page
        if not units or units[-1].page != page:
            k = len(units)
            units.append(_Unit(prefix if k == 0 else f"{prefix}_{k + 1}", tags, [], page))
        units[-1].lines.append((ln, ss))
    for a, b in zip(units, units[1:]):
        a.next_id = b.id
    for u in units:
        rtl = [ln.rtl for ln, _ in u.lines if ln is not None]
        u.rtl = (sum(rtl) * 2 >= len(rtl)) if rtl else True
    return units


def to_alto(doc: "Document") -> str:
    """The document as ALTO 4.4 XML (see the module's description)."""
    if not doc.words:
        raise ValueError("ALTO needs the lines' word boxes: extract the document with words=True")
    counts = _Counts()
    print_units: dict[int, list[tuple[int, float, _Unit]]] = defaultdict(list)  # page → (rank, y, unit)
    margin_units: dict[int, list[_Unit]] = defaultdict(list)
    lang = doc.metadata.language if doc.metadata.language and _LANG.match(doc.metadata.language) else None

    for i, b in enumerate(doc.front_matter, 1):
        got = _unit_lines(b.text, b.lines, "marker" if b.type == "list_item" else "all", None, counts)
        for u in _pieces(f"front{i}", ["front_matter", f"type-{b.type}"], got, b.pages[0]):
            print_units[u.page].append((0, (u.box or (0, 0, 0, 0))[1], u))
    for i, r in enumerate(doc.removed, 1):
        got = _unit_lines(r.text, r.lines, "drop", r.bbox, counts)
        for u in _pieces(f"removed{i}", [f"kind-{r.kind}"], got, r.page):
            if r.kind == "article_head":
                print_units[u.page].append((0, (u.box or r.bbox or (0, 0, 0, 0))[1], u))
            else:
                margin_units[u.page].append(u)
    for i, b in enumerate(doc.blocks, 1):
        got = _unit_lines(b.text, b.lines, "marker" if b.type == "list_item" else "all", None, counts)
        for u in _pieces(f"block{i}", [f"type-{b.type}"], got, b.pages[0]):
            print_units[u.page].append((1, float(i), u))

    ocr = {p["page"]: p for p in doc.pages if p.get("ocr")}
    page_numbers = {r.page: r.text for r in doc.removed if r.kind == "page_number"}
    front_pages = {p for b in doc.front_matter for p in b.pages}

    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n',
                      f'<alto xmlns="{NS}" xmlns:xlink="http://www.w3.org/1999/xlink"'
                      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
                      f' xsi:schemaLocation="{NS} {SCHEMA_LOCATION}" SCHEMAVERSION="4.4">\n']
    body: list[str] = []
    for n in sorted(doc.page_sizes):
        width, height = doc.page_sizes[n]
        units = [u for _, _, u in sorted(print_units.get(n, []), key=lambda t: (t[0], t[1]))]
        space = _union(u.box for u in units)
        attrs = f' ID="page{n}" PHYSICAL_IMG_NR="{n}" WIDTH="{_u(width)}" HEIGHT="{_u(height)}"'
        if n in page_numbers:
            attrs += f' PRINTED_IMG_NR="{_attr(page_numbers[n])}"'
        if n in front_pages:
            attrs += ' PAGECLASS="cover"'
        if n in ocr and ocr[n].get("ocr_confidence") is not None:
            attrs += f' PC="{min(1.0, max(0.0, ocr[n]["ocr_confidence"] / 100)):.3f}"'
        if lang:
            attrs += f' LANG="{lang}"'
        body.append(f"<Page{attrs}>\n")
        top, bottom = [], []
        for u in margin_units.get(n, []):
            box = u.box
            kind = u.tags[0][5:]
            is_top = (box[1] + box[3]) / 2 < height / 2 if box is not None else kind in _TOP_KINDS
            (top if is_top else bottom).append(u)
        top_end = space[1] if space else max((u.box[3] for u in top if u.box), default=0.0)
        bottom_start = space[3] if space else min((u.box[1] for u in bottom if u.box), default=height)
        if top:
            body.append(f'<TopMargin ID="page{n}_top"{_geom((0, 0, width, max(0.0, top_end)))}>\n')
            body.extend(_block(u, lang, counts) for u in top)
            body.append("</TopMargin>\n")
        if bottom:
            body.append(f'<BottomMargin ID="page{n}_bottom"{_geom((0, min(bottom_start, height), width, height))}>\n')
            body.extend(_block(u, lang, counts) for u in bottom)
            body.append("</BottomMargin>\n")
        if units:
            body.append(f'<PrintSpace ID="page{n}_print"{_geom(space)}>\n')
            body.extend(_block(u, lang, counts) for u in units)
            body.append("</PrintSpace>\n")
        body.append("</Page>\n")
    out.append(_description(doc, counts, ocr))
    out.append(_tags())
    out.append("<Layout>\n")
    out.extend(body)
    out.append("</Layout>\n</alto>\n")
    return "".join(out)


def _block(u: _Unit, lang: str | None, counts: _Counts) -> str:
    parts = [f'<TextBlock ID="{u.id}"{_geom(u.box)} TAGREFS="{" ".join(u.tags)}"']
    if u.next_id:
        parts.append(f' IDNEXT="{u.next_id}"')
    if lang:
        parts.append(f' LANG="{lang}"')
    parts.append(f' BASEDIRECTION="{"rtl" if u.rtl else "ltr"}">\n')
    for k, (ln, ss) in enumerate(u.lines, 1):
        if not ss:
            continue
        box = _union(s.box for s in ss)
        attrs = f' ID="{u.id}_l{k}"{_geom(box)}'
        if ln is not None and box is not None and ln.baseline is not None:
            b = _u(ln.baseline)
            attrs += f' BASELINE="{_u(box[0])},{b} {_u(box[2])},{b}"'
        if ln is not None:
            attrs += f' BASEDIRECTION="{"rtl" if ln.rtl else "ltr"}"'
        parts.append(f"<TextLine{attrs}>")
        for m, s in enumerate(ss):
            if m:
                parts.append("<SP/>")
            a = f'<String CONTENT="{_attr(s.content)}"{_geom(s.box)}'
            if s.tag:
                a += f' TAGREFS="{s.tag}"'
            if s.subs:
                a += f' SUBS_TYPE="{s.subs[0]}" SUBS_CONTENT="{_attr(s.subs[1])}"'
            if s.conf is not None:
                a += f' WC="{min(1.0, max(0.0, s.conf / 100)):.2f}"'
            parts.append(a + "/>")
        if ss[-1].hyp:
            parts.append('<HYP CONTENT="-"/>')
        parts.append("</TextLine>\n")
    parts.append("</TextBlock>\n")
    return "".join(parts)


def _description(doc: "Document", counts: _Counts, ocr: dict) -> str:
    src = doc.source
    steps = [
        f"pdfclean {__version__}: the PDF's text layer read with {src.engine}; glyphs put in reading order and "
        "repaired (Arabic script); page furniture removed into TopMargin/BottomMargin, tagged by kind; blocks "
        "in reading order, tagged by type (TAGREFS); words as in the JSON text (a word joined across a line "
        "break: SUBS_TYPE HypPart1/HypPart2, SUBS_CONTENT the whole word; HYP: a hyphen the text drops)",
        f"word boxes: {counts.exact} from their glyphs, {counts.approximate} approximated (cut from their "
        "line's or word's box in proportion to the characters)",
        "coordinates: inch1200 (1/1200 inch = PDF points x 50/3) from the top-left of the page",
    ]
    if ocr:
        pages = ", ".join(str(n) for n in sorted(ocr))
        steps.append(f"page(s) {pages} read by OCR (Tesseract): String WC = word confidence / 100")
    settings = f"engine={src.engine}"
    parts = ["<Description>\n<MeasurementUnit>inch1200</MeasurementUnit>\n<sourceImageInformation>\n"]
    if src.file:
        parts.append(f"<fileName>{_attr(src.file)}</fileName>\n")
    parts.append(f'<fileIdentifier fileIdentifierLocation="sha256">{src.sha256}</fileIdentifier>\n')
    parts.append("</sourceImageInformation>\n")
    parts.append('<Processing ID="pdfclean">\n<processingCategory>contentGeneration</processingCategory>\n')
    parts.extend(f"<processingStepDescription>{_attr(s)}</processingStepDescription>\n" for s in steps)
    parts.append(f"<processingStepSettings>{_attr(settings)}</processingStepSettings>\n")
    parts.append("<processingSoftware>\n<softwareCreator>pdfclean</softwareCreator>\n"
                 f"<softwareName>pdfclean</softwareName>\n<softwareVersion>{__version__}</softwareVersion>\n"
                 "<applicationDescription>Clean, structured text from Arabic and Persian PDFs"
                 "</applicationDescription>\n</processingSoftware>\n</Processing>\n</Description>\n")
    return "".join(parts)


def _tags() -> str:
    tags = [f'<StructureTag ID="type-{t}" TYPE="block" LABEL="{t}"/>\n' for t in BLOCK_TYPES]
    tags += [f'<LayoutTag ID="kind-{k}" TYPE="removed" LABEL="{k}"/>\n' for k in REMOVED_KINDS]
    tags.append('<OtherTag ID="front_matter" TYPE="section" LABEL="front_matter" '
                'DESCRIPTION="the cover: before the article"/>\n')
    tags.append('<OtherTag ID="list_marker" TYPE="string" LABEL="list_marker" '
                'DESCRIPTION="a list item\'s marker (the JSON text drops it)"/>\n')
    return "<Tags>\n" + "".join(tags) + "</Tags>\n"
