"""Page furniture: running titles, headers, footers, page numbers, branding.

Furniture lives in the outer bands of a page. A line there is furniture when

* it repeats on other pages once digits are masked (a running title whose
  page number changes is the same furniture; odd/even headers repeat on every
  other page, so any second occurrence counts);
* or it is a page number («3», «٣», «صفحة ٣», «3 / 12», «- 3 -», an abjad
  letter);
* or it is branding (a URL, an e-mail, the publisher's name);
* or it is in another language than the document (a Persian or English
  running title of the original article), even on one page only;
* or the PDF says so: every glyph of the line is a tagged-PDF pagination
  artifact (``/Artifact`` with ``/Type /Pagination`` or ``/Subtype /Header``,
  ``/Footer``, ``/PageNum``: :mod:`pdfclean.marked`), wherever it stands and
  however often it repeats; it is named as the rules below would name it.

Only the outermost rows of a page are candidates — never a line with body
text between it and the page edge — so body text in a tight top margin is
safe. Every removal is recorded as a :class:`~pdfclean.model.Removed`.
"""

from __future__ import annotations

import re
from collections import defaultdict

from . import lang
from .model import Line, Page, Removed

TOP_BAND = 0.14  # share of page height searched for headers
BOTTOM_BAND = 0.14  # … and for footers
MAX_ROWS = 2  # outer rows per band that may be furniture

