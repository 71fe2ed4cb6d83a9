#!/usr/bin/env python3
"""Render the sample articles to PDF with three different producers.

For every article in samples/articles/ and every producer this writes

    <out>/<slug>-<producer>.pdf          the rendered document
    <out>/<slug>-<producer>.truth.json   what a perfect extraction returns

Producers (see samples/README.md):

* libreoffice - a .docx built with python-docx (RTL paragraphs, header and
  footer with a PAGE field, different first page), converted by soffice.
* reportlab   - the "legacy" kind: the logical text is wrapped by shaped width,
  then every line is shaped with arabic_reshaper and put in visual order with
  python-bidi and drawn left to right (justified with word spacing), so the
  text layer holds presentation forms in visual order.
* chromium    - HTML (dir="rtl") printed by headless Chromium via Playwright
  with header and footer templates; the cover is printed separately without
  them and swapped in with pymupdf.

Usage:  python samples/generate.py [--out samples/pdfs]
            [--producer libreoffice|reportlab|chromium|all] [--article SLUG]
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
ARTICLES_DIR = HERE / "articles"
CENTRE_FILE = HERE / "centre.json"
PRODUCERS = ("libreoffice", "reportlab", "chromium", "libreoffice-kashida", "weasyprint", "typst",
             "ghostscript", "overprint")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FONTS = ("Amiri", "Noto Naskh Arabic", "Nazli", "Noto Serif")   # its @font-face rules
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

# family -> (regular, bold) font files (KacstBook has no bold: the regular face is used)
FONT_FILES = {
    "Amiri": ("/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf",
              "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Bold.ttf"),
    "Noto Naskh Arabic": ("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
                          "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf"),
    "Nazli": ("/usr/share/fonts/truetype/farsiweb/nazli.ttf",
              "/usr/share/fonts/truetype/farsiweb/nazlib.ttf"),
    "Noto Serif": ("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
                   "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"),
    "Noto Sans Arabic": ("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
                         "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf"),
    "Noto Sans": ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                  "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    "KacstBook": ("/usr/share/fonts/truetype/kacst/KacstBook.ttf",
                  "/usr/share/fonts/truetype/kacst/KacstBook.ttf"),
}
FONT_DIRS = ["/usr/share/fonts/opentype/fonts-hosny-amiri", "/usr/share/fonts/truetype/noto",
             "/usr/share/fonts/truetype/farsiweb", "/usr/share/fonts/truetype/kacst"]
BODY_FONTS = ("Amiri", "Noto Naskh Arabic")
# Body fonts per producer, taken in turn per article (offset by the producer's index).
# The first three keep the fonts they always had.
PRODUCER_FONTS = {
    "libreoffice": BODY_FONTS, "reportlab": BODY_FONTS, "chromium": BODY_FONTS,
    # LibreOffice justifies Arabic with kashida in both Noto fonts
    "libreoffice-kashida": ("Noto Naskh Arabic", "Noto Sans Arabic"),
    "weasyprint": ("Noto Sans Arabic", "KacstBook", "Amiri"),
    "typst": ("KacstBook", "Amiri", "Noto Sans Arabic", "Noto Naskh Arabic"),
    "ghostscript": BODY_FONTS,          # re-distils the libreoffice PDF: same fonts
    "overprint": ("Amiri", "KacstBook"),
}
# Noto Naskh/Sans Arabic and KacstBook have no Latin letters, %, “”, – or • (KacstBook
# not even digits or «»): those come from Noto Serif / Noto Sans.
LATIN_FONT = {"Amiri": "Amiri", "Noto Naskh Arabic": "Noto Serif",
              "Noto Sans Arabic": "Noto Sans", "KacstBook": "Noto Sans"}
RUNNING_TITLE_FONT = {"fa": "Nazli", "en": "Noto Serif"}
# the producers that render a sample set of their own, and the articles they render
OVERPRINT_ARTICLES = ("iraq-water-cop29", "iaea-nuclear-file", "iraq-oil-inflation")

A4_MM = (210, 297)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# --------------------------------------------------------------------------
# Shared layout data
# --------------------------------------------------------------------------

@dataclass
class Job:
    """One article rendered by one producer."""
    article: dict
    centre: dict
    producer: str
    body_font: str
    out_pdf: Path
    # layout tweaks, varied until enough paragraphs straddle page breaks (see TWEAKS)
    bottom_lines: int = 0      # the bottom margin grows by this many body lines
    size_delta: float = 0.0    # added to the body text size, pt
    quirks: dict | None = None  # overprint: what is drawn twice where (copied to the truth)

    def bottom_extra(self) -> float:
        """Extra bottom margin in pt (whole body lines, to move page breaks)."""
        return round(self.bottom_lines * body_size(self) * 1.6, 1)

    @property
    def slug(self) -> str:
        return self.article["slug"]

    @property
    def latin_font(self) -> str:
        return LATIN_FONT[self.body_font]

    @property
    def rt_font(self) -> str:
        return RUNNING_TITLE_FONT[self.article["running_title_lang"]]

    @property
    def cover(self) -> str:
        """"full" (cover page), "none" (the article starts on page 1) or "no_title"."""
        return self.article.get("cover", "full")

    @property
    def head_gap(self) -> bool:
        """False when the first body block follows the source line at body spacing."""
        return self.article.get("head_gap", "normal") != "none"

    @property
    def first_article_page(self) -> int:
        return 1 if self.cover == "none" else 2


def body_size(job: Job) -> float:
    """Body text size in pt: long articles are set smaller, Noto Naskh runs larger than Amiri."""
    words = sum(len(b["text"].split()) for b in job.article["blocks"])
    size = 11.5 if words > 1500 else 13
    return (size if job.body_font in ("Amiri", "KacstBook") else size - 1) + job.size_delta


def load_centre() -> dict:
    return json.loads(CENTRE_FILE.read_text(encoding="utf-8"))


def load_articles(folder: Path = ARTICLES_DIR) -> list[dict]:
    articles = [json.loads(p.read_text(encoding="utf-8"))
                for p in sorted(Path(folder).glob("*.json"))]
    for a in articles:
        check_article(a)
    return articles


def check_article(a: dict) -> None:
    """The generator never alters text, so the inputs must already be clean."""
    texts = [a["title"], a["author"], a["source"], a["published_text"], a["running_title"]]
    texts += [b["text"] for b in a["blocks"]]
    for t in texts:
        assert unicodedata.is_normalized("NFC", t), (a["slug"], t[:40])
        assert "\u0640" not in t, (a["slug"], "tatweel", t[:40])
        assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]", t), (a["slug"], t[:40])
        assert t == t.strip() and "  " not in t and "\n" not in t, (a["slug"], t[:40])
    assert {b["type"] for b in a["blocks"]} <= {"heading", "paragraph", "list_item", "quote"}
    assert a.get("cover", "full") in ("full", "none", "no_title"), (a["slug"], a.get("cover"))
    assert a.get("head_gap", "normal") in ("normal", "none"), (a["slug"], a.get("head_gap"))
    assert a["running_title_lang"] in RUNNING_TITLE_FONT, (a["slug"], a["running_title_lang"])


def author_line(a: dict) -> str:
    return f"الكاتب: {a['author']}"


def source_line(a: dict, final_stop: bool = False) -> str:
    """The cover line has no final full stop, the first article page has one (as in the centre's PDFs)."""
    line = f"المصدر: {a['source']}، نُشر بتاريخ {a['published_text']}"
    return line + "." if final_stop else line


def front_matter(c: dict) -> list[str]:
    """Cover texts other than the title/author/source lines, in reading order."""
    return [c["name_ar"], c["name_en"], c["about_heading"], c["about"],
            c["disclaimer"], c["copyright"], c["url"], c["email"]]


def list_marker(a: dict, n: int) -> str:
    """Marker of the n-th (1-based) item of a list."""
    m = a.get("list_marker") or "•"
    if m == "•":
        return "•"
    if m == "١.":
        return str(n).translate(ARABIC_INDIC) + "."
    return f"{n}."


def numbered_blocks(a: dict):
    """Yield (block, marker or None); list numbering restarts after any non-list block."""
    n = 0
    for b in a["blocks"]:
        if b["type"] == "list_item":
            n += 1
            yield b, list_marker(a, n)
        else:
            n = 0
            yield b, None


def site(c: dict) -> str:
    return c["url"].split("://", 1)[-1]


# Header/footer pieces per producer ------------------------------------------

# producers that share another's header/footer pieces
FURNITURE_OF = {"libreoffice-kashida": "libreoffice", "ghostscript": "libreoffice",
                "overprint": "reportlab"}


def page_number_text(producer: str, n: int) -> str:
    producer = FURNITURE_OF.get(producer, producer)
    if producer == "libreoffice":
        return f"صفحة {n}"
    if producer in ("reportlab", "typst"):
        return str(n).translate(ARABIC_INDIC)
    return str(n)


def footer_pieces(producer: str, c: dict) -> list[tuple[str, str]]:
    producer = FURNITURE_OF.get(producer, producer)
    if producer == "libreoffice":
        return [("footer", f"{c['name_ar']} | {site(c)}")]
    if producer == "reportlab":
        return [("footer", c["name_ar"]), ("footer", site(c))]
    if producer == "weasyprint":
        return [("footer", c["name_ar"])]
    if producer == "typst":
        return [("footer", c["name_ar"])]
    return [("footer", c["name_ar"]), ("branding", c["name_en"])]


def furniture(job: Job, pages: int) -> list[dict]:
    """Every header/footer piece drawn, page by page (a cover page has none)."""
    out = []
    for p in range(job.first_article_page, pages + 1):
        out.append({"kind": "running_title", "page": p, "text": job.article["running_title"]})
        out.append({"kind": "page_number", "page": p, "number": p,
                    "text": page_number_text(job.producer, p)})
        for kind, text in footer_pieces(job.producer, job.centre):
            out.append({"kind": kind, "page": p, "text": text})
    return out


def truth(job: Job, pages: int) -> dict:
    a, c = job.article, job.centre
    out = {
        "file": job.out_pdf.name,
        "producer": job.producer,
        "article": a["slug"],
        "pages": pages,
        "metadata": {
            "title": a["title"], "author": a["author"], "source": a["source"],
            "published": a["published"], "published_text": a["published_text"],
            "publisher": c["name_ar"], "language": "ar",
        },
        "front_matter": [] if job.cover == "none" else front_matter(c),
        "blocks": [{"type": b["type"], "text": b["text"]} for b in a["blocks"]],
        "furniture": furniture(job, pages),
        "fonts": {"body": job.body_font, "latin": job.latin_font, "running_title": job.rt_font},
        "split_blocks": split_blocks(job.out_pdf, a, job.first_article_page),
    }
    if job.quirks:
        out["quirks"] = job.quirks
    return out


def pdf_date(a: dict) -> str:
    return "D:" + a["published"].replace("-", "") + "120000Z"


def finalize_pdf(job: Job, doc: pymupdf.Document, drop_xmp: bool = False) -> None:
    """Fixed metadata, dates and file ID, so that reruns give the same bytes where the tool allows."""
    a = job.article
    meta = dict(doc.metadata or {})
    meta.update({"title": a["title"], "author": a["author"], "subject": a["source"],
                 "keywords": "", "creationDate": pdf_date(a), "modDate": pdf_date(a)})
    meta = {k: v for k, v in meta.items() if k not in ("format", "encryption", "trapped")}
    doc.set_metadata(meta)
    h = hashlib.md5(f"{a['slug']}-{job.producer}".encode()).hexdigest()
    doc.xref_set_key(-1, "ID", f"[<{h}><{h}>]")
    if drop_xmp:                 # an XMP packet with the render time and a random UUID
        doc.del_xml_metadata()
    tmp = job.out_pdf.with_suffix(".tmp.pdf")
    doc.save(tmp, garbage=3, deflate=True, no_new_id=True)
    doc.close()
    tmp.replace(job.out_pdf)


def _norm_words(text: str) -> set[str]:
    """Comparable word forms: NFKC (folds presentation forms), no marks, plain alef; both orders."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Mn")
    t = re.sub("[أإآ]", "ا", t)
    words = re.findall("[\u0621-\u06ff]{3,}|[A-Za-z]{3,}", t)
    return set(words) | {w[::-1] for w in words}


def split_blocks(pdf: Path, article: dict, first_page: int = 2) -> list[int]:
    """Indexes of blocks that run on from one page to the next.

    Compares the last body line of each article page with the first body line of the
    next page (header/footer bands excluded): both matching the same block means the
    block was broken across the page boundary."""
    block_words = [_norm_words(b["text"]) for b in article["blocks"]]

    def block_of(words: set[str]):
        scores = sorted(((len(words & bw), i) for i, bw in enumerate(block_words)), reverse=True)
        if scores[0][0] >= 2 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
            return scores[0][1]
        return None

    def edge_line(page, bottom: bool) -> set[str]:
        h = page.rect.height
        words = [w for w in page.get_text("words") if w[1] >= 60 and w[3] <= h - 55]
        if not words:
            return set()
        if bottom:
            y = max(w[3] for w in words)
            line = [w[4] for w in words if w[3] > y - 4]
        else:
            y = min(w[1] for w in words)
            line = [w[4] for w in words if w[1] < y + 4]
        return _norm_words(" ".join(line))

    out = []
    with pymupdf.open(pdf) as doc:
        for p in range(first_page - 1, doc.page_count - 1):
            a = block_of(edge_line(doc[p], bottom=True))
            if a is not None and a == block_of(edge_line(doc[p + 1], bottom=False)):
                out.append(a)
    return out


# --------------------------------------------------------------------------
# LibreOffice: python-docx -> soffice --convert-to pdf
# --------------------------------------------------------------------------

def render_libreoffice(job: Job, work: Path) -> None:
    docx_path = libreoffice_docx(job, work, job.out_pdf.stem)
    soffice_convert(work, [docx_path])
    finalize_pdf(job, pymupdf.open(docx_path.with_suffix(".pdf")))


# a LibreOffice profile per worker process, kept across its tasks (creating one takes seconds)
_lo_profile: Path | None = None


SOFFICE_ATTEMPTS = 3


def soffice_convert(work: Path, docx_paths: list[Path]) -> None:
    """Convert .docx files to PDF in `work`, with one soffice run (its start-up is the slow part).

    Headless LibreOffice now and then exits 1 with no PDF and nothing said (seen on a
    loaded 2-core machine, its profile already made): a conversion that did not give
    every PDF is tried again, for the files still missing, up to SOFFICE_ATTEMPTS
    times, each retry said on stderr; then it fails with soffice's own output."""
    profile = _lo_profile or work / "lo-profile"
    todo = list(docx_paths)

    def pdf_of(d: Path) -> Path:
        return work / f"{d.stem}.pdf"  # (where --outdir puts it)

    for d in todo:  # (a PDF left from an earlier conversion must not pass for this one)
        pdf_of(d).unlink(missing_ok=True)
    for attempt in range(1, SOFFICE_ATTEMPTS + 1):
        cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work)] + [str(d) for d in todo]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + 30 * len(todo))
            said = f"exit {r.returncode}: {(r.stderr + r.stdout).strip()[-600:]}"
        except subprocess.TimeoutExpired as e:
            said = f"no answer in {e.timeout:.0f} s"
        todo = [d for d in todo if not pdf_of(d).exists()]
        if not todo:
            return
        print(f"soffice attempt {attempt}/{SOFFICE_ATTEMPTS}: {len(todo)} PDF(s) missing "
              f"({todo[0].name}…; {said})", file=sys.stderr)
        time.sleep(attempt)
    raise RuntimeError(f"soffice did not convert {', '.join(d.name for d in todo)} "
                       f"in {SOFFICE_ATTEMPTS} attempts ({said})")


