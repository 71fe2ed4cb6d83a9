"""A screenshot of a report in the system Chromium (Playwright, no browser
download): the README's picture, and what the browser tests drive."""

from __future__ import annotations

import os
from pathlib import Path


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
