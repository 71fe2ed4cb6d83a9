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
import math
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


# --------------------------------------------------------------------------
# scans of several kinds (the tests make them into tmp_path; nothing committed)

#: kind → how it is made (see :func:`make_kind`)
KINDS = {
    "pixel-box": "grey JPEG at 150 dpi, no resolution recorded: the page box is the pixel size",
    "150dpi": "grey JPEG scanned at 150 dpi, page box = paper",
    "200dpi": "grey JPEG scanned at 200 dpi, page box = paper",
    "300dpi": "grey JPEG scanned at 300 dpi, page box = paper",
    "bilevel": "1-bit scan at 300 dpi (Flate), slight skew, page box = paper",
    "ccitt": "1-bit scan at 300 dpi (CCITT G4), slight skew, page box = paper",
    "jbig2": "1-bit scan at 300 dpi (JBIG2, generic region, MMR-coded), slight skew, page box = paper",
    "rotate90": "grey JPEG at 200 dpi stored sideways in a landscape box, upright by /Rotate 90",
    "camera": "colour JPEG, uneven light, a perspective of a few degrees, slight blur (a phone photo)",
    "outlines": "no scan: the text drawn as filled outlines, no text layer (Ghostscript -dNoOutputFonts)",
    "cipher": "no scan: a text layer of real Arabic letters that is not Arabic (ToUnicode letters permuted)",
}


def page_image(page, dpi: int, colour: bool = False) -> Image.Image:
    """A page of a born-digital PDF rendered at ``dpi`` (grey or RGB)."""
    cs = pymupdf.csRGB if colour else pymupdf.csGRAY
    pix = page.get_pixmap(dpi=dpi, colorspace=cs, alpha=False)
    return Image.frombytes("RGB" if colour else "L", (pix.width, pix.height), pix.samples)


def bilevel(img: Image.Image, rng: random.Random) -> tuple[Image.Image, float]:
    """A 1-bit scan: rotated a little, then thresholded (a scanner's
    hardware threshold: no grey, ragged edges)."""
    angle = round(rng.uniform(-MAX_ANGLE, MAX_ANGLE), 2)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    return img.point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE), angle


def camera(img: Image.Image, rng: random.Random, max_tilt: float = 0.025) -> tuple[Image.Image, float]:
    """A phone photo of a page: a perspective (each corner moved by up to
    ``max_tilt`` of the page's width, a few degrees of keystone), light
    falling off from one corner, a warm paper tint, blur and sensor noise.
    ``img`` is RGB."""
    import numpy as np

    w, h = img.size
    d = max_tilt * w
    # where each output corner takes its pixels from (tl, tr, br, bl)
    src = [(rng.uniform(-d, d), rng.uniform(-d, d)), (w + rng.uniform(-d, d), rng.uniform(-d, d)),
           (w + rng.uniform(-d, d), h + rng.uniform(-d, d)), (rng.uniform(-d, d), h + rng.uniform(-d, d))]
    dst = [(0, 0), (w, 0), (w, h), (0, h)]
    a = []
    bvec = []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        bvec += [u, v]
    coeffs = np.linalg.solve(np.array(a, float), np.array(bvec, float))
    img = img.transform((w, h), Image.PERSPECTIVE, tuple(coeffs), resample=Image.BICUBIC,
                        fillcolor=(235, 230, 215))
    img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.7, 1.1)))
    arr = np.asarray(img).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.choice([(0, 0), (w, 0), (0, h), (w, h)])
    dist = np.hypot(xx - cx, yy - cy) / math.hypot(w, h)
    light = 1.0 - rng.uniform(0.35, 0.45) * dist  # the far corner in shadow
    tint = np.array([1.0, 0.96, 0.86], np.float32)  # warm light on paper
    arr = arr * light[..., None] * tint
    arr += np.random.default_rng(rng.randrange(1 << 30)).normal(0, 4.0, arr.shape).astype(np.float32)
    tilt = math.degrees(math.atan2(max(abs(src[1][1] - src[0][1]), abs(src[2][1] - src[3][1])), w))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB"), round(tilt, 2)


def _jpeg(img: Image.Image, quality: int, dpi: int | None) -> bytes:
    buf = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    img.save(buf, "JPEG", quality=quality, optimize=True, **extra)
    return buf.getvalue()


def _ccitt(img: Image.Image) -> bytes:
    """The CCITT G4 data of a 1-bit image (one strip, through libtiff)."""
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="group4", strip_size=1 << 40)
    tif = Image.open(io.BytesIO(buf.getvalue()))
    (off,), (n,) = tif.tag_v2[273], tif.tag_v2[279]
    return buf.getvalue()[off: off + n]


