"""The batch index page: one row per document — status, pages, quality
signals, warnings, a link to its report — sortable by any column."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Document
from ..writers import write_atomic
from .common import _CSP, _FONT_AR, _FONT_UI, _fmt, _href, _pct, esc


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
