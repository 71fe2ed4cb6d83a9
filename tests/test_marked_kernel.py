"""The kernel's marked-content scan (``_kernel.marked_scan``, called by
``marked.reader._Walk.run``) gives the marks the Python loop gives: on every
page of every sample and real PDF (and the forms they draw), and on content
put together from pieces, token kinds the kernel takes and those it leaves to
Python mixed, with odd bytes between them."""

from __future__ import annotations

import io

import pytest
from conftest import CORPUS
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pdfclean import marked
from pdfclean.marked import reader as reader_mod

PDFS = CORPUS
K = reader_mod.KERNEL
needs_kernel = pytest.mark.skipif(K is None, reason="the kernel is not built (or PDFCLEAN_PURE is set)")


def _walk(page, kernel: bool):
    """Marks of a page read by a fresh reader, with the kernel or without: what page() gives, or its error."""
    saved = reader_mod.KERNEL
    reader_mod.KERNEL = K if kernel else None
    try:
        r = marked.Reader(page[0])
        try:
            m = r.page(page[1])
            return m.codes, m.actual, m.artifacts, m.reversed
        except marked.MarkedError as e:
            return "error", str(e)
        finally:
            r.close()
    finally:
        reader_mod.KERNEL = saved


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_scans_every_page_as_python_does(pdf):
    import pikepdf

    data = pdf.read_bytes()
    try:
        with pikepdf.open(io.BytesIO(data)) as p:
            pages = len(p.pages)
    except pikepdf.PdfError:
        pytest.skip("pikepdf cannot open it")
    for i in range(pages):
        assert _walk((data, i), True) == _walk((data, i), False), f"page {i + 1}"


def _marks(data: bytes, kernel: bool, fonts=("one", "two", "ranges")):
    r = marked.Reader(b"")
    wide = marked._Font(0, [(b"\x00", b"\x7f"), (b"\x80\x00", b"\xff\xff")])
    r.font = lambda fo: {"two": marked._TWO, "ranges": wide}.get(fo, marked._SIMPLE)
    w = marked._Walk(r)
    saved = reader_mod.KERNEL
    reader_mod.KERNEL = K if kernel else None
    try:
        w.run(data, {"/Font": {"/F1": fonts[0], "/F2": fonts[1], "/F3": fonts[2]}}, 0, set())
    except (ValueError, marked.MarkedError) as e:  # (as the Python loop fails: page() tells them)
        return type(e), str(e)
    finally:
        reader_mod.KERNEL = saved
    m = w.marks
    return m.codes, m.actual, m.artifacts, m.reversed, w.depth_stack, w.actual_open, w.suspect


PIECES = [b"<0041>", b"<00 41>", b"<00  4\t1>", b"<004>", b"<01E8023F>", b"<0\n1>", b"<>", b"()", b"(ab)", b"(a\\)b)",
          b"(\\000\\033)", b"(a(b)c)", b"(a(b(c)))", b"(x\\\ny)", b"(\\\\\n)", b"(x\\\r\ny\\\rz)", b"(\\1234\\9)",
          b"(unclosed", b"<unclosed", b"[<01>-3<0203>5(ab)]TJ", b"[(\\000\\026) 12 (c)] TJ", b" 12.5 0 Td ", b" Tj\n",
          b" '\n", b" T* ", b"\nBT ", b" ET\n", b" q ", b" Q ", b"q", b"Q", b"xq ", b"/F1 12 Tf ", b"/F2 9 Tf ",
          b"/F3 7 Tf ", b"/F9 7 Tf ", b"/F1 +.5 Tf", b"/F2 -1.5 Tf\n", b"/F1 12Tf ", b"/F1 x Tf ",
          b"/Span <</ActualText <FEFF0646>>> BDC ", b"/Span<</ActualText (\\376\\377\\000a)>>BDC\n",
          b"/P <</MCID 3>> BDC ", b"/P<</MCID 3>>BDC", b"/Artifact <</Type /Pagination /Subtype /Header>> BDC ",
          b"/Artifact BMC ", b"/ReversedChars BMC ", b"/Span BMC", b"/TagSuspect BMC ", b" EMC\n", b"EMC ", b"EMC",
          b"xEMC ", b"% a (comment\n", b"%\r", b"/Im1 Do ", b" 1 0 0 1 0 0 cm ", b"BI /W 1 /H 1 ID \x00( EI ",
          b"/G3 gs ", b"/P /MC0 BDC ", b"/P /MC0BDC ", b"/xBMC 12 Tf ", b"/BMC 12 Tf ", b"/xBDC ", b"<< /A 1 >> ",
          b"<</A <</B 1>> >> BDC ", b"/", b"/ ", b"<", b"(", b"E", b"B", b" BDC ", b" BI ", b"/TagSuspect <</ActualText "
          b"<FEFF0628>>> BDC ", b"/ReversedChars BMC 0 Tr/F2 13 Tf 1 0 0 -1 0 0 Tm", b"/Sp BMC /c0 cs ",
          b"/Sp BMC /F2 9 Tf (ab) Tj EMC", b"/Sp BMC /xBMC 9 Tf (ab) Tj EMC", b"/ReversedChars BMC <0102> Tj EMC ",
          b"/Artifact BMC (a) Tj EMC ", b"/P <</MCID 3 /ActualText <FEFF0646>>> BDC <01E8> Tj EMC\n",
          b"/Artifact <</Type /Pagination>> BDC (x) Tj EMC ", b"/ReversedChars <</ActualText (x)>> BDC (y)Tj EMC",
          b"(\\000\\006)Tj\nEMC", b"EMC/ReversedChars BMC 0 Tr", b"/S <</A (a(b)c) /B <00>>> BDC ",
          b"/S <</A (a(b(c))) >> BDC ", b"/S <</A 1> >> BDC ", b"\x00", b"\xff", b"{", b"}", b"]"]


