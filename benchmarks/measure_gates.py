"""Measure every gated figure again; print the table, or rewrite tests/gates.json.

    python benchmarks/measure_gates.py                    # all sections, print only
    python benchmarks/measure_gates.py --write            # … and rewrite tests/gates.json
    python benchmarks/measure_gates.py --only samples --write
    python benchmarks/measure_gates.py --only ocr,hostile --jobs 2

Sections (each written whole; sections not measured are kept as they are):

* ``samples`` — the scorer (:mod:`pdfclean.eval`) on samples/pdfs, per
  producer × engine: CER, leaked furniture, blocks as one, blocks exact,
  headings, list items and quotes typed, metadata;
* ``ocr`` — every scan in samples/scans, OCR on (pymupdf engine): CER,
  leaked furniture, metadata;
* ``scan_kinds`` — every kind of scan of samples/scan.py (``KINDS``), made
  of one page of a sample as tests/test_scans.py makes it: body CER against
  the page's text layer, metadata;
* ``hostile`` — every case of tests/hostile.py through the CLI, as
  tests/test_hostile.py runs it: CPU seconds and peak memory.

Bounds follow the rule of :mod:`tests/gates.py` (``bound_for``): at most
twice the measured error (floors: 0.05 % of CER, 1 s of CPU), and for a
rate of hits at most twice the misses (one miss when none is measured).
The bounds are the loosest the rule allows; a gate moves only when a change
improves its figure (``--write`` in the commit that does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import gates  # noqa: E402

SAMPLES = ROOT / "samples" / "pdfs"
SCANS = ROOT / "samples" / "scans"
ENGINES = ["pymupdf", "pdfplumber"]
CER_FLOOR = 0.0005  # 0.05 %
CPU_FLOOR = 1.0  # seconds: interpreter start-up, imports, bytecode compiled again after a change
BOMB_GB = 1.0  # as tests/test_hostile.py builds the corpus
SECTIONS = ("samples", "ocr", "scan_kinds", "hostile")


def _score_one(args: tuple[str, str]) -> dict:
    from pdfclean.eval import run_pdfclean, score_doc

    pdf, engine = Path(args[0]), args[1]
    truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))
    doc = run_pdfclean(pdf, engine)
    return score_doc(doc, truth, pdf.name, engine).__dict__


def sample_gates(jobs: int) -> dict:
    from pdfclean.eval import samples

    todo = [(str(pdf), eng) for pdf, _ in samples(SAMPLES) for eng in ENGINES]
    with ProcessPoolExecutor(jobs) as ex:
        scores = list(ex.map(_score_one, todo))
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for s in scores:
        groups[(s["producer"], s["engine"])].append(s)
    out: dict = {}
    for (prod, eng), ss in sorted(groups.items()):
        def total(k: str) -> int:
            return sum(s[k] for s in ss)

        chars = max(1, total("truth_chars"))
        g = {"docs": len(ss),
             "cer": gates.gate("max", sum(s["edits"] for s in ss) / chars, floor=CER_FLOOR, unit="%"),
             "leaked": gates.gate("max", sum(len(s["leaked"]) for s in ss))}
        for name, hits, tot in (("blocks_one", "blocks_one", "blocks_total"),
                                ("blocks_exact", "blocks_exact", "blocks_total"),
                                ("headings", "headings_typed", "headings_total"),
                                ("list_items", "lists_typed", "lists_total"),
                                ("quotes", "quotes_typed", "quotes_total"),
                                ("metadata", "meta_right", "meta_total")):
            if total(tot):
                g[name] = gates.gate("min", total(hits), total=total(tot), unit="%")
        out.setdefault(prod, {})[eng] = g
    return out


def _ocr_one(pdf: str) -> dict:
    import pdfclean
    from pdfclean.eval import score_doc

    p = Path(pdf)
    truth = json.loads(p.with_name(p.stem + ".truth.json").read_text(encoding="utf-8"))
    doc = pdfclean.extract(p, ocr_jobs=1)
    return score_doc(doc.to_dict(), truth, p.name, "pymupdf").__dict__


def ocr_gates(jobs: int) -> dict:
    pdfs = sorted(str(p) for p in SCANS.glob("*-scan.pdf"))
    with ProcessPoolExecutor(jobs) as ex:
        scores = list(ex.map(_ocr_one, pdfs))
    out = {}
    for pdf, s in zip(pdfs, scores):
        out[Path(pdf).stem] = {
            "cer": gates.gate("max", s["edits"] / max(1, s["truth_chars"]), floor=CER_FLOOR, unit="%"),
            "leaked": gates.gate("max", len(s["leaked"])),
            "metadata": gates.gate("min", s["meta_right"], total=s["meta_total"], unit="%"),
        }
    return out


def _kind_one(kind: str) -> dict:
    import test_scans

    with tempfile.TemporaryDirectory() as tmp:
        truth = json.loads((SAMPLES / f"{test_scans.KIND_SAMPLE}.truth.json").read_text(encoding="utf-8"))
        return test_scans.scan.measure_kind(SAMPLES / f"{test_scans.KIND_SAMPLE}.pdf", kind,
                                            test_scans.KIND_PAGES, Path(tmp), truth)


def scan_kind_gates(jobs: int) -> dict:
    sys.path.insert(0, str(ROOT / "samples"))
    import scan

    kinds = list(scan.KINDS)
    with ProcessPoolExecutor(jobs) as ex:
        got = list(ex.map(_kind_one, kinds))
    for g in got:
        print(f"{g['kind']}: CER {100 * g['cer']:.2f} %, metadata {g['meta_right']}/{g['meta_total']}, "
              f"{g['pages'] / g['seconds']:.2f} pages/s, failed {len(g['failed'])}", file=sys.stderr)
    return {g["kind"]: {"cer": gates.gate("max", g["cer"], floor=CER_FLOOR, unit="%"),
                        "metadata": gates.gate("min", g["meta_right"], total=g["meta_total"], unit="%")}
            for g in got}


def hostile_gates(jobs: int) -> dict:
    import hostile

    from concurrent.futures import ThreadPoolExecutor

    with tempfile.TemporaryDirectory() as tmp:
        corpus = hostile.build(Path(tmp), bomb_gb=BOMB_GB)

        def one(item):
            name, (path, _expect, args) = item
            return name, hostile.run_measured_cpu(["extract", *args, "--ocr", "never", "--", str(path)], 120)

        with ThreadPoolExecutor(jobs) as ex:
            runs = dict(ex.map(one, corpus.items()))
    return {name: {"cpu_seconds": gates.gate("max", r["cpu_seconds"], floor=CPU_FLOOR, unit="s"),
                   "peak_mb": gates.gate("max", r["peak_mb"], unit="MB")}
            for name, r in runs.items()}


def _rows(section: str, new: dict, old: dict, prefix: tuple = ()) -> list[str]:
    rows = []
    for k, v in new.items():
        if isinstance(v, dict) and "bound" in v:
            was = (old or {}).get(k) if isinstance(old, dict) else None
            name = ".".join((section, *prefix, k))
            fmt = (lambda x: f"{100 * x:.3f} %") if v.get("unit") == "%" else (lambda x: f"{x:.4g}")
            old_b = fmt(was["bound"]) if isinstance(was, dict) and "bound" in was else "–"
            old_m = fmt(was["measured"]) if isinstance(was, dict) and was.get("measured") is not None else "–"
            rows.append(f"| {name} | {old_m} | {old_b} | {fmt(v['measured'])} | {fmt(v['bound'])} |")
        elif isinstance(v, dict):
            rows += _rows(section, v, (old or {}).get(k, {}) if isinstance(old, dict) else {}, (*prefix, k))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections ({', '.join(SECTIONS)})")
    ap.add_argument("--write", action="store_true", help="rewrite tests/gates.json with the new figures")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    only = [s.strip() for s in a.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        ap.error(f"unknown section(s) {', '.join(bad)}")
    table = json.loads(gates.PATH.read_text(encoding="utf-8")) if gates.PATH.exists() else {}
    measure = {"samples": sample_gates, "ocr": ocr_gates, "scan_kinds": scan_kind_gates, "hostile": hostile_gates}
    new = dict(table)
    print("| gate | measured before | bound before | measured now | bound now |")
    print("|---|---:|---:|---:|---:|")
    for section in only:
        new[section] = measure[section](a.jobs)
        for row in _rows(section, new[section], table.get(section, {})):
            print(row)
    if a.write:
        gates.PATH.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {gates.PATH.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
