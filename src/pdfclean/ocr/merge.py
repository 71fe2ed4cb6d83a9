"""Several readings of a page merged into one set of words: row by row, the
best-covering reading the base, words of the others replacing or filling
(:func:`combine`, :func:`_better`); ink no word covers found
(:func:`uncovered_rows`); words that may be English or numbers read again
with the English model (:func:`reread_latin`)."""

from __future__ import annotations

import re

from .common import (DIGITS_BONUS, DIGITS_OVER_ARABIC, FILL_CONF, LATIN_ALONE_CONF, LATIN_LANG,
                     LATIN_MIN_CONF, LATIN_OVER_ARABIC, MAX_REREAD, REREAD_ACCEPT, REREAD_CONF, REREAD_FITS,
                     ROW_COVER, RTL_BONUS, RTL_WINS_CONF, SPECK_CONF, TIMEOUT, _is_latin_word,
                     _is_rtl_word, _lines, _overlap, _Word)
from .glyphs import _line_size
from .render import PREPROCESS, _otsu, _Render
from .tesseract import _run, parse_hocr


def _main_rtl(words: list[_Word], rtl: list[str]) -> str:
    """The right-to-left language to read the page with: the one its words
    are in (Arabic or Persian), else all of them."""
    if len(rtl) == 1:
        return rtl[0]
    from ..lang import language_of

    text = " ".join(w.text for w in words if _is_rtl_word(w.text) and w.conf >= 60)
    code = {"ar": "ara", "fa": "fas"}.get(language_of(text, ocr=True))
    if code in rtl:
        return code
    return "+".join(rtl)


_URLISH = re.compile(r"(https?://|www\.|@)\S+|\S+\.(org|com|net)\b", re.IGNORECASE)


def _rows(words: list[_Word]) -> list[list[_Word]]:
    """Words of all readings grouped into visual rows: the lines of two
    readings are one row when they read the same ink (their words overlap).

    Baselines alone do not do: Tesseract's baselines of one line differ by a
    third of an em between readings, and a reading may merge two lines."""
    lines = _lines(words)
    ids = list(lines)
    parent = {i: i for i in ids}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    span = {i: (min(w.y0 for w in ws), max(w.y1 for w in ws)) for i, ws in lines.items()}
    src = {i: ws[0].src for i, ws in lines.items()}
    for k, i in enumerate(ids):
        for j in ids[k + 1:]:
            if src[i] == src[j] or span[i][1] <= span[j][0] or span[j][1] <= span[i][0]:
                continue
            a, b = lines[i], lines[j]
            hits = sum(1 for w in a if any(_overlap(w, o) for o in b))
            if hits and hits >= 0.3 * min(len(a), len(b)):
                parent[find(i)] = find(j)
    rows: dict[int, list[_Word]] = {}
    for i in ids:
        rows.setdefault(find(i), []).extend(lines[i])
    return sorted(rows.values(), key=lambda ws: min(w.base for w in ws))


def _quality(ws: list[_Word]) -> float:
    """Mean confidence of a reading of a row, by characters."""
    n = sum(len(w.text) for w in ws)
    return sum(w.conf * len(w.text) for w in ws) / n if n else 0.0


