"""The manifest, ``OUTPUT_DIR/pdfclean-manifest.jsonl``: an append-only JSON
Lines log under an exclusive lock, the last record per path its state."""

from __future__ import annotations

import json
import os
import time

from .common import BatchError


class Manifest:
    """``OUTPUT_DIR/pdfclean-manifest.jsonl``: an append-only log, last record per path wins.

    Opened under an exclusive ``flock`` (a second batch on the same folder is
    refused; the lock goes with the process, even on ``kill -9``). Each record
    is one ``write()`` of one line; a torn last line (killed mid-write) does not
    parse and is ignored, and the next record starts on a fresh line.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise BatchError(f"another pdfclean batch is writing to {os.path.dirname(path)}") from None
        except ImportError:  # pragma: no cover — not POSIX
            pass
        self.latest: dict[str, dict] = {}
        self.torn = 0
        with open(path, "rb") as f:
            data = f.read()
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                self.latest[rec["path"]] = rec
            except (ValueError, KeyError, TypeError):
                self.torn += 1
        if data and not data.endswith(b"\n"):
            os.write(self.fd, b"\n")

    def append(self, rec: dict) -> None:
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8", "replace")
        os.write(self.fd, line)
        self.latest[rec["path"]] = rec

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
