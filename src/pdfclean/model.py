"""The data model, in one place.

Flow: an engine yields :class:`RawPage` objects holding :class:`Glyph` boxes;
``lines`` groups glyphs into visual lines; ``script`` turns each line into
logical-order text (a :class:`Line`); ``furniture`` strips headers and footers
(:class:`Removed`); ``blocks`` joins lines into :class:`Block` objects;
``metadata`` reads the cover; the result is a :class:`Document`.

Coordinates are PDF points with the origin at the top-left of the page and y
growing downwards (PyMuPDF's convention; the pdfplumber engine converts).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.3"  # the schema's version: 1.3 added the blocks' optional ``search_text``
# what a document says: the oldest schema version it fits, so that output without
# the fields new in 1.3 (the default) stays as it was
BASE_SCHEMA_VERSION = "1.2"

_WS = re.compile(r"[\s\u200b]")


def ink(text: str) -> int:
    """Characters of ``text`` that are not white space (nor ZWSP): the unit of
    the per-page account of characters (spaces come and go with layout).

    >>> ink("في  البيت\u200b")
    7

    (A printable text holds no white space but the ASCII space, nor a ZWSP:
    those are counted without the expression; tests/test_speed_paths.py
    checks it of every code point.)
    """
    if text.isprintable():
        return len(text) - text.count(" ")
    return len(text) - len(_WS.findall(text))

BLOCK_TYPES = ("heading", "paragraph", "list_item", "quote", "footnote")
REMOVED_KINDS = ("running_title", "header", "footer", "page_number", "branding", "article_head")


@dataclass(slots=True)
class Glyph:
    """One glyph as drawn: the Unicode text it maps to and its box.

    ``text`` may hold several characters (a lam-alef or «الله» ligature mapped
    to two or four letters): such a glyph is never split when text is reordered.
    ``baseline`` is the y of the glyph origin.

    A box may also hold a run of ``n`` touching Arabic letters drawn one after
    another (:func:`pdfclean.engines.merge_runs`); ``text`` is then in reading
    order, ``seq`` is the stream position of its first-drawn letter,
    ``rightward`` says whether the pen moved right while drawing it and
    ``parts`` holds the letters.
    """

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    baseline: float
    size: float
    font: str = ""
    bold: bool = False
    seq: int = 0  # position in the content stream (drawing order)
    conf: float | None = None  # OCR confidence (0–100) when the glyph is an OCR word
    n: int = 1  # drawn glyphs in this box
    rightward: bool = False  # for n > 1: drawn left to right (visual order)
    parts: list[Glyph] | None = None  # for n > 1: the glyphs it holds
    # tagged-PDF pagination artifact: "header", "footer", "page_number", or "pagination" (no subtype)
    artifact: str | None = None


class TraceGlyph(Glyph):
    """A :class:`Glyph` read from MuPDF's text trace, which also knows its
    glyph id in its font (``gid``; -1: none), so the glyph stage can ask the
    font program about it (:meth:`pdfclean.fontmap.MuPDFPage.is_bar`)."""

    __slots__ = ("gid",)


@dataclass(slots=True)
class RawPage:
    """One page as an engine returns it: geometry and glyphs, nothing decided."""

    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph]
    image_coverage: float = 0.0  # share of the page area covered by images
    repairs: Counter = field(default_factory=Counter)  # glyph-stage repairs: how many changes
    # characters (:func:`ink`): "read" as the text layer maps them, and per
    # repair the change it made (negative: dropped)
    account: Counter = field(default_factory=Counter)


@dataclass(slots=True)
class Word:
    """One word of a line with its box, for outputs that place words on the page
    (ALTO): made only when asked (``extract(words=True)``).

    The box is the union of the word's glyph boxes; ``approximate`` when it had
    to be cut from a larger box in proportion to the characters (a word whose
    glyphs could not be told apart from its neighbours').
    """

    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float | None = None  # OCR word confidence (0–100)
    approximate: bool = False


@dataclass(slots=True)
class Line:
    """One visual line, with its text in logical order after script repair."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    page: int
    rtl: bool = True
    repairs: Counter = field(default_factory=Counter)
    confidence: float | None = None  # OCR word confidence (0–100); None: text layer
    delta: Counter = field(default_factory=Counter)  # characters each repair added (−: dropped)
    artifact: str | None = None  # every glyph a tagged-PDF pagination artifact: its kind
    baseline: float | None = None  # where the letters stand (boxes vary with marks and fonts)
    words: list[Word] | None = None  # with extract(words=True): one box per word of ``text.split()``

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def base(self) -> float:
        """The baseline, or the bottom of the box when it is not known."""
        return self.y1 if self.baseline is None else self.baseline


@dataclass(slots=True)
class Page:
    """A page after line building and script repair."""

    number: int
    width: float
    height: float
    lines: list[Line]
    image_coverage: float = 0.0
    quality: float = 1.0  # 0..1: how much the text layer looks like real text
    ocr: bool = False  # read by OCR
    ocr_confidence: float | None = None  # mean word confidence (0–100)
    repairs: Counter = field(default_factory=Counter)  # glyph-stage repairs (lines hold their own)
    account: Counter = field(default_factory=Counter)  # characters: read, and change per repair


@dataclass(slots=True)
class Block:
    type: str
    text: str
    pages: list[int]
    repairs: Counter = field(default_factory=Counter)
    confidence: float | None = None  # set when the block was read by OCR
    boxes: list[tuple[int, float, float, float, float]] = field(default_factory=list)  # (page, x0, y0, x1, y1) per line
    delta: Counter = field(default_factory=Counter)  # (page, repair) -> characters added by block building
    chars: Counter = field(default_factory=Counter)  # page -> characters of ``text`` from that page
    lines: list[Line] | None = None  # with extract(words=True): its lines, in reading order

    def to_dict(self, explain: bool = False, search_language: str | None | bool = False) -> dict[str, Any]:
        """As JSON; ``search_language`` (not False: a language code or None)
        adds ``search_text``, the text folded for search in that language."""
        d: dict[str, Any] = {"type": self.type, "text": self.text, "pages": list(self.pages)}
        if search_language is not False:
            from .search import normalize_for_search

            d["search_text"] = normalize_for_search(self.text, search_language)  # type: ignore[arg-type]
        if self.confidence is not None:
            d["ocr"] = True
            d["confidence"] = round(self.confidence, 1)
        if explain:
            d["repairs"] = dict(sorted(self.repairs.items()))
            d["boxes"] = [[p, *(round(v, 1) for v in b)] for p, *b in self.boxes]
        return d


@dataclass(slots=True)
class Removed:
    kind: str
    page: int
    text: str
    bbox: tuple[float, float, float, float] | None = None  # where it was on the page (points)
    lines: list[Line] | None = None  # with extract(words=True): the line(s) its text came from

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "page": self.page, "text": self.text}
        if self.bbox is not None:
            d["bbox"] = [round(v, 1) for v in self.bbox]
        return d


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    source: str | None = None
    published: str | None = None
    published_text: str | None = None
    publisher: str | None = None
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True)
class Source:
    file: str | None
    sha256: str
    pages: int
    producer: str | None
    creator: str | None
    engine: str

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True)
class Document:
    source: Source
    metadata: Metadata
    front_matter: list[Block]
    blocks: list[Block]
    removed: list[Removed]
    repairs: Counter
    warnings: list[str]
    explain: bool = False
    pages: list[dict] = field(default_factory=list)  # per page: quality signals
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)  # page -> (width, height), points
    words: bool = False  # extracted with words=True: lines and word boxes kept (for ALTO)

    def to_dict(self, explain: bool | None = None, search_text: bool = False) -> dict[str, Any]:
        """As JSON; ``search_text`` adds each block's text folded for search
        (:func:`pdfclean.normalize_for_search` in the document's language) and
        says schema version 1.3."""
        explain = self.explain if explain is None else explain
        lang = self.metadata.language if search_text else False
        return {
            "schema_version": SCHEMA_VERSION if search_text else BASE_SCHEMA_VERSION,
            "source": self.source.to_dict(),
            "metadata": self.metadata.to_dict(),
            "front_matter": [b.to_dict(explain, lang) for b in self.front_matter],
            "blocks": [b.to_dict(explain, lang) for b in self.blocks],
            "removed": [r.to_dict() for r in self.removed],
            "repairs": dict(sorted(self.repairs.items())),
            "warnings": list(self.warnings),
            "pages": [dict(p) for p in self.pages],
        }

    def to_json(self, indent: int | None = 2, explain: bool | None = None, search_text: bool = False) -> str:
        from .writers import to_json

        return to_json(self, indent=indent, explain=explain, search_text=search_text)

    def to_text(self) -> str:
        from .writers import to_text

        return to_text(self)

    def to_markdown(self) -> str:
        from .writers import to_markdown

        return to_markdown(self)

    @property
    def text(self) -> str:
        """The article body as plain text, one block per paragraph."""
        return "\n\n".join(b.text for b in self.blocks)
