"""PyMuPDF, loaded without the add-ons pdfclean never calls.

PyMuPDF 2 installs, and imports whenever they are installed, the
``pymupdf_layout`` package and ``pymupdf4llm``; they load numpy and
onnxruntime, which cost about 2 s and 50 MB per process start (10× the
engine itself) and start threads that a process that forks (the batch
zygote) must not have. :func:`load` imports PyMuPDF with both treated as
absent, which PyMuPDF allows for; afterwards they can still be imported by
whoever wants them (only PyMuPDF's own ``to_markdown`` shortcut stays off in
that process).
"""

from __future__ import annotations

import sys

ADD_ONS = ("pymupdf.layout", "pymupdf4llm")


def load():
    """The ``pymupdf`` module, imported without :data:`ADD_ONS` if it was not yet."""
    mod = sys.modules.get("pymupdf")
    if mod is not None:
        return mod
    blocked = [name for name in ADD_ONS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  (importing it raises ImportError)
    try:
        import pymupdf
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return pymupdf