def _jbig2(img: Image.Image, dpi: int = 300) -> bytes:
    """A 1-bit image as PDF's embedded JBIG2 stream (no encoder is packaged
    for Debian or PyPI, so the simplest one): a page information segment and
    one immediate lossless generic region whose data is MMR-coded — T.6, the
    CCITT G4 coding, with JBIG2's 1 for black."""
    import struct
    from PIL import ImageOps

    def segment(number: int, kind: int, data: bytes) -> bytes:  # header: number, type, no referrals, page 1
        return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data

    w, h = img.size
    mmr = _ccitt(ImageOps.invert(img.convert("L")).convert("1"))
    ppm = round(dpi / 0.0254)
    page = struct.pack(">IIIIBH", w, h, ppm, ppm, 0, 0)  # size, resolution, flags, no striping
    region = struct.pack(">IIIIB", w, h, 0, 0, 0) + b"\x01" + mmr  # region at 0,0 (OR); MMR on
    return segment(0, 48, page) + segment(1, 39, region)


def image_pdf(images: list[dict], dst: Path) -> None:
    """An image-only PDF written object by object (pikepdf), so that the page
    box, /Rotate and the image's encoding are exactly what is asked. Each
    entry: ``img`` (PIL), ``box`` (width, height in points, before /Rotate),
    ``rotate`` (0/90/180/270), ``encoding`` ("jpeg", or 1-bit "flate",
    "ccitt" or "jbig2"), ``quality``."""
    import zlib

    import pikepdf

    pdf = pikepdf.new()
    for spec in images:
        img, (bw, bh) = spec["img"], spec["box"]
        enc = spec.get("encoding", "jpeg")
        w, h = img.size
        if enc == "jpeg":
            data = _jpeg(img, spec.get("quality", 75), spec.get("dpi"))
            cs = pikepdf.Name.DeviceRGB if img.mode == "RGB" else pikepdf.Name.DeviceGray
            xobj = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                  Width=w, Height=h, ColorSpace=cs, BitsPerComponent=8,
                                  Filter=pikepdf.Name.DCTDecode)
        elif enc == "flate":
            xobj = pikepdf.Stream(pdf, zlib.compress(img.convert("1").tobytes(), 9), Type=pikepdf.Name.XObject,
                                  Subtype=pikepdf.Name.Image, Width=w, Height=h,
                                  ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1,
                                  Filter=pikepdf.Name.FlateDecode)
        elif enc == "ccitt":
            xobj = pikepdf.Stream(pdf, _ccitt(img.convert("1")), Type=pikepdf.Name.XObject,
                                  Subtype=pikepdf.Name.Image, Width=w, Height=h,
                                  ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1,
                                  Filter=pikepdf.Name.CCITTFaxDecode,
                                  DecodeParms=pikepdf.Dictionary(K=-1, Columns=w, Rows=h, BlackIs1=True))
        elif enc == "jbig2":
            xobj = pikepdf.Stream(pdf, _jbig2(img.convert("1")), Type=pikepdf.Name.XObject,
                                  Subtype=pikepdf.Name.Image, Width=w, Height=h,
                                  ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1,
                                  Filter=pikepdf.Name.JBIG2Decode)
        else:
            raise ValueError(f"unknown encoding {enc!r}")
        content = pikepdf.Stream(pdf, f"q {bw:.4f} 0 0 {bh:.4f} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, bw, bh], Contents=content,
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)))
        if spec.get("rotate"):
            page.Rotate = int(spec["rotate"])
        pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo["/Producer"] = "pdfclean samples/scan.py"
    pdf.save(dst, deterministic_id=True)


def outlines(src: Path, dst: Path, pages: list[int] | None = None) -> dict:
    """``src`` (its pages ``pages``) through Ghostscript with its text turned
    into filled paths: a page that shows text and has no text layer."""
    import shutil
    import subprocess

    gs = shutil.which("gs")
    if not gs:
        raise RuntimeError("Ghostscript (gs) is needed for the outlines kind")
    cmd = [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-dNoOutputFonts",
           f"-sOutputFile={dst}"]
    if pages:
        cmd.append("-sPageList=" + ",".join(str(n) for n in pages))
    subprocess.run(cmd + [str(src)], check=True, capture_output=True, timeout=300)
    with pymupdf.open(dst) as d:
        n = d.page_count
    return {"kind": "outlines", "pages": list(pages or range(1, n + 1)), "angles": [0.0] * n}


ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x064B) if c not in range(0x063B, 0x0641)]


