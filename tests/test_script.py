"""Script repair: visual order back to logical, and the character fixes.

The property test builds what a legacy producer draws — logical text shaped by
arabic-reshaper and put in visual order by python-bidi — feeds it through the
same glyph clustering the engines use, and checks the repair gives back the
original exactly.
"""

import unicodedata
from collections import Counter

import arabic_reshaper
import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean.engines import cluster_stream, merge_runs
from pdfclean.lines import VisualLine, build_lines
from pdfclean.model import Glyph
from pdfclean.script import (
    fix_and_explain,
    fix_presentation_forms,
    fix_space_before_mark,
    fix_text,
    repair_line,
    visual_to_logical,
)

RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})

ARABIC = ["الاتفاق", "النووي", "في", "على", "من", "إلى", "الله", "لا", "إيران", "الجانبَيْن",
          "مؤخّراً", "جدّاً", "العراق", "المياه", "الإنتاجية", "لأن", "قال", "سلطنة", "عُمان",
          "المشكلات", "الطاقة", "ثمّ", "كلاهما", "الآن", "بالإضافة"]
PERSIAN = ["می\u200cخواهم", "چالش\u200cهای", "پیش", "گزارش", "کشور", "ژاپن"]
LATIN = ["IAEA", "COP29", "JCPOA", "Python", "OPEC+", "R"]
NUMBERS = ["2024", "3.5", "12", "١٢٣٤", "٢٠٢٥", "۱۴۰۳", "1,000", "100"]


@st.composite
def sentence(draw):
    words = [draw(st.sampled_from(ARABIC))]
    prev_number = False
    for _ in range(draw(st.integers(1, 9))):
        kind = draw(st.sampled_from(["ar", "ar", "ar", "fa", "lat", "num", "pct", "paren", "quote"]))
        if kind == "ar":
            w = draw(st.sampled_from(ARABIC))
        elif kind == "fa":
            w = draw(st.sampled_from(PERSIAN))
        elif kind == "lat":
            if prev_number:  # «2024 JCPOA» and «JCPOA 2024» look the same on the page
                continue
            w = draw(st.sampled_from(LATIN))
        elif kind == "num":
            w = draw(st.sampled_from(NUMBERS))
        elif kind == "pct":
            w = draw(st.sampled_from(["3.5%", "12%", "٪١٢"]))
        elif kind == "paren":
            w = "(" + draw(st.sampled_from(ARABIC + LATIN)) + ")"
        else:
            w = "«" + draw(st.sampled_from(ARABIC)) + "»"
        words.append(w)
        prev_number = kind in ("num", "pct")
        words.append(draw(st.sampled_from(ARABIC)))  # Arabic between foreign runs
        prev_number = False
    return " ".join(words) + draw(st.sampled_from([".", "؟", ":", "،", ""]))


def draw_visual(logical: str, runs: bool = False) -> VisualLine:
    """What reportlab draws for ``logical``: shaped, visual order, left to right.

    With ``runs``, touching letters are folded into runs as the engines do."""
    visual = get_display(RESHAPER.reshape(logical))
    glyphs = cluster_stream([Glyph(ch, float(i), 0.0, float(i) + 1.0, 10.0, 8.0, 10.0, "F", False)
                             for i, ch in enumerate(visual)])
    if runs:
        glyphs = merge_runs(glyphs)
    return VisualLine(glyphs, 0.0, 0.0, float(len(visual)), 10.0, 10.0, False)


@settings(max_examples=300, deadline=None)
@given(sentence(), st.booleans())
def test_shaped_visual_round_trip(logical, runs):
    line = repair_line(draw_visual(logical, runs), page=1)
    assert line.text == unicodedata.normalize("NFC", logical)
    assert line.rtl


def _draw(texts_and_boxes):
    """Glyphs from (text, x0, x1) in stream order on one baseline."""
    return [Glyph(t, x0, 0.0, x1, 10.0, 8.0, 10.0, "F", False) for t, x0, x1 in texts_and_boxes]


@pytest.mark.parametrize("leftward", [False, True])
def test_runs_read_the_same_as_letters(leftward):
    # «سابقه‌ای» drawn left to right (visual) or right to left (logical), the
    # ZWNJ emitted out of turn after the «ه» it precedes, as LibreOffice does:
    # it sits at the join of «ا» and «ه», inside the run of letters around it.
    boxes = [("ی", 0, 9), ("ا", 9, 12), ("ه", 12, 18), ("\u200c", 12, 12), ("ق", 18, 24),
             ("ب", 24, 27), ("ا", 27, 30), ("س", 30, 38)]
    if leftward:
        boxes = [b for b in boxes if b[0] != "\u200c"][::-1]
        boxes.insert(4, ("\u200c", 12, 12))  # after «ا»: still out of turn for its place
    glyphs = merge_runs(cluster_stream(_draw(boxes)))
    assert any(g.n > 1 for g in glyphs)
    (line,) = build_lines(glyphs)
    assert repair_line(line, page=1).text == "سابقه\u200cای"
    plain = build_lines(cluster_stream(_draw(boxes)))[0]
    assert repair_line(plain, page=1).text == "سابقه\u200cای"


