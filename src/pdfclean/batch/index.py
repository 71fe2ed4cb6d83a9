"""``--review``: the batch's index page, ``OUTPUT_DIR/pdfclean-review.html``,
one row per input from this run's outcomes and the manifest."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .manifest import Manifest, _now
from .outputs import Outputs, _place, _report_intact, _unlink
from .walk import Scan

if TYPE_CHECKING:
    from .runner import BatchOptions


def _write_index(outputs: Outputs, path: str, opts: BatchOptions, sc: Scan,
                 final: dict[str, tuple[str, dict]], manifest: Manifest | None) -> None:
    """``OUTPUT_DIR/pdfclean-review.html``: one row per input of this run, from
    its outcome now or its last manifest record; a report linked only while
    the record says it is there. Written like an output (temporary file, rename)."""
    from ..review import IndexRecord, render_index

    rows = []
    for rel in sorted([r for r, _ in sc.pdfs] + [r for r, _ in sc.broken]):
        status, rec = final.get(rel) or ("pending", (manifest.latest.get(rel) if manifest else None) or {})
        link = rec.get("review") if status != "failed" and _report_intact(outputs.root, rec) else None
        q = rec.get("quality") or {}
        error = rec.get("error") if status == "failed" else rec.get("review_error")
        if status == "pending":
            error = "not converted yet (the batch was interrupted; re-run to resume)"
        rows.append(IndexRecord(path=rel, status=status, pages=rec.get("pages") if status != "failed" else None,
                                reversed_word_rate=q.get("reversed_word_rate"),
                                garbage_score=q.get("garbage_score"), ocr_share=q.get("ocr_share"),
                                warnings=list(rec.get("warnings") or []) if status != "failed" else [],
                                report=link, error=error, title=rec.get("title")))
    name = os.path.basename(os.path.abspath(opts.input_dir)) or opts.input_dir
    note = (f"pdfclean batch of {name} ({_now()}); {len(sc.not_pdf)} non-PDF file(s) skipped, "
            f"{sc.excluded} excluded. ‘unchanged’: converted by an earlier run.")
    html = render_index(rows, title=f"pdfclean review — {name}", note=note).encode("utf-8", "replace")
    tmp = outputs.write_tmp(html)
    try:
        _place(tmp, path, html)
    except BaseException:
        _unlink(tmp)
        raise
