"""Dates as printed in the centre's Arabic and Persian PDFs.

Expected values are written out by hand (month tables, known Nowruz dates)
rather than computed with the module's own helpers, so a wrong table or a
wrong leap rule fails here.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean.dates import (
    DateMatch,
    find_date,
    find_dates,
    is_jalali_leap,
    jalali_to_gregorian,
    parse_date,
)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
WESTERN = str.maketrans("", "")
DIGIT_SETS = [WESTERN, ARABIC_INDIC, PERSIAN]

# ---------------------------------------------------------------------------
# Month spellings
# ---------------------------------------------------------------------------

GREGORIAN_SPELLINGS: dict[int, list[str]] = {
    1: ["كانون الثاني", "كانون الثانى", "كانون ثاني", "يناير", "جانفي", "ژانویه", "January", "Jan"],
    2: ["شباط", "فبراير", "فيفري", "فوریه", "February", "Feb"],
    3: ["آذار", "اذار", "أذار", "مارس", "March", "Mar"],
    4: ["نيسان", "أبريل", "ابريل", "إبريل", "أفريل", "آوریل", "April", "Apr"],
    5: ["أيار", "ايار", "مايو", "مايس", "ماي", "مه", "May"],
    6: ["حزيران", "يونيو", "يونية", "يونيه", "جوان", "ژوئن", "June", "Jun"],
    7: ["تموز", "يوليو", "يوليه", "يولية", "يوليوز", "جويلية", "ژوئیه", "جولای", "July", "Jul"],
    8: ["آب", "اب", "أغسطس", "اغسطس", "أغسطوس", "غشت", "أوت", "اوت", "آگوست", "August", "Aug"],
    9: ["أيلول", "ايلول", "سبتمبر", "شتنبر", "سپتامبر", "September", "Sept", "Sep"],
    10: [
        "تشرين الأول", "تشرين الاول", "تشرين أول", "تشرين  الأول", "تشرينالأول",
        "أكتوبر", "اكتوبر", "اکتبر", "October", "Oct",
    ],
    11: [
        "تشرين الثاني", "تشرين الثانى", "تشرين ثاني", "تشرين الثانی",
        "نوفمبر", "نونبر", "نوامبر", "November", "Nov",
    ],
    12: [
        "كانون الأول", "كانون الاول", "كانون أول", "کانون الأول",
        "ديسمبر", "دجنبر", "دسامبر", "December", "Dec",
    ],
}
ARABIC_GREGORIAN = {n: [s for s in names if not s.isascii()] for n, names in GREGORIAN_SPELLINGS.items()}

HIJRI_SPELLINGS: dict[int, list[str]] = {
    1: ["محرم", "المحرم", "محرم الحرام"],
    2: ["صفر", "صفر الخير"],
    3: ["ربيع الأول", "ربيع الاول", "ربيع أول", "ربيع‌الاول"],
    4: ["ربيع الآخر", "ربيع الاخر", "ربيع الثاني", "ربيع الثانی"],
    5: ["جمادى الأولى", "جمادى الاولى", "جمادي الأولى", "جمادى الأول", "جمادی‌الاول"],
    6: ["جمادى الآخرة", "جمادى الاخرة", "جمادى الثانية", "جمادى الآخر", "جمادى الثاني"],
    7: ["رجب", "رجب المرجب"],
    8: ["شعبان", "شعبان المعظم"],
    9: ["رمضان", "رمضان المبارك", "شهر رمضان"],
    10: ["شوال", "شوّال"],
    11: ["ذو القعدة", "ذي القعدة", "ذو القعده", "ذی‌القعده"],
    12: ["ذو الحجة", "ذي الحجة", "ذو الحجه", "ذی‌الحجه"],
}

# 1st of each Solar Hijri month of 1403, worked out by hand from
# 1 Farvardin 1403 = 20 March 2024 (six 31-day months, five of 30, Esfand).
SOLAR_SPELLINGS: dict[int, tuple[list[str], str]] = {
    1: (["فروردین", "فروردين"], "2024-03-20"),
    2: (["اردیبهشت", "ارديبهشت"], "2024-04-20"),
    3: (["خرداد"], "2024-05-21"),
    4: (["تیر", "تير"], "2024-06-21"),
    5: (["مرداد", "امرداد"], "2024-07-22"),
    6: (["شهریور", "شهريور"], "2024-08-22"),
    7: (["مهر"], "2024-09-22"),
    8: (["آبان", "ابان"], "2024-10-22"),
    9: (["آذر", "اذر"], "2024-11-21"),
    10: (["دی", "دي"], "2024-12-21"),
    11: (["بهمن"], "2025-01-20"),
    12: (["اسفند"], "2025-02-19"),
}

# Nowruz (1 Farvardin) from the vernal equinox and the Tehran-noon rule.
NOWRUZ = {
    1354: date(1975, 3, 21), 1357: date(1978, 3, 21), 1370: date(1991, 3, 21),
    1375: date(1996, 3, 20), 1379: date(2000, 3, 20), 1383: date(2004, 3, 20),
    1384: date(2005, 3, 21), 1387: date(2008, 3, 20), 1391: date(2012, 3, 20),
    1395: date(2016, 3, 20), 1396: date(2017, 3, 21), 1399: date(2020, 3, 20),
    1400: date(2021, 3, 21), 1401: date(2022, 3, 21), 1402: date(2023, 3, 21),
    1403: date(2024, 3, 20), 1404: date(2025, 3, 21),
}

WEEKDAYS_AR = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]


def _cases(table):
    return [(name, n) for n, names in table.items() for name in names]


@pytest.mark.parametrize("name,month", _cases(GREGORIAN_SPELLINGS))
def test_every_gregorian_month_spelling(name, month):
    text = f"15 {name} 2024"
    m = find_date(text)
    assert m is not None, text
    assert (m.iso, m.calendar, m.text) == (f"2024-{month:02d}-15", "gregorian", text)
    assert parse_date(f"{name} 1999") == f"1999-{month:02d}"


@pytest.mark.parametrize("name,month", _cases(HIJRI_SPELLINGS))
def test_every_hijri_month_spelling(name, month):
    for text in (f"15 {name} 1446 هـ", f"15 {name} 1446", f"{name} 1445هـ"):
        m = find_date(text)
        assert m is not None, text
        assert (m.iso, m.calendar, m.text) == (None, "hijri", text)


@pytest.mark.parametrize(
    "name,month,iso", [(name, n, iso) for n, (names, iso) in SOLAR_SPELLINGS.items() for name in names]
)
def test_every_solar_month_spelling(name, month, iso):
    text = f"۱ {name} ۱۴۰۳"
    m = find_date(text)
    assert m is not None, text
    assert (m.iso, m.calendar, m.text) == (iso, "solar_hijri", text)


def test_month_spelling_tables_agree_on_month_numbers():
    """Each spelling is recognised as *its* month, not a neighbour's."""
    for n, names in ARABIC_GREGORIAN.items():
        for name in names:
            assert parse_date(f"{name} 2001")[-2:] == f"{n:02d}"


