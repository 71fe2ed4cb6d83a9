"""The fast paths of the glyph stage give what the plain ones gave.

Each speed-up of the glyph stage (kashida rows, cluster pieces, the stroke
test, the marked-content scan, ActualText applied to the trace, artifacts)
is checked here against the plain version it replaced, kept below as the
oracle, on generated input; byte-identical output on the sample and real
PDFs is checked by comparing runs (see benchmarks/run.py).
"""

from __future__ import annotations

import copy
import glob
import random
import re

import pymupdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pdfclean import engines, fontmap, marked, quirks
from pdfclean.model import Glyph, RawPage, ink
from pdfclean.quirks import (KASHIDA_NEAR_EM, KASHIDA_TOUCH_EM, PIECE_MARK_NEAR_EM, PIECE_OFF_EM, PIECE_ZERO_EM,
                             SHAPE_MIN, SHAPE_SHARE, _JOIN, _is_mark, _meet, _paired, _repeated, _shape, _split_base,
                             _without)

# --- the oracles: the plain versions -----------------------------------------------


def plain_drop_kashida(glyphs):
    join = _JOIN
    cands = [k for k, g in enumerate(glyphs) if len(g.text) == 1 and join[g.text] in "ps" and join[g.text]]
    if not cands:
        return glyphs, 0
    baselines = {glyphs[k].baseline for k in cands}
    rows = {}
    for k, g in enumerate(glyphs):
        if g.baseline in baselines and not quirks.unicodedata.combining(g.text[0]):
            rows.setdefault(g.baseline, []).append(k)
    drop, shaped, left = [], {}, {}
    for row in rows.values():
        row.sort(key=lambda k: glyphs[k].x0 + glyphs[k].x1)
        em = KASHIDA_NEAR_EM if any(glyphs[k].text.isspace() for k in row) else KASHIDA_TOUCH_EM
        i, n = 0, len(row)
        while i < n:
            g = glyphs[row[i]]
            if len(g.text) != 1 or join[g.text] not in ("p", "s"):
                i += 1
                continue
            j = i
            while j + 1 < n and len(glyphs[row[j + 1]].text) == 1 and join[glyphs[row[j + 1]].text] in ("p", "s") \
                    and _meet(glyphs[row[j]], glyphs[row[j + 1]], em):
                j += 1
            if i > 0 and j + 1 < n:
                a, b = glyphs[row[i - 1]], glyphs[row[j + 1]]
                if join[a.text[0]] in ("j", "l") and join[b.text[-1]] == "j" \
                        and _meet(a, g, em) and _meet(glyphs[row[j]], b, em):
                    run = row[i:j + 1]
                    for k in run:
                        left[k] = a
                    if all(join[glyphs[k].text] == "p" for k in run):
                        drop.extend(run)
                    elif not _paired(glyphs, row, i, j):
                        if _repeated(glyphs, run):
                            drop.extend(run)
                        for k in run:
                            shaped.setdefault(_shape(glyphs[k]), []).append(k)
            i = j + 1
    if shaped:
        total = {}
        for k in cands:
            key = _shape(glyphs[k])
            if key in shaped:
                total[key] = total.get(key, 0) + 1
        for key, ks in shaped.items():
            if len(ks) >= SHAPE_MIN and len(ks) >= SHAPE_SHARE * total[key]:
                drop.extend(ks)
    if not drop:
        return glyphs, 0
    for k in drop:
        a = left[k]
        if glyphs[k].x1 > a.x1:
            a.x1 = glyphs[k].x1
    gone = set(drop)
    return [g for k, g in enumerate(glyphs) if k not in gone], len(gone)


