"""The text layer judged: does it read as a language, and which way.

A text layer can be the right glyphs with the wrong characters (a broken font
encoding: private-use characters, U+FFFD, ASCII noise), real letters that are
no language (letters mapped wrong, a legacy code page), or words whose letters
run backwards (an OCR layer's word boxes). The pipeline asks these functions
of each page: :func:`text_quality` and :func:`script_plausibility` for OCR
triage, :func:`function_word_hits` and :func:`reverse_words` for the reading
direction. A page's words are found once for all of them (:func:`_script_words`).
"""

from __future__ import annotations

import re
from operator import methodcaller


# --------------------------------------------------------------------------
# text-layer quality

_AR = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u200c"
_NUM = "0-9\u0660-\u0669\u06f0-\u06f9"
_GOOD_TOKEN = re.compile(
    rf"[(\[«“\"'‹]*"
    rf"(?:[{_AR}]+(?:[A-Za-z]+[A-Za-z0-9+]*)?"  # Arabic, or an Arabic prefix on a Latin word
    rf"|[A-Za-z][a-z]*(?:[A-Z]+[a-z]*)*[0-9+]*(?:['’\-][A-Za-z]+)*"  # words, COP29, OPEC+
    rf"|[{_NUM}]+(?:[.,/:٫٬\-][{_NUM}]+)*[%٪]?|[%٪][{_NUM}]+(?:[.,٫][{_NUM}]+)?"
    rf"|[\w.+-]+@[\w.-]+|(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?"
    rf"|[\-–—•·.…|/*]{{1,80}})"
    rf"[)\]»”\"'›.,،؛;:!?؟…]*"
)


class _TokenTable(dict):
    """``table[token]``: does it look like a real word (:data:`_GOOD_TOKEN`, or
    :func:`_ascii_wordlike`)? Judged once per token; cleared when large."""

    LIMIT = 50_000

    def __missing__(self, tok: str) -> bool:
        v = bool(_GOOD_TOKEN.fullmatch(tok) or (tok.isascii() and _ascii_wordlike(tok)))
        if len(self) >= self.LIMIT:
            self.clear()
        self[tok] = v
        return v


_GOOD_TOKENS = _TokenTable()


def text_quality(text: str) -> float:
    r"""Share of the text (by characters) in tokens that look like real words.

    Broken font encodings give private-use characters, U+FFFD, controls or
    ASCII noise instead of letters; real Arabic, Persian or English scores
    near 1.

    >>> text_quality("قال الرئيس إن COP29 في 2024 (3.5%).") == 1.0
    True
    >>> text_quality("WYX[Z^]`_ba`ced gfhc+_jilka/Znm=kio") < 0.3
    True
    """
    tokens = text.split()
    total = sum(map(len, tokens))
    good = sum(map(len, filter(_GOOD_TOKENS.__getitem__, tokens)))  # each distinct token judged once
    score = good / total if total else 1.0
    words, plausible = script_plausibility(text)
    if words >= PLAUSIBLE_WORDS and plausible < IMPLAUSIBLE_BELOW:
        score = min(score, NO_LANGUAGE_QUALITY)  # real letters, no language (see script_plausibility)
    return score


# An Arabic-script text layer that is no language (letters mapped wrong, a
# legacy code page): real Arabic has function words or the article on most
# pages, Persian its own function words; a page of either, of some length,
# without both is not what its glyphs say.
_SCRIPT_WORD = re.compile("[\u0621-\u064a\u0671-\u06d3\u06cc\u06a9\u06af\u067e\u0686\u0698]+")
_COMMON_WORDS = frozenset(
    "في على إلى عن أن إن هذا هذه التي الذي كان هو هي من ذلك بين قد ما لا أو مع كما بعد عند حتى لم لن "
    "ثم كل غير وفي وقد وهو وهي ولا ومن وأن وإن "
    "و در به از که را این با است برای شده آن یک می تا بر نیز هم".split())
_ARTICLE = ("ال", "وال", "بال", "فال", "كال", "لل")
_WITH_ARTICLE = methodcaller("startswith", _ARTICLE)
_THREE_LT = (3).__lt__
PLAUSIBLE_WORDS = 40  # an Arabic-script page this long is judged by its words …
IMPLAUSIBLE_BELOW = 0.02  # … and is no language when both shares are under this
PLAUSIBLE_ABOVE = 0.15  # a page with these shares is real text, whatever else it holds
NO_LANGUAGE_QUALITY = 0.3  # text_quality of a page of no language