def cipher(src: Path, dst: Path, pages: list[int] | None = None, seed: str = "cipher") -> dict:
    """``src`` (its pages ``pages``) with every font's ToUnicode map
    rewritten so that each Arabic letter stands for another (one fixed
    permutation, no letter for itself): a text layer of real Arabic letters,
    in the right places, that reads as no language — what a legacy font
    mapped to the wrong code page gives. The glyphs drawn are unchanged."""
    import re

    import pikepdf

    rng = random.Random(seed)
    letters = list(ARABIC_LETTERS)
    while True:
        perm = letters[:]
        rng.shuffle(perm)
        if all(a != b for a, b in zip(letters, perm)):
            break
    table = {ord(a): b for a, b in zip(letters, perm)}

    def swap(m: re.Match) -> bytes:
        hexs = m.group(1).decode()
        text = "".join(chr(int(hexs[i: i + 4], 16)) for i in range(0, len(hexs) - len(hexs) % 4, 4))
        return b"<" + "".join(f"{ord(ch):04X}" for ch in text.translate(table)).encode() + b">"

    with pikepdf.open(src) as pdf:
        keep = [pdf.pages[n - 1] for n in (pages or range(1, len(pdf.pages) + 1))]
        out = pikepdf.new()
        for page in keep:
            out.pages.append(page)
        seen = set()
        for page in out.pages:
            for _name, font in (page.obj.get("/Resources", {}).get("/Font", {}) or {}).items():
                tu = font.get("/ToUnicode")
                if tu is None or tu.objgen in seen:
                    continue
                seen.add(tu.objgen)
                cmap = tu.read_bytes()
                # destinations only: the second hex string of a bfchar line, the third of a bfrange
                cmap = re.sub(rb"(?m)^(\s*<[0-9A-Fa-f]+>\s*(?:<[0-9A-Fa-f]+>\s*)?)<([0-9A-Fa-f]{4,})>",
                              lambda m: m.group(1) + swap(re.match(rb"(.*)", m.group(2))), cmap)
                tu.write(cmap)
        out.save(dst, deterministic_id=True)
    return {"kind": "cipher", "pages": list(pages or range(1, len(keep) + 1)), "angles": [0.0] * len(keep),
            "permutation": "".join(perm)}


def make_kind(src: Path, dst: Path, kind: str, pages: list[int] | None = None) -> dict:
    """Write a scan of ``kind`` (:data:`KINDS`) of the pages ``pages``
    (1-based; all by default) of ``src`` to ``dst``; returns what was done
    per page (angles). Deterministic: seeded with the file name, kind and page."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if kind == "outlines":
        return outlines(src, dst, pages)
    if kind == "cipher":
        return cipher(src, dst, pages)
    specs, angles = [], []
    with pymupdf.open(src) as doc:
        for n in pages or range(1, doc.page_count + 1):
            page = doc[n - 1]
            rng = random.Random(f"{src.name}:{kind}:{n}")
            pw, ph = page.rect.width, page.rect.height
            if kind == "pixel-box":
                img, angle = degrade(page_image(page, 150), rng)
                specs.append({"img": img, "box": img.size, "quality": 80})
            elif kind.endswith("dpi"):
                dpi = int(kind[:-3])
                img, angle = degrade(page_image(page, dpi), rng)
                specs.append({"img": img, "box": (pw, ph), "quality": 75, "dpi": dpi})
            elif kind in ("bilevel", "ccitt", "jbig2"):
                img, angle = bilevel(page_image(page, 300), rng)
                specs.append({"img": img, "box": (pw, ph), "encoding": "flate" if kind == "bilevel" else kind})
            elif kind == "rotate90":
                img, angle = degrade(page_image(page, 200), rng)
                # stored turned a quarter counter-clockwise; /Rotate 90 turns it back
                specs.append({"img": img.rotate(90, expand=True), "box": (ph, pw), "rotate": 90, "quality": 75})
            else:  # camera
                img, angle = camera(page_image(page, 200, colour=True), rng)
                specs.append({"img": img, "box": (pw, ph), "quality": 70})
            angles.append(angle)
    image_pdf(specs, dst)
    return {"kind": kind, "pages": list(pages or range(1, len(specs) + 1)), "angles": angles}


def measure_kind(src: Path, kind: str, pages: list[int], out: Path, truth: dict | None = None) -> dict:
    """Scan ``pages`` of ``src`` as ``kind`` into ``out`` and read it back:
    body CER against the same pages read from the text layer (which pdfclean
    reads within 0.2 %), pages that failed, metadata right (of the truth's
    title, author, source, published, when ``truth`` is given), seconds."""
    import time

    import pdfclean
    from pdfclean.eval import META_FIELDS, cer

    dst = out / f"{src.stem}-{kind}.pdf"
    made = make_kind(src, dst, kind, pages)
    spec = ",".join(str(n) for n in pages)
    ref = pdfclean.extract(src, pages=spec, ocr="never")
    t0 = time.perf_counter()
    doc = pdfclean.extract(dst, ocr_jobs=1)
    seconds = time.perf_counter() - t0

    def body(d) -> str:
        return " ".join(b.text for b in d.front_matter + d.blocks)

    d = doc.to_dict()
    res = {"kind": kind, "file": dst.name, "pages": len(pages), "cer": cer(body(doc), body(ref)),
           "failed": [w for w in doc.warnings if "OCR failed" in w],
           "ocr_pages": sum(1 for p in d["pages"] if p["ocr"]), "seconds": seconds,
           "angles": made["angles"], "bytes": dst.stat().st_size}
    if truth:
        meta = truth["metadata"]
        fields = [f for f in META_FIELDS if meta.get(f)]
        res["meta_right"] = sum(1 for f in fields if (d["metadata"].get(f) or None) == meta[f])
        res["meta_total"] = len(fields)
        res["meta_wrong"] = {f: d["metadata"].get(f) for f in fields if d["metadata"].get(f) != meta[f]}
    return res


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
