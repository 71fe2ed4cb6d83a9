"""pdfclean: clean, structured JSON from Arabic and Persian PDFs.

>>> import pdfclean
>>> doc = pdfclean.extract("article.pdf")          # doctest: +SKIP
>>> doc.metadata.title, doc.blocks[0].text         # doctest: +SKIP

Imports are lazy so that ``pdfclean --help`` starts fast.
"""

from .version import __version__

__all__ = ["extract", "Document", "PdfCleanError", "normalize_for_search", "__version__"]


def __getattr__(name):
    if name == "extract":
        from .pipeline import extract

        return extract
    if name == "Document":
        from .model import Document

        return Document
    if name == "normalize_for_search":
        from .search import normalize_for_search

        return normalize_for_search
    if name == "PdfCleanError":
        from .errors import PdfCleanError

        return PdfCleanError
    raise AttributeError(name)