def plain_fold_cluster_pieces(glyphs, bars=None):
    n = len(glyphs)
    changed = 0
    drop = set()
    for i, g in enumerate(glyphs):
        size = g.size if g.size > 1 else 1.0
        if g.x1 - g.x0 >= PIECE_ZERO_EM * size or not g.text:
            continue
        base, marks = _split_base(g.text)
        for j in (i - 1, i + 1):
            if not 0 <= j < n or j in drop:
                continue
            o = glyphs[j]
            if abs(o.baseline - g.baseline) > 0.6 * size:
                continue
            if base:
                off = PIECE_OFF_EM * size if marks else 0.0
                if o.x1 - o.x0 < PIECE_ZERO_EM * size or not o.x0 - off < g.x0 < o.x1 + off:
                    continue
                obase, omarks = _split_base(o.text)
                if obase != base:
                    continue
                rest = marks
                for c in omarks:
                    rest = rest.replace(c, "", 1)
            elif len(marks) > 1 and o.text and all(_is_mark(c) for c in o.text) \
                    and o.x1 - o.x0 < PIECE_ZERO_EM * size and abs(o.x0 - g.x0) < PIECE_MARK_NEAR_EM * size:
                rest = _without(marks, o.text)
                if rest is None or len(rest) == len(marks):
                    continue
            else:
                continue
            if rest:
                g.text = rest
            else:
                drop.add(i)
            changed += 1
            break
    if bars:
        for i, g in enumerate(glyphs):
            if id(g) not in bars or i in drop or len(g.text) != 1 or _JOIN[g.text] not in ("j", "l"):
                continue
            size = g.size if g.size > 1 else 1.0
            if g.x1 - g.x0 < PIECE_ZERO_EM * size:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < n or j in drop:
                    continue
                o = glyphs[j]
                if o.text == g.text and o.font == g.font and abs(o.baseline - g.baseline) < 0.05 * size \
                        and (abs(o.x0 - g.x1) < 0.1 * size or abs(g.x0 - o.x1) < 0.1 * size):
                    o.x0, o.x1 = min(o.x0, g.x0), max(o.x1, g.x1)
                    o.y0, o.y1 = min(o.y0, g.y0), max(o.y1, g.y1)
                    drop.add(i)
                    changed += 1
                    break
    if drop:
        glyphs = [g for k, g in enumerate(glyphs) if k not in drop]
    return glyphs, changed


def plain_drop_marks_mapped_to_punctuation(glyphs):
    drop = []
    n = len(glyphs)
    for i, g in enumerate(glyphs):
        if len(g.text) != 1 or _JOIN[g.text] not in ("p", "s") or g.text.isdigit():
            continue
        size = g.size if g.size > 1 else 1.0
        if g.x1 - g.x0 >= PIECE_ZERO_EM * size:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                o = glyphs[j]
                if _JOIN[o.text[:1]] in ("j", "l") and o.x1 - o.x0 >= PIECE_ZERO_EM * size \
                        and o.x0 - 0.01 <= g.x0 <= o.x1 + 0.01 and abs(o.baseline - g.baseline) < 0.3 * size:
                    drop.append(i)
                    break
    if not drop:
        return glyphs, 0
    gone = set(drop)
    return [g for k, g in enumerate(glyphs) if k not in gone], len(drop)


def plain_apply_actual(trace, actual, raw):
    """The ActualText half of marked.apply_trace as it was (every span rebuilt once anything changed)."""
    from pdfclean.marked import _SAME, _account, _advance, _merge_pieces, _part_of, _span, _stranded

    entries, where = [], []
    for si, span in enumerate(trace):
        entries += span["chars"]
        where += [si] * len(span["chars"])
    code_at = [i for i, c in enumerate(entries) if c[1] != -1] + [len(entries)]
    changed = False
    last = len(code_at) - 1
    actual = _merge_pieces(actual, lambda a, b, c: _part_of(
        entries[code_at[b]:code_at[min(c, last)]], entries[code_at[a]:code_at[min(b, last)]], "\0"))
    covered = {c for a, b, _t in actual for c in range(a, b)}
    for start, end, text in actual:
        end = min(end, last)
        while start > 0 and start - 1 not in covered and _part_of(
                entries[code_at[start - 1]:code_at[start]], entries[code_at[start]:code_at[end]], text):
            start -= 1
        while end < last and end not in covered and _part_of(
                entries[code_at[end]:code_at[end + 1]], entries[code_at[start]:code_at[end]], text):
            end += 1
        covered.update(range(start, end))
        i, j = code_at[start], code_at[end]
        group = entries[i:j]
        if not group:
            continue
        old = "".join([chr(c[0]) for c in group if c[0] > 0])
        if _SAME[(old, text)] or _stranded(old, text):
            continue
        size = trace[where[i]]["size"] or 1.0
        ys = [c[2][1] for c in group]
        if max(ys) - min(ys) > 0.5 * size:
            continue
        inked = [c for c in group if c[3][2] - c[3][0] > 0.01] or group
        box = (min([c[3][0] for c in inked]), min([c[3][1] for c in group]),
               max([c[3][2] for c in inked]), max([c[3][3] for c in group]))
        first, base = group[0], max(group, key=_advance)
        entries[i] = [(ord(ch), first[1] if n == 0 else -1, base[2], box) for n, ch in enumerate(text)]
        for k in range(i + 1, j):
            entries[k] = None
        changed = True
        _account(raw, old, text)
    if not changed:
        return trace
    per = [[] for _ in trace]
    for c, si in zip(entries, where):
        if c is None:
            continue
        if type(c) is list:
            per[si] += c
        else:
            per[si].append(c)
    return [_span(span, cs) for span, cs in zip(trace, per) if cs]