def combine(readings: list[list[_Word]]) -> list[_Word]:
    """One set of words from several readings of a page.

    ``readings[0]`` is with all the languages (its words have odd ``src``),
    the others with the page's right-to-left language only (even ``src``).
    Row by row (:func:`_rows`), the reading with the best confidence that
    covers most of the row is the base (a right-to-left reading is preferred
    by :data:`RTL_BONUS`); then each word of the other readings that reads
    the same ink as a base word may replace it (:func:`_better`), and one
    that covers ink no base word covers is added (:func:`_fills`)."""
    rows = _rows([w for r in readings for w in r])
    out: list[_Word] = []
    for row in rows:
        by_src: dict[int, list[_Word]] = {}
        for w in row:
            by_src.setdefault(w.src, []).append(w)
        cover = {k: sum(w.x1 - w.x0 for w in ws) for k, ws in by_src.items()}
        top = max(cover.values())
        cands = [k for k in by_src if cover[k] >= ROW_COVER * top]
        best = max(cands, key=lambda k: _quality(by_src[k]) + (RTL_BONUS if k % 2 == 0 else 0.0))
        got = list(by_src[best])
        bases = {w.line: w.base for w in got}
        others = sorted((k for k in by_src if k != best), key=lambda k: -_quality(by_src[k]))
        for k in others:
            for w in by_src[k]:
                under = [o for o in got if _overlap(w, o)]
                if not under:
                    if _fills(w):
                        got.append(w)
                    continue
                same = [o for o in under if _overlap(o, w, 0.5)]
                if same and all(_better(w, o) for o in same):
                    got = [o for o in got if o not in same]
                    got.append(w)
        if best % 2 == 1:  # an all-languages base: its doubtful Latin words go
            got = [w for w in got if not (w.src % 2 == 1 and _is_latin_word(w.text)
                                          and w.conf < LATIN_ALONE_CONF and not _URLISH.search(w.text))]
            for w in (w for k in others if k % 2 == 0 for w in by_src[k]):  # … for an Arabic reading
                if _is_rtl_word(w.text) and not any(_overlap(w, o) for o in got):
                    got.append(w)
        # words taken from another reading join the nearest line of this one
        for w in got:
            if w.line not in bases:
                w.line = min(bases, key=lambda k: abs(bases[k] - w.base))
                w.base = bases[w.line]
        out.extend(got)
    return out


_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_YEH_END = re.compile("[\u064a\u0649\u06cc]([^\\w]*)$")


def _kind(t: str) -> str:
    """latin, arabic, digits or other."""
    if _is_rtl_word(_DIGITS.sub("", t)) and any(ch.isalpha() for ch in t):
        return "arabic"
    if any(ch.isascii() and ch.isalpha() for ch in t):
        return "latin"
    if _DIGITS.search(t):
        return "digits"
    return "other"


def _better(w: _Word, o: _Word) -> bool:
    """Should word ``w`` of one reading replace word ``o`` of another (the
    same ink)?

    * The same text: no.
    * Only the final yeh differs (ي / ى / ی): the dotted ي wins. Blur takes
      the dots of a final yeh away in one reading or another; it never adds
      two dots under an alef maqsura.
    * Latin against Arabic script: Arabic misread as English comes back as
      Latin words of confidence up to 90, but then the Arabic reading is
      confident too (:data:`RTL_WINS_CONF`); real English reads as digit
      soup in Arabic.
    * Numbers: the all-languages reading reads Eastern digits (through the
      Persian model) and per cent signs (through the English one) far better
      than the Arabic model alone (:data:`DIGITS_BONUS`).
    * Otherwise the more confident (a right-to-left reading by :data:`RTL_BONUS`).
    """
    if w.text == o.text:
        return False
    if _YEH_END.search(w.text) and _YEH_END.search(o.text) and \
            _YEH_END.sub("", w.text) == _YEH_END.sub("", o.text) and \
            _YEH_END.search(w.text).group(1) == _YEH_END.search(o.text).group(1):  # type: ignore[union-attr]
        return w.text[_YEH_END.search(w.text).start()] == "\u064a"  # type: ignore[union-attr]
    kw, ko = _kind(w.text), _kind(o.text)

    def score(x: _Word, k: str) -> float:
        s = x.conf + (RTL_BONUS if x.src % 2 == 0 else 0.0)
        if k == "digits" and x.src % 2 == 1:
            s += DIGITS_BONUS
        return s

    if kw == "latin" and ko == "arabic":
        return o.conf < RTL_WINS_CONF and w.conf >= LATIN_OVER_ARABIC and w.conf > o.conf
    if kw == "arabic" and ko == "latin":  # a doubtful Latin word is worse than any Arabic reading
        return w.conf >= RTL_WINS_CONF or o.conf < LATIN_ALONE_CONF or w.conf > o.conf
    if kw == "digits" and ko == "arabic":  # «حقاً» read as «2» by one reading
        return o.conf < DIGITS_OVER_ARABIC[0] and w.conf >= DIGITS_OVER_ARABIC[1]
    if kw == "latin" and ko in ("digits", "other"):
        return w.conf >= LATIN_MIN_CONF and (w.conf > o.conf or _URLISH.search(w.text) is not None
                                             or o.conf < RTL_WINS_CONF)
    return score(w, kw) > score(o, ko)


