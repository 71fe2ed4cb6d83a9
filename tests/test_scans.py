"""Scans of every kind (issue 13): rendered by their pixels, never failing
for a reason of ours.

Each kind of samples/scan.py (``KINDS``: a pixel-sized page box with no
resolution recorded, 150/200/300 dpi grey JPEG, 1-bit Flate and CCITT G4 at
300 dpi, /Rotate 90, a phone-camera-like page) is made in tmp_path from one
page of a sample and read back: body CER against the same page's text layer
and the metadata against the truth, within their gates (tests/gates.json,
``scan_kinds``; measured by benchmarks/measure_gates.py --only scan_kinds).
The scale of a render comes from the page's image, whatever the page box.
An OCR failure is a warning naming the page; when nothing is left the
document fails (the PDF's fault) — and a bug of ours is an InternalError.
"""

import json
import sys

import pymupdf
import pytest
from conftest import ROOT, SAMPLES

import gates
import pdfclean
from pdfclean import ocr
from pdfclean.errors import InternalError, PdfError

sys.path.insert(0, str(ROOT / "samples"))
import scan  # noqa: E402

KIND_SAMPLE = "iraq-oil-inflation-libreoffice"  # the page every kind is made of …
KIND_PAGES = [2]  # … its first article page: the head, body, a heading, Latin and digits


def test_paper_dpi_of_a_pixel_count():
    assert ocr.paper_dpi(1275, 1650) == 150  # Letter
    assert ocr.paper_dpi(1650, 1275) == 150  # turned
    assert ocr.paper_dpi(2480, 3508) == 300  # A4
    assert ocr.paper_dpi(1241, 1754) == 150
    assert ocr.paper_dpi(1000, 1000) is None


@pytest.mark.parametrize("kind, units", [("pixel-box", 150.0), ("150dpi", 72.0), ("300dpi", 72.0),
                                         ("bilevel", 72.0), ("ccitt", 72.0), ("jbig2", 72.0),
                                         ("rotate90", 72.0)])
def test_the_scale_comes_from_the_image(tmp_path, kind, units):
    pdf = tmp_path / f"{kind}.pdf"
    scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, kind, KIND_PAGES)
    with pymupdf.open(pdf) as d:
        page = d[0]
        assert ocr.page_units(page) == units
        # the deskew render works on any box (PyMuPDF 2 refuses a float dpi)
        angle = ocr.estimate_skew(page)
        assert abs(angle) <= ocr.MAX_SKEW
        r = ocr._render(page, 300.0, 0.0, ocr.page_units(page))
        h, w = r.img.shape
        # 300 dpi of the paper, whatever the box: an A4 page is 2480 × 3508 pixels
        assert abs(w - 2480) < 30 and abs(h - 3508) < 30


def test_a_user_unit_box_is_the_paper(tmp_path):
    import io

    import pikepdf

    src = pymupdf.open()
    page = src.new_page(width=297.6, height=421)  # A4 in units of 2 points
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 1654, 2339), False)
    pix.clear_with(255)
    page.insert_image(page.rect, pixmap=pix)
    pdf = pikepdf.open(io.BytesIO(src.tobytes()))
    pdf.pages[0].obj["/UserUnit"] = 2
    out = io.BytesIO()
    pdf.save(out)
    with pymupdf.open(stream=out.getvalue()) as d:
        assert d[0].rect.width == pytest.approx(595.2)  # MuPDF applies /UserUnit
        assert ocr.page_units(d[0]) == 72.0


def test_a_page_mupdf_cannot_draw_is_a_warning_and_a_document_of_such_pages_fails(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pdfclean.cli import main

    pdf = tmp_path / "scan.pdf"
    scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, "pixel-box", [1])

    def broken(self, *a, **k):
        raise RuntimeError("code=2: broken image stream (fake)")

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", broken)
    with pytest.raises(PdfError, match=r"OCR failed on page\(s\) 1 .*page 1: cannot render the page"):
        pdfclean.extract(pdf)
    r = CliRunner().invoke(main, ["extract", str(pdf)])
    assert r.exit_code == 1 and "OCR failed on page(s) 1" in r.output
    # beside a page with a text layer, the failed page is a warning naming it
    mixed = tmp_path / "mixed.pdf"
    with pymupdf.open() as out, pymupdf.open(SAMPLES / f"{KIND_SAMPLE}.pdf") as text, pymupdf.open(pdf) as img:
        out.insert_pdf(text, from_page=2, to_page=2)
        out.insert_pdf(img)
        out.save(mixed)
    doc = pdfclean.extract(mixed)
    assert doc.blocks
    assert any(w.startswith("page 2 needs OCR (no text layer), but OCR failed (cannot render") for w in doc.warnings)