def plain_split_by_kind(spans, marks):
    kinds = marked._kinds(marks)
    parts, k, cur_kind, cur = [], -1, None, []
    for span in spans:
        piece = []
        for c in span["chars"]:
            if c[1] != -1:
                k += 1
                kind = kinds[k] if k < len(kinds) else None
                if kind != cur_kind:
                    if piece:
                        cur.append(marked._span(span, piece))
                        piece = []
                    if cur:
                        parts.append((cur, cur_kind))
                    cur, cur_kind = [], kind
            piece.append(c)
        if piece:
            cur.append(marked._span(span, piece))
    if cur:
        parts.append((cur, cur_kind))
    return parts


# --- generated glyphs ---------------------------------------------------------------

# joining and right-joining letters, presentation forms, marks, elongation look-alikes, space
ALPHABET = list("بتسلمكهيادروة") + ["\ufedf", "\ufee0", "\ufe8e"] + ["\u064e", "\u0651", "\u064b", "\u0652"] \
    + list(",.1(/)«»ـ،:J") + [" ", "لا", "بَ", "لاً"]


@st.composite
def glyph_rows(draw):
    """A page's glyphs: a few lines, letters drawn touching (or not), in some drawing order."""
    glyphs = []
    for line in range(draw(st.integers(1, 3))):
        base = 20.0 * line + 10
        x = 0.0
        for _ in range(draw(st.integers(1, 14))):
            text = draw(st.sampled_from(ALPHABET))
            w = draw(st.sampled_from([0.0, 0.1, 2.4, 3.0, 5.5]))
            gap = draw(st.sampled_from([0.0, 0.0, -0.2, 0.2, 3.0]))
            size = draw(st.sampled_from([10.0, 12.0]))
            font = draw(st.sampled_from("FG"))
            glyphs.append(Glyph(text, x + gap, base - 8, x + gap + w, base + 2, base, size, font))
            x += gap + w
    order = draw(st.permutations(range(len(glyphs))))
    return [glyphs[i] for i in order]


def boxes(glyphs):
    return [(g.text, g.x0, g.y0, g.x1, g.y1, g.baseline) for g in glyphs]


@settings(max_examples=400, deadline=None)
@given(glyph_rows())
def test_kashida_rows(glyphs):
    a, b = copy.deepcopy(glyphs), copy.deepcopy(glyphs)
    ka, na = plain_drop_kashida(a)
    kb, nb = quirks.drop_kashida(b)
    assert na == nb and boxes(ka) == boxes(kb) and boxes(a) == boxes(b)


@settings(max_examples=400, deadline=None)
@given(glyph_rows(), st.randoms(use_true_random=False))
def test_cluster_pieces(glyphs, rnd):
    a, b = copy.deepcopy(glyphs), copy.deepcopy(glyphs)
    bars_a = {id(g) for g in a if rnd.random() < 0.3}
    bars_b = {id(g) for g, h in zip(b, a) if id(h) in bars_a}
    ka, na = plain_fold_cluster_pieces(a, bars_a)
    had = sum(ink(g.text) for g in b)
    kb, nb, lost = quirks.cluster_pieces(b, bars_b)
    assert na == nb and boxes(ka) == boxes(kb) and boxes(a) == boxes(b)
    assert lost == had - sum(ink(g.text) for g in kb)
    # the engine's test, asked per glyph, answers as the set did
    c = copy.deepcopy(glyphs)
    bars_c = {id(g) for g, h in zip(c, a) if id(h) in bars_a}
    kc, nc, _ = quirks.cluster_pieces(c, lambda g: id(g) in bars_c)
    assert nc == nb and boxes(kc) == boxes(kb)


@settings(max_examples=300, deadline=None)
@given(glyph_rows())
def test_marks_mapped_to_punctuation(glyphs):
    ka, na = plain_drop_marks_mapped_to_punctuation(glyphs)
    kb, nb = quirks.drop_marks_mapped_to_punctuation(glyphs)
    assert na == nb and boxes(ka) == boxes(kb)
    texts = [g.text for g in glyphs]  # the candidates taken from the kashida repair's kinds
    kc, nc = quirks.drop_marks_mapped_to_punctuation(glyphs, texts, quirks.row_kinds(texts))
    assert nc == nb and boxes(kc) == boxes(kb)


