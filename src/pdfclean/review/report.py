"""The review report of one document: its pages as images beside their
blocks in reading order, the furniture outlined, the head with metadata,
source, warnings and repairs — one self-contained HTML string."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Block, Document
from ..writers import write_atomic
from .common import (_CSP, _FONT_AR, _FONT_UI, BODY_COLOUR, DEFAULT_DPI, FRONT_COLOUR, FULL_TEXT_PAGES,
                     KIND_COLOURS, KIND_LABELS, MAX_IMAGE_PAGES, STUB_CHARS, PdfInput, _RTL_LANGS, _badges,
                     _conf_class, _fmt, _href, _pct, _text_dir, esc)
from .pages import PageView, render_pages


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
    meta_html = _metadata_html(doc, default_dir)
    read = len(numbers)
    ocr_pages = [int(p["page"]) for p in infos if p.get("ocr")]
    src_html = _source_html(doc, name, read)

    if doc.warnings:
        warn_html = "<ul>" + "".join(f"<li>{esc(w)}</li>" for w in doc.warnings) + "</ul>"
    else:
        warn_html = '<p class="ok">none</p>'
    kinds = Counter(r.kind for r in doc.removed)
    types = Counter(b.type for b in doc.blocks)
    legend = _legend_html(doc, kinds)
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


def _metadata_html(doc: Document, default_dir: str) -> str:
    """The rows of the report's metadata table."""
    m = doc.metadata
    meta_rows = [("title", m.title), ("author", m.author), ("source", m.source),
                 ("published", f"{m.published or '–'}" + (f" ({m.published_text})" if m.published_text else "")
                  if (m.published or m.published_text) else None),
                 ("publisher", m.publisher), ("language", m.language)]
    return "".join(f'<tr><th>{esc(k)}</th><td><bdi dir="{_text_dir(str(v), default_dir)}">'
                   f'{esc(v)}</bdi></td></tr>' if v else
                   f'<tr><th>{esc(k)}</th><td class="empty">none</td></tr>'
                   for k, v in meta_rows)


def _source_html(doc: Document, name: str, read: int) -> str:
    """The rows of the report's source table (``read``: how many pages were read)."""
    s = doc.source
    src_rows = [("file", f'<bdi>{esc(name)}</bdi>'),
                ("pages", f"{int(s.pages)}" + (f" ({read} read)" if read != s.pages else "")),
                ("engine", esc(s.engine)), ("producer", esc(s.producer or "–")),
                ("creator", esc(s.creator or "–")), ("sha256", f'<span class="mono">{esc(s.sha256)}</span>')]
    return "".join(f'<tr><th>{k}</th><td><bdi dir="ltr">{v}</bdi></td></tr>' for k, v in src_rows)


def _legend_html(doc: Document, kinds: Counter) -> str:
    """The legend: a swatch per kind of furniture, body blocks, front matter, the OCR badge."""
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
    return legend


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
    from ..pipeline import DEFAULT_OCR_LANG, extract

    if isinstance(pdf, (bytes, bytearray, memoryview)):
        pdf = bytes(pdf)
    doc = extract(pdf, engine=engine, pages=pages, password=password, explain=True, ocr=ocr,
                  ocr_lang=ocr_lang or DEFAULT_OCR_LANG, ocr_jobs=ocr_jobs)
    write_report(doc, pdf, out_html, password=password, dpi=dpi)
    return doc
