"""OCR with Tesseract (src/pdfclean/ocr/), with real Tesseract runs.

Every scanned sample (samples/scans, made by samples/scan.py) must meet its
gates (tests/gates.json: body CER, leaked furniture, metadata, each within
the rule of tests/gates.py of what was measured). The image-only and garbled real PDFs
must give Arabic/Persian text with a warning naming the OCRed pages; in a
file mixing a good page and a garbage text layer only the latter is OCRed;
without Tesseract a warning names the pages and nothing crashes.
"""

import json
import random
import re
from collections import Counter
from pathlib import Path

import pymupdf
import pytest
from conftest import REAL, ROOT, SAMPLES

import gates
import pdfclean
from pdfclean import ocr
from pdfclean.errors import InternalError
from pdfclean.eval import score_doc

SCANS = ROOT / "samples" / "scans"
ARABIC = re.compile("[\u0621-\u064a]")
PERSIAN = re.compile("[پچژگکی]")

SCORED = sorted(p.stem for p in SCANS.glob("*-scan.pdf"))  # every scan, each with its gates
MIN_ANGLE = 0.2  # a text-layer page needs no deskew


def test_scans_are_committed_with_truth():
    pdfs = sorted(SCANS.glob("*-scan.pdf"))
    assert len(pdfs) >= 5
    total = 0
    for pdf in pdfs:
        truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))
        assert truth["producer"].endswith("-scan") and truth["file"] == pdf.name
        total += pdf.stat().st_size
        assert pdf.stat().st_size < 1 << 20
        with pymupdf.open(pdf) as d:
            assert not d[0].get_text().strip()  # image only
    assert total < 10 * (1 << 20)


@pytest.mark.parametrize("name", SCORED)
def test_scanned_sample_meets_the_bar(name):
    pdf = SCANS / f"{name}.pdf"
    truth = json.loads((SCANS / f"{name}.truth.json").read_text(encoding="utf-8"))
    doc = pdfclean.extract(pdf)
    s = score_doc(doc.to_dict(), truth, pdf.name, "pymupdf")
    gates.check(("ocr", name, "cer"), s.cer)
    gates.check(("ocr", name, "leaked"), len(s.leaked))
    gates.check(("ocr", name, "metadata"), s.meta_right / s.meta_total)
    assert any("read by OCR" in w and f"1-{truth['pages']}" in w for w in doc.warnings)
    d = doc.to_dict()
    assert all(b.get("ocr") is True and 0 < b["confidence"] <= 100 for b in d["blocks"])
    assert all(p["ocr"] for p in d["pages"])


def test_deskew_finds_the_scan_rotation():
    name = "iraq-water-cop29-libreoffice-scan"
    angles = json.loads((SCANS / f"{name}.truth.json").read_text(encoding="utf-8"))["scan"]["angles"]
    with pymupdf.open(SCANS / f"{name}.pdf") as d:
        for page, want in zip(d, angles):
            assert abs(ocr.estimate_skew(page) - want) < 0.15


def test_skew_of_a_synthetic_page():
    np = pytest.importorskip("numpy")
    img = np.full((600, 800), 255, dtype=np.uint8)
    for y in range(60, 560, 40):  # text-like bars, tilted by 2 degrees
        for x in range(50, 750):
            yy = int(y + (x - 400) * np.tan(np.radians(2.0)))
            img[yy: yy + 8, x] = 0
    assert abs(ocr.skew_of(img) - (-2.0)) < 0.1  # rotating by -2° straightens it
    assert ocr.skew_of(np.full((100, 100), 255, dtype=np.uint8)) == 0.0


def test_words_are_glyphs_in_logical_order():
    # a text-layer page read by OCR: whole words, logical order, boxes in points
    with pymupdf.open(SAMPLES / "iraq-oil-inflation-libreoffice.pdf") as d:
        res = ocr.ocr_page(d, 2)
        width, height = d[1].rect.width, d[1].rect.height
    words = [g for g in res.glyphs if g.text != " "]
    assert len(words) > 150 and 80 < res.confidence <= 100
    assert abs(res.angle) < MIN_ANGLE
    texts = {g.text for g in words}
    assert {"في", "على", "من"} <= texts and "يف" not in texts
    for g in words:
        assert g.font == "OCR" and g.conf is not None and len(g.text) >= 1
        assert 0 <= g.x0 < g.x1 <= width and 0 <= g.y0 < g.baseline < g.y1 <= height
    # the body text of a page is one size
    sizes = [g.size for g in words]
    assert max(set(sizes), key=sizes.count) == pytest.approx(12, abs=2)


