"""What every part of the OCR shares: its settings, its errors, a page's
result (:class:`OcrResult`), a word read (:class:`_Word`) and the tests on
words every stage asks (right to left, Latin, on one line, overlapping)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import PdfError
from ..model import Glyph


TESSERACT = "tesseract"  # the binary, looked up on PATH ($PDFCLEAN_TESSERACT overrides)
DEFAULT_LANG = "ara+fas+eng"
DEFAULT_DPI = 300
MAX_PIXELS = 40_000_000  # cap on the rendered page (the dpi is lowered to fit)
TIMEOUT = 120.0  # seconds per Tesseract run
PSM = "3"  # Tesseract page segmentation: fully automatic, no OSD
TESS_CONFIG: tuple[str, ...] = ()  # extra Tesseract variables (name=value)
FULL_DPI = 200  # resolution of the reading with all the languages
RTL_DPIS: tuple[int, ...] = (300,)  # … of the readings with the page's right-to-left language
DESKEW_DPI = 100
MAX_SKEW = 5.0  # degrees
MIN_SKEW = 0.05  # below this the page is not rotated
#: Tesseract languages written right to left
RTL_LANGS = frozenset({"ara", "fas", "per", "urd", "pus", "snd", "uig", "kur", "ckb", "heb", "yid",
                       "syr", "div", "script/Arabic", "script/Hebrew", "script/Syriac", "script/Thaana"})

# font box of a word, in ems from the baseline (like a text layer's glyph boxes)
ASCENT, DESCENT = 0.8, 0.3
#: average advance of an Arabic letter in ems (Amiri 0.35, Noto Naskh 0.41)
CHAR_EM = 0.37
BODY_SNAP = 0.15  # a regular line within this ratio of the page's body size is body text
SIZE_SNAP = 0.08  # other line sizes within this ratio of each other are one size
BOLD_RATIO = 1.2  # stroke width (per em) over the page's typical → bold
BOLD_RATIO_LARGE = 1.06  # … or this on text LARGE times the body size
LARGE = 1.1
NOISE_CONF = 35.0  # a 1-character word under this confidence is a speck
SPECK_CONF = 70.0  # … and so is a line of 1–2 characters under this
SMEAR_CONF, SMEAR_SIZE = 40.0, 3.0  # a line all under this confidence, this many times the usual size: a smear
GAP_EM = 1.5  # a gap this wide (ems) inside a line of some reading is an unread word
GAP_INK = 0.3  # … if this share of its columns has ink
# combining the readings (see combine)
SAME_ROW = 0.25  # lines whose baselines are this close (ems) are segments of one row
ROW_COVER = 0.6  # a reading covering less of a row than this share of the best is not taken
RTL_BONUS = 5.0  # confidence bonus of the right-to-left readings
DIGITS_BONUS = 20.0  # confidence bonus of the all-languages reading's numbers
FILL_CONF = 50.0  # a word where the base reading has nothing needs this
LATIN_LANG = "eng"  # the language words that may be English are read again with
REREAD_CONF = 88.0  # a Latin word or number under this confidence is read again in English
REREAD_ACCEPT = 75.0  # … and the English reading replaces it when this confident
REREAD_FITS = 40.0  # … or, for a number that fills the box the first reading left partly empty, this confident
MAX_REREAD = 60
RTL_WINS_CONF = 75.0  # an Arabic-script reading this confident beats a Latin one
LATIN_MIN_CONF = 50.0  # … and a Latin word under this loses to any more confident one
LATIN_OVER_ARABIC = 80.0  # a Latin word replaces a doubtful Arabic-script one only this confident
DIGITS_OVER_ARABIC = (60.0, 80.0)  # a number replaces an Arabic-script word under the first, if over the second
LATIN_ALONE_CONF = 65.0  # a Latin word where the RTL reading has nothing needs this


class OcrUnavailable(PdfError):
    """Tesseract (or a language's data) is not installed."""


class OcrError(PdfError):
    """OCR of one page failed (timeout, Tesseract error)."""


@dataclass
class OcrResult:
    glyphs: list[Glyph]
    confidence: float | None  # mean word confidence (0–100), None: no words
    angle: float = 0.0  # deskew rotation applied (degrees)
    dpi: float = DEFAULT_DPI  # resolution of the main reading, in dots per inch of the paper
    runs: int = 0  # Tesseract runs
    width: float | None = None  # the page as read (rotated by /Rotate), in PDF points
    height: float | None = None
    units: float = 72.0  # page units per inch of the paper (see :func:`page_units`)
    lines: list[dict] = field(default_factory=list)  # per line: text, size, bold (for debugging)


@dataclass
class _Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float
    base: float = 0.0  # baseline y at the word (from its line)
    line: int = 0  # line id (unique per reading)
    src: int = 1  # which reading

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


_MARKS = re.compile("[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed]")


def _is_rtl_word(t: str) -> bool:
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in t)


def _is_latin_word(t: str) -> bool:
    return any(ch.isascii() and ch.isalpha() for ch in t) and not _is_rtl_word(t)


def _overlap(a: _Word, b: _Word, share: float = 0.3) -> bool:
    """Do two word boxes of two readings cover the same ink (same line,
    overlapping in x by ``share`` of the narrower)?"""
    ox = min(a.x1, b.x1) - max(a.x0, b.x0)
    oy = min(a.y1, b.y1) - max(a.y0, b.y0)
    return (ox > 0 and oy > 0 and ox >= share * min(a.x1 - a.x0, b.x1 - b.x0)
            and oy >= 0.5 * min(a.y1 - a.y0, b.y1 - b.y0))


def _lines(words: list[_Word]) -> dict[int, list[_Word]]:
    out: dict[int, list[_Word]] = {}
    for w in words:
        out.setdefault(w.line, []).append(w)
    return out


def _short(e: BaseException) -> str:
    s = str(e).strip().splitlines()
    return (s[0] if s else type(e).__name__)[:160]
