"""The whole flow, one direction: engine → lines → script repair → furniture
→ blocks → metadata → :class:`~pdfclean.model.Document`."""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import re
import stat
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Union

from . import blocks as blocks_mod
from . import furniture, lang, metadata
from .engines import ENGINES, open_engine
from .errors import InternalError, LimitError, PdfCleanError, PdfError
from .lines import build_lines
from .model import REMOVED_KINDS, Block, Document, Line, Page, RawPage, Removed, Source, ink
from .mupdf import load as _load_pymupdf
from .quality import (IMPLAUSIBLE_BELOW, PLAUSIBLE_ABOVE, PLAUSIBLE_WORDS, function_word_hits, reverse_words,
                      script_plausibility, text_quality)
from .safety import DEFAULT_MAX_INFLATE
from .script import repair_line

DEFAULT_MAX_PAGES = 10_000
DEFAULT_MAX_BYTES = 2 * 1024**3
GARBLED_BELOW = 0.6  # page text-quality score under which a page is garbled
OCR_MODES = ("auto", "always", "never")
DEFAULT_OCR_LANG = "ara+fas+eng"

Input = Union[str, os.PathLike, bytes, bytearray, memoryview]

if TYPE_CHECKING:
    from .ocr import Slots


def parse_pages(spec: str | None, total: int) -> list[int]:
    """Page numbers from «2-5», «1,3,7-», «-4»; 1-based, clipped to the document.

    >>> parse_pages("2-4,7", 10)
    [2, 3, 4, 7]
    >>> parse_pages(None, 3)
    [1, 2, 3]
    """
    if not spec:
        return list(range(1, total + 1))
    out: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                a, b = part.split("-", 1)
                lo = int(a) if a.strip() else 1
                hi = int(b) if b.strip() else None  # open end: up to the last page
            else:
                lo = hi = int(part)
        except ValueError:
            raise ValueError(f"bad page range {spec!r} (use e.g. 2-5 or 1,3,7-)") from None
        if lo < 1 or (hi is not None and hi < lo):
            raise ValueError(f"bad page range {spec!r}")
        out.update(range(lo, min(total if hi is None else hi, total) + 1))
    return sorted(out)


def _read(src: Input, max_bytes: int) -> tuple[bytes, str | None]:
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        name = None
    else:
        p = Path(src)
        name = str(src)
        try:
            st = p.stat()
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):  # reading a FIFO would wait for a writer
                raise PdfError(f"not a regular file ({_file_kind(st.st_mode)}), not a PDF")
            size = st.st_size
            if size > max_bytes:
                raise LimitError(f"file too large ({size} bytes; limit {max_bytes})")
            data = p.read_bytes()
        except IsADirectoryError:
            raise PdfError("is a directory, not a PDF") from None
        except FileNotFoundError:
            raise PdfError("no such file") from None
        except PermissionError:
            raise PdfError("permission denied") from None
        except OSError as e:
            raise PdfError(f"cannot read ({e.strerror or e})") from None
    if not data:
        raise PdfError("empty file (0 bytes)")
    if len(data) > max_bytes:
        raise LimitError(f"input too large ({len(data)} bytes; limit {max_bytes})")
    if b"%PDF" not in data[:1024]:
        raise PdfError(f"not a PDF (no %PDF header; starts with {_sniff(data)})")
    if b"%%EOF" not in data[-2048:]:
        raise PdfError("truncated PDF (no %%EOF at the end; an incomplete download?)")
    return data, name


def _file_kind(mode: int) -> str:
    """«a FIFO», «a socket», «a device» for what ``stat`` says is not a regular file.

    >>> _file_kind(stat.S_IFIFO | 0o644), _file_kind(stat.S_IFCHR)
    ('a FIFO', 'a device')
    """
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _sniff(data: bytes) -> str:
    """A short description of what a non-PDF file looks like."""
    head = data[:512].lstrip()
    for magic, what in ((b"PK\x03\x04", "a ZIP signature"), (b"\x89PNG", "a PNG signature"),
                        (b"\xff\xd8\xff", "a JPEG signature"), (b"<!DOCTYPE html", "HTML"),
                        (b"<html", "HTML"), (b"{\\rtf", "RTF"), (b"\xd0\xcf\x11\xe0", "an MS Office signature")):
        if head[: len(magic)].lower() == magic.lower():
            return what
    return "text" if all(32 <= b < 127 or b in (9, 10, 13) for b in head[:64]) else "binary data"


