"""The compiled kernel (``pdfclean._kernel``, built from ``_kernel.c`` when
pdfclean is installed), loaded once: :data:`KERNEL`, or None.

Each of its functions is the transcription of a Python function kept as the
reference and the fallback (:data:`FUNCTIONS`); tests/test_kernel.py,
tests/test_kernel_lines.py and tests/test_marked_kernel.py hold each pair to
the same output. A module built from an older ``_kernel.c`` (an editable install
not rebuilt) lacks some of them: it is not used at all.
"""

from __future__ import annotations

import glob
import importlib
import os

from .model import Glyph, TraceGlyph


# each compiled function → the Python it transcribes
FUNCTIONS = {
    "read_trace": "glyphtrace.read_trace",
    "merge_runs": "engines._merge_runs",
    "lookup": "[table[g.text] for g in glyphs] (engines.cluster_stream)",
    "texts": "[g.text for g in glyphs] (kernel.texts)",
    "pen_moves_right": "engines._pen_votes",
    "kashida_rows": "quirks._kashida_rows_py",
    "stream_was_visual": "script._stream_was_visual_py",
    "piece_pairs": "quirks._piece_pairs_py",
    "fold_overprints": "quirks._fold_overprints_py",
    "line_bands": "lines._bands_py",
    "line_segments": "lines._segments",
    "marked_scan": "marked.reader._Walk.run's loop over the common tokens",
    "trace_codes": "marked.trace._trace_codes_py",
    "trace_entries": "marked.trace._entries_py",
    "replacements": "marked.trace._replace_py",
    "rebuilt": "marked.trace._rebuilt_py",
    "merge_pieces": "marked.trace._merge_pieces_py",
    "cluster_stream": "engines._cluster_stream_py (but the numbering)",
    "kashida_spans": "quirks._kashida_spans_py",
}


def load():
    """The compiled loops (``pdfclean._kernel``, built from ``_kernel.c`` when
    pdfclean is installed), or None: not built, or ``PDFCLEAN_PURE=1`` asks for
    the Python loops (which give the same output, only slower)."""
    if os.environ.get("PDFCLEAN_PURE", "") not in ("", "0"):
        return None
    try:
        k = importlib.import_module(f"{__package__}._kernel")
    except ImportError:
        return None
    if not all(hasattr(k, name) for name in FUNCTIONS):  # built from an older _kernel.c
        return None
    k.setup(Glyph, TraceGlyph)
    return k


KERNEL = load()


def texts(glyphs: list[Glyph]) -> list[str]:
    """``[g.text for g in glyphs]``, by the compiled kernel where it is built."""
    if KERNEL is not None and type(glyphs) is list:
        return KERNEL.texts(glyphs)
    return [g.text for g in glyphs]


_DEVICE: list = []  # [the kernel, or None], once worked out


def mupdf_device(pymupdf):
    """The compiled kernel when its MuPDF text device (``_device.c``) is ready
    for the MuPDF that ``pymupdf`` loaded, else None (the kernel not built
    with MuPDF's headers, built for another MuPDF, or ``PDFCLEAN_PURE=1``).
    Its ``read_page`` gives a page's glyphs as it is drawn — what
    ``read_trace(get_texttrace())`` gives, without the trace in between — and
    ``trace_page`` the trace itself, made without PyMuPDF's per-glyph
    overhead. tests/test_device.py holds both to the text trace, bit for bit."""
    if not _DEVICE:
        k = KERNEL
        ready = False
        if k is not None and hasattr(k, "read_page"):
            version = getattr(pymupdf.mupdf, "FZ_VERSION", "")
            libs = sorted(glob.glob(os.path.join(os.path.dirname(pymupdf.mupdf.__file__), "libmupdf.so*")))
            ready = any(k.device_setup(lib, version) for lib in libs)
        _DEVICE.append(k if ready else None)
    return _DEVICE[0]