def libreoffice_docx(job: Job, work: Path, stem: str) -> Path:
    """Build the job's .docx as work/<stem>.docx."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    a, c = job.article, job.centre
    body, latin = job.body_font, job.latin_font

    def el(tag, **attrs):
        e = OxmlElement(tag)
        for k, v in attrs.items():
            e.set(qn(k), str(v))
        return e

    def para(container, align=None, size=12, before=0, after=6, first_indent=None,
             right_indent=None, keep_next=False, page_break=False, line=None):
        p = container.add_paragraph()
        pf = p.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.line_spacing = line or 1.0
        pf.widow_control = True
        pf.keep_with_next = keep_next
        pf.page_break_before = page_break
        if first_indent is not None:
            pf.first_line_indent = Pt(first_indent)
        if right_indent is not None:
            pf.right_indent = Pt(right_indent)    # physical right = start of an RTL line
        ppr = p._p.get_or_add_pPr()
        ppr.insert_element_before(el("w:bidi"), "w:adjustRightInd", "w:snapToGrid", "w:spacing",
                                  "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:jc",
                                  "w:textDirection", "w:textAlignment", "w:outlineLvl", "w:rPr")
        if align:                                 # none = start of the line, i.e. right
            jc = ppr.find(qn("w:jc"))
            if jc is None:
                jc = el("w:jc")
                ppr.append(jc)
            jc.set(qn("w:val"), align)
        return p

    def run(p, text, size=12, bold=False, font=None, latin_font=None, lang="ar-IQ"):
        r = p.add_run(text)
        rpr = r._r.get_or_add_rPr()
        for child in list(rpr):
            rpr.remove(child)
        f, lf = font or body, latin_font or latin
        rpr.append(el("w:rFonts", **{"w:ascii": lf, "w:hAnsi": lf, "w:eastAsia": lf, "w:cs": f}))
        if bold:
            rpr.append(el("w:b"))
            rpr.append(el("w:bCs"))
        rpr.append(el("w:sz", **{"w:val": int(size * 2)}))
        rpr.append(el("w:szCs", **{"w:val": int(size * 2)}))
        rpr.append(el("w:rtl"))
        rpr.append(el("w:lang", **{"w:val": "en-US", "w:bidi": lang}))
        return r

    def page_field(p, size):
        for kind in ("begin", None, "separate", "2", "end"):
            r = run(p, "", size=size)
            if kind is None:
                instr = el("w:instrText")
                instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                instr.text = " PAGE "
                r._r.append(instr)
            elif kind == "2":
                r.text = "2"
            else:
                r._r.append(el("w:fldChar", **{"w:fldCharType": kind}))

    doc = Document()
    cp = doc.core_properties
    cp.title, cp.author, cp.subject = a["title"], a["author"], a["source"]
    cp.language, cp.keywords, cp.comments = "ar-IQ", "", ""
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    sec.top_margin, sec.bottom_margin = Mm(25), Mm(22) + Pt(job.bottom_extra())
    sec.left_margin = sec.right_margin = Mm(22)
    sec.header_distance, sec.footer_distance = Mm(11), Mm(10)
    # cover: empty first-page header/footer
    sec.different_first_page_header_footer = job.cover != "none"
    text_width = Mm(A4_MM[0] - 44)
    # the section is RTL too (page numbering, columns)
    sec._sectPr.append(el("w:bidi"))

    # header: running title at the right, "صفحة N" at the left (end tab)
    hp = sec.header.paragraphs[0]
    sec.header.paragraphs[0]._p.getparent().remove(hp._p)
    hp = para(sec.header, size=9, after=0)
    hp.paragraph_format.tab_stops.add_tab_stop(text_width - Mm(0.5), WD_TAB_ALIGNMENT.END)
    lang_rt = "fa-IR" if a["running_title_lang"] == "fa" else "en-US"
    run(hp, a["running_title"], size=10, font=job.rt_font, latin_font=job.rt_font, lang=lang_rt)
    run(hp, "\t", size=10)
    run(hp, "صفحة ", size=10)
    page_field(hp, 10)
    ppr = hp._p.get_or_add_pPr()
    bdr = el("w:pBdr")
    bdr.append(el("w:bottom", **{"w:val": "single", "w:sz": 4, "w:space": 4, "w:color": "808080"}))
    ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:bidi")

    fp = sec.footer.paragraphs[0]
    fp._p.getparent().remove(fp._p)
    (kind, ftext), = footer_pieces("libreoffice", c)
    fp = para(sec.footer, align="center", after=0)
    run(fp, ftext, size=9)

    # LibreOffice justifies Arabic with kashidas where the font allows it, and with
    # Noto Naskh Arabic those show up as stray characters in the text layer: set
    # those documents ragged (start-aligned) instead of justified.
    # The libreoffice-kashida producer wants exactly that: justified in any font.
    justify = "both" if body == "Amiri" or job.producer == "libreoffice-kashida" else None

    # cover ---------------------------------------------------------------
    if job.cover != "none":
        run(para(doc, align="center", before=30, after=4), c["name_ar"], size=22, bold=True)
        run(para(doc, align="center", after=40), c["name_en"], size=12, bold=True)
        if job.cover != "no_title":
            run(para(doc, align="center", after=14, line=1.15), a["title"], size=20, bold=True)
        run(para(doc, align="center", after=4), author_line(a), size=14)
        run(para(doc, align="center", after=50), source_line(a), size=14)
        run(para(doc, align="center", after=8), c["about_heading"], size=15, bold=True)
        run(para(doc, align=justify, after=14, line=1.15), c["about"], size=12)
        run(para(doc, align="center", after=6), c["disclaimer"], size=11)
        run(para(doc, align="center", after=24), c["copyright"], size=11)
        run(para(doc, align="center", after=2), c["url"], size=11)
        run(para(doc, align="center", after=0), c["email"], size=11)

    # article -------------------------------------------------------------
    size = body_size(job)
    run(para(doc, page_break=job.cover != "none", after=6, keep_next=True), a["title"], size=18, bold=True)
    run(para(doc, after=0, keep_next=True), author_line(a), size=size + 1)
    run(para(doc, after=14 if job.head_gap else 6, keep_next=job.head_gap),
        source_line(a, final_stop=True), size=size + 1)
    for i, (b, marker) in enumerate(numbered_blocks(a)):
        t = b["type"]
        if t == "heading":
            run(para(doc, before=10, after=4, keep_next=True), b["text"], size=size + 2, bold=True)
        elif t == "list_item":
            p = para(doc, align=justify, after=3, right_indent=14, first_indent=-14)
            p.paragraph_format.tab_stops.add_tab_stop(Pt(14))
            run(p, f"{marker}\t{b['text']}", size=size)
        elif t == "quote":
            p = para(doc, align=justify, after=8, right_indent=28)
            p.paragraph_format.left_indent = Pt(28)
            run(p, b["text"], size=size, bold=True)
        else:
            indent = 0 if (i == 0 and not job.head_gap) else 18
            run(para(doc, align=justify, after=6, first_indent=indent), b["text"], size=size)

    docx_path = work / f"{stem}.docx"
    doc.save(docx_path)
    return docx_path


# --------------------------------------------------------------------------
# ReportLab: legacy visual-order presentation forms, own line breaking
# --------------------------------------------------------------------------

def glyph_x_extents(path: str):
    """(unitsPerEm, gid -> (xMin, xMax)) read straight from a TrueType font's glyf table."""
    data = Path(path).read_bytes()
    tables = {}
    for i in range(struct.unpack(">H", data[4:6])[0]):
        rec = data[12 + 16 * i: 28 + 16 * i]
        tables[rec[:4].decode("latin-1")] = struct.unpack(">I", rec[8:12])[0]
    head, loca, glyf = tables["head"], tables["loca"], tables["glyf"]
    upem = struct.unpack(">H", data[head + 18: head + 20])[0]
    long_loca = struct.unpack(">h", data[head + 50: head + 52])[0] == 1

    def extents(gid: int) -> tuple[int, int]:
        if long_loca:
            start, end = struct.unpack(">II", data[loca + 4 * gid: loca + 4 * gid + 8])
        else:
            start, end = (2 * v for v in struct.unpack(">HH", data[loca + 2 * gid: loca + 2 * gid + 4]))
        if start == end:
            return 0, 0
        x_min, _, x_max, _ = struct.unpack(">hhhh", data[glyf + start + 2: glyf + start + 10])
        return x_min, x_max

    return upem, extents


