"""Arabic script repair: from glyphs as drawn to the text the author typed.

Two kinds of work happen here.

1. **Order.** A PDF records where glyphs are *drawn*. Whatever order a
   producer wrote them in, their positions are the visual order, so pdfclean
   sorts glyph clusters by x and runs the Unicode bidi algorithm backwards
   (:func:`visual_to_logical`): Arabic runs are reversed cluster by cluster
   (a lam-alef glyph that maps to «لا» is never split), runs of digits and
   Latin stay left to right, and brackets in right-to-left runs are mirrored
   back.
2. **Characters.** Small fixes, each a documented function that returns the
   fixed text and how many changes it made (ftfy is the model), counted per
   line in ``repairs``: presentation forms to letters, tatweel, bidi control
   characters, spaces before combining marks, control characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Callable

from .kernel import KERNEL as _kernel, texts as _texts
from .lines import VisualLine
from .model import Glyph, Line, ink

# --------------------------------------------------------------------------
# bidi classes

_MIRROR = {
    "(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<",
    "«": "»", "»": "«", "‹": "›", "›": "‹", "﴾": "﴿", "﴿": "﴾",
}


class _ClassTable(dict):
    """``table[ch]``: the one-letter bidi class of a character, computed once.

    R (R, AL), N (EN, AN: a digit of any script), L, C (CS), E (ES), T (ET),
    W (WS, B, S) and O (ON, NSM, BN such as ZWNJ, …).
    """

    _CODES = {"R": "R", "AL": "R", "EN": "N", "AN": "N", "L": "L", "CS": "C", "ES": "E",
              "ET": "T", "WS": "W", "B": "W", "S": "W"}

    def __missing__(self, ch: str) -> str:
        c = self[ch] = self._CODES.get(unicodedata.bidirectional(ch), "O")
        return c


_CLASS = _ClassTable()


class _TextClassTable(dict):
    """``table[text]``: the class of a glyph's text (:data:`_CLASS` of its
    first character), computed once per text, so that a line's classes come
    from one ``map`` with no Python step per glyph. Cleared when large (a
    run of letters is a word: a long batch has many)."""

    def __missing__(self, text: str) -> str:
        if len(self) > 1 << 16:
            self.clear()
        c = self[text] = _CLASS[text[0]]
        return c


_TEXT_CLASS = _TextClassTable()
_CLASSES_OF = _TEXT_CLASS.__getitem__


def is_rtl_line(types: str) -> bool:
    """A line is right-to-left when at least 30 % of its strong clusters are.

    The 30 % rule is pdf.js's: Arabic text quoting English stays RTL.
    """
    r = types.count("R")
    l_ = types.count("L")
    return r > 0 and r * 10 >= 3 * (r + l_)


_NUMBER_RUN = re.compile("N(?:N|C(?=N))*")


def _number_runs(types: str) -> list[tuple[int, int]]:
    """Digit runs in ``types``: digits joined by single CS (3.5, 1,000, 3/12).

    A number is always drawn left to right. In Arabic context the bidi
    algorithm turns European digits into Arabic numbers (rule W2), so only
    common separators (CS) join them — «2025-06-09» shows as three runs and
    «3.5%» shows the percent sign on the left, exactly as LibreOffice, Chromium
    and python-bidi draw them.

    >>> _number_runs("RWNCNNWNCWN")
    [(2, 6), (7, 8), (10, 11)]
    """
    return [m.span() for m in _NUMBER_RUN.finditer(types)]


def _latin_runs(types: str) -> list[tuple[int, int]]:
    """Left-to-right islands in a right-to-left sequence (given in reading order).

    An island runs from a Latin letter to a Latin letter over anything but
    Arabic letters; digits that follow a Latin word in reading order
    («COP 29») join it, as the bidi rule W7 joins them on screen.

    >>> _latin_runs("RWLLWLWRWNWLL")
    [(2, 6), (9, 13)]
    """
    runs: list[tuple[int, int]] = []
    n = len(types)
    i = types.find("L")
    while i != -1:
        k = types.find("R", i)
        j = types.rfind("L", i, n if k == -1 else k) + 1
        # extend to the left (earlier in reading order = later on screen)
        # over neutrals to a number: «92 POC» read backwards is «COP 29»
        a = i
        b = a - 1
        while b >= 0 and types[b] in "WCET":
            b -= 1
        if b >= 0 and types[b] == "N" and (not runs or runs[-1][1] <= b):
            while b > 0 and types[b - 1] in "NC" and (types[b - 1] == "N" or types[b - 2:b - 1] == "N"):
                b -= 1
            a = b
        runs.append((a, j))
        i = types.find("L", max(j, i + 1))
    return runs


#: Signs typed after their number («60%»). Beside Arabic letters a number of
#: European digits is an Arabic number (rule W2) and the sign, a neutral, is
#: drawn on its left («%60»); with no Arabic letter before it on the line (at
#: the start of a line a producer reordered line by line, after a Latin word)
#: the number stays a European one, the sign joins it (W5) and is drawn on its
#: right («60%»). Either way the sign follows the number as typed. Arabic-Indic
#: digits are always Arabic numbers: the side they are drawn on tells.
SUFFIX_SIGNS = frozenset("%٪‰‱°")


def visual_to_logical(clusters: list[str], rtl: bool | None = None) -> tuple[str, bool]:
    """Logical text from glyph clusters given left to right as drawn.

    For a right-to-left line: read the clusters right to left, then turn the
    left-to-right islands (Latin words, numbers) back round, a number's
    :data:`SUFFIX_SIGNS` after it. For a left-to-right line, the Arabic
    islands are turned round instead.

    >>> visual_to_logical(["ة", "ب", "ت", "ك", "م"])[0]
    'مكتبة'
    >>> visual_to_logical(list(")ةيناث( 2024 ماع"))[0]
    'عام 2024 (ثانية)'
    >>> visual_to_logical(list("ةبسنب %60")), visual_to_logical(list("لباقم 60%"))
    (('60% بنسبة', True), ('60% مقابل', True))
    """
    if not clusters:
        return "", False
    return _visual_to_logical(clusters, "".join([_CLASS[c[0]] for c in clusters]), rtl)


def _visual_to_logical(clusters: list[str], types: str, rtl: bool | None) -> tuple[str, bool]:
    """:func:`visual_to_logical` of clusters (not none) whose classes are ``types``."""
    if "R" not in types and not rtl:  # (a line of Latin and neutrals may be set right to left)
        return "".join(clusters), False
    if rtl is None:
        rtl = is_rtl_line(types)
    if rtl:
        seq = clusters[::-1]
        t = types[::-1]
        for a, b in _latin_runs(t):
            seq[a:b] = seq[a:b][::-1]
            t = t[:a] + "L" * (b - a) + t[b:]  # done: keep the number pass out
        for a, b in _number_runs(t):
            seq[a:b] = seq[a:b][::-1]
            if a and seq[a - 1] in SUFFIX_SIGNS and (a < 2 or t[a - 2] != "N") \
                    and unicodedata.bidirectional(seq[a][0]) == "EN":
                seq[a - 1:b] = seq[a:b] + [seq[a - 1]]  # «60%» drawn as a left-to-right run
        return "".join(seq), True
    seq = list(clusters)
    n = len(types)
    i = types.find("R")
    while i != -1:
        k = types.find("L", i)
        j = types.rfind("R", i, n if k == -1 else k) + 1
        seq[i:j] = seq[i:j][::-1]
        for a, b in _number_runs(types[i:j][::-1]):
            seq[i + a:i + b] = seq[i + a:i + b][::-1]
        i = types.find("R", j)
    return "".join(seq), False


_OPEN = "([{«‹﴾"
_CLOSE = ")]}»›﴿"
_BRACKET = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")


def _bracket_disorder(text: str) -> int:
    """How many brackets close before they open (0 for «(a)», 2 for «)a(»)."""
    depth = bad = 0
    for ch in _BRACKET.findall(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth:
                depth -= 1
            else:
                bad += 1
    return bad + depth


def mirror_brackets(text: str) -> str:
    """Swap every bracket and guillemet for its mirror image.

    >>> mirror_brackets(")نص( »قول«")
    '(نص) «قول»'
    """
    return text.translate(_MIRROR_TABLE)


_MIRROR_TABLE = str.maketrans(_MIRROR)


# --------------------------------------------------------------------------
# character fixes: each returns (text, number_of_changes)

_PRES = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_SPACE_MARK_FORMS = re.compile("[\ufc5e-\ufc63\ufe70-\ufe7f]")


def fix_presentation_forms(text: str) -> tuple[str, int]:
    """Arabic presentation forms (U+FB50–FDFF, U+FE70–FEFF) to base letters.

    Compatibility decomposition does the mapping; the leading space it gives
    the isolated mark forms (U+FC5E–FC63, U+FE70–FE7F) is dropped so the mark
    stays on its letter. ZWNBSP U+FEFF is dropped.

    >>> fix_presentation_forms("ﺍﻟﻜﺘﺎﺏ ﷲ")
    ('الكتاب الله', 7)
    >>> fix_presentation_forms("ﻻ")
    ('لا', 1)
    """
    n = len(text) - len("".join(_NOT_PRES.findall(text)))  # (as len(_PRES.findall(text)), without a string a form)
    return (text.translate(_PRES_TABLE), n) if n else (text, 0)


_NOT_PRES = re.compile("[^\ufb50-\ufdff\ufe70-\ufeff]+")


class _PresentationTable(dict):
    """``str.translate`` table: a presentation form to its letters, computed once."""

    def __missing__(self, o: int) -> str | int | None:
        ch = chr(o)
        if not _PRES.match(ch):
            v: str | int | None = o
        elif ch == "\ufeff":
            v = None
        else:
            v = unicodedata.normalize("NFKC", ch)
            if _SPACE_MARK_FORMS.match(ch):
                v = v.lstrip(" ")
        self[o] = v
        return v


_PRES_TABLE = _PresentationTable()


def fix_tatweel(text: str) -> tuple[str, int]:
    """Remove tatweel (U+0640), the justification stretch.

    >>> fix_tatweel("كتـــاب")
    ('كتاب', 3)
    """
    n = text.count("\u0640")
    return (text.replace("\u0640", ""), n) if n else (text, 0)


_BIDI_CTRL = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def fix_bidi_controls(text: str) -> tuple[str, int]:
    """Remove bidi control characters (LRM, RLM, embeddings, isolates, ALM).

    ZWNJ (U+200C, the Persian half-space) is text and is kept.

    >>> fix_bidi_controls("\\u200fمی\\u200cخواهم\\u202c")
    ('می\\u200cخواهم', 2)
    """
    return _BIDI_CTRL.subn("", text)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def fix_control_chars(text: str) -> tuple[str, int]:
    """Remove C0/C1 control characters and lone surrogates.

    >>> fix_control_chars("a\\x00b\\x07")
    ('ab', 2)
    """
    return _CONTROL.subn("", text)


_SPACE_BEFORE_MARK = re.compile("[ \u00a0]+(?=[\u064b-\u065f\u0670])")


def fix_space_before_mark(text: str) -> tuple[str, int]:
    """A space before a combining mark separates it from its letter: drop it.

    >>> fix_space_before_mark("الجانب ّين")
    ('الجانبّين', 1)
    """
    return _SPACE_BEFORE_MARK.subn("", text)


_SPACES = re.compile("[ \u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")


def fix_spaces(text: str) -> tuple[str, int]:
    """Collapse runs of spaces (and NBSP) to one space; trim the ends.

    >>> fix_spaces("  في  \\u00a0البيت ")
    ('في البيت', 1)
    """
    new = _SPACES.sub(" ", text).strip()
    return new, int(new != text and new != text.strip())


_LATIN_LIGATURES = re.compile("[\ufb00-\ufb06]")


def fix_latin_ligatures(text: str) -> tuple[str, int]:
    """Latin typographic ligatures (U+FB00–FB06: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) to their letters.

    A font's «fi» ligature glyph mapped to U+FB01 is two letters to a reader
    and to a search index.

    >>> fix_latin_ligatures("ﬁnancial eﬀort")
    ('financial effort', 2)
    """
    return _LATIN_LIGATURES.subn(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


_FARSI_YEH_FORMS = re.compile("[\ufbfc-\ufbff]")


def fix_yeh_forms(text: str) -> tuple[str, int]:
    """Farsi-yeh glyph forms in an Arabic line are Arabic yeh letters.

    Many Arabic fonts draw the dotless final yeh with the Farsi-yeh glyph
    (U+FBFC/FBFD), which decomposes to Persian ی; in Arabic text it is the
    alef maqsura ى the author typed, and the initial/medial forms (U+FBFE/FBFF)
    are ي. Only glyph forms change, only when the line reads as Arabic, and
    never in a word with Persian marks (ZWNJ, پ چ ژ گ ک): Persian stays Persian.

    >>> fix_yeh_forms("\ufedf\ufef4\ufe8e\ufedf\ufef2 \ufecb\ufee0\ufbfd \ufe8e\ufedf\ufe92\ufbff\ufe96 \ufe8e\ufedf\ufe8c\ufe8e\ufee3 \ufe93")[1]
    2
    >>> fix_yeh_forms("\ufb93\ufe98\ufe8e\ufe91 \ufbfe\ufb90 \ufead\ufe8d \ufe91\ufee4\ufbfd")[1]
    0
    """
    if not _FARSI_YEH_FORMS.search(text):
        return text, 0
    from .lang import language_of

    if language_of(unicodedata.normalize("NFKC", text)) != "ar":
        return text, 0
    n = 0

    def word(m: re.Match) -> str:
        nonlocal n
        w = m.group(0)
        if not _FARSI_YEH_FORMS.search(w) or _PERSIAN_WORD.search(w):
            return w  # a Persian word (ZWNJ, پ چ ژ گ ک) keeps its ی
        w, k = _FARSI_YEH_FORMS.subn(lambda f: _YEH_TABLE[f.group(0)], w)
        n += k
        return w

    return re.sub(r"\S+", word, text), n


_YEH_TABLE = {"\ufbfc": "\u0649", "\ufbfd": "\u0649", "\ufbfe": "\u064a", "\ufbff": "\u064a"}
# ZWNJ, پ چ ژ گ ک and their glyph forms
_PERSIAN_WORD = re.compile("[\u200c\u067e\u0686\u0698\u06af\u06a9\ufb56-\ufb59\ufb7a-\ufb7d"
                           "\ufb8a\ufb8b\ufb8e-\ufb95]")


_LAM_ALEF_SWAPPED = re.compile("\u0627([\u0627\u0623\u0625\u0622])\u0644")


def fix_lam_alef(text: str) -> tuple[str, int]:
    """Undo a lam-alef ligature read backwards: «اإلنتاجية» → «الإنتاجية».

    Word maps its lam-alef glyphs to «لا»; extractors that reverse a line
    character by character put the two letters the wrong way round. Alef
    followed by another alef form never occurs in Arabic or Persian, so
    «ا + (ا أ إ آ) + ل» is always the swapped «ا + ل + (ا أ إ آ)».

    >>> fix_lam_alef("اإلنتاجية االتفاق کاالی")
    ('الإنتاجية الاتفاق کالای', 3)

    Undone until none is left (a swap undone may show another: «ااالله»).
    """
    total = 0
    while True:
        text, n = _LAM_ALEF_SWAPPED.subn(lambda m: "\u0627\u0644" + m.group(1), text)
        if not n:
            return text, total
        total += n


_PREFIX_LATIN = re.compile(r"(?<!\S)([وفبلك]) ([A-Za-z][A-Za-z0-9+.\-]*)(?=[\u0621-\u064a])")


def fix_prefix_before_latin(text: str) -> tuple[str, int]:
    """Put back the space Word moves across a Latin word after an Arabic prefix.

    «وPython من» is laid out by Word as «و Pythonمن»: the space after the
    Latin word is drawn at the end of its left-to-right run. A one-letter
    prefix (و ف ب ل ك) never stands alone before a Latin word, and a Latin
    word never runs into the next Arabic word.

    >>> fix_prefix_before_latin("بلغة R و Pythonمن الأدوات")
    ('بلغة R وPython من الأدوات', 1)
    """
    return _PREFIX_LATIN.subn(r"\1\2 ", text)


FIXES: list[tuple[str, Callable[[str], tuple[str, int]]]] = [
    ("control_chars", fix_control_chars),
    ("bidi_controls", fix_bidi_controls),
    ("yeh_forms", fix_yeh_forms),
    ("presentation_forms", fix_presentation_forms),
    ("latin_ligatures", fix_latin_ligatures),
    ("tatweel", fix_tatweel),  # before lam_alef: «لـا» is a lam-alef once the tatweel goes
    ("lam_alef", fix_lam_alef),
    ("prefix_before_latin", fix_prefix_before_latin),
    ("spaces", fix_spaces),  # before space_before_mark: a tab or thin space before a mark is a space
    ("space_before_mark", fix_space_before_mark),
]


# Anything one of FIXES could change (a line with none of it is left alone).
_ANY_FIX = re.compile("|".join(r.pattern for r in (
    _CONTROL, _BIDI_CTRL, _PRES, _LATIN_LIGATURES, _LAM_ALEF_SWAPPED, _PREFIX_LATIN, _SPACE_BEFORE_MARK)) +
    "|\u0640|[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]|  |^\\s|\\s$")
# _ANY_FIX taken apart, for speed: its one-character alternatives as one class …
_FIX_CHAR = re.compile("[" + "".join(r.pattern[1:-1] for r in (_CONTROL, _BIDI_CTRL, _PRES, _LATIN_LIGATURES)) +
                       "\u0640\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
# … and what any match of _PREFIX_LATIN and of _SPACE_BEFORE_MARK must hold
_PREFIX_LATIN_HINT = re.compile("[وفبلك] [A-Za-z]")
_SPACE_MARK = re.compile("[ \u00a0][\u064b-\u065f\u0670]")


def _needs_fixes(text: str) -> bool:
    """Does :data:`_ANY_FIX` match somewhere in ``text``? (Each alternative
    tried on its own: one scan for a class of characters, substring tests,
    then the few patterns with context. ``^\\s`` is a first character that
    is white space; ``\\s$`` a last one, since ``$`` before a final newline
    follows white space too.)"""
    return bool(_FIX_CHAR.search(text) or "  " in text or text[:1].isspace() or text[-1:].isspace()
                or _LAM_ALEF_SWAPPED.search(text) or _SPACE_MARK.search(text)
                or (_PREFIX_LATIN_HINT.search(text) and _PREFIX_LATIN.search(text)))


def fix_text(text: str, repairs: Counter | None = None, delta: Counter | None = None) -> str:
    """Apply every character fix in order, counting changes in ``repairs`` and
    the characters each fix added (negative: removed) in ``delta``."""
    if _needs_fixes(text):  # (_ANY_FIX.search, faster)
        for name, fn in FIXES:
            new, n = fn(text)
            if n:
                if repairs is not None:
                    repairs[name] += n
                if delta is not None and (d := ink(new) - ink(text)):
                    delta[name] += d
            if new != text:
                text = new
                if not _needs_fixes(text):  # nothing left that the fixes after it could change
                    break
    if unicodedata.is_normalized("NFC", text):
        return text
    nfc = unicodedata.normalize("NFC", text)
    if repairs is not None:
        repairs["nfc"] += 1
    if delta is not None:
        delta["nfc"] += ink(nfc) - ink(text)
    return nfc


def fix_and_explain(text: str) -> tuple[str, dict[str, int]]:
    """Like :func:`fix_text`, also saying which fixes changed what.

    >>> fix_and_explain("ﺍﻟﻜﺘـــﺎﺏ")
    ('الكتاب', {'presentation_forms': 6, 'tatweel': 3})
    """
    c: Counter = Counter()
    return fix_text(text, c), dict(c)


# --------------------------------------------------------------------------
# whole lines


def _visual_clusters(glyphs: list[Glyph]) -> list[str]:
    """Cluster texts left to right, with bidi controls pulled out of clusters.

    A bidi control is invisible but some producers draw (or map) it; left in
    a cluster it would change the cluster's class.
    """
    out = []
    for g in glyphs:
        t = g.text
        if _BIDI_CTRL.search(t):
            t = _BIDI_CTRL.sub("", t)
            if not t:
                continue
        out.append(t)
    return out


def repair_line(vl: VisualLine, page: int, rtl: bool | None = None) -> Line:
    """One visual line to a :class:`Line` with logical text and its repairs;
    ``rtl`` sets its direction (default: from its letters, :func:`is_rtl_line`)."""
    repairs: Counter = _counter()
    delta: Counter = _counter()
    glyphs = vl.glyphs
    if vl.unmapped:  # one character each
        repairs["unmapped_glyphs"] += vl.unmapped
        delta["unmapped_glyphs"] -= vl.unmapped
    if vl.orphans:
        repairs["orphan_marks"] += vl.orphans
        delta["orphan_marks"] -= vl.orphan_chars
    clusters = _texts(glyphs)
    types = "".join(map(_CLASSES_OF, clusters))  # each glyph's class (the first character's)
    if _BIDI_CTRL.search("".join(clusters)):
        clusters = _visual_clusters(glyphs)
        n = sum(len(g.text) for g in glyphs) - sum(len(c) for c in clusters)
        repairs["bidi_controls"] += n
        delta["bidi_controls"] -= n
        text, rtl = visual_to_logical(clusters, _is_rtl(glyphs, types) if rtl is None else rtl)
    else:  # the clusters are the glyphs' texts: their classes are known
        text, rtl = _visual_to_logical(clusters, types, _is_rtl(glyphs, types) if rtl is None else rtl) \
            if clusters else ("", False)
    if rtl and _bracket_disorder(text):
        mirrored = mirror_brackets(text)
        if _bracket_disorder(mirrored) < _bracket_disorder(text):
            text = mirrored
            repairs["mirrored_brackets"] += 1
    if rtl and _stream_was_visual(glyphs, types):
        repairs["reversed_lines"] += 1
    text = fix_text(text, repairs, delta)
    confs = [(g.conf, len(g.text)) for g in glyphs if g.conf is not None]
    conf = sum(c * n for c, n in confs) / sum(n for _, n in confs) if confs else None
    return Line(text, vl.x0, vl.y0, vl.x1, vl.y1, vl.size, vl.bold, page, rtl, repairs, conf, delta,
                vl.artifact, vl.baseline)


def _counter() -> Counter:
    """An empty :class:`~collections.Counter`, made without running
    ``Counter.__init__`` (which only calls ``update`` with nothing): a line
    makes two, and the constructor is several times slower than the object."""
    return _NEW_COUNTER(Counter)


_NEW_COUNTER = Counter.__new__


def _is_rtl(glyphs: list[Glyph], types: str | None = None) -> bool:
    """:func:`is_rtl_line`, counting letters: every letter of a run of letters,
    and the letters of a ligature glyph («ﷲ» is four). ``types``: the
    glyphs' classes, when known."""
    if types is None:
        types = "".join([_CLASS[g.text[0]] for g in glyphs])
    if "R" not in types:
        return False
    if "L" not in types:  # every R glyph counts one letter or more, and no L letter: r > 0, l_ = 0
        return True
    r = l_ = 0
    for g, c in zip(glyphs, types):
        if c == "R":
            r += g.n if g.n > 1 else _RTL_LETTERS_IN[g.text]
        elif c == "L":
            l_ += g.n
    return r > 0 and r * 10 >= 3 * (r + l_)


