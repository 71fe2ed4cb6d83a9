"""Build small test PDFs with page layouts the samples do not cover.

Text is drawn the legacy way (arabic-reshaper + python-bidi, through
``samples/generate.py``'s :class:`LegacyArabic`), at positions given from the
top of the page, so a test can place columns, footnotes and headers exactly.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from generate import LegacyArabic  # noqa: E402

_LEGACY: LegacyArabic | None = None


def legacy() -> LegacyArabic:
    global _LEGACY
    if _LEGACY is None:
        _LEGACY = LegacyArabic()
    return _LEGACY


class Pdf:
    def __init__(self, path: Path, width: float = 595.0, height: float = 842.0):
        from reportlab.pdfgen import canvas

        self.path, self.width, self.height = path, width, height
        self.c = canvas.Canvas(str(path), pagesize=(width, height), invariant=1)
        self.la = legacy()

    def line(self, text: str, x0: float, x1: float, y: float, size: float = 12, bold: bool = False,
             align: str = "right", family: str = "Amiri") -> None:
        """One line; ``y`` is the baseline, measured from the top of the page."""
        font = self.la.font_name(family, bold)
        fallback = self.la.font_name("Noto Serif", bold)
        self.la.draw_line(self.c, text, x0, x1, self.height - y, font, fallback, size, align)

    def para(self, text: str, x0: float, x1: float, y: float, size: float = 12, lead: float = 1.6,
             indent: float = 18.0, bold: bool = False, family: str = "Amiri") -> float:
        """A justified right-to-left paragraph with a first-line indent; returns the next y."""
        font = self.la.font_name(family, bold)
        fallback = self.la.font_name("Noto Serif", bold)
        width = x1 - x0
        lines = self.la.wrap(text, font, fallback, size, width - indent, width)
        for i, ln in enumerate(lines):
            last = i == len(lines) - 1
            right = x1 - (indent if i == 0 else 0)
            self.la.draw_line(self.c, ln, x0, right, self.height - y, font, fallback, size,
                              "right" if last else "justify")
            y += size * lead
        return y

    def page(self) -> None:
        self.c.showPage()

    def save(self) -> Path:
        self.c.save()
        return self.path


TWO_COLUMN_TITLE = "الإصلاح الاقتصادي في العراق: الفرص والعقبات"


def two_columns(path: Path) -> Path:
    """A title over both columns, then two paragraphs in each (right column: PARAS[0:2])."""
    pdf = Pdf(path)
    pdf.line(TWO_COLUMN_TITLE, 60, 535, 80, size=16, bold=True)
    y = pdf.para(PARAS[0], 310, 535, 120, size=11)
    pdf.para(PARAS[1], 310, 535, y + 8, size=11)
    y = pdf.para(PARAS[2], 60, 285, 120, size=11)
    pdf.para(PARAS[3], 60, 285, y + 8, size=11)
    return pdf.save()


PARAS = [
    "تواجه المنطقة تحديات اقتصادية كبيرة في ظل تراجع أسعار النفط وارتفاع معدلات التضخم، وهو ما يفرض "
    "على الحكومات مراجعة سياساتها المالية والبحث عن مصادر جديدة للإيرادات بعيداً عن الاعتماد الكامل على الريع.",
    "ويرى عدد من الخبراء أن الإصلاح الحقيقي يبدأ من تحسين بيئة الأعمال وتشجيع القطاع الخاص على الاستثمار "
    "في الزراعة والصناعة، إلى جانب تطوير التعليم المهني الذي يمدّ السوق بالمهارات المطلوبة.",
    "كما أن مكافحة الفساد الإداري تبقى شرطاً أساسياً لنجاح أي خطة تنموية، إذ لا يمكن جذب المستثمرين "
    "في بيئة تفتقر إلى الشفافية وسيادة القانون وحماية الملكية.",
    "وفي المحصلة، فإن الطريق إلى اقتصاد متنوّع طويل وشاق، لكنه الطريق الوحيد الذي يضمن استقرار البلاد "
    "على المدى البعيد ويحمي الأجيال القادمة من تقلبات الأسواق العالمية.",
    "ولا بد من الإشارة إلى أن التجارب الإقليمية الناجحة اعتمدت على رؤية واضحة وخطط زمنية محددة "
    "ومؤسسات قادرة على التنفيذ والمتابعة والتقويم المستمر للنتائج.",
    "وأخيراً فإن مشاركة المجتمع المدني والجامعات في صياغة السياسات العامة تمنحها قدراً أكبر من "
    "القبول والاستدامة، وتحول دون ارتجال القرارات.",
]
