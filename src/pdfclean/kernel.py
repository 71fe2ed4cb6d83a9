"""The compiled kernel (``pdfclean._kernel``, built from ``_kernel.c`` when
pdfclean is installed), loaded once: :data:`KERNEL`, or None.

Each of its functions is the transcription of a Python function kept as the
reference and the fallback (:func:`pdfclean.glyphtrace.read_trace`,
:func:`pdfclean.engines._merge_runs`, :func:`pdfclean.engines._pen_votes`,
:func:`pdfclean.quirks._kashida_rows_py`); tests/test_kernel.py holds each pair
to the same output.
"""

from __future__ import annotations

import importlib
import os

from .model import Glyph, TraceGlyph


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
    k.setup(Glyph, TraceGlyph)
    return k


KERNEL = load()
