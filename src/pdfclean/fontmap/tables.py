"""What needs the font: the tables of lost and suspect text, and glyph names."""

from __future__ import annotations

import re
import unicodedata


# --- what needs the font ------------------------------------------------------

#: Characters no text may keep: U+FFFD and the private-use areas (BMP, planes 15/16).
TATWEEL = "\u0640"  # the text an unmappable glyph drawn as a connecting stroke is given
LOST = re.compile("[\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]")
#: Characters that say the text layer did not really map the glyph: the above,
#: controls (not tab, newline, carriage return), lone surrogates, noncharacters.
SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                     "\ufffd\ue000-\uf8ff\U000f0000-\U0010ffff]|\\(cid:\\d+\\)")


def _odd_table() -> bytes:
    t = bytearray(0x110000)
    for a, b in ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF),
                 (0xFDD0, 0xFDEF), (0xFFFD, 0xFFFF), (0xE000, 0xF8FF), (0xF0000, 0x10FFFF)):
        t[a:b + 1] = b"\x01" * (b - a + 1)
    return bytes(t)  # 1.1 MB, indexed a little faster than a bytearray


#: ``ODD[cp]``: code point ``cp`` (an int from MuPDF, or ``ord`` of a
#: character) needs the font. 0 is odd, and so is any negative number MuPDF
#: uses for "no character" (the index wraps round into plane 16).
ODD = _odd_table()


def suspect(text: str) -> bool:
    """Does this glyph text need the font?

    >>> suspect("ل"), suspect("\\ufffd"), suspect("(cid:12)"), suspect("\\x00"), suspect("لا")
    (False, True, True, True, False)
    """
    return SUSPECT.search(text) is not None


def usable(text: str) -> bool:
    """Text a glyph may be given: something, and nothing suspect in it."""
    return bool(text) and SUSPECT.search(text) is None


# --- glyph names ----------------------------------------------------------------

def _arabic_names() -> dict[str, str]:
    """Short Arabic glyph names (``lam``, ``alef``, ``tehMarbuta``, ``fatha``…)
    as fonts use them, from the Unicode character names, lower-cased, spaces
    and hyphens taken out."""
    names: dict[str, str] = {}
    for cp in [*range(0x0600, 0x0700), *range(0x0750, 0x0780), *range(0x08A0, 0x0900)]:
        n = unicodedata.name(chr(cp), "")
        for prefix in ("ARABIC LETTER ", "ARABIC "):
            if n.startswith(prefix):
                key = n[len(prefix):].lower().replace(" ", "").replace("-", "")
                names.setdefault(key, chr(cp))
                break
    names.update({"alif": "\u0627", "allah": "\u0627\u0644\u0644\u0647", "lamalef": "\u0644\u0627",
                  "lamalif": "\u0644\u0627", "kashida": "\u0640", "tatweel": "\u0640",
                  "hamzaabove": "\u0654", "hamzabelow": "\u0655", "superscriptalef": "\u0670"})
    return names


_ARABIC = _arabic_names()
_UNI = re.compile(r"uni((?:[0-9A-Fa-f]{4})+)")
_U = re.compile(r"u([0-9A-Fa-f]{4,6})")
_agl_to_unicode = None


def _agl(name: str) -> str:
    global _agl_to_unicode
    if _agl_to_unicode is None:
        from fontTools.agl import toUnicode

        _agl_to_unicode = toUnicode
    return _agl_to_unicode(name)


def _component(part: str, arabic: bool) -> str:
    """One ligature component's text, or ""."""
    if arabic and part.lower() in _ARABIC:
        return _ARABIC[part.lower()]
    m = _UNI.fullmatch(part)
    if m:
        h = m.group(1)
        cps = [int(h[i:i + 4], 16) for i in range(0, len(h), 4)]
        return "" if any(0xD800 <= c <= 0xDFFF for c in cps) else "".join(map(chr, cps))
    m = _U.fullmatch(part)
    if m:
        c = int(m.group(1), 16)
        return "" if c > 0x10FFFF or 0xD800 <= c <= 0xDFFF else chr(c)
    t = _agl(part)
    if t:
        return t
    return _ARABIC.get(part.lower(), "")


def name_to_text(name: str, arabic: bool | None = None) -> str:
    """The text a glyph name stands for, or "" (every component must be known).

    ``name.suffix`` drops the suffix; ``a_b`` is a ligature of ``a`` and
    ``b``; ``uniXXXX[XXXX…]`` and ``uXXXX[XX]`` spell code points; other
    components go through the Adobe Glyph List and short Arabic names.
    ``arabic`` (the font draws Arabic) lets a short Arabic name win over the
    Hebrew AGL name it shares (``alef``); None: when another component of the
    name is Arabic only.

    >>> name_to_text("lam_alef"), name_to_text("uni0644_uni0627"), name_to_text("uni0644.init")
    ('لا', 'لا', 'ل')
    >>> name_to_text("f_f_i"), name_to_text("glyph00012"), name_to_text("lam_foo")
    ('ffi', '', '')
    """
    base = name.split(".", 1)[0]
    if not base:
        return ""
    parts = base.split("_")
    if arabic is None:
        arabic = any(p.lower() in _ARABIC and not _agl(p) for p in parts)
    out = []
    for p in parts:
        t = _component(p, arabic)
        if not t:
            return ""
        out.append(t)
    return "".join(out)
