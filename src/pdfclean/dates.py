"""Find and normalise dates printed in Arabic and Persian documents.

The centre's PDFs print dates in many shapes, often several in one line::

    >>> parse_date("بغداد، الاثنين 09 حزيران 2025")
    '2025-06-09'
    >>> parse_date("2 حزيران/ يونيو 2025")
    '2025-06-02'
    >>> parse_date("۱۸ خرداد ۱۴۰۴")              # Persian solar month, converted
    '2025-06-08'
    >>> [(m.calendar, m.iso) for m in find_dates("15 رمضان 1446 هـ الموافق 15 آذار 2025 م")]
    [('hijri', None), ('gregorian', '2025-03-15')]

What is recognised:

* month names: Iraqi/Levantine (كانون الثاني … كانون الأول), Egyptian/Gulf
  (يناير … ديسمبر), Maghrebi (جانفي، غشت …), Persian renderings of the
  Gregorian months (ژانویه … دسامبر), English (January/Jan …), the lunar Hijri
  months (محرم … ذو الحجة) and the Persian solar months (فروردین … اسفند),
  with the usual spelling variants (hamza or not, ة/ه, ي/ى/ی, ك/ک, optional
  spaces, tatweel, presentation forms);
* doubled names («آذار / مارس», «أيار - مايو», «آذار (مارس)») when both names
  are the same month;
* ``day month year`` and ``month year``, ``Month day, year`` in English, an
  optional weekday in front, an optional era marker after the year
  (م، م.، ميلادي، هـ، ه.ق، ق، ه.ش، ش …);
* numeric dates ``09/06/2025``, ``2025-06-09``, ``9.6.2025`` (day first; month
  first only when day first is impossible);
* a bare year only when it carries an era marker («2003م»، «61 هـ»).

Digits may be Western, Arabic-Indic (٠-٩) or Persian (۰-۹).

Calendars and ISO output:

* ``gregorian``: ISO 8601 (``2025-06-09``, ``2025-06``, ``2025``).  Years must
  lie in 1800-2100 unless an explicit Gregorian era marker (م) is printed.
  Impossible days (31 شباط) give a match with ``iso=None``.
* ``hijri`` (lunar): recognised but never converted (``iso=None``): the
  printed day depends on moon sighting, so no arithmetic answer is reliable.
* ``solar_hijri`` (Persian): converted with :func:`jalali_to_gregorian` when a
  day is printed; ``month year`` or a bare year gives ``iso=None`` because it
  straddles two Gregorian months/years.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "DateMatch",
    "find_date",
    "find_dates",
    "parse_date",
    "jalali_to_gregorian",
    "is_jalali_leap",
    "normalize_for_dates",
]

GREGORIAN = "gregorian"
HIJRI = "hijri"
SOLAR_HIJRI = "solar_hijri"

#: Plausible Gregorian years when no era marker is printed.
GREGORIAN_YEARS = range(1800, 2101)
#: Gregorian years accepted when an explicit era marker (م، ميلادي) is printed.
GREGORIAN_YEARS_WITH_ERA = range(1000, 2101)
#: Solar Hijri years accepted (1821-2121 CE); the 33-year leap rule used by
#: :func:`jalali_to_gregorian` is exact over this whole span.
SOLAR_YEARS = range(1200, 1500)
#: Hijri years accepted without an era marker (with one: any 1-4 digit year).
HIJRI_YEARS = range(1000, 1600)


@dataclass(frozen=True)
class DateMatch:
    """A date found in a string.

    ``text`` is the date exactly as printed (``input[start:end]``); ``iso`` is
    ISO 8601 or ``None`` when the date cannot be converted (Hijri, impossible
    day, Solar Hijri without a day).
    """

    iso: str | None
    text: str
    calendar: str
    start: int
    end: int


# ---------------------------------------------------------------------------
# Month and weekday spellings.  Written as printed; they pass through the same
# normalisation as the input, so hamza/yeh/kaf/ta-marbuta variants of a
# spelling listed here are matched automatically (أيار covers ايار, يونية
# covers يونيه, فروردین covers فروردين ...).
# ---------------------------------------------------------------------------

_GREGORIAN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("كانون الثاني", "كانون ثاني", "يناير", "جانفي", "ژانویه", "january", "jan"),
    2: ("شباط", "فبراير", "فيفري", "فوریه", "february", "feb"),
    3: ("آذار", "مارس", "مارچ", "march", "mar"),
    4: ("نيسان", "أبريل", "إبريل", "أفريل", "آوریل", "april", "apr"),
    5: ("أيار", "مايو", "مايس", "ماي", "مه", "may"),
    6: ("حزيران", "يونيو", "يونية", "جوان", "ژوئن", "june", "jun"),
    7: ("تموز", "يوليو", "يولية", "يوليوز", "جويلية", "ژوئیه", "جولای", "july", "jul"),
    8: ("آب", "أغسطس", "أغسطوس", "غشت", "أوت", "آگوست", "august", "aug"),
    9: ("أيلول", "سبتمبر", "شتنبر", "سپتامبر", "september", "sept", "sep"),
    10: ("تشرين الأول", "تشرين أول", "أكتوبر", "اکتبر", "october", "oct"),
    11: ("تشرين الثاني", "تشرين ثاني", "نوفمبر", "نونبر", "نوامبر", "november", "nov"),
    12: ("كانون الأول", "كانون أول", "ديسمبر", "دجنبر", "دسامبر", "december", "dec"),
}

_HIJRI_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("محرم الحرام", "المحرم", "محرم"),
    2: ("صفر الخير", "صفر المظفر", "صفر"),
    3: ("ربيع الأول", "ربيع أول", "ربيع الأولى"),
    4: ("ربيع الآخر", "ربيع الثاني", "ربيع ثاني", "ربيع الآخرة"),
    5: ("جمادى الأولى", "جمادى الأول", "جمادى أولى"),
    6: ("جمادى الآخرة", "جمادى الآخر", "جمادى الثانية", "جمادى الثاني"),
    7: ("رجب المرجب", "رجب الأصب", "رجب"),
    8: ("شعبان المعظم", "شعبان"),
    9: ("رمضان المبارك", "شهر رمضان", "رمضان"),
    10: ("شوال المكرم", "شوال"),
    11: ("ذو القعدة", "ذي القعدة", "ذوالقعدة"),
    12: ("ذو الحجة", "ذي الحجة", "ذوالحجة"),
}

_SOLAR_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("فروردین",),
    2: ("اردیبهشت", "ارديبهشت"),
    3: ("خرداد",),
    4: ("تیر",),
    5: ("مرداد", "امرداد"),
    6: ("شهریور",),
    7: ("مهر",),
    8: ("آبان",),
    9: ("آذر",),
    10: ("دی",),
    11: ("بهمن",),
    12: ("اسفند",),
}

_WEEKDAYS: tuple[str, ...] = (
    "الأحد", "الاثنين", "الإثنين", "الأثنين", "الاتنين", "الثلاثاء", "الثلاثا",
    "الأربعاء", "الخميس", "الجمعة", "السبت",
    "شنبه", "یکشنبه", "یک شنبه", "دوشنبه", "سه شنبه", "چهارشنبه",
    "پنجشنبه", "پنج شنبه", "جمعه", "آدینه",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)

# Era markers, written in *normalised* form (no tatweel, no hamza, ة→ه).
_ERA_SOLAR = (r"هجري\s*شمسي", r"ه\s*\.?\s*ش\.?", r"شمسي", r"خورشيدي", r"ش\.?")
_ERA_HIJRI = (
    r"هجري\s*قمري", r"ه\s*\.?\s*ق\.?", r"قمري", r"هجريه", r"هجري",
    r"للهجره", r"ه\.?", r"ق\.?",
)
# "before Christ" (ق.م، قبل الميلاد، پ.م): matched so that «500 ق.م» is not
# read as a Hijri year «500 ق», then rejected.
_ERA_BC = (
    r"ق\s*\.?\s*م\.?", r"قبل\s*الميلاد", r"قبل\s*از\s*ميلاد", r"پ\s*\.?\s*م\.?",
    r"b\.?\s?c\.?", r"bce",
)
_ERA_GREGORIAN = (r"ميلاديه", r"ميلادي", r"للميلاد", r"م\.?", r"a\.?\s?d\.?", r"ce")

# ---------------------------------------------------------------------------
# Normalisation with an offset map
# ---------------------------------------------------------------------------

_LETTER_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي",
    "ک": "ك", "ڪ": "ك",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه", "ۃ": "ه",
}
_DROP = frozenset(
    "\u0640"  # tatweel
    "\u0670"  # superscript alef
    "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Normalise one input character for matching (may return 0-n chars)."""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c in _DROP or "\u064b" <= c <= "\u065f":  # harakat, hamza marks
            continue
        if c.isdecimal():
            out.append(str(unicodedata.decimal(c)))
        elif c.isspace():
            out.append(" ")
        else:
            out.append(_LETTER_FOLD.get(c, c).lower())
    return "".join(out)


