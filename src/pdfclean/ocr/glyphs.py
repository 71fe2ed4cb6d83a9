"""Words to glyphs: lines grouped, specks and smears dropped, each line's
size from how wide its characters are (snapped to a few sizes), bold from
stroke width, one :class:`~pdfclean.model.Glyph` per word and a space
between neighbours — what the pipeline's stages expect of a text layer."""

from __future__ import annotations

from ..model import Glyph
from .common import (ASCENT, BODY_SNAP, BOLD_RATIO, BOLD_RATIO_LARGE, CHAR_EM, DESCENT, LARGE, SAME_ROW,
                     SIZE_SNAP, SMEAR_CONF, SMEAR_SIZE, SPECK_CONF, OcrResult, _is_latin_word,
                     _is_rtl_word, _lines, _MARKS, _overlap, _Word)
from .fixes import _close_gaps, _fix_bullet, _fix_guillemets, fix_word
from .render import _otsu, _Render


def _group_lines(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into text lines, top to bottom: Tesseract's lines, those
    on one baseline (segments of one row) joined; every word of a line gets
    the line's baseline."""
    lines = sorted(_lines(words).values(), key=lambda ws: ws[0].base)
    if not lines:
        return []
    typical = sorted(_line_size(ws) for ws in lines)[len(lines) // 2]
    out: list[list[_Word]] = []
    for ws in lines:
        if out and abs(ws[0].base - out[-1][0].base) <= SAME_ROW * typical and not any(
                _overlap(a, b) for a in ws for b in out[-1]):
            out[-1].extend(ws)
        else:
            out.append(list(ws))
    for ws in out:
        base = sorted(w.base for w in ws)[len(ws) // 2]
        for w in ws:
            w.base = base
    return out


def _char_width(text: str) -> float:
    """Typical advance of a word's characters, in Arabic-letter widths (an
    Arabic letter ≈ :data:`CHAR_EM` em; Latin capitals are wider; marks none)."""
    n = 0.0
    for ch in text:
        if _MARKS.match(ch):
            continue
        if "A" <= ch <= "Z":
            n += 1.8
        elif ch.isascii() and ch.isalnum():
            n += 1.35
        elif ch.isalpha():
            n += 1.0
        else:
            n += 0.7
    return n


def _line_size(ws: list[_Word]) -> float:
    """Font size of a line (in the words' units), from how wide its characters
    are: ink width over character count is far steadier than any height
    (Tesseract's word boxes often span the whole line height)."""
    width = sum(w.x1 - w.x0 for w in ws)
    chars = sum(_char_width(w.text) for w in ws)
    return max(1e-3, width / max(1.0, chars) / CHAR_EM)


def line_sizes(raw: list[float], weights: list[float], bold: list[bool]) -> list[float]:
    """Snap the lines' raw size estimates to a few sizes.

    The page's body size is the weighted median of the lines' estimates (by
    characters); a regular line within :data:`BODY_SNAP` of it is body text of
    exactly that size. The other lines are snapped among themselves
    (:func:`snap_sizes`).

    >>> line_sizes([12.5, 13.4, 12.9, 15.2, 9.0], [80, 90, 85, 20, 10], [False] * 3 + [True, False])
    [12.9, 12.9, 12.9, 15.2, 9.0]
    """
    if not raw:
        return []
    body = _wmedian([(r, w) for r, w, b in zip(raw, weights, bold) if not b] or list(zip(raw, weights)))
    out: list[float | None] = [body if (not b and abs(r - body) <= BODY_SNAP * body) else None
                               for r, b in zip(raw, bold)]
    rest = [i for i, v in enumerate(out) if v is None]
    for i, v in zip(rest, snap_sizes([(raw[i], weights[i]) for i in rest])):
        out[i] = v
    return [round(float(v), 2) for v in out]  # type: ignore[arg-type]


def snap_sizes(sizes: list[tuple[float, float]], tol: float = SIZE_SNAP) -> list[float]:
    """Snap raw sizes (value, weight) to a few: the heaviest value takes every
    size within ``tol`` (relative) of it, then the next heaviest of the rest…

    >>> snap_sizes([(13.2, 50), (12.8, 60), (13.0, 40), (17.5, 10)])
    [12.8, 12.8, 12.8, 17.5]
    """
    out: list[float | None] = [None] * len(sizes)
    left = set(range(len(sizes)))
    while left:
        best = max(left, key=lambda i: (sum(sizes[j][1] for j in left
                                             if abs(sizes[j][0] - sizes[i][0]) <= tol * sizes[i][0]),
                                         sizes[i][1]))
        centre = sizes[best][0]
        for j in list(left):
            if abs(sizes[j][0] - centre) <= tol * centre:
                out[j] = centre
                left.discard(j)
    return [float(v) for v in out]  # type: ignore[arg-type]


def _stroke(ink, r: _Render, words: list[_Word]) -> float | None:
    """Mean stroke width (points) of the ink inside the words' boxes:
    twice the ink area over its boundary length."""
    area = edge = 0
    for wd in words:
        x0, y0, x1, y1 = r.box(wd)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        b = ink[y0:y1, x0:x1]
        a = int(b.sum())
        if not a:
            continue
        inner = b[1:-1, 1:-1] & b[:-2, 1:-1] & b[2:, 1:-1] & b[1:-1, :-2] & b[1:-1, 2:]
        area += a
        edge += a - int(inner.sum())
    return 2.0 * area / edge / r.zoom if edge else None


def _wmedian(vals: list[tuple[float, float]]) -> float:
    vals = sorted(vals)
    total = sum(w for _, w in vals)
    acc = 0.0
    for v, w in vals:
        acc += w
        if acc >= total / 2:
            return v
    return vals[-1][0]


def _without_smears(lines: list[list[_Word]]) -> list[list[_Word]]:
    """The lines without smears: a line whose every word is doubtful (under
    :data:`SMEAR_CONF`) and whose few characters are spread over
    :data:`SMEAR_SIZE` times the page's typical character width is not text —
    a shadow, the page's edge or a picture read as letters (a camera's dark
    corner reads «لل ييح حب» over a third of the page)."""
    if len(lines) < 2:
        return lines
    sizes = [_line_size(ws) for ws in lines]
    typical = sorted(sizes)[len(sizes) // 2]
    return [ws for ws, size in zip(lines, sizes)
            if size <= SMEAR_SIZE * typical or max(w.conf for w in ws) >= SMEAR_CONF]


def _glyphs(words: list[_Word], r: _Render, spans: list[tuple[float, float, float]] = ()) -> OcrResult:
    # a line of one or two doubtful characters is a speck (a stray «١» or «2»)
    lines = [ws for ws in _group_lines(words)
             if sum(len(w.text) for w in ws) > 2 or max(w.conf for w in ws) >= SPECK_CONF]
    lines = _without_smears(lines)
    if not lines:
        return OcrResult([], None)
    from ..lang import language_of

    page_lang = language_of(" ".join(w.text for ws in lines for w in ws), ocr=True)
    lines = [sorted(ws, key=lambda w: w.x0 + w.x1) for ws in lines]
    _fix_guillemets(lines)
    rtls = []
    for ws in lines:
        n_rtl = sum(len(w.text) for w in ws if _is_rtl_word(w.text))
        n_ltr = sum(len(w.text) for w in ws if _is_latin_word(w.text))
        rtl = n_rtl * 10 >= 3 * max(1, n_rtl + n_ltr)
        rtls.append(rtl)
        ll = language_of(" ".join(w.text for w in ws), ocr=True)
        if ll not in ("ar", "fa"):
            ll = page_lang if page_lang in ("ar", "fa") else None
        for w in ws:
            w.text = fix_word(w.text, rtl, ll)

    raw = [_line_size(ws) for ws in lines]
    weights = [sum(len(w.text) for w in ws) for ws in lines]
    ink = r.img < min(_otsu(r.img), 200)  # type: ignore[operator]
    strokes = [_stroke(ink, r, ws) for ws in lines]
    # stroke width per em, against the page's typical (by characters)
    rel = [(st / sz, n) for st, sz, n in zip(strokes, raw, weights) if st]
    typical = _wmedian(rel) if rel else None
    ratios = [st / sz / typical if (typical and st) else 1.0 for st, sz in zip(strokes, raw)]
    # bold: a much thicker stroke, or a thicker one on larger text (headings)
    body = _wmedian(list(zip(raw, weights)))
    bolds = [q >= BOLD_RATIO or (q >= BOLD_RATIO_LARGE and rs >= LARGE * body) for q, rs in zip(ratios, raw)]
    sizes = line_sizes(raw, weights, bolds)

    for ws, size, rtl in zip(lines, sizes, rtls):
        _fix_bullet(ws, size, rtl)
        _close_gaps(ws, size, spans, ink, r)

    glyphs: list[Glyph] = []
    confs: list[float] = []
    info: list[dict] = []
    seq = 0
    for ws, size, rs, ratio, bold, rtl in zip(lines, sizes, raw, ratios, bolds, rtls):
        base = ws[0].base
        y0, y1 = base - ASCENT * size, base + DESCENT * size
        info.append({"text": " ".join(w.text for w in (reversed(ws) if rtl else ws)), "size": size, "raw": round(rs, 2),
                     "bold": bold, "stroke": round(ratio, 2), "abs_stroke": round(ratio * rs * (typical or 0), 3),
                     "conf": round(sum(w.conf for w in ws) / len(ws), 1),
                     "src": sorted({w.src for w in ws})})
        prev: Glyph | None = None
        for w in ws:
            g = Glyph(w.text, w.x0, y0, w.x1, y1, base, size, "OCR", bold, seq, w.conf)
            if prev is not None:
                mid = ((prev.x0 + prev.x1) / 2 + (g.x0 + g.x1) / 2) / 2
                glyphs.append(Glyph(" ", mid, y0, mid, y1, base, size, "OCR", bold, seq))
                seq += 1
                g.seq = seq
            glyphs.append(g)
            confs.append(w.conf)
            seq += 1
            prev = g
    conf = sum(confs) / len(confs) if confs else None
    return OcrResult(glyphs, conf, lines=info)
