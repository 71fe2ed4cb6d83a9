"""Which pages are read for marked content."""

from __future__ import annotations

from .syntax import MARKERS


def mupdf_wants(page, forms: dict, content: bytes | None = None) -> bool:
    """Does a MuPDF page's content (``content``, decoded, if the caller has
    it), or a form it uses, mention ActualText or an artifact? (``forms``
    caches the answer per form xref.)"""
    if MARKERS.search(page.read_contents() if content is None else content):
        return True
    for x in page.get_xobjects():
        xref = x[0]
        v = forms.get(xref)
        if v is None:
            v = forms[xref] = MARKERS.search(page.parent.xref_stream(xref) or b"") is not None
        if v:
            return True
    return False


def pdfminer_wants(page_obj) -> bool:
    """The same for a pdfminer page (its decoded streams are cached for the
    interpreter, so this costs little)."""
    from pdfminer.pdftypes import resolve1

    for s in page_obj.contents or ():
        s = resolve1(s)
        if hasattr(s, "get_data") and MARKERS.search(s.get_data()):
            return True
    todo = [page_obj.resources]
    seen: set[int] = set()
    while todo:
        res = resolve1(todo.pop())
        xo = resolve1(res.get("XObject")) if isinstance(res, dict) else None
        for ref in (xo.values() if isinstance(xo, dict) else ()):
            key = getattr(ref, "objid", None)
            if key in seen or len(seen) > 500:
                continue
            seen.add(key)
            x = resolve1(ref)
            if getattr(x, "attrs", {}).get("Subtype") is not None and str(x.attrs.get("Subtype")).endswith("Form"):
                if MARKERS.search(x.get_data()):
                    return True
                todo.append(x.attrs.get("Resources"))
    return False