def normalize_for_dates(text: str) -> tuple[str, list[int]]:
    """Fold *text* for date matching and map each folded char to its source.

    Returns ``(folded, offsets)`` where ``offsets[i]`` is the index in *text*
    of the character that produced ``folded[i]``; ``offsets`` has one extra
    final entry, ``len(text)``.

    >>> normalize_for_dates("٩ حـزيران")[0]
    '9 حزيران'
    >>> normalize_for_dates("أيّار ۱۴۰۴")[0]
    'ايار 1404'
    >>> normalize_for_dates("ﺣﺰﻳﺮﺍﻥ")[0]           # presentation forms
    'حزيران'
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        chars.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(text))
    return "".join(chars), offsets


# ---------------------------------------------------------------------------
# Regular expressions (built once, on normalised spellings)
# ---------------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
_NOT_AFTER_LETTER = rf"(?<!{_LETTER})"
_NOT_BEFORE_LETTER = rf"(?!{_LETTER})"


def _spelling_regex(spelling: str) -> str:
    """Regex for one spelling: normalised, spaces optional/elastic."""
    folded = normalize_for_dates(spelling)[0]
    return r"\s*".join(re.escape(word) for word in folded.split())


def _names_regex(spellings: tuple[str, ...], suffix: str = "") -> str:
    """Alternation of *spellings* (longest first) that must end a word.

    An abbreviation dot is allowed after Latin names ("Sept.").
    """
    alts = sorted({_spelling_regex(s) for s in spellings}, key=len, reverse=True)
    return rf"(?:(?:{'|'.join(alts)}){suffix}{_NOT_BEFORE_LETTER}(?:(?<=[a-z])\.)?)"


def _doubled(names: str) -> str:
    """``X``, ``X / X``, ``X - X`` or ``X (X)`` for one month's name regex."""
    return rf"(?:{names}(?:\s*[/\\|\-–—]\s*{names}|\s*\(\s*{names}\s*\))?)"