def test_image_only_persian_pdf_is_read():
    doc = pdfclean.extract(REAL / "fa_seminar_guideline_image_only.pdf")
    text = " ".join(b.text for b in doc.front_matter + doc.blocks) + " " + (doc.metadata.title or "")
    assert len(PERSIAN.findall(text)) > 50
    assert "گزارش" in text
    assert doc.metadata.language == "fa"
    assert any("page(s) 1 read by OCR" in w for w in doc.warnings)
    blocks = doc.to_dict()["blocks"]
    assert blocks and all(b.get("ocr") is True and "confidence" in b for b in blocks)


def test_garbled_type3_pdf_is_read():
    doc = pdfclean.extract(REAL / "ar_lyx_howto_ghostscript550_type3_garbled.pdf", pages="2-3")
    text = " ".join(b.text for b in doc.blocks)
    assert len(ARABIC.findall(text)) > 1000
    assert "لينكس" in text and "العربية" in text
    assert any("page(s) 2-3 read by OCR" in w for w in doc.warnings)
    assert not any("garbled" in w for w in doc.warnings)  # read, so no longer garbled


def _mixed_pdf() -> bytes:
    """Page 1: a good text layer. Page 2: a scan of another page under an
    invisible text layer of glyph-code noise (what a broken font encoding or a
    bad OCR layer leaves)."""
    src = pymupdf.open(SAMPLES / "iraq-water-cop29-libreoffice.pdf")
    out = pymupdf.open()
    out.insert_pdf(src, from_page=2, to_page=2)
    rect = src[3].rect
    page = out.new_page(width=rect.width, height=rect.height)
    page.insert_image(page.rect, pixmap=src[3].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY))
    rng = random.Random(7)
    noise = "bcdfghjklmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ[]^_`{}|~+/=<>"
    for y in range(80, 780, 22):
        line = " ".join("".join(rng.choice(noise) for _ in range(rng.randint(3, 9))) for _ in range(12))
        page.insert_text((60, y), line, fontsize=10, render_mode=3)
    data = out.tobytes()
    src.close()
    out.close()
    return data


@pytest.fixture(scope="module")
def mixed() -> bytes:
    return _mixed_pdf()


def test_only_the_garbage_page_is_ocred(mixed):
    doc = pdfclean.extract(mixed)
    pages = {p["page"]: p for p in doc.to_dict()["pages"]}
    assert pages[1]["ocr"] is False and pages[1]["ocr_confidence"] is None
    assert pages[2]["ocr"] is True and pages[2]["ocr_confidence"] > 70
    assert any("page(s) 2 read by OCR" in w for w in doc.warnings)
    assert not any("garbled" in w for w in doc.warnings)
    one = [b for b in doc.blocks if b.pages == [1]]
    two = [b for b in doc.blocks if b.pages == [2]]
    assert one and all(b.confidence is None for b in one)  # the text layer, untouched
    assert two and all(b.confidence is not None for b in two)
    text2 = " ".join(b.text for b in two)
    assert "الأهوار" in text2 and "العراق" in text2
    assert not re.search(r"[A-Za-z]{4}[\[\]^_`{}|~]", text2)  # no noise left


def test_ocr_never_leaves_pages_alone(mixed):
    doc = pdfclean.extract(mixed, ocr="never")
    assert all(not p["ocr"] for p in doc.to_dict()["pages"])
    assert any("garbled" in w and "2" in w for w in doc.warnings)
    assert not any("OCR" in w for w in doc.warnings)
    doc = pdfclean.extract(REAL / "fa_seminar_guideline_image_only.pdf", ocr="never")
    assert not doc.blocks


def test_ocr_always_reads_a_good_page_too(mixed):
    doc = pdfclean.extract(mixed, ocr="always", pages="1")
    assert doc.to_dict()["pages"][0]["ocr"] is True
    assert "مؤتمر" in doc.text