class LegacyArabic:
    """Shape + reorder Arabic per line, the way pre-HarfBuzz tools wrote PDFs."""

    RL_NAMES = {"Amiri": "Amiri", "Noto Naskh Arabic": "NotoNaskh", "Nazli": "Nazli",
                "Noto Serif": "NotoSerif", "Noto Sans Arabic": "NotoSansArabic",
                "Noto Sans": "NotoSans", "KacstBook": "KacstBook"}

    def __init__(self):
        from arabic_reshaper import ArabicReshaper
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        self.pdfmetrics = pdfmetrics
        for family, (regular, bold) in FONT_FILES.items():
            name = self.RL_NAMES[family]
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, regular))
                pdfmetrics.registerFont(TTFont(name + "-Bold", bold))
        # keep the harakat; only the obligatory lam-alef ligatures (no ﷲ)
        self.reshaper = ArabicReshaper(configuration={
            "delete_harakat": False, "ARABIC LIGATURE ALLAH": False})
        self._cmap, self._boxes, self._marks = {}, {}, {}

    def font_name(self, family: str, bold: bool = False) -> str:
        return self.RL_NAMES[family] + ("-Bold" if bold else "")

    def has(self, font: str, ch: str) -> bool:
        cmap = self._cmap.get(font)
        if cmap is None:
            cmap = self._cmap[font] = self.pdfmetrics.getFont(font).face.charToGlyph
        return ord(ch) in cmap

    # -- shaping and ordering ------------------------------------------------
    @staticmethod
    def _levels(text: str) -> list[int]:
        """Resolved bidi levels (per character) from python-bidi's debug output."""
        from bidi import get_display
        dbg = get_display(text, base_dir="R", debug=True)
        part = dbg.split("levels: [", 1)[1].split("paragraphs:", 1)[0]
        per_byte = [int(v) for v in re.findall(r"Level\(\s*(\d+),?\s*\)", part)]
        levels, i = [], 0
        for ch in text:
            levels.append(per_byte[i])
            i += len(ch.encode("utf-8"))
        assert i == len(per_byte)
        return levels

    def visual(self, logical: str) -> str:
        """Logical line -> presentation forms in visual (left-to-right) order."""
        from bidi import get_display
        from bidi.mirror import MIRRORED

        shaped = self.reshaper.reshape(logical)
        display = get_display(shaped, base_dir="R")
        # python-bidi 0.6 does not mirror (rule L4): redo rule L2 with its levels to
        # know each character's level, check the order, then mirror RTL brackets.
        levels = self._levels(shaped)
        order = list(range(len(shaped)))
        for lv in range(max(levels), 0, -1):
            i = 0
            while i < len(order):
                if levels[order[i]] >= lv:
                    j = i
                    while j < len(order) and levels[order[j]] >= lv:
                        j += 1
                    order[i:j] = reversed(order[i:j])
                    i = j
                else:
                    i += 1
        assert "".join(shaped[k] for k in order) == display, logical
        out = []
        pending = []     # combining marks come before their base in reversed runs
        for k in order:
            ch = shaped[k]
            if levels[k] % 2:
                ch = MIRRORED.get(ch, ch)
                if unicodedata.category(ch) == "Mn":
                    pending.append(ch)
                    continue
                out.append(ch)
                out.extend(reversed(pending))
                pending = []
            else:
                out.append(ch)
        out.extend(pending)
        return "".join(out)

    # -- measuring and drawing ---------------------------------------------
    def runs(self, text: str, font: str, fallback: str):
        """Split text into (font, chunk): characters missing from `font` use `fallback`."""
        out = []
        for ch in text:
            if unicodedata.category(ch) == "Mn" and out:
                f = out[-1][0]                      # a mark stays with its base
            elif not self.has(font, ch):
                f = fallback
            elif (out and out[-1][0] == fallback and ch != " " and self.has(fallback, ch)
                  and not "\u0600" <= ch <= "\u06ff" and not "\ufb50" <= ch <= "\ufeff"):
                f = fallback                        # digits etc. continuing a Latin run: COP29
            else:
                f = font
            if out and out[-1][0] == f:
                out[-1][1] += ch
            else:
                out.append([f, ch])
        return out

    def width(self, text: str, font: str, fallback: str, size: float) -> float:
        return sum(self.pdfmetrics.stringWidth(t, f, size) for f, t in self.runs(text, font, fallback))

    def mark_centre(self, font: str, ch: str) -> float:
        """Horizontal centre of a mark's outline, in 1/1000 em (from the glyf table)."""
        key = (font, ch)
        if key not in self._marks:
            face = self.pdfmetrics.getFont(font).face
            boxes = self._boxes.get(font)
            if boxes is None:
                boxes = self._boxes[font] = glyph_x_extents(face.filename)
            upem, extents = boxes
            x_min, x_max = extents(face.charToGlyph[ord(ch)])
            self._marks[key] = (x_min + x_max) / 2 * 1000 / upem
        return self._marks[key]

    def draw_line(self, c, logical: str, x0: float, x1: float, y: float, font: str,
                  fallback: str, size: float, align: str = "right", mode: int = 0,
                  dx: float = 0.0, dy: float = 0.0):
        """Draw one line between x0 and x1; align = right | center | left | justify.

        The visual line goes out in one text object, spaces included; justification
        uses word spacing (Tw).  Zero-width marks are placed over the centre of
        their base glyph (there is no GPOS here), stacked when there are two."""
        vis = self.visual(logical)
        natural = self.width(vis, font, fallback, size)
        spaces = vis.count(" ")
        ws = 0.0
        if align == "justify" and spaces:
            ws = (x1 - x0 - natural) / spaces
            x = x0
        elif align == "center":
            x = (x0 + x1 - natural) / 2
        elif align == "left":
            x = x0
        else:
            x = x1 - natural
        x, y = x + dx, y + dy               # (a shadow's offset)
        c.setFont(font, size)               # so the text object does not open in Helvetica
        t = c.beginText(x, y)
        if mode:                            # 1 = stroked (fake bold), 3 = invisible (OCR layer)
            t.setTextRenderMode(mode)
        t.setWordSpace(ws)
        base_x = base_w = 0.0
        stacked = 0
        for f, chunk in self.runs(vis, font, fallback):
            t.setFont(f, size)
            buf = ""
            for ch in chunk:
                if unicodedata.category(ch) != "Mn":
                    w = self.pdfmetrics.stringWidth(ch, f, size) + (ws if ch == " " else 0)
                    base_x, base_w, stacked = x, w, 0
                    buf += ch
                    x += w
                    continue
                if buf:
                    t.textOut(buf)
                    buf = ""
                below = ch in "\u0650\u064d"
                lift = 0 if below else stacked * 0.3 * size
                stacked += 0 if below else 1
                t.setTextOrigin(base_x + base_w / 2 - self.mark_centre(f, ch) * size / 1000, y + lift)
                t.textOut(ch)
                t.setTextOrigin(x, y)
            if buf:
                t.textOut(buf)
        c.drawText(t)

    def wrap(self, logical: str, font: str, fallback: str, size: float,
             first_width: float, width: float) -> list[str]:
        """Greedy line breaking of the LOGICAL text by shaped width."""
        space = self.width(" ", font, fallback, size)
        lines, cur, cur_w = [], [], 0.0
        for word in logical.split(" "):
            w = self.width(self.reshaper.reshape(word), font, fallback, size)
            avail = first_width if not lines else width
            if cur and cur_w + space + w > avail:
                lines.append(" ".join(cur))
                cur, cur_w = [word], w
            else:
                cur_w += (space if cur else 0) + w
                cur.append(word)
        if cur:
            lines.append(" ".join(cur))
        return lines