def _month_alternatives() -> str:
    parts = []
    for n, names in _GREGORIAN_MONTHS.items():
        parts.append(rf"(?P<g{n}>{_doubled(_names_regex(names))})")
    for n, names in _HIJRI_MONTHS.items():
        parts.append(rf"(?P<h{n}>{_names_regex(names)})")
    optional_mah = r"(?:\s*ماه)?"  # «تیر ماه»، «دی‌ماه»
    for n, names in _SOLAR_MONTHS.items():
        parts.append(rf"(?P<s{n}>{_names_regex(names, suffix=optional_mah)})")
    return "|".join(parts)


def _era_regex() -> str:
    def alts(items: tuple[str, ...]) -> str:
        return "|".join(rf"{a}{_NOT_BEFORE_LETTER}" for a in items)

    return (
        rf"(?:(?P<era_bc>{alts(_ERA_BC)})|(?P<era_s>{alts(_ERA_SOLAR)})"
        rf"|(?P<era_h>{alts(_ERA_HIJRI)})|(?P<era_g>{alts(_ERA_GREGORIAN)}))"
    )


_MONTH_GROUPS: dict[str, tuple[int, str]] = {
    f"{prefix}{n}": (n, calendar)
    for prefix, calendar in (("g", GREGORIAN), ("e", GREGORIAN), ("h", HIJRI), ("s", SOLAR_HIJRI))
    for n in range(1, 13)
}

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_SEP = r"\s*[\-/.,،]?\s*"
# No comma between day and month: «العدد 12، حزيران 2025» is issue 12.
_DAY_SEP = r"\s*[\-/.]?\s*"
_ERA = _era_regex()