@needs_kernel
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_kernel_scans_pieces_as_python_does(pieces):
    data = b"".join(pieces)
    assert _marks(data, True) == _marks(data, False)


@needs_kernel
@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.binary(max_size=6)), max_size=30))
def test_kernel_scans_noise_as_python_does(pieces):
    data = b"".join(pieces)
    assert _marks(data, True) == _marks(data, False)


# ---- the trace flattened for the marks (trace_codes, trace_entries) ---------------------------

from pdfclean.marked import trace as trace_mod  # noqa: E402


def _flat_both(trace):
    """The kernel's trace_codes and trace_entries on ``trace``, each held to the Python
    reference wherever the kernel answers (None: it left the trace to Python)."""
    codes = K.trace_codes(trace)
    if codes is not None:
        assert codes == trace_mod._trace_codes_py(trace)
    flat = K.trace_entries(trace)
    if flat is not None:
        ref = trace_mod._entries_py(trace)
        assert flat == ref
        assert all(a is b for a, b in zip(flat[0], ref[0]))  # the trace's own entries, not copies
    return codes, flat


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_flattens_every_trace_as_python_does(pdf):
    from pdfclean.mupdf import load, texttrace

    pymupdf = load()
    try:
        doc = pymupdf.open(pdf)
    except Exception:
        pytest.skip("MuPDF cannot open it")
    with doc:
        for page in doc:
            codes, flat = _flat_both(texttrace(page, pymupdf.TOOLS))
            assert codes is not None and flat is not None, f"page {page.number + 1}: left to Python"


_GOOD = st.tuples(st.integers(0, 0x700), st.integers(-3, 5), st.just((1.0, 2.0)), st.just((0.0, 0.0, 1.0, 1.0)))
_ODD = st.one_of(st.tuples(st.integers(0, 9), st.one_of(st.integers(min_value=2**63), st.booleans(), st.just(-1.0))),
                 st.tuples(st.integers(0, 9)), st.just([65, 3]), st.none())
_TRACE = st.lists(st.fixed_dictionaries({"chars": st.one_of(st.lists(_GOOD, max_size=6),
                                                            st.lists(_GOOD, max_size=6).map(tuple))}), max_size=6)
_ODD_SPAN = st.one_of(st.just({"chars": "ab"}), st.just({}), st.lists(_ODD, min_size=1, max_size=2).map(
    lambda es: {"chars": es}))


@needs_kernel
@settings(max_examples=2000, deadline=None)
@given(_TRACE, st.one_of(st.none(), st.tuples(st.integers(0, 6), _ODD_SPAN)))
def test_kernel_flattens_any_trace_as_python_does_or_leaves_it(trace, odd):
    """Traces as MuPDF makes them (glyph ids -1 and others) are flattened as Python does;
    one odd span or entry among them, and the kernel leaves the trace to Python."""
    if odd is not None:
        trace.insert(min(odd[0], len(trace)), odd[1])
    codes, flat = _flat_both(trace)
    assert (codes is None) == (odd is not None) and (flat is None) == (odd is not None)


# ---- the ActualText replacements (replacements) ------------------------------------------------

from pdfclean.model import RawPage  # noqa: E402


