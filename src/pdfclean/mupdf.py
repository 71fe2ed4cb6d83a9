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


def texttrace(page, tools) -> list[dict]:
    """``page.get_texttrace()`` with glyph boxes of the same ascent and descent
    for every font (0.8 and 0.2 em: PyMuPDF's quad corrections off),
    whatever the process had set — pymupdf4llm turns the corrections off when
    it is imported, so without this the boxes, and with them a few decisions
    (which of two furniture lines is above), would depend on the add-ons
    installed. ``tools`` is ``pymupdf.TOOLS``; its setting is put back."""
    if tools.unset_quad_corrections():
        return page.get_texttrace()
    tools.unset_quad_corrections(True)
    try:
        return page.get_texttrace()
    finally:
        tools.unset_quad_corrections(False)
