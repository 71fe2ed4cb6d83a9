"""Speed of this checkout against an earlier revision, same run: is the text-layer path slower?

    python benchmarks/compare.py REV [FOLDER ...] [--repeat N]

REV (any git revision) is taken out of this repository into a temporary folder (its
``src/``; its compiled kernel built there when it has one, with its text device where it has
one). Then the two versions take turns, each in a fresh process — REV, this checkout, REV, …
``--repeat`` times each — reading the same PDFs with ``extract(path, ocr="never")``: CPU
time of that process after one warm-up round (imports and first calls not counted), best of
the rounds.
Raw PyMuPDF ``get_text()`` is measured in every process too, so that each version's
ratio to it is beside the pages per second. The versions' outputs are not compared
(their quality is the scorer's business: ``make eval``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import gc, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pdfclean
try:
    from pdfclean.mupdf import load
    pymupdf = load()
except ImportError:  # an older pdfclean imports PyMuPDF its own way
    import pymupdf
files = [Path(p) for p in json.loads(sys.argv[2])]

def raw():
    n = 0
    for f in files:
        with pymupdf.open(f) as d:
            for p in d:
                p.get_text()
                n += 1
    return n

def mine():
    return sum(pdfclean.extract(f, ocr="never").source.pages for f in files)

out = {"kernel": None}
try:
    from pdfclean.kernel import KERNEL
    out["kernel"] = KERNEL is not None
    from pdfclean.kernel import mupdf_device
    out["device"] = mupdf_device(pymupdf) is not None
except ImportError:  # (a revision from before the kernel, or before its text device)
    pass
for name, fn in (("raw", raw), ("pdfclean", mine)):
    fn()  # warm-up
    gc.collect()
    t = time.process_time()
    out["pages"] = fn()
    out[name] = time.process_time() - t
print(json.dumps(out))
"""


def _mupdf_headers() -> str | None:
    """The MuPDF headers PyMuPDF ships (setup.py's ``PDFCLEAN_MUPDF_INCLUDE``), if installed."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("pymupdf")
    inc = os.path.join(os.path.dirname(spec.origin), "mupdf-devel", "include") if spec and spec.origin else ""
    return inc if os.path.isfile(os.path.join(inc, "mupdf", "fitz.h")) else None


def checkout(rev: str, into: Path) -> Path:
    """REV's ``src/`` written under ``into``, its compiled kernel (``_kernel.c``) built in place
    with the compiler Python was built with, as the install would (setup.py's flags: -O2, and
    the text device of ``_device.c``, which ``_kernel.c`` includes, where REV has one and
    PyMuPDF's MuPDF headers are installed)."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as t:
        try:
            t.extractall(into, filter="data")
        except TypeError:  # (Python before 3.10.12 / 3.11.4: no filters; git archive's own output)
            t.extractall(into)
    pkg = into / "src" / "pdfclean"
    cc = shlex.split(sysconfig.get_config_var("CC") or "cc")
    c = pkg / "_kernel.c"
    if c.exists():
        so = pkg / (c.stem + sysconfig.get_config_var("EXT_SUFFIX"))
        headers = _mupdf_headers() if (pkg / "_device.c").exists() else None
        device = [f"-I{headers}", "-DPDFCLEAN_MUPDF=1"] if headers else []
        r = subprocess.run(cc + ["-O2", "-ffp-contract=off", "-shared", "-fPIC",
                                 f"-I{sysconfig.get_paths()['include']}", *device, str(c), "-o", str(so)],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            print(f"warning: {rev}'s {c.name} did not build: its Python loops are measured", file=sys.stderr)
    return into / "src"


def run(src: Path, files: list[Path]) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(src), json.dumps([str(f) for f in files])],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"compare: the run of {src} failed: {r.stderr.strip().splitlines()[-1:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev")
    ap.add_argument("folders", nargs="*", type=Path, default=[ROOT / "samples" / "pdfs"])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    files = sorted(f for folder in a.folders for f in folder.glob("*.pdf"))
    with tempfile.TemporaryDirectory(prefix="pdfclean-compare-") as tmp:
        old_src = checkout(a.rev, Path(tmp))
        best: dict[str, dict] = {}
        for _ in range(a.repeat):
            for name, src in ((a.rev, old_src), ("this checkout", ROOT / "src")):
                r = run(src, files)
                b = best.setdefault(name, r)
                for k in ("raw", "pdfclean"):
                    b[k] = min(b[k], r[k])
    pages = best["this checkout"]["pages"]
    print(f"\n{len(files)} PDFs, {pages} pages; best of {a.repeat} runs each, alternating\n")
    print("| version | raw get_text() p/s | pdfclean p/s | vs raw |")
    print("|---|---:|---:|---:|")
    for name, b in best.items():
        kernel = {True: ", kernel", False: ", kernel not built", None: ""}[b.get("kernel")]
        kernel += {True: " and text device", False: ", no text device", None: ""}[b.get("device")]
        print(f"| {name}{kernel} | {pages / b['raw']:.0f} | {pages / b['pdfclean']:.0f} | "
              f"{b['raw'] / b['pdfclean']:.2f}× |")
    old, new = best[a.rev]["pdfclean"], best["this checkout"]["pdfclean"]
    print(f"\nthis checkout takes {new / old:.2f}× the CPU time of {a.rev} for the same pages")


if __name__ == "__main__":
    main()