def test_no_punctuation_is_a_combining_mark():
    """What lets drop_marks_mapped_to_punctuation take its glyphs from row_kinds' candidates:
    a character the kashida repair calls punctuation ("p", "s") never combines."""
    import unicodedata

    assert [cp for cp in range(0x110000) if quirks._JOIN[chr(cp)] in ("p", "s") and
            unicodedata.combining(chr(cp))] == []


def test_kashida_and_pieces_on_the_samples():
    """Every page of a few samples, through both versions of each repair."""
    pdfs = sorted(glob.glob("samples/pdfs/*-libreoffice-kashida.pdf"))[:2] + \
        sorted(glob.glob("samples/pdfs/*-weasyprint.pdf"))[:2] + sorted(glob.glob("samples/pdfs/*-typst.pdf"))[:1]
    if not pdfs:
        pytest.skip("no samples")
    for pdf in pdfs:
        with pymupdf.open(pdf) as d:
            for page in d:
                raw = RawPage(1, page.rect.width, page.rect.height, [])
                glyphs = engines.PyMuPDFEngine._glyphs(page.get_texttrace(), page.cropbox, raw, None)
                a, b = copy.deepcopy(glyphs), copy.deepcopy(glyphs)
                assert boxes(plain_drop_kashida(a)[0]) == boxes(quirks.drop_kashida(b)[0])
                a, b = copy.deepcopy(glyphs), copy.deepcopy(glyphs)
                assert boxes(plain_fold_cluster_pieces(a)[0]) == boxes(quirks.cluster_pieces(b)[0])


# --- the stroke test ------------------------------------------------------------------

def test_trace_glyphs_know_their_glyph_id():
    pdf = sorted(glob.glob("samples/pdfs/*-weasyprint.pdf"))[:1]
    if not pdf:
        pytest.skip("no samples")
    with pymupdf.open(pdf[0]) as d:
        page = d[0]
        trace = page.get_texttrace()
        glyphs = engines.PyMuPDFEngine._glyphs(trace, page.cropbox, RawPage(1, 1, 1, []), None)
    ids = {(c[3][0], c[3][2], c[2][1]): c[1] for s in trace for c in s["chars"] if c[1] != -1}
    assert glyphs and all(g.gid == ids[(g.x0, g.x1, g.baseline)] for g in glyphs)


def test_raw_programs_agree_with_fonttools():
    """The raw reader's advances are fontTools', and it calls a glyph surely
    no stroke only where draws_bar says so (every glyph of a few programs)."""
    pdfs = sorted(glob.glob("samples/pdfs/*-weasyprint.pdf"))[:2] + sorted(glob.glob("samples/pdfs/*-chromium.pdf"))[:1]
    if not pdfs:
        pytest.skip("no samples")
    seen = 0
    for pdf in pdfs:
        with pymupdf.open(pdf) as d:
            for xref, ext, *_ in d[0].get_fonts():
                data = d.extract_font(xref)[3]
                if ext != "ttf" or not data:
                    continue
                ft, sf = fontmap.FontText(data), fontmap._Sfnt(data)
                for gid in range(min(sf.glyphs, 400)):
                    if ft.ok and ft.advance(gid) is not None:
                        assert sf.advance(gid) == ft.advance(gid)
                    if quirks.no_bar(sf.on_curve_extent(gid), sf.upem):
                        assert not quirks.draws_bar(ft._font, gid)
                        seen += 1
    assert seen > 50


def test_no_bar_needs_points():
    assert not quirks.no_bar(None, 1000)
    assert quirks.no_bar((0, 700), 1000) and quirks.no_bar((-200, 100), 1000)
    assert not quirks.no_bar((10, 100), 1000)  # as flat as a stroke: draws_bar decides


# --- the marked-content scan ----------------------------------------------------------

def _one_by_one():
    """The scan's pattern without the alternatives that take several tokens at once."""
    pat = marked._SCAN.pattern
    many = marked._STRINGS
    one = rb"/(?P<otag>" + marked._NAME + rb")\s*(?P<oprops>" + marked._PROPS + rb")\s*BDC" + marked._END \
        + marked._QUIET + rb"(?P<ostrings>" + many + rb")" + marked._QUIET + marked._EMC + rb"(?P<one>)|"
    assert one in pat
    pat = pat.replace(one, b"")
    strings = rb"(?P<strings>(?P<first>" + marked._STRING + rb")(?:" + marked._QUIET + marked._STRING + rb")*+)"
    assert strings in pat
    return re.compile(pat.replace(strings, rb"(?P<strings>(?P<first>" + marked._STRING + rb"))"), re.S)


