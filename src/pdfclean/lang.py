"""Tell Arabic, Persian and English text apart, line by line.

Arabic and Persian share a script, so the letters alone say little: Iraqi
Arabic text carries Kurdish and Persian names (گلستان، پیشمرگه), and Arabic
fonts often turn the final dotless yeh into Persian ی (U+06CC) on extraction.
:func:`persian_score` therefore weighs *words*, each piece of evidence with a
hand-set log-likelihood ratio, and sums them:

* Persian: a word containing پ چ ژ گ; a ZWNJ inside a word (می‌شود،
  چالش‌ها); ۀ; the plural «‌های» glued to a word; Persian function words
  (است، این، که، را، در، از، با، به، برای، شده …); Persian digits ۰-۹.
* Arabic: the article «ال» (also وال، بال، فال، كال، لل); ة; ى; tanwin;
  Arabic function words (في، على، إلى، التي، الذي، أن، هذا، عن، مع، قد …);
  Arabic-Indic digits ٠-٩.
* Ignored: ک and ی (and ك/ي) on their own, and words both languages share
  (و، بين، علي، او …).

Function words are looked up after folding ی/ى→ي and ک→ك, so «فی الوقت الذی»
(Arabic with a font artefact) still counts as في … الذي.

>>> language_of("بحران آب در عراق و چالش‌های پیش رو")
'fa'
>>> language_of("فی الوقت الذی")
'ar'
>>> language_of("The Iraqi Centre for Strategic Studies")
'en'
>>> language_of("ایران")                      # no evidence either way
'und'
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

__all__ = [
    "script_counts",
    "language_of",
    "persian_score",
    "is_persian",
    "persian_log_odds",
]

ZWNJ = "\u200c"
PERSIAN_ONLY_LETTERS = frozenset("پچژگ")  # U+067E U+0686 U+0698 U+06AF
ARABIC_ONLY_LETTERS = frozenset("ةى")  # U+0629 U+0649
TANWIN = frozenset("\u064b\u064c\u064d")
ARABIC_INDIC_DIGITS = frozenset("٠١٢٣٤٥٦٧٨٩")  # U+0660-0669
PERSIAN_DIGITS = frozenset("۰۱۲۳۴۵۶۷۸۹")  # U+06F0-06F9
#: Letters of Kurdish (Sorani), Urdu, Pashto … that neither Arabic nor Persian
#: uses; a text full of them is neither "ar" nor "fa".
OTHER_ARABIC_SCRIPT_LETTERS = frozenset("ڕڵۆێەٹڈڑںےۓټډړږښګڼۍې")

# Log-likelihood ratios per word, positive = Persian.
W_PERSIAN_LETTER = 3.0
W_ZWNJ = 3.0
W_HEH_YEH = 2.5  # ۀ (ezafe)
W_HAY_SUFFIX = 2.0  # «…های» written solid
W_ARTICLE = -2.5
W_TA_MARBUTA = -3.0
W_ALEF_MAKSURA = -1.5  # Persian typed on Arabic keyboards uses it too
W_TANWIN = -3.0  # ٌ ٍ
W_FATHATAN = -0.7  # ً is frequent in Persian too (کاملاً، معمولاً)
W_PERSIAN_DIGIT_RUN = 1.5
W_ARABIC_DIGIT_RUN = -1.5
DIGIT_EVIDENCE_CAP = 3.0  # digits can be typed on "the other" keyboard
#: Below this |log-odds| the text is "und".
DECISION_MARGIN = 1.0


def _fold(word: str) -> str:
    """Fold yeh/kaf variants for word-list lookup (keeps hamza and madda).

    >>> _fold("فی"), _fold("یک"), _fold("على")
    ('في', 'يك', 'علي')
    """
    return word.translate(_FOLD_TABLE)


_FOLD_TABLE = str.maketrans({"ی": "ي", "ى": "ي", "ک": "ك"})


def _weights(spec: dict[float, str]) -> dict[str, float]:
    return {_fold(w): weight for weight, words in spec.items() for w in words.split()}


#: Persian function words (folded) and their weights.
PERSIAN_WORDS: dict[str, float] = _weights(
    {
        3.0: "است این آن که را می نمی های برای شده شود نیز یک در از با "
        "خود بود کند کنند دارد باید اند هستند همچنین ایشان وی",
        2.0: "به ها تا هر شد",
        1.0: "ای بر",
    }
)
#: Arabic function words (folded) and their weights.  «على» only with ى:
#: folded «علي/علی» is also the name Ali.
ARABIC_WORDS: dict[str, float] = _weights(
    {
        -3.0: "في وفي إلى الى التي الذي الذين اللذين أن إن هذا هذه هؤلاء عن مع "
        "هو هي وهو وهي ذلك تلك قد وقد لقد لم لن إذا اذا ليس كانت يكون يكن "
        "منذ هناك أيضا أو ثم عندما",
        -2.0: "من ومن كان لا كما أي حيث",
        -1.0: "ما ان إلا الا",
    }
)
ARABIC_ALA = "على"  # checked before folding

# «ال» with an optional و/ف/ب proclitic, or «لل», then two or more letters.
# (كال is left out: Persian کالا «goods» is too common.)
_ARTICLE_RE = re.compile(r"^(?:[وفب]?ال|لل)..")
# Arabic-script letters, harakat and ZWNJ (digits and punctuation excluded).
_WORD_RE = re.compile(
    r"[\u0620-\u064a\u064b-\u065f\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0670\u200c]+"
)
_DIGIT_RUN_RE = re.compile(r"[٠-٩]+|[۰-۹]+")
_ZWNJ_RE = re.compile(r"(?<=.)\u200c(?=.)", re.S)  # a ZWNJ with a character on each side


def _is_arabic_script_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and (
        "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\u08a0" <= ch <= "\u08ff"
    ) and ch != "\u0640"


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def _prepare(text: str) -> str:
    """NFKC (undoes presentation forms) and drop tatweel."""
    return unicodedata.normalize("NFKC", text).replace("\u0640", "")


def _words(text: str) -> list[str]:
    """Arabic-script words, ZWNJ kept inside, stripped at the edges."""
    if ZWNJ not in text:  # nothing to strip, and no match is empty
        return _WORD_RE.findall(text)
    return [w.strip(ZWNJ) for w in _WORD_RE.findall(text) if w.strip(ZWNJ)]


def _bare(word: str) -> str:
    """Word without harakat (tanwin, shadda …) for lookups."""
    return word.translate(_BARE_TABLE)


_BARE_TABLE = dict.fromkeys([*range(0x064B, 0x0660), 0x0670])


@lru_cache(maxsize=65536)
def _word_log_odds(word: str, ocr: bool = False) -> float:
    """Persian-vs-Arabic evidence carried by one Arabic-script word.

    ``ocr``: the word is an OCR reading. A final «ى» is then no evidence:
    Persian «ی» has the same dotless shape at a word's end, and a model picks
    either (Tesseract's Arabic model reads «وابستگی» as «وابستكى»).

    >>> _word_log_odds("گلستان") > 0 > _word_log_odds("الوقت")
    True
    >>> _word_log_odds("ایران")
    0.0
    """
    score = 0.0
    bare = _bare(word)
    folded = _fold(bare.replace(ZWNJ, ""))
    if any(c in PERSIAN_ONLY_LETTERS for c in word):
        score += W_PERSIAN_LETTER
    if ZWNJ in word:
        score += W_ZWNJ
    if "ۀ" in word:
        score += W_HEH_YEH
    if len(folded) >= 5 and folded.endswith(("هاي", "هايي")) and ZWNJ not in word:
        score += W_HAY_SUFFIX
    if "ة" in word:
        score += W_TA_MARBUTA
    if "ى" in word and not ocr:
        score += W_ALEF_MAKSURA
    if "\u064c" in word or "\u064d" in word:
        score += W_TANWIN
    elif "\u064b" in word:
        score += W_FATHATAN
    if _ARTICLE_RE.match(folded) and not folded.startswith("بالا"):
        score += W_ARTICLE
    if bare == ARABIC_ALA:
        score += ARABIC_WORDS["في"]
    score += PERSIAN_WORDS.get(folded, 0.0) + ARABIC_WORDS.get(folded, 0.0)
    return score


def persian_log_odds(text: str) -> float:
    """Summed log-likelihood ratio, Persian (> 0) versus Arabic (< 0).

    >>> persian_log_odds("") == 0.0
    True
    >>> persian_log_odds("این کتاب") > 0 > persian_log_odds("هذا الكتاب")
    True
    """
    return _log_odds(_prepare(text))


def _log_odds(text: str, ocr: bool = False) -> float:
    """:func:`persian_log_odds` of text already through :func:`_prepare`."""
    words = _words(text)
    score = sum(_word_log_odds(w, True) for w in words) if ocr else sum(map(_word_log_odds, words))
    digits = 0.0
    for run in _DIGIT_RUN_RE.findall(text):
        digits += W_PERSIAN_DIGIT_RUN if run[0] in PERSIAN_DIGITS else W_ARABIC_DIGIT_RUN
    return score + max(-DIGIT_EVIDENCE_CAP, min(DIGIT_EVIDENCE_CAP, digits))


def persian_score(text: str) -> float:
    """How Persian (1.0) versus Arabic (0.0) an Arabic-script text is.

    0.5 means no evidence either way (including text with no Arabic script).

    >>> persian_score("واقعیتهای نادیده گرفته شده مذاکرات ایران و امریکا") > 0.9
    True
    >>> persian_score("تشهد العلاقات بين البلدين تطوراً ملحوظاً") < 0.1
    True
    >>> persian_score("2025")
    0.5
    """
    x = persian_log_odds(text)
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def script_counts(text: str) -> dict[str, int]:
    """Character and word counts behind :func:`language_of`.

    Text is NFKC-normalised first, so presentation forms count as letters.

    Keys: ``arabic_letters`` (all Arabic-script letters, Persian ones
    included), ``latin_letters``, ``other_letters``, ``digits`` (all decimal
    digits) split into ``western_digits``, ``arabic_digits`` (٠-٩) and
    ``persian_digits`` (۰-۹); ``persian_only`` (پ چ ژ گ); ``arabic_only``
    (ة ى tanwin and Arabic-Indic digits); ``zwnj`` (all U+200C) and
    ``zwnj_in_words`` (between two letters); ``keheh`` (ک), ``farsi_yeh``
    (ی), ``arabic_kaf`` (ك), ``arabic_yeh`` (ي) -- weak evidence, reported
    only; ``other_arabic_script`` (Kurdish/Urdu/Pashto letters); ``words``
    (Arabic-script words), ``article_words`` (starting with ال/لل),
    ``persian_function_words``, ``arabic_function_words``.

    >>> c = script_counts("می‌شود ۱۲ پ ة 3 x")
    >>> [c[k] for k in ("zwnj_in_words", "persian_digits", "persian_only", "arabic_only")]
    [1, 2, 1, 1]
    >>> c["latin_letters"], c["digits"]
    (1, 3)
    """
    text = _prepare(text)
    counts = _char_counts(text)
    for word in _words(text):
        folded = _fold(_bare(word).replace(ZWNJ, ""))
        counts["words"] += 1
        counts["article_words"] += bool(_ARTICLE_RE.match(folded))
        counts["persian_function_words"] += folded in PERSIAN_WORDS
        counts["arabic_function_words"] += folded in ARABIC_WORDS or _bare(word) == ARABIC_ALA
    return counts


def _char_counts(text: str) -> dict[str, int]:
    """The character counts of :func:`script_counts` (word counts left at 0)."""
    counts = dict.fromkeys(
        (
            "arabic_letters", "latin_letters", "other_letters", "digits",
            "western_digits", "arabic_digits", "persian_digits", "persian_only",
            "arabic_only", "zwnj", "zwnj_in_words", "keheh", "farsi_yeh",
            "arabic_kaf", "arabic_yeh", "other_arabic_script", "words",
            "article_words", "persian_function_words", "arabic_function_words",
        ),
        0,
    )
    # Each distinct character is classified once (a text has ~100 of them).
    for ch, n in Counter(text).items():
        if ch == ZWNJ:
            counts["zwnj"] += n
        elif ch.isdecimal():
            counts["digits"] += n
            if ch in ARABIC_INDIC_DIGITS:
                counts["arabic_digits"] += n
                counts["arabic_only"] += n
            elif ch in PERSIAN_DIGITS:
                counts["persian_digits"] += n
            elif "0" <= ch <= "9":
                counts["western_digits"] += n
        elif ch in TANWIN:
            counts["arabic_only"] += n
        elif _is_arabic_script_letter(ch):
            counts["arabic_letters"] += n
            counts["persian_only"] += n * (ch in PERSIAN_ONLY_LETTERS)
            counts["arabic_only"] += n * (ch in ARABIC_ONLY_LETTERS)
            counts["other_arabic_script"] += n * (ch in OTHER_ARABIC_SCRIPT_LETTERS)
            counts["keheh"] += n * (ch == "ک")
            counts["farsi_yeh"] += n * (ch == "ی")
            counts["arabic_kaf"] += n * (ch == "ك")
            counts["arabic_yeh"] += n * (ch == "ي")
        elif _is_latin_letter(ch):
            counts["latin_letters"] += n
        elif ch.isalpha():
            counts["other_letters"] += n
    if counts["zwnj"]:
        counts["zwnj_in_words"] = sum(1 for m in _ZWNJ_RE.finditer(text)
                                      if text[m.start() - 1].isalpha() and text[m.end()].isalpha())
    return counts


def _letter_counts(text: str) -> tuple[int, int, int]:
    """``arabic_letters``, ``latin_letters`` and ``other_arabic_script`` of
    :func:`_char_counts`, all that :func:`language_of` needs of them: each
    distinct character's class is looked up once in a run (not with
    :mod:`unicodedata` for every text)."""
    arabic = latin = other = 0
    for ch, n in Counter(text).items():
        kind = _LETTER_CLASS.get(ch)
        if kind is None:
            kind = _LETTER_CLASS[ch] = _letter_class(ch)
        if kind:
            if kind == 3:
                latin += n
            else:
                arabic += n
                if kind == 2:
                    other += n
    return arabic, latin, other


def _letter_class(ch: str) -> int:
    """0: not a letter :func:`_char_counts` counts; 1: an Arabic-script
    letter; 2: one of :data:`OTHER_ARABIC_SCRIPT_LETTERS`; 3: a Latin letter
    (the order of its tests: ZWNJ, digits and tanwin are no letters)."""
    if ch == ZWNJ or ch.isdecimal() or ch in TANWIN:
        return 0
    if _is_arabic_script_letter(ch):
        return 2 if ch in OTHER_ARABIC_SCRIPT_LETTERS else 1
    return 3 if _is_latin_letter(ch) else 0


_LETTER_CLASS: dict[str, int] = {}  # character -> _letter_class (a few hundred distinct ones)


def language_of(text: str, ocr: bool = False) -> str:
    """``"ar"``, ``"fa"``, ``"en"`` or ``"und"`` for a line or paragraph.

    * ``"en"`` when Latin letters outnumber Arabic-script ones (any Latin
      script language is reported as ``"en"``);
    * ``"und"`` for text without letters, for Kurdish/Urdu-looking text, and
      when the Arabic-vs-Persian evidence is too weak (a lone name);
    * otherwise ``"fa"`` or ``"ar"`` from :func:`persian_log_odds`.

    ``ocr``: the text is an OCR reading, whose final «ى»/«ی» tells nothing
    (see :func:`_word_log_odds`).

    >>> t = "اقتصاد عراق؛ وابستكى به نفت و فشار تورم"  # Tesseract's reading of a Persian line
    >>> language_of(t), language_of(t, ocr=True)
    ('und', 'fa')
    >>> language_of("واقعیتهای نادیده گرفته شده مذاکرات ایران و امریکا")
    'fa'
    >>> language_of("وصل الوفد العراقي إلى محافظة گلستان شمالي إيران")
    'ar'
    >>> language_of("١٢٣")
    'und'
    """
    text = _prepare(text)
    arabic, latin, other = _letter_counts(text)
    if latin > arabic:
        return "en"
    if arabic == 0:
        return "und"
    if other >= 3 and other >= 0.03 * arabic:
        return "und"
    x = _log_odds(text, ocr)  # text is prepared already
    if x >= DECISION_MARGIN:
        return "fa"
    if x <= -DECISION_MARGIN:
        return "ar"
    return "und"


def is_persian(text: str) -> bool:
    """Whether :func:`language_of` says ``"fa"``.

    >>> is_persian("این گزارش در تهران منتشر شد"), is_persian("نشر هذا التقرير في بغداد")
    (True, False)
    """
    return language_of(text) == "fa"