_LAST_WORDS: tuple[str, list[str]] = ("", [])  # the last text's Arabic-script words


def _script_words(text: str) -> list[str]:
    """The Arabic-script words of ``text`` (:data:`_SCRIPT_WORD`), not read
    again for the text asked about just before (a page's text is asked
    about three times: :func:`function_word_hits` twice, :func:`text_quality`
    once). The list is shared: not to be changed."""
    global _LAST_WORDS
    last = _LAST_WORDS  # (one read: another thread may set it meanwhile)
    if last[0] == text:
        return last[1]
    words = _SCRIPT_WORD.findall(text)
    _LAST_WORDS = (text, words)
    return words


def script_plausibility(text: str) -> tuple[int, float]:
    """How many Arabic-script words ``text`` has, and how much they look like
    Arabic or Persian: the larger of the share of common function words and
    the share of words with the article. Real pages of the samples and real
    PDFs (40 words or more) score 0.068 or more; a layer whose letters are
    permuted, or read backwards, near 0.

    >>> script_plausibility("ذهب الولد إلى المدرسة في الصباح")
    (6, 0.5)
    >>> script_plausibility("طضؤطءه ذئحءآ نطرصغ طضونرئ")
    (4, 0.0)
    """
    words = _script_words(text)
    if not words:
        return 0, 0.0
    common = sum(map(_COMMON_WORDS.__contains__, words))
    article = sum(map(_THREE_LT, map(len, filter(_WITH_ARTICLE, words))))  # the article and more than 3 letters
    return len(words), max(common, article) / len(words)


_LETTER_RUN = re.compile(r"[A-Za-z]+|[0-9]+")


def _ascii_wordlike(tok: str) -> bool:
    """Code and markup (``\\setlength{\\textwidth}{6in}``) are text; glyph-code
    noise (``cedgfhc+_jilka/Znm``) is not: most of a real token sits in letter
    runs of three or more with a natural share of vowels."""
    sane = 0
    for run in _LETTER_RUN.findall(tok):
        if run.isdigit():
            sane += len(run)
        elif len(run) >= 3:
            v = sum(1 for ch in run.lower() if ch in "aeiouy")
            if 0.2 <= v / len(run) <= 0.75:
                sane += len(run)
    return sane >= 0.6 * len(tok)


# --------------------------------------------------------------------------
# reading-direction sanity check

# Frequent words whose mirror image is not a word: «في» read backwards is «يف».
FUNCTION_WORDS = frozenset(
    "في على إلى عن أن هذا هذه التي الذي كان هو هي من ذلك بين قد "
    "است که برای شده".split()
)
_REVERSED_FW = frozenset(w[::-1] for w in FUNCTION_WORDS)
_ONLY_REVERSED_FW = _REVERSED_FW - FUNCTION_WORDS  # a word read both ways counts as forwards


def function_word_hits(text: str) -> tuple[int, int]:
    """How many function words read forwards, and how many read backwards.

    >>> function_word_hits("ذهب إلى البيت في الصباح")
    (2, 0)
    >>> function_word_hits("تيبلا ىلإ بهذ")
    (0, 1)
    """
    words = _script_words(text)  # (the words script_plausibility reads)
    return sum(map(FUNCTION_WORDS.__contains__, words)), sum(map(_ONLY_REVERSED_FW.__contains__, words))


_CLUSTER = re.compile("[^\u064b-\u065f\u0670][\u064b-\u065f\u0670]*")
_RTL_WORD = re.compile("[\u0621-\u065f\u0670-\u06d3\u06cc\u06a9\u06af\u067e\u0686\u0698\u200c]+")


def reverse_words(text: str) -> str:
    """Reverse the letters (with their marks) inside every Arabic-script word.

    For text layers whose glyphs run left to right in logical order inside
    each word box (OCR layers): the words are placed right, their letters not.

    >>> reverse_words("يف تيبلا")
    'في البيت'
    """
    return _RTL_WORD.sub(lambda m: "".join(_CLUSTER.findall(m.group(0))[::-1]), text)