ONE_BY_ONE = _one_by_one()
PIECES = [b"<0041>", b"<00 41>", b"<004>", b"<01E8023F>", b"(ab)", b"(a\\)b)", b"(\\000\\033)", b"(a(b)c)",
          b"(x\\\ny)", b"[<01>-3<0203>5(ab)]TJ", b"[(\\000\\026) 12 (c)] TJ", b" 12.5 0 Td ", b" Tj\n", b" '\n",
          b" T* ", b"\nBT ", b" ET\n", b" q ", b" Q ", b"/F1 12 Tf ", b"/F2 9 Tf ", b"/Span <</ActualText <FEFF0646>>> BDC ",
          b"/Span<</ActualText (\\376\\377\\000a)>>BDC\n", b"/P <</MCID 3>> BDC ", b"/Artifact <</Type /Pagination "
          b"/Subtype /Header>> BDC ", b"/Artifact BMC ", b"/ReversedChars BMC ", b" EMC\n", b"EMC ", b"% a (comment\n",
          b"/Im1 Do ", b" 1 0 0 1 0 0 cm ", b"BI /W 1 /H 1 ID \x00( EI ", b"/G3 gs "]


def _marks(pattern, data):
    r = marked.Reader(b"")
    r.font = lambda fo: marked._TWO if fo == "two" else marked._SIMPLE
    w = marked._Walk(r)
    saved = marked._SCAN
    marked.reader._SCAN = pattern
    try:
        w.run(data, {"/Font": {"/F1": "one", "/F2": "two"}}, 0, set())
    finally:
        marked.reader._SCAN = saved
    m = w.marks
    return m.codes, m.actual, m.artifacts, m.reversed, w.depth_stack


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_scan_takes_many_tokens_as_one(pieces):
    data = b"".join(pieces)
    assert _marks(marked._SCAN, data) == _marks(ONE_BY_ONE, data)


def test_scan_on_the_samples():
    for pdf in sorted(glob.glob("samples/pdfs/*-chromium.pdf"))[:2] + sorted(glob.glob("samples/pdfs/*-typst.pdf"))[:1]:
        import pikepdf

        with pikepdf.open(pdf) as p:
            for page in p.pages:
                c = page.obj.get("/Contents")
                data = c.read_bytes() if isinstance(c, pikepdf.Stream) else b"\n".join(s.read_bytes() for s in c)
                assert _marks(marked._SCAN, data) == _marks(ONE_BY_ONE, data)


# --- ActualText and artifacts applied to the trace ----------------------------------

def _trace(rnd: random.Random):
    spans, x = [], 0.0
    for _s in range(rnd.randint(1, 6)):
        chars = []
        for _c in range(rnd.randint(1, 5)):
            uc = rnd.choice([0x0628, 0x0644, 0xFEDF, 0x064E, 0x0627, 0x20, -1])
            w = rnd.choice([0.0, 5.0])
            base = rnd.choice([10.0, 10.0, 30.0])
            chars.append((uc, rnd.choice([7, 8]), (x, base), (x, base - 8, x + w, base + 2)))
            if rnd.random() < 0.2:  # a further character of the same glyph
                chars.append((0x0627, -1, (x, base), (x, base - 8, x + w, base + 2)))
            x += w
        spans.append({"chars": tuple(chars), "size": 10.0, "font": "F", "bbox": (0, 0, x, 12)})
    return spans


@pytest.mark.parametrize("seed", range(300))
def test_actual_text_applied_as_before(seed):
    rnd = random.Random(seed)
    trace = _trace(rnd)
    codes = sum(1 for s in trace for c in s["chars"] if c[1] != -1)
    actual, at = [], 0
    while at < codes:
        n = rnd.randint(1, 3)
        if rnd.random() < 0.6:
            actual.append((at, min(at + n, codes), rnd.choice(["ب", "لا", "بَ", "ل", "\ufedf", "x"])))
        at += n
    raw_a, raw_b = RawPage(1, 1, 1, []), RawPage(1, 1, 1, [])
    assert marked._apply_actual(copy.deepcopy(trace), actual, raw_a) == plain_apply_actual(copy.deepcopy(trace),
                                                                                          actual, raw_b)
    assert raw_a.repairs == raw_b.repairs and raw_a.account == raw_b.account
    arts, at = [], 0
    while at < codes:
        n = rnd.randint(1, 4)
        if rnd.random() < 0.4:
            arts.append((at, min(at + n, codes), rnd.choice(["header", "footer"])))
        at += n
    m = marked.Marks(codes, [], arts)
    assert marked._split_by_kind(trace, m) == plain_split_by_kind(trace, m)