def test_runs_keep_glyph_weights():
    # a bold Arabic run of 12 letters and 5 plain Latin letters: the line is bold
    # and right-to-left because letters, not boxes, are counted
    glyphs = [Glyph(c, 100 - 5 * i - 5, 0, 100 - 5 * i, 10, 8, 10, "B", True) for i, c in enumerate("المنبرللدراس")]
    glyphs += [Glyph(" ", 30, 0, 35, 10, 8, 10, "F", False)]
    glyphs += [Glyph(c, 5 * i, 0, 5 * i + 5, 10, 8, 10, "F", False) for i, c in enumerate("www.x")]
    runs = merge_runs(cluster_stream(glyphs))
    assert len(runs) < len(glyphs)
    (line,) = build_lines(runs)
    assert line.bold
    out = repair_line(line, page=1)
    assert out.rtl and out.text == "المنبرللدراس www.x"


@pytest.mark.parametrize("logical", [
    "قال في 2 حزيران/ يونيو: \"بأن أي نص\".",
    "الاتفاق النووي (JCPOA) في عام 2024 بنسبة 3.5% و«الله» لا إله إلا الله ١٢٣٤.",
    "مؤتمر COP29 في باكو.",
    "ارتفع التضخم إلى ٪١٢ في ٢٠٢٤؟",
    "في 02 آذار / مارس من العام الجاري.",
])
def test_known_lines(logical):
    assert repair_line(draw_visual(logical), page=1).text == logical


def test_lam_alef_cluster_is_never_split():
    # Word draws «خلال» as خ, a lam-alef glyph mapped to «لا», and a final lam,
    # left to right: ل [لا] خ. The two-letter glyph keeps its inner order.
    assert visual_to_logical(["ل", "لا", "خ"])[0] == "خلال"


def test_latin_line_untouched():
    assert visual_to_logical(list("ALMANBAR CENTER 2025"))[0] == "ALMANBAR CENTER 2025"


def test_arabic_inside_latin_line():
    vis = list("Jeremy is ") + list("يمرج")[::-1][::-1] + list(" in Arabic")
    # the Arabic word is drawn reversed inside a left-to-right line
    assert visual_to_logical(vis)[0] == "Jeremy is جرمي in Arabic"


def test_presentation_forms_and_marks():
    assert fix_presentation_forms("\ufefb")[0] == "لا"
    assert fix_presentation_forms("\ufef7")[0] == "لأ"
    assert fix_presentation_forms("\ufdf2")[0] == "الله"
    # the isolated shadda-fatha form decomposes with a leading space: dropped
    assert fix_presentation_forms("\ufe91\ufc60")[0] == "ب\u064e\u0651"
    assert fix_presentation_forms("\ufe91\ufe7c")[0] == "ب\u0651"


def test_persian_forms_keep_persian_letters():
    # Farsi yeh and keheh forms stay Persian letters; ZWNJ is kept
    text, _ = fix_presentation_forms("\ufbfe\ufb90\u200c")
    assert text == "\u06cc\u06a9\u200c"


def test_space_before_mark():
    assert fix_space_before_mark("الجانب ّين")[0] == "الجانبّين"


def test_fix_and_explain_counts():
    text, how = fix_and_explain("\u200fﺍﻟﻜﺘـــﺎﺏ\u202c")
    assert text == "الكتاب"
    assert how == {"bidi_controls": 2, "presentation_forms": 6, "tatweel": 3}


AMIRI = "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"


def test_logical_order_text_layer_is_turned_round(tmp_path):
    """An OCR-style layer: each word placed right to left, but its letters drawn
    left to right in logical order (invisible text, unshaped). Geometry alone
    reads every word backwards; the function-word check turns them round."""
    import pymupdf

    import pdfclean

    words = "قال الوزير في مؤتمر صحفي إن الحكومة التي تشكلت من ذلك الائتلاف لن تتراجع عن هذا القرار".split()
    doc = pymupdf.open()
    page = doc.new_page()
    font = pymupdf.Font(fontfile=AMIRI)
    x = 580.0
    for w in words:
        width = font.text_length(w, fontsize=10)
        x -= width
        page.insert_text((x, 100), w, fontsize=10, fontname="amiri", fontfile=AMIRI, render_mode=3)
        x -= 4.0
    pdf = tmp_path / "ocr-layer.pdf"
    doc.save(pdf)
    out = pdfclean.extract(pdf)
    assert out.text == " ".join(words)
    assert out.repairs["reversed_words"] == 1
    assert out.to_dict()["pages"][0]["reversed_word_rate"] == 0.0