class _LetterCount(dict):
    """``table[ch]``: how many letters a (presentation-form ligature) glyph stands for."""

    def __missing__(self, ch: str) -> int:
        v = self[ch] = max(1, sum(1 for c in unicodedata.normalize("NFKC", ch) if c.isalpha()))
        return v


_LETTERS_IN = _LetterCount()


class _RtlLetterCount(dict):
    """``table[text]``: the letters of a glyph's right-to-left characters
    (:data:`_LETTERS_IN` summed over its characters of class R), computed once."""

    def __missing__(self, text: str) -> int:
        v = self[text] = sum(_LETTERS_IN[ch] for ch in text if _CLASS[ch] == "R")
        return v


_RTL_LETTERS_IN = _RtlLetterCount()


def _stream_was_visual(glyphs: list[Glyph], types: str | None = None) -> bool:
    """Did the producer draw this right-to-left line left to right?

    Only a report of what the producer did (counted as ``reversed_lines``);
    the order itself always comes from geometry. ``types``: the glyphs'
    classes, when known. (:func:`_stream_was_visual_py`, by the compiled
    kernel where it is built.)
    """
    if types is None:
        types = "".join([_CLASS[g.text[0]] for g in glyphs])
    if _kernel is not None and type(glyphs) is list and type(types) is str:
        v = _kernel.stream_was_visual(glyphs, types)
        if v is not None:
            return v
    return _stream_was_visual_py(glyphs, types)


def _stream_was_visual_py(glyphs: list[Glyph], types: str) -> bool:
    """:func:`_stream_was_visual`, the reference loop."""
    up = pairs = 0
    prev_right = None  # stream position of the right end of the previous letter box
    for g, c in zip(glyphs, types):
        if c != "R":
            continue
        last = g.seq + g.n - 1  # a run's letters have consecutive stream positions
        left, right = (g.seq, last) if g.rightward else (last, g.seq)
        if g.rightward:
            up += g.n - 1
        pairs += g.n - 1
        if prev_right is not None:
            pairs += 1
            up += left > prev_right
        prev_right = right
    return up * 2 > pairs > 0
