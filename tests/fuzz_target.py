"""Fuzz target: mutated PDFs must convert or fail as the document's fault.

    python tests/fuzz_target.py --seconds 600      # what `make fuzz` runs
    TestOneInput(data)                              # atheris-style entry point

Mutations keep the header and the end of the file, so most inputs get past
the cheap checks into the engines and every later stage. An input that raises
anything else — an InternalError included — is written to ``fuzz-crashes/``
and the run fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pdfclean.errors import InternalError, PdfCleanError  # noqa: E402
from pdfclean.pipeline import extract  # noqa: E402

KEEP_HEAD, KEEP_TAIL = 16, 40


def seeds() -> list[bytes]:
    """Small real inputs: the first two pages of some samples, plus real PDFs."""
    import pymupdf

    out = []
    for pdf in sorted((ROOT / "samples" / "pdfs").glob("*.pdf"))[:6]:
        with pymupdf.open(pdf) as d:
            small = pymupdf.open()
            small.insert_pdf(d, from_page=0, to_page=min(1, d.page_count - 1))
            out.append(small.tobytes(garbage=3, deflate=True))
    for pdf in ["ar_docling_rtl01_word_ltsc.pdf", "ar_en_mixed_short_skia.pdf", "fa_essay_libreoffice35_writer.pdf"]:
        out.append((ROOT / "tests" / "data" / "realpdfs" / pdf).read_bytes())
    return out


def mutate(data: bytes, rng: random.Random, n_ops: int | None = None) -> bytes:
    b = bytearray(data)
    for _ in range(n_ops or rng.randint(1, 8)):
        lo, hi = KEEP_HEAD, max(KEEP_HEAD + 1, len(b) - KEEP_TAIL)
        i = rng.randrange(lo, hi)
        op = rng.randrange(6)
        if op == 0:  # flip bits
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # random byte
            b[i] = rng.randrange(256)
        elif op == 2:  # delete a range
            del b[i:i + rng.randint(1, 64)]
        elif op == 3:  # duplicate a range
            j = min(len(b), i + rng.randint(1, 256))
            b[i:i] = b[i:j]
        elif op == 4:  # insert PDF-ish tokens
            b[i:i] = rng.choice([b" obj ", b"endobj", b"<<", b">>", b"[", b"]", b" 0 R ", b"stream\n",
                                 b"/Length 999999999", b"/Filter /FlateDecode", b"-1", b"1e308", b"(", b")"])
        else:  # swap a digit (offsets, lengths, counts)
            digits = [k for k in range(lo, min(hi, len(b))) if 48 <= b[k] <= 57]
            if digits:
                b[rng.choice(digits)] = rng.randrange(48, 58)
    return bytes(b)


def TestOneInput(data: bytes) -> None:
    """Converts, or raises a failure of the document (PdfError, LimitError):
    an InternalError (a bug of pdfclean's) or anything else goes up."""
    try:
        doc = extract(data, ocr="never", max_pages=200)
        doc.to_json()
        doc.to_markdown()
    except InternalError:
        raise
    except PdfCleanError:
        pass


def run(seconds: float, seed: int) -> int:
    rng = random.Random(seed)
    corpus = seeds()
    crashes = ROOT / "fuzz-crashes"
    n = 0
    t = time.monotonic()
    while time.monotonic() - t < seconds:
        data = mutate(rng.choice(corpus), rng)
        n += 1
        try:
            TestOneInput(data)
        except Exception:
            crashes.mkdir(exist_ok=True)
            path = crashes / f"crash-{seed}-{n}.pdf"
            path.write_bytes(data)
            print(f"uncaught exception on input {n} (saved to {path}):", file=sys.stderr)
            traceback.print_exc()
            return 1
    print(f"{n} mutated inputs in {seconds:.0f} s, 0 uncaught exceptions")
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    sys.exit(run(a.seconds, a.seed))
