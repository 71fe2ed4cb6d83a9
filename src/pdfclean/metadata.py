"""Metadata and front matter: the cover page and the article's own head.

The centre's PDFs open with a cover (centre name, title, «الكاتب: …»,
«المصدر: …، نُشر بتاريخ …», «عن المركز», disclaimer, copyright, URL, e-mail)
and repeat title, author and source on the first article page. Those lines
are metadata, the cover's other text is front matter, and neither is body.
"""

from __future__ import annotations

import re

from . import dates
from .model import Block, Line, Metadata, Page

_AUTHOR = re.compile(
    r"^\s*(?:الكاتب|الكاتبة|الكُتّاب|بقلم|إعداد|اعداد|تأليف|المؤلف|الباحث|الباحثة|نویسنده|Author|By)\s*[:：\-–]\s*(?P<v>.+)$",
    re.I,
)
_SOURCE = re.compile(r"^\s*(?:المصدر|المصادر|منبع|Source)\s*[:：\-–]\s*(?P<v>.+)$", re.I)
# the publication note after the source; OCR often garbles «نُشر» (the damma
# makes «ئشر», «شر», «تسر»), so «، <a short word> بتاريخ» starts it too
_PUBLISHED_CUT = re.compile(
    r"\s*(?:[،,]\s*\S{1,5}\s+(?=بتاريخ)|[،,.\-–]?\s*(?=(?:نُشر|نشر|نُشِر|منتشر شده|بتاريخ|تاريخ النشر|published)\b))"
    r".*$", re.I)
_COPYRIGHT = re.compile(r"(?:محفوظة|محفوظه)\s+(?:ل|لـ)\s*(?P<v>.+)$")
_ORG = re.compile(r"^(?:مركز|معهد|مؤسسة|منتدى|مرکز|مؤسسه|پژوهشکده|المركز|المعهد)\s")
_BOILERPLATE = re.compile(
    r"عن المركز|حقوق (?:النشر|الطبع)|جميع الحقوق|محفوظة|لا تعبر الآراء|لا تعبّر|الآراء الواردة|"
    r"https?://|www\.|@[\w-]+\.\w+|All rights reserved|©"
)
_TRAIL = " .،,:؛;-–—"


def clean_value(s: str) -> str:
    return s.strip().strip(_TRAIL).strip()


def author_of(text: str) -> str | None:
    """«الكاتب: علي موسوي خلخالي» → «علي موسوي خلخالي».

    >>> author_of("الكاتب: علي موسوي خلخالي")
    'علي موسوي خلخالي'
    """
    m = _AUTHOR.match(text)
    return clean_value(m.group("v")) if m else None


def source_of(text: str) -> str | None:
    """The source, without its publication date.

    >>> source_of("المصدر: موقع الدبلوماسية الإيرانية، نُشر بتاريخ 09 حزيران 2025.")
    'موقع الدبلوماسية الإيرانية'
    """
    m = _SOURCE.match(text)
    if not m:
        return None
    v = m.group("v")
    v = _PUBLISHED_CUT.sub("", v)
    d = dates.find_date(v)
    if d:  # a bare date after the source
        v = v[: d.start]
    return clean_value(v) or None


def publisher_of(texts: list[str]) -> str | None:
    """The publishing organisation, from a copyright line or an «مركز …» line.

    >>> publisher_of(["حقوق النشر محفوظة لمركز المنبر للدراسات"])
    'مركز المنبر للدراسات'
    """
    for t in texts:
        m = _COPYRIGHT.search(t)
        if m:
            v = clean_value(m.group("v"))
            return v[1:] if v.startswith("ل") and _ORG.match(v[1:] + " ") else v
    for t in texts:
        if _ORG.match(t) and len(t.split()) <= 10:
            return clean_value(re.split(r"[،,|]", t)[0])
    return None


def is_cover(page: Page, total_pages: int) -> bool:
    """Is this first page a publisher's cover (boilerplate, no body)?"""
    if total_pages < 2:
        return False
    texts = [l.text for l in page.lines]
    hits = sum(1 for t in texts if _BOILERPLATE.search(t))
    return hits >= 2


def is_head_line(text: str, meta: Metadata) -> bool:
    """Is this the article's title, author or source line (metadata, not body)?"""
    return bool((meta.title and _same(text, meta.title)) or author_of(text) or _SOURCE.match(text))


def split_head(blocks: list[Block], meta: Metadata, window: int = 6) -> list[Block]:
    """Drop the article's own title/author/source lines from the body start."""
    return [b for i, b in enumerate(blocks) if i >= window or not is_head_line(b.text, meta)]


def _same(a: str, b: str) -> bool:
    return clean_value(a) == clean_value(b)


def read_metadata(cover: list[Line], first_blocks: list[Block], body_size: float) -> Metadata:
    """Title, author, source, dates and publisher from the cover and the head."""
    meta = Metadata()
    head_texts = [l.text for l in cover] + [b.text for b in first_blocks[:8]]
    for t in head_texts:
        if meta.author is None:
            meta.author = author_of(t)
        if meta.source is None and _SOURCE.match(t):
            meta.source = source_of(t)
            d = dates.find_date(t)
            if d:
                meta.published, meta.published_text = d.iso, d.text
    if meta.published_text is None:
        for t in head_texts:
            if re.search(r"بتاريخ|تاريخ النشر|نُشر|نشر في", t):
                d = dates.find_date(t)
                if d:
                    meta.published, meta.published_text = d.iso, d.text
                    break
    meta.title = _title(cover, first_blocks, body_size)
    meta.publisher = publisher_of([l.text for l in cover] + [b.text for b in first_blocks[:3]])
    return meta


def _title(cover: list[Line], first_blocks: list[Block], body_size: float) -> str | None:
    # 1. the article's first block, when it is a heading followed by the author line
    for i, b in enumerate(first_blocks[:4]):
        if author_of(b.text) or _SOURCE.match(b.text):
            prev = [x for x in first_blocks[:i] if x.type == "heading"]
            if prev:
                return clean_value(prev[-1].text)
            break
    # 2. on the cover: the largest text that is not branding or boilerplate
    cands = [l for l in cover if not _BOILERPLATE.search(l.text) and not _ORG.match(l.text)
             and not author_of(l.text) and not _SOURCE.match(l.text) and re.search(r"\w{2}", l.text)
             and not re.search(r"[A-Za-z]{3}", l.text)]
    if cands:
        big = max(l.size for l in cands)
        if big >= 1.1 * body_size:
            lines = [l for l in cands if l.size >= big - 0.5]
            return clean_value(" ".join(l.text for l in sorted(lines, key=lambda l: l.y0)))
    if first_blocks and first_blocks[0].type == "heading":
        return clean_value(first_blocks[0].text)
    return None
