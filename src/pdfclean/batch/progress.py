"""Progress: a bar on a terminal (tqdm), one tab-separated line per file
otherwise, and the closing summary."""

from __future__ import annotations

import os
import time


def _field(s: str) -> str:
    return str(s).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Progress:
    """A bar on a terminal (tqdm); one tab-separated line per file otherwise.

    Plain lines (stderr): ``ok PATH PAGES SECONDS OCR_PAGES``, ``failed PATH
    ERROR``, ``skipped PATH REASON``, ``unchanged PATH``, ``reviewed PATH
    SECONDS`` (a report made for an unchanged document), ``note PATH TEXT``,
    then ``summary key=value …``. ``--quiet``: only failures and the summary.
    The bar counts OCR pages live (as workers report them) and shows their
    share of the pages read.
    """

    def __init__(self, stream, total: int, mode: str) -> None:
        self.stream = stream
        self.mode = mode  # "bar", "lines" or "quiet"
        self.total = total
        self.done = self.failed = self.pages = self.ocr_pages = 0
        self._ocr_live: dict[str, int] = {}  # OCR pages of documents still converting
        self.t0 = time.monotonic()
        self.bar = None
        if mode == "bar" and total:
            from tqdm import tqdm

            try:
                cols = os.get_terminal_size(stream.fileno()).columns
            except (OSError, AttributeError, ValueError):
                cols = 0
            self.bar = tqdm(total=total, file=stream, unit="file", smoothing=0.05,
                            dynamic_ncols=cols > 0, ncols=None if cols > 0 else 100,
                            desc="pdfclean", mininterval=0.2,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} files "
                                       "[{elapsed}<{remaining}{postfix}]")
            self._postfix()

    @property
    def ocr_seen(self) -> int:
        """OCR pages so far: those of finished documents and those reported live."""
        return self.ocr_pages + sum(self._ocr_live.values())

    def _postfix(self, refresh: bool = False) -> None:
        el = max(time.monotonic() - self.t0, 1e-9)
        text = f"{self.pages / el:.1f} pages/s"
        if self.ocr_seen:
            share = f" ({100 * self.ocr_pages / self.pages:.0f}% of pages)" if self.pages else ""
            text += f", OCR {self.ocr_seen} pages{share}"
        self.bar.set_postfix_str(f"{text}, {self.failed} failed", refresh=refresh)

    def _line(self, *parts) -> None:
        text = "\t".join(_field(p) for p in parts)
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def note(self, kind: str, rel: str, text: str = "") -> None:
        if self.mode == "lines":
            self._line(kind, rel, *([text] if text else []))

    def warning(self, rel: str, text: str) -> None:
        """A problem that does not fail the file (its review report could not be made)."""
        if self.bar is not None:
            self.bar.write(f"note    {rel}: {text}", file=self.stream)
        elif self.mode == "lines":
            self._line("note", rel, text)

    def ocr_page(self, rel: str) -> None:
        """A worker read one more page of ``rel`` by OCR."""
        self._ocr_live[rel] = self._ocr_live.get(rel, 0) + 1
        if self.bar is not None:
            self._postfix(refresh=True)

    def converted(self, rel: str, pages_read: int, seconds: float, ocr_pages: int = 0) -> None:
        self.done += 1
        self.pages += pages_read
        self._ocr_live.pop(rel, None)
        self.ocr_pages += ocr_pages
        if self.mode == "lines":
            self._line("ok", rel, pages_read, f"{seconds:.3f}", ocr_pages)
        self._tick()

    def reviewed(self, rel: str, seconds: float) -> None:
        self.done += 1
        self._ocr_live.pop(rel, None)
        if self.mode == "lines":
            self._line("reviewed", rel, f"{seconds:.3f}")
        self._tick()

    def failure(self, rel: str, error: str, counted: bool = True) -> None:
        self.failed += 1
        self._ocr_live.pop(rel, None)
        if self.bar is not None:
            self.bar.write(f"failed  {rel}: {error}", file=self.stream)
        else:
            self._line("failed", rel, error)
        if counted:
            self.done += 1
            self._tick()

    def _tick(self) -> None:
        if self.bar is not None:
            self._postfix()
            self.bar.update(1)

    def close(self, summary: dict, human: str) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.mode == "bar":
            self.stream.write(human + "\n")
        else:
            self._line("summary", *[f"{k}={v}" for k, v in summary.items()])
        self.stream.flush()
