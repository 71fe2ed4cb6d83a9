"""What the report and the index share: sizes and colours, the repairs'
notes, escaping (all PDF text is hostile input), direction, badges and
relative links."""

from __future__ import annotations

import html
import math
import os
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any


DEFAULT_DPI = 90
MAX_IMAGE_SIDE = 1600  # px: a huge page box is rendered smaller, never larger than this
MAX_IMAGE_PAGES = 300  # pages beyond this are shown without their image (the report stays small)
FULL_TEXT_PAGES = 3  # a block over more pages than this has its whole text on its first page only
STUB_CHARS = 200  # …and the start of it on the others

PdfInput = str | os.PathLike | bytes | bytearray | memoryview

# One colour per kind of page furniture (legend, outlines, side list).
KIND_COLOURS = {
    "running_title": "#d62728",
    "header": "#9467bd",
    "footer": "#8c564b",
    "page_number": "#1f77b4",
    "branding": "#e67e00",
    "article_head": "#7f7f7f",
}
KIND_LABELS = {
    "running_title": "running title",
    "header": "header",
    "footer": "footer",
    "page_number": "page number",
    "branding": "branding",
    "article_head": "article head (metadata)",
}
BODY_COLOUR = "#2ca02c"
FRONT_COLOUR = "#17a2b8"

# What each repair does, for the badges' tooltips (unknown names fall back to
# the first line of the fix's docstring in ``script.py``).
REPAIR_NOTES = {
    "reversed_lines": "line drawn in visual order, put back into logical (reading) order",
    "reversed_words": "letters ran backwards inside each word (an OCR text layer); words turned round",
    "presentation_forms": "Arabic presentation-form glyphs mapped back to base letters",
    "yeh_forms": "Persian/Arabic yeh and kaf forms normalised to the document's language",
    "lam_alef": "lam-alef ligature mapped back to its letters in the right order",
    "tatweel": "tatweel (justification stretch) removed",
    "bidi_controls": "bidi control characters removed",
    "control_chars": "control characters removed",
    "space_before_mark": "stray space before a combining mark removed",
    "spaces": "spacing normalised",
    "prefix_before_latin": "Arabic prefix put back before a Latin word",
    "unmapped_glyphs": "glyphs with no Unicode mapping dropped (a mark may be missing)",
    "orphan_marks": "stray marks with no letter near them dropped",
    "mirrored_brackets": "brackets mirrored back",
    "nfc": "Unicode NFC normalisation",
    "kashida": "justification elongation glyphs (kashida) dropped",
    "mangled_code_points": "code points a producer's ToUnicode mangled (Ghostscript: «乑», «昀椀») decoded",
    "overprinted_glyphs": "text drawn twice (fake bold, shadow) kept once",
    "wrong_code_points": "mark glyphs (no advance) a producer mapped to punctuation dropped",
    "cluster_pieces": "extra glyphs of one shaped character, each mapped to its text, read once",
    "list_marker": "list marker taken off the item",
    "dehyphenated": "hyphen of a word broken at a line end removed",
    "not_horizontal": "text drawn turned or vertically not read",
    "outside_crop_box": "text drawn outside the crop box not read",
}

_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LTR_CHARS = re.compile("[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")
# C0/C1 controls (not tab/newline), lone surrogates and noncharacters: dropped before escaping.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RTL_LANGS = {"ar", "fa", "ur", "ps", "ckb", "ku", "he", "yi", "sd", "ug"}

_FONT_AR = '"Amiri", "Noto Naskh Arabic", "Noto Sans Arabic", "Tahoma", serif'
_FONT_UI = 'system-ui, "Noto Sans", "DejaVu Sans", "Noto Sans Arabic", sans-serif'
_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'")


def esc(value: Any) -> str:
    """Text for HTML (element content or a quoted attribute): controls and lone
    surrogates dropped, then ``html.escape`` with quotes."""
    return html.escape(_BAD_CHARS.sub("", "" if value is None else str(value)), quote=True)


def _text_dir(text: str, default: str = "rtl") -> str:
    if _RTL_CHARS.search(text):
        return "rtl"
    if _LTR_CHARS.search(text):
        return "ltr"
    return default


def _fmt(v: float | None, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.0f} %"


def _repair_note(name: str) -> str:
    note = REPAIR_NOTES.get(name)
    if note:
        return note
    from ..script import FIXES

    for n, fn in FIXES:
        if n == name and fn.__doc__:
            return fn.__doc__.strip().splitlines()[0]
    return name


def _badges(repairs: Mapping[str, int]) -> str:
    out = []
    for name, n in sorted(repairs.items(), key=lambda kv: (-kv[1], kv[0])):
        if not n:
            continue
        out.append(f'<span class="repair" dir="ltr" data-repair="{esc(name)}" '
                   f'title="{esc(_repair_note(name))}">{esc(name)} ×{int(n)}</span>')
    return "".join(out)


def _conf_class(conf: float | None) -> str:
    if conf is None:
        return "conf-unknown"
    return "conf-low" if conf < 60 else "conf-mid" if conf < 80 else "conf-high"


def _href(report: str, base: Path | None) -> str:
    """A relative URL to ``report`` from the index folder ``base``, quoted."""
    p = report
    if base is not None and os.path.isabs(p):
        try:
            p = os.path.relpath(p, base)
        except ValueError:  # another drive (Windows)
            return Path(p).as_uri()
    return urllib.parse.quote(p.replace(os.sep, "/"), safe="/")