_WEEKDAY = (
    rf"(?P<weekday>{_NOT_AFTER_LETTER}(?:(?:يوم|روز)\s*)?"
    rf"{_names_regex(_WEEKDAYS)}\s*[,،]?\s*(?:الموافق\s*)?)"
)

_NAMED_RE = re.compile(
    rf"{_WEEKDAY}?"
    rf"(?:(?<!\d)(?P<day>{_DAY})(?!\d)(?:st|nd|rd|th)?{_DAY_SEP}(?:من\s*(?:شهر\s*)?)?)?"
    rf"{_NOT_AFTER_LETTER}(?P<month>{_month_alternatives()})"
    rf"{_SEP}(?:(?:من\s*)?(?:سنه|السنه|عام|العام|لعام|لسنه|سال)\s*)?"
    rf"(?P<year>\d{{1,4}})(?!\d)"
    rf"(?:\s*(?P<era>{_ERA}))?"
)

_EN_MONTHS = "|".join(
    rf"(?P<e{n}>{_names_regex(tuple(s for s in names if s.isascii()))})"
    for n, names in _GREGORIAN_MONTHS.items()
)
# The three patterns below are compiled when a text first may hold what
# they match (see the hints): a document's few date lines seldom need them,
# and compiling them is most of what importing this module costs.
_ENGLISH_SRC = (
    rf"{_WEEKDAY}?{_NOT_AFTER_LETTER}(?P<month>{_EN_MONTHS})\s*"
    rf"(?P<day>{_DAY})(?!\d)(?:st|nd|rd|th)?\s*,?\s*(?P<year>\d{{4}})(?!\d)"
    rf"(?:\s*(?P<era>{_ERA}))?"
)

_NUM_SEP = r"[/.\-\u060d]"
_NUMERIC_SRC = (
    rf"(?<!\d)(?<!\d{_NUM_SEP})(?P<date>"
    rf"(?P<d1>\d{{1,2}})\s*(?P<s1>{_NUM_SEP})\s*(?P<m1>\d{{1,2}})\s*(?P=s1)\s*(?P<y1>\d{{4}})"
    rf"|(?P<y2>\d{{4}})\s*(?P<s2>{_NUM_SEP})\s*(?P<m2>\d{{1,2}})\s*(?P=s2)\s*(?P<d2>\d{{1,2}}))"
    rf"(?!\d)(?!{_NUM_SEP}\d)"
    rf"(?:\s*(?P<era>{_ERA}))?"
)

_YEAR_ONLY_SRC = rf"(?<!\d)(?<!\d{_NUM_SEP})(?P<year>\d{{2,4}})(?!\d)\s*(?P<era>{_ERA})"

