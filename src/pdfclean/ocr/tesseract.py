"""Tesseract: whether it is there and reads the languages asked for, one run
on an image (a subprocess, no shell, one thread, a timeout), and its hOCR
parsed into words with their line's baseline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

from ..errors import PdfError
from ..mupdf import load as _load_pymupdf
from .common import DEFAULT_LANG, NOISE_CONF, PSM, TESS_CONFIG, TESSERACT, OcrError, OcrUnavailable, _MARKS, _short, _Word
from .render import PREPROCESS, _Render


_LANGS: dict[str, frozenset[str]] = {}


def tesseract_path() -> str:
    """The Tesseract binary, or :class:`OcrUnavailable`."""
    name = os.environ.get("PDFCLEAN_TESSERACT") or TESSERACT
    path = shutil.which(name)
    if not path:
        raise OcrUnavailable(f"Tesseract is not installed: no {name!r} on PATH (Debian: apt-get "
                             "install tesseract-ocr tesseract-ocr-ara tesseract-ocr-fas)")
    return path


def installed_languages(path: str | None = None) -> frozenset[str]:
    """Languages Tesseract has data for (cached per binary)."""
    path = path or tesseract_path()
    if path not in _LANGS:
        try:
            r = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30,
                               env=_env(), check=False)
        except (OSError, subprocess.SubprocessError) as e:
            raise OcrUnavailable(f"Tesseract does not run ({_short(e)})") from None
        if r.returncode != 0:
            raise OcrUnavailable(f"Tesseract does not run (exit code {r.returncode})")
        out = (r.stdout or "") + "\n" + (r.stderr or "")
        langs = [ln.strip() for ln in out.splitlines()
                 if re.fullmatch(r"[\w\-]+(/[\w\-]+)?", ln.strip())]
        _LANGS[path] = frozenset(langs)
    return _LANGS[path]


def check(lang: str = DEFAULT_LANG) -> str:
    """The Tesseract binary, once it is known to read ``lang`` («ara+fas+eng»)."""
    if not re.fullmatch(r"[A-Za-z0-9_\-/]+(\+[A-Za-z0-9_\-/]+)*", lang or "") or ".." in lang:
        raise OcrUnavailable(f"bad OCR language {lang!r} (use Tesseract codes, e.g. ara+fas+eng)")
    path = tesseract_path()
    have = installed_languages(path)
    missing = [x for x in lang.split("+") if x not in have]
    if missing:
        deb = " ".join(f"tesseract-ocr-{m.lower().replace('_', '-')}" for m in missing if "/" not in m)
        raise OcrUnavailable(
            f"Tesseract has no data for {'+'.join(missing)} (installed: "
            f"{', '.join(sorted(have - {'osd'})) or 'none'}" + (f"; Debian: apt-get install {deb})" if deb else ")"))
    return path


def open_document(data: bytes, password: str | None = None, lang: str | None = None):
    """The PDF opened for rendering (a ``pymupdf.Document``), once Tesseract
    is known to be there (and to read ``lang``, when given)."""
    if lang:
        check(lang)
    else:
        tesseract_path()
    pymupdf = _load_pymupdf()

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:  # MuPDF raises several types
        raise PdfError(f"not a readable PDF ({_short(e)})") from None
    if doc.needs_pass and not (password and doc.authenticate(password)):
        doc.close()
        raise PdfError("encrypted PDF: a password is needed (--password)")
    return doc


def _read(path: str, r: _Render, lang: str, timeout: float, src: int) -> list[_Word]:
    img = PREPROCESS(r.img) if PREPROCESS else r.img
    return [r.to_points(w) for w in _words(_run(path, img, lang, r.dpi, timeout), src)]


def _run(path: str, img, lang: str, dpi: float, timeout: float, psm: str | None = None) -> str:
    h, w = img.shape
    pgm = b"P5\n%d %d\n255\n" % (w, h) + img.tobytes()
    cmd = [path, "stdin", "stdout", "-l", lang, "--oem", "1", "--psm", psm or PSM, "--dpi", str(round(dpi))]
    for kv in TESS_CONFIG:
        cmd += ["-c", kv]
    cmd.append("hocr")
    try:
        r = subprocess.run(cmd, input=pgm, capture_output=True, timeout=timeout, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise OcrError(f"Tesseract took longer than {timeout:.0f} s") from None
    except OSError as e:
        raise OcrUnavailable(f"Tesseract does not run ({_short(e)})") from None
    if r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"Tesseract failed ({err[-1] if err else f'exit code {r.returncode}'})")
    return r.stdout.decode("utf-8", "replace")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # one thread per Tesseract: its OpenMP threads cost more than they give
    # (7× slower on 2 cores); parallelism belongs to the caller
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


class _Hocr(HTMLParser):
    """Words of Tesseract's hOCR, each with its line's baseline."""

    def __init__(self, src: int) -> None:
        super().__init__(convert_charrefs=True)
        self.src = src
        self.words: list[_Word] = []
        self.line: tuple | None = None  # (x0, y0, x1, y1, slope, offset)
        self.n_lines = 0
        self.word: _Word | None = None
        self.depth = 0  # tags open inside the current word
        self.buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.word is not None:
            self.depth += 1
            return
        a = dict(attrs)
        cls, title = a.get("class") or "", a.get("title") or ""
        if cls in ("ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption"):
            box = _bbox(title)
            if box:
                bl = re.search(r"baseline\s+(-?[\d.]+)\s+(-?[\d.]+)", title)
                slope, off = (float(bl.group(1)), float(bl.group(2))) if bl else (0.0, -0.2 * (box[3] - box[1]))
                self.line = (*box, slope, off)
                self.n_lines += 1
        elif cls == "ocrx_word" and self.line:
            box = _bbox(title)
            conf = re.search(r"x_wconf\s+(-?[\d.]+)", title)
            if box:
                x0, _, _, y1, slope, off = self.line
                base = y1 + off + slope * ((box[0] + box[2]) / 2 - x0)
                self.word = _Word("", *box, float(conf.group(1)) if conf else -1.0, base,
                                  self.src * 100_000 + self.n_lines, self.src)
                self.depth = 0
                self.buf = []

    def handle_endtag(self, tag):
        if self.word is None:
            return
        if self.depth:
            self.depth -= 1
            return
        self.word.text = "".join(self.buf).strip()
        self.words.append(self.word)
        self.word = None

    def handle_data(self, data):
        if self.word is not None:
            self.buf.append(data)


def _bbox(title: str) -> tuple[float, float, float, float] | None:
    m = re.search(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)", title)
    return tuple(float(v) for v in m.groups()) if m else None  # type: ignore[return-value]


def parse_hocr(hocr: str, src: int = 1) -> list[_Word]:
    """The words of Tesseract's hOCR (pixel boxes, with their line's baseline)."""
    p = _Hocr(src)
    p.feed(hocr)
    p.close()
    return p.words


_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def _words(hocr: str, src: int) -> list[_Word]:
    out = []
    for w in parse_hocr(hocr, src):
        w.text = _BIDI.sub("", w.text).strip()
        if _keep(w):
            out.append(w)
    return out


def _keep(w: _Word) -> bool:
    t = w.text
    if not t or t.isspace() or w.conf < 10 or w.x1 <= w.x0 or w.y1 <= w.y0:
        return False
    bare = _MARKS.sub("", t)
    if not bare:
        return False  # marks on their own
    if len(bare) == 1 and w.conf < NOISE_CONF and not bare.isdigit():
        return False  # a speck read as a letter
    if not any(ch.isalnum() for ch in t) and w.conf < 50:
        return False  # punctuation noise
    return True