# ---------------------------------------------------------------------------
# Digits, spacing, tatweel, presentation forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "09 حزيران 2025", "٠٩ حزيران ٢٠٢٥", "۰۹ حزیران ۲۰۲۵",
        "9 حزيران 2025", "٩ حزيران ٢٠٢٥", "۹ حزيران ۲۰۲۵",
    ],
)
def test_digit_sets_and_leading_zero(text):
    assert parse_date(text) == "2025-06-09"
    assert find_date(text).text == text


def test_text_is_a_substring_with_span():
    line = "المصدر: موقع الدبلوماسية الإيرانية، نُشر بتاريخ 09 حزيران 2025."
    m = find_date(line)
    assert m == DateMatch("2025-06-09", "09 حزيران 2025", "gregorian", line.index("09"), line.index("."))
    assert line[m.start:m.end] == m.text


@pytest.mark.parametrize(
    "text,iso,printed",
    [
        ("9 حـزيـران 2025", "2025-06-09", "9 حـزيـران 2025"),
        ("9   حزيران    2025", "2025-06-09", "9   حزيران    2025"),
        ("9حزيران2025", "2025-06-09", "9حزيران2025"),
        ("ﺣﺰﻳﺮﺍﻥ 2025", "2025-06", "ﺣﺰﻳﺮﺍﻥ 2025"),  # presentation forms
        ("2 أيّار 2024", "2024-05-02", "2 أيّار 2024"),  # shadda
        ("نُشر في 2 أيار 2024م.", "2024-05-02", "2 أيار 2024م."),
        ("عام 2024 م", "2024", "2024 م"),
        ("الاثنين 09 حزيران 2025", "2025-06-09", "الاثنين 09 حزيران 2025"),
        ("بغداد، الجمعة، 9 أيار 2025", "2025-05-09", "الجمعة، 9 أيار 2025"),
        ("يوم الأحد الموافق 8 حزيران 2025", "2025-06-08", "يوم الأحد الموافق 8 حزيران 2025"),
        ("9 من حزيران 2025", "2025-06-09", "9 من حزيران 2025"),
        ("حزيران من عام 2025", "2025-06", "حزيران من عام 2025"),
        ("June 9, 2025", "2025-06-09", "June 9, 2025"),
        ("Monday, 9th June 2025", "2025-06-09", "Monday, 9th June 2025"),
    ],
)
def test_tolerant_forms(text, iso, printed):
    m = find_date(text)
    assert m is not None
    assert (m.iso, m.text) == (iso, printed)


