"""Batch figures: throughput with --jobs 1 and 2, peak memory on 250 pages, start-up.

    python benchmarks/batch.py [--copies 3] [--repeat 3] [--pages 250] [--producers P,...] [--pdfplumber]

Everything is made in a temporary folder and removed afterwards:

* **throughput** — ``--copies`` × the sample PDFs (3 × 80 = 240 files by default),
  converted by ``pdfclean batch`` (the real command, a fresh OUTPUT_DIR each
  time) with ``--jobs 1`` and ``--jobs 2``, interleaved; best and median
  wall time of ``--repeat`` runs, start-up of the workers included
  (``--copies 6``: 90 files, where that fixed cost weighs less);
* **peak RSS per worker** — one document of ``--pages`` pages (the samples
  concatenated with PyMuPDF ``insert_pdf``) through ``pdfclean batch --jobs
  1``: the worker's own peak (``ru_maxrss``, recorded in the manifest) and the
  largest process of the whole tree (``RUSAGE_CHILDREN``); ``--producers``
  builds it from those producers' samples only (as the truth files name them,
  ``run.py``'s ``producer``), so that a document of an earlier release's kind
  can be measured again;
* **start-up** — ``pdfclean --help``, best and median of 15 runs.

Figures are reported, not asserted: they depend on the machine (and on what
else it is doing: the load average is printed with them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "pdfs").glob("*.pdf"))
BIN = Path(sys.executable).parent
PDFCLEAN = [str(BIN / "pdfclean")] if (BIN / "pdfclean").exists() else [sys.executable, "-m", "pdfclean"]


def _busy_seconds() -> float:
    """CPU seconds spent by the whole machine so far (all cores, /proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def _our_seconds() -> float:
    """CPU seconds of this process and its waited-for descendants (the batch's whole tree)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def batch(src: Path, out: Path, *args: str) -> tuple[float, float]:
    """Wall time of one ``pdfclean batch`` run, and the CPU seconds that *other*
    processes took meanwhile (a run that shared the cores is not a fair figure)."""
    shutil.rmtree(out, ignore_errors=True)
    busy, ours = _busy_seconds(), _our_seconds()
    t = time.perf_counter()
    r = subprocess.run([*PDFCLEAN, "batch", str(src), "-o", str(out), "--quiet", *args],
                       capture_output=True, text=True, check=False)
    dt = time.perf_counter() - t
    foreign = (_busy_seconds() - busy) - (_our_seconds() - ours)
    if r.returncode != 0:
        sys.exit(f"batch failed ({r.returncode}): {r.stderr}")
    return dt, max(0.0, foreign)


def manifest(out: Path) -> list[dict]:
    return [json.loads(l) for l in (out / "pdfclean-manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def throughput(tmp: Path, copies: int, repeat: int) -> list[dict]:
    src = tmp / "throughput"
    for i in range(copies):
        for f in SAMPLES:
            d = src / f"copy {i}"
            d.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, d / f.name)
    files = len(SAMPLES) * copies
    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for _ in range(repeat):  # interleaved, so that a busy spell on the machine hits both
        for jobs in (1, 2):
            runs[jobs].append(batch(src, tmp / "out", "--jobs", str(jobs)))
    pages = sum(r["pages_read"] for r in manifest(tmp / "out") if r["status"] == "ok")
    rows = []
    for jobs, rs in runs.items():
        # a run during which other processes used more than 5 % of one core is set aside
        quiet = [dt for dt, foreign in rs if foreign <= 0.05 * dt]
        use = quiet or [dt for dt, _ in rs]
        rows.append({"jobs": jobs, "files": files, "pages": pages, "best": min(use),
                     "median": statistics.median(use), "clean": len(quiet), "runs": len(rs)})
    return rows


def big_document(path: Path, pages: int, producers: set[str] | None = None) -> None:
    import pymupdf

    from run import producer  # (benchmarks/run.py, beside this file)

    files = [f for f in SAMPLES if producers is None or producer(f) in producers]
    if not files:
        sys.exit(f"no sample of {', '.join(sorted(producers or ()))}")
    out = pymupdf.open()
    while out.page_count < pages:
        for f in files:
            with pymupdf.open(f) as d:
                need = pages - out.page_count
                if need <= 0:
                    break
                out.insert_pdf(d, to_page=min(d.page_count, need) - 1)
    out.save(path, garbage=3, deflate=True)
    out.close()


_TREE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")


def memory(tmp: Path, pages: int, engine: str, producers: set[str] | None = None) -> dict:
    """Peak RSS: the worker's own (manifest), and the largest process of the
    batch's tree (``RUSAGE_CHILDREN`` of a wrapper that only runs the batch)."""
    src = tmp / f"big-{engine}"
    src.mkdir()
    big_document(src / "big.pdf", pages, producers)
    out = tmp / "out-big"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _TREE, *PDFCLEAN, "batch", str(src), "-o", str(out), "--quiet",
                        "--jobs", "1", "--engine", engine, "--timeout", "0"],
                       capture_output=True, text=True, check=False)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"batch failed ({r.returncode}): {r.stderr}")
    rec = next(r for r in manifest(out) if r["status"] == "ok")
    return {"engine": engine, "pages": rec["pages"], "seconds": dt, "worker_mb": rec["worker_peak_rss_mb"],
            "tree_mb": round(int(r.stdout.split()[-1]) / 1024, 1),
            "size_mb": round((src / "big.pdf").stat().st_size / 2**20, 1)}


def startup(n: int = 15) -> dict:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([*PDFCLEAN, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return {"best": min(times), "median": statistics.median(times)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=3, help="copies of the samples (default 3)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pages", type=int, default=250)
    ap.add_argument("--producers", help="build the big document from these producers' samples (comma-separated)")
    ap.add_argument("--pdfplumber", action="store_true", help="also measure memory with --engine pdfplumber")
    a = ap.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}\n")
    with tempfile.TemporaryDirectory(prefix="pdfclean-bench-") as t:
        tmp = Path(t)
        rows = throughput(tmp, a.copies, a.repeat)
        base = rows[0]["best"]
        print("| batch | files | pages | best wall s | median wall s | pages/s | speed-up | quiet runs |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| --jobs {r['jobs']} | {r['files']} | {r['pages']} | {r['best']:.2f} | {r['median']:.2f} | "
                  f"{r['pages'] / r['best']:.1f} | {base / r['best']:.2f}× | {r['clean']}/{r['runs']} |")
        print("\n(quiet runs: other processes used under 5 % of a core meanwhile; the figures are "
              "from those, or from all runs when none was quiet)")
        print()
        engines = ["pymupdf"] + (["pdfplumber"] if a.pdfplumber else [])
        print("| document | engine | wall s | peak RSS, worker | peak RSS, largest process |")
        print("|---|---|---:|---:|---:|")
        for engine in engines:
            m = memory(tmp, a.pages, engine, set(a.producers.split(",")) if a.producers else None)
            print(f"| {m['pages']} pages ({m['size_mb']} MB) | {engine} | {m['seconds']:.1f} | "
                  f"{m['worker_mb']:.0f} MB | {m['tree_mb']:.0f} MB |")
        print()
    s = startup()
    print(f"`pdfclean --help`: best {s['best'] * 1000:.0f} ms, median {s['median'] * 1000:.0f} ms "
          f"(15 runs)")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