def render_reportlab(job: Job, work: Path) -> None:
    """The legacy producer; as `overprint` the same layout with text drawn twice (see below)."""
    if job.producer != "overprint":
        _reportlab_pdf(job, job.out_pdf)
        finalize_pdf(job, pymupdf.open(job.out_pdf))
        return
    # overprint: title and headings in fake bold (filled, then stroked on top), the first
    # heading with a grey shadow drawn before it, and the last page an OCR-style scan: an
    # image of the page under the same text in render mode 3 (invisible), each text once.
    first = work / f"{job.out_pdf.stem}.pass1.pdf"
    pages = _reportlab_pdf(job, first)
    with pymupdf.open(first) as d:
        pix = d[pages - 1].get_pixmap(dpi=110, colorspace=pymupdf.csGRAY)
        scan = pix.tobytes("jpeg", jpg_quality=55)
    _reportlab_pdf(job, job.out_pdf, ocr_page=pages)
    doc = pymupdf.open(job.out_pdf)
    doc[pages - 1].insert_image(doc[pages - 1].rect, stream=scan, overlay=False)
    job.quirks = {"fake_bold": "title and headings drawn filled (Tr 0) then stroked (Tr 1)",
                  "shadow_block": next(i for i, b in enumerate(job.article["blocks"])
                                       if b["type"] == "heading"),
                  "ocr_page": pages}
    finalize_pdf(job, doc)


