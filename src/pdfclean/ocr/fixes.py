"""Tesseract's systematic misreadings corrected: the Arabic comma read as
«,» «ء» or «»», Persian letters and digits in Arabic text and the other way
round, the nisba «ـى» for «ـي», a list bullet read as «٠», a gap where a
word was not read."""

from __future__ import annotations

import re

from .common import GAP_EM, GAP_INK, _is_rtl_word, _Word
from .render import _Render


_PERSIAN_LETTERS = re.compile("[پچژگ\u200c]")
# letters a word-final hamza follows (سماء شيء بدء ضوء جزء بطء); after any
# other letter a final «ء» is the Arabic comma misread
_BEFORE_HAMZA = frozenset("اآيىدوزطئ\u064b\u064e\u0650\u064f\u0651\u0652")


def fix_word(text: str, rtl_line: bool, language: str | None) -> str:
    """Correct Tesseract's systematic misreadings in one word.

    * In a right-to-left line a Latin comma after a word is the Arabic comma.
    * In an Arabic line, Persian yeh, keheh and digits (from the Persian
      model) are Arabic ي, ك and Arabic-Indic digits; in a Persian line it is
      the other way round.

    >>> fix_word("العراق,", True, "ar"), fix_word("الولایات", True, "ar"), fix_word("۲۰۲۴", True, "ar")
    ('العراق،', 'الولايات', '٢٠٢٤')
    >>> fix_word("خلافء", True, "ar"), fix_word("سماء", True, "ar"), fix_word("شيء", True, "ar")
    ('خلاف،', 'سماء', 'شيء')
    >>> fix_word("يك", True, "fa"), fix_word("١٤٠٣", True, "fa")
    ('یک', '۱۴۰۳')
    """
    if rtl_line and text.endswith(",") and len(text) > 1:
        text = text[:-1] + "،"
    if rtl_line and len(text) > 2 and text.endswith("ء") and text[-2] not in _BEFORE_HAMZA:
        text = text[:-1] + "،"  # the Arabic comma read as a hamza: «خلافء»
    if language == "ar":
        text = text.translate(_TO_ARABIC_DIGITS)
        if not _PERSIAN_LETTERS.search(text):
            text = text.replace("ک", "ك").replace("ی", "ي")
            text = _FINAL_MAQSURA.sub(_final_yeh, text)
    elif language == "fa":
        text = text.replace("ك", "ک").replace("ي", "ی").replace("ى", "ی").translate(_TO_PERSIAN_DIGITS)
    return text


# Words that do end in alef maqsura and start with the article (the nisba
# adjectives, far more frequent, end in yeh)
_MAQSURA_WORDS = frozenset(
    "الأولى الأخرى الكبرى الصغرى العظمى الوسطى القصوى الدنيا الأقصى الأعلى الأدنى الأقوى الأجدى "
    "المدى المستوى المحتوى القوى البنى الدعوى الشكاوى الفتاوى الموسيقى الحمى الذكرى الفوضى "
    "الجدوى المبنى المعنى المنتدى الملتقى المرمى المسعى المغزى المقتضى المنحنى المصطفى الهوى "
    "الصدى الندى الرؤى القرى الأذى الضحى الأسى الثرى الكلى المثلى الحسنى الشورى البشرى اليسرى "
    "اليمنى العليا الفصحى المرضى الجرحى القتلى الأسرى الموتى الحبلى النجوى التقوى".split())
_FINAL_MAQSURA = re.compile("[\u0621-\u064a\u064b-\u0652]+\u0649(?=[\u064b-\u0652]*(?:[^\u0621-\u0652]|$))")


def _final_yeh(m: re.Match) -> str:
    """A final alef maqsura that is a yeh: «فى» «الذى» «التى» and the
    nisba adjectives «العراقى» «النووى». Tesseract reads ى wherever a font
    draws the final yeh without its dots (Noto Naskh bold) or blur takes them."""
    w = m.group(0)
    bare = re.sub("[\u064b-\u0652]", "", w)
    core = bare[1:] if bare[:1] in "وفبلك" and len(bare) > 3 else bare
    if core in ("فى", "الذى", "التى") or bare in ("فى", "وفى"):
        return w[:-1] + "\u064a"
    if core.startswith("ال") and len(core) >= 5 and core not in _MAQSURA_WORDS \
            and ("ال" + core[2:]) not in _MAQSURA_WORDS:
        return w[:-1] + "\u064a"
    return w


_TO_ARABIC_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")
_TO_PERSIAN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")


_BULLETS = frozenset("٠ه.•·o°*")


def _fix_bullet(ws: list[_Word], size: float, rtl: bool) -> None:
    """A list bullet at the start of a right-to-left line comes back as «٠»,
    «ه» or «.» (a «1.» whose digit is lost): a narrow one-character word
    before a line of text is the bullet «•»."""
    if not rtl or len(ws) < 3:
        return
    first = max(ws, key=lambda w: w.x1)
    if first.text in _BULLETS and first.x1 - first.x0 <= 0.5 * size:
        first.text = "•"


def _close_gaps(ws: list[_Word], size: float, spans, ink, r: _Render) -> None:
    """A word no reading could read leaves a gap in its line; wider than two
    ems, line building would cut the line there (as at a column gap), and a
    cover's «المصدر: …، نُشر بتاريخ ١٥ …» would lose its date. Where a line
    of some reading spans the gap and there is ink in it (not the blank
    between a running title and its page number), the neighbours' boxes are
    widened over it."""
    base = ws[0].base
    for a, b in zip(ws, ws[1:]):  # left to right
        gap = b.x0 - a.x1
        if gap <= GAP_EM * size:
            continue
        if not any(x0 <= a.x1 and x1 >= b.x0 and abs(bl - base) <= 0.5 * size for x0, x1, bl in spans):
            continue
        probe = _Word("", a.x1 + 0.1 * size, base - 0.7 * size, b.x0 - 0.1 * size, base + 0.2 * size, 0)
        x0, y0, x1, y1 = r.box(probe)
        cut = ink[y0:y1, x0:x1]
        if cut.size and cut.any(axis=0).mean() >= GAP_INK:
            mid = (a.x1 + b.x0) / 2
            a.x1, b.x0 = mid - 0.2 * size, mid + 0.2 * size


def _fix_guillemets(lines: list[list[_Word]]) -> None:
    """Tesseract reads the Arabic comma «،» of some fonts as «»». A «»» that
    closes no «««» is a comma (lines in reading order, words right to left)."""
    depth = 0
    for ws in lines:
        for w in sorted(ws, key=lambda w: -w.cx):
            if not _is_rtl_word(w.text) and not w.text.strip("«»،"):
                continue
            chars = list(w.text)
            for i, ch in enumerate(chars):
                if ch == "«":
                    depth += 1
                elif ch == "»":
                    if depth:
                        depth -= 1
                    elif i == len(chars) - 1 and i > 0:
                        chars[i] = "،"
            w.text = "".join(chars)
