"""The run loop: a batch from its options to its exit code.

A document's life, one method of :class:`_Run` each: **scheduled**
(:meth:`_Run.schedule`: up to date, a report to make, or work — the resume
decision), **converted** (:meth:`_Run.convert_all`, the executor's answers as
they come), **written** (:meth:`_Run.written`, :meth:`_Run.review_only`: the
output and its report committed atomically) and **recorded**
(:meth:`_Run.record`, :meth:`_Run.failed`: the manifest and the progress).
The index page and the summary close the run.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass

from .. import __version__
from .common import (DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, EXTENSIONS, INDEX_NAME, MANIFEST_NAME,
                     REVIEW_FIELDS, TMP_DIR_NAME, BatchError, UsageProblem)
from .dask_executor import DaskExecutor
from .index import _write_index
from .manifest import Manifest, _now
from .outputs import (Outputs, UnsafeOutput, _commit, _commit_report, _file_sha256_or_none, _index_href,
                      _output_intact, _report_intact, _sha256_bytes, output_rel, report_rel, sha256_file)
from .pool import WorkerPool
from .progress import Progress
from .walk import Scan, scan


@dataclass
class BatchOptions:
    input_dir: str
    output_dir: str  # "-" streams JSON Lines to stdout
    jobs: int | None = None
    format: str = "json"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    force: bool = False
    timeout: float | None = DEFAULT_TIMEOUT
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB
    engine: str = "pymupdf"
    pages: str | None = None
    password: str | None = None
    ocr: str = "auto"
    ocr_lang: str = "ara+fas+eng"
    executor: str = "local"
    scheduler: str | None = None
    quiet: bool = False
    progress: str | None = None  # "bar", "lines", "quiet"; None: from the terminal
    review: bool = False  # a review report per document and the index page


class _Interrupted(BaseException):
    pass


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_batch(opts: BatchOptions, stdout=None, stderr=None) -> int:
    """Run a batch; return the exit code (0 all converted, 1 some failed, 130 interrupted).

    Raises :class:`UsageProblem` or :class:`BatchError` (exit 2) before any work.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stream = opts.output_dir == "-"
    if opts.format not in EXTENSIONS:
        raise UsageProblem(f"unknown format {opts.format!r}")
    if stream and opts.format != "jsonl":
        raise UsageProblem("-o - streams one document per line: it needs --format jsonl")
    if stream and opts.review:
        raise UsageProblem("--review writes report files: it needs an OUTPUT_DIR, not -")
    if opts.executor not in ("local", "dask"):
        raise UsageProblem(f"unknown executor {opts.executor!r}")
    if opts.executor == "dask" and not opts.scheduler:
        raise UsageProblem("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    if opts.scheduler and opts.executor != "dask":
        raise UsageProblem("--scheduler goes with --executor dask")
    if opts.jobs is not None and opts.jobs < 1:
        raise UsageProblem("--jobs must be at least 1")
    if opts.pages:
        from ..pipeline import parse_pages

        try:
            parse_pages(opts.pages, 1)
        except ValueError as e:
            raise UsageProblem(f"--pages: {e}") from None
    if not os.path.isdir(opts.input_dir):
        raise UsageProblem(f"INPUT_DIR {opts.input_dir!r} is not a folder")
    in_real = os.path.realpath(opts.input_dir)

    skip_dirs: list[tuple[int, int]] = []
    dask = DaskExecutor(opts.scheduler, opts.timeout, opts.max_memory_mb) if opts.executor == "dask" else None
    try:
        return _run(opts, stdout, stderr, stream, in_real, skip_dirs, dask)
    finally:
        if dask is not None:
            dask.close()


def _run(opts: BatchOptions, stdout, stderr, stream: bool, in_real: str, skip_dirs: list, dask) -> int:
    manifest, outputs = (None, None) if stream else _open_output(opts, in_real, skip_dirs)
    run = _Run(opts, stdout, stderr, stream, manifest, outputs)
    run.execute(dask, skip_dirs)
    return run.finish()


def _open_output(opts: BatchOptions, in_real: str, skip_dirs: list) -> tuple[Manifest, Outputs]:
    """OUTPUT_DIR checked, created, kept out of the walk; its manifest locked and read."""
    out_real = os.path.realpath(opts.output_dir)
    if out_real == in_real or in_real.startswith(out_real + os.sep):
        raise UsageProblem("OUTPUT_DIR must not be INPUT_DIR or a folder containing it")
    if os.path.lexists(opts.output_dir) and not os.path.isdir(opts.output_dir):
        raise UsageProblem(f"OUTPUT_DIR {opts.output_dir!r} exists and is not a folder")
    try:
        os.makedirs(opts.output_dir, exist_ok=True)
    except OSError as e:
        raise UsageProblem(f"cannot create OUTPUT_DIR {opts.output_dir!r}: {e.strerror or e}") from None
    st = os.stat(opts.output_dir)
    skip_dirs.append((st.st_dev, st.st_ino))
    manifest = Manifest(os.path.join(opts.output_dir, MANIFEST_NAME))
    try:
        outputs = Outputs(opts.output_dir)
    except OSError as e:
        manifest.close()
        raise BatchError(f"cannot write to OUTPUT_DIR: {e.strerror or e}") from None
    return manifest, outputs


# todo items: (size, rel, abs, sha, out_rel, prev) — prev: the record of an up-to-date
# output whose report is missing (a review-only task), else None
_Todo = tuple[int, str, str, str, "str | None", "dict | None"]


class _Run:
    """One batch run: its outputs, manifest and progress, the counts, and
    what the index page will show (``final``: rel → (status, record))."""

    def __init__(self, opts: BatchOptions, stdout, stderr, stream: bool,
                 manifest: Manifest | None, outputs: Outputs | None) -> None:
        self.opts, self.stdout, self.stderr, self.stream = opts, stdout, stderr, stream
        self.manifest, self.outputs = manifest, outputs
        self.mode = opts.progress or ("quiet" if opts.quiet else ("bar" if stderr.isatty() else "lines"))
        # the resume key: what the output depends on (--review adds a file beside it, not another output)
        self.options = {"format": opts.format, "engine": opts.engine, "pages": opts.pages, "ocr": opts.ocr,
                        "ocr_lang": opts.ocr_lang}
        self.base = {"version": __version__, "options": self.options}
        self.t_start = time.monotonic()
        self.counts = {"inputs": 0, "ok": 0, "unchanged": 0, "failed": 0, "skipped": 0, "excluded": 0}
        self.pages_read = self.ocr_pages = self.reports = 0
        self.interrupted = False
        self.broken_pipe = False
        self.sc: Scan | None = None
        self.final: dict[str, tuple[str, dict]] = {}
        self.index_path = None if stream else os.path.join(outputs.root, INDEX_NAME)
        self.write_index = self.index_path is not None and (opts.review or os.path.isfile(self.index_path))
        self.progress: Progress | None = None

    # -- the run ---------------------------------------------------------------
    def execute(self, executor, skip_dirs: list) -> None:
        """Walk, schedule, convert; SIGTERM and Ctrl-C end it as interrupted.
        The workers, the index page, the manifest and the outputs are closed in any case."""
        opts = self.opts
        main_thread = threading.current_thread() is threading.main_thread()
        old_term = signal.getsignal(signal.SIGTERM) if main_thread else None

        def on_term(signum, frame):
            raise _Interrupted()

        if main_thread:
            signal.signal(signal.SIGTERM, on_term)
        try:
            if executor is None:  # started now: the zygote imports while we scan and hash
                executor = WorkerPool(opts.jobs or default_jobs(), opts.timeout, opts.max_memory_mb,
                                      preload=opts.engine)
                executor.start()
            sc = self.sc = scan(opts.input_dir, include=tuple(opts.include), exclude=tuple(opts.exclude),
                                skip_dirs=skip_dirs)
            self.counts["excluded"] = sc.excluded
            self.counts["skipped"] = len(sc.not_pdf)
            self.counts["inputs"] = len(sc.pdfs) + len(sc.broken)
            todo, failed_now, up_to_date = self.schedule(sc)
            self.announce(sc, todo, failed_now, up_to_date)
            self.convert_all(executor, todo)
        except (KeyboardInterrupt, _Interrupted):
            self.interrupted = True
        finally:
            if isinstance(executor, WorkerPool):
                executor.close()
            if main_thread:
                signal.signal(signal.SIGTERM, old_term if old_term is not None else signal.SIG_DFL)
            self.close()

    # -- scheduled ---------------------------------------------------------------
    def schedule(self, sc: Scan) -> tuple[list[_Todo], list[tuple[str, str, str | None, int | None]], list[str]]:
        """Decide, per PDF: up to date, a report to make, or work (``todo``);
        failed at once (``failed_now``: an output path taken, an unreadable file)."""
        todo: list[_Todo] = []
        failed_now: list[tuple[str, str, str | None, int | None]] = []
        up_to_date: list[str] = []
        claimed: dict[str, str] = {}
        for rel, why in sc.broken:
            failed_now.append((rel, why, None, None))
        for rel, path in sc.pdfs:
            out_rel = None if self.stream else output_rel(rel, self.opts.format)
            if out_rel is not None:
                clash = claimed.get(out_rel) if out_rel != MANIFEST_NAME else "the manifest"
                if out_rel.split("/", 1)[0] == TMP_DIR_NAME:
                    clash = "the temporary folder"
                if clash:
                    failed_now.append((rel, f"output path {out_rel} is already taken by {clash}", None, None))
                    continue
                claimed[out_rel] = rel
            try:
                sha, size = sha256_file(path)
            except OSError as e:
                failed_now.append((rel, f"cannot read ({e.strerror or e})", None, None))
                continue
            done = self.resumed(rel, sha, out_rel) if self.manifest is not None and not self.opts.force else None
            if done is not None:
                if self.opts.review and not _report_intact(self.outputs.root, done, report_rel(rel)):
                    todo.append((size, rel, path, sha, out_rel, done))
                else:
                    up_to_date.append(rel)
                    self.final[rel] = ("unchanged", done)
                continue
            todo.append((size, rel, path, sha, out_rel, None))
        return todo, failed_now, up_to_date

    def resumed(self, rel: str, sha: str, out_rel: str) -> dict | None:
        """The record of ``rel``'s output if it is complete for this input and
        these options (an ``ok`` record, or a ``writing`` one whose output was
        renamed before the kill: completed here), else None."""
        prev = self.manifest.latest.get(rel)
        if not (prev and prev.get("sha256") == sha and prev.get("options") == self.options
                and prev.get("output") == out_rel):
            return None
        target = os.path.join(self.outputs.root, out_rel)
        if prev.get("status") == "ok" and _output_intact(target, prev):
            return prev
        if prev.get("status") == "writing" and os.path.isfile(target) \
                and _file_sha256_or_none(target) == prev.get("output_sha256"):
            # killed between the rename and the ok record: the output is complete
            # (and so is its report, renamed before it, unless someone removed it)
            done = {**prev, "status": "ok", "recovered": True}
            if done.get("review") and not _report_intact(self.outputs.root, done, full=True):
                for k in REVIEW_FIELDS:
                    done.pop(k, None)
            self.manifest.append({**done, "time": _now()})
            return done
        return None

    def announce(self, sc: Scan, todo: list[_Todo], failed_now: list, up_to_date: list[str]) -> None:
        """The progress display started; notes, skipped, unchanged and failed-at-once files told and recorded."""
        self.counts["unchanged"] = len(up_to_date)
        progress = self.progress = Progress(self.stderr, len(todo) + len(failed_now), self.mode)
        for rel, why in sc.notes:
            progress.note("note", rel, why)
        for rel in sc.not_pdf:
            progress.note("skipped", rel, "not a PDF (no .pdf extension)")
            if self.manifest is not None:
                prev = self.manifest.latest.get(rel)
                if not prev or prev.get("status") != "skipped":
                    self.record({"path": rel, "status": "skipped", "sha256": None, "pages": None,
                                 "error": "not a PDF (no .pdf extension)", "seconds": 0.0, "output": None})
        for rel in up_to_date:
            progress.note("unchanged", rel)
        for rel, why, sha, size in failed_now:
            self.failed(rel, {"path": rel, "status": "failed", "sha256": sha, "bytes": size, "pages": None,
                              "error": why, "seconds": 0.0, "output": None})

    # -- converted ---------------------------------------------------------------
    def convert_all(self, executor, todo: list[_Todo]) -> None:
        """Every todo item through the executor, biggest first; each answer
        handled as it comes (:meth:`converted`)."""
        opts = self.opts
        todo.sort(key=lambda t: (-t[0], t[1]))  # biggest first: the last file to finish is a small one
        by_key = {i: t for i, t in enumerate(todo)}
        live = isinstance(executor, WorkerPool)
        calls = ((i, "pdfclean.batch:convert",
                  ({"rel": rel, "path": path, "options": self.options, "password": opts.password,
                    "review": opts.review, "index_href": _index_href(rel), "live": live},))
                 for i, (_size, rel, path, _sha, _o, _prev) in enumerate(todo))
        if isinstance(executor, WorkerPool):
            executor.jobs = max(1, min(executor.jobs, len(todo)))  # the idle slots go to OCR pages

        def on_progress(key, info: dict) -> None:
            if info.get("ocr_page") is not None and key in by_key:
                self.progress.ocr_page(by_key[key][1])

        results = executor.run(calls, on_progress=on_progress) if todo else iter(())
        try:
            for key, out in results:
                if not self.converted(by_key.pop(key), out):
                    break
        finally:
            close = getattr(results, "close", None)
            if close:
                close()

    def converted(self, item: _Todo, out: dict) -> bool:
        """One document's answer: recorded as failed, or written (streamed)
        and recorded as converted. False when the stream's reader has gone."""
        size, rel, path, sha, out_rel, prev = item
        val = out.get("value") if out.get("ok") else None
        if val is None:
            val = {"status": "failed", "error": out.get("error", "unknown error"),
                   "seconds": out.get("seconds", 0.0)}
        rec = _record_of(rel, sha, size, val, out)
        if val["status"] != "ok":
            self.failed(rel, rec)
            return True
        data = val["text"].encode("utf-8", "replace")
        report = None
        if val.get("review_html") is not None:
            report = (report_rel(rel), val["review_html"].encode("utf-8", "replace"))
        elif val.get("review_error"):
            rec["review_error"] = val["review_error"]
            self.progress.warning(rel, val["review_error"])
        if self.stream:
            try:
                self.stdout.write(val["text"])
                self.stdout.flush()
            except BrokenPipeError:
                self.broken_pipe = True
                return False
        elif prev is not None and prev.get("output_sha256") == _sha256_bytes(data):
            # a report for an output already there (and the same): only the report is written
            self.review_only(rel, rec, prev, report)
            return True
        elif not self.written(rel, rec, out_rel, data, report):
            return True
        self.final[rel] = ("ok", rec)
        self.counts["ok"] += 1
        self.pages_read += val.get("pages_read") or 0
        self.ocr_pages += val.get("ocr_pages") or 0
        self.progress.converted(rel, val.get("pages_read") or 0, rec["seconds"] or 0.0,
                                val.get("ocr_pages") or 0)
        return True

    # -- written -------------------------------------------------------------------
    def written(self, rel: str, rec: dict, out_rel: str, data: bytes, report: tuple[str, bytes] | None) -> bool:
        """The output (and its report) committed; False when it could not be
        written (the document is then recorded as failed)."""
        try:
            _commit(self.outputs, rec, self.record, out_rel, data, report)
        except (UnsafeOutput, OSError) as e:
            msg = str(e) if isinstance(e, UnsafeOutput) else f"cannot write output ({e.strerror or e})"
            for k in ("output_sha256", "output_bytes", *REVIEW_FIELDS):
                rec.pop(k, None)
            rec.update(status="failed", error=msg, output=None)
            self.failed(rel, rec)
            return False
        self.reports += report is not None
        return True

    def review_only(self, rel: str, rec: dict, prev: dict, report: tuple[str, bytes] | None) -> None:
        """The report of an up-to-date output committed, the output untouched."""
        try:
            done = _commit_report(self.outputs, prev, self.record, report, rec.get("review_error"))
        except (UnsafeOutput, OSError) as e:
            msg = str(e) if isinstance(e, UnsafeOutput) else f"cannot write the review report ({e.strerror or e})"
            done = {**prev, "review_error": msg}
            self.record(done)
            self.progress.warning(rel, msg)
        self.reports += report is not None and "review" in done
        self.final[rel] = ("unchanged", done)
        self.counts["unchanged"] += 1
        self.progress.reviewed(rel, rec["seconds"] or 0.0)

    # -- recorded ------------------------------------------------------------------
    def record(self, rec: dict) -> None:
        """One manifest record (with the version, the options and the time)."""
        if self.manifest is not None:
            self.manifest.append({**rec, **self.base, "time": _now()})

    def failed(self, rel: str, rec: dict) -> None:
        self.record(rec)
        self.final[rel] = ("failed", rec)
        self.counts["failed"] += 1
        self.progress.failure(rel, rec["error"])

    # -- the end ---------------------------------------------------------------------
    def close(self) -> None:
        """The index page rewritten (while it exists or with --review); manifest and outputs closed."""
        try:
            if self.write_index and self.sc is not None and self.outputs is not None:
                _write_index(self.outputs, self.index_path, self.opts, self.sc, self.final, self.manifest)
            else:
                self.write_index = False
        except (UnsafeOutput, OSError) as e:
            self.write_index = False
            if self.progress is not None:
                self.progress.failure(INDEX_NAME, f"cannot write the review index ({e})", counted=False)
        finally:
            if self.manifest is not None:
                self.manifest.close()
            if self.outputs is not None:
                self.outputs.close()

    def finish(self) -> int:
        """The summary told; the exit code."""
        counts, pages_read, ocr_pages = self.counts, self.pages_read, self.ocr_pages
        seconds = time.monotonic() - self.t_start
        summary = {**counts, "pages": pages_read, "ocr_pages": ocr_pages, "reports": self.reports,
                   "seconds": f"{seconds:.2f}",
                   "pages_per_s": f"{pages_read / seconds:.1f}" if seconds > 0 else "0"}
        if self.interrupted:
            summary["interrupted"] = 1
        human = (f"pdfclean batch: {counts['inputs']} PDF(s): {counts['ok']} converted, "
                 f"{counts['unchanged']} unchanged, {counts['failed']} failed; "
                 f"{counts['skipped']} non-PDF skipped, {counts['excluded']} excluded; "
                 f"{pages_read} pages in {seconds:.1f} s ({summary['pages_per_s']} pages/s)")
        if ocr_pages:
            human += f", {ocr_pages} read by OCR"
        if self.write_index:
            human += f"; {self.reports} review report(s), index {self.index_path}"
        if self.manifest is not None:
            human += f"; manifest {self.manifest.path}"
        if self.interrupted:
            human += " — interrupted (re-run to resume)"
        progress = self.progress if self.progress is not None else Progress(self.stderr, 0, self.mode)
        try:
            progress.close(summary, human)
        except (BrokenPipeError, OSError):
            pass
        if self.interrupted:
            return 130
        if self.broken_pipe:
            return 1
        return 1 if counts["failed"] else 0


def _record_of(rel: str, sha: str, size: int, val: dict, out: dict) -> dict:
    """The manifest record of a worker's answer ``val`` (``out``: the executor's outcome)."""
    rec = {"path": rel, "status": val["status"], "sha256": val.get("sha256") or sha,
           "bytes": size, "pages": val.get("pages"), "pages_read": val.get("pages_read"),
           "ocr_pages": val.get("ocr_pages"), "error": val.get("error"),
           "warnings": val.get("warnings", []), "title": val.get("title"),
           "quality": val.get("quality"), "seconds": val.get("seconds", out.get("seconds")),
           "output": None, "worker_peak_rss_mb": val.get("worker_peak_rss_mb")}
    if val.get("traceback"):  # an internal error: the bug report is in the record
        rec["traceback"] = val["traceback"]
    return rec
