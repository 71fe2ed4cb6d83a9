"""The options and outputs the other tests pass over: ``pdfclean review``
through the command line, the limits (``LimitError``), every page-range form,
and the text, Markdown and JSON Lines writers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pdfclean
from conftest import SAMPLE_PDF
from pdfclean.errors import LimitError, PdfCleanError, PdfError
from pdfclean.pipeline import parse_pages
from pdfclean.formats import FORMATS
from pdfclean.writers import to_jsonl, to_markdown, to_text

CLI = [sys.executable, "-m", "pdfclean"]
PAGES = 6  # of SAMPLE_PDF


def run(*args):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def doc():
    return pdfclean.extract(SAMPLE_PDF)


# --------------------------------------------------------------------------- review

def test_review_through_the_cli(tmp_path):
    out = tmp_path / "تقرير.html"
    r = run("review", SAMPLE_PDF, "-o", out, "--pages", "1-2", "--dpi", "40")
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="page"') == 2
    assert "Content-Security-Policy" in html and "<img" in html
    first = pdfclean.extract(SAMPLE_PDF, pages="1-2").blocks[0].text
    assert first.split()[0] in html
    assert not list(tmp_path.glob(".pdfclean-*"))  # written atomically


def test_review_usage_and_document_errors(tmp_path):
    r = run("review", SAMPLE_PDF, "-o", "-")
    assert r.returncode == 2 and "the report is a file" in r.stderr
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"<html></html>")
    r = run("review", bad, "-o", tmp_path / "r.html")
    assert r.returncode == 1 and r.stderr.strip().count("\n") == 0 and "not a PDF" in r.stderr
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- limits

def test_max_pages():
    with pytest.raises(LimitError, match=rf"too many pages \({PAGES}; limit 2\)"):
        pdfclean.extract(SAMPLE_PDF, max_pages=2)
    assert pdfclean.extract(SAMPLE_PDF, max_pages=PAGES, pages="1").source.pages == PAGES


def test_max_bytes_for_a_path_and_for_bytes():
    size = Path(SAMPLE_PDF).stat().st_size
    with pytest.raises(LimitError, match=rf"file too large \({size} bytes; limit 1000\)"):
        pdfclean.extract(SAMPLE_PDF, max_bytes=1000)
    with pytest.raises(LimitError, match=rf"input too large \({size} bytes; limit 1000\)"):
        pdfclean.extract(Path(SAMPLE_PDF).read_bytes(), max_bytes=1000)
    assert isinstance(LimitError("x"), PdfCleanError)


# --------------------------------------------------------------------------- page ranges

@pytest.mark.parametrize("spec,want", [
    ("1,3,7-", [1, 3, 7, 8, 9, 10]),
    ("-4", [1, 2, 3, 4]),
    ("2-5", [2, 3, 4, 5]),
    ("8-", [8, 9, 10]),
    ("3", [3]),
    (" 2 , 2-3 ,", [2, 3]),  # spaces, repeats and an empty part
    ("9-40", [9, 10]),  # clipped to the document
    ("11-", []),
    (None, list(range(1, 11))),
    ("", list(range(1, 11))),
])
def test_page_range_forms(spec, want):
    assert parse_pages(spec, 10) == want


@pytest.mark.parametrize("spec", ["5-2", "0", "0-3", "a", "1-x", "1,,b", "2-3-4", "1.5"])
def test_bad_page_ranges(spec):
    with pytest.raises(ValueError, match="bad page range"):
        parse_pages(spec, 10)


def pages_read(*args):
    r = run("extract", SAMPLE_PDF, *args)
    assert r.returncode == 0, r.stderr
    return [p["page"] for p in json.loads(r.stdout)["pages"]]


def test_page_ranges_through_the_cli():
    assert pages_read("--pages", "1,3,7-") == [1, 3]  # the sample has 6 pages
    assert pages_read("--pages", "5-") == [5, 6]
    assert pages_read("--pages", "-2") == [1, 2]


@pytest.mark.parametrize("spec", ["5-2", "0", "x", "1-y"])
def test_bad_page_ranges_through_the_cli_exit_2_with_one_line(spec):
    r = run("extract", SAMPLE_PDF, "--pages", spec)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [f"pdfclean: --pages: bad page range {spec!r}"
                                             + (" (use e.g. 2-5 or 1,3,7-)" if spec in ("x", "1-y") else "")]


def test_a_range_past_the_end_is_the_documents_failure():
    with pytest.raises(PdfError, match=rf"no page 9- in this PDF \(it has {PAGES}\)"):
        pdfclean.extract(SAMPLE_PDF, pages="9-")
    r = run("extract", SAMPLE_PDF, "--pages", "9-")
    assert r.returncode == 1 and "no page 9- in this PDF" in r.stderr


# --------------------------------------------------------------------------- writers

def test_text_writer(doc):
    text = to_text(doc)
    parts = text.rstrip("\n").split("\n\n")
    assert text.endswith("\n") and parts[0] == doc.metadata.title
    assert len(parts) == 1 + len(doc.blocks)
    for part, b in zip(parts[1:], doc.blocks):
        assert part == (f"• {b.text}" if b.type == "list_item" else b.text)


def test_markdown_writer(doc):
    md = to_markdown(doc)
    parts = md.rstrip("\n").split("\n\n")
    assert parts[0] == f"# {doc.metadata.title}"
    assert parts[1].startswith("*") and doc.metadata.author in parts[1]
    body = parts[2:]
    assert len(body) == len(doc.blocks)
    for part, b in zip(body, doc.blocks):
        want = {"heading": "## ", "list_item": "- ", "quote": "> ", "footnote": "[^] "}.get(b.type, "")
        assert part.startswith(want) and part.endswith(b.text)
    assert any(p.startswith("## ") for p in body)


def test_markdown_escapes_a_paragraph_that_would_read_as_syntax():
    from pdfclean.model import Block

    d = pdfclean.extract(SAMPLE_PDF, pages="2")
    d.blocks = [Block("paragraph", "# ليس عنواناً", [2]), Block("paragraph", "1. ليس بنداً", [2]),
                Block("paragraph", "- ولا هذا", [2]), Block("list_item", "- بند", [2])]
    body = to_markdown(d).rstrip("\n").split("\n\n")[-4:]
    assert body == ["\\# ليس عنواناً", "\\1. ليس بنداً", "\\- ولا هذا", "- - بند"]


def test_jsonl_writer_is_one_line_of_the_json(doc):
    line = to_jsonl(doc)
    assert "\n" not in line
    assert json.loads(line) == json.loads(doc.to_json())
    assert set(FORMATS) == {"json", "jsonl", "text", "markdown", "alto"}


@pytest.mark.parametrize("fmt", ["text", "markdown", "jsonl"])
def test_cli_formats_are_the_writers(tmp_path, doc, fmt):
    r = run("extract", SAMPLE_PDF, "-f", fmt)
    assert r.returncode == 0, r.stderr
    want = FORMATS[fmt](doc)
    assert r.stdout == (want if want.endswith("\n") else want + "\n")


@pytest.mark.parametrize("indent", [2, 0, 4, None])
def test_dumps_writes_what_json_dumps_writes(doc, indent):
    """The writer's own indented JSON is json.dumps' byte for byte, odd values
    (NaN, a non-string key, a Counter, a tuple, empty containers) too."""
    from collections import Counter

    from pdfclean.writers import _dumps

    odd = {"a": [], "b": {}, "c": [1.5, float("nan"), float("inf"), -0.0, 10**30, True, None, "x\n\"\u2028"],
           "d": (1, [{"e": False}]), "f": Counter(g=1), "h": {1: 2, None: 3}, "i": 7}
    for obj in (doc.to_dict(explain=True), doc.to_dict(search_text=True), odd, [odd, [[]]], 3.25, "s"):
        assert _dumps(obj, indent) == json.dumps(obj, ensure_ascii=False, indent=indent)
