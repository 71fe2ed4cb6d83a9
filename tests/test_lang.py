"""Arabic vs Persian vs English, on real lines from the kind of PDFs we clean.

The traps: Arabic lines that carry Persian/Kurdish names (گلستان، پیشمرگه),
Arabic whose final yeh came out as Persian ی (font artefact), Persian typed
with Arabic ي/ك, Persian with tanwin (کاملاً), and short running titles.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean.lang import is_persian, language_of, persian_log_odds, persian_score, script_counts

ARABIC = [
    "تشهد العلاقات بين العراق وإيران تطوراً ملحوظاً في المجالات الاقتصادية والأمنية.",
    "أكد رئيس الوزراء أن الحكومة ماضية في تنفيذ برنامجها الإصلاحي.",
    "مستقبل الاتفاق النووي الإيراني",
    "أثر العقوبات الأمريكية على الاقتصاد الإيراني",
    "قال رئيس وزراء إقليم كردستان مسرور بارزاني إن المحادثات مستمرة",
    "رؤية استراتيجية",
    "الفصل الأول",
    "المقدمة",
    "ترجمة: مركز الدراسات",
    "يقوم به المركز من دراسات",  # «به» is also Arabic
    # traps: Persian/Kurdish names in Arabic text
    "وصل الوفد العراقي إلى محافظة گلستان شمالي إيران لبحث التعاون التجاري.",
    "أعلنت حكومة إقليم كردستان أن قوات پیشمرگه انتشرت على الحدود مع سوريا.",
    # traps: font artefact, final yeh extracted as U+06CC
    "فی الوقت الذی",
    "وقد أشار الباحث إلی أن الاتفاق لم یکن سوی خطوة أولی نحو التسویة",
    # Arabic text with Persian digits (typed on a Persian keyboard)
    "بلغ عدد سكان العراق ۴۶ مليون نسمة وفق تقديرات عام ۲۰۲۴",
    # presentation forms and tatweel
    "ﻓﻲ ﺍﻟﻮﻗﺖ ﺍﻟﺬﻱ",
    "سـيـاسـة الـعـراق الـخـارجـيـة",
]

PERSIAN = [
    "بحران آب در عراق و چالش‌های پیش رو",
    "واقعیتهای نادیده گرفته شده مذاکرات ایران و امریکا",
    "ایران و عراق در سال‌های اخیر روابط اقتصادی گسترده‌ای برقرار کرده‌اند.",
    "به گزارش خبرگزاری‌ها، وزیر امور خارجه ایران در سفر به بغداد با همتای عراقی "
    "خود دیدار و درباره همکاری‌های دوجانبه گفتگو کرد.",
    "نقش عراق در معادلات منطقه‌ای",
    "فصل اول: مبانی نظری پژوهش",
    "جنگ اقتصادی آمریکا علیه ایران",
    "البته این مسئله پیچیده است",  # «البته» starts with ال
    "کالاهای صادراتی ایران به عراق",
    "علی لاریجانی در بغداد",  # «علی» is a name, not على
    # Persian typed on an Arabic keyboard (ي ك ى)
    "اين كتاب براي دانشجويان رشته علوم سياسي نوشته شده است",
    # tanwin in Persian loanwords
    "این موضوع کاملاً روشن است و معمولاً مورد توجه قرار می‌گیرد.",
    "تا سال ۱۴۰۴ حدود ۴۰ درصد از واردات عراق از ایران بود",
]

ENGLISH = [
    "The Iraqi Centre for Strategic Studies",
    "Journal of Iranian Studies, vol. 12, no. 3 (2024): 45-67.",
    "Iran–US negotiations (مذاکرات)",
]


@pytest.mark.parametrize("text", ARABIC)
def test_arabic(text):
    assert language_of(text) == "ar"
    assert persian_score(text) < 0.2
    assert not is_persian(text)


@pytest.mark.parametrize("text", PERSIAN)
def test_persian(text):
    assert language_of(text) == "fa"
    assert persian_score(text) > 0.8
    assert is_persian(text)


@pytest.mark.parametrize("text", ENGLISH)
def test_english(text):
    assert language_of(text) == "en"
    assert not is_persian(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "١٢٣ / 45",
        "ایران",  # a lone name is either language
        "بغداد",
        "ئەم کتێبە دەربارەی مێژووی کوردستانە",  # Sorani Kurdish: neither ar nor fa
    ],
)
def test_undetermined(text):
    assert language_of(text) == "und"
    assert not is_persian(text)


def test_long_arabic_paragraph_with_many_kurdish_names_stays_arabic():
    paragraph = " ".join(
        [
            "شاركت قوات پیشمرگه في العمليات العسكرية ضد التنظيم في محافظة نينوى،",
            "وقد زار وفد من السليمانية مدينة گرمیان ومدينة چمچمال لبحث الأوضاع الأمنية،",
            "كما التقى الوفد بمسؤولين في ناحية پنجوین على الحدود مع إيران.",
        ]
    )
    assert script_counts(paragraph)["persian_only"] >= 6
    assert language_of(paragraph) == "ar"


def test_arabic_artefact_yeh_only():
    text = "فی الوقت الذی تسعی فیه الحکومة الی تحقیق الاستقرار"
    counts = script_counts(text)
    assert counts["arabic_yeh"] == 0 and counts["farsi_yeh"] >= 5 and counts["keheh"] == 1
    assert language_of(text) == "ar"


def test_persian_letters_alone_are_not_decisive():
    # one گ word is outweighed by three Arabic articles
    text = "زار الرئيس العراقي گلستان في الشهر الماضي"
    assert language_of(text) == "ar"
    # but a bare name with گ and nothing Arabic around it leans Persian
    assert persian_log_odds("گلستان") > 0


def test_score_moves_with_evidence():
    base = persian_score("مذاكرات ایران و امریکا")
    assert base == pytest.approx(0.5)
    assert persian_score("مذاكرات ایران و امریکا در تهران") > base
    assert persian_score("مذاكرات ایران و امریکا في العاصمة") < base
    assert 0.0 <= persian_score(PERSIAN[3] * 20) <= 1.0
    assert persian_score(PERSIAN[3] * 20) > 0.99
    assert persian_score(ARABIC[0] * 20) < 0.01


def test_mixed_document_goes_to_the_majority():
    persian_block = " ".join(PERSIAN[:6])
    arabic_block = " ".join(ARABIC[:6])
    assert language_of(persian_block * 3 + arabic_block) == "fa"
    assert language_of(arabic_block * 3 + persian_block) == "ar"


def test_latin_dominates_to_english():
    assert language_of("Iran and Iraq: a study of مذاکرات") == "en"
    assert language_of("مستقبل الاتفاق النووي الإيراني (JCPOA)") == "ar"


def test_script_counts_exact():
    c = script_counts("می‌شود ۱۲ پچژگ ة ى ً ٣ abc é 7")
    assert c["zwnj"] == 1 and c["zwnj_in_words"] == 1
    assert c["persian_only"] == 4
    assert c["persian_digits"] == 2
    assert c["arabic_digits"] == 1
    assert c["western_digits"] == 1
    assert c["digits"] == 4
    assert c["arabic_only"] == 4  # ة ى tanwin ٣
    assert c["latin_letters"] == 4
    assert c["arabic_letters"] == len("میشود") + 4 + 2


def test_script_counts_words():
    c = script_counts("في الوقت الذي است در بین")
    assert c["words"] == 6
    assert c["article_words"] == 2  # الوقت الذي
    assert c["arabic_function_words"] == 2  # في الذي
    assert c["persian_function_words"] == 2  # است در


def test_script_counts_presentation_forms_are_letters():
    assert script_counts("ﺣﺰﻳﺮﺍﻥ")["arabic_letters"] == 6


# Full sentences (not 2-5 word titles, where one foreign name can honestly
# leave a line undetermined).
ARABIC_SENTENCES = [ARABIC[i] for i in (0, 1, 3, 4, 10, 11, 13)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(ARABIC_SENTENCES), min_size=1, max_size=4),
    st.lists(st.sampled_from(["گلستان", "پیشمرگه", "چمچمال", "ژینا", "ایران"]), max_size=2),
)
def test_property_arabic_with_a_few_names_stays_arabic(sentences, names):
    text = " ".join(sentences)
    for i, name in enumerate(names):
        words = text.split()
        words.insert((i * 7) % len(words), name)
        text = " ".join(words)
    assert language_of(text) == "ar"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PERSIAN[:9]), min_size=1, max_size=4))
def test_property_persian_sentences_stay_persian(sentences):
    assert language_of(" ".join(sentences)) == "fa"


# ---------------------------------------------------------------------------
# One feature at a time (minimal pairs)
# ---------------------------------------------------------------------------


def test_function_words_are_looked_up_with_yeh_and_kaf_folded():
    assert language_of("فی ذلک") == "ar"  # في ذلك with Persian yeh/keheh
    assert script_counts("فی")["arabic_function_words"] == 1
    assert script_counts("اين")["persian_function_words"] == 1  # این with Arabic yeh


def test_ala_counts_only_with_alef_maksura():
    assert persian_log_odds("على") <= persian_log_odds("في") < 0  # as strong as في
    assert persian_log_odds("علی") == persian_log_odds("علي") == 0  # the name Ali


def test_zwnj_inside_a_word_is_persian_evidence():
    assert language_of("سال‌ها") == "fa"
    assert language_of("سالها") == "und"
    assert language_of("\u200cسالها\u200c") == "und"  # at the edges it says nothing


def test_glued_plural_hay_is_persian_evidence():
    assert language_of("سیاستهای دولت عراق") == "fa"


def test_fathatan_is_only_weak_arabic_evidence():
    assert language_of("کاملاً در اختیار دولت") == "fa"
    assert language_of("كتابٌ مفيدٌ") == "ar"  # dammatan is strong


def test_bala_is_not_the_article():
    assert language_of("بالاترین نرخ تورم در منطقه") == "fa"
    assert language_of("بالعراق") == "ar"


def test_digits_cannot_outvote_words():
    row = "الإحصاءات: ۱۰ ۱۲ ۱۵ ۱۸ ۲۰ ۲۲ ۲۵ ۲۸ ۳۰ ۳۳ ۳۵ ۳۸"
    assert script_counts(row)["persian_digits"] == 24
    assert language_of(row) != "fa"
    assert persian_log_odds("۱۴۰۴") > 0 > persian_log_odds("١٤٤٦")


def test_docstring_examples():
    import doctest

    import pdfclean.lang

    result = doctest.testmod(pdfclean.lang)
    assert result.attempted > 10 and result.failed == 0