# --- the marked-content scan: sequences taken whole, string counts kept per font ------------

def _token_by_token():
    """The scan's pattern with every alternative that takes several tokens at
    once taken out (strings, BDC/BMC sequences), as the scan read before them."""
    pat = ONE_BY_ONE.pattern
    bmc = pat[pat.index(rb"/(?P<btag>"):pat.index(rb"(?P<bseq>)|") + len(rb"(?P<bseq>)|")]
    return re.compile(pat.replace(bmc, b""), re.S)


TOKEN_BY_TOKEN = _token_by_token()
MORE_PIECES = PIECES + [b"/ReversedChars BMC ", b"/ReversedChars BMC 0 Tr/F2 13 Tf 1 0 0 -1 0 0 Tm",
                        b"/Span BMC", b"/TagSuspect BMC ", b"/TagSuspect <</ActualText <FEFF0628>>> BDC ",
                        b"/F1 9 Tf", b"/xBMC 12 Tf ", b"/BMC 12 Tf ", b"/F2 -1.5 Tf\n", b"[(\\000\\006\\000\\021)]TJ\n",
                        b"/Artifact <</Type /Pagination>> BDC ", b"/ReversedChars <</ActualText (x)>> BDC ",
                        b"/P <</MCID 3 /ActualText <FEFF0646>>> BDC <01E8> Tj EMC\n", b"/Sp BMC /c0 cs ",
                        b"(\\000\\006)Tj\nEMC", b"EMC/ReversedChars BMC 0 Tr"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(MORE_PIECES), max_size=40))
def test_scan_takes_sequences_as_tokens(pieces):
    data = b"".join(pieces)
    assert _marks(marked._SCAN, data) == _marks(TOKEN_BY_TOKEN, data)


def test_scan_takes_sequences_as_tokens_on_the_samples():
    import pikepdf

    pdfs = sorted(glob.glob("samples/pdfs/*-chromium.pdf"))[:2] + sorted(glob.glob("samples/pdfs/*-typst.pdf"))[:2]
    for pdf in pdfs:
        with pikepdf.open(pdf) as p:
            for page in p.pages:
                c = page.obj.get("/Contents")
                data = c.read_bytes() if isinstance(c, pikepdf.Stream) else b"\n".join(s.read_bytes() for s in c)
                assert _marks(marked._SCAN, data) == _marks(TOKEN_BY_TOKEN, data)


# --- ActualText applied to the trace: sequences that restate one glyph skipped ----------------

@pytest.mark.parametrize("seed", range(300))
def test_actual_text_restating_glyphs_applied_as_before(seed):
    """Most sequences say what their one glyph says (as Chromium's): the ones
    :func:`marked._apply_actual` skips at once must be those that change nothing."""
    rnd = random.Random(1000 + seed)
    trace = _trace(rnd)
    entries = [c for s in trace for c in s["chars"]]
    code_at = [i for i, c in enumerate(entries) if c[1] != -1]
    actual, at = [], 0
    while at < len(code_at):
        n = 1 if rnd.random() < 0.7 else rnd.randint(1, 3)
        if rnd.random() < 0.7:
            uc = entries[code_at[at]][0]
            own = chr(uc) if uc > 0 else ""
            text = rnd.choice([own, own, own + "\u064e", "\ufedf" if own == "\u0644" else own, "ب", "\0", ""])
            actual.append((at, min(at + n, len(code_at)), text))
        at += n
    raw_a, raw_b = RawPage(1, 1, 1, []), RawPage(1, 1, 1, [])
    assert marked._apply_actual(copy.deepcopy(trace), actual, raw_a) == plain_apply_actual(copy.deepcopy(trace),
                                                                                          actual, raw_b)
    assert raw_a.repairs == raw_b.repairs and raw_a.account == raw_b.account


