#!/usr/bin/env python3
"""Make "scanned" versions of the sample PDFs, for the OCR scorer.

For every ``samples/pdfs/<name>.pdf`` (or the subset chosen with --producer /
--article) this writes

    <out>/<name>-scan.pdf          an image-only PDF: every page rendered at
                                   200 dpi, grayscale, slightly blurred and
                                   rotated, stored as JPEG; page size = original
    <out>/<name>-scan.truth.json   the original truth with "file" and
                                   "producer": "<producer>-scan"

The degradation is deterministic: the rotation of each page (within ±1.5°)
and the blur come from a random generator seeded with the file name and page
number, so re-running gives byte-identical files.

Usage:  python samples/scan.py [--src samples/pdfs] [--out samples/scans]
            [--producer libreoffice|reportlab|chromium|all] [--article SLUG]
            [--dpi 200] [--quality 75] [--max-bytes 1048576]
"""
from __future__ import annotations

import argparse
import io
import json
import random
import sys
from pathlib import Path

import pymupdf
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
PRODUCERS = ("libreoffice", "reportlab", "chromium")
# What is committed: the libreoffice and reportlab renderings of the five
# articles, each file under MAX_BYTES (the six-page LibreOffice seed article is
# 1.2 MB and left out). `--producer all` makes all fifteen.
DEFAULT_PRODUCERS = ("libreoffice", "reportlab")
MAX_BYTES = 1 << 20
MAX_ANGLE = 1.5  # degrees


def degrade(img: Image.Image, rng: random.Random) -> tuple[Image.Image, float]:
    """Blur slightly and rotate by a small random angle (white corners)."""
    img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.6, 1.0)))
    angle = round(rng.uniform(-MAX_ANGLE, MAX_ANGLE), 2)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    return img, angle


def scan_pdf(src: Path, dst: Path, dpi: int = 200, quality: int = 75) -> list[float]:
    """Write an image-only copy of ``src`` to ``dst``; returns the page angles."""
    angles = []
    with pymupdf.open(src) as doc, pymupdf.open() as out:
        for page in doc:
            rng = random.Random(f"{src.name}:{page.number + 1}")
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
            img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
            img, angle = degrade(img, rng)
            angles.append(angle)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True, dpi=(dpi, dpi))
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, stream=buf.getvalue())
        out.set_metadata({"producer": "pdfclean samples/scan.py", "creator": "scanner simulation"})
        out.save(dst, garbage=4, deflate=True, no_new_id=True)
    return angles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=HERE / "pdfs")
    ap.add_argument("--out", type=Path, default=HERE / "scans")
    ap.add_argument("--producer", choices=PRODUCERS + ("all",), action="append")
    ap.add_argument("--article")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--quality", type=int, default=75)
    ap.add_argument("--max-bytes", type=int, default=MAX_BYTES,
                    help="leave out a scan larger than this (0: no limit)")
    a = ap.parse_args(argv)
    producers = PRODUCERS if a.producer and "all" in a.producer else tuple(a.producer or DEFAULT_PRODUCERS)
    a.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for truth_file in sorted(a.src.glob("*.truth.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if truth.get("producer") not in producers or (a.article and truth.get("article") != a.article):
            continue
        name = truth_file.name[: -len(".truth.json")]
        pdf = truth_file.with_name(name + ".pdf")
        dst = a.out / f"{name}-scan.pdf"
        angles = scan_pdf(pdf, dst, a.dpi, a.quality)
        size = dst.stat().st_size
        if a.max_bytes and size > a.max_bytes:
            dst.unlink()
            print(f"{dst}: {size // 1024} KB is over {a.max_bytes // 1024} KB, left out")
            continue
        truth["file"] = dst.name
        truth["producer"] = f"{truth['producer']}-scan"
        truth["scan"] = {"dpi": a.dpi, "jpeg_quality": a.quality, "angles": angles}
        (a.out / f"{name}-scan.truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{dst} ({dst.stat().st_size // 1024} KB, angles {angles})")
        n += 1
    if not n:
        print("no sample PDFs matched", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