_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+")
_URL = re.compile(r"(https?://|www\.)\S+|\b[\w.-]+\.(org|com|net|iq|ir|info|edu)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PAGE_WORD = r"(?:صفحة|صفحه|الصفحة|ص\.?|page|p\.?)"
_PAGE_NUMBER = re.compile(
    rf"^[\s\-–—|•.()\[\]]*(?:{_PAGE_WORD}\s*)?#(?:\s*(?:/|من|از|of|-)\s*#)?[\s\-–—|•.()\[\]]*$",
    re.I,
)
_ABJAD = re.compile(r"^[\s\-–—(]*[أابجدهوزحطيكلمنسعفصقرشتثخذضظغ][\s\-–—)]*$")
_EDGE_NUMBER = re.compile(
    r"^(?P<num>[\-–—(]*\s*[0-9\u0660-\u0669\u06f0-\u06f9]+\s*[\-–—)]*)\s+(?P<rest>.+)$"
    r"|^(?P<rest2>.+?)\s+(?P<num2>[\-–—(]*\s*[0-9\u0660-\u0669\u06f0-\u06f9]+\s*[\-–—)]*)$"
)


def mask(text: str) -> str:
    """Key for comparing furniture across pages: digits masked, spaces collapsed.

    >>> mask("واقعیتهای نادیده ۱۲") == mask("واقعیتهای نادیده 3")
    True
    """
    return " ".join(_DIGIT.sub("#", text).split()).casefold()


def is_page_number(text: str) -> bool:
    """«3», «٣», «- 3 -», «صفحة ٣», «3 / 12», «Page 7», an abjad letter.

    >>> [is_page_number(t) for t in ("12", "صفحة ٣", "3 / 12", "- ٤ -", "ب", "2024 عام")]
    [True, True, True, True, True, False]
    """
    return bool(_PAGE_NUMBER.match(mask(text))) or bool(_ABJAD.match(text))


_ORG_EN = re.compile(r"\b(?:CENT(?:ER|RE)|INSTITUTE|FOUNDATION|ASSOCIATION|COUNCIL|FORUM|"
                     r"THINK TANK|UNIVERSITY|PRESS|PUBLISH\w*)\b", re.I)


OCR_SIMILAR = 80  # rapidfuzz ratio above which two OCR readings are the same furniture line


def _similar(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return a == b or fuzz.ratio(a, b) >= OCR_SIMILAR


def is_branding(text: str, publisher: str | None = None, cover: frozenset[str] = frozenset(),
                fuzzy: bool = False) -> bool:
    """A URL, an e-mail address, the publisher's name (in any language), or a
    line repeated from the publisher's cover page.

    >>> is_branding("مركز المنبر | www.almanbar.org")
    True
    >>> is_branding("ALMANBAR CENTER FOR STUDIES")
    True
    """
    if _URL.search(text) or _EMAIL.search(text) or _ORG_EN.search(text):
        return True
    t = _norm(text)
    if (bool(publisher) and _norm(publisher) in t) or t in cover:
        return True
    if fuzzy and publisher:  # an OCR line: «مرك المنبر للدراسات …»
        from rapidfuzz import fuzz

        p = _norm(publisher)
        return len(t) >= 0.6 * len(p) and fuzz.partial_ratio(p, t) >= OCR_SIMILAR
    return False


def _norm(s: str) -> str:
    return " ".join(s.split())


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows (segments of one visual line), top to bottom."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda l: (l.y0 + l.y1) / 2):
        mid = (ln.y0 + ln.y1) / 2
        if rows:
            r = rows[-1][0]
            if abs(mid - (r.y0 + r.y1) / 2) < 0.5 * max(r.size, ln.size):
                rows[-1].append(ln)
                continue
        rows.append([ln])
    return rows


def _candidates(page: Page) -> list[tuple[Line, str]]:
    """Outer lines of a page with their band, "top" or "bottom".

    A band is the first (last) rows of the page up to a clear gap: a row
    separated from the body by no more than the body's own line spacing is
    body text, however far out it sits (a tight top margin, text repeated
    from page to page).
    """
    rows = _rows(page.lines)
    out: list[tuple[Line, str]] = []
    if len(rows) < 2:
        return out
    tops = [min(l.y0 for l in r) for r in rows]
    bottoms = [max(l.y1 for l in r) for r in rows]
    gaps = [tops[i + 1] - bottoms[i] for i in range(len(rows) - 1)]
    usual = sorted(gaps)[len(gaps) // 4]  # line spacing (a short page has few lines)
    size = sorted(l.size for l in page.lines)[len(page.lines) // 2]

    def clear(gap: float) -> bool:
        return gap > max(1.6 * usual, usual + 0.5 * size)

    top_limit = page.height * TOP_BAND
    for k in range(min(MAX_ROWS, len(gaps))):
        if bottoms[k] > top_limit:
            break
        if clear(gaps[k]):
            out.extend((l, "top") for r in rows[: k + 1] for l in r)
            break
    bottom_limit = page.height * (1 - BOTTOM_BAND)
    n = len(rows)
    for k in range(min(MAX_ROWS, len(gaps))):
        i = n - 1 - k  # row index from the bottom
        if tops[i] < bottom_limit:
            break
        if clear(gaps[i - 1]):
            out.extend((l, "bottom") for r in rows[i:] for l in r)
            break
    return out


def split_edge_number(text: str) -> tuple[str, str] | None:
    """Split «<running title> 12» (or «12 <title>») into title and number.

    >>> split_edge_number("واقعیتهای نادیده گرفته شده 3")
    ('واقعیتهای نادیده گرفته شده', '3')
    """
    m = _EDGE_NUMBER.match(text.strip())
    if not m:
        return None
    if m.group("num"):
        return m.group("rest"), m.group("num").strip()
    return m.group("rest2"), m.group("num2").strip()


def strip_furniture(pages: list[Page], doc_lang: str | None = None,
                    publisher: str | None = None,
                    skip: set[int] = frozenset(),
                    cover: frozenset[str] = frozenset()) -> tuple[list[Page], list[Removed]]:
    """Remove furniture lines from ``pages`` (in place) and return the record.

    ``skip`` holds page numbers not to touch (a cover page, handled as front
    matter). ``doc_lang`` is the body's language: a band line in another
    language is a running title even if it appears once. ``cover`` holds the
    cover's lines: repeated in a margin, they are branding.
    """
    cands = {p.number: _candidates(p) for p in pages if p.number not in skip}
    # how many pages carry each masked key in each band
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    ocr_keys: list[tuple[str, str, int]] = []  # OCR lines: (band, key, page)
    for n, cs in cands.items():
        for ln, band in cs:
            seen[(band, _key(ln.text))].add(n)
            if ln.confidence is not None:
                ocr_keys.append((band, _key(ln.text), n))

    def repeats(ln: Line, band: str) -> int:
        """Pages carrying this line; OCR reads one running title a little
        differently on every page, so OCR lines match fuzzily."""
        key = _key(ln.text)
        pages_ = set(seen[(band, key)])
        if ln.confidence is not None:
            pages_ |= {n for b, k, n in ocr_keys if b == band and _similar(k, key)}
        return len(pages_)

    removed: list[Removed] = []
    for page in pages:
        if page.number not in cands:
            continue
        drop: set[int] = set()
        for ln in page.lines:
            if ln.artifact is not None:
                drop.add(id(ln))
                removed.extend(Removed(k, page.number, t, (ln.x0, ln.y0, ln.x1, ln.y1))
                               for k, t in artifact_kinds(ln, page.height, doc_lang, publisher, cover))
        for ln, band in cands[page.number]:
            if id(ln) in drop:
                continue
            kinds = classify(ln.text, band, repeats(ln, band), doc_lang, publisher, cover,
                             fuzzy=ln.confidence is not None)
            if kinds:
                drop.add(id(ln))
                removed.extend(Removed(k, page.number, t, (ln.x0, ln.y0, ln.x1, ln.y1)) for k, t in kinds)
        if drop:
            page.lines = [l for l in page.lines if id(l) not in drop]
    return pages, removed


def artifact_kinds(ln: Line, height: float, doc_lang: str | None, publisher: str | None,
                   cover: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """What a pagination-artifact line is, as ``[(kind, text), …]``: a page
    number artifact is a page number; a header or footer is named as
    :func:`classify` names a repeated line of its band (running title, header,
    branding, footer, with its page number split off); an artifact without a
    subtype takes the band of the half page it is in."""
    text = ln.text.strip()
    if not text:
        return []
    if ln.artifact == "page_number":
        return [("page_number", text)]
    band = {"header": "top", "footer": "bottom"}.get(ln.artifact) or (
        "top" if ln.y0 + ln.y1 < height else "bottom")
    return classify(text, band, 2, doc_lang, publisher, cover) or [
        ("header" if band == "top" else "footer", text)]


def _key(text: str) -> str:
    parts = split_edge_number(text)
    return mask(parts[0] if parts else text)


def classify(text: str, band: str, repeats: int, doc_lang: str | None,
             publisher: str | None, cover: frozenset[str] = frozenset(),
             fuzzy: bool = False) -> list[tuple[str, str]]:
    """What a band line is, as ``[(kind, text), …]``; empty when it is body text."""
    text = text.strip()
    if not text:
        return []
    if is_page_number(text):
        return [("page_number", text)]
    if is_branding(text, publisher, cover if repeats >= 2 else frozenset(), fuzzy):
        return [("branding", text)]
    parts = split_edge_number(text)
    core, num = parts if parts else (text, None)
    foreign = _foreign(core, doc_lang, fuzzy)
    if repeats >= 2 or foreign:
        kind = "running_title" if (band == "top" or foreign) else "footer"
        if band == "top" and not foreign and len(core.split()) <= 1:
            kind = "header"
        out = [(kind, core)]
        if num:
            out.append(("page_number", num))
        return out
    return []


def _foreign(text: str, doc_lang: str | None, ocr: bool = False) -> bool:
    """Is a band line in another language than the body (3+ words)? (``ocr``:
    an OCR reading, see :func:`pdfclean.lang.language_of`.)"""
    if not doc_lang or len(text.split()) < 3:
        return False
    lg = lang.language_of(text, ocr)
    return lg not in ("und", doc_lang)
