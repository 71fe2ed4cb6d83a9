"""Errors that end one document's conversion with a one-line message."""


class PdfCleanError(Exception):
    """Base class: the message is shown to the user as is, on one line."""


class PdfError(PdfCleanError):
    """The input is not a PDF we can read (broken, encrypted, not a PDF…)."""


class LimitError(PdfCleanError):
    """The input exceeds a configured limit (pages, size)."""
