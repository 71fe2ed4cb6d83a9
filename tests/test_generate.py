"""The sample generator: every producer renders, and its truth matches what was drawn.

One run of samples/generate.py (all producers, ``--once``) over three articles in a
temporary folder: a full-length one with a cover, a short one with no cover and no head
gap, a short one whose cover has no title. pdfclean's own quality is test_samples' job.
"""

import json
import os
import re
import subprocess
import sys
import unicodedata

import pymupdf
import pytest

from conftest import ROOT
from shared import shared_value

sys.path.insert(0, str(ROOT / "samples"))
import generate  # noqa: E402

BASE = "iraq-water-cop29"
# slug -> (cover, head_gap, blocks kept)
VARIANTS = {BASE: ("full", "normal", None),
            "t-no-cover": ("none", "none", 8),
            "t-no-title": ("no_title", "normal", 5)}
# Producers whose raw text layer (get_text, NFKC, spaces ignored) holds each furniture
# piece as drawn. The legacy ones (reportlab, overprint) write Arabic in visual order.
LOGICAL_TEXT = {"libreoffice", "chromium", "libreoffice-kashida", "weasyprint", "typst", "ghostscript"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return shared_value(tmp_path_factory, "generated", lambda: _render(tmp_path_factory))


def _render(tmp_path_factory):
    articles = tmp_path_factory.mktemp("articles")
    out = tmp_path_factory.mktemp("pdfs")
    base = json.loads((ROOT / "samples" / "articles" / f"{BASE}.json").read_text(encoding="utf-8"))
    for slug, (cover, gap, keep) in VARIANTS.items():
        a = dict(base, slug=slug, blocks=base["blocks"][:keep] if keep else base["blocks"])
        if slug != BASE:
            a.update(cover=cover, head_gap=gap)
        (articles / f"{slug}.json").write_text(json.dumps(a, ensure_ascii=False), encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "samples" / "generate.py"), "--out", str(out),
                        "--articles-dir", str(articles), "--once", "--jobs", "3"]
                       + [arg for slug in VARIANTS for arg in ("--article", slug)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return articles, out


def flat(text: str) -> str:
    """NFKC, no whitespace, no bidi controls or joiners: what a drawn string must contain."""
    t = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", t)


@pytest.mark.parametrize("producer", generate.PRODUCERS)
def test_generator_renders_samples_with_truth(rendered, producer):
    """The generator itself works on this machine (system packages included)."""
    articles, out = rendered
    for slug, (cover, _, _) in VARIANTS.items():
        article = json.loads((articles / f"{slug}.json").read_text(encoding="utf-8"))
        pdf = out / f"{slug}-{producer}.pdf"
        truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
        with pymupdf.open(pdf) as doc:
            pages = doc.page_count
            texts = [flat(p.get_text()) for p in doc]
        assert truth["pages"] == pages and truth["file"] == pdf.name
        assert truth["producer"] == producer and truth["article"] == slug
        assert truth["blocks"] == [{"type": b["type"], "text": b["text"]} for b in article["blocks"]]
        assert truth["metadata"]["title"] == article["title"]
        assert truth["fonts"]["body"] in generate.PRODUCER_FONTS[producer]
        assert truth["fonts"]["latin"] == generate.LATIN_FONT[truth["fonts"]["body"]]
        assert (truth["front_matter"] == []) == (cover == "none")
        assert all(0 <= i < len(truth["blocks"]) for i in truth["split_blocks"])
        # furniture: every article page (page 1 too without a cover) has one running
        # title and one page number, and nothing is listed for a cover page
        first = 1 if cover == "none" else 2
        fpages = {f["page"] for f in truth["furniture"]}
        assert fpages == set(range(first, pages + 1)), (slug, fpages)
        for p in range(first, pages + 1):
            kinds = [f["kind"] for f in truth["furniture"] if f["page"] == p]
            assert kinds.count("running_title") == 1 and kinds.count("page_number") == 1
            assert [f["number"] for f in truth["furniture"]
                    if f["page"] == p and f["kind"] == "page_number"] == [p]
        if producer in LOGICAL_TEXT:
            for f in truth["furniture"]:      # (an RTL | LTR footer may come out in either order)
                for part in f["text"].split(" | "):
                    assert flat(part) in texts[f["page"] - 1], (slug, f)
            # title words (a wrapped title that mixes scripts comes out in any line and run
            # order; some fonts' lam-alef ligature reads back as alef-lam: most words)
            title = [flat(w) for w in article["title"].split()]

            def has_title(page: int) -> bool:
                return sum(w in texts[page] for w in title) >= 0.75 * len(title)

            assert has_title(0) == (cover != "no_title"), slug
            if cover != "none":
                assert flat(article["author"]) in texts[0]     # author line on the cover
                assert flat(truth["front_matter"][0]) in texts[0]
                assert has_title(1)
    if producer == "overprint":
        pdf = out / f"{BASE}-overprint.pdf"
        quirks = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["quirks"]
        with pymupdf.open(pdf) as doc:
            modes = {t["type"] for p in doc for t in p.get_texttrace()}
            assert {0, 1, 3} <= modes                          # filled, stroked, invisible
            assert doc[quirks["ocr_page"] - 1].get_images()
            assert {t["type"] for t in doc[quirks["ocr_page"] - 1].get_texttrace()} == {3}


def test_soffice_conversion_is_tried_again_when_no_pdf_comes(tmp_path, monkeypatch, capsys):
    """Headless LibreOffice now and then exits 1 with no PDF: the generator tries the
    missing files again (said on stderr), and after SOFFICE_ATTEMPTS fails with its output."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    # a fake soffice: fails while fewer than FAILS calls were made, then writes each PDF asked for
    (bin_dir / "soffice").write_text(
        "#!/bin/sh\necho x >> \"$CALLS\"\n"
        "if [ $(wc -l < \"$CALLS\") -le \"$FAILS\" ]; then echo 'lost its way' >&2; exit 1; fi\n"
        "out=; prev=\nfor a in \"$@\"; do [ \"$prev\" = --outdir ] && out=$a; prev=$a; done\n"
        "for a in \"$@\"; do case $a in *.docx) b=$(basename \"$a\" .docx); echo pdf > \"$out/$b.pdf\";; esac; done\n")
    (bin_dir / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("CALLS", str(calls))
    monkeypatch.setattr(generate.time, "sleep", lambda s: None)
    docs = [tmp_path / "a.docx", tmp_path / "b.docx"]
    (tmp_path / "a.pdf").write_text("stale")  # left from an earlier conversion: not taken for this one

    monkeypatch.setenv("FAILS", "1")
    generate.soffice_convert(tmp_path, docs)
    assert len(calls.read_text().split()) == 2
    assert all(d.with_suffix(".pdf").read_text() == "pdf\n" for d in docs)
    assert "soffice attempt 1/3: 2 PDF(s) missing (a.docx…; exit 1: lost its way)" in capsys.readouterr().err

    calls.unlink()
    monkeypatch.setenv("FAILS", "9")
    with pytest.raises(RuntimeError, match=r"did not convert a.docx, b.docx in 3 attempts \(exit 1: lost its way\)"):
        generate.soffice_convert(tmp_path, docs)
    assert len(calls.read_text().split()) == generate.SOFFICE_ATTEMPTS