def _reportlab_pdf(job: Job, path: Path, ocr_page: int | None = None) -> int:
    """Draw the document with reportlab; returns the page count."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    a, c = job.article, job.centre
    la = LegacyArabic()
    W, H = A4
    X0, X1 = 56, W - 56                  # text block
    TOP, BOTTOM = H - 78, 70 + job.bottom_extra()
    overprint = job.producer == "overprint"
    body = la.font_name(job.body_font)
    bold = la.font_name(job.body_font, bold=True)
    # fake bold is made from the regular face
    strong = body if overprint else bold
    lat, lat_bold = la.font_name(job.latin_font), la.font_name(job.latin_font, bold=True)
    size = body_size(job)
    leading = round(size * (1.7 if job.body_font == "Amiri" else 1.75), 1)

    cv = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    cv.setTitle(a["title"])
    cv.setAuthor(a["author"])
    cv.setSubject(a["source"])
    cv.setCreator("pdfclean sample generator")

    state = {"page": 1, "y": TOP}

    def scanned() -> bool:
        return state["page"] == ocr_page

    def mode() -> int | None:
        return 3 if scanned() else None

    def draw(line, x0, x1, y, font, fallback, fsize, align="right", effect=None):
        """One line; effect "bold" = fill + stroke, "shadow" = grey copy first, then the line."""
        if scanned() or effect is None:
            la.draw_line(cv, line, x0, x1, y, font, fallback, fsize, align, mode=mode() or 0)
            return
        if effect == "shadow":
            cv.setFillGray(0.6)
            off = round(0.05 * fsize, 2)
            la.draw_line(cv, line, x0, x1, y, font, fallback, fsize, align, dx=off, dy=-off)
            cv.setFillGray(0)
            la.draw_line(cv, line, x0, x1, y, font, fallback, fsize, align)
            return
        la.draw_line(cv, line, x0, x1, y, font, fallback, fsize, align)
        cv.saveState()
        cv.setLineWidth(round(0.035 * fsize, 2))
        cv.setStrokeGray(0)
        la.draw_line(cv, line, x0, x1, y, font, fallback, fsize, align, mode=1)
        cv.restoreState()

    def rule(x0, y0, x1, y1):
        if not scanned():                # on the scan the rules are in the image
            cv.line(x0, y0, x1, y1)

    def header_footer(page: int):
        rt_font = la.font_name(job.rt_font)
        if a["running_title_lang"] == "fa":
            draw(a["running_title"], X0, X1, H - 48, rt_font, lat, 10.5)
        else:
            cv.setFont(rt_font, 10)
            cv.drawRightString(X1, H - 48, a["running_title"], mode=mode())
        draw(page_number_text("reportlab", page), X0, X1, H - 48, body, lat, 11, "left")
        cv.setLineWidth(0.5)
        cv.setStrokeGray(0.5)
        rule(X0, H - 56, X1, H - 56)
        rule(X0, 52, X1, 52)
        (_, name), (_, url) = footer_pieces("reportlab", c)
        draw(name, X0, X1, 38, body, lat, 9)
        cv.setFont(lat, 9)
        cv.drawString(X0, 38, url, mode=mode())

    def new_page():
        cv.showPage()
        state["page"] += 1
        state["y"] = TOP
        header_footer(state["page"])

    def flow(text, font, fsize, lead, align="justify", first_indent=0.0, indent=0.0,
             before=0.0, after=0.0, keep_lines=2, hanging=0.0, keep_next=0, effect=None):
        """Lay out one block in the running text, breaking pages where needed."""
        right_first = X1 - indent - first_indent
        lines = la.wrap(text, font, lat, fsize, right_first - (X0 + indent),
                        X1 - indent - hanging - (X0 + indent))
        state["y"] -= before
        need = (len(lines) + keep_next) * lead if keep_next else min(len(lines), keep_lines) * lead
        if state["y"] - need < BOTTOM:
            new_page()
        for i, line in enumerate(lines):
            if state["y"] - lead < BOTTOM:
                new_page()
            state["y"] -= lead
            last = i == len(lines) - 1
            x1 = right_first if i == 0 else X1 - indent - hanging
            draw(line, X0 + indent, x1, state["y"], font, lat, fsize,
                 "right" if (last and align == "justify") else align, effect)
        state["y"] -= after

    fake = "bold" if overprint else None
    # cover ----------------------------------------------------------------
    if job.cover != "none":
        y = H - 110
        la.draw_line(cv, c["name_ar"], X0, X1, y, bold, lat_bold, 22, "center")
        cv.setFont(lat_bold, 11)
        cv.drawCentredString(W / 2, y - 28, c["name_en"])
        cv.setLineWidth(1)
        cv.line(X0 + 60, y - 44, X1 - 60, y - 44)
        state["y"] = y - 90
        if job.cover != "no_title":
            flow(a["title"], strong, 20, 34, "center", keep_lines=1, effect=fake)
        flow(author_line(a), body, 14, 24, "center", before=10, keep_lines=1)
        flow(source_line(a), body, 14, 24, "center", keep_lines=1)
        state["y"] = min(state["y"] - 60, 400)
        flow(c["about_heading"], bold, 15, 26, "center", keep_lines=1)
        flow(c["about"], body, 12, 21, "justify", before=4, after=14)
        flow(c["disclaimer"], body, 11, 19, "center", after=4)
        flow(c["copyright"], body, 11, 19, "center", after=20)
        cv.setFont(lat, 11)
        cv.drawCentredString(W / 2, state["y"] - 18, c["url"])
        cv.drawCentredString(W / 2, state["y"] - 36, c["email"])
        new_page()
    else:
        header_footer(1)

    # article ----------------------------------------------------------------
    flow(a["title"], strong, 17, 28, "right", keep_lines=1, effect=fake)
    flow(author_line(a), body, size + 1, leading, "right", before=4)
    flow(source_line(a, final_stop=True), body, size + 1, leading, "right",
         after=10 if job.head_gap else 5)
    shadow = overprint
    for i, (b, marker) in enumerate(numbered_blocks(a)):
        t = b["type"]
        if t == "heading":
            flow(b["text"], strong, size + 2, leading + 3, "right", before=8, after=2, keep_next=2,
                 effect=("shadow" if shadow else fake))
            shadow = False
        elif t == "list_item":
            mark_w = la.width(marker + " ", body, lat, size)
            flow(f"{marker} {b['text']}", body, size, leading, indent=14, hanging=mark_w, after=2)
        elif t == "quote":
            flow(b["text"], bold, size, leading, indent=28, before=2, after=8)
        else:
            indent = 0 if (i == 0 and not job.head_gap) else 18
            flow(b["text"], body, size, leading, first_indent=indent, after=5)
    cv.showPage()
    cv.save()
    return state["page"]


# --------------------------------------------------------------------------
# Chromium: HTML -> PDF through Playwright, header/footer templates
# --------------------------------------------------------------------------

def chromium_html(job: Job, cover_only: bool) -> str:
    a, c = job.article, job.centre
    e = html.escape
    title = "" if job.cover == "no_title" else f'<p class="title">{e(a["title"])}</p>\n'
    fonts = "\n".join(
        f"@font-face {{ font-family: '{fam}'; src: url('{Path(files[0]).as_uri()}'); font-weight: 400; }}\n"
        f"@font-face {{ font-family: '{fam}'; src: url('{Path(files[1]).as_uri()}'); font-weight: 700; }}"
        for fam, files in FONT_FILES.items() if fam in CHROMIUM_FONTS)
    size = f"{body_size(job)}pt"
    # Amiri's contextual alternates (calt) make Skia write some lam clusters twice
    # into the text layer ("ولكن" -> "ول لكن"); the page looks the same without them.
    calt = " font-variant-ligatures: no-contextual;" if job.body_font == "Amiri" else ""
    parts = [f"""<!DOCTYPE html>
