"""What a PDF could do besides show text: noted, never executed.

pdfclean only reads text. JavaScript, launch actions, embedded files and
rich media are never run or extracted, but an archivist should know they are
there, so each kind found becomes one warning.
"""

from __future__ import annotations

import re
import zlib

MAX_OBJECTS = 50_000  # objects scanned at most (a bound on time for huge files)

_KINDS = [
    ("JavaScript", re.compile(r"/(?:JavaScript|JS)\b")),
    ("launch actions", re.compile(r"/S\s*/Launch\b|/Launch\b")),
    ("embedded files", re.compile(r"/EmbeddedFiles?\b")),
    ("rich media", re.compile(r"/RichMedia\b")),
    ("form submission actions", re.compile(r"/S\s*/SubmitForm\b")),
]

# a name each pattern above must contain (/JavaScript and /JS begin with /J): an
# object holding none of them matches no pattern
_ANY_NAME = re.compile(r"/(?:J|Launch|EmbeddedFile|RichMedia|SubmitForm)")


def active_content(doc) -> list[str]:
    """Warnings for the active content of a PyMuPDF document.

    >>> import pymupdf
    >>> d = pymupdf.open(); _ = d.new_page()
    >>> d.xref_set_key(d.pdf_catalog(), "OpenAction", "<</S/JavaScript/JS(app.alert(1))>>")
    >>> active_content(d)
    ['the PDF contains JavaScript (not executed)']
    """
    found: list[str] = []
    try:
        n = min(doc.xref_length(), MAX_OBJECTS)
    except Exception:
        return found
    for xref in range(1, n):
        try:
            obj = doc.xref_object(xref, compressed=True)
        except Exception:
            continue
        if _ANY_NAME.search(obj) is None:  # (most objects: one scan instead of five)
            continue
        for kind, rx in _KINDS:
            if kind not in found and rx.search(obj):
                found.append(kind)
        if len(found) == len(_KINDS):
            break
    return [f"the PDF contains {k} (not {'extracted' if k == 'embedded files' else 'executed'})"
            for k in found]


DEFAULT_MAX_INFLATE = 256 * 1024 * 1024  # bytes of content per page, all streams decoded


MAX_DEFLATE_RATIO = 1032  # deflate never decodes to more than ~1032× its size


def inflated_size(raw: bytes, limit: int) -> int:
    """Decoded size of a FlateDecode stream, counting no further than ``limit``.

    >>> inflated_size(zlib.compress(b" " * 1000), 10_000)
    1000
    >>> inflated_size(zlib.compress(b" " * 100_000), 10_000) > 10_000
    True
    """
    d = zlib.decompressobj()
    total = 0
    data = raw
    try:
        while data and total <= limit:
            chunk = d.decompress(data, 1 << 20)
            total += len(chunk)
            data = d.unconsumed_tail
    except zlib.error:
        pass
    return total


def oversized_pages(doc, numbers: list[int], limit: int) -> dict[int, str]:
    """Pages whose content streams (and form XObjects) inflate beyond ``limit``.

    A decompression bomb is a few megabytes of zeros that decode to gigabytes;
    such a page is skipped with a warning instead of being interpreted.
    """
    out: dict[int, str] = {}
    for n in numbers:
        try:
            page = doc[n - 1]
            xrefs = list(page.get_contents()) + [x[0] for x in page.get_xobjects()]
        except Exception:
            continue
        raws, bound = [], 0
        for xref in xrefs:
            try:
                layers = doc.xref_get_key(xref, "Filter")[1].count("FlateDecode")
                if layers:
                    raws.append(doc.xref_stream_raw(xref))
                    bound += len(raws[-1]) * MAX_DEFLATE_RATIO ** layers
            except Exception:
                continue
        if bound <= limit:
            continue  # cannot inflate beyond the limit: no need to decode
        total = 0
        for raw in raws:
            total += inflated_size(raw, limit - total)
            if total > limit:
                out[n] = (f"page {n}: its content inflates beyond {limit // (1 << 20)} MB "
                          "(a decompression bomb?); skipped")
                break
    return out
