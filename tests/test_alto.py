"""ALTO 4 output (``-f alto``): valid against the official schema, the body's
words those of the JSON, word boxes from the glyphs, furniture in the margins,
OCR words with their confidence; the default JSON unchanged by word boxes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

lxml = pytest.importorskip("lxml.etree")
etree = lxml

import pdfclean  # noqa: E402
from pdfclean.words import _key, line_words, logical_order  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "pdfs").glob("*.pdf"))
XSD = ROOT / "tests" / "data" / "alto" / "alto-4-4.xsd"
NS = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
BODY_TAGS = {f"type-{t}" for t in ("heading", "paragraph", "list_item", "quote", "footnote")}


class _LocalXlink(etree.Resolver):
    """The schema imports XLink from loc.gov: the copy beside it instead (no network)."""

    def resolve(self, url, pubid, context):
        if url.endswith("xlink.xsd"):
            return self.resolve_filename(str(XSD.with_name("xlink.xsd")), context)
        return None


@pytest.fixture(scope="module")
def schema():
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXlink())
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def alto_of(path, **kw):
    doc = pdfclean.extract(path, ocr="never", words=True, **kw)
    return doc, doc_xml(doc)


def doc_xml(doc):
    from pdfclean.formats import to_alto

    return etree.fromstring(to_alto(doc).encode("utf-8"))


def block_words(root) -> list[list[str]]:
    """The words of each body block, read back from ALTO: the pieces of a block
    followed through IDNEXT, a word split over two lines once (SUBS_CONTENT),
    list markers left out."""
    blocks = {b.get("ID"): b for b in root.iterfind(".//a:TextBlock", NS)}
    pointed = {b.get("IDNEXT") for b in blocks.values() if b.get("IDNEXT")}
    out = []
    for bid, b in blocks.items():
        if bid in pointed or not set(b.get("TAGREFS", "").split()) & BODY_TAGS \
                or "front_matter" in b.get("TAGREFS", "").split():
            continue
        words: list[str] = []
        while b is not None:
            for s in b.iterfind(".//a:String", NS):
                if s.get("TAGREFS") == "list_marker":
                    continue
                sub = s.get("SUBS_TYPE")
                if sub == "HypPart1":
                    words.append(s.get("SUBS_CONTENT"))
                elif sub != "HypPart2":
                    words.append(s.get("CONTENT"))
            b = blocks.get(b.get("IDNEXT")) if b.get("IDNEXT") else None
        out.append(words)
    return out


def test_the_official_schema_is_shipped_with_its_licence():
    head = XSD.read_text(encoding="utf-8")[:1200]
    assert "CC BY-SA 4.0" in head and "Version 4.4" in head
    assert "ALTO 4" in (XSD.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_is_valid_alto_with_the_json_body_words(path, schema):
    doc, root = alto_of(path)
    schema.assertValid(root)
    assert block_words(root) == [b.text.split() for b in doc.blocks]
    pages = root.findall(".//a:Page", NS)
    assert [int(p.get("PHYSICAL_IMG_NR")) for p in pages] == [p["page"] for p in doc.pages]
    w, h = doc.page_sizes[doc.pages[0]["page"]]
    assert abs(float(pages[0].get("WIDTH")) - w * 1200 / 72) < 1
    assert abs(float(pages[0].get("HEIGHT")) - h * 1200 / 72) < 1
    desc = root.find("a:Description", NS)
    assert desc.find(".//a:fileIdentifier", NS).text == doc.source.sha256
    assert desc.find(".//a:softwareName", NS).text == "pdfclean"
    # removed furniture sits in the margins, tagged with its kind; nothing of it in the print space
    furniture = [r for r in doc.removed if r.kind != "article_head"]
    margin_words = [s.get("CONTENT") for m in ("TopMargin", "BottomMargin")
                    for s in root.iterfind(f".//a:{m}//a:String", NS)]
    assert sorted(margin_words) == sorted(
        t for r in furniture for t in r.text.split())
    for m in ("TopMargin", "BottomMargin"):
        for b in root.iterfind(f".//a:{m}/a:TextBlock", NS):
            assert b.get("TAGREFS").startswith("kind-") and b.get("TAGREFS") != "kind-article_head"


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data" / "realpdfs").glob("*.pdf")), ids=lambda p: p.stem)
def test_real_pdfs_are_valid_alto_with_the_json_body_words(path, schema):
    doc, root = alto_of(path)
    schema.assertValid(root)
    assert block_words(root) == [b.text.split() for b in doc.blocks]


def test_word_boxes_come_from_the_glyphs():
    """On clean producers, every word's box is PyMuPDF's box of the same word
    (its own word segmentation, independent of pdfclean's)."""
    pymupdf = pytest.importorskip("pymupdf")
    for name in ("iraq-oil-inflation-libreoffice", "iraq-water-cop29-ghostscript"):
        path = ROOT / "samples" / "pdfs" / f"{name}.pdf"
        doc = pdfclean.extract(path, ocr="never", words=True)
        pdf = pymupdf.open(path)
        good = total = 0
        for b in doc.blocks:
            for ln in b.lines:
                theirs = pdf[ln.page - 1].get_text("words")
                for tok, w in zip(ln.text.split(), ln.words):
                    assert not w.approximate
                    assert ln.x0 - 0.5 <= w.x0 <= w.x1 <= ln.x1 + 0.5
                    total += 1
                    k = _key(tok)
                    for x0, y0, x1, y1, t, *_ in theirs:
                        if min(y1, w.y1) - max(y0, w.y0) <= 0 or not (k in _key(t) or _key(t) in k):
                            continue
                        inter = max(0, min(x1, w.x1) - max(x0, w.x0))
                        # the same span, or theirs inside ours (PyMuPDF cuts «بديل.» into «بديل» and «.»)
                        if inter > 0.5 * (max(x1, w.x1) - min(x0, w.x0)) or inter > 0.9 * (x1 - x0):
                            good += 1
                            break
        assert total > 800 and good / total > 0.98, (name, good, total)


def test_right_to_left_words_run_right_to_left():
    doc = pdfclean.extract(ROOT / "samples" / "pdfs" / "iraq-oil-inflation-libreoffice.pdf", ocr="never",
                           words=True)
    body = next(b for b in doc.blocks if b.type == "paragraph" and len(b.lines) > 2)
    ln = body.lines[1]
    arabic = [w for t, w in zip(ln.text.split(), ln.words) if _key(t) and not _key(t).isascii()]
    assert len(arabic) > 5
    assert all(a.x0 >= b.x1 - 0.5 for a, b in zip(arabic, arabic[1:]))  # each left of the one before


def test_logical_order_keeps_latin_runs_left_to_right():
    assert logical_order(["R", "L", "L", "R"], True) == [3, 1, 2, 0]
    assert logical_order(["L", "R", "R", "L"], False) == [0, 2, 1, 3]
    assert logical_order(["N", "R"], True) == [1, 0]


def test_a_word_a_repair_joined_takes_the_union_of_its_glyphs():
    from pdfclean.model import Glyph, Line

    # «و Word» drawn as two words, repaired into one («وWord»): one box over both
    gs = [Glyph("W", 10, 0, 20, 10, 9, 10), Glyph(" ", 20, 0, 24, 10, 9, 10), Glyph("و", 24, 0, 30, 10, 9, 10),
          Glyph(" ", 30, 0, 34, 10, 9, 10), Glyph("ب", 34, 0, 40, 10, 9, 10)]
    ln = Line("ب وW", 10, 0, 40, 10, 10, False, 1, rtl=True)
    ws = line_words(ln, gs)
    assert [(w.x0, w.x1, w.approximate) for w in ws] == [(34, 40, False), (10, 30, False)]


def test_ocr_words_have_their_confidence(schema, tmp_path):
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed")
    scan = ROOT / "samples" / "scans"
    pdfs = sorted(scan.glob("*.pdf"))
    if not pdfs:
        pytest.skip("no scans")
    try:
        doc = pdfclean.extract(pdfs[0], pages="2", words=True)
    except pdfclean.PdfCleanError as e:
        pytest.skip(f"no OCR here: {e}")
    if not any(p["ocr"] for p in doc.pages):
        pytest.skip("Tesseract is not installed")
    root = doc_xml(doc)
    schema.assertValid(root)
    assert block_words(root) == [b.text.split() for b in doc.blocks]
    wcs = [float(s.get("WC")) for s in root.iterfind(".//a:PrintSpace//a:String", NS)]
    assert wcs and all(0 <= c <= 1 for c in wcs) and len(set(wcs)) > 3
    assert root.find(".//a:Page", NS).get("PC") is not None


def test_the_json_is_the_same_with_word_boxes():
    for name in ("iraq-oil-inflation-libreoffice", "ai-regulation-race-chromium"):
        path = ROOT / "samples" / "pdfs" / f"{name}.pdf"
        assert pdfclean.extract(path, ocr="never").to_json() == \
            pdfclean.extract(path, ocr="never", words=True).to_json()


def test_alto_without_word_boxes_is_refused():
    from pdfclean.formats import to_alto

    doc = pdfclean.extract(SAMPLES[0], ocr="never")
    with pytest.raises(ValueError, match="words=True"):
        to_alto(doc)


def test_cli_extract_and_batch_write_alto(tmp_path, schema):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("iraq-oil-inflation-libreoffice", "ai-regulation-race-chromium"):
        (src / f"{name}.pdf").write_bytes((ROOT / "samples" / "pdfs" / f"{name}.pdf").read_bytes())
    out = tmp_path / "one.xml"
    r = subprocess.run([sys.executable, "-m", "pdfclean", "extract", str(src / "ai-regulation-race-chromium.pdf"),
                        "-f", "alto", "-o", str(out), "--ocr", "never"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    schema.assertValid(etree.parse(str(out)))
    r = subprocess.run([sys.executable, "-m", "pdfclean", "batch", str(src), "-o", str(tmp_path / "out"),
                        "-f", "alto", "--jobs", "1", "--ocr", "never", "-q"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    files = sorted((tmp_path / "out").glob("*.alto.xml"))
    assert [f.name for f in files] == ["ai-regulation-race-chromium.alto.xml",
                                       "iraq-oil-inflation-libreoffice.alto.xml"]
    for f in files:
        schema.assertValid(etree.parse(str(f)))
    records = [json.loads(x) for x in (tmp_path / "out" / "pdfclean-manifest.jsonl").read_text().splitlines()]
    assert {r["output"] for r in records if r["status"] == "ok"} == {f.name for f in files}