@pytest.mark.parametrize("seed", range(200))
def test_split_by_kind_looks_only_at_spans_a_change_falls_in(seed):
    """Artifacts over a trace with empty spans and spans that begin with a
    glyph's further character (glyph id -1): as the plain version cut it."""
    rnd = random.Random(5000 + seed)
    trace = _trace(rnd)
    for _ in range(rnd.randint(0, 3)):
        at = rnd.randint(0, len(trace))
        chars = () if rnd.random() < 0.5 else ((0x064E, -1, (0.0, 10.0), (0.0, 2.0, 1.0, 12.0)),) * rnd.randint(1, 2)
        trace.insert(at, {"chars": chars, "size": 10.0, "font": "F", "bbox": (0, 0, 1, 12)})
    codes = sum(1 for s in trace for c in s["chars"] if c[1] != -1)
    arts, at = [], 0
    while at < codes:
        n = rnd.randint(1, 6)
        if rnd.random() < 0.5:
            arts.append((at, min(at + n, codes), rnd.choice(["header", "footer", "page_number"])))
        at += n
    m = marked.Marks(codes, [], arts)
    assert marked._split_by_kind(trace, m) == plain_split_by_kind(trace, m)


def test_actual_text_of_one_glyph_inside_a_span_is_kept():
    """An ActualText replacing one glyph by one character inside a span (the
    span's first and last entries unchanged, its length too) is applied."""
    def c(ch, x):
        return (ord(ch), 7, (x, 10.0), (x, 2.0, x + 5.0, 12.0))

    trace = [{"chars": (c("ب", 0.0), c("x", 5.0), c("ت", 10.0)), "size": 10.0, "font": "F", "bbox": (0, 2, 15, 12)}]
    raw = RawPage(1, 1, 1, [])
    (spans, _kind), = marked.apply_trace(trace, marked.Marks(3, [(1, 2, "ن")]), raw)
    assert [chr(e[0]) for s in spans for e in s["chars"]] == ["ب", "ن", "ت"]
    assert raw.repairs["actual_text"] == 1


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from([b"\\", b"0", b"7", b"8", b"1", b"\n", b"\r", b"a", b"(", b"\\000", b"\\\\"]),
                max_size=30))
def test_literal_length_as_before(pieces):
    body = b"".join(pieces)
    assert marked._literal_len(body) == len(marked._ONE.sub(b"x", marked._CONT.sub(b"", body)))


# --- after the engine: script repair, the page, assemble (sp-lines) --------------------------------

from collections import Counter  # noqa: E402

from pdfclean import lang, quality, script  # noqa: E402

_TEXT_CHARS = ("اأإآلوفبكمنيةىیکپ\u0640\u064b\u064c\u0650\u0670\u200c \u00a0\t\nAbcZz09٣۴%()«»"
               "\u200e\u202b\u061c\ufb50\ufe8d\ufefb\ufbfc\ufb01\x00\x7f\u2003\u202f\u3000\ufeff.-+")
_texts = st.text(alphabet=_TEXT_CHARS, max_size=12)


@settings(max_examples=3000, deadline=None)
@given(_texts)
def test_needs_fixes_is_any_fix(text):
    assert script._needs_fixes(text) == bool(script._ANY_FIX.search(text))


def plain_function_word_hits(text):
    fwd = rev = 0
    for w in quality._SCRIPT_WORD.findall(text):
        if w in quality.FUNCTION_WORDS:
            fwd += 1
        elif w in quality._REVERSED_FW:
            rev += 1
    return fwd, rev


_words_st = st.lists(st.sampled_from(sorted(quality.FUNCTION_WORDS | quality._REVERSED_FW) + ["البيت", "x", "٣"]),
                     max_size=8).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_texts, _words_st), max_size=6))
def test_function_word_hits_of_joined_lines(texts):
    per_line = [plain_function_word_hits(t) for t in texts]
    assert quality.function_word_hits(" ".join(texts)) == (sum(f for f, _ in per_line), sum(r for _, r in per_line))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_texts, _words_st), min_size=1, max_size=4), st.lists(st.integers(0, 3), max_size=12))
def test_the_words_of_the_last_text_are_not_read_again_but_answer_the_same(texts, order):
    """:func:`quality._script_words` keeps the last text's words: asked in any
    order, again and again, the three functions that read them answer as if
    each read its text afresh."""
    for k in order + [0]:
        t = texts[k % len(texts)]
        assert quality.function_word_hits(t) == plain_function_word_hits(t)
        words = quality._SCRIPT_WORD.findall(t)
        common = sum(w in quality._COMMON_WORDS for w in words)
        article = sum(len(w) > 3 for w in words if w.startswith(quality._ARTICLE))
        assert quality.script_plausibility(t) == ((len(words), max(common, article) / len(words)) if words
                                                 else (0, 0.0))
        assert quality.text_quality(t) == plain_text_quality(t)