def _gc_paused(fn):
    """Run ``fn`` with Python's cycle collector paused.

    A page makes thousands of short-lived glyph objects and tuples and no
    reference cycles; the collector, triggered by the allocations alone, would
    rescan them over and over (a fifth of the run time). Reference counting
    still frees everything; the collector runs as usual afterwards.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return wrapper


@_gc_paused
def extract(
    src: Input,
    *,
    engine: str = "pymupdf",
    pages: str | list[int] | None = None,
    password: str | None = None,
    explain: bool = False,
    ocr: str = "auto",
    ocr_lang: str = DEFAULT_OCR_LANG,
    ocr_jobs: int | Slots = 1,
    ocr_progress: Callable[[int], None] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_inflate: int = DEFAULT_MAX_INFLATE,
    words: bool = False,
) -> Document:
    """Extract one PDF (a path or its bytes) into a :class:`Document`.

    ``ocr``: "auto" reads by OCR the pages with no text layer, a garbled one,
    or little text over an image; "always" every page; "never" none.
    ``ocr_jobs``: how many of those pages are read at once (an int, or a
    :class:`pdfclean.ocr.Slots` shared with other work); the result is the
    same whatever it is. ``ocr_progress(page_number)`` is called as each
    page's OCR ends (from the thread that read it).
    ``words``: also give every line its word boxes (:mod:`pdfclean.words`)
    and every block its lines, for outputs that place words on the page
    (ALTO); the JSON is the same either way.

    Limits keep memory and time bounded on hostile input: ``max_bytes`` of
    file, ``max_pages`` pages, ``max_inflate`` bytes of decoded content per
    page (decompression bombs are skipped with a warning).

    Raises :class:`~pdfclean.errors.PdfCleanError` (one-line message) when the
    input cannot be converted: :class:`~pdfclean.errors.PdfError` or
    :class:`~pdfclean.errors.LimitError` when the document is the problem,
    :class:`~pdfclean.errors.InternalError` when pdfclean's own code raised
    (a bug: the page, the exception type and the traceback are kept). An
    exception raised inside MuPDF, pdfminer, pdfplumber, pikepdf or fontTools
    themselves (the innermost frame of its traceback is theirs) counts as the
    document's.
    ``ValueError`` for a bad argument (engine, OCR mode, page-range syntax);
    ``MemoryError`` goes up as it is.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if ocr not in OCR_MODES:
        raise ValueError(f"unknown OCR mode {ocr!r} (choose from {', '.join(OCR_MODES)})")
    if isinstance(pages, str):
        parse_pages(pages, 1)  # the syntax only (ValueError), before anything is read
    reading: list[int | None] = [None]  # the page being read, while pages are read
    try:
        data, name = _read(src, max_bytes)
        eng = open_engine(engine, data, password)
        try:
            total = eng.page_count
            numbers = _page_numbers(pages, total, max_pages)
            warnings, skip = _preflight(eng, data, password, numbers, max_inflate)
            page_objs = _read_pages(eng, [n for n in numbers if n not in skip], reading, words)
            unreadable = [w for w in eng.warnings if "could not be read" in w]
            if unreadable and len(unreadable) == len(numbers):
                raise PdfError(f"no page could be read ({unreadable[0].split(' (', 1)[-1].rstrip(')')})")
            warnings.extend(eng.warnings)
            _ocr_pages(data, password, page_objs, ocr, ocr_lang, warnings, ocr_jobs, ocr_progress, words)
            source = Source(
                file=os.path.basename(name) if name else None,
                sha256=hashlib.sha256(data).hexdigest(),
                pages=total,
                producer=eng.producer,
                creator=eng.creator,
                engine=engine,
            )
        finally:
            eng.close()
        return assemble(page_objs, source, warnings, explain, words)
    except (PdfCleanError, MemoryError):
        raise
    except Exception as e:  # noqa: BLE001 — sorted into the document's and ours
        raise _failure(e, reading[0]) from e