def test_lam_alef_text_fix_is_applied():
    from pdfclean.script import fix_text

    assert fix_text("اإلنتاجية واألمن االتفاق") == "الإنتاجية والأمن الاتفاق"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab ك\u0640\u00a0\u200f\u0651\u064bﻻﺍاإلة\ufbfd\x07\t\n")
                                + ["و ", "Python", "e\u0301"]), max_size=12).map("".join))
def test_fix_text_shortcut_changes_nothing(text):
    # fix_text skips lines none of the fixes could change: same result as running them all
    from collections import Counter

    from pdfclean.script import FIXES, fix_text

    slow, counts = text, Counter()
    for name, fn in FIXES:
        slow, n = fn(slow)
        if n:
            counts[name] += n
    if unicodedata.normalize("NFC", slow) != slow:
        counts["nfc"] += 1
    got = Counter()
    assert fix_text(text, got) == unicodedata.normalize("NFC", slow)
    assert got == counts


def test_a_percent_sign_follows_its_number_whichever_side_it_is_drawn():
    from pdfclean.script import visual_to_logical

    # mid-line (an Arabic number: the sign drawn on its left) and at the start of a
    # line a producer reordered line by line (a European number: on its right)
    assert visual_to_logical(list("زواجت %60 ةبسنب"))[0] == "بنسبة 60% تجاوز"
    assert visual_to_logical(list("فيفخت لباقم 60%"))[0] == "60% مقابل تخفيف"
    assert visual_to_logical(list("ةبسن ٣٪"))[0] == "٪٣ نسبة"  # Arabic-Indic digits: as drawn
    assert visual_to_logical(list("ةبسن ۳٪"))[0] == "۳٪ نسبة"  # Persian digits are European ones
    # a sign between two numbers is not taken from one to give to the other
    assert visual_to_logical(list("نيب 22%17"))[0] == "17%22 بين"


def test_a_page_that_cannot_tell_where_marks_go_follows_the_document():
    from collections import Counter

    def G(t, x0, x1):
        return Glyph(t, x0, 0, x1, 12, 10, 12)

    def tie_page():  # drawn left to right: «حّ» then «ص» — or «ح» then «صّ»?
        return [G("ح", 10, 20), G("\u0651", 15, 15), G("ص", 20, 30)]

    alone = cluster_stream(tie_page())
    assert [g.text for g in alone] == ["ح", "ص\u0651"]  # no other evidence: the mark before its letter
    habit = Counter()
    # an earlier page that can tell: a mark after a letter and before a space goes to the letter
    told = cluster_stream([G("ب", 0, 5), G("\u0651", 2.5, 2.5), G(" ", 5, 8), G("ت", 8, 12)], habit=habit)
    assert [g.text for g in told][0] == "ب\u0651" and habit == Counter(prev=1)
    assert [g.text for g in cluster_stream(tie_page(), habit=habit)] == ["ح\u0651", "ص"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="لاـﻻﷲ \t\u2009\u00a0\u0651\u064eبمن", max_size=24))
def test_fix_text_is_idempotent(text):
    from pdfclean.script import fix_text

    once = fix_text(text)
    assert fix_text(once) == once


def test_fixes_in_an_order_that_needs_one_pass():
    from pdfclean.script import fix_text

    assert fix_text("ﻻـﷲ") == fix_text(fix_text("ﻻـﷲ"))
    assert fix_text("الجانب\u2009\u0651ين") == "الجانبّين"


def _every_fix(text: str, repairs: Counter, delta: Counter) -> str:
    """fix_text as it was written first: every fix in turn, on any text that may need one."""
    from pdfclean.model import ink
    from pdfclean.script import FIXES, _needs_fixes

    if _needs_fixes(text):
        for name, fn in FIXES:
            new, n = fn(text)
            if n:
                repairs[name] += n
                if d := ink(new) - ink(text):
                    delta[name] += d
            text = new
    if unicodedata.is_normalized("NFC", text):
        return text
    nfc = unicodedata.normalize("NFC", text)
    repairs["nfc"] += 1
    delta["nfc"] += ink(nfc) - ink(text)
    return nfc


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ابلكوفت ًّ\u0640\u00a0\t\u200f\x00ﻻﺍﻟﷲﯼﯾ\ufb01aP1  ", max_size=24))
def test_fix_text_stops_where_nothing_is_left_to_fix(text):
    from pdfclean.script import fix_presentation_forms, _PRES

    a, b, c, d = Counter(), Counter(), Counter(), Counter()
    assert (fix_text(text, a, b), a, b) == (_every_fix(text, c, d), c, d)
    assert fix_presentation_forms(text)[1] == len(_PRES.findall(text))