def test_without_tesseract_a_warning_names_the_pages(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract anywhere
    monkeypatch.delenv("PDFCLEAN_TESSERACT", raising=False)
    doc = pdfclean.extract(REAL / "ar_lyx_howto_ghostscript550_type3_garbled.pdf", pages="1-3")
    msg = [w for w in doc.warnings if "OCR is unavailable" in w]
    assert msg and "1-3" in msg[0] and "Tesseract is not installed" in msg[0]
    assert any("garbled" in w and "1-3" in w for w in doc.warnings)
    with pytest.raises(ocr.OcrUnavailable):
        ocr.open_document(b"%PDF-1.4", None)


def test_without_tesseract_the_cli_warns_and_succeeds(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from pdfclean.cli import main

    monkeypatch.setenv("PATH", str(tmp_path))
    r = CliRunner().invoke(main, ["extract", str(REAL / "fa_seminar_guideline_image_only.pdf")])
    assert r.exit_code == 0, r.output
    assert "OCR is unavailable" in r.output and "page(s) 1" in r.output


def test_a_missing_language_is_named(monkeypatch):
    with pytest.raises(ocr.OcrUnavailable, match="no data for xyz"):
        ocr.check("ara+xyz")
    with pytest.raises(ocr.OcrUnavailable, match="bad OCR language"):
        ocr.check("ara --psm 0")
    doc = pdfclean.extract(REAL / "fa_seminar_guideline_image_only.pdf", ocr_lang="ara+xyz")
    assert any("page" in w and "1" in w and "xyz" in w for w in doc.warnings)
    assert not doc.blocks


def test_hocr_words_and_baselines():
    hocr = (
        "<span class='ocr_line' id='line_1_1' title=\"bbox 100 200 900 260; baseline -0.01 -12; "
        "x_size 50\"><span class='ocrx_word' id='w1' title='bbox 700 205 900 258; x_wconf 91'>"
        "العراق</span> <span class='ocrx_word' id='w2' title='bbox 100 210 300 250; x_wconf 88'>"
        "<strong>COP29</strong></span></span>"
    )
    words = ocr.parse_hocr(hocr)
    assert [w.text for w in words] == ["العراق", "COP29"]
    assert words[0].conf == 91 and words[1].x0 == 100
    assert words[0].base == pytest.approx(260 - 12 - 0.01 * 700)


def test_readings_are_merged_word_by_word():
    W = ocr._Word
    # all-languages reading: Arabic misread as English, real English right
    full = [W("fy", 10, 0, 20, 10, 70, 9, 1, 1), W("COP29", 30, 0, 60, 10, 92, 9, 1, 1)]
    # Arabic-only reading: the Arabic right, the English as digit soup
    rtl = [W("في", 10, 0, 20, 10, 91, 9, 2, 2), W("00229", 30, 0, 60, 10, 68, 9, 2, 2)]
    got = sorted(w.text for w in ocr.combine([full, rtl]))
    assert got == ["COP29", "في"]


# --------------------------------------------------------------------------- pages read in parallel

def small_scan(path, pages: int = 4, name: str = "iraq-water-cop29-libreoffice-scan",
               band: tuple[float, float] = (0.12, 0.32)) -> None:
    """An image-only PDF of ``pages`` small pages (a band of a scanned sample
    page each, 200 dpi JPEG): about a second of Tesseract per page."""
    with pymupdf.open(SCANS / f"{name}.pdf") as src, pymupdf.open() as out:
        for i in range(pages):
            sp = src[i % src.page_count]
            r = sp.rect
            clip = pymupdf.Rect(r.x0, r.y0 + r.height * band[0], r.x1, r.y0 + r.height * band[1])
            pix = sp.get_pixmap(dpi=200, clip=clip, colorspace=pymupdf.csGRAY)
            page = out.new_page(width=clip.width, height=clip.height)
            page.insert_image(page.rect, stream=pix.tobytes("jpeg", jpg_quality=85))
        out.save(path, garbage=3, deflate=True)


def tesseract_log(tmp_path, monkeypatch, **meet):
    """Put a wrapper round Tesseract (tests/tesseract_wrapper.py) that logs
    when each page reading starts and ends (and the process that ran it);
    returns the log path. ``meet=N`` (and the wrapper's other ``TESS_*``
    settings, given in lower case) makes readings meet: N at once, by events."""
    import sys

    monkeypatch.delenv("PDFCLEAN_TESSERACT", raising=False)  # the real one, not an earlier wrapper
    real = ocr.tesseract_path()
    log = tmp_path / "tesseract.log"
    wrapper = tmp_path / "tesseract-logged"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parent / "tesseract_wrapper.py"}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PDFCLEAN_TESSERACT", str(wrapper))
    monkeypatch.setenv("TESS_REAL", real)
    monkeypatch.setenv("TESS_LOG", str(log))
    monkeypatch.setenv("TESS_STATE", str(tmp_path / "tesseract-state"))
    for k in ("TESS_MEET", "TESS_MEET_AFTER", "TESS_GATE", "TESS_GATE_FREE_HEIGHTS"):
        monkeypatch.delenv(k, raising=False)
    for k, v in meet.items():
        monkeypatch.setenv(f"TESS_{k.upper()}", str(v))
    return log


def heights(log) -> list[int]:
    """The image heights (pixels) of the readings in a log of :func:`tesseract_log`."""
    return [int(line.split()[4]) for line in log.read_text().splitlines() if line.startswith("start")]


def overlap(log, by_parent: bool = False) -> int | dict[int, int]:
    """The most Tesseract runs at once in a log of :func:`tesseract_log` (per
    parent process with ``by_parent``)."""
    events = []
    for line in log.read_text().splitlines():
        kind, _pid, parent, t, *_ = line.split()
        events.append((float(t), 0 if kind == "end" else 1, int(parent)))
    events.sort()  # at the same instant an end before a start
    now: Counter = Counter()
    most: Counter = Counter()
    total = best = 0
    for _t, start, parent in events:
        d = 1 if start else -1
        now[parent] += d
        total += d
        most[parent] = max(most[parent], now[parent])
        best = max(best, total)
    return dict(most) if by_parent else best


def fake_reader(monkeypatch, barrier_parties: int, delays: dict[int, float] | None = None):
    """Replace ``ocr_page`` by a fake that proves concurrency without timing:
    the first ``barrier_parties`` pages wait at a barrier for one another (one
    page alone would wait in vain and fail). Each page's result is a word
    naming the page. Returns the counters of pages running at once."""
    import threading

    from pdfclean.model import Glyph

    barrier = threading.Barrier(barrier_parties, timeout=20)
    lock = threading.Lock()
    state = {"now": 0, "most": 0, "order": []}
    ends = {n: threading.Event() for n in range(1, 50)}

    def fake(doc, number, lang=ocr.DEFAULT_LANG, *a, **k):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        try:
            if number <= barrier_parties:
                barrier.wait()
            if number == 1 and barrier_parties > 1:
                assert ends[2].wait(20)  # page 1 ends after page 2: the order must not follow
            if number == 3:
                raise ocr.OcrError("Tesseract failed (fake)")
            word = ["صفحة", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة"][number]
            g = Glyph(word, 100, 100, 200, 120, 116, 14, "OCR", conf=90.0)
            return ocr.OcrResult([g], 90.0)
        finally:
            with lock:
                state["now"] -= 1
                state["order"].append(number)
            ends[number].set()

    monkeypatch.setattr(ocr.pages, "ocr_page", fake)  # where read_pages looks it up
    return state


def test_parallel_reading_is_concurrent_keeps_page_order_and_warnings(monkeypatch, tmp_path):
    pdf = tmp_path / "blank-scan.pdf"
    small_scan(pdf, pages=6)
    state = fake_reader(monkeypatch, 1)
    one = pdfclean.extract(pdf, ocr_jobs=1)
    assert state["most"] == 1 and state["order"] == [1, 2, 3, 4, 5, 6]

    state = fake_reader(monkeypatch, 3)  # three pages must meet: three readers at once
    seen = []
    three = pdfclean.extract(pdf, ocr_jobs=3, ocr_progress=seen.append)
    assert state["most"] == 3
    assert state["order"].index(2) < state["order"].index(1)  # page 1 ended after page 2
    assert sorted(seen) == [1, 2, 3, 4, 5, 6]
    # the same document, page by page, the same warnings in the same order
    assert three.to_json() == one.to_json()
    assert [p["page"] for p in three.pages] == [1, 2, 3, 4, 5, 6]
    assert [p["ocr"] for p in three.pages] == [True, True, False, True, True, True]
    assert any("page 3 needs OCR (no text layer), but OCR failed" in w for w in three.warnings)
    assert any("page(s) 1-2, 4-6 read by OCR" in w for w in three.warnings)


def test_parallel_reading_never_exceeds_its_slots(monkeypatch):
    class Pdf:  # ocr_page is faked: the document is never looked at
        pass

    state = fake_reader(monkeypatch, 2)
    got = ocr.read_pages(Pdf(), [1, 2, 4, 5, 6], jobs=2)
    assert state["most"] == 2 and sorted(got) == [1, 2, 4, 5, 6]

    class Lender(ocr.Slots):  # what the batch passes: slots lent and given back
        def __init__(self):
            super().__init__(3)
            self.asked, self.out, self.most = [], 0, 0

        def acquire(self, want):
            self.asked.append(want)
            n = super().acquire(want)
            self.out += n
            self.most = max(self.most, self.out)
            return n

        def release(self, n=1):
            self.out -= n
            super().release(n)

    lender = Lender()
    state = fake_reader(monkeypatch, 3)
    got = ocr.read_pages(Pdf(), [1, 2, 3, 4, 5, 6], jobs=lender)
    assert state["most"] == 3 and lender.most == 2 and lender.out == 0  # all given back
    assert lender.asked[0] == 5  # five pages with no reader yet when the first was taken
    assert isinstance(got[3], ocr.OcrError) and got[6].glyphs[0].text == "ستة"


def test_a_crash_in_a_reader_is_raised_after_all_stop(monkeypatch):
    def boom(doc, number, lang=ocr.DEFAULT_LANG, *a, **k):
        if number == 2:
            raise RuntimeError("bug")
        return ocr.OcrResult([], None)

    monkeypatch.setattr(ocr.pages, "ocr_page", boom)
    # a bug of ours, not the PDF's: an InternalError naming the page, the original kept
    with pytest.raises(InternalError, match="internal error on page 2: RuntimeError: bug") as e:
        ocr.read_pages(object(), [1, 2, 3, 4], jobs=2)
    assert isinstance(e.value.__cause__, RuntimeError) and e.value.page == 2


def test_parallel_ocr_equals_sequential_with_tesseract(monkeypatch, tmp_path):
    pdf = tmp_path / "scan.pdf"
    small_scan(pdf, pages=4)
    log = tesseract_log(tmp_path, monkeypatch)
    one = pdfclean.extract(pdf, ocr_jobs=1)
    assert overlap(log) == 1
    log.unlink()
    (tmp_path / "two").mkdir()
    log = tesseract_log(tmp_path / "two", monkeypatch, meet=2)  # two readings wait for each other
    two = pdfclean.extract(pdf, ocr_jobs=2)
    assert overlap(log) == 2  # two Tesseract runs met (an event, not a timing), never more
    assert two.to_json() == one.to_json()
    assert [p["ocr"] for p in two.pages] == [True] * 4
    assert any("page(s) 1-4 read by OCR" in w for w in two.warnings)
    assert "المنبر" in " ".join(b.text for b in two.front_matter + two.blocks)


def test_cli_reads_ocr_pages_in_parallel(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from pdfclean.cli import main

    pdf = tmp_path / "scan.pdf"
    small_scan(pdf, pages=2)
    log = tesseract_log(tmp_path, monkeypatch, meet=2)  # the two pages' readings wait for each other
    r = CliRunner().invoke(main, ["extract", str(pdf), "--ocr-jobs", "2", "-f", "text"])
    assert r.exit_code == 0, r.output
    assert overlap(log) == 2  # the option reaches extract(): two pages at once
    assert "المنبر" in r.stdout
    r = CliRunner().invoke(main, ["extract", str(pdf), "--ocr-jobs", "0"])
    assert r.exit_code == 2
