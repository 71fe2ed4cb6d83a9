"""Dates at the edges of what is accepted: year ranges, impossible days,
calendars named by era markers, bare years, spans.

Written to kill the mutants of ``pdfclean.dates`` that tests/test_dates.py let
live. Expected values are written out by hand; Solar Hijri ones are known
Nowruz and month-start dates (1 Farvardin 1200 = 21 March 1821, 1 Tir 1403 =
21 June 2024, 1 Farvardin 1404 = 21 March 2025).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean.dates import (
    find_date,
    find_dates,
    jalali_month_length,
    jalali_to_gregorian,
    normalize_for_dates,
    parse_date,
)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def found(text):
    return [(m.iso, m.calendar, m.text) for m in find_dates(text)]


@pytest.mark.parametrize("text,want", [
    # Gregorian: 1800-2100 unless an era marker is printed, then 1000-2100
    ("5 حزيران 1799", []),
    ("5 حزيران 1800", [("1800-06-05", "gregorian", "5 حزيران 1800")]),
    ("حزيران 2100", [("2100-06", "gregorian", "حزيران 2100")]),
    ("حزيران 2101", []),
    ("حزيران 1500", []),
    ("حزيران 1500 م", [("1500-06", "gregorian", "حزيران 1500 م")]),
    ("حزيران 1000م", [("1000-06", "gregorian", "حزيران 1000م")]),
    ("حزيران 999 م", []),
    ("حزيران 2101 م", []),
    ("حزيران 25", []),
    # Solar Hijri: 1200-1499
    ("1 فروردین 1200", [("1821-03-21", "solar_hijri", "1 فروردین 1200")]),
    ("1 فروردین 1199", []),
    ("1 فروردین 1500", []),
    ("1 تیر ماه 1403", [("2024-06-21", "solar_hijri", "1 تیر ماه 1403")]),
    ("تیر 1403", [(None, "solar_hijri", "تیر 1403")]),  # a month straddles two Gregorian months
    ("31 مهر 1403", [(None, "solar_hijri", "31 مهر 1403")]),  # Mehr has 30 days
    # Hijri: 1000-1599 without an era marker, any year with one
    ("رمضان 1446", [(None, "hijri", "رمضان 1446")]),
    ("رمضان 1000", [(None, "hijri", "رمضان 1000")]),
    ("رمضان 999", []),
    ("رمضان 1600", []),
    ("رمضان 61 هـ", [(None, "hijri", "رمضان 61 هـ")]),
    ("15 رمضان 1446 هـ.", [(None, "hijri", "15 رمضان 1446 هـ.")]),
])
def test_year_ranges_of_named_dates(text, want):
    assert found(text) == want


@pytest.mark.parametrize("text,want", [
    ("2003م", [("2003", "gregorian", "2003م")]),
    ("1000م", [("1000", "gregorian", "1000م")]),
    ("2100م", [("2100", "gregorian", "2100م")]),
    ("2101م", []),
    ("999م", []),  # a Gregorian year is printed with four digits
    ("99م", []),
    ("1424 هـ", [(None, "hijri", "1424 هـ")]),
    ("61 هـ", [(None, "hijri", "61 هـ")]),
    ("1403 ش", [(None, "solar_hijri", "1403 ش")]),
    ("1403 ه.ش", [(None, "solar_hijri", "1403 ه.ش")]),
    ("1200 ش", [(None, "solar_hijri", "1200 ش")]),
    ("1499 ش", [(None, "solar_hijri", "1499 ش")]),
    ("1600 ش", []),
    ("1199 ش", []),
    ("500 ق.م", []),  # before Christ: not a Hijri «500 ق»
    ("2003", []),  # a bare number is no date
])
def test_bare_years_need_an_era_marker(text, want):
    assert found(f"{text}") == want
    if want:  # and inside a sentence, the span is the date alone
        m = find_date(f"تأسس عام {text} في بغداد")
        assert m is not None and (m.iso, m.calendar, m.text) == want[0]


@pytest.mark.parametrize("text,want", [
    ("12/25/2024", ("2024-12-25", "gregorian")),  # day first impossible
    ("25/12/2024", ("2024-12-25", "gregorian")),
    ("29/2/2024", ("2024-02-29", "gregorian")),
    ("1/2/1500 م", ("1500-02-01", "gregorian")),
    ("1/2/0999 م", None),
    ("1/2/1500", None),
    ("1/2/2101", None),
    ("12/09/1446 هـ", (None, "hijri")),
    ("30/1/1446 هـ", (None, "hijri")),
    ("31/1/1446 هـ", None),  # a lunar month has at most 30 days
    ("1/13/1446 هـ", (None, "hijri")),  # 13 Muharram, month first
    ("13/13/1446 هـ", None),
    ("۱۸/۰۳/۱۴۰۴", ("2025-06-08", "solar_hijri")),  # Persian digits: an Iranian date
    ("18/03/1404", (None, "hijri")),  # Western digits: a Hijri one
    ("١٨/٠٣/١٤٠٤", (None, "hijri")),  # Arabic-Indic digits too
    ("1404/03/18", (None, "hijri")),
    ("۱۴۰۴/۰۳/۱۸", ("2025-06-08", "solar_hijri")),
    ("1404-01-01 ه.ش", ("2025-03-21", "solar_hijri")),
    ("18/03/1600 ه.ش", None),
    ("31/12/1403 ه.ش", None),  # Esfand 1403 has 30 days
    ("30/12/1403 ه.ش", ("2025-03-20", "solar_hijri")),
])
def test_numeric_dates_at_the_edges(text, want):
    got = [(m.iso, m.calendar) for m in find_dates(f"بتاريخ {text} صدر")]
    assert got == ([want] if want else [])


@pytest.mark.parametrize("text", ["13/13/2024", "31/04/2024", "29/2/2023", "2025-13-01", "2025-06-31",
                                  "0/5/2024", "5/0/2024", "2024-00-10"])
def test_impossible_numeric_dates_give_no_date(text):
    assert parse_date(text) is None


@pytest.mark.parametrize("text,printed", [
    ("09/06/2025 م", "09/06/2025 م"),
    ("09/06/2025 هـ", "09/06/2025 هـ"),  # the marker names the calendar: a Hijri date
    ("1404/03/18 ه.ش", "1404/03/18 ه.ش"),
    ("۱۴۰۴/۰۳/۱۸ م", "۱۴۰۴/۰۳/۱۸ م"),  # «م» makes 1404 a Gregorian year
])
def test_numeric_date_spans(text, printed):
    m = find_date(f"صدر في {text} عن المركز")
    assert m is not None and m.text == printed


def test_numbers_run_into_a_date_are_not_one():
    assert find_dates("1/12/03/2024") == []
    assert find_dates("12/03/2024/5") == []
    assert find_dates("112/03/2024") == []


@settings(max_examples=200, deadline=None)
@given(st.dates(date(1800, 1, 1), date(2100, 12, 31)), st.sampled_from("/.-"),
       st.sampled_from([str.maketrans("", ""), ARABIC_INDIC, PERSIAN]), st.booleans())
def test_numeric_gregorian_roundtrip(d, sep, digits, year_first):
    if year_first:
        text = f"{d.year}{sep}{d.month:02d}{sep}{d.day:02d}"
    elif d.day > 12:  # sometimes month first: only readable that way when the day is over 12
        text = f"{d.month}{sep}{d.day}{sep}{d.year}"
    else:
        text = f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"
    text = text.translate(digits)
    m = find_date(f"صدر بتاريخ {text} عن المركز")
    assert m is not None and (m.iso, m.calendar, m.text) == (d.isoformat(), "gregorian", text)


def test_english_dates():
    assert found("June 9, 2025") == [("2025-06-09", "gregorian", "June 9, 2025")]
    assert found("on Monday, June 9th 2025 in") == [("2025-06-09", "gregorian", "Monday, June 9th 2025")]
    assert found("Sept. 3, 2024") == [("2024-09-03", "gregorian", "Sept. 3, 2024")]
    assert found("June 9, 25") == []
    assert found("June 31, 2025") == [(None, "gregorian", "June 31, 2025")]


def test_weekday_and_filler_words_belong_to_the_date():
    assert found("بغداد، الاثنين 09 حزيران 2025") == [("2025-06-09", "gregorian", "الاثنين 09 حزيران 2025")]
    assert found("يوم الخميس، 5 حزيران 2025") == [("2025-06-05", "gregorian", "يوم الخميس، 5 حزيران 2025")]
    assert found("في 5 من شهر حزيران سنة 2025") == [("2025-06-05", "gregorian", "5 من شهر حزيران سنة 2025")]


def test_a_rejected_candidate_does_not_hide_a_date_after_it():
    assert found("حزيران 1750 وفي حزيران 2025") == [("2025-06", "gregorian", "حزيران 2025")]
    assert found("رمضان 1750 ثم رمضان 1446") == [(None, "hijri", "رمضان 1446")]
    assert found("13/13/2024 أو 12/12/2024") == [("2024-12-12", "gregorian", "12/12/2024")]
    assert found("1600 ش ثم 1403 ش") == [(None, "solar_hijri", "1403 ش")]


def test_overlapping_readings_give_the_longest_date_once():
    # «٢٠٢٤م» alone is a bare year; inside the full date it is not a second date
    assert found("٩ أيار - مايو ٢٠٢٤م") == [("2024-05-09", "gregorian", "٩ أيار - مايو ٢٠٢٤م")]
    assert found("15 رمضان 1446 هـ الموافق 15 آذار 2025 م") == [
        (None, "hijri", "15 رمضان 1446 هـ"), ("2025-03-15", "gregorian", "15 آذار 2025 م")]
    assert [m.text for m in find_dates("2003م 1424هـ 1403ش")] == ["2003م", "1424هـ", "1403ش"]


def test_span_keeps_the_marks_and_tatweel_of_the_last_letter():
    text = "سنة 1446 هــ، وفي"
    m = find_date(text)
    assert m is not None and m.text == "1446 هــ" and text[m.start:m.end] == m.text
    m = find_date("عام 2003 مَ")
    assert m is not None and m.text == "2003 مَ"


def test_normalisation_maps_every_folded_character_to_its_source():
    folded, offsets = normalize_for_dates("ﻻ 5")
    assert folded == "لا 5" and offsets == [0, 0, 1, 2, 3]
    folded, offsets = normalize_for_dates("حـزيـران\u200f ٩")
    assert folded == "حزيران 9" and len(offsets) == len(folded) + 1 and offsets[-1] == 11
    assert [offsets[i] for i in range(len(folded))] == [0, 2, 3, 5, 6, 7, 9, 10]
    assert normalize_for_dates("") == ("", [0])


def test_jalali_month_lengths_and_invalid_dates():
    assert [jalali_month_length(1403, m) for m in range(1, 13)] == [31] * 6 + [30] * 5 + [30]
    assert jalali_month_length(1404, 12) == 29
    for y, m, d in [(1404, 12, 30), (1403, 13, 1), (1403, 0, 1), (1403, 1, 0), (1403, 1, 32), (1403, 7, 31)]:
        with pytest.raises(ValueError):
            jalali_to_gregorian(y, m, d)
    assert jalali_to_gregorian(1403, 12, 30) == date(2025, 3, 20)
    assert jalali_to_gregorian(1403, 7, 1) == date(2024, 9, 22)
    assert jalali_to_gregorian(1403, 6, 31) + timedelta(days=1) == jalali_to_gregorian(1403, 7, 1)