def plain_text_quality(text):
    total = good = 0
    for tok in text.split():
        n = len(tok)
        total += n
        if quality._GOOD_TOKEN.fullmatch(tok) or (tok.isascii() and quality._ascii_wordlike(tok)):
            good += n
    score = good / total if total else 1.0
    words, plausible = quality.script_plausibility(text)
    if words >= quality.PLAUSIBLE_WORDS and plausible < quality.IMPLAUSIBLE_BELOW:
        score = min(score, quality.NO_LANGUAGE_QUALITY)
    return score


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_texts, _words_st, st.sampled_from(["COP29", "(3.5%).", "WYX[Z^]`_b"])), max_size=60))
def test_text_quality_of_distinct_tokens(parts):
    text = " ".join(parts)
    assert quality.text_quality(text) == plain_text_quality(text)


def plain_is_rtl(glyphs):
    r = l_ = 0
    for g in glyphs:
        c = script._CLASS[g.text[0]]
        if c == "R":
            r += g.n if g.n > 1 else sum(script._LETTERS_IN[ch] for ch in g.text if script._CLASS[ch] == "R")
        elif c == "L":
            l_ += g.n
    return r > 0 and r * 10 >= 3 * (r + l_)


_glyph_texts = st.sampled_from(["ب", "ﷲ", "لا", "\ufefb", "a", "ab", "3", " ", "(", "\u200c", "بa", "aب", "ﻻ"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(_glyph_texts, st.integers(1, 4), st.booleans(), st.integers(0, 50)), min_size=1,
                max_size=12))
def test_line_direction_with_known_classes(spec):
    glyphs = [Glyph(t, i, 0, i + 1, 1, 1, 10, n=n if len(t) == 1 else 1, rightward=rw, seq=seq)
              for i, (t, n, rw, seq) in enumerate(spec)]
    types = "".join(script._CLASS[g.text[0]] for g in glyphs)
    assert script._is_rtl(glyphs, types) == script._is_rtl(glyphs) == plain_is_rtl(glyphs)
    assert script._stream_was_visual(glyphs, types) == script._stream_was_visual(glyphs)
    clusters = [g.text for g in glyphs]
    for rtl in (None, True, False):
        assert script._visual_to_logical(clusters, types, rtl) == script.visual_to_logical(clusters, rtl)


def test_empty_counter_is_a_counter():
    c = script._counter()
    assert type(c) is Counter and c == Counter() and not c
    c["x"] += 2
    c.update(Counter(y=1))
    assert c == Counter(x=2, y=1)


@settings(max_examples=1000, deadline=None)
@given(_texts)
def test_language_words_without_zwnj(text):
    plain = [w.strip(lang.ZWNJ) for w in lang._WORD_RE.findall(text) if w.strip(lang.ZWNJ)]
    assert lang._words(text) == plain


# the regexes _spacing once ran over every line (it now scans for the marks only)
_MID_BREAK = re.compile(r"\S([\-‐–/])( ?)\S")
_DASH_AFTER = re.compile(r"(?<=\S)( ?)([–—])(?= )")


def plain_spacing(pages):
    spaced, tight = Counter(), Counter()
    for p in pages:
        for l in p.lines:
            for m in _MID_BREAK.finditer(l.text):
                (spaced if m.group(2) else tight)["after", m.group(1)] += 1
            for m in _DASH_AFTER.finditer(l.text):
                (spaced if m.group(1) else tight)["tight_before", m.group(2)] += 1
    return frozenset(k for k in tight if k[0] == "tight_before" and tight[k] > spaced[k]) | frozenset(
        k for k in spaced if k[0] == "after" and spaced[k] > tight[k])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="اب a1-‐–—/ \n\t\u00a0", max_size=10), max_size=5), max_size=3))
def test_spacing_over_joined_lines(pages_texts):
    from pdfclean.blocks import _spacing
    from pdfclean.model import Line, Page
    pages = [Page(i + 1, 100, 100, [Line(t, 0, 0, 1, 1, 10, False, i + 1) for t in texts])
             for i, texts in enumerate(pages_texts)]
    assert _spacing(pages) == plain_spacing(pages)


def test_ink_of_a_printable_text_counts_its_spaces():
    """The shortcut of :func:`ink`: no printable character but the ASCII space is white space
    (``\\s``, as the expression reads it) or a ZWSP, over every code point; and both ways agree."""
    ws = re.compile(r"[\s\u200b]")
    assert [cp for cp in range(0x110000) if chr(cp).isprintable() and ws.match(chr(cp)) and cp != 0x20] == []


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ب ت\u00a0\u200b\t\naé\u2003١")))
def test_ink_counts_as_the_expression(text):
    assert ink(text) == len(text) - len(re.findall(r"[\s\u200b]", text))