def test_a_bug_of_ours_while_rendering_is_an_internal_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pdfclean.cli import main

    pdf = tmp_path / "scan.pdf"
    scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, "pixel-box", [1])

    def bad_argument(self, *a, **k):  # what PyMuPDF 2 raised for a float dpi
        raise TypeError("in method 'fz_pixmap_xres_set', argument 2 of type 'int'")

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", bad_argument)
    with pytest.raises(InternalError, match="internal error on page 1: TypeError"):
        pdfclean.extract(pdf)
    r = CliRunner().invoke(main, ["extract", str(pdf)])
    assert r.exit_code == 3, r.output


@pytest.mark.parametrize("kind", list(scan.KINDS))
def test_every_kind_of_scan_is_read(tmp_path, kind):
    truth = json.loads((SAMPLES / f"{KIND_SAMPLE}.truth.json").read_text(encoding="utf-8"))
    got = scan.measure_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", kind, KIND_PAGES, tmp_path, truth)
    assert not got["failed"] and got["ocr_pages"] == len(KIND_PAGES)
    gates.check(("scan_kinds", kind, "cer"), got["cer"])
    gates.check(("scan_kinds", kind, "metadata"), got["meta_right"] / got["meta_total"])
    assert got["meta_right"] / got["meta_total"] >= 0.75, got["meta_wrong"]  # the bar for every kind: 3 of 4


def _triage(pdf) -> dict[int, str | None]:
    """Why each page of ``pdf`` would be read by OCR (``--ocr auto``), without reading it."""
    from pdfclean.engines import open_engine
    from pdfclean.pipeline import _page, needs_ocr

    data = pdf.read_bytes()
    eng = open_engine("pymupdf", data, None)
    try:
        pages = [_page(raw) for raw in eng.pages(list(range(1, eng.page_count + 1)))]
    finally:
        eng.close()
    bare = [p.number for p in pages if not p.lines and p.image_coverage <= 0.05]
    outlined = ocr.outlined_pages(data, None, bare)
    return {p.number: needs_ocr(p, "auto", p.number in outlined) for p in pages}


def test_text_drawn_as_outlines_is_an_ocr_candidate(tmp_path):
    pdf = tmp_path / "outlines.pdf"
    scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, "outlines", [1, 2])
    with pymupdf.open(pdf) as d:
        assert not d[1].get_text().strip() and not d[1].get_images()
    assert _triage(pdf) == {1: "text drawn as outlines", 2: "text drawn as outlines"}
    # a blank page is no candidate, nor one with a few shapes
    blank = tmp_path / "blank.pdf"
    with pymupdf.open() as d:
        d.new_page()
        p = d.new_page()
        for i in range(40):
            p.draw_rect(pymupdf.Rect(50 + 10 * i, 100, 58 + 10 * i, 300), color=None, fill=(0, 0, 0))
        d.save(blank)
    assert _triage(blank) == {1: None, 2: None}


def test_no_page_with_a_usable_text_layer_is_ocred():
    from conftest import REAL

    garbled = {"ar_lyx_howto_ghostscript550_type3_garbled.pdf", "fa_seminar_guideline_image_only.pdf"}
    for pdf in sorted(SAMPLES.glob("*.pdf")) + sorted(p for p in REAL.glob("*.pdf") if p.name not in garbled):
        why = {n: r for n, r in _triage(pdf).items() if r}
        assert not why, f"{pdf.name}: {why}"


def test_a_layer_of_no_language_is_an_ocr_candidate(tmp_path):
    pdf = tmp_path / "cipher.pdf"
    scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, "cipher", [2, 3])
    doc = pdfclean.extract(pdf, ocr="never")  # real Arabic letters, no glyph-code noise to see …
    assert all(p["quality"] <= 0.3 for p in doc.pages)  # … but a low quality, and a warning
    assert any("garbled" in w and "1-2" in w for w in doc.warnings)
    reason = "text layer of no language (Arabic letters, no Arabic or Persian words)"
    assert _triage(pdf) == {1: reason, 2: reason}


@pytest.mark.parametrize("recorded, units", [(72, 300.0), (96, 225.0), (300, 72.0)])
def test_a_scan_recorded_at_a_wrong_resolution_is_measured_by_its_pixels(tmp_path, recorded, units):
    from PIL import Image

    img = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi
    pdf = tmp_path / "scan.pdf"
    scan.image_pdf([{"img": img, "box": (2480 * 72 / recorded, 3508 * 72 / recorded)}], pdf)
    with pymupdf.open(pdf) as d:
        assert ocr.page_units(d[0]) == pytest.approx(units)
        r = ocr._render(d[0], 300.0, 0.0, ocr.page_units(d[0]))
        assert r.img.shape == (3508, 2480)  # 300 dpi of the paper: the scan's own pixels


@pytest.mark.parametrize("kind", ["pixel-box", "150dpi", "300dpi", "bilevel", "ccitt", "jbig2", "rotate90"])
def test_deskew_finds_the_rotation_of_every_kind(tmp_path, kind):
    pdf = tmp_path / f"{kind}.pdf"
    made = scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, kind, [2, 3])
    with pymupdf.open(pdf) as d:
        for page, want in zip(d, made["angles"]):
            assert abs(ocr.estimate_skew(page) - want) < 0.15, (kind, page.number, want)


