"""The bundled samples (three producers × five articles) against their truth.

These are the scorer's figures as assertions: text right (CER), furniture
gone, structure and metadata found — for both engines.
"""

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest
from rapidfuzz import fuzz

import pdfclean
from conftest import ROOT, SAMPLES
from pdfclean.eval import norm, samples, score_doc
from pdfclean.schema import SCHEMA

ENGINES = ["pymupdf", "pdfplumber"]
ALL = samples(SAMPLES)
PRODUCERS = sorted({t["producer"] for _, t in ALL})


def test_there_are_samples_from_three_producers():
    assert len(ALL) >= 15
    assert set(PRODUCERS) == {"libreoffice", "reportlab", "chromium"}


@pytest.fixture(scope="module")
def scores():
    out = {}
    for pdf, truth in ALL:
        for eng in ENGINES:
            doc = pdfclean.extract(pdf, engine=eng).to_dict()
            jsonschema.validate(doc, SCHEMA)  # every sample output fits the contract
            out[(pdf.name, eng)] = (doc, score_doc(doc, truth, pdf.name, eng))
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("producer", ["libreoffice", "reportlab", "chromium"])
def test_producer_quality(scores, producer, engine):
    ss = [s for (name, eng), (_, s) in scores.items() if eng == engine and s.producer == producer]
    assert ss
    cer = sum(s.edits for s in ss) / sum(s.truth_chars for s in ss)
    assert cer < 0.01, f"CER {cer:.2%}"
    assert sum(len(s.leaked) for s in ss) == 0, [s.leaked for s in ss]
    total = sum(s.blocks_total for s in ss)
    one = sum(s.blocks_one for s in ss) / total
    assert one >= 0.95, f"blocks as one {one:.1%}"
    exact = sum(s.blocks_exact for s in ss) / total
    assert exact >= 0.85, f"blocks exact {exact:.1%}"
    headings = sum(s.headings_typed for s in ss) / sum(s.headings_total for s in ss)
    assert headings >= 0.9


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
    article_pages = set(range(2, doc["source"]["pages"] + 1))
    assert kinds["page_number"] == article_pages
    assert kinds["running_title"] >= article_pages


def test_paragraph_across_pages_is_one_block(scores):
    for (name, eng), (doc, _) in scores.items():
        truth = json.loads((SAMPLES / name.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))
        cross = [b for b in doc["blocks"] if len(b["pages"]) == 2]
        assert len(cross) >= 2, (name, eng)
        # each joined block is one truth block (up to a producer's lost mark)
        truth_texts = [norm(b["text"]) for b in truth["blocks"]]
        assert sum(max(fuzz.ratio(norm(b["text"]), t) for t in truth_texts) >= 98 for b in cross) >= 2, \
            (name, eng)


def test_seed_article_matches_hand_cleaned_reference(scores):
    ref = json.loads((ROOT / "tests" / "data" / "almanbar-article-clean.json").read_text(encoding="utf-8"))
    for producer in PRODUCERS:
        doc, _ = scores[(f"almanbar-iran-us-talks-{producer}.pdf", "pymupdf")]
        assert len(doc["blocks"]) == len(ref["blocks"]), producer
        for got, want in zip(doc["blocks"], ref["blocks"]):
            assert got["type"] == want["type"], (producer, want["text"][:40])
            assert fuzz.ratio(norm(got["text"]), norm(want["text"])) >= 97, (producer, want["text"][:40])
        for k, v in ref["metadata"].items():
            assert doc["metadata"][k] == v, (producer, k)


def test_scorer_cli_prints_the_table():
    r = subprocess.run([sys.executable, "-m", "pdfclean.eval", str(SAMPLES), "--engine", "pymupdf"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.startswith("| ") and "%" in l]
    assert len(rows) == 3 and all("pymupdf" in l for l in rows)