def _replace_both(trace, actual):
    """The kernel's replacements and the Python loop on the same merged sequences: what each
    returns (repr, so that floats are compared bit for bit) and what each counted on the page.
    None when the kernel left the input to Python."""
    entries, off, code_at = trace_mod._entries_py(trace)
    last = len(code_at) - 1
    actual = trace_mod._merge_pieces(actual, lambda a, b, c: trace_mod._part_of(
        entries[code_at[b]:code_at[min(c, last)]], entries[code_at[a]:code_at[min(b, last)]], "\0"))
    got = []
    for kernel in (True, False):
        raw = RawPage(1, 0.0, 0.0, [])
        try:
            if kernel:
                out = K.replacements(trace, actual, entries, off, code_at, raw, trace_mod._RESTATES,
                                     trace_mod._SAME, trace_mod._stranded, trace_mod._part_of, trace_mod._account)
                if out is None:
                    return None
            else:
                out = trace_mod._replace_py(trace, actual, entries, off, code_at, raw)
            got.append((repr(out[0]), sorted(out[1]), dict(raw.repairs), dict(raw.account)))
        except (IndexError, ValueError) as e:  # (as the Python loop fails on sequences no reader makes)
            got.append((type(e), str(e)))
    assert got[0] == got[1]
    if len(got[0]) == 4 and out[1]:  # the spans rebuilt with those replacements, both ways
        spans = K.rebuilt(trace, off, out[0], out[1])
        ref = trace_mod._rebuilt_py(trace, off, out[0], out[1])
        assert spans is not None and repr(spans) == repr(ref)
        assert [s is t for s, t in zip(spans, ref)] == [any(s is t for t in trace) for s in ref]  # untouched: the trace's
    return got[0]


@needs_kernel
@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_kernel_replaces_actual_text_on_every_page_as_python_does(pdf):
    from pdfclean.mupdf import load, texttrace

    pymupdf = load()
    data = pdf.read_bytes()
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception:
        pytest.skip("MuPDF cannot open it")
    reader = marked.Reader(data)
    try:
        with doc:
            for page in doc:
                try:
                    marks = reader.page(page.number)
                except marked.MarkedError:
                    continue
                trace = texttrace(page, pymupdf.TOOLS)
                if marks.actual and trace_mod.trace_codes(trace) == marks.codes:
                    assert _replace_both(trace, marks.actual) is not None, f"page {page.number + 1}: left to Python"
    finally:
        reader.close()


# a cluster's pieces: letters, marks, a letter mapped to nothing (0) or beyond (-1: glyph id -1 entries)
_UC = st.sampled_from([0x628, 0x62a, 0x644, 0x627, 0x64e, 0x651, 0x64b, 0x41, 0, -3, 0xfe8e])
_PIECE = st.tuples(_UC, st.booleans(), st.sampled_from([0.0, 0.004, 3.5, 6.0]), st.sampled_from([0.0, 0.3, 12.0]),
                   st.sampled_from([-2.0, 0.0, 1.5]))
_TEXTS = st.one_of(st.sampled_from(["", "ب", "بَ", "تّ", "لا", "A", "بب", "\u0651\u064e", "ﺎ"]),
                   st.text(alphabet="بتلاَّA", max_size=3))


def _trace_of(pieces, size):
    """Spans of entries laid right to left as a producer draws them (each piece: code point,
    continuation of the glyph before, width, raise, shift)."""
    spans, x, gid = [], 300.0, 1
    for k in range(0, len(pieces), 3):
        chars = []
        for uc, more, width, rise, shift in pieces[k:k + 3]:
            if more and chars:
                prev = chars[-1]
                chars.append((uc, -1, prev[2], prev[3]))
                continue
            x -= width
            y = 100.0 - rise
            chars.append((uc, gid, (x + shift, y), (x + shift, y - 0.8 * size, x + shift + width, y + 0.2 * size)))
            gid += 1
        spans.append({"chars": tuple(chars), "size": size})
    return spans


@needs_kernel
@settings(max_examples=3000, deadline=None)
# a fatha drawn between beh and teh, each given its cluster's text: the first sequence takes the
# fatha in, and the second, which would have, must not take it again
@example([(0x628, False, 6.0, 0.0, 0.0), (0x64e, False, 0.0, 0.3, 0.0), (0x62a, False, 5.0, 0.0, 0.0)], 12.0,
         [(0, 1, "بَ"), (2, 1, "تَ")])
@given(st.lists(_PIECE, max_size=12), st.sampled_from([0.0, 10.0, 12.0]),
       st.lists(st.tuples(st.integers(0, 13), st.integers(0, 4), _TEXTS), max_size=6))
def test_kernel_replaces_any_actual_text_as_python_does(pieces, size, seqs):
    trace = _trace_of(pieces, size)
    codes = trace_mod._trace_codes_py(trace)
    actual = [(a, a + n, t) for a, n, t in seqs if a <= codes]
    assert _replace_both(trace, actual) is not None


@needs_kernel
@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 3), st.sampled_from(["ب", "بَ", "تّ", ""])), max_size=10),
       st.integers(0, 5))
def test_kernel_merges_cluster_pieces_as_python_does(seqs, seed):
    """Sequences put together as the merge asks ``over`` (the same questions, in the same order)."""
    actual = [(a, a + n, t) for a, n, t in seqs]

    def asker(log):
        def over(a, b, c):
            log.append((a, b, c))
            return (a * 7 + b * 3 + c + seed) % 3 != 0
        return over

    kl, pl = [], []
    got = K.merge_pieces(list(actual), asker(kl))
    assert got == trace_mod._merge_pieces_py(list(actual), asker(pl)) and kl == pl
    assert K.merge_pieces([(0, 1, "ب"), (1, 2)], asker([])) is None  # not (int, int, str): Python's