def _fills(w: _Word) -> bool:
    """May a word be added where the base reading has nothing?"""
    if _is_latin_word(w.text):
        return w.conf >= LATIN_ALONE_CONF or _URLISH.search(w.text) is not None
    return w.conf >= (FILL_CONF if len(w.text) > 1 else SPECK_CONF)


def uncovered_rows(r: _Render, words: list[_Word], min_share: float = 0.25) -> list[tuple[int, int]]:
    """Row ranges (pixels of ``r``) holding a text line's worth of ink that no
    word box covers: the lines Tesseract's layout analysis dropped."""
    import numpy as np

    if not words:
        return []
    img = r.img
    ink = img < min(_otsu(img), 200)  # type: ignore[operator]
    covered = np.zeros_like(ink)
    boxes = [r.box(w, 2) for w in words]
    for x0, y0, x1, y1 in boxes:
        covered[y0:y1, x0:x1] = True
    rest = ink & ~covered
    line_h = sorted(_line_size([w]) for w in words)[len(words) // 2] * r.zoom
    x0 = min(b[0] for b in boxes)
    x1 = max(b[2] for b in boxes)
    width = max(1.0, x1 - x0)
    cols = rest[:, x0: x1 + 1]
    band = max(4, int(line_h / 2))
    rows = []
    start = None
    n = cols.shape[0]
    for y in range(0, n, band):
        seg = cols[y: y + band]
        full = seg.any(axis=0).sum() >= min_share * width and seg.sum() >= 0.02 * seg.size
        if full and start is None:
            start = y
        elif not full and start is not None:
            rows.append((start, y))
            start = None
    if start is not None:
        rows.append((start, n))
    return [(a, b) for a, b in rows if b - a >= 0.5 * line_h]


def _suspect_latin(w: _Word) -> bool:
    """A word that may be English or a number the Arabic model misread:
    digit soup for «COP29», «9060» for «60%», «2» for the list marker «2.»,
    Eastern and Western digits mixed."""
    t = w.text
    western = any("0" <= ch <= "9" for ch in t)
    if _is_rtl_word(re.sub("[\u0660-\u0669\u06f0-\u06f9]", "", t)):
        return western and w.conf < 90  # «ه7١٠»
    if western:
        return True
    return _is_latin_word(t) and w.conf < REREAD_CONF and w.src % 2 == 0


def _accept_reread(w: _Word, text: str, conf: float) -> bool:
    """Does the English reading ``text`` replace word ``w``? A number does
    when it carries a per cent sign the word lacks, adds only a full stop or
    bracket, holds the word's digits and more (the Arabic model read «2025»
    as «5»), or is sure where the word was not.

    >>> W = lambda t, c: _Word(t, 0, 0, 10, 10, c)
    >>> _accept_reread(W("5", 96), "2025", 96), _accept_reread(W("33", 97), "3.3", 96)
    (True, False)
    """
    letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    digits = re.sub(r"\D", "", text)
    if conf < REREAD_ACCEPT:
        return conf >= REREAD_FITS and not letters and _fills_box(w, text)
    if letters >= 2 and len(text) >= 2:
        return not (_is_rtl_word(w.text) and w.conf >= RTL_WINS_CONF)
    if letters or not digits:
        return False
    if not re.fullmatch(r"[(\[]?[\d.,/%\-]+[)\]]?[.,:؛،]?", text):
        return False
    if "%" in text and "%" not in w.text:
        return True
    if text.rstrip(".)") == w.text and conf >= REREAD_ACCEPT:  # «2» → «2.»
        return True
    mine = re.sub(r"\D", "", w.text)
    if conf >= 90 and mine and mine != digits and mine in digits:  # «5» read whole: «2025»
        return True
    return conf >= 90 and w.conf < 80


NUMBER_EM = {".": 0.25, ",": 0.25, ":": 0.28, "/": 0.28, "-": 0.33, "(": 0.33, ")": 0.33, "%": 0.83}
DIGIT_HEIGHT_EM = 0.72  # a number's box is its digits' height, this share of an em
FITS = (0.7, 1.4)  # a reading fills its box: its width over the box's, at that em
EMPTY = 1.5  # … and leaves it partly empty beyond this


def _fill(w: _Word, text: str) -> float:
    """How much wider word ``w``'s box is than ``text`` set at the em its
    height gives (digits 0.5 em, points and brackets less): about 1 when the
    text is what the box holds.

    >>> round(_fill(_Word("25.", 228, 134, 259, 144, 68), "2025"), 2)
    1.12
    """
    em = (w.y1 - w.y0) / DIGIT_HEIGHT_EM
    width = sum(NUMBER_EM.get(ch, 0.5) for ch in text) * em
    return (w.x1 - w.x0) / width if width > 0 else 0.0


def _fills_box(w: _Word, text: str) -> bool:
    """Is the doubtful English reading ``text`` of a number the better one
    by geometry alone? It holds the word's digits and more, and it fills the
    word's box where the word's own text leaves part of it empty (Tesseract's
    Arabic model read a bilevel «2025.» as «25.» across the whole box).

    >>> W = _Word("25.", 228, 134, 259, 144, 68)
    >>> _fills_box(W, "2025"), _fills_box(W, "25"), _fills_box(_Word("2025", 228, 134, 259, 144, 68), "12025")
    (True, False, False)
    """
    if not re.fullmatch(r"[(\[]?[\d.,/%\-]+[)\]]?[.,:؛،]?", text):
        return False
    mine, digits = re.sub(r"\D", "", w.text), re.sub(r"\D", "", text)
    if not mine or mine == digits or mine not in digits:
        return False
    return FITS[0] <= _fill(w, text) <= FITS[1] and _fill(w, w.text) > EMPTY


def reread_latin(path: str, r: _Render, words: list[_Word], timeout: float = TIMEOUT) -> int:
    """Read again, with the English model alone, the words that may be
    English or numbers misread by the Arabic model (:func:`_suspect_latin`):
    their images stacked into one strip, one Tesseract run. Returns the number
    of runs (0 or 1)."""
    import numpy as np

    cands = [w for w in words if _suspect_latin(w)][:MAX_REREAD]
    if not cands:
        return 0
    crops = []
    for w in cands:
        pad = 0.25 * (w.y1 - w.y0) * r.zoom
        x0, y0, x1, y1 = r.box(w, pad)
        crops.append(r.img[y0:y1, x0:x1])  # type: ignore[index]
    width = max(c.shape[1] for c in crops) + 40
    gap = max(c.shape[0] for c in crops) // 2 + 10
    height = sum(c.shape[0] for c in crops) + gap * (len(crops) + 1)
    strip = np.full((height, width), 255, dtype=np.uint8)
    bands = []
    y = gap
    for c in crops:
        strip[y: y + c.shape[0], 20: 20 + c.shape[1]] = c
        bands.append((y, y + c.shape[0]))
        y += c.shape[0] + gap
    got = parse_hocr(_run(path, PREPROCESS(strip) if PREPROCESS else strip, LATIN_LANG, r.dpi, timeout,
                          psm="6"), 9)
    for w, (a, b) in zip(cands, bands):
        mine = sorted((g for g in got if a <= (g.y0 + g.y1) / 2 <= b and g.text.strip()), key=lambda g: g.x0)
        if not mine:
            continue
        text = " ".join(g.text.strip() for g in mine)
        conf = min(g.conf for g in mine)
        if conf < REREAD_FITS or text == w.text:
            continue
        # numbers with a sign or a full stop are drawn right to left: «%60» «.2»
        m = re.fullmatch(r"([%.]+)([\d.,]*\d)", text)
        if m:
            text = m.group(2) + m.group(1)
        if _accept_reread(w, text, conf):
            w.text, w.conf = text, conf
    return 1
