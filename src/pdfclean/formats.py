"""The output formats by name: each one's writer, the suffix a batch gives
its files, and what it needs of :func:`pdfclean.extract` beyond the defaults.

A module of its own so that the dependencies run one way: the plain writers
(:mod:`pdfclean.writers`) need nothing of the model at run time, the ALTO
writer (:mod:`pdfclean.alto`) needs the model and the word boxes, and this
table needs both (the CLI and the batch read it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .writers import to_json, to_jsonl, to_markdown, to_text

if TYPE_CHECKING:
    from .model import Document


def to_alto(doc: "Document") -> str:
    """ALTO 4 XML with page geometry (:mod:`pdfclean.alto`); the document must
    have been extracted with ``words=True`` (see :data:`EXTRACT_OPTIONS`)."""
    from .alto import to_alto as run

    return run(doc)


FORMATS = {"json": to_json, "jsonl": to_jsonl, "text": to_text, "markdown": to_markdown, "alto": to_alto}
# the file name suffix of each format's output (batch: a/b.pdf → a/b.json)
SUFFIXES = {"json": ".json", "jsonl": ".jsonl", "text": ".txt", "markdown": ".md", "alto": ".alto.xml"}
# what a format needs of extract() beyond the defaults
EXTRACT_OPTIONS: dict[str, dict] = {"alto": {"words": True}}
