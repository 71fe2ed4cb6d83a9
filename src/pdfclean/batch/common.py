"""What every part of the batch shares: file names, limits, the two errors a
batch can stop with, and one-line messages."""

from __future__ import annotations

import struct

from ..formats import SUFFIXES as EXTENSIONS  # the file suffix per format, beside the writers


MANIFEST_NAME = "pdfclean-manifest.jsonl"
INDEX_NAME = "pdfclean-review.html"  # --review: the index page, at the top of OUTPUT_DIR
REPORT_SUFFIX = ".review.html"  # --review: a/b.pdf → a/b.review.html
REVIEW_FIELDS = ("review", "review_sha256", "review_bytes")
TMP_DIR_NAME = ".pdfclean-tmp"
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_MEMORY_MB = 2048
EXIT_OOM = 86  # a worker that could not even report its MemoryError exits with this
AS_HEADROOM_MB = 1024  # RLIMIT_AS = --max-memory + this: a backstop for one huge allocation
WATCH_INTERVAL = 0.1  # seconds between two looks at a busy worker's resident memory
_HEADER = struct.Struct(">Q")


class UsageProblem(Exception):
    """Bad invocation (exit 2): bad folders, options that do not go together."""


class BatchError(Exception):
    """The batch cannot run at all (exit 2): workers cannot start, the cluster is unreachable, …"""


def _one_line(s: object) -> str:
    return " ".join(str(s).split())