# ---------------------------------------------------------------------------
# Doubled month names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,printed,iso",
    [
        ("صدر في آذار / مارس 2025 عن المركز", "آذار / مارس 2025", "2025-03"),
        ("بغداد 2 حزيران/ يونيو 2025", "2 حزيران/ يونيو 2025", "2025-06-02"),
        ("نشر في 7 تشرين الأول /أكتوبر 2023", "7 تشرين الأول /أكتوبر 2023", "2023-10-07"),
        ("أيار - مايو 2024", "أيار - مايو 2024", "2024-05"),
        ("15 آذار (مارس) 2025", "15 آذار (مارس) 2025", "2025-03-15"),
        ("15 مارس (آذار) 2025", "15 مارس (آذار) 2025", "2025-03-15"),
        ("١ كانون الثاني/يناير ٢٠٢٤م", "١ كانون الثاني/يناير ٢٠٢٤م", "2024-01-01"),
        ("30 أيلول – سبتمبر 2022", "30 أيلول – سبتمبر 2022", "2022-09-30"),
    ],
)
def test_doubled_forms_cover_both_names(line, printed, iso):
    m = find_date(line)
    assert (m.text, m.iso, m.calendar) == (printed, iso, "gregorian")


def test_issue_number_before_a_comma_is_not_a_day():
    m = find_date("مجلة الدراسات، العدد 12، حزيران 2025")
    assert (m.text, m.iso) == ("حزيران 2025", "2025-06")


def test_two_different_months_are_not_a_doubled_form():
    # «آذار - نيسان 2025» is a range; only «نيسان 2025» is a full date.
    m = find_date("آذار - نيسان 2025")
    assert (m.text, m.iso) == ("نيسان 2025", "2025-04")


# ---------------------------------------------------------------------------
# Numeric dates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,iso,calendar",
    [
        ("09/06/2025", "2025-06-09", "gregorian"),
        ("9/6/2025", "2025-06-09", "gregorian"),
        ("2025-06-09", "2025-06-09", "gregorian"),
        ("2025/6/9", "2025-06-09", "gregorian"),
        ("09.06.2025", "2025-06-09", "gregorian"),
        ("09 / 06 / 2025", "2025-06-09", "gregorian"),
        ("٠٩/٠٦/٢٠٢٥", "2025-06-09", "gregorian"),
        ("۰۹/۰۶/۲۰۲۵", "2025-06-09", "gregorian"),
        ("13/06/2025", "2025-06-13", "gregorian"),
        ("06/13/2025", "2025-06-13", "gregorian"),  # day-first impossible: month-first
        ("09/06/2025م", "2025-06-09", "gregorian"),
        ("۱۴۰۴/۰۳/۱۸", "2025-06-08", "solar_hijri"),  # Persian digits, 14xx year
        ("18/3/1404 ه.ش", "2025-06-08", "solar_hijri"),
        ("1446/09/15 هـ", None, "hijri"),
        ("15/9/1446هـ", None, "hijri"),
        ("15/09/1446", None, "hijri"),  # unmarked 14xx year, Western digits
    ],
)
def test_numeric_dates(text, iso, calendar):
    m = find_date(f"بتاريخ {text} صدر")
    assert m is not None
    assert (m.iso, m.calendar, m.text) == (iso, calendar, text)


def test_day_first_wins_when_both_orders_are_possible():
    assert parse_date("03/04/2025") == "2025-04-03"


# ---------------------------------------------------------------------------
# Hijri
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,printed",
    [
        ("صدر عام 1446 هـ", "1446 هـ"),
        ("صدر عام 1446هـ.", "1446هـ."),
        ("سنة ١٤٤٦ هـ", "١٤٤٦ هـ"),
        ("۱۴۴۶ ه.ق", "۱۴۴۶ ه.ق"),
        ("10 محرم 61 هـ", "10 محرم 61 هـ"),
        ("15 رمضان 1446 هجرية", "15 رمضان 1446 هجرية"),
    ],
)
def test_hijri_recognised_not_converted(text, printed):
    m = find_date(text)
    assert (m.calendar, m.iso, m.text) == ("hijri", None, printed)
    assert parse_date(text) is None


