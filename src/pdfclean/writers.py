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
    s = json.dumps(obj, ensure_ascii=False, indent=indent)
    return s.encode("utf-8", "replace").decode("utf-8")


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
