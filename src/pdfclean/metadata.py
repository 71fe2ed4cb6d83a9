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

_AUTHOR_LABEL = r"(?:الكاتب|الكاتبة|الكُتّاب|بقلم|إعداد|اعداد|تأليف|المؤلف|الباحث|الباحثة|نویسنده|Author|By)"
_SOURCE_LABEL = r"(?:المصدر|المصادر|منبع|Source)"
_AUTHOR = re.compile(r"^\s*" + _AUTHOR_LABEL + r"\s*[:：\-–]\s*(?P<v>.+)$", re.I)
_SOURCE = re.compile(r"^\s*" + _SOURCE_LABEL + r"\s*[:：\-–]\s*(?P<v>.+)$", re.I)
# where a second labelled field starts inside one text (a colon after the label)
_NEXT_LABEL = re.compile(r"\s+(?=(?:" + _AUTHOR_LABEL + "|" + _SOURCE_LABEL + r")\s*[:：])", re.I)
# the publication note after the source; OCR often garbles «نُشر» (the damma
# makes «ئشر», «شر», «تسر»; the comma before it «.») and a producer may double
# its mark («نُنُشر»), so «، <a short word> بتاريخ» (or «. …») starts it too
_PUBLISHED_CUT = re.compile(
    r"\s*(?:(?:[،,]\s*|\.\s+)\S{1,8}\s+(?=بتاريخ)|[،,.\-–]?\s*(?=(?:نُشر|نشر|نُشِر|منتشر شده|بتاريخ|تاريخ النشر|published)\b))"
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


def split_fields(text: str) -> list[str]:
    """A head field's text holding further labelled fields, one text per
    field: OCR (or a producer) may set the author and source lines as one
    paragraph. A text that does not start with a label is left whole (a body
    sentence quoting «المصدر: …»).

    >>> split_fields("الكاتب: فرشته صادقي المصدر: صحيفة الاقتصاد اليوم")
    ['الكاتب: فرشته صادقي', 'المصدر: صحيفة الاقتصاد اليوم']
    >>> split_fields("وقال الكاتب: إن المصدر: مجهول")
    ['وقال الكاتب: إن المصدر: مجهول']
    """
    return _NEXT_LABEL.split(text) if _head_role(text) else [text]


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


HEAD_WINDOW = 8  # lines at the top of the first article page searched for the head


def take_head(lines: list[Line], size: float, left: float | None = None,
              right: float | None = None) -> dict[str, list[Line]]:
    """The article's head — title, author and source lines — at the top of
    the first article page (``lines`` in reading order), as lines.

    The head is there when one of the first :data:`HEAD_WINDOW` lines is an
    author («الكاتب: …») or source («المصدر: …») line and every line above it
    stands out from the body (larger or bold): those are the title. Author
    and source lines follow one another; one that runs to the far edge of the
    text (``left`` for right-to-left lines, ``right`` otherwise) wraps, and
    its last line — the next one, ending short — belongs to it. The first
    line that is none of these is body, whatever its spacing. Returns
    ``{"title": [...], "author": [...], "source": [...]}`` (empty lists when
    there is no head); the caller takes the lines out of the body.
    """
    head: dict[str, list[Line]] = {"title": [], "author": [], "source": []}
    top = lines[:HEAD_WINDOW]
    first = next((i for i, l in enumerate(top) if _head_role(l.text)), None)
    if first is None or not all(_stands_out(l, size) for l in top[:first]):
        return head
    head["title"] = list(top[:first])
    i = first
    while i < len(lines) and (role := _head_role(lines[i].text)):
        head[role].append(lines[i])
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        i += 1
        if nxt is not None and not _head_role(nxt.text) and _wraps(head[role][-1], nxt, size, left, right):
            head[role].append(nxt)
            i += 1
    return head


def _head_role(text: str) -> str | None:
    if author_of(text):
        return "author"
    if _SOURCE.match(text):
        return "source"
    return None


def _stands_out(line: Line, size: float) -> bool:
    return line.bold or line.size >= 1.12 * size


def _wraps(line: Line, nxt: Line, size: float, left: float | None, right: float | None) -> bool:
    """Is ``nxt`` the last line of the head line ``line``: ``line`` reaches
    the far edge, ``nxt`` has its size, follows within two line pitches and
    ends short of the far edge?"""
    if left is None or right is None or abs(nxt.size - line.size) > 0.1 * size:
        return False
    if not 0 < nxt.base - line.base < 2.2 * max(line.size, size):
        return False
    if line.rtl:
        return line.x0 - left < 1.0 * size and nxt.x0 - left > 2.0 * size
    return right - line.x1 < 1.0 * size and right - nxt.x1 > 2.0 * size


def head_text(lines: list[Line]) -> str:
    return " ".join(l.text.strip() for l in lines)


def split_head(blocks: list[Block], meta: Metadata, window: int = 6) -> tuple[list[Block], list[Block]]:
    """The body without the article's own title/author/source blocks near its
    start (a head that :func:`take_head` did not find as lines), and those."""
    keep, head = [], []
    for i, b in enumerate(blocks):
        (head if i < window and is_head_line(b.text, meta) else keep).append(b)
    return keep, head


def _same(a: str, b: str) -> bool:
    return clean_value(a) == clean_value(b)


def read_metadata(cover: list[Line], first_blocks: list[Block], body_size: float,
                  head: dict[str, list[Line]] | None = None) -> Metadata:
    """Title, author, source, dates and publisher from the cover, the head
    (:func:`take_head`) and the first blocks."""
    meta = Metadata()
    head = head or {}
    head_texts = [head_text(head[r]) for r in ("author", "source") if head.get(r)]
    head_texts = [t for text in head_texts + [l.text for l in cover] + [b.text for b in first_blocks[:8]]
                  for t in split_fields(text)]
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
    meta.title = clean_value(head_text(head["title"])) if head.get("title") else \
        _title(cover, first_blocks, body_size)
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