def test_hijri_and_gregorian_in_one_line():
    line = "15 رمضان 1446 هـ الموافق 15 آذار 2025 م"
    got = [(m.calendar, m.iso, m.text) for m in find_dates(line)]
    assert got == [
        ("hijri", None, "15 رمضان 1446 هـ"),
        ("gregorian", "2025-03-15", "15 آذار 2025 م"),
    ]


# ---------------------------------------------------------------------------
# Solar Hijri (Jalali)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,iso",
    [
        ("1 فروردین ۱۴۰۳", "2024-03-20"),
        ("۱۸ خرداد ۱۴۰۴", "2025-06-08"),
        ("۱۸ خرداد‌ماه ۱۴۰۴", "2025-06-08"),
        ("۱۸ خرداد ماه سال ۱۴۰۴ ه.ش", "2025-06-08"),
        ("22 بهمن 1357", "1979-02-11"),
        ("۳۰ اسفند ۱۴۰۳", "2025-03-20"),  # 1403 is leap: Esfand has 30 days
        ("۱ فروردین ۱۴۰۴", "2025-03-21"),
        ("سه‌شنبه ۱ آبان ۱۴۰۳", "2024-10-22"),
    ],
)
def test_jalali_known_answers(text, iso):
    m = find_date(text)
    assert (m.calendar, m.iso, m.text) == ("solar_hijri", iso, text)


@pytest.mark.parametrize("year,nowruz", sorted(NOWRUZ.items()))
def test_nowruz_dates(year, nowruz):
    assert jalali_to_gregorian(year, 1, 1) == nowruz
    assert jalali_to_gregorian(year - 1, 12, 29) + timedelta(days=1 + is_jalali_leap(year - 1)) == nowruz


def test_jalali_days_are_consecutive_over_the_supported_range():
    expected = jalali_to_gregorian(1200, 1, 1)
    for year in range(1200, 1500):
        length = 0
        for month in range(1, 13):
            for day in range(1, 32):
                try:
                    got = jalali_to_gregorian(year, month, day)
                except ValueError:
                    break
                assert got == expected, (year, month, day)
                expected += timedelta(days=1)
                length += 1
        assert length == (366 if is_jalali_leap(year) else 365)


def test_jalali_leap_years_match_the_official_calendar():
    # Leap years of the Iranian calendar 1370-1410 (30 Esfand exists).
    assert [y for y in range(1370, 1411) if is_jalali_leap(y)] == [
        1370, 1375, 1379, 1383, 1387, 1391, 1395, 1399, 1403, 1408,
    ]


def test_azar_is_not_adhar():
    assert (find_date("آذار 2024").calendar, parse_date("آذار 2024")) == ("gregorian", "2024-03")
    assert (find_date("آذر ۱۴۰۳").calendar, parse_date("آذر ۱۴۰۳")) == ("solar_hijri", None)
    assert parse_date("1 آذر 1403") == "2024-11-21"
    assert parse_date("1 آذار 2024") == "2024-03-01"
    assert find_date("آبان 1402").calendar == "solar_hijri"
    assert parse_date("آب 2025") == "2025-08"


# ---------------------------------------------------------------------------
# Invalid, implausible and non-dates
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["31 شباط 2025", "30 شباط 2024", "29 شباط 2023", "31 نيسان 2025", "31 مهر 1403", "30 اسفند 1404"],
)
def test_impossible_day_gives_no_iso(text):
    m = find_date(text)
    assert m is not None and m.iso is None and m.text == text
    assert parse_date(text) is None


def test_era_marker_of_another_calendar_is_not_part_of_the_date():
    m = find_date("9 حزيران 2025 هـ")
    assert (m.text, m.iso) == ("9 حزيران 2025", "2025-06-09")
    m = find_date("15 رمضان 1446 م")
    assert (m.text, m.calendar) == ("15 رمضان 1446", "hijri")


