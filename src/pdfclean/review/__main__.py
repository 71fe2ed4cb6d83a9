"""``python -m pdfclean.review a.pdf -o a.html [--screenshot shot.png]``: a
report, and optionally a screenshot of its first article page."""

from __future__ import annotations

import pdfclean.review as _package

from .browser import screenshot
from .common import DEFAULT_DPI
from .report import review


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m pdfclean.review", description=_package.__doc__.split("\n\n")[0])
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
    from ..errors import PdfCleanError

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
