"""The bundled samples (every producer × article) against their truth.

These are the scorer's figures as assertions: text right (CER), furniture
gone, structure (blocks, headings, list items, quotes) and metadata found —
for both engines, each within its gate (tests/gates.json, ``samples``:
``benchmarks/measure_gates.py --only samples --write`` fills it).
"""

import json
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest
from rapidfuzz import fuzz

import gates
import pdfclean
from conftest import ROOT, SAMPLES
from pdfclean.eval import norm, samples, score_doc
from pdfclean.schema import SCHEMA
from shared import shared_map

ENGINES = ["pymupdf", "pdfplumber"]
ALL = samples(SAMPLES)
PRODUCERS = sorted({t["producer"] for _, t in ALL})


# per producer × engine: the gate's name in tests/gates.json → the figure from the scores
FIGURES = {
    "cer": lambda ss: sum(s.edits for s in ss) / max(1, sum(s.truth_chars for s in ss)),
    "leaked": lambda ss: sum(len(s.leaked) for s in ss),
    "blocks_one": lambda ss: _rate(ss, "blocks_one", "blocks_total"),
    "blocks_exact": lambda ss: _rate(ss, "blocks_exact", "blocks_total"),
    "headings": lambda ss: _rate(ss, "headings_typed", "headings_total"),
    "list_items": lambda ss: _rate(ss, "lists_typed", "lists_total"),
    "quotes": lambda ss: _rate(ss, "quotes_typed", "quotes_total"),
    "metadata": lambda ss: _rate(ss, "meta_right", "meta_total"),
}


def _rate(ss, hits: str, total: str) -> float | None:
    t = sum(getattr(s, total) for s in ss)
    return sum(getattr(s, hits) for s in ss) / t if t else None


def sample_gate(producer: str, engine: str) -> dict:
    """The gates of one producer × engine; a producer without them fails with what to do."""
    g = gates.load().get("samples", {}).get(producer, {}).get(engine)
    assert g, f"no gate for producer {producer} ({engine}): run benchmarks/measure_gates.py --write"
    return g


def test_there_are_samples_from_three_producers():
    assert len(ALL) >= 15
    assert {"libreoffice", "reportlab", "chromium"} <= set(PRODUCERS)  # and any newer ones
    for producer in PRODUCERS:
        for engine in ENGINES:
            sample_gate(producer, engine)


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    by_name = {pdf.name: (pdf, truth) for pdf, truth in ALL}

    def score(key):
        pdf, truth = by_name[key[0]]
        doc = pdfclean.extract(pdf, engine=key[1]).to_dict()
        jsonschema.validate(doc, SCHEMA)  # every sample output fits the contract
        return doc, score_doc(doc, truth, pdf.name, key[1])

    return shared_map(tmp_path_factory, "sample-scores", [(pdf.name, eng) for pdf, _ in ALL for eng in ENGINES],
                      score)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("producer", PRODUCERS)
def test_producer_quality(scores, producer, engine):
    """Each figure of the scorer within its gate (tests/gates.json)."""
    g = sample_gate(producer, engine)
    ss = [s for (name, eng), (_, s) in scores.items() if eng == engine and s.producer == producer]
    assert ss
    assert g.get("docs") in (None, len(ss)), \
        f"{producer} ({engine}): {len(ss)} documents, gated on {g['docs']}: run benchmarks/measure_gates.py --write"
    for figure, measure in FIGURES.items():
        value = measure(ss)
        if value is None:  # nothing of that kind in these documents' truth
            assert figure not in g, (producer, engine, figure)
            continue
        gates.check(("samples", producer, engine, figure), value)


@pytest.mark.parametrize("pdf,truth", ALL, ids=[p.name for p, _ in ALL])
def test_metadata_and_front_matter(scores, pdf, truth):
    doc, s = scores[(pdf.name, "pymupdf")]
    assert s.meta_right == 4, {k: (doc["metadata"][k], truth["metadata"][k]) for k in truth["metadata"]}
    assert doc["metadata"]["publisher"] == truth["metadata"]["publisher"]
    assert doc["metadata"]["published_text"] == truth["metadata"]["published_text"]
    assert doc["metadata"]["language"] == "ar"
    front = " ".join(b["text"] for b in doc["front_matter"])
    for piece in truth["front_matter"]:  # (producers may drop a mark or two)
        assert fuzz.partial_ratio(norm(piece), norm(front)) >= 97, piece
    body = " ".join(b["text"] for b in doc["blocks"])
    assert truth["metadata"]["title"] not in body and "الكاتب:" not in body
    # every removal is recorded with its page and kind
    kinds = defaultdict(set)
    for r in doc["removed"]:
        kinds[r["kind"]].add(r["page"])
    article_pages = {f["page"] for f in truth["furniture"] if f["kind"] == "page_number"}
    assert kinds["page_number"] == article_pages
    assert kinds["running_title"] >= article_pages
    # the head lines are recorded where they stood: on the first article page (and the cover)
    assert min(article_pages) in kinds["article_head"], kinds["article_head"]


