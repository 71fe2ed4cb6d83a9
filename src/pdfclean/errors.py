"""Errors that end one document's conversion with a one-line message.

Two kinds of failure are kept apart:

* the **document's** — :class:`PdfError` (broken, encrypted, not a PDF…) and
  :class:`LimitError` (too big, too many pages): the input is the problem;
* **ours** — :class:`InternalError`: pdfclean's own code raised an
  exception. It names the page (when known) and the exception type, and keeps
  the original traceback (``.traceback``) for a bug report.
"""

from __future__ import annotations


class PdfCleanError(Exception):
    """Base class: the message is shown to the user as is, on one line."""


class PdfError(PdfCleanError):
    """The input is not a PDF we can read (broken, encrypted, not a PDF…)."""


class LimitError(PdfCleanError):
    """The input exceeds a configured limit (pages, size)."""


class InternalError(PdfCleanError):
    """A bug: pdfclean's own code raised ``exc_type`` (on ``page``, if known).

    The message reads ``internal error on page 3: TypeError: …`` (``internal
    error: …`` when no page is known); ``traceback`` is the original one, as
    text; the original exception is ``__cause__``.

    >>> e = InternalError.wrap(TypeError("bad operand"), page=3)
    >>> str(e), e.page, e.exc_type
    ('internal error on page 3: TypeError: bad operand', 3, 'TypeError')
    """

    def __init__(self, message: str, *, page: int | None = None, exc_type: str = "",
                 traceback: str = "") -> None:
        super().__init__(message)
        self.page = page
        self.exc_type = exc_type
        self.traceback = traceback

    @classmethod
    def wrap(cls, exc: BaseException, page: int | None = None) -> InternalError:
        import traceback as tb

        name = type(exc).__name__
        detail = " ".join(str(exc).split())[:300]
        where = f" on page {page}" if page is not None else ""
        text = "".join(tb.format_exception(type(exc), exc, exc.__traceback__))
        return cls(f"internal error{where}: {name}" + (f": {detail}" if detail else ""),
                   page=page, exc_type=name, traceback=text)
