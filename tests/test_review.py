"""The review report and the batch index: structure and escaping checked in
Python, then loaded in a real headless browser (Debian's Chromium driven by
Playwright; no browser download) for console errors, page count, the removed
running title outlined on page 2, and sorting on the index page."""

from __future__ import annotations

import copy
import os
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SAMPLE_PDF

import pdfclean
from pdfclean.review import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IndexRecord,
    index_record,
    quality_signals,
    render_report,
    write_index,
    write_report,
)

PAGES = 6  # the sample: cover + 5 article pages
RUNNING_TITLE = "واقعیتهای نادیده گرفته شده مذاکرات ایران و امریکا"


class Tags(HTMLParser):
    """Every start tag with its attributes; the text of <style> and <script>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))
        self._in = tag if tag in ("style", "script") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            self.scripts.append(data)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[dict[str, str]]:
        out = []
        for t, a in self.tags:
            if tag and t != tag:
                continue
            if cls and cls not in a.get("class", "").split():
                continue
            if all(a.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                out.append(a)
        return out


def percents(style: str) -> dict[str, float]:
    return {k: float(v) for k, v in re.findall(r"(left|top|width|height):([\d.]+)%", style)}


@pytest.fixture(scope="module")
def doc():
    return pdfclean.extract(SAMPLE_PDF, explain=True)


@pytest.fixture(scope="module")
def report(doc, tmp_path_factory) -> Path:
    return write_report(doc, SAMPLE_PDF, tmp_path_factory.mktemp("review") / "report.html")


@pytest.fixture(scope="module")
def tags(report) -> Tags:
    return Tags(report.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# structure, in Python
# ---------------------------------------------------------------------------

def test_report_has_every_page_with_its_image(tags):
    pages = tags.find("section", "page")
    assert [p["data-page"] for p in pages] == [str(n) for n in range(1, PAGES + 1)]
    imgs = [a for t, a in tags.tags if t == "img"]
    assert len(imgs) == PAGES
    assert all(a["src"].startswith(("data:image/png;base64,", "data:image/jpeg;base64,")) for a in imgs)


def test_running_title_outlined_on_page_2(tags):
    boxes = tags.find("div", "removed", data_kind="running_title", data_page="2")
    assert len(boxes) == 1
    p = percents(boxes[0]["style"])
    # the Persian running title sits top right: x 378–533 of 595 pt, y 34–45 of 842 pt
    assert 60 < p["left"] < 66 and 24 < p["width"] < 28, p
    assert 3 < p["top"] < 5 and 0.5 < p["height"] < 2, p
    assert RUNNING_TITLE in boxes[0]["title"]
    # every removed piece with a position is outlined on its page, with its kind
    for kind in ("running_title", "page_number", "branding"):
        assert [b["data-page"] for b in tags.find("div", "removed", data_kind=kind)] == \
            [str(n) for n in range(2, PAGES + 1)]


def test_article_head_outlined_like_the_furniture(doc, tags):
    """The head lines taken out of the body (title, author, source) are shown
    where they stood, on the cover and on the first article page."""
    heads = [r for r in doc.removed if r.kind == "article_head"]
    assert {r.page for r in heads} == {1, 2}
    boxes = tags.find("div", "removed", data_kind="article_head", data_page="2")
    assert len(boxes) == len([r for r in heads if r.page == 2]) == 3
    assert any(doc.metadata.author in b["title"] for b in boxes)


def test_blocks_beside_their_pages_in_reading_order(doc, tags):
    blocks = tags.find("article", "block")
    body = [b for b in blocks if "front" not in b["class"].split()]
    front = [b for b in blocks if "front" in b["class"].split()]
    # front matter: on the cover's side, marked
    assert len(front) == len(doc.front_matter) and all(b["data-page"] == "1" for b in front)
    # every body block once per page it spans, numbered in reading order
    assert len(body) == sum(len(b.pages) for b in doc.blocks)
    labels = list(dict.fromkeys(b["data-block"] for b in body))
    assert labels == [str(i) for i in range(1, len(doc.blocks) + 1)]
    # a block joined across a page break shows on both pages, the second marked as continued
    spanning = [i for i, b in enumerate(doc.blocks, 1) if b.pages == [3, 4]]
    assert spanning
    shown = [b for b in body if b["data-block"] == str(spanning[0])]
    assert [b["data-page"] for b in shown] == ["3", "4"]
    assert "continued" not in shown[0]["class"] and "continued" in shown[1]["class"]
    # outlines over the page link to the block beside it
    links = tags.find("a", "block-box", data_page="2")
    assert links and all(a["href"].startswith("#b") for a in links)
    ids = {a["id"] for _, a in tags.tags if "id" in a}
    assert all(a["href"][1:] in ids for _, a in tags.tags if a.get("href", "").startswith("#"))


def test_repairs_shown_per_block(doc, tags):
    first = doc.blocks[0]
    html_first = tags.find("article", "block", id="b1-p2")
    assert html_first and html_first[0]["data-repaired"] == "true"
    badges = {a["data-repair"] for a in tags.find("span", "repair")}
    assert set(first.repairs) <= badges
    assert "reversed_lines" in badges


def test_report_is_self_contained_and_rtl(report, tags):
    text = report.read_text(encoding="utf-8")
    assert len(text.encode()) < 3_000_000  # 6 pages; the images dominate
    html_tag = tags.find("html")[0]
    assert html_tag["dir"] == "rtl" and html_tag["lang"] == "ar"
    assert '"Amiri", "Noto Naskh Arabic", "Noto Sans Arabic", "Tahoma", serif' in text
    csp = tags.find("meta", http_equiv="Content-Security-Policy")
    assert csp and "default-src 'none'" in csp[0]["content"]
    assert not tags.find("link") and not tags.find("script") and not tags.find("iframe")
    for tag, attrs in tags.tags:
        for name, value in attrs.items():
            if name == "src":
                assert value.startswith("data:"), (tag, value[:80])
            if name == "href":
                assert value.startswith("#"), (tag, value)
            if name != "title":  # a tooltip may quote the PDF's text, URLs included
                assert not re.search(r"(?i)\b(https?|ftp):|^//", value), (tag, name, value[:80])
    css = "".join(tags.styles)
    assert "@import" not in css and "url(" not in css
    # the URLs there are only the PDF's own text (front matter, branding)
    for url in re.findall(r"https?://[^\s<\"']+", text):
        assert "almanbar.org" in url


def test_report_escapes_hostile_text(doc):
    bad = copy.deepcopy(doc)
    evil = '<script>alert(1)</script> & "q" \u202e<img src=x onerror=alert(2)>'
    bad.blocks[0].text = evil
    bad.front_matter[0].text = evil
    bad.removed[1].text = '"><iframe src="http://evil.example/"></iframe>'
    bad.metadata.title = "</title><script>alert(3)</script>"
    bad.metadata.author = "\x00\x07\ud800 author"
    bad.warnings.append('<b onmouseover="alert(4)">warning</b>')
    bad.source.file = 'a"<b>.pdf'
    bad.blocks[0].repairs['"><i>'] = 1
    out = render_report(bad, SAMPLE_PDF)
    t = Tags(out)
    assert not t.find("script") and not t.find("iframe") and not t.find("b") and not t.find("i")
    assert [a for _, a in t.tags if a.get("src") == "x" or any(k.startswith("on") for k in a)] == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;" in out
    assert "&lt;/title&gt;&lt;script&gt;alert(3)" in out
    assert "\x00" not in out and "\ud800" not in out
    # it still writes as UTF-8
    out.encode("utf-8")


def test_a_block_over_many_pages_has_its_text_once(doc):
    long = copy.deepcopy(doc)
    b = long.blocks[-1]
    b.pages = [2, 3, 4, 5, 6]
    b.text = "نص طويل جدا " * 200
    out = render_report(long, None)
    n = str(len(long.blocks))
    shown = [a for a in Tags(out).find("article", "block") if a["data-block"] == n]
    assert [a["data-page"] for a in shown] == ["2", "3", "4", "5", "6"]
    assert out.count(b.text.strip()) == 1  # whole on its first page, a pointer on the others
    assert out.count(f'href="#b{n}-p2"') >= 4


def test_report_without_the_pdf_still_renders(doc):
    t = Tags(render_report(doc, None))
    assert len(t.find("section", "page")) == PAGES
    assert not t.find("img") and len(t.find("div", "no-image")) == PAGES
    assert t.find("div", "removed", data_kind="running_title", data_page="2")


def test_quality_signals(doc):
    s = quality_signals(doc)
    assert s["reversed_word_rate"] == 0.0
    assert s["ocr_share"] == 0.0
    assert s["garbage_score"] == pytest.approx(1 - min(p["quality"] for p in doc.pages), abs=1e-3)


def index_records(doc, report: Path, tmp: Path) -> list:
    return [
        index_record(doc, "almanbar/تقرير «المنبر» #1.pdf", report=report),
        {"path": "b/second.pdf", "status": "ok", "pages": 12, "reversed_word_rate": 0.31,
         "garbage_score": 0.5, "ocr_share": 0.25, "warnings": ["page(s) 1-3 read by OCR"],
         "report": "b/second.review.html"},
        IndexRecord(path='c/<bad>"name".pdf', status="failed",
                    error="truncated PDF (no %%EOF at the end; an incomplete download?)"),
    ]


def test_index_page(doc, report, tmp_path):
    out = write_index(index_records(doc, report, tmp_path), tmp_path / "index.html")
    text = out.read_text(encoding="utf-8")
    t = Tags(text)
    heads = [a["data-key"] for a in t.find("th")]
    assert heads == ["document", "status", "pages", "reversed-word", "garbage", "ocr", "warnings", "report"]
    rows = t.find("tr", data_status="ok") + t.find("tr", data_status="failed")
    assert len(rows) == 3
    links = [a["href"] for a in t.find("a")]
    assert links[0] == urllib.parse.quote(os.path.relpath(report, tmp_path))
    assert links[1] == "b/second.review.html"
    assert "&lt;bad&gt;&quot;name&quot;.pdf" in text and "<bad>" not in text
    assert "تقرير «المنبر» #1.pdf" in text and "<bdi" in text
    assert len(t.scripts) == 1 and not re.search(r"(?i)https?:", "".join(t.scripts))


# ---------------------------------------------------------------------------
# in the browser: Debian's Chromium through Playwright
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs it (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_tab(browser, path: Path):
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(path.resolve().as_uri(), wait_until="load")
    return tab, problems, requests


def test_report_in_chromium(browser, report):
    tab, problems, requests = open_tab(browser, report)
    try:
        assert tab.locator(".page").count() == PAGES
        # every page image decoded
        assert tab.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        assert tab.evaluate("document.images.length") == PAGES
        # the removed running title: outlined on page 2, visible, inside the page image
        box = tab.locator('.removed[data-kind="running_title"][data-page="2"]')
        assert box.count() == 1
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        b = box.bounding_box()
        img = tab.locator('.page[data-page="2"] figure.page-image img').bounding_box()
        assert b["width"] > 20 and b["height"] > 3, b
        assert img["x"] <= b["x"] and b["x"] + b["width"] <= img["x"] + img["width"] + 0.5
        assert img["y"] <= b["y"] and b["y"] + b["height"] <= img["y"] + img["height"] + 0.5
        # in the upper right of the page, where the PDF draws it
        assert b["x"] - img["x"] > img["width"] / 2 and b["y"] - img["y"] < img["height"] / 10
        # nothing but the file itself was requested (images are data: URIs)
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        # the blocks beside it are right to left, in an Arabic font
        first = tab.locator("#b1-p2 .text")
        assert first.evaluate("e => getComputedStyle(e).direction") == "rtl"
        assert "Amiri" in first.evaluate("e => getComputedStyle(e).fontFamily")
        assert problems == []
    finally:
        tab.close()


def test_index_sorts_in_chromium(browser, doc, report, tmp_path):
    out = write_index(index_records(doc, report, tmp_path), tmp_path / "index.html")
    tab, problems, _ = open_tab(browser, out)
    try:
        def order() -> list[str]:
            return tab.locator("#documents tbody tr td.doc bdi").all_inner_texts()

        before = order()
        assert before[0].startswith("almanbar/")
        tab.locator('th[data-key="pages"] button').click()
        asc = order()
        assert asc[:2] == ["almanbar/تقرير «المنبر» #1.pdf", "b/second.pdf"]  # 6 < 12, unknown last
        assert tab.locator('th[data-key="pages"]').get_attribute("aria-sort") == "ascending"
        tab.locator('th[data-key="pages"] button').click()
        assert order()[:2] == ["b/second.pdf", "almanbar/تقرير «المنبر» #1.pdf"]
        tab.locator('th[data-key="status"] button').click()
        assert order()[0] == 'c/<bad>"name".pdf'  # "failed" < "ok"
        assert order() != before
        assert problems == []
    finally:
        tab.close()


def test_batch_index_in_chromium(browser, tmp_path):
    """``pdfclean batch --review``: the index page sorts, its links open the
    reports, and neither has a console error."""
    import io
    import shutil

    from conftest import SAMPLES

    from pdfclean.batch import BatchOptions, run_batch

    src = tmp_path / "in"
    (src / "مقالات").mkdir(parents=True)
    shutil.copyfile(SAMPLE_PDF, src / "مقالات" / "مقال «١».pdf")
    shutil.copyfile(SAMPLES / "iraq-oil-inflation-libreoffice.pdf", src / "b.pdf")
    (src / "bad.pdf").write_bytes(b"%PDF-1.4 nothing else")
    out = tmp_path / "out"
    assert run_batch(BatchOptions(str(src), str(out), jobs=2, pages="1-2", review=True, progress="quiet"),
                     stderr=io.StringIO()) == 1
    tab, problems, requests = open_tab(browser, out / "pdfclean-review.html")
    try:
        def order() -> list[str]:
            return tab.locator("#documents tbody tr td.doc bdi").all_inner_texts()

        assert order() == ["b.pdf", "bad.pdf", "مقالات/مقال «١».pdf"]  # the paths, sorted
        tab.locator('th[data-key="status"] button').click()
        assert order()[0] == "bad.pdf"  # failed < ok
        tab.locator('th[data-key="status"] button').click()
        assert order()[-1] == "bad.pdf"
        tab.locator('th[data-key="garbage"] button').click()
        assert order()[-1] == "bad.pdf"  # no score: last
        assert tab.locator('tr[data-status="failed"] a').count() == 0
        assert problems == []
        # follow the link of the Arabic-named document: its report opens, whole
        with tab.expect_navigation():
            tab.locator('tr:has-text("مقال") a').click()
        assert tab.url.endswith(".review.html")
        assert tab.locator(".page").count() == 2
        assert tab.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        # and back to the index
        with tab.expect_navigation():
            tab.locator("a.index").click()
        assert tab.url.endswith("/pdfclean-review.html")
        assert problems == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    finally:
        tab.close()