# What each match must contain (folded text), so that a text without it is
# not searched: every date has a number; an English one a Latin month name; a
# numeric one two numbers around a separator; a bare year an era marker after
# it (each marker starts with a letter of its own).
_ANY_DIGIT = re.compile(r"\d")
_LATIN_HINT = re.compile(r"[a-z]")
_NUMERIC_HINT = re.compile(rf"\d\s*{_NUM_SEP}\s*\d")
_ERA_FIRST = "".join(sorted({a[0] for a in _ERA_SOLAR + _ERA_HIJRI + _ERA_BC + _ERA_GREGORIAN}))
assert not set(_ERA_FIRST) & set("\\()[]?*+.|")  # (literal letters: a character set of them is exact)
_YEAR_ERA_HINT = re.compile(rf"\d\s*[{_ERA_FIRST}]")


@lru_cache(maxsize=None)
def _pattern(source: str) -> re.Pattern[str]:
    """``source`` compiled, once."""
    return re.compile(source)

# ---------------------------------------------------------------------------
# Calendar arithmetic
# ---------------------------------------------------------------------------


def is_jalali_leap(year: int) -> bool:
    """Whether Solar Hijri *year* has 366 days (33-year arithmetic rule).

    >>> [y for y in range(1399, 1410) if is_jalali_leap(y)]
    [1399, 1403, 1408]
    """
    return (25 * year + 11) % 33 < 8


def _jalali_days_before_year(year: int) -> int:
    # 365 days per year plus the leap days of years 1 .. year-1, which the
    # 33-year rule (8 leap years per cycle) puts at floor((8*year + 21) / 33).
    return 365 * (year - 1) + (8 * year + 21) // 33


# Anchor: 1 Farvardin 1403 was 20 March 2024.
_JALALI_EPOCH = date(2024, 3, 20).toordinal() - _jalali_days_before_year(1403)


def jalali_month_length(year: int, month: int) -> int:
    """Days in Solar Hijri *month* of *year*.

    >>> jalali_month_length(1403, 1), jalali_month_length(1403, 7)
    (31, 30)
    >>> jalali_month_length(1403, 12), jalali_month_length(1404, 12)
    (30, 29)
    """
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if is_jalali_leap(year) else 29


def jalali_to_gregorian(year: int, month: int, day: int) -> date:
    """Convert a Solar Hijri (Jalali) date to a Gregorian :class:`date`.

    Uses the standard 33-year arithmetic rule, which agrees with the official
    (astronomical) Iranian calendar for years 1178-1633 SH.

    >>> jalali_to_gregorian(1403, 1, 1)
    datetime.date(2024, 3, 20)
    >>> jalali_to_gregorian(1404, 3, 18)
    datetime.date(2025, 6, 8)
    >>> jalali_to_gregorian(1357, 11, 22)
    datetime.date(1979, 2, 11)

    Raises :class:`ValueError` for an impossible date.
    """
    if not (1 <= month <= 12 and 1 <= day <= jalali_month_length(year, month)):
        raise ValueError(f"invalid Solar Hijri date {year}-{month}-{day}")
    day_of_year = (month - 1) * 31 + day if month <= 7 else 186 + (month - 7) * 30 + day
    return date.fromordinal(_JALALI_EPOCH + _jalali_days_before_year(year) + day_of_year - 1)


# ---------------------------------------------------------------------------
# Building matches
# ---------------------------------------------------------------------------


def _era_calendar(m: re.Match[str]) -> str | None:
    """Calendar named by the era marker of *m* ("bc" for before Christ)."""
    if m.group("era_bc"):
        return "bc"
    if m.group("era_s"):
        return SOLAR_HIJRI
    if m.group("era_h"):
        return HIJRI
    if m.group("era_g"):
        return GREGORIAN
    return None


def _gregorian_iso(year: int, month: int | None, day: int | None) -> str | None:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _solar_iso(year: int, month: int, day: int | None) -> str | None:
    if day is None:
        return None
    try:
        return jalali_to_gregorian(year, month, day).isoformat()
    except ValueError:
        return None