<html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>{e(a['title'])}</title>
<style>
{fonts}
@page {{ size: A4; margin: 24mm 21mm calc(22mm + {job.bottom_extra()}pt) 21mm; }}
html {{ font-family: '{job.body_font}', '{job.latin_font}', serif; font-size: {size}; line-height: 1.75;{calt} }}
body {{ margin: 0; }}
p {{ margin: 0 0 0.45em 0; text-align: justify; }}
p.para {{ text-indent: 1.6em; }}
.cover {{ text-align: center; break-after: page; }}
.cover p {{ text-align: center; }}
.cover .name-ar {{ font-size: 22pt; font-weight: 700; margin-top: 18mm; }}
.cover .name-en {{ font-size: 10.5pt; white-space: nowrap; font-weight: 700; font-family: '{job.latin_font}', serif; direction: ltr;
                   padding-bottom: 6mm; border-bottom: 1px solid #555; margin: 0 25mm 20mm 25mm; }}
.cover .title {{ font-size: 20pt; font-weight: 700; line-height: 1.5; margin-bottom: 4mm; }}
.cover .meta {{ font-size: 13.5pt; text-align: center; margin: 0; }}
.cover .about-h {{ font-size: 15pt; font-weight: 700; margin-top: 26mm; }}
.cover p.about {{ text-align: justify; font-size: 11.5pt; margin-bottom: 6mm; }}
.cover .small {{ font-size: 10.5pt; text-align: center; margin: 0 0 1mm 0; }}
.cover .contact {{ font-size: 10.5pt; text-align: center; margin: 0; direction: ltr; }}
.cover .gap {{ height: 8mm; }}
h1 {{ font-size: 17pt; font-weight: 700; margin: 0 0 2mm 0; line-height: 1.5; }}
.byline {{ margin: 0; font-size: 1.05em; text-align: right; }}
.byline.last {{ margin-bottom: {'5mm' if job.head_gap else '0.45em'}; }}
h2 {{ font-size: 1.2em; font-weight: 700; margin: 3mm 0 1mm 0; break-after: avoid; }}
p.li {{ padding-right: 1.6em; text-indent: -1.2em; margin-bottom: 0.2em; }}
p.li .marker {{ display: inline-block; width: 1.2em; text-indent: 0; }}
blockquote {{ margin: 0 2.2em 0.6em 2.2em; font-weight: 700; text-align: justify; }}
p.para.first {{ text-indent: 0; }}
</style></head><body>
<section class="cover">
<p class="name-ar">{e(c['name_ar'])}</p>
<p class="name-en">{e(c['name_en'])}</p>
{title}<p class="meta">{e(author_line(a))}</p>
<p class="meta">{e(source_line(a))}</p>
<p class="about-h">{e(c['about_heading'])}</p>
<p class="about">{e(c['about'])}</p>
<p class="small">{e(c['disclaimer'])}</p>
<p class="small">{e(c['copyright'])}</p>
<div class="gap"></div>
<p class="contact">{e(c['url'])}</p>
<p class="contact">{e(c['email'])}</p>
</section>"""]
    if job.cover == "none":           # no cover: the article starts on page 1
        head = parts[0]
        parts[0] = head[:head.index('<section class="cover">')].rstrip("\n")
    if not cover_only:
        parts += html_article(job)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def chromium_templates(job: Job) -> tuple[str, str]:
    a, c = job.article, job.centre
    e = html.escape
    rt_dir = "rtl" if a["running_title_lang"] == "fa" else "ltr"
    header = (
        f'<div dir="rtl" style="width:100%; margin:0 21mm; padding-bottom:1.5mm; border-bottom:0.5px solid #888;'
        f' text-align:center; font-size:9.5pt; font-family:\'{job.body_font}\', \'{job.latin_font}\';">'
        f'<span dir="{rt_dir}" style="font-family:\'{job.rt_font}\';">{e(a["running_title"])}</span>'
        f'&nbsp;&nbsp;<span class="pageNumber"></span></div>')
    (_, name), (_, brand) = footer_pieces("chromium", c)
    footer = (
        f'<div dir="rtl" style="width:100%; margin:0 21mm; display:flex; justify-content:space-between;'
        f' font-size:8pt; border-top:0.5px solid #888; padding-top:1.5mm;">'
        f'<span style="font-family:\'{job.body_font}\';">{e(name)}</span>'
        f'<span dir="ltr" style="font-family:\'Noto Serif\'; letter-spacing:0.3px;">{e(brand)}</span></div>')
    return header, footer


class ChromiumSession:
    """One Playwright/Chromium instance reused for all jobs."""

    def __init__(self):
        from playwright.sync_api import sync_playwright
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def pdf(self, html_path: Path, out: Path, header: str | None, footer: str | None,
            bottom: str = "22mm") -> None:
        page = self.browser.new_page()
        page.goto(html_path.as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready")
        opts = dict(path=str(out), format="A4", print_background=True, prefer_css_page_size=True,
                    margin={"top": "24mm", "bottom": bottom, "left": "21mm", "right": "21mm"})
        if header is not None:
            opts.update(display_header_footer=True, header_template=header, footer_template=footer)
        page.pdf(**opts)
        page.close()

    def close(self):
        self.browser.close()
        self._pw.stop()


_chromium: ChromiumSession | None = None


def render_chromium(job: Job, work: Path) -> None:
    global _chromium
    if _chromium is None:
        _chromium = ChromiumSession()
    full_html, cover_html = work / f"{job.slug}-full.html", work / f"{job.slug}-cover.html"
    full_html.write_text(chromium_html(job, cover_only=False), encoding="utf-8")
    cover_html.write_text(chromium_html(job, cover_only=True), encoding="utf-8")
    full_pdf, cover_pdf = work / f"{job.slug}-full.pdf", work / f"{job.slug}-cover.pdf"
    header, footer = chromium_templates(job)
    _chromium.pdf(full_html, full_pdf, header, footer, f"{22 + job.bottom_extra() * 25.4 / 72:.2f}mm")
    if job.cover == "none":           # every page, the first included, has header and footer
        finalize_pdf(job, pymupdf.open(full_pdf))
        return
    _chromium.pdf(cover_html, cover_pdf, None, None)
    # pages 2.. keep the numbers Chromium printed; page 1 is the header-less cover
    doc = pymupdf.open(cover_pdf)
    full = pymupdf.open(full_pdf)
    assert doc.page_count == 1, "cover must fit on one page"
    doc.insert_pdf(full, from_page=1)
    full.close()
    finalize_pdf(job, doc)


# --------------------------------------------------------------------------
# Ghostscript: the libreoffice PDF re-distilled by pdfwrite
# --------------------------------------------------------------------------

def render_ghostscript(job: Job, work: Path, source: Path | None = None) -> None:
    """Run a libreoffice PDF through gs: `source` (the libreoffice sample just made), or
    the article rendered here as the libreoffice producer does with the same tweaks."""
    if source is None:
        src = Job(job.article, job.centre, "libreoffice", job.body_font,
                  work / f"{job.slug}-gs-source.pdf", job.bottom_lines, job.size_delta)
        render_libreoffice(src, work)
        source = src.out_pdf
    out = work / f"{job.slug}-gs-out.pdf"
    subprocess.run(["gs", "-sDEVICE=pdfwrite", "-dNOPAUSE", "-dBATCH", "-dQUIET",
                    "-o", str(out), str(source)], check=True, capture_output=True, timeout=180)
    finalize_pdf(job, pymupdf.open(out), drop_xmp=True)


# --------------------------------------------------------------------------
# WeasyPrint: HTML (dir=rtl), running title and page number in @page margin boxes
# --------------------------------------------------------------------------

def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def weasyprint_html(job: Job) -> str:
    a, c = job.article, job.centre
    e = html.escape
    size = body_size(job)
    bottom = round(22 * 72 / 25.4 + job.bottom_extra(), 2)
    rt_dir = "rtl" if a["running_title_lang"] == "fa" else "ltr"
    (_, name), = footer_pieces("weasyprint", c)
    fam = f"'{job.body_font}', '{job.latin_font}', serif"
    first = ("@page :first { @top-right { content: none; border: none; } "
             "@top-left { content: none; border: none; } @bottom-center { content: none; } }"
             if job.cover != "none" else "")
    parts = [f"""<!DOCTYPE html>
<html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>{e(a['title'])}</title>
<style>
@page {{ size: A4; margin: 24mm 21mm {bottom}pt 21mm;
  @top-right {{ content: {css_string(a['running_title'])}; font-family: '{job.rt_font}', 'Noto Serif';
               font-size: 10pt; direction: {rt_dir}; border-bottom: 0.5pt solid #888; }}
  @top-left {{ content: counter(page); font-family: '{job.latin_font}'; font-size: 10pt;
              border-bottom: 0.5pt solid #888; }}
  @bottom-center {{ content: {css_string(name)}; font-family: {fam}; font-size: 8.5pt; }}
}}
{first}
html {{ font-family: {fam}; font-size: {size}pt; line-height: 1.7; }}
body {{ margin: 0; }}
p {{ margin: 0 0 0.45em 0; text-align: justify; }}
p.para {{ text-indent: 1.6em; }}
p.para.first {{ text-indent: 0; }}
.cover {{ text-align: center; break-after: page; }}
.cover p {{ text-align: center; }}
.cover .name-ar {{ font-size: 21pt; font-weight: 700; margin-top: 16mm; }}
.cover .name-en {{ font-size: 10.5pt; font-weight: 700; font-family: '{job.latin_font}', sans-serif; direction: ltr;
                   padding-bottom: 5mm; border-bottom: 1px solid #555; margin: 0 20mm 18mm 20mm; }}
.cover .title {{ font-size: 19pt; font-weight: 700; line-height: 1.5; margin-bottom: 4mm; }}
.cover .meta {{ font-size: 13pt; margin: 0; }}
.cover .about-h {{ font-size: 15pt; font-weight: 700; margin-top: 24mm; }}
.cover p.about {{ text-align: justify; font-size: 11.5pt; margin-bottom: 6mm; }}
.cover .small {{ font-size: 10.5pt; margin: 0 0 1mm 0; }}
.cover .contact {{ font-size: 10.5pt; margin: 0; direction: ltr; }}
h1 {{ font-size: 17pt; font-weight: 700; margin: 0 0 2mm 0; line-height: 1.5; }}
.byline {{ margin: 0; font-size: 1.05em; text-align: right; }}
.byline.last {{ margin-bottom: {'5mm' if job.head_gap else '0.45em'}; }}
h2 {{ font-size: 1.2em; font-weight: 700; margin: 3mm 0 1mm 0; break-after: avoid; }}
p.li {{ padding-right: 1.6em; text-indent: -1.2em; margin-bottom: 0.2em; }}
p.li .marker {{ display: inline-block; width: 1.2em; text-indent: 0; }}
blockquote {{ margin: 0 2.2em 0.6em 2.2em; font-weight: 700; text-align: justify; }}
</style></head><body>"""]
    if job.cover != "none":
        parts.append('<section class="cover">')
        parts.append(f'<p class="name-ar">{e(c["name_ar"])}</p>')
        parts.append(f'<p class="name-en">{e(c["name_en"])}</p>')
        if job.cover != "no_title":
            parts.append(f'<p class="title">{e(a["title"])}</p>')
        parts.append(f'<p class="meta">{e(author_line(a))}</p>')
        parts.append(f'<p class="meta">{e(source_line(a))}</p>')
        parts.append(f'<p class="about-h">{e(c["about_heading"])}</p>')
        parts.append(f'<p class="about">{e(c["about"])}</p>')
        parts.append(f'<p class="small">{e(c["disclaimer"])}</p>')
        parts.append(f'<p class="small" style="margin-bottom: 8mm">{e(c["copyright"])}</p>')
        parts.append(f'<p class="contact">{e(c["url"])}</p>')
        parts.append(f'<p class="contact">{e(c["email"])}</p>')
        parts.append("</section>")
    parts += html_article(job)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def html_article(job: Job) -> list[str]:
    """The article (title, author and source lines, body) as HTML, for Chromium and WeasyPrint."""
    a, e = job.article, html.escape
    parts = [f"<article>\n<h1>{e(a['title'])}</h1>",
             f'<p class="byline">{e(author_line(a))}</p>',
             f'<p class="byline last">{e(source_line(a, final_stop=True))}</p>']
    for i, (b, marker) in enumerate(numbered_blocks(a)):
        t, txt = b["type"], e(b["text"])
        if t == "heading":
            parts.append(f"<h2>{txt}</h2>")
        elif t == "list_item":
            parts.append(f'<p class="li"><span class="marker">{e(marker)}</span>{txt}</p>')
        elif t == "quote":
            parts.append(f"<blockquote>{txt}</blockquote>")
        elif i == 0 and not job.head_gap:
            parts.append(f'<p class="para first">{txt}</p>')
        else:
            parts.append(f'<p class="para">{txt}</p>')
    parts.append("</article>")
    return parts


def render_weasyprint(job: Job, work: Path) -> None:
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    out = work / f"{job.out_pdf.stem}.wp.pdf"
    weasyprint.HTML(string=weasyprint_html(job), base_url=str(work)).write_pdf(out)
    finalize_pdf(job, pymupdf.open(out), drop_xmp=True)


# --------------------------------------------------------------------------
# Typst: RTL Arabic, header/footer from page context; texts read from JSON
# --------------------------------------------------------------------------

TYPST_TEMPLATE = r"""
#let d = json("data.json")
#let ar = (BODY, LATIN)
#set document(title: d.title, author: d.author, date: none)
#set text(lang: "ar", dir: rtl, font: ar, size: SIZEpt)
#set par(justify: true, leading: 1.05em, spacing: 1.1em)
#set page(paper: "a4", margin: (top: 24mm, bottom: BOTTOMpt, x: 21mm),
  footer-descent: FDESCENTpt,     // the footer stays 40pt above the page edge
  header: context if here().page() >= d.first_page {
    set text(size: 9.5pt)
    block(width: 100%, stroke: (bottom: 0.5pt + gray), inset: (bottom: 3pt),
      align(right, text(font: (RTFONT, LATIN), lang: d.rt_lang,
                        dir: if d.rt_lang == "en" { ltr } else { rtl }, d.running_title)))
  },
  footer: context if here().page() >= d.first_page {
    set text(size: 8.5pt)
    block(width: 100%, stroke: (top: 0.5pt + gray), inset: (top: 3pt))[
      #d.footer #h(1fr) #counter(page).display("١")]
  })
#if d.cover != "none" {
  set align(center)
  v(14mm)
  text(size: 21pt, weight: "bold", d.name_ar)
  linebreak()
  text(size: 10.5pt, weight: "bold", font: LATIN, dir: ltr, d.name_en)
  line(length: 70%, stroke: 0.6pt + gray)
  v(14mm)
  if d.cover != "no_title" {
    par(justify: false, text(size: 19pt, weight: "bold", d.title))
  }
  v(2mm)
  text(size: 13pt, d.author_line)
  linebreak()
  text(size: 13pt, d.source_line_cover)
  v(22mm)
  text(size: 15pt, weight: "bold", d.about_heading)
  par(justify: true, text(size: 11.5pt, d.about))
  v(3mm)
  text(size: 10.5pt, d.disclaimer)
  linebreak()
  text(size: 10.5pt, d.copyright)
  v(8mm)
  text(size: 10.5pt, dir: ltr, d.url)
  linebreak()
  text(size: 10.5pt, dir: ltr, d.email)
  pagebreak()
}
#block(below: 1.2em, par(justify: false, leading: 0.8em, text(size: 17pt, weight: "bold", d.title)))
#text(size: SIZE1pt, d.author_line) \
#text(size: SIZE1pt, d.source_line)
#v(HEADGAP)
#for b in d.blocks {
  if b.type == "heading" {
    block(above: 1.9em, below: 0.9em, sticky: true, text(size: SIZE2pt, weight: "bold", b.text))
  } else if b.type == "list_item" {
    pad(right: 12pt, par(hanging-indent: 14pt, first-line-indent: 0pt)[#box(width: 14pt, b.marker)#b.text])
  } else if b.type == "quote" {
    pad(x: 28pt, par(text(weight: "bold", b.text)))
  } else {
    par(first-line-indent: (amount: if b.indent { 1.6em } else { 0pt }, all: true), b.text)
  }
}
"""


def typst_source(job: Job) -> tuple[str, dict]:
    a, c = job.article, job.centre
    size = body_size(job)
    blocks = [{"type": b["type"], "text": b["text"], "marker": marker or "",
               "indent": not (i == 0 and not job.head_gap)}
              for i, (b, marker) in enumerate(numbered_blocks(a))]
    (_, name), = footer_pieces("typst", c)
    data = {"title": a["title"], "author": a["author"], "author_line": author_line(a),
            "source_line_cover": source_line(a), "source_line": source_line(a, final_stop=True),
            "running_title": a["running_title"], "rt_lang": a["running_title_lang"],
            "cover": job.cover, "first_page": job.first_article_page, "footer": name,
            "blocks": blocks, **{k: c[k] for k in ("name_ar", "name_en", "about_heading", "about",
                                                   "disclaimer", "copyright", "url", "email")}}
    src = TYPST_TEMPLATE
    for k, v in {"BODY": json.dumps(job.body_font), "LATIN": json.dumps(job.latin_font),
                 "RTFONT": json.dumps(job.rt_font), "SIZE1": f"{size + 1:g}",
                 "SIZE2": f"{size + 2:g}", "SIZE": f"{size:g}",
                 "BOTTOM": f"{22 * 72 / 25.4 + job.bottom_extra():.2f}",
                 "FDESCENT": f"{22 * 72 / 25.4 + job.bottom_extra() - 40:.2f}",
                 "HEADGAP": "0.6em" if job.head_gap else "0pt"}.items():
        src = src.replace(k, v)
    return src, data


def render_typst(job: Job, work: Path) -> None:
    import typst

    src, data = typst_source(job)
    folder = work / f"{job.out_pdf.stem}-typst"
    folder.mkdir(exist_ok=True)
    (folder / "main.typ").write_text(src, encoding="utf-8")
    (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = folder / "out.pdf"
    typst.compile(str(folder / "main.typ"), output=str(out), root=str(folder),
                  font_paths=FONT_DIRS, ignore_system_fonts=True, timestamp=0)
    finalize_pdf(job, pymupdf.open(out), drop_xmp=True)


# --------------------------------------------------------------------------

# (extra bottom margin in body lines, body size change) tried in turn until at least
# MIN_SPLIT_BLOCKS paragraphs run across a page break; the first that works is kept.
TWEAKS = [(lines, delta) for delta in (0, 0.5, -0.5) for lines in (0, 1, 2, 3)]
MAX_TRIES = 8       # tweaks tried at most (the first eight: body size as is and +0.5 pt)
MIN_SPLIT_BLOCKS = 2

RENDERERS = {"libreoffice": render_libreoffice, "reportlab": render_reportlab,
             "chromium": render_chromium, "libreoffice-kashida": render_libreoffice,
             "weasyprint": render_weasyprint, "typst": render_typst,
             "ghostscript": render_ghostscript, "overprint": render_reportlab}


# the first five articles keep their places in the font rotation whatever is added
FIRST_ARTICLES = ("almanbar-iran-us-talks", "iaea-nuclear-file", "iraq-electricity-transition",
                  "iraq-oil-inflation", "iraq-water-cop29")


def article_index(slug: str, slugs: list[str]) -> int:
    if slug in FIRST_ARTICLES:
        return FIRST_ARTICLES.index(slug)
    return len(FIRST_ARTICLES) + sorted(s for s in slugs if s not in FIRST_ARTICLES).index(slug)


def body_font_for(producer: str, article_index: int) -> str:
    fonts = PRODUCER_FONTS[producer]
    offset = 0 if producer == "ghostscript" else PRODUCERS.index(producer)
    return fonts[(article_index + offset) % len(fonts)]


def render_job(job: Job, work: Path, once: bool = False) -> None:
    """Render, re-rendering with the TWEAKS until MIN_SPLIT_BLOCKS paragraphs cross a page
    break (or as many as the article has page breaks); else keep the best, with a warning.
    once: render with the first tweak only (quick checks)."""
    if once:
        RENDERERS[job.producer](job, work)
        return
    lo = job.producer in ("libreoffice", "libreoffice-kashida")
    best = None
    for i, (job.bottom_lines, job.size_delta) in enumerate(TWEAKS[:MAX_TRIES]):
        if lo and i == 1:
            # the remaining tweaks as one soffice run: a start-up costs more than 5 conversions
            stems = {k: f"{job.out_pdf.stem}-tweak{k}" for k in range(1, min(MAX_TRIES, len(TWEAKS)))}
            docs = []
            for k, stem in stems.items():
                job.bottom_lines, job.size_delta = TWEAKS[k]
                docs.append(libreoffice_docx(job, work, stem))
            soffice_convert(work, docs)
            job.bottom_lines, job.size_delta = TWEAKS[i]
        if lo and i >= 1:
            finalize_pdf(job, pymupdf.open(work / f"{stems[i]}.pdf"))
        else:
            RENDERERS[job.producer](job, work)
        split = split_blocks(job.out_pdf, job.article, job.first_article_page)
        if len(split) >= MIN_SPLIT_BLOCKS:
            return
        with pymupdf.open(job.out_pdf) as d:
            breaks = d.page_count - job.first_article_page
        if best is None or len(split) > best[0]:
            best = (len(split), i)
        if len(split) >= breaks > 0:
            break                               # every page break already splits a paragraph
    if best[1] != i:
        job.bottom_lines, job.size_delta = TWEAKS[best[1]]
        if lo and best[1] >= 1:
            finalize_pdf(job, pymupdf.open(work / f"{stems[best[1]]}.pdf"))
        else:
            RENDERERS[job.producer](job, work)
    print(f"warning: {job.out_pdf.name}: only {best[0]} paragraph(s) cross a page break",
          file=sys.stderr)


def write_truth(job: Job, t0: float | None) -> dict:
    """Write (and return) the job's truth next to its PDF; t0: print a progress line."""
    with pymupdf.open(job.out_pdf) as d:
        pages = d.page_count
    tr = truth(job, pages)
    job.out_pdf.with_suffix(".truth.json").write_text(
        json.dumps(tr, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if t0 is not None:
        kb = job.out_pdf.stat().st_size // 1024
        print(f"{job.out_pdf.name}: {pages} pages, {kb} KB, {job.body_font}, "
              f"{body_size(job)}pt, split blocks {tr['split_blocks']}, "
              f"{time.time() - t0:.1f}s", flush=True)
    return tr


def render_set(producer: str, slugs: list[str], out: Path, parent_tmp: str,
               articles_dir: Path = ARTICLES_DIR, once: bool = False,
               with_gs: bool = False) -> None:
    """Render the given articles with one producer (one task of the process pool);
    with_gs: each libreoffice PDF is also re-distilled as the ghostscript sample."""
    global _chromium, _lo_profile
    import os
    _lo_profile = Path(parent_tmp) / f"lo-profile-{os.getpid()}"
    centre = load_centre()
    articles = {a["slug"]: a for a in load_articles(articles_dir)}
    with tempfile.TemporaryDirectory(prefix=f"{producer}-", dir=parent_tmp) as tmp:
        work = Path(tmp)
        try:
            for slug in slugs:
                a = articles[slug]
                font = body_font_for(producer, article_index(slug, sorted(articles)))
                job = Job(a, centre, producer, font, out / f"{slug}-{producer}.pdf")
                t0 = time.time()
                render_job(job, work, once)
                tr = write_truth(job, t0)
                if producer == "libreoffice" and with_gs:
                    # the ghostscript sample re-distils this very PDF: same layout, same truth
                    t0 = time.time()
                    gs = Job(a, centre, "ghostscript", font, out / f"{slug}-ghostscript.pdf",
                             job.bottom_lines, job.size_delta)
                    render_ghostscript(gs, work, source=job.out_pdf)
                    gtr = write_truth(gs, t0)
                    same = ("pages", "metadata", "front_matter", "blocks", "furniture", "fonts")
                    if any(tr[k] != gtr[k] for k in same) or tr["split_blocks"] != gtr["split_blocks"]:
                        print(f"warning: {gs.out_pdf.name}: truth differs from its source's",
                              file=sys.stderr)
        finally:
            if _chromium is not None:
                _chromium.close()
                _chromium = None


# LibreOffice-based sets are long: they are cut into tasks of this many articles
LO_CHUNK = 3


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "pdfs"))
    ap.add_argument("--producer", action="append", choices=("all",) + PRODUCERS,
                    help="repeatable; default: all")
    ap.add_argument("--article", action="append", help="slug (repeatable); default: all")
    ap.add_argument("--jobs", type=int, default=3, help="producer tasks run in parallel (default 3)")
    ap.add_argument("--articles-dir", type=Path, default=ARTICLES_DIR, help=argparse.SUPPRESS)
    ap.add_argument("--once", action="store_true",
                    help="render once, without the re-renders that move page breaks (quick checks)")
    args = ap.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    articles = load_articles(args.articles_dir)
    producers = (PRODUCERS if not args.producer or "all" in args.producer
                 else tuple(p for p in PRODUCERS if p in args.producer))
    slugs = [a["slug"] for a in articles]
    for s in args.article or []:
        if s not in slugs:
            ap.error(f"unknown article {s!r}; known: {', '.join(sorted(slugs))}")

    with_gs = "libreoffice" in producers and "ghostscript" in producers
    tasks = []
    for producer in producers:
        if producer == "ghostscript" and with_gs:
            continue                          # made from the libreoffice PDFs, in their tasks
        chosen = [s for s in slugs if not args.article or s in args.article]
        if producer == "overprint" and not args.article:
            chosen = [s for s in chosen if s in OVERPRINT_ARTICLES]     # a small set of its own
        step = LO_CHUNK if producer in ("libreoffice", "libreoffice-kashida", "ghostscript") else len(chosen)
        tasks += [(producer, chosen[i:i + step]) for i in range(0, len(chosen), max(1, step))]
    # the long LibreOffice tasks first, so that the others fill in around them
    tasks.sort(key=lambda t: t[0] not in ("libreoffice", "libreoffice-kashida", "ghostscript"))
    with tempfile.TemporaryDirectory(prefix="pdfclean-samples-") as tmp:
        if args.jobs <= 1 or len(tasks) == 1:
            for producer, chunk in tasks:
                render_set(producer, chunk, out, tmp, args.articles_dir, args.once, with_gs)
            return 0
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")        # no forked Playwright state
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx) as pool:
            futures = [pool.submit(render_set, producer, chunk, out, tmp, args.articles_dir,
                                   args.once, with_gs)
                       for producer, chunk in tasks]
            for f in futures:
                f.result()
    return 0


if __name__ == "__main__":
    sys.exit(main())