def _page_numbers(pages: str | list[int] | None, total: int, max_pages: int) -> list[int]:
    """The pages to read (1-based, in the document), or the document's error."""
    if total == 0:
        raise PdfError("the PDF has no pages")
    if total > max_pages:
        raise LimitError(f"too many pages ({total}; limit {max_pages})")
    numbers = pages if isinstance(pages, list) else parse_pages(pages, total)
    numbers = [n for n in numbers if 1 <= n <= total]
    if not numbers:
        raise PdfError(f"no page {pages} in this PDF (it has {total})")
    return numbers


def _read_pages(eng, todo: list[int], reading: list[int | None], words: bool = False) -> list[Page]:
    """The pages ``todo`` read by the engine and built into lines (with word
    boxes if ``words``); ``reading[0]`` names the page being read meanwhile
    (for an internal error)."""
    page_objs = []
    reading[0] = todo[0] if todo else None
    for raw in eng.pages(todo):
        reading[0] = raw.number
        page_objs.append(_page(raw, words))
        reading[0] = todo[len(page_objs)] if len(page_objs) < len(todo) else None
    reading[0] = None
    return page_objs


# the libraries that parse the document (a font program inside it too): what they raise is the PDF's
_PDF_LIBRARIES = frozenset({"pymupdf", "fitz", "mupdf", "_mupdf", "pdfminer", "pdfplumber", "pikepdf",
                            "fontTools"})


def _failure(e: Exception, page: int | None) -> PdfCleanError:
    """An exception that escaped the reading, as the document's failure
    (raised inside a PDF library: :class:`PdfError`) or ours
    (:class:`InternalError`, with ``page`` when one was being read)."""
    tb, last = e.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    module = (last.tb_frame.f_globals.get("__name__") or "") if last is not None else ""
    if module.split(".")[0] in _PDF_LIBRARIES:
        detail = " ".join(f"{type(e).__name__}: {e}".split())[:160]
        where = f"page {page} could not be read" if page is not None else "not a readable PDF"
        return PdfError(f"{where} ({detail})")
    return InternalError.wrap(e, page)


def _preflight(eng, data: bytes, password: str | None, numbers: list[int],
               max_inflate: int) -> tuple[list[str], set[int]]:
    """Before reading: warnings for active content (never run) and the pages
    to skip because their content would inflate beyond ``max_inflate``."""
    from .safety import active_content, oversized_pages

    def check(doc) -> tuple[list[str], set[int]]:
        bombs = oversized_pages(doc, numbers, max_inflate)
        return active_content(doc) + list(bombs.values()), set(bombs)

    doc = getattr(eng, "doc", None)
    if doc is not None:
        return check(doc)
    pymupdf = _load_pymupdf()

    try:
        with pymupdf.open(stream=data, filetype="pdf") as d:
            if d.needs_pass:
                d.authenticate(password or "")
            return check(d)
    except Exception:
        return [], set()


_TEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}")


def needs_ocr(page: Page, mode: str, outlines: bool = False) -> str | None:
    """Why this page should be read by OCR, or None. ``outlines``: the page
    draws its text as filled paths (:func:`pdfclean.ocr.outlined_text`).

    >>> needs_ocr(Page(1, 595, 842, [], image_coverage=0.9), "auto")
    'no text layer'
    >>> needs_ocr(Page(1, 595, 842, [], image_coverage=0.0), "auto") is None  # blank page
    True
    >>> needs_ocr(Page(1, 595, 842, [], image_coverage=0.0), "auto", outlines=True)
    'text drawn as outlines'
    """
    if mode == "never":
        return None
    if mode == "always":
        return "forced"
    chars = sum(len(l.text) for l in page.lines)
    if not page.lines:
        if page.image_coverage > 0.05:
            return "no text layer"
        return "text drawn as outlines" if outlines else None
    text = " ".join(l.text for l in page.lines)
    words, plausible = script_plausibility(text)
    if words >= PLAUSIBLE_WORDS and plausible < IMPLAUSIBLE_BELOW:  # (its quality is low too)
        return "text layer of no language (Arabic letters, no Arabic or Persian words)"
    if page.quality < GARBLED_BELOW:
        if words >= PLAUSIBLE_WORDS / 2 and plausible >= PLAUSIBLE_ABOVE:
            return None  # real Arabic beside what only looks like noise (code, formulas)
        if len(_TEX_COMMAND.findall(text)) >= 3:
            return None  # TeX source typed on the page (``\\frac{f(x)}{2}``), not glyph codes
        return "garbled text layer"
    if chars < 100 and page.image_coverage > 0.5:
        return "little text over an image"
    return None


