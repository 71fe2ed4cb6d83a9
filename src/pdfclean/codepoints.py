"""Wrong but decodable code points: a producer's ToUnicode that mangled the
bytes of what it meant.

Ghostscript 10 (``pdfwrite``), re-distilling a PDF, writes the ToUnicode entry
of a glyph that stands for *two* characters with the bytes slipped:

* the second UTF-16 unit takes the first one's low byte as its high byte —
  dammatan + shadda (U+064C U+0651) comes out «ٌ䱑» (U+064C U+4C51), fatha +
  shadda «َ乑»: the second character is a CJK ideograph in Arabic text;
* or both units come byte-swapped — a Latin «fi» ligature (U+0066 U+0069)
  comes out «昀椀» (U+6600 U+6900).

Each such character is a CJK ideograph where the page has Arabic or Latin
text, and its bytes still name the character meant. :func:`decode_mangled`
decodes a glyph's text when the decoding gives what fits there (a mark after a
mark, letters beside letters of their script) and leaves real CJK text alone.
"""

from __future__ import annotations

import re
import unicodedata

from .model import Glyph

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


def decode_mangled(text: str, before: Glyph | None = None, after: Glyph | None = None) -> str | None:
    """What a glyph text with mangled code points stood for, or None.

    ``before``/``after`` are the glyphs drawn just before and after it.

    >>> decode_mangled("\u064c\u4c51")   # dammatan + shadda (NFC orders them later)
    'ٌّ'
    >>> t = Glyph("t", 0, 0, 4, 12, 10, 12)
    >>> decode_mangled("昀椀", t, t)
    'fi'
    >>> decode_mangled("\u064c\u4e2d") is None   # U+4E2D is no slipped shadda: 0x4E is not 0x4C
    True
    >>> decode_mangled("中文", t, t) is None      # real CJK text stays
    True
    """
    if not CJK.search(text):
        return None
    out = []
    for k, ch in enumerate(text):
        if not CJK.match(ch):
            out.append(ch)
            continue
        hi, lo = divmod(ord(ch), 256)
        if k and hi == ord(out[-1]) % 256:  # slipped: the high byte repeats the last character's low byte
            new = chr(ord(out[-1]) // 256 * 256 + lo)
            if unicodedata.category(new) != unicodedata.category(out[-1]):
                return None
        elif lo == 0 and chr(hi).isascii() and chr(hi).isalpha():  # byte-swapped ASCII
            new = chr(hi)
            near = [g.text[:1] for g in (before, after) if g is not None and g.text]
            if not any(c.isascii() and c.isalpha() for c in near):
                return None
        else:
            return None
        out.append(new)
    return "".join(out)


def fix_mangled(glyphs: list[Glyph]) -> tuple[list[Glyph], int]:
    """Decode every glyph whose text has mangled code points (in place)."""
    n = 0
    for i, g in enumerate(glyphs):
        if CJK.search(g.text):
            new = decode_mangled(g.text, glyphs[i - 1] if i else None,
                                 glyphs[i + 1] if i + 1 < len(glyphs) else None)
            if new is not None:
                g.text = new
                n += 1
    return glyphs, n
