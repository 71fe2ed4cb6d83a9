"""Batch conversion: a folder of PDFs into a mirrored folder of outputs.

    pdfclean batch INPUT_DIR -o OUTPUT_DIR [--jobs N] [--format …] …

Three parts, one direction of flow:

* **scan** — walk INPUT_DIR (symbolic links followed, each real directory
  entered once, so loops end), keep ``*.pdf`` names that pass
  ``--include``/``--exclude``, count the rest as skipped;
* **execute** — each PDF is converted in a *worker process* (our own pool,
  :class:`WorkerPool`: ``subprocess`` children speaking pickle over pipes). A
  worker runs under a memory cap (``RLIMIT_AS``) and every task has a deadline;
  a worker that crashes (segfault, ``os._exit``, the kernel's OOM killer),
  runs out of memory or passes the deadline is recorded against its file,
  killed if needed and replaced, and the batch goes on.
  :class:`DaskExecutor` runs the same task on a Dask cluster; inside each Dask
  worker the task again runs in an isolated child process, so the semantics
  (timeout, memory cap, crash isolation) are the same;
* **record** — only this coordinating process writes: outputs are written to
  ``OUTPUT_DIR/.pdfclean-tmp/``, flushed to disk, then renamed into place; the
  manifest ``OUTPUT_DIR/pdfclean-manifest.jsonl`` is an append-only JSON Lines
  log (last record per path wins).

``--jobs`` counts *slots*: a busy worker holds one, and the pages of a
document that need OCR are read in parallel on extra slots the coordinator
lends once no file is waiting for a worker (the tail of a batch, or fewer
files than cores), so workers plus Tesseract runs never exceed ``--jobs``.
Workers report each OCR page as it ends (the progress bar counts them live).

``--review`` adds, per document, a review report ``a/b.review.html`` beside
its output — made by the worker, written by the coordinator like an output
and counted in the same records (``review``, ``review_sha256``) — and the
index page ``OUTPUT_DIR/pdfclean-review.html``, rewritten at the end of every
run while it exists, from this run's outcomes and the manifest. ``review`` is
not part of the resume key: a re-run with ``--review`` over a finished batch
re-reads only the documents whose report is missing, and writes their report
alone (the output is left as it is when it comes out the same).

Exactly-once across ``kill -9``: for each converted file the coordinator
appends a ``writing`` record carrying the output's sha256, renames the output
into place, then appends the ``ok`` record. A re-run skips a path whose last
record is ``ok`` with the same input sha256 and options and whose output is
there; a path whose last record is ``writing`` and whose output is there with
the recorded sha256 (killed between the rename and the ``ok`` record) is
completed without converting it again. Nothing else is trusted: anything else
is converted again. A torn last line (killed mid-append) is ignored. A report
is renamed before its output, so an output found complete has its report.

The package, one room per part (imports run one way, top to bottom)::

    common         file names, limits, UsageProblem / BatchError, one-line messages
    worker         the worker's loop, its channel to the coordinator, convert() (the task)
    processes      a fresh-interpreter worker and its pipes; memory, children, kill, messages
    zygote         the fork server of the local pool and its coordinator side
    pool           WorkerPool: jobs, deadlines, the memory watch, replacement, OCR slots
    dask_executor  the same tasks on a Dask cluster
    walk           the folder walk (scan)
    manifest       the append-only manifest
    outputs        atomic outputs and reports, the commit order
    progress       the bar, the lines, the summary
    index          the --review index page
    runner         run_batch(): the run loop, a method per step of a document's life

Nothing in this package runs at ``pdfclean --help`` time: ``cli.py`` imports it
inside the ``batch`` command only.
"""

from .common import (DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, EXTENSIONS, INDEX_NAME, MANIFEST_NAME,  # noqa: F401
                     REPORT_SUFFIX, TMP_DIR_NAME, BatchError, UsageProblem)
from .dask_executor import DaskExecutor  # noqa: F401
from .manifest import Manifest  # noqa: F401
from .outputs import Outputs, UnsafeOutput, output_rel, report_rel, sha256_file  # noqa: F401
from .pool import WorkerPool  # noqa: F401
from .progress import Progress  # noqa: F401
from .runner import BatchOptions, default_jobs, run_batch  # noqa: F401
from .walk import Scan, _matches, scan  # noqa: F401
from .worker import _worker_main, convert  # noqa: F401
from .zygote import _zygote_main  # noqa: F401

__all__ = ["BatchOptions", "run_batch", "scan", "output_rel", "report_rel", "WorkerPool", "DaskExecutor",
           "Manifest", "UsageProblem", "BatchError", "convert", "MANIFEST_NAME", "INDEX_NAME"]
