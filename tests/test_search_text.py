"""``normalize_for_search``: Lucene's Arabic and Persian folding, rule by rule;
idempotent, never adding what was not a letter; ``--search-text`` in the JSON
(schema 1.3) and only then."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pdfclean
from pdfclean import normalize_for_search
from pdfclean.schema import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "pdfs" / "iraq-oil-inflation-libreoffice.pdf"

EXAMPLES = [
    # (text, language, folded) — one rule each, then together
    ("أحمد إبراهيم آمال ٱلكتاب", "ar", "احمد ابراهيم امال الكتاب"),  # alef forms → bare alef
    ("مستشفى على", "ar", "مستشفي علي"),  # alef maksura → yeh
    ("المدرسة الجديدة", "ar", "المدرسه الجديده"),  # teh marbuta → heh
    ("عَرَبِيٌّ مُدَرِّسٌ", "ar", "عربي مدرس"),  # harakat removed
    ("جمـــيل", "ar", "جميل"),  # tatweel removed
    ("هٰذا", "ar", "هذا"),  # superscript alef (pdfclean's addition)
    ("فارسی یک", "fa", "فارسي يك"),  # Farsi yeh → yeh, keheh → kaf
    ("خانۀ ہمہ", "fa", "خانه همه"),  # heh with yeh above, heh goal → heh
    ("مدرسهٔ", "fa", "مدرسه"),  # hamza above removed
    ("می‌خواهم", "fa", "مي خواهم"),  # ZWNJ → space in Persian (PersianCharFilter)
    ("می‌خواهم", "ar", "ميخواهم"),  # … and nothing in another language
    ("عام ٢٠٢٤ و۱۴۰۳", "ar", "عام 2024 و1403"),  # digits → ASCII
    ("Generative AI", "ar", "generative ai"),  # lower case
    ("ﻻ ﺍﻟﻤﺪﺭﺳﺔ", "ar", "لا المدرسه"),  # presentation forms → letters, then folded
    ("ﷲ ﷼", "ar", "الله ريال"),  # ligatures → their letters
    ("  في\u200f  البيت\n", None, "في البيت"),  # bidi marks removed, white space collapsed
    ("قالَ: «إنّ المدرسةَ الكبرى».", "ar", "قال: «ان المدرسه الكبري»."),  # punctuation kept
]


@pytest.mark.parametrize("text,language,folded", EXAMPLES)
def test_the_rules(text, language, folded):
    assert normalize_for_search(text, language) == folded


def test_lucene_reference_pairs():
    """Pairs from Lucene's own tests of ArabicNormalizer and PersianNormalizer
    (TestArabicNormalizationFilter, TestPersianNormalizationFilter)."""
    pairs = [("آجن", "اجن"), ("أحمد", "احمد"), ("إعاذ", "اعاذ"), ("بنى", "بني"), ("فاطمة", "فاطمه"),
             ("روبرـــــت", "روبرت"), ("بً", "ب"), ("بِ", "ب"), ("بُ", "ب"), ("بَ", "ب"), ("بّ", "ب"),
             ("بْ", "ب"), ("بٌ", "ب"), ("بٍ", "ب"), ("های", "هاي"), ("كتابی", "كتابي"), ("کتاب", "كتاب"),
             ("زادہ", "زاده"), ("خانۀ", "خانه"), ("شادے", "شادي")]
    for a, b in pairs:
        assert normalize_for_search(a, "fa") == b, a


_TEXT = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
    st.sampled_from(list(" \u200c\u200d\u200f\t\nAbZé٣۴9İ")),
    st.characters(),
), max_size=60)


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.sampled_from(["ar", "fa", "en", None]))
def test_idempotent(text, language):
    once = normalize_for_search(text, language)
    assert normalize_for_search(once, language) == once


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.sampled_from(["ar", "fa", "en", None]))
def test_never_adds_what_was_not_a_letter(text, language):
    """Every character of the output not in the input is a letter or a digit
    (a folded form), or a space standing for white space (a run of it becomes
    one space) or for a Persian ZWNJ; the output is never longer than the input
    decomposed (a ligature, «ﻻ» or «﷼», becomes its letters)."""
    out = normalize_for_search(text, language)
    assert len(out) <= len(unicodedata.normalize("NFKD", text))
    for ch in set(out) - set(text):
        spaces = any(c.isspace() for c in text) or (language == "fa" and "\u200c" in text)
        assert ch.isalpha() or ch.isdigit() or (ch == " " and spaces), \
            (text, out, ch, unicodedata.name(ch, "?"))


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_no_marks_tatweel_or_variant_letters_are_left(text):
    out = normalize_for_search(text, "fa")
    assert not set(out) & set("آأإٱىةیےکۀہـ\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0654\u0670\u200c")


def test_json_unchanged_without_the_flag_and_folded_with_it():
    doc = pdfclean.extract(SAMPLE, ocr="never")
    plain = json.loads(doc.to_json())
    assert plain["schema_version"] == "1.2"
    assert all("search_text" not in b for b in plain["blocks"] + plain["front_matter"])
    folded = json.loads(doc.to_json(search_text=True))
    assert folded["schema_version"] == "1.3"
    jsonschema.validate(plain, SCHEMA)
    jsonschema.validate(folded, SCHEMA)
    for a, b in zip(plain["blocks"] + plain["front_matter"], folded["blocks"] + folded["front_matter"]):
        assert b.pop("search_text") == normalize_for_search(a["text"], "ar")
        assert a == b
    # a 1.2 document with the 1.3 field does not fit the schema
    folded = json.loads(doc.to_json(search_text=True))
    folded["schema_version"] = "1.2"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(folded, SCHEMA)


def test_cli_search_text(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "pdfclean", "extract", str(SAMPLE), "--ocr", "never",  # noqa: E731
                                     *a], capture_output=True, text=True)
    r = run("--search-text")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == "1.3" and all(b["search_text"] for b in doc["blocks"])
    r = run("--search-text", "-f", "jsonl")
    assert r.returncode == 0 and "search_text" in r.stdout
    r = run("--search-text", "-f", "markdown")
    assert r.returncode == 2 and "json" in r.stderr