def _ocr_pages(data: bytes, password: str | None, pages: list[Page], mode: str, lang: str,
               warnings: list[str], jobs: int | Slots = 1,
               progress: Callable[[int], None] | None = None, words: bool = False) -> None:
    """Replace the pages that need it by their OCR reading (in place), up to
    ``jobs`` pages read at once; results and warnings in page order."""
    outlines: set[int] = set()
    bare = [p.number for p in pages if not p.lines and p.image_coverage <= 0.05]
    if mode == "auto" and bare:  # no text, no image: outlines of text, or a blank page?
        from .ocr import outlined_pages

        outlines = outlined_pages(data, password, bare)
    todo = [(i, r) for i, p in enumerate(pages) if (r := needs_ocr(p, mode, p.number in outlines))]
    if not todo:
        return
    numbers = _ranges([pages[i].number for i, _ in todo])
    try:
        from . import ocr as ocr_mod

        doc = ocr_mod.open_document(data, password, lang)  # checks Tesseract and the languages once
    except (ImportError, PdfCleanError) as e:
        warnings.append(f"page(s) {numbers} need OCR, but OCR is unavailable ({e})")
        return
    try:
        results = ocr_mod.read_pages(doc, [pages[i].number for i, _ in todo], lang, jobs=jobs,
                                     on_page=None if progress is None else lambda n, _res: progress(n))
    finally:
        with ocr_mod.MUPDF_LOCK:
            doc.close()
    done: list[int] = []
    failed: list[tuple[int, PdfCleanError]] = []
    for i, reason in todo:
        p = pages[i]
        res = results[p.number]
        if isinstance(res, PdfCleanError):
            warnings.append(f"page {p.number} needs OCR ({reason}), but OCR failed ({res})")
            failed.append((p.number, res))
            continue
        # the page as OCR read it: turned by /Rotate, in points
        width, height = getattr(res, "width", None) or p.width, getattr(res, "height", None) or p.height
        new = _page(RawPage(p.number, width, height, res.glyphs, p.image_coverage), words)
        new.ocr, new.ocr_confidence = True, res.confidence
        new.account["text_layer_replaced"] = p.account["read"]
        pages[i] = new
        done.append(p.number)
    if done:
        confs = [p.ocr_confidence for p in pages if p.ocr and p.ocr_confidence is not None]
        mean = f", mean confidence {sum(confs) / len(confs):.0f}" if confs else ""
        warnings.append(f"page(s) {_ranges(done)} read by OCR{mean}")
    if failed and not any(p.lines for p in pages):
        # nothing to show for the document: it fails rather than coming out empty
        first, err = failed[0]
        raise PdfError(f"OCR failed on page(s) {_ranges([n for n, _ in failed])} and no page has a "
                       f"text layer (page {first}: {err})")


def _page(raw: RawPage, words: bool = False) -> Page:
    account = Counter(raw.account)
    if "read" not in account:  # OCR glyphs: what the reader gave is what was read
        account["read"] = ink("".join([g.text for g in raw.glyphs]))
    lines, visual = [], []
    for vl in build_lines(raw.glyphs):
        line = repair_line(vl, raw.number)
        if line.delta:
            account.update(line.delta)  # a line a repair emptied still counts what it removed
        if line.text:
            lines.append(line)
            visual.append(vl)
    _set_right_to_left(lines, visual, raw.number)
    _check_direction(lines)
    if words:
        from .words import line_words

        for line, vl in zip(lines, visual):
            line.words = line_words(line, vl.glyphs)
    quality = text_quality(" ".join(l.text for l in lines)) if lines else 0.0
    return Page(raw.number, raw.width, raw.height, lines, raw.image_coverage, quality,
                repairs=Counter(raw.repairs), account=account)


_NEUTRAL_END = re.compile(r"^[^\w\s]|[^\w\s]$")