def _year_ok(calendar: str, year_text: str, era: str | None) -> bool:
    year = int(year_text)
    if calendar == GREGORIAN:
        allowed = GREGORIAN_YEARS_WITH_ERA if era == GREGORIAN else GREGORIAN_YEARS
        return len(year_text) == 4 and year in allowed
    if calendar == SOLAR_HIJRI:
        return year in SOLAR_YEARS
    return year >= 1 if era == HIJRI else (len(year_text) == 4 and year in HIJRI_YEARS)


def _make(
    text: str, offsets: list[int], nstart: int, nend: int, iso: str | None, calendar: str
) -> DateMatch:
    start, end = offsets[nstart], offsets[nend - 1] + 1
    # Keep trailing tatweel and marks of the last letter: «1446 هـ», not «1446 ه».
    while end < len(text) and (text[end] == "\u0640" or unicodedata.category(text[end]) == "Mn"):
        end += 1
    return DateMatch(iso=iso, text=text[start:end], calendar=calendar, start=start, end=end)


def _month_of(m: re.Match[str]) -> tuple[int, str]:
    """(month number, calendar) from whichever month group matched."""
    for name, value in m.groupdict().items():
        if value is not None and name in _MONTH_GROUPS:
            return _MONTH_GROUPS[name]
    raise AssertionError("no month group matched")  # pragma: no cover


def _from_named(m: re.Match[str], text: str, offsets: list[int]) -> DateMatch | None:
    month, calendar = _month_of(m)
    era = _era_calendar(m)
    if era != calendar:
        era = None
    if not _year_ok(calendar, m.group("year"), era):
        return None
    year = int(m.group("year"))
    day = int(m.group("day")) if m.group("day") else None
    iso = _iso(calendar, year, month, day)
    end = m.end("era") if era else m.end("year")
    return _make(text, offsets, m.start(), end, iso, calendar)


def _iso(calendar: str, year: int, month: int, day: int | None) -> str | None:
    """ISO 8601 of a date in ``calendar`` (Hijri dates are recognised, not converted)."""
    if calendar == GREGORIAN:
        return _gregorian_iso(year, month, day)
    if calendar == SOLAR_HIJRI:
        return _solar_iso(year, month, day)
    return None


def _numeric_calendar(year: int, era: str | None, persian_digits: bool) -> str | None:
    """Calendar of a numeric date from its year, era marker and digit script
    (none before Christ: no ISO date is given for those)."""
    if era == "bc":
        return None
    if era == HIJRI:
        return HIJRI
    if era == SOLAR_HIJRI:
        return SOLAR_HIJRI if year in SOLAR_YEARS else None
    if era == GREGORIAN:
        return GREGORIAN if year in GREGORIAN_YEARS_WITH_ERA else None
    if year in SOLAR_YEARS:  # unmarked 1200-1499: Persian digits => Iranian date
        return SOLAR_HIJRI if persian_digits else HIJRI
    return GREGORIAN if year in GREGORIAN_YEARS else None


def _from_numeric(m: re.Match[str], text: str, offsets: list[int]) -> DateMatch | None:
    if m.group("y1"):
        year_group, a, b = "y1", int(m.group("d1")), int(m.group("m1"))
        orders = ((b, a), (a, b))  # (month, day): day first, month first as fallback
    else:
        year_group, a, b = "y2", int(m.group("m2")), int(m.group("d2"))
        orders = ((a, b),)
    year = int(m.group(year_group))
    ys, ye = m.span(year_group)
    printed_year = text[offsets[ys]:offsets[ye - 1] + 1]
    persian_digits = any("\u06f0" <= c <= "\u06f9" for c in printed_year)
    era = _era_calendar(m)
    calendar = _numeric_calendar(year, era, persian_digits)
    if calendar is None:
        return None
    end = m.end("era") if era == calendar else m.end("date")
    for month, day in orders:
        if not (1 <= month <= 12):
            continue
        if calendar == HIJRI and day > 30:
            continue
        iso = _iso(calendar, year, month, day)
        if iso or calendar == HIJRI:
            return _make(text, offsets, m.start(), end, iso, calendar)
    return None