@pytest.mark.parametrize("engine", ENGINES)
def test_born_digital_samples_are_never_sent_to_ocr(scores, engine):
    """Their text layers are good once repaired (kashida glyphs, unmapped glyphs…): OCR triage,
    on by default, leaves every page alone; and the text comes out NFC."""
    for (name, eng), (doc, _) in scores.items():
        if eng != engine:
            continue
        assert not [p["page"] for p in doc["pages"] if p["ocr"]], name
        assert not [w for w in doc["warnings"] if "OCR" in w], (name, doc["warnings"])
        text = "\n".join(b["text"] for b in doc["blocks"] + doc["front_matter"])
        assert unicodedata.is_normalized("NFC", text), name


def test_paragraph_across_pages_is_one_block(scores):
    for (name, eng), (doc, _) in scores.items():
        truth = json.loads((SAMPLES / name.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))
        want = min(2, len(truth["split_blocks"]))  # paragraphs the PDF runs across a page break
        cross = [b for b in doc["blocks"] if len(b["pages"]) == 2]
        assert len(cross) >= want, (name, eng)
        # each joined block is one truth block (up to a producer's lost mark)
        truth_texts = [norm(b["text"]) for b in truth["blocks"]]
        assert sum(max(fuzz.ratio(norm(b["text"]), t) for t in truth_texts) >= 98 for b in cross) >= want, \
            (name, eng)


def test_seed_article_matches_hand_cleaned_reference(scores):
    ref = json.loads((ROOT / "tests" / "data" / "almanbar-article-clean.json").read_text(encoding="utf-8"))
    seed = [p for p in PRODUCERS if (f"almanbar-iran-us-talks-{p}.pdf", "pymupdf") in scores]
    assert len(seed) >= 7
    for producer in seed:
        doc, _ = scores[(f"almanbar-iran-us-talks-{producer}.pdf", "pymupdf")]
        assert len(doc["blocks"]) == len(ref["blocks"]), producer
        for got, want in zip(doc["blocks"], ref["blocks"]):
            assert got["type"] == want["type"], (producer, want["text"][:40])
            assert fuzz.ratio(norm(got["text"]), norm(want["text"])) >= 97, (producer, want["text"][:40])
        for k, v in ref["metadata"].items():
            assert doc["metadata"][k] == v, (producer, k)


def test_scorer_cli_prints_the_table(tmp_path):
    one = {}  # one sample of each producer, with its truth: a row each
    for pdf, t in ALL:
        one.setdefault(t["producer"], pdf)
    for pdf in one.values():
        for f in (pdf, pdf.with_name(pdf.stem + ".truth.json")):
            (tmp_path / f.name).symlink_to(f)
    r = subprocess.run([sys.executable, "-m", "pdfclean.eval", str(tmp_path), "--engine", "pymupdf"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.startswith("| ") and "%" in l]
    assert len(rows) == len(PRODUCERS) and all("pymupdf" in l for l in rows)


def test_no_punctuation_inside_an_arabic_word(scores):
    # a mark glyph mapped to ASCII punctuation (Ghostscript) or a kashida mapped to
    # punctuation or a Latin letter (LibreOffice) reads «أ[علن», «ال,,تراجع», «خضJJرتها»: never where
    # the truth has none
    import re

    inside = re.compile(r"[\u0621-\u064a][\u064b-\u0652]*[!-/:-@\[-`{-~،؛A-Za-z]+[\u064b-\u0652]*[\u0621-\u064a]")
    for (name, eng), (doc, _) in scores.items():
        truth = json.loads((SAMPLES / name.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))
        want = set(inside.findall(" ".join(b["text"] for b in truth["blocks"])))
        got = set(inside.findall(" ".join(b["text"] for b in doc["blocks"])))
        assert got <= want, (name, eng, sorted(got - want))
