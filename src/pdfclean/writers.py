"""Writers: a Document as JSON, plain text or Markdown."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Document


def dumps(obj: Any, indent: int | None = 2) -> str:
    """JSON that is always valid UTF-8 (a lone surrogate that slipped through becomes «?»)."""
    s = _dumps(obj, indent)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")
    return s  # (valid already: no need to decode a copy)


class _Unusual(Exception):
    """A value :func:`_indented` does not write (json.dumps does)."""


def _dumps(obj: Any, indent: int | None) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=indent)``, byte for byte.

    With an indent the standard library falls back to its pure-Python
    encoder (generators nested as deep as the document, a third of the time
    of writing one); the plain types of a document's dict are written here
    directly instead, into one list of parts. Anything else (a non-string
    key, a subclass, a cycle) goes to ``json.dumps`` as before.
    """
    if type(indent) is int and indent >= 0:
        parts: list[str] = []
        try:
            _indented(obj, parts, "\n", " " * indent)
        except (_Unusual, RecursionError):
            pass
        else:
            return "".join(parts)
    return json.dumps(obj, ensure_ascii=False, indent=indent)


_STR = json.encoder.encode_basestring  # the C one when there is one (ensure_ascii=False)
_FLOAT = float.__repr__
_INT = int.__repr__
_SCALARS = {type(None): lambda o: "null", bool: lambda o: "true" if o else "false"}


def _float(o: float) -> str:
    """A float as json writes it (allow_nan: ``NaN``, ``Infinity``)."""
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return _FLOAT(o)


_INF = float("inf")


def _indented(o: Any, out: list[str], nl: str, step: str) -> None:
    """Append ``o`` as indented JSON to ``out``; ``nl`` is the newline and
    indent of the level ``o`` is written at (json's own layout: one item a
    line, ``": "`` after a key, ``[]`` and ``{}`` when empty). Strings and
    numbers inside a container are written in its loop (most values are)."""
    t = type(o)
    if t is dict:
        if not o:
            out.append("{}")
            return
        inner = nl + step
        sep = "{" + inner
        for k, v in o.items():
            if type(k) is not str:
                raise _Unusual
            tv = type(v)
            if tv is str:
                out.append(f"{sep}{_STR(k)}: {_STR(v)}")
            elif tv is int:
                out.append(f"{sep}{_STR(k)}: {_INT(v)}")
            else:
                out.append(f"{sep}{_STR(k)}: ")
                _indented(v, out, inner, step)
            sep = "," + inner
        out.append(nl + "}")
    elif t is list or t is tuple:
        if not o:
            out.append("[]")
            return
        inner = nl + step
        sep = "[" + inner
        for v in o:
            tv = type(v)
            if tv is float and v - v == 0.0:  # (finite)
                out.append(sep + _FLOAT(v))
            elif tv is int:
                out.append(sep + _INT(v))
            elif tv is str:
                out.append(sep + _STR(v))
            else:
                out.append(sep)
                _indented(v, out, inner, step)
            sep = "," + inner
        out.append(nl + "]")
    else:
        out.append(_scalar(o, t))


def _scalar(o: Any, t: type) -> str:
    """A string, number, boolean or null as json writes it."""
    if t is str:
        return _STR(o)
    if t is int:
        return _INT(o)
    if t is float:
        return _float(o)
    if t in _SCALARS:
        return _SCALARS[t](o)
    raise _Unusual


def to_json(doc: "Document", indent: int | None = 2, explain: bool | None = None,
            search_text: bool = False) -> str:
    """``search_text``: each block also gets its text folded for search."""
    return dumps(doc.to_dict(explain=explain, search_text=search_text), indent=indent)


def to_jsonl(doc: "Document", search_text: bool = False) -> str:
    """One document on one line (for streaming into other systems)."""
    return dumps(doc.to_dict(search_text=search_text), indent=None)


def to_text(doc: "Document") -> str:
    """The article: title, then one block per paragraph, blank lines between."""
    parts = []
    if doc.metadata.title:
        parts.append(doc.metadata.title)
    for b in doc.blocks:
        parts.append(f"• {b.text}" if b.type == "list_item" else b.text)
    return "\n\n".join(parts) + "\n"


def to_markdown(doc: "Document") -> str:
    m = doc.metadata
    parts = []
    if m.title:
        parts.append(f"# {m.title}")
    byline = " · ".join(x for x in (m.author, m.source, m.published_text) if x)
    if byline:
        parts.append(f"*{byline}*")
    prefix = {"heading": "## ", "list_item": "- ", "quote": "> ", "footnote": "[^] "}
    for b in doc.blocks:
        parts.append(prefix.get(b.type, "") + _escape(b.text) if b.type == "paragraph"
                     else prefix.get(b.type, "") + b.text)
    return "\n\n".join(parts) + "\n"


def _escape(text: str) -> str:
    """Keep a paragraph from being read as Markdown syntax at its start."""
    if text[:1] in "#>-*+" or text[:2].rstrip(".").isdigit():
        return "\\" + text
    return text


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8; anything unencodable replaced) through a temporary
    file in the same folder and a rename. A path that is not a regular file
    (``/dev/null``, ``/dev/stdout``, a FIFO) is written as it is: a rename
    would put a file in the device's place."""
    path = Path(path)
    data = text.encode("utf-8", "replace")
    try:
        special = not stat.S_ISREG(path.stat().st_mode) and not path.is_dir()
    except OSError:
        special = False
    if special:
        with open(path, "wb") as f:
            f.write(data)
        return path
    directory = path.resolve().parent  # must exist: nothing is created but the file
    fd, tmp = tempfile.mkstemp(prefix=".pdfclean-", suffix=".tmp", dir=str(directory))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