def _from_year_only(m: re.Match[str], text: str, offsets: list[int]) -> DateMatch | None:
    calendar = _era_calendar(m)
    year_text = m.group("year")
    if calendar not in (GREGORIAN, HIJRI, SOLAR_HIJRI):
        return None
    if calendar == HIJRI:
        iso = None
    elif calendar == SOLAR_HIJRI:
        if int(year_text) not in SOLAR_YEARS:
            return None
        iso = None
    else:
        if not _year_ok(GREGORIAN, year_text, GREGORIAN):
            return None
        iso = f"{int(year_text):04d}"
    return _make(text, offsets, m.start(), m.end(), iso, calendar)


def _scan(pattern: re.Pattern[str], norm: str, build) -> list[DateMatch]:
    """All matches of *pattern* that *build* accepts, retrying after rejects."""
    found: list[DateMatch] = []
    pos = 0
    while (m := pattern.search(norm, pos)) is not None:
        result = build(m)
        if result is None:
            pos = m.start() + 1
        else:
            found.append(result)
            pos = m.end()
    return found


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def find_dates(text: str) -> list[DateMatch]:
    """Every date in *text*, left to right, without overlaps.

    >>> [m.text for m in find_dates("من 3 آذار / مارس 2024 حتى ٠٩/٠٦/٢٠٢٥")]
    ['3 آذار / مارس 2024', '٠٩/٠٦/٢٠٢٥']
    >>> [(m.iso, m.calendar) for m in find_dates("تأسس المركز عام 2003م، 1424 هـ")]
    [('2003', 'gregorian'), (None, 'hijri')]
    >>> find_dates("31 شباط 2025")[0].iso is None
    True
    >>> find_dates("لا تاريخ هنا 2025")
    []
    """
    norm, offsets = normalize_for_dates(text)
    if _ANY_DIGIT.search(norm) is None:
        return []
    candidates = _scan(_NAMED_RE, norm, lambda m: _from_named(m, text, offsets))
    if _LATIN_HINT.search(norm):
        candidates += _scan(_pattern(_ENGLISH_SRC), norm, lambda m: _from_named(m, text, offsets))
    if _NUMERIC_HINT.search(norm):
        candidates += _scan(_pattern(_NUMERIC_SRC), norm, lambda m: _from_numeric(m, text, offsets))
    if _YEAR_ERA_HINT.search(norm):
        candidates += _scan(_pattern(_YEAR_ONLY_SRC), norm, lambda m: _from_year_only(m, text, offsets))
    candidates.sort(key=lambda d: (d.start, -(d.end - d.start)))
    chosen: list[DateMatch] = []
    for cand in candidates:  # leftmost-longest wins
        if not chosen or cand.start >= chosen[-1].end:
            chosen.append(cand)
    return chosen


def find_date(text: str) -> DateMatch | None:
    """The first date in *text*, or ``None``.

    >>> find_date("صدر في 7 تشرين الأول /أكتوبر 2023 عن المركز")
    DateMatch(iso='2023-10-07', text='7 تشرين الأول /أكتوبر 2023', calendar='gregorian', start=7, end=33)
    >>> find_date("آذر ۱۴۰۳").calendar
    'solar_hijri'
    >>> find_date("بلا تاريخ") is None
    True
    """
    dates = find_dates(text)
    return dates[0] if dates else None


def parse_date(text: str) -> str | None:
    """ISO 8601 string of the first date in *text*, or ``None``.

    >>> parse_date("٩ أيار - مايو ٢٠٢٤م")
    '2024-05-09'
    >>> parse_date("حزيران 2025")
    '2025-06'
    >>> parse_date("1 رجب 1446 هـ") is None        # Hijri: recognised, not converted
    True
    """
    found = find_date(text)
    return found.iso if found else None