def _set_right_to_left(lines: list[Line], visual: list, number: int) -> None:
    """A line with no right-to-left letter in a right-to-left page — «(Generative
    AI).» ending an Arabic paragraph — was set right to left too when it hangs
    from the right edge of the text and has brackets or punctuation at an end
    (which only the paragraph's direction puts in place): read it so."""
    rtl = [l for l in lines if l.rtl]
    if len(rtl) * 2 <= len(lines):
        return
    right = max(l.x1 for l in rtl)
    left = min(l.x0 for l in rtl)
    for i, l in enumerate(lines):
        if not l.rtl and _NEUTRAL_END.search(l.text) and right - l.x1 < l.size \
                and l.x0 - left > 2 * l.size:
            lines[i] = repair_line(visual[i], number, rtl=True)


def _page_info(p: Page, account: dict) -> dict:
    texts = [l.text for l in p.lines]
    fwd, rev = function_word_hits(" ".join(texts))  # (a space ends a word: the lines' hits summed)
    chars = sum(map(len, texts))
    return {"page": p.number, "lines": len(p.lines), "chars": chars, "quality": round(p.quality, 3),
            "reversed_word_rate": round(rev / (fwd + rev), 3) if fwd + rev else None,
            "image_coverage": round(p.image_coverage, 3), "ocr": p.ocr,
            "ocr_confidence": None if p.ocr_confidence is None else round(p.ocr_confidence, 1),
            "account": account}


def _check_direction(lines: list) -> None:
    """Geometry gave the order; function words check it. A page whose words
    read backwards (glyphs laid left to right in logical order inside each word
    box, as OCR text layers do) gets its words turned round."""
    fwd, rev = function_word_hits(" ".join([l.text for l in lines]))  # (a space ends a word: summed)
    if rev >= 3 and rev > 2 * fwd:
        for l in lines:
            if l.rtl:
                l.text = reverse_words(l.text)
                l.repairs["reversed_words"] += 1


def assemble(pages: list[Page], source: Source, warnings: list[str], explain: bool = False,
             words: bool = False) -> Document:
    """Furniture, head, blocks and metadata from repaired pages (``words``: the
    lines carry word boxes; keep, for each removed line, the line it came from)."""
    repairs: Counter = Counter()
    for p in pages:
        repairs.update(p.repairs)
        for l in p.lines:
            if l.repairs:  # (an empty update changes nothing)
                repairs.update(l.repairs)

    page_stats = {p.number: (p, Counter(p.account)) for p in pages}
    empty = [p.number for p in pages if not p.lines]
    if empty and len(empty) == len(pages):
        warnings.append(f"no text on any page: page(s) {_ranges(empty)} (a scan with OCR off or "
                        "unavailable?)")
    elif empty:
        warnings.append(f"no text on page(s) {_ranges(empty)}")
    garbled = [p.number for p in pages if p.lines and p.quality < GARBLED_BELOW and not p.ocr]
    if garbled:
        warnings.append(f"text layer looks garbled (broken font encoding?) on page(s) "
                        f"{_ranges(garbled)}")

    doc_lang = _language(pages)

    cover_lines = []
    skip: set[int] = set()
    if pages and pages[0].number == 1 and metadata.is_cover(pages[0], source.pages):
        cover_lines = blocks_mod.reading_order(pages[0].lines)
        skip.add(1)
    publisher = metadata.publisher_of([l.text for l in cover_lines]) if cover_lines else None

    body_pages = [p for p in pages if p.number not in skip]
    cover_set = frozenset(" ".join(l.text.split()) for l in cover_lines)
    before = [l for p in body_pages for l in p.lines] if words else []
    body_pages, removed = furniture.strip_furniture(body_pages, doc_lang, publisher, cover=cover_set)
    layout = blocks_mod.measure(body_pages)
    head = _take_head(body_pages, layout, removed)
    if words:
        _removed_lines(removed, before)
    blocks = blocks_mod.build_blocks(body_pages, layout)

    meta = metadata.read_metadata(cover_lines, blocks, layout.size, head)
    if meta.publisher is None:
        meta.publisher = publisher or metadata.publisher_of([r.text for r in removed])
    meta.language = doc_lang if doc_lang != "und" else None
    blocks, head_blocks = metadata.split_head(blocks, meta)

    front: list[Block] = []
    if cover_lines:
        cover_page = Page(1, pages[0].width, pages[0].height, cover_lines)
        front, cover_head = metadata.split_head(blocks_mod.build_blocks([cover_page]), meta,
                                                window=len(cover_lines))
        head_blocks += cover_head
    removed += [Removed("article_head", b.pages[0], b.text, _bbox(b), b.lines) for b in head_blocks]
    _account(page_stats, blocks, front, removed, warnings)
    page_info = [_page_info(p, acc) for p, acc in page_stats.values()]
    return Document(source, meta, front, blocks, removed, repairs, warnings, explain, page_info,
                    {p.number: (p.width, p.height) for p in pages}, words)


