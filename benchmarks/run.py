"""Speed: pages per second of pdfclean against raw extractors, same run.

    python benchmarks/run.py [FOLDER ...] [--repeat N]

Every tool reads the same PDFs (default: samples/pdfs and tests/data/realpdfs)
in this process, best of N rounds, after one warm-up round (imports and
first-call costs are not counted). The ratio to raw PyMuPDF
``page.get_text()`` is the figure that matters: pdfclean uses PyMuPDF
underneath, so it can only be slower; the question is by how much.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def raw_pymupdf(path: Path) -> int:
    import pymupdf

    with pymupdf.open(path) as d:
        for p in d:
            p.get_text()
        return d.page_count


def raw_pdfplumber(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as d:
        for p in d.pages:
            p.extract_text()
        return len(d.pages)


def pdfclean_pymupdf(path: Path) -> int:
    import pdfclean

    return pdfclean.extract(path).source.pages


def pdfclean_pdfplumber(path: Path) -> int:
    import pdfclean

    return pdfclean.extract(path, engine="pdfplumber").source.pages


TOOLS = {
    "raw PyMuPDF get_text()": raw_pymupdf,
    "pdfclean (pymupdf engine)": pdfclean_pymupdf,
    "raw pdfplumber extract_text()": raw_pdfplumber,
    "pdfclean (pdfplumber engine)": pdfclean_pdfplumber,
}


def bench(files: list[Path], fn, repeat: int) -> float:
    for f in files:  # warm-up
        fn(f)
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        t = time.perf_counter()
        pages = sum(fn(f) for f in files)
        best = min(best, time.perf_counter() - t)
    return pages / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path,
                    default=[ROOT / "samples" / "pdfs", ROOT / "tests" / "data" / "realpdfs"])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    files = sorted(p for d in a.folders for p in d.glob("*.pdf"))
    slow = {"raw pdfplumber extract_text()", "pdfclean (pdfplumber engine)"}
    rates = {}
    for name, fn in TOOLS.items():
        rates[name] = bench(files, fn, 1 if name in slow else a.repeat)
    base = rates["raw PyMuPDF get_text()"]
    print(f"{len(files)} PDFs, {sum(raw_pymupdf(f) for f in files)} pages\n")
    print("| tool | pages/s | vs raw PyMuPDF |")
    print("|---|---:|---:|")
    for name, r in rates.items():
        print(f"| {name} | {r:.0f} | {r / base:.2f}× |")


if __name__ == "__main__":
    main()
