"""The review report: one self-contained HTML file per document, for an
archivist to check what pdfclean did before trusting the JSON.

Every page read is shown as an image beside the blocks extracted from it, in
reading order. Over the image: the removed page furniture outlined in a colour
per kind (legend at the top), the body blocks outlined lightly with their
reading-order number, the front matter on the cover. Beside it: each block's
type, text and the repairs that changed its lines (``--explain``), OCR pages
with their confidence. At the top: the document's metadata and warnings.

Nothing is loaded from anywhere: page images are ``data:`` URIs, the CSS is
inline and a Content-Security-Policy forbids every other source. All PDF text
is escaped (it is hostile input) and isolated (``<bdi>``) so bidi controls in
it cannot reorder the page around it.

For ``pdfclean batch --review`` there is an index page (:func:`write_index`):
one row per document with its status, pages, quality signals and a link to
its report, sortable by any column (a few lines of inline script).

API::

    doc = pdfclean.extract("a.pdf", explain=True)
    write_report(doc, "a.pdf", "a.review.html")        # one report
    rec = index_record(doc, "a.pdf", report="a.review.html")
    write_index([rec, ...], "index.html")              # the batch index

``python -m pdfclean.review a.pdf -o a.html [--screenshot shot.png]`` builds a
report (and optionally a screenshot of its first article page, as in the
README, with Playwright and the system Chromium).
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .writers import write_atomic
from .model import Block, Document
from .mupdf import load as _load_pymupdf

DEFAULT_DPI = 90
MAX_IMAGE_SIDE = 1600  # px: a huge page box is rendered smaller, never larger than this
MAX_IMAGE_PAGES = 300  # pages beyond this are shown without their image (the report stays small)
FULL_TEXT_PAGES = 3  # a block over more pages than this has its whole text on its first page only
STUB_CHARS = 200  # …and the start of it on the others

PdfInput = str | os.PathLike | bytes | bytearray | memoryview

# One colour per kind of page furniture (legend, outlines, side list).
KIND_COLOURS = {
    "running_title": "#d62728",
    "header": "#9467bd",
    "footer": "#8c564b",
    "page_number": "#1f77b4",
    "branding": "#e67e00",
    "article_head": "#7f7f7f",
}
KIND_LABELS = {
    "running_title": "running title",
    "header": "header",
    "footer": "footer",
    "page_number": "page number",
    "branding": "branding",
    "article_head": "article head (metadata)",
}
BODY_COLOUR = "#2ca02c"
FRONT_COLOUR = "#17a2b8"

# What each repair does, for the badges' tooltips (unknown names fall back to
# the first line of the fix's docstring in ``script.py``).
REPAIR_NOTES = {
    "reversed_lines": "line drawn in visual order, put back into logical (reading) order",
    "reversed_words": "letters ran backwards inside each word (an OCR text layer); words turned round",
    "presentation_forms": "Arabic presentation-form glyphs mapped back to base letters",
    "yeh_forms": "Persian/Arabic yeh and kaf forms normalised to the document's language",
    "lam_alef": "lam-alef ligature mapped back to its letters in the right order",
    "tatweel": "tatweel (justification stretch) removed",
    "bidi_controls": "bidi control characters removed",
    "control_chars": "control characters removed",
    "space_before_mark": "stray space before a combining mark removed",
    "spaces": "spacing normalised",
    "prefix_before_latin": "Arabic prefix put back before a Latin word",
    "unmapped_glyphs": "glyphs with no Unicode mapping dropped (a mark may be missing)",
    "orphan_marks": "stray marks with no letter near them dropped",
    "mirrored_brackets": "brackets mirrored back",
    "nfc": "Unicode NFC normalisation",
    "kashida": "justification elongation glyphs (kashida) dropped",
    "mangled_code_points": "code points a producer's ToUnicode mangled (Ghostscript: «乑», «昀椀») decoded",
    "overprinted_glyphs": "text drawn twice (fake bold, shadow) kept once",
    "wrong_code_points": "mark glyphs (no advance) a producer mapped to punctuation dropped",
    "cluster_pieces": "extra glyphs of one shaped character, each mapped to its text, read once",
    "list_marker": "list marker taken off the item",
    "dehyphenated": "hyphen of a word broken at a line end removed",
    "not_horizontal": "text drawn turned or vertically not read",
    "outside_crop_box": "text drawn outside the crop box not read",
}

_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LTR_CHARS = re.compile("[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")
# C0/C1 controls (not tab/newline), lone surrogates and noncharacters: dropped before escaping.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RTL_LANGS = {"ar", "fa", "ur", "ps", "ckb", "ku", "he", "yi", "sd", "ug"}


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def esc(value: Any) -> str:
    """Text for HTML (element content or a quoted attribute): controls and lone
    surrogates dropped, then ``html.escape`` with quotes."""
    return html.escape(_BAD_CHARS.sub("", "" if value is None else str(value)), quote=True)


def _text_dir(text: str, default: str = "rtl") -> str:
    if _RTL_CHARS.search(text):
        return "rtl"
    if _LTR_CHARS.search(text):
        return "ltr"
    return default


def _fmt(v: float | None, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.0f} %"


def _repair_note(name: str) -> str:
    note = REPAIR_NOTES.get(name)
    if note:
        return note
    from .script import FIXES

    for n, fn in FIXES:
        if n == name and fn.__doc__:
            return fn.__doc__.strip().splitlines()[0]
    return name


def _badges(repairs: Mapping[str, int]) -> str:
    out = []
    for name, n in sorted(repairs.items(), key=lambda kv: (-kv[1], kv[0])):
        if not n:
            continue
        out.append(f'<span class="repair" dir="ltr" data-repair="{esc(name)}" '
                   f'title="{esc(_repair_note(name))}">{esc(name)} ×{int(n)}</span>')
    return "".join(out)


def _conf_class(conf: float | None) -> str:
    if conf is None:
        return "conf-unknown"
    return "conf-low" if conf < 60 else "conf-mid" if conf < 80 else "conf-high"




# ---------------------------------------------------------------------------
# page images
# ---------------------------------------------------------------------------

@dataclass
class PageView:
    """How a page is drawn: its size in points (as displayed, rotation applied),
    the matrix taking extraction coordinates (unrotated page, points, y down)
    to displayed ones, and the image as a data URI (None: not rendered)."""

    number: int
    width: float = 595.0
    height: float = 842.0
    matrix: tuple[float, float, float, float, float, float] = (1, 0, 0, 1, 0, 0)
    src: str | None = None
    px: tuple[int, int] = (0, 0)
    note: str | None = None  # why there is no image

    def percent_box(self, bbox, displayed: bool = False) -> tuple[float, float, float, float] | None:
        """(left, top, width, height) in percent of the displayed page, clipped.
        ``displayed``: the box is in displayed coordinates already (OCR reads
        the page as displayed, its /Rotate applied)."""
        try:
            x0, y0, x1, y1 = (float(v) for v in bbox)
        except (TypeError, ValueError):
            return None
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            return None
        a, b, c, d, e, f = (1, 0, 0, 1, 0, 0) if displayed else self.matrix
        pts = [(a * x + c * y + e, b * x + d * y + f) for x, y in ((x0, y0), (x1, y1))]
        xs, ys = sorted(p[0] for p in pts), sorted(p[1] for p in pts)
        W, H = self.width or 1.0, self.height or 1.0
        left, right = max(0.0, xs[0] / W * 100), min(100.0, xs[1] / W * 100)
        top, bottom = max(0.0, ys[0] / H * 100), min(100.0, ys[1] / H * 100)
        if right <= left or bottom <= top:
            return None
        return left, top, max(right - left, 0.3), max(bottom - top, 0.3)


def render_pages(pdf: PdfInput | None, numbers: Iterable[int], *, password: str | None = None,
                 dpi: float = DEFAULT_DPI, color: bool = False,
                 max_images: int = MAX_IMAGE_PAGES) -> dict[int, PageView]:
    """A :class:`PageView` per page number: size, rotation and the page image
    (grayscale by default, so the coloured outlines stand out; PNG or JPEG,
    whichever is smaller). A page that cannot be rendered gets no image and a
    note; the report is still written."""
    numbers = list(numbers)
    views = {n: PageView(n) for n in numbers}
    if pdf is None:
        for v in views.values():
            v.note = "no PDF given"
        return views
    try:
        pymupdf = _load_pymupdf()

        if isinstance(pdf, (bytes, bytearray, memoryview)):
            doc = pymupdf.open(stream=bytes(pdf), filetype="pdf")
        else:
            doc = pymupdf.open(os.fspath(pdf), filetype="pdf")
    except Exception as e:  # noqa: BLE001 - the report is still useful without images
        for v in views.values():
            v.note = f"the PDF could not be opened for rendering ({type(e).__name__})"
        return views
    try:
        if doc.needs_pass and not doc.authenticate(password or ""):
            for v in views.values():
                v.note = "encrypted PDF: no password to render it"
            return views
        for i, n in enumerate(numbers):
            v = views[n]
            if not 1 <= n <= doc.page_count:
                v.note = "no such page"
                continue
            try:
                page = doc[n - 1]
                rect = page.rect
                v.width, v.height = float(rect.width) or 1.0, float(rect.height) or 1.0
                m = page.rotation_matrix
                v.matrix = (m.a, m.b, m.c, m.d, m.e, m.f)
                if i >= max_images:
                    v.note = f"image not embedded (more than {max_images} pages)"
                    continue
                zoom = min(dpi / 72.0, MAX_IMAGE_SIDE / max(v.width, v.height, 1.0))
                cs = pymupdf.csRGB if color else pymupdf.csGRAY
                pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=cs, alpha=False)
                png = pix.tobytes("png")
                jpg = pix.tobytes("jpeg", jpg_quality=70)
                data, mime = (png, "image/png") if len(png) <= len(jpg) else (jpg, "image/jpeg")
                v.src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
                v.px = (pix.width, pix.height)
            except Exception as e:  # noqa: BLE001
                v.note = f"page could not be rendered ({type(e).__name__})"
    finally:
        doc.close()
    return views


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------

_FONT_AR = '"Amiri", "Noto Naskh Arabic", "Noto Sans Arabic", "Tahoma", serif'
_FONT_UI = 'system-ui, "Noto Sans", "DejaVu Sans", "Noto Sans Arabic", sans-serif'
_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'")

_REPORT_CSS = """
:root { --ar: %(ar)s; --ui: %(ui)s; }
* { box-sizing: border-box; }
body { margin: 0; font-family: var(--ui); font-size: 14px; color: #1d1d1f; background: #f3f3f1; }
[lang="ar"], [lang="fa"], .ar { font-family: var(--ar); }
header.report { background: #fff; border-bottom: 1px solid #ccc; padding: 16px 24px; }
header.report h1 { margin: 0 0 4px; font-family: var(--ar); font-size: 26px; }
.sub { color: #555; margin: 0 0 12px; }
.cols { display: flex; flex-wrap: wrap; gap: 12px 32px; align-items: flex-start; }
.cols > section { min-width: 260px; flex: 1 1 300px; }
h2 { font-size: 15px; margin: 8px 0 6px; }
table.meta { border-collapse: collapse; }
table.meta th { text-align: start; font-weight: 600; color: #555; padding: 2px 0 2px 12px; white-space: nowrap; }
table.meta td { padding: 2px 0; font-family: var(--ar); }
table.meta td.mono, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.warnings ul { margin: 0; padding-inline-start: 18px; }
.warnings li { color: #8a1c1c; margin: 2px 0; }
.ok { color: #2b6e2b; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 0; padding: 0; list-style: none; }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 12px; border: 2px solid; border-radius: 2px; }
nav.toc { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 4px; }
nav.toc a { padding: 1px 7px; border: 1px solid #bbb; border-radius: 10px; color: #333; text-decoration: none; font-size: 12px; background: #fafafa; }
nav.toc a.ocr { border-color: #b35900; }
main { padding: 16px 24px; }
section.page { background: #fff; border: 1px solid #ccc; border-radius: 6px; margin: 0 0 24px; padding: 12px 16px; }
.page-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px; margin-bottom: 10px; }
.page-head h2 { margin: 0; font-size: 18px; }
.signals { color: #555; font-size: 12px; }
.signals .bad { color: #b00; font-weight: 600; }
.page-body { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 20px; align-items: start; }
@media (max-width: 900px) { .page-body { grid-template-columns: minmax(0, 1fr); } }
figure.page-image { position: relative; margin: 0; border: 1px solid #999; background: #fff; line-height: 0; }
figure.page-image img { display: block; width: 100%%; height: auto; }
figure.page-image .no-image { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: #777; font-size: 13px; line-height: 1.4; background: repeating-linear-gradient(45deg, #fafafa, #fafafa 10px, #f0f0f0 10px, #f0f0f0 20px); }
.box { position: absolute; display: block; border: 2px solid; border-radius: 1px; }
.box.removed { background: rgba(255, 255, 255, 0); }
.box.block-box { border: 1px solid rgba(44, 160, 44, .55); background: rgba(44, 160, 44, .05); text-decoration: none; }
.box.block-box.front { border: 1px dashed rgba(23, 162, 184, .8); background: rgba(23, 162, 184, .05); }
.box.block-box:hover, .box.block-box:focus { background: rgba(44, 160, 44, .18); }
.box .num { position: absolute; top: -1px; right: -1px; transform: translateX(100%%); line-height: 1.2; font: 600 10px/1.3 var(--ui); color: #fff; background: rgba(44, 160, 44, .9); padding: 0 3px; border-radius: 0 2px 2px 0; }
.box.front .num { background: rgba(23, 162, 184, .95); }
.blocks { font-family: var(--ar); }
.block { border-inline-start: 3px solid rgba(44, 160, 44, .6); padding: 4px 10px 6px; margin: 0 0 10px; background: #fcfcfb; scroll-margin-top: 8px; }
.block:target { background: #fff7d6; }
.block.front { border-inline-start-color: rgba(23, 162, 184, .9); background: #f5fbfc; }
.block-head { display: flex; flex-wrap: wrap; gap: 4px 6px; align-items: center; font-family: var(--ui); font-size: 11px; color: #555; margin-bottom: 2px; }
.block-head .num { font-weight: 700; color: #fff; background: rgba(44, 160, 44, .9); border-radius: 2px; padding: 0 4px; }
.block.front .block-head .num { background: rgba(23, 162, 184, .95); }
.type { font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.cont { color: #6a4a00; background: #fff0c2; border-radius: 2px; padding: 0 4px; }
.fm { color: #0d5f6b; background: #d9f2f6; border-radius: 2px; padding: 0 4px; }
.repair { display: inline-block; unicode-bidi: isolate; font-size: 11px; color: #333; background: #eef; border: 1px solid #ccd; border-radius: 8px; padding: 0 6px; }
.text { margin: 2px 0 0; font-size: 17px; line-height: 1.75; white-space: pre-wrap; overflow-wrap: anywhere; }
.block[data-type="heading"] .text { font-weight: 700; font-size: 19px; }
.block[data-type="footnote"] .text { font-size: 14px; color: #444; }
.block[data-type="quote"] .text { font-style: italic; color: #333; }
.block[data-type="list_item"] .text::before { content: "• "; }
.badge { display: inline-block; unicode-bidi: isolate; font: 600 12px/1.5 var(--ui); border-radius: 10px; padding: 0 8px; color: #fff; background: #777; }
.badge.ocr.conf-high { background: #2b7a2b; } .badge.ocr.conf-mid { background: #b35900; }
.badge.ocr.conf-low { background: #b00020; } .badge.ocr.conf-unknown { background: #666; }
.removed-list { list-style: none; margin: 12px 0 0; padding: 8px 0 0; border-top: 1px dashed #ccc; font-size: 13px; }
.removed-list li { margin: 3px 0; display: flex; gap: 8px; align-items: baseline; }
.kind { font: 600 11px/1.5 var(--ui); border: 2px solid; border-radius: 3px; padding: 0 4px; white-space: nowrap; unicode-bidi: isolate; }
.empty { color: #777; font-style: italic; font-family: var(--ui); }
.other h2 { font-size: 16px; }
"""


@dataclass
class _Entry:
    block: Block
    label: str  # "3" or "F2"
    front: bool
    page: int
    first: bool  # the block's first page
    prev_page: int | None
    next_page: int | None
    boxes: dict[int, tuple[float, float, float, float]]  # the block's outline per page (shared)
    first_page: int  # the first page it is shown on
    span: int  # pages it is shown on

    def anchor_on(self, page: int) -> str:
        return f"{'f' if self.front else 'b'}{self.label.lstrip('F')}-p{page}"

    @property
    def anchor(self) -> str:
        return self.anchor_on(self.page)


def _entries(doc: Document, shown: set[int]) -> tuple[dict[int, list[_Entry]], list[_Entry]]:
    """Blocks per page (front matter first), and blocks on no page shown."""
    per: dict[int, list[_Entry]] = {}
    orphans: list[_Entry] = []
    for front, blocks in ((True, doc.front_matter), (False, doc.blocks)):
        for i, b in enumerate(blocks, 1):
            label = f"F{i}" if front else str(i)
            pages = list(dict.fromkeys(b.pages)) or sorted({bx[0] for bx in b.boxes})
            boxes = _unions(b.boxes)
            on = [p for p in pages if p in shown]
            for k, p in enumerate(pages):
                if p in shown:
                    per.setdefault(p, []).append(_Entry(
                        b, label, front, p, k == 0, pages[k - 1] if k else None,
                        pages[k + 1] if k + 1 < len(pages) else None, boxes, on[0], len(on)))
            if not on:
                orphans.append(_Entry(b, label, front, pages[0] if pages else 0, True, None, None, boxes,
                                      pages[0] if pages else 0, 1))
    return per, orphans


def _unions(boxes) -> dict[int, tuple[float, float, float, float]]:
    """The union of a block's line boxes on each page."""
    out: dict[int, tuple[float, float, float, float]] = {}
    for bx in boxes:
        if len(bx) != 5:
            continue
        p, x0, y0, x1, y1 = bx
        u = out.get(p)
        out[p] = (x0, y0, x1, y1) if u is None else \
            (min(u[0], x0), min(u[1], y0), max(u[2], x1), max(u[3], y1))
    return out


def _style(box: tuple[float, float, float, float], colour: str | None = None) -> str:
    left, top, width, height = box
    s = f"left:{left:.3f}%;top:{top:.3f}%;width:{width:.3f}%;height:{height:.3f}%"
    if colour:
        s += f";border-color:{colour};background-color:{colour}29"
    return s


def _block_html(e: _Entry, lang: str, default_dir: str) -> str:
    b = e.block
    text = b.text or ""
    cls = "block front" if e.front else "block"
    head = [f'<span class="num" dir="ltr">{esc(e.label)}</span>',
            f'<span class="type" dir="ltr">{esc(b.type)}</span>']
    if e.front:
        head.append('<span class="fm" dir="ltr">front matter</span>')
    if e.prev_page is not None:
        head.append(f'<span class="cont" dir="ltr">continued from page {int(e.prev_page)}</span>')
        cls += " continued"
    if e.next_page is not None:
        head.append(f'<span class="cont" dir="ltr">continues on page {int(e.next_page)}</span>')
    if b.confidence is not None:
        head.append(f'<span dir="ltr" class="badge ocr {_conf_class(b.confidence)}" '
                    f'title="OCR word confidence (0–100)">OCR {b.confidence:.0f}</span>')
    head.append(_badges(b.repairs))
    pages_attr = " ".join(str(int(p)) for p in b.pages[:FULL_TEXT_PAGES + 1])
    if len(b.pages) > FULL_TEXT_PAGES + 1:
        pages_attr += " …"
    if e.span > FULL_TEXT_PAGES and e.page != e.first_page:
        # a block over many pages: its text once, on its first page; here a pointer
        cut = text[:STUB_CHARS].rsplit(" ", 1)[0] if len(text) > STUB_CHARS else text
        body = (f'<p class="text stub" dir="{_text_dir(text, default_dir)}" lang="{esc(lang)}">{esc(cut)} …</p>'
                f'<p class="empty" lang="en" dir="ltr">the whole text ({len(text)} characters) is shown on '
                f'<a href="#{e.anchor_on(e.first_page)}">page {int(e.first_page)}</a></p>')
    else:
        body = f'<p class="text" dir="{_text_dir(text, default_dir)}" lang="{esc(lang)}">{esc(text)}</p>'
    return (f'<article class="{cls}" id="{e.anchor}" data-block="{esc(e.label)}" '
            f'data-type="{esc(b.type)}" data-page="{int(e.page)}" data-pages="{pages_attr}" '
            f'data-repaired="{"true" if any(b.repairs.values()) else "false"}">'
            f'<div class="block-head" lang="en">{"".join(head)}</div>{body}</article>')


def _page_html(info: Mapping[str, Any], view: PageView, entries: list[_Entry], removed: list,
               lang: str, default_dir: str) -> str:
    n = int(info.get("page", view.number))
    ocr = bool(info.get("ocr"))
    conf = info.get("ocr_confidence")
    overlays: list[str] = []
    for e in entries:
        box = e.boxes.get(n)
        pb = view.percent_box(box, ocr) if box else None
        if pb is None:
            continue
        cls = "box block-box front" if e.front else "box block-box"
        overlays.append(f'<a class="{cls}" href="#{e.anchor}" data-block="{esc(e.label)}" '
                        f'data-page="{n}" style="{_style(pb)}" title="{esc(e.block.type)} {esc(e.label)}">'
                        f'<span class="num">{esc(e.label)}</span></a>')
    side_removed: list[str] = []
    for i, r in enumerate(removed):
        colour = KIND_COLOURS.get(r.kind, "#555")
        label = KIND_LABELS.get(r.kind, r.kind)
        pb = view.percent_box(r.bbox, ocr) if r.bbox is not None else None
        if pb is not None:
            overlays.append(f'<div class="box removed" id="r{n}-{i}" data-kind="{esc(r.kind)}" '
                            f'data-page="{n}" style="{_style(pb, colour)}" '
                            f'title="{esc(label)}: {esc(r.text)}"></div>')
        side_removed.append(f'<li data-kind="{esc(r.kind)}"><span class="kind" dir="ltr" '
                            f'style="border-color:{colour};color:{colour}">{esc(label)}</span>'
                            f'<bdi class="ar" dir="{_text_dir(r.text or "", default_dir)}">{esc(r.text)}</bdi>'
                            f'{"" if pb is not None else " <span class=empty>(no position)</span>"}</li>')

    if view.src:
        w, h = view.px
        img = f'<img src="{view.src}" alt="page {n}" width="{w}" height="{h}">'
    else:
        img = f'<div class="no-image" lang="en" dir="ltr">{esc(view.note or "no image")}</div>'
    figure = (f'<figure class="page-image" data-page="{n}" '
              f'style="aspect-ratio:{view.width:.2f} / {view.height:.2f}">{img}{"".join(overlays)}</figure>')

    sig = [f'{int(info.get("lines") or 0)} lines', f'{int(info.get("chars") or 0)} chars']
    q = info.get("quality")
    if q is not None:
        bad = ' class="bad"' if q < 0.6 else ""
        sig.append(f'<span{bad}>quality {_fmt(q)}</span>')
    rwr = info.get("reversed_word_rate")
    if rwr is not None:
        bad = ' class="bad"' if rwr > 0.2 else ""
        sig.append(f'<span{bad}>reversed words {_fmt(rwr)}</span>')
    ic = info.get("image_coverage")
    if ic:
        sig.append(f"images {_pct(ic)}")
    badges = ""
    if ocr:
        badges = (f'<span dir="ltr" class="badge ocr {_conf_class(conf)}" data-confidence="{esc(conf)}" '
                  f'title="read by OCR; mean word confidence (0–100)">OCR · confidence '
                  f'{_fmt(conf, 0) if conf is not None else "?"}</span>')
    if entries and all(e.front for e in entries):
        badges += ' <span class="badge" dir="ltr" style="background:#17a2b8">cover</span>'

    body = "".join(_block_html(e, lang, default_dir) for e in entries) or \
        '<p class="empty" lang="en" dir="ltr">no blocks on this page</p>'
    if side_removed:
        body += f'<ul class="removed-list">{"".join(side_removed)}</ul>'
    return (f'<section class="page" id="page-{n}" data-page="{n}" data-ocr="{"true" if ocr else "false"}">'
            f'<div class="page-head" lang="en"><h2 dir="ltr">Page {n}</h2>{badges}'
            f'<span class="signals" dir="ltr">{" · ".join(sig)}</span></div>'
            f'<div class="page-body">{figure}<div class="blocks" dir="{default_dir}" lang="{esc(lang)}">'
            f'{body}</div></div></section>')


def render_report(doc: Document, pdf: PdfInput | None = None, *, password: str | None = None,
                  dpi: float = DEFAULT_DPI, color: bool = False,
                  max_images: int = MAX_IMAGE_PAGES, views: dict[int, PageView] | None = None,
                  index_href: str | None = None) -> str:
    """The review report of ``doc`` as one self-contained HTML string.

    ``pdf`` (the path or bytes ``doc`` was extracted from; ``password`` if it
    is encrypted) gives the page images; without it the report has the
    blocks and outlines over blank pages. ``views`` (from
    :func:`render_pages`) can be passed to reuse rendered pages.
    ``index_href``: a relative link back to the batch index page.
    """
    infos = [dict(p) for p in doc.pages] or \
        [{"page": n} for n in sorted({p for b in doc.blocks for p in b.pages})]
    numbers = [int(p["page"]) for p in infos]
    if views is None:
        views = render_pages(pdf, numbers, password=password, dpi=dpi, color=color, max_images=max_images)
    lang = doc.metadata.language or "ar"
    default_dir = "rtl" if lang in _RTL_LANGS else "ltr"
    per, orphans = _entries(doc, set(numbers))
    removed_by_page: dict[int, list] = {}
    for r in doc.removed:
        removed_by_page.setdefault(r.page, []).append(r)

    name = doc.source.file or (os.path.basename(os.fspath(pdf)) if isinstance(pdf, (str, os.PathLike))
                               else "document")
    title = doc.metadata.title or name
    m = doc.metadata
    meta_rows = [("title", m.title), ("author", m.author), ("source", m.source),
                 ("published", f"{m.published or '–'}" + (f" ({m.published_text})" if m.published_text else "")
                  if (m.published or m.published_text) else None),
                 ("publisher", m.publisher), ("language", m.language)]
    meta_html = "".join(f'<tr><th>{esc(k)}</th><td><bdi dir="{_text_dir(str(v), default_dir)}">'
                        f'{esc(v)}</bdi></td></tr>' if v else
                        f'<tr><th>{esc(k)}</th><td class="empty">none</td></tr>'
                        for k, v in meta_rows)
    s = doc.source
    read = len(numbers)
    ocr_pages = [int(p["page"]) for p in infos if p.get("ocr")]
    src_rows = [("file", f'<bdi>{esc(name)}</bdi>'),
                ("pages", f"{int(s.pages)}" + (f" ({read} read)" if read != s.pages else "")),
                ("engine", esc(s.engine)), ("producer", esc(s.producer or "–")),
                ("creator", esc(s.creator or "–")), ("sha256", f'<span class="mono">{esc(s.sha256)}</span>')]
    src_html = "".join(f'<tr><th>{k}</th><td><bdi dir="ltr">{v}</bdi></td></tr>' for k, v in src_rows)

    if doc.warnings:
        warn_html = "<ul>" + "".join(f"<li>{esc(w)}</li>" for w in doc.warnings) + "</ul>"
    else:
        warn_html = '<p class="ok">none</p>'
    kinds = Counter(r.kind for r in doc.removed)
    types = Counter(b.type for b in doc.blocks)
    legend = "".join(
        f'<li data-kind="{esc(k)}"><span class="swatch" style="border-color:{c}"></span>'
        f'<span dir="ltr">{esc(KIND_LABELS[k])} <span class="signals">({kinds.get(k, 0)})</span></span></li>'
        for k, c in KIND_COLOURS.items())
    legend += (f'<li><span class="swatch" style="border:1px solid {BODY_COLOUR};background:rgba(44,160,44,.08)">'
               f'</span><span dir="ltr">body block (reading order) <span class="signals">'
               f'({len(doc.blocks)})</span></span></li>'
               f'<li><span class="swatch" style="border:1px dashed {FRONT_COLOUR}"></span><span dir="ltr">'
               f'front matter <span class="signals">({len(doc.front_matter)})</span></span></li>'
               '<li><span class="badge ocr conf-high" dir="ltr">OCR · confidence</span>'
               '<span dir="ltr">page read by OCR (red under 60, orange under 80)</span></li>')
    summary = (f'{len(doc.blocks)} blocks (' + ", ".join(f"{esc(t)} {n}" for t, n in types.most_common())
               + f'); {len(doc.front_matter)} front-matter blocks; {kinds.get("article_head", 0)} article-head lines; '
               f'{len(doc.removed) - kinds.get("article_head", 0)} pieces of furniture removed; {len(ocr_pages)} of {read} pages read by OCR')
    toc = "".join(f'<a href="#page-{n}"{" class=ocr" if n in ocr_pages else ""}>{n}</a>' for n in numbers)

    pages_html = "".join(_page_html(info, views.get(int(info["page"]), PageView(int(info["page"]))),
                                    per.get(int(info["page"]), []),
                                    removed_by_page.get(int(info["page"]), []), lang, default_dir)
                         for info in infos)
    other = ""
    if orphans:
        other = ('<section class="other"><h2 lang="en" dir="ltr">Blocks on pages not shown</h2>'
                 f'<div class="blocks" dir="{default_dir}" lang="{esc(lang)}">'
                 + "".join(_block_html(e, lang, default_dir) for e in orphans) + "</div></section>")

    css = _REPORT_CSS % {"ar": _FONT_AR, "ui": _FONT_UI}
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}" dir="{default_dir}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="pdfclean review">\n'
        f"<title>{esc(title)} — pdfclean review</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f'<header class="report" id="top"><h1 dir="{_text_dir(title, default_dir)}"><bdi>{esc(title)}</bdi></h1>'
        f'<p class="sub" lang="en" dir="ltr">pdfclean review · <bdi>{esc(name)}</bdi> · {summary}'
        + (f' · <a class="index" href="{esc(_href(index_href, None))}">all documents</a>' if index_href else "")
        + '</p>'
        f'<div class="cols">'
        f'<section class="metadata"><h2 lang="en">Metadata</h2><table class="meta" lang="en">{meta_html}</table></section>'
        f'<section class="source" lang="en"><h2>Source</h2><table class="meta">{src_html}</table></section>'
        f'<section class="warnings" lang="en" dir="ltr" data-count="{len(doc.warnings)}">'
        f'<h2>Warnings ({len(doc.warnings)})</h2>{warn_html}'
        f'<h2>Repairs (all pages)</h2><div>{_badges(doc.repairs) or "<span class=empty>none</span>"}</div></section>'
        f'</div>'
        f'<h2 lang="en">Legend</h2><ul class="legend" lang="en">{legend}</ul>'
        f'<nav class="toc" lang="en" aria-label="pages">{toc}</nav>'
        f'</header>\n<main>\n{pages_html}{other}\n</main>\n</body>\n</html>\n'
    )


def write_report(doc: Document, pdf: PdfInput | None, out_html: str | os.PathLike, *,
                 password: str | None = None, dpi: float = DEFAULT_DPI, color: bool = False,
                 max_images: int = MAX_IMAGE_PAGES, index_href: str | None = None) -> Path:
    """Write the review report of ``doc`` (extracted from ``pdf``) to
    ``out_html`` atomically; returns the path. Never overwrites the PDF."""
    out = Path(out_html)
    if isinstance(pdf, (str, os.PathLike)) and out.exists() and os.path.exists(pdf) \
            and os.path.samefile(out, pdf):
        raise ValueError("the report would overwrite the input")
    return write_atomic(out, render_report(doc, pdf, password=password, dpi=dpi, color=color,
                                           max_images=max_images, index_href=index_href))


def review(pdf: PdfInput, out_html: str | os.PathLike, *, engine: str = "pymupdf",
           pages: str | list[int] | None = None, password: str | None = None, ocr: str = "auto",
           ocr_lang: str | None = None, ocr_jobs: int = 1, dpi: float = DEFAULT_DPI) -> Document:
    """Extract ``pdf`` and write its report: the one call behind ``pdfclean
    review``. Raises :class:`~pdfclean.errors.PdfCleanError` like ``extract``."""
    from .pipeline import DEFAULT_OCR_LANG, extract

    if isinstance(pdf, (bytes, bytearray, memoryview)):
        pdf = bytes(pdf)
    doc = extract(pdf, engine=engine, pages=pages, password=password, explain=True, ocr=ocr,
                  ocr_lang=ocr_lang or DEFAULT_OCR_LANG, ocr_jobs=ocr_jobs)
    write_report(doc, pdf, out_html, password=password, dpi=dpi)
    return doc


# ---------------------------------------------------------------------------
# quality signals and the batch index
# ---------------------------------------------------------------------------

def quality_signals(doc: Document) -> dict[str, float | None]:
    """The document's quality signals, as the index shows them.

    * ``reversed_word_rate`` — function words read backwards, over all pages
      read (weighted by characters); None when no page had any.
    * ``garbage_score`` — 1 − the lowest page ``quality`` (0 clean, 1 a page
      with no real-looking words, or no text at all).
    * ``ocr_share`` — share of the pages read that were read by OCR.
    """
    pages = list(doc.pages)
    rated = [(p["reversed_word_rate"], max(int(p.get("chars") or 0), 1)) for p in pages
             if p.get("reversed_word_rate") is not None]
    rwr = round(sum(r * w for r, w in rated) / sum(w for _, w in rated), 3) if rated else None
    quals = [p.get("quality") for p in pages if p.get("quality") is not None]
    garbage = round(1.0 - min(quals), 3) if quals else None
    ocr_share = round(sum(1 for p in pages if p.get("ocr")) / len(pages), 3) if pages else None
    return {"reversed_word_rate": rwr, "garbage_score": garbage, "ocr_share": ocr_share}


@dataclass
class IndexRecord:
    """One row of the batch index. ``report`` is the report's path (absolute,
    or relative to the index page's folder); ``warnings`` a list or a count."""

    path: str
    status: str = "ok"
    pages: int | None = None
    reversed_word_rate: float | None = None
    garbage_score: float | None = None
    ocr_share: float | None = None
    warnings: list[str] | int = field(default_factory=list)
    report: str | None = None
    error: str | None = None
    title: str | None = None

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> IndexRecord:
        """From a dict (a manifest line, say): unknown keys ignored; ``rel`` or
        ``file`` are accepted for ``path``."""
        path = m.get("path") or m.get("rel") or m.get("file") or "?"
        return cls(path=str(path), status=str(m.get("status") or "?"), pages=m.get("pages"),
                   reversed_word_rate=m.get("reversed_word_rate"), garbage_score=m.get("garbage_score"),
                   ocr_share=m.get("ocr_share"), warnings=m.get("warnings") or [],
                   report=m.get("report"), error=m.get("error"), title=m.get("title"))

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def index_record(doc: Document | None, path: str, *, report: str | os.PathLike | None = None,
                 status: str | None = None, error: str | None = None) -> IndexRecord:
    """The index row for one document: from its :class:`Document` (converted),
    or ``doc=None`` with ``status``/``error`` for one that failed."""
    if doc is None:
        return IndexRecord(path=str(path), status=status or "failed", error=error,
                           report=os.fspath(report) if report else None)
    return IndexRecord(path=str(path), status=status or "ok", pages=doc.source.pages,
                       warnings=list(doc.warnings), report=os.fspath(report) if report else None,
                       error=error, title=doc.metadata.title, **quality_signals(doc))


_INDEX_CSS = """
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 24px; font-family: %(ui)s; font-size: 14px; color: #1d1d1f; background: #f3f3f1; }
h1 { font-size: 22px; margin: 0 0 4px; }
.sub { color: #555; margin: 0 0 14px; }
table { border-collapse: collapse; background: #fff; border: 1px solid #ccc; width: 100%%; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e3e3e3; text-align: start; vertical-align: top; }
th { background: #ecece8; position: sticky; top: 0; }
th button { all: unset; cursor: pointer; font-weight: 700; white-space: nowrap; }
th button::after { content: " ↕"; color: #999; font-weight: 400; }
th[aria-sort="ascending"] button::after { content: " ▲"; color: #333; }
th[aria-sort="descending"] button::after { content: " ▼"; color: #333; }
td.num { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.doc bdi { font-family: %(ar)s; font-size: 15px; }
td.doc .title { display: block; color: #555; font-family: %(ar)s; }
.status { font-weight: 700; border-radius: 8px; padding: 0 7px; color: #fff; background: #777; }
.status-ok { background: #2b7a2b; } .status-failed { background: #b00020; }
.status-unchanged { background: #4f7f4f; } .status-pending { background: #8a6d00; }
.warn { color: #8a1c1c; } .err { color: #8a1c1c; display: block; font-size: 12px; }
.bad { color: #b00; font-weight: 700; }
details summary { cursor: pointer; }
"""

_INDEX_JS = """
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var numeric = th.dataset.type === "num";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
          if (!numeric) return v.trim();
          return v === "" ? null : parseFloat(v);
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === null || (numeric && isNaN(x))) return (y === null || (numeric && isNaN(y))) ? 0 : 1;
          if (y === null || (numeric && isNaN(y))) return -1;
          var c = numeric ? x - y : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
"""


def _href(report: str, base: Path | None) -> str:
    """A relative URL to ``report`` from the index folder ``base``, quoted."""
    p = report
    if base is not None and os.path.isabs(p):
        try:
            p = os.path.relpath(p, base)
        except ValueError:  # another drive (Windows)
            return Path(p).as_uri()
    return urllib.parse.quote(p.replace(os.sep, "/"), safe="/")


def render_index(records: Iterable[IndexRecord | Mapping[str, Any]], *, title: str = "pdfclean review",
                 base: str | os.PathLike | None = None, note: str | None = None) -> str:
    """The batch index page as one HTML string: a table (document, status,
    pages, reversed-word rate, garbage score, OCR share, warnings, report),
    sortable by clicking a header. ``base``: the folder the index is written
    to (absolute report paths are made relative to it); ``note``: a line
    under the title."""
    recs = [r if isinstance(r, IndexRecord) else IndexRecord.from_mapping(r) for r in records]
    base_p = Path(base).resolve() if base is not None else None
    cols = [("document", "text"), ("status", "text"), ("pages", "num"), ("reversed-word rate", "num"),
            ("garbage score", "num"), ("OCR share", "num"), ("warnings", "num"), ("report", "text")]
    head = "".join(f'<th data-key="{esc(c.split()[0].lower())}" data-type="{t}"><button type="button">'
                   f'{esc(c)}</button></th>' for c, t in cols)
    rows = []
    for r in recs:
        warns = r.warnings if isinstance(r.warnings, list) else []
        nwarn = len(r.warnings) if isinstance(r.warnings, list) else int(r.warnings or 0)
        status_cls = re.sub(r"[^a-z0-9_-]", "", r.status.lower()) or "unknown"
        # a path reads folder → file, left to right; each name in its own direction
        doc_cell = ('<bdi dir="ltr" class="path">'
                    + "/".join(f'<span dir="auto">{esc(part)}</span>' for part in r.path.split("/"))
                    + "</bdi>")
        if r.title:
            doc_cell += f'<span class="title" dir="auto">{esc(r.title)}</span>'
        if r.error:
            doc_cell += f'<span class="err">{esc(r.error)}</span>'

        def num(v, fmt=_fmt, bad=None):
            if v is None:
                return '<td class="num" data-sort="">–</td>'
            cls = ' class="num bad"' if bad is not None and v > bad else ' class="num"'
            return f'<td{cls} data-sort="{float(v):.6g}">{fmt(v)}</td>'

        if warns:
            wcell = (f'<td class="num warn" data-sort="{nwarn}"><details><summary>{nwarn}</summary>'
                     + "".join(f'<div dir="auto">{esc(w)}</div>' for w in warns) + "</details></td>")
        else:
            wcell = f'<td class="num{" warn" if nwarn else ""}" data-sort="{nwarn}">{nwarn}</td>'
        link = (f'<a href="{esc(_href(r.report, base_p))}">report</a>' if r.report else "–")
        rows.append(
            f'<tr data-status="{esc(r.status)}">'
            f'<td class="doc" data-sort="{esc(r.path)}">{doc_cell}</td>'
            f'<td data-sort="{esc(r.status)}"><span class="status status-{status_cls}">{esc(r.status)}</span></td>'
            + (f'<td class="num" data-sort="{int(r.pages)}">{int(r.pages)}</td>' if r.pages is not None
               else '<td class="num" data-sort="">–</td>')
            + num(r.reversed_word_rate, bad=0.2) + num(r.garbage_score, bad=0.4) + num(r.ocr_share, _pct)
            + wcell + f"<td>{link}</td></tr>")
    counts = Counter(r.status for r in recs)
    summary = f"{len(recs)} documents · " + " · ".join(f"{esc(k)} {v}" for k, v in sorted(counts.items()))
    css = _INDEX_CSS % {"ui": _FONT_UI, "ar": _FONT_AR}
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="pdfclean review">\n'
        f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f'<h1>{esc(title)}</h1>' + (f'<p class="sub note">{esc(note)}</p>' if note else "")
        + f'<p class="sub">{summary}. Click a column header to sort. Garbage score: '
        '1 − the lowest page quality; reversed-word rate: function words read backwards.</p>\n'
        f'<table class="sortable" id="documents"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows) + f"\n</tbody></table>\n<script>{_INDEX_JS}</script>\n</body>\n</html>\n"
    )


def write_index(records: Iterable[IndexRecord | Mapping[str, Any]], out_html: str | os.PathLike, *,
                title: str = "pdfclean review", note: str | None = None) -> Path:
    """Write the batch index page to ``out_html`` atomically; report links are
    made relative to its folder."""
    out = Path(out_html)
    return write_atomic(out, render_index(records, title=title, base=out.resolve().parent, note=note))


# ---------------------------------------------------------------------------
# python -m pdfclean.review: a report, and the README screenshot
# ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def screenshot(report_html: str | os.PathLike, out_png: str | os.PathLike, *, page: int | None = None,
               width: int = 1200, height: int = 860, chromium: str = CHROMIUM) -> Path:
    """A PNG of the report's page ``page`` (default: the first article page —
    the first that is not the cover), top region, with Playwright and the
    system Chromium (no browser download)."""
    from playwright.sync_api import sync_playwright

    out = Path(out_png)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(Path(report_html).resolve().as_uri(), wait_until="load")
            tab.evaluate("document.fonts.ready")
            if page is None:
                sel = ".page:not(:has(.block.front))"
            else:
                sel = f'.page[data-page="{int(page)}"]'
            box = tab.locator(sel).first.bounding_box()
            if box is None:
                raise ValueError(f"no page {page} in the report")
            tab.screenshot(path=str(out), clip={"x": box["x"], "y": box["y"],
                                                "width": min(box["width"], width), "height": height},
                           full_page=True)
        finally:
            browser.close()
    _shrink_png(out)
    return out


def _shrink_png(path: Path, colours: int = 128) -> None:
    """Quantise a screenshot to a palette PNG (a third of the size) when
    Pillow is there (it comes with pdfplumber)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m pdfclean.review", description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--engine", default="pymupdf", choices=["pymupdf", "pdfplumber"])
    ap.add_argument("--pages")
    ap.add_argument("--password")
    ap.add_argument("--ocr", default="auto", choices=["auto", "always", "never"])
    ap.add_argument("--dpi", type=float, default=DEFAULT_DPI)
    ap.add_argument("--screenshot", metavar="PNG", help="also save a screenshot of the report")
    ap.add_argument("--screenshot-page", type=int, default=None)
    a = ap.parse_args(argv)
    from .errors import PdfCleanError

    try:
        review(a.input, a.output, engine=a.engine, pages=a.pages, password=a.password, ocr=a.ocr, dpi=a.dpi)
    except PdfCleanError as e:
        print(f"pdfclean: {a.input}: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    if a.screenshot:
        screenshot(a.output, a.screenshot, page=a.screenshot_page)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
