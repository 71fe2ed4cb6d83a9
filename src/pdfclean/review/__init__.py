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

The package::

    common    sizes, colours, repair notes, escaping, direction, badges, links
    pages     page images (PageView, render_pages)
    report    the report of one document (render_report, write_report, review)
    index     the batch index page (quality_signals, IndexRecord, render_index, write_index)
    browser   a screenshot in the system Chromium
    __main__  python -m pdfclean.review
"""

from .browser import CHROMIUM, CHROMIUM_ARGS, screenshot
from .common import (BODY_COLOUR, DEFAULT_DPI, FRONT_COLOUR, FULL_TEXT_PAGES, KIND_COLOURS, KIND_LABELS,
                     MAX_IMAGE_PAGES, MAX_IMAGE_SIDE, REPAIR_NOTES, STUB_CHARS, PdfInput, esc)
from .index import IndexRecord, index_record, quality_signals, render_index, write_index
from .pages import PageView, render_pages
from .report import render_report, review, write_report

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "screenshot", "BODY_COLOUR", "DEFAULT_DPI", "FRONT_COLOUR",
           "FULL_TEXT_PAGES", "KIND_COLOURS", "KIND_LABELS", "MAX_IMAGE_PAGES", "MAX_IMAGE_SIDE", "REPAIR_NOTES",
           "STUB_CHARS", "PdfInput", "esc", "IndexRecord", "index_record", "quality_signals", "render_index",
           "write_index", "PageView", "render_pages", "render_report", "review", "write_report"]