def test_a_scan_in_strips_is_one_scan(tmp_path):
    # a Letter page at 150 dpi in a pixel-sized box, cut into ten strips (some scanners do)
    import io

    from PIL import Image

    img = Image.new("L", (1275, 1650), 255)
    with pymupdf.open() as d:
        page = d.new_page(width=1275, height=1650)
        for i in range(10):
            buf = io.BytesIO()
            img.crop((0, 165 * i, 1275, 165 * (i + 1))).save(buf, "PNG")
            page.insert_image(pymupdf.Rect(0, 165 * i, 1275, 165 * (i + 1)), stream=buf.getvalue())
        assert ocr.scan_density(page) == (pytest.approx(1.0), (1275, 1650))
        assert ocr.page_units(page) == 150.0


# --- what OCR gets wrong about a page's head, whatever the scan -------------------------

def test_an_ocr_reading_of_a_persian_running_title_is_foreign_furniture():
    # Tesseract's Arabic model reads Persian final «ی» as «ى» (one shape) and «گ» as «ك»
    from pdfclean.furniture import classify

    line = "اقتصاد عراق؛ وابستكى به نفت و فشار تورم"
    assert classify(line, "top", 1, "ar", None, fuzzy=True) == [("running_title", line)]
    assert classify(line, "top", 1, "ar", None) == []  # a text layer's «ى» is Arabic evidence


def test_author_and_source_read_as_one_paragraph_are_two_fields():
    from pdfclean.metadata import read_metadata
    from pdfclean.model import Block

    text = "الكاتب: فرشته صادقي المصدر: صحيفة الاقتصاد اليوم. شر بتاريخ 18 آذار / مارس 2025."
    m = read_metadata([], [Block("paragraph", text, [1])], 12.0)
    assert (m.author, m.source, m.published) == ("فرشته صادقي", "صحيفة الاقتصاد اليوم", "2025-03-18")
    quoted = "وقال الكاتب: إن المصدر: مجهول"  # a body sentence is not split into fields
    assert read_metadata([], [Block("paragraph", quoted, [1])], 12.0).source is None


def test_a_smear_read_as_letters_is_not_a_line():
    W = ocr._Word
    body = [[W("نص", 100, 100 + 20 * i, 130, 112 + 20 * i, 92.0, line=i)] for i in range(5)]
    smear = [W("لل", 250, 0, 450, 60, 17.0, line=9), W("حب", 460, 0, 600, 60, 12.0, line=9)]
    sure = [W("لل", 250, 0, 450, 60, 85.0, line=10)]  # a confident reading stays, however large
    kept = ocr._without_smears(body + [smear, sure])
    assert smear not in kept and sure in kept and all(b in kept for b in body)


def test_light_falling_off_is_evened_out_and_even_light_left_alone():
    import numpy as np

    rng = np.random.default_rng(7)
    h, w = 600, 400
    page = np.full((h, w), 250, np.uint8)
    for y in range(40, h - 40, 24):  # lines of "text"
        page[y:y + 6, 40:w - 40] = np.where(rng.random((6, w - 80)) < 0.5, 30, 250)
    assert ocr.even_light(page) is page  # a scanner's even light: untouched
    fall = np.linspace(1.0, 0.55, w)[None, :]  # 45 % less light at one side
    dim = (page * fall).astype(np.uint8)
    out = ocr.even_light(dim)
    paper = out[page == 250]
    ink = out[page == 30]
    assert paper.min() > 215 and np.median(paper) >= 240  # paper near white again, both sides
    assert dim[page == 250].min() < 140  # (it was dark grey at one side)
    assert ink.max() < 120  # ink still ink


def test_the_review_outlines_an_ocr_page_stored_sideways_where_its_text_is(tmp_path):
    from pdfclean.review import render_pages

    pdf = tmp_path / "rotate90.pdf"
    scan.make_kind(SAMPLES / f"{KIND_SAMPLE}.pdf", pdf, "rotate90", KIND_PAGES)
    ref = pdfclean.extract(SAMPLES / f"{KIND_SAMPLE}.pdf", pages="2", ocr="never")
    doc = pdfclean.extract(pdf)
    assert doc.pages[0]["ocr"]

    def title_box(d, path, number):
        head = next(r for r in d.removed if r.kind == "article_head")
        view = render_pages(path, [number], max_images=0)[number]
        return view.percent_box(head.bbox, bool(d.pages[0]["ocr"]))

    want = title_box(ref, SAMPLES / f"{KIND_SAMPLE}.pdf", 2)
    got = title_box(doc, pdf, 1)
    assert got is not None and all(abs(g - w) < 3 for g, w in zip(got, want)), (got, want)
