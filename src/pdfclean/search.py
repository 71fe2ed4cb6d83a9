"""Text folded for search: :func:`normalize_for_search`.

A search index does not match what was printed but what its analyzer makes
of it. Lucene's (and so Elasticsearch's, OpenSearch's and Solr's) Arabic and
Persian analyzers lower-case, turn every decimal digit into 0–9, and fold
letters with ``ArabicNormalizer`` and ``PersianNormalizer``; the Persian one
first turns ZWNJ into a space (``PersianCharFilter``). pdfclean folds the
same way, so that a query folded by the same function (or by the analyzer)
matches the text whatever hamza, yeh or diacritics either was typed with.

The rules (each one a character to a character, or to nothing; a ligature
such as «ﻻ» or «ﷲ» to the letters it stands for):

======================================  ======================  ===========================
characters                              become                  as in Lucene
======================================  ======================  ===========================
Arabic presentation forms (U+FB50–FDFF,  their letters (NFKC)    (analyzers see them as
U+FE70–FEFF) that stand for letters                              typed: no rule)
``آ أ إ ٱ`` (alef with madda, hamza      ``ا`` bare alef         ArabicNormalizer (``ٱ``
above, hamza below; alef wasla)                                  wasla: pdfclean's addition)
``ى`` alef maksura                      ``ي`` yeh               ArabicNormalizer
``ة`` teh marbuta                       ``ه`` heh               ArabicNormalizer
``ی ے`` Farsi yeh, yeh barree           ``ي`` yeh               PersianNormalizer
``ک`` keheh                             ``ك`` kaf               PersianNormalizer
``ۀ ہ`` heh with yeh, heh goal          ``ه`` heh               PersianNormalizer
``ـ`` tatweel                           nothing                 ArabicNormalizer
harakat U+064B–U+0652 (tanween, fatha,  nothing                 ArabicNormalizer
damma, kasra, shadda, sukun)
hamza above/below U+0654–U+0655, and    nothing                 PersianNormalizer (U+0654);
every other Arabic combining mark                                the others: pdfclean's
(U+0610–061A, U+0653–065F, U+0670                                addition
superscript alef, U+06D6–06ED)
ZWNJ U+200C                             a space in Persian      PersianCharFilter (fa);
                                        (``fa``), nothing else  StandardTokenizer keeps it
ZWJ, LRM, RLM, ALM and the other        nothing                 (the tokenizer drops them)
bidi controls
any decimal digit (``٣``, ``۳``, ``3``)  its ASCII digit         DecimalDigitFilter
letters with a one-letter lower case    lower case              LowerCaseFilter
white space runs                        one space, none at the  (the tokenizer splits on
                                        ends                    them)
======================================  ======================  ===========================

Punctuation is kept (a tokenizer drops it; a ``LIKE`` query may want it).
Properties (tested with hypothesis): idempotent; every character it adds is a
letter or a digit (a folded form), or a space standing for white space or a
Persian ZWNJ; never longer than the input fully decomposed (NFKD).

>>> normalize_for_search("إِنَّ المَدْرَسَةَ الكُبْرى", "ar")
'ان المدرسه الكبري'
>>> normalize_for_search("می‌خواهم کتاب ۳ را", "fa")
'مي خواهم كتاب 3 را'
>>> normalize_for_search("می‌خواهم", "ar")
'ميخواهم'
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = {
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",  # alef forms
    "\u0649": "\u064a",  # alef maksura → yeh
    "\u0629": "\u0647",  # teh marbuta → heh
    "\u06cc": "\u064a", "\u06d2": "\u064a",  # Farsi yeh, yeh barree → yeh
    "\u06a9": "\u0643",  # keheh → kaf
    "\u06c0": "\u0647", "\u06c1": "\u0647",  # heh with yeh above, heh goal → heh
    "\u0640": None,  # tatweel
    "\u200d": None, "\u200e": None, "\u200f": None, "\u061c": None, "\ufeff": None,
}
for _c in [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06DD),
           *range(0x06DF, 0x06E5), 0x06E7, 0x06E8, *range(0x06EA, 0x06EE),
           *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
    _FOLD[chr(_c)] = None

_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def _fold_char(ch: str) -> str | None:
    """One character folded: the rules above but the ZWNJ one (None: dropped)."""
    if ch in _FOLD:
        return _FOLD[ch]
    if _PRESENTATION.match(ch):
        nf = unicodedata.normalize("NFKC", ch)
        # a form standing for letters (and marks); «ﷺ», «﷽» (phrases with spaces) are left alone
        if nf != ch and all(c.isalpha() or unicodedata.category(c) == "Mn" for c in nf):
            return "".join(f for c in nf if (f := _fold_char(c))) or None
        return ch
    if ch.isdecimal() and not ch.isascii():
        return str(unicodedata.decimal(ch))
    if ch.isupper() or ch.istitle():
        low = ch.lower()
        return low if len(low) == 1 and low.isalpha() else ch
    return ch


class _Table(dict):
    """``str.translate`` table: each code point's folding, computed once."""

    def __init__(self, zwnj: str | None) -> None:
        super().__init__({0x200C: zwnj})

    def __missing__(self, o: int) -> str | None:
        v = self[o] = _fold_char(chr(o))
        return v


_TABLES = {"fa": _Table(" "), None: _Table(None)}


def normalize_for_search(text: str, language: str | None = None) -> str:
    """``text`` folded as Lucene's Arabic and Persian analyzers fold it (the
    module's table); ``language`` ("ar", "fa", …, or None) decides only what
    a ZWNJ becomes: a space in Persian, nothing otherwise."""
    table = _TABLES["fa" if language == "fa" else None]
    return " ".join(text.translate(table).split())