def test_leap_day_is_valid():
    assert parse_date("29 شباط 2024") == "2024-02-29"


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2025",
        "حزيران 1750",
        "9 حزيران 2150",
        "09/06/1750",
        "خرداد 2025",
        "المادة 5 من القانون رقم 12 لسنة 2020",
        "بين 2019-2020",
        "شيد عام 500 ق.م",
        "1/2/2024 ق.م",  # a numeric date before Christ: no ISO date
        "رجب طيب أردوغان",
        "درجة الحرارة صفر",
        "مهر 5000 دينار",
        "الإصدار 1.2.3",
        "",
    ],
)
def test_no_date(text):
    assert find_dates(text) == []
    assert parse_date(text) is None


def test_find_dates_in_order_without_overlap():
    line = "من ١ آذار ٢٠٢٤ إلى 2025-06-09، وفي ۱۸ خرداد ۱۴۰۴ و1446 هـ"
    found = find_dates(line)
    assert [m.iso for m in found] == ["2024-03-01", "2025-06-09", "2025-06-08", None]
    assert [m.calendar for m in found] == ["gregorian", "gregorian", "solar_hijri", "hijri"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert all(line[m.start:m.end] == m.text for m in found)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@st.composite
def rendered_gregorian(draw):
    d = draw(st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31)))
    digits = draw(st.sampled_from(DIGIT_SETS))
    first = draw(st.sampled_from(GREGORIAN_SPELLINGS[d.month]))
    if not first.isascii() and len(first) > 2 and draw(st.booleans()):
        first = first[:2] + "ـ" + first[2:]  # tatweel
    doubled = draw(st.sampled_from(["", " / ", "/ ", " /", " - ", "–", " ("]))
    month = first
    if doubled:
        second = draw(st.sampled_from(ARABIC_GREGORIAN[d.month]))
        month = f"{first} ({second})" if doubled == " (" else f"{first}{doubled}{second}"
    day = f"{d.day:02d}" if draw(st.booleans()) else str(d.day)
    with_day = draw(st.booleans())
    era = draw(st.sampled_from(["", "م", " م", " م.", "م."]))
    core = ((f"{day} " if with_day else "") + f"{month} {d.year}").translate(digits) + era
    if with_day and draw(st.booleans()):
        core = f"{WEEKDAYS_AR[d.weekday()]} {core}"
    prefix = draw(st.sampled_from(["", "صدر في ", "بغداد، ", "(", "نُشر بتاريخ "]))
    suffix = draw(st.sampled_from(["", " عن المركز", ".", ")", "، ص 12"]))
    iso = d.isoformat() if with_day else d.isoformat()[:7]
    text = prefix + core + suffix
    if core.endswith("م") and suffix == ".":
        core += "."  # «2025م.» reads as the abbreviation «م.»
    return text, core, iso


@settings(max_examples=400, deadline=None)
@given(rendered_gregorian())
def test_property_gregorian_roundtrip(case):
    text, core, iso = case
    m = find_date(text)
    assert m is not None, text
    assert (m.iso, m.calendar, m.text) == (iso, "gregorian", core)
    assert parse_date(text) == iso


@st.composite
def rendered_jalali(draw):
    year = draw(st.sampled_from(sorted(NOWRUZ)))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 31 if month <= 6 else 30 if month <= 11 else 29))
    offset = (month - 1) * 31 if month <= 7 else 186 + (month - 7) * 30
    expected = NOWRUZ[year] + timedelta(days=offset + day - 1)
    names, _ = SOLAR_SPELLINGS[month]
    name = draw(st.sampled_from(names)) + draw(st.sampled_from(["", " ماه", "\u200cماه"]))
    digits = draw(st.sampled_from(DIGIT_SETS))
    era = draw(st.sampled_from(["", " ه.ش", " ش", " هجری شمسی"]))
    core = f"{day} {name} {year}".translate(digits) + era
    return f"تاریخ انتشار: {core}", core, expected.isoformat()


@settings(max_examples=300, deadline=None)
@given(rendered_jalali())
def test_property_jalali_roundtrip(case):
    text, core, iso = case
    m = find_date(text)
    assert m is not None, text
    assert (m.iso, m.calendar, m.text) == (iso, "solar_hijri", core)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹/-. محرمآذارحزيرانخردادهـمـ", max_size=40))
def test_property_spans_are_consistent(text):
    found = find_dates(text)
    assert all(text[m.start:m.end] == m.text and m.text for m in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    assert all(m.iso is None or m.iso[:4].isdigit() for m in found)


def test_docstring_examples():
    import doctest

    import pdfclean.dates

    result = doctest.testmod(pdfclean.dates)
    assert result.attempted > 10 and result.failed == 0
