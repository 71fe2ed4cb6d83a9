"""Speed: pages per second of pdfclean against raw extractors, same run.

    python benchmarks/run.py [FOLDER ...] [--repeat N] [--by-producer] [--no-pdfplumber]

Every tool reads the same PDFs (default: samples/pdfs and tests/data/realpdfs)
in this process, best of N rounds of CPU time, after one warm-up round
(imports and first-call costs are not counted), OCR off (text layers only);
each folder is reported on its own (the samples are the figure the issue
asks for); ``--by-producer`` adds, per folder, raw PyMuPDF and pdfclean per
producer (a sample's truth file names it, else the PDF's /Producer). The ratio
to raw PyMuPDF
``page.get_text()`` is the figure that matters: pdfclean uses PyMuPDF
underneath, so it can only be slower; the question is by how much.
"""

from __future__ import annotations

import argparse
import gc
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


def raw_texttrace(path: Path) -> int:
    """What pdfclean's engine starts from, with nothing done to it: the bound."""
    import pymupdf

    with pymupdf.open(path) as d:
        for p in d:
            p.get_texttrace()
        return d.page_count


def raw_pdfplumber(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as d:
        for p in d.pages:
            p.extract_text()
        return len(d.pages)


def pdfclean_pymupdf(path: Path) -> int:
    import pdfclean

    return pdfclean.extract(path, ocr="never").source.pages


def pdfclean_pdfplumber(path: Path) -> int:
    import pdfclean

    return pdfclean.extract(path, engine="pdfplumber", ocr="never").source.pages


TOOLS = {
    "raw PyMuPDF get_text()": raw_pymupdf,
    "raw PyMuPDF get_texttrace() (pdfclean's input)": raw_texttrace,
    "pdfclean (pymupdf engine)": pdfclean_pymupdf,
    "raw pdfplumber extract_text()": raw_pdfplumber,
    "pdfclean (pdfplumber engine)": pdfclean_pdfplumber,
}


def producer(path: Path) -> str:
    """A sample's producer as its truth file names it, else the first word of the PDF's /Producer."""
    import json

    import pymupdf

    truth = path.with_suffix(".truth.json")
    if truth.exists():
        return json.loads(truth.read_text(encoding="utf-8")).get("producer", "?")
    with pymupdf.open(path) as d:
        return ((d.metadata or {}).get("producer") or "?").split(" ")[0]


def by_producer(files: list[Path], repeat: int) -> None:
    """Raw PyMuPDF and pdfclean (pymupdf engine), alternately, per producer."""
    groups: dict[str, list[Path]] = {}
    for f in files:
        groups.setdefault(producer(f), []).append(f)
    print("\n| producer | PDFs | pages | raw get_text() p/s | pdfclean p/s | vs raw PyMuPDF |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, fs in sorted(groups.items()):
        raw = mine = 0.0
        for _ in range(2):
            raw = max(raw, bench(fs, raw_pymupdf, repeat))
            mine = max(mine, bench(fs, pdfclean_pymupdf, repeat))
        print(f"| {name} | {len(fs)} | {sum(raw_pymupdf(f) for f in fs)} | {raw:.0f} | {mine:.0f} | "
              f"{mine / raw:.2f}× |")


def bench(files: list[Path], fn, repeat: int) -> float:
    """Pages per CPU second of this process (``time.process_time``): the tools
    are single-threaded, and CPU time does not count what other processes on
    the machine do meanwhile."""
    for f in files:  # warm-up
        fn(f)
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        t = time.process_time()
        pages = sum(fn(f) for f in files)
        best = min(best, time.process_time() - t)
    return pages / best


def stages(files: list[Path]) -> dict[str, float]:
    """Seconds per page in each stage of the pymupdf pipeline."""
    from pdfclean.engines import open_engine
    from pdfclean.lines import build_lines
    from pdfclean.model import Page, Source
    from pdfclean.pipeline import assemble
    from pdfclean.script import repair_line

    t = {"engine (texttrace, glyphs, marks, runs of letters)": 0.0, "lines": 0.0, "script repair": 0.0,
         "furniture, blocks, metadata": 0.0}
    pages = 0
    gc.disable()  # as in pdfclean.extract
    for f in files:
        data = f.read_bytes()
        t0 = time.process_time()
        eng = open_engine("pymupdf", data)
        raws = list(eng.pages(list(range(1, eng.page_count + 1))))
        t1 = time.process_time()
        vls = [(r, build_lines(r.glyphs)) for r in raws]
        t2 = time.process_time()
        ps = [Page(r.number, r.width, r.height, [repair_line(v, r.number) for v in vl]) for r, vl in vls]
        t3 = time.process_time()
        assemble(ps, Source(f.name, "0" * 64, len(ps), None, None, "pymupdf"), [])
        t4 = time.process_time()
        eng.close()
        pages += len(raws)
        for k, dt in zip(t, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            t[k] += dt
    gc.enable()
    return {k: v / pages for k, v in t.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path,
                    default=[ROOT / "samples" / "pdfs", ROOT / "tests" / "data" / "realpdfs"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-pdfplumber", action="store_true", help="skip the (slow) pdfplumber tools")
    ap.add_argument("--by-producer", action="store_true", help="also raw PyMuPDF and pdfclean per producer")
    a = ap.parse_args()
    slow = {"raw pdfplumber extract_text()", "pdfclean (pdfplumber engine)"}
    for folder in a.folders:
        files = sorted(folder.glob("*.pdf"))
        rates = {}
        # raw PyMuPDF and pdfclean alternate, so both see the same machine
        for _ in range(2):
            for name in ("raw PyMuPDF get_text()", "raw PyMuPDF get_texttrace() (pdfclean's input)",
                         "pdfclean (pymupdf engine)"):
                rates[name] = max(rates.get(name, 0.0), bench(files, TOOLS[name], a.repeat))
        for name in () if a.no_pdfplumber else slow:
            rates[name] = bench(files, TOOLS[name], 1)
        base = rates["raw PyMuPDF get_text()"]
        print(f"\n{folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}: "
              f"{len(files)} PDFs, {sum(raw_pymupdf(f) for f in files)} pages\n")
        print("| tool | pages/s | vs raw PyMuPDF |")
        print("|---|---:|---:|")
        for name in (n for n in TOOLS if n in rates):
            print(f"| {name} | {rates[name]:.0f} | {rates[name] / base:.2f}× |")
        st = stages(files)
        total = sum(st.values())
        print("\n| stage (pymupdf engine) | ms/page | share |")
        print("|---|---:|---:|")
        for k, v in st.items():
            print(f"| {k} | {1000 * v:.2f} | {100 * v / total:.0f} % |")
        print(f"\nScript repair makes extraction {total / (total - st['script repair']):.2f}× as slow as "
              "without it.")
        if a.by_producer:
            by_producer(files, a.repeat)


if __name__ == "__main__":
    main()