def _take_head(body_pages: list[Page], layout, removed: list[Removed]) -> dict[str, list[Line]]:
    """The article head, as lines, taken out of the first page with text and
    recorded in ``removed`` (kind ``article_head``)."""
    page = next((p for p in body_pages if p.lines), None)
    if page is None:
        return {}
    order = blocks_mod.reading_order(page.lines)
    head = metadata.take_head(order, layout.size, layout.left.get(page.number),
                              layout.right.get(page.number))
    taken = [l for role in ("title", "author", "source") for l in head[role]]
    if taken:
        ids = {id(l) for l in taken}
        page.lines = [l for l in page.lines if id(l) not in ids]
        removed.extend(Removed("article_head", l.page, l.text, (l.x0, l.y0, l.x1, l.y1))
                       for l in order if id(l) in ids)
    return head


def _removed_lines(removed: list[Removed], lines: list[Line]) -> None:
    """Give each removed line (furniture, the head taken as lines) the line it
    was: the one on its page with its box."""
    by_box: dict[tuple, Line] = {}
    for l in lines:
        by_box.setdefault((l.page, l.x0, l.y0, l.x1, l.y1), l)
    for r in removed:
        if r.lines is None and r.bbox is not None and (l := by_box.get((r.page, *r.bbox))) is not None:
            r.lines = [l]


def _bbox(b: Block) -> tuple[float, float, float, float] | None:
    boxes = [box for page, *box in b.boxes if page == b.pages[0]]
    if not boxes:
        return None
    return (min(x[0] for x in boxes), min(x[1] for x in boxes),
            max(x[2] for x in boxes), max(x[3] for x in boxes))


FURNITURE_KINDS = frozenset(k for k in REMOVED_KINDS if k != "article_head")


def _account(page_stats: dict[int, tuple[Page, Counter]], blocks: list[Block], front: list[Block],
             removed: list[Removed], warnings: list[str]) -> None:
    """Each page's account of characters: read, changed by each repair, and
    where the rest went. A page that does not balance is a pdfclean bug, and
    the warnings say so (nothing is lost silently)."""
    dest: dict[int, Counter] = {n: Counter() for n in page_stats}
    for where, bs in (("blocks", blocks), ("front_matter", front)):
        for b in bs:
            for page, n in b.chars.items():
                dest[page][where] += n
            for (page, kind), n in b.delta.items():
                page_stats[page][1][kind] += n
    for r in removed:
        dest[r.page]["furniture" if r.kind in FURNITURE_KINDS else "article_head"] += ink(r.text)
    for number, (page, acc) in page_stats.items():
        read = acc.pop("read", 0)
        replaced = acc.pop("text_layer_replaced", None)
        changes = {k: v for k, v in sorted(acc.items()) if v}
        d = dest[number]
        out = {"read": read, "repairs": changes, "blocks": d["blocks"], "front_matter": d["front_matter"],
               "article_head": d["article_head"], "furniture": d["furniture"]}
        if replaced is not None:
            out["text_layer_replaced"] = replaced
        lost = read + sum(changes.values()) - sum(d.values())
        if lost:
            warnings.append(f"page {number}: {lost} characters unaccounted for (a pdfclean bug: "
                            "please report it)")
        page_stats[number] = (page, out)


def _language(pages: list[Page], sample: int = 4000) -> str | None:
    """The body's language, from a sample of text after the first page."""
    texts: list[str] = []
    n = 0
    for p in pages[1:] + pages[:1]:
        for l in p.lines:
            texts.append(l.text)
            n += len(l.text)
            if n >= sample:
                break
        if n >= sample:
            break
    return lang.language_of(" ".join(texts)) if texts else None


def _ranges(nums: list[int]) -> str:
    out = []
    start = prev = nums[0]
    for n in nums[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


__all__ = ["extract", "assemble", "parse_pages", "PdfCleanError"]
