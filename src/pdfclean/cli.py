"""Command line: a thin layer over :func:`pdfclean.extract`.

Exit codes: 0 ok, 1 the document failed (one line on stderr, never a
traceback), 2 usage error, 3 internal error — a bug in pdfclean, not a
problem of the PDF (one line; ``--debug`` adds the traceback). Heavy modules
are imported inside commands so ``pdfclean --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click

from . import __version__

FORMATS = ("json", "text", "markdown", "jsonl", "alto")


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


def _display_name(path: str) -> str:
    """A file name fit for a one-line message (newlines and controls escaped)."""
    if path == "-":
        return "<stdin>"
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in path)


EXIT_INTERNAL = 3  # a bug in pdfclean, not a problem of the PDF


def fail(name: str, message: str) -> None:
    click.echo(f"pdfclean: {name}: {_one_line(message)}", err=True)
    sys.exit(1)


def internal(name: str, err, debug: bool = False) -> None:
    """An :class:`~pdfclean.errors.InternalError`: one line (the traceback too
    with ``--debug``), exit 3."""
    if debug and err.traceback:
        click.echo(err.traceback.rstrip("\n"), err=True)
    hint = "" if debug else " (a bug in pdfclean; --debug shows the traceback)"
    click.echo(f"pdfclean: {name}: {_one_line(err)}{hint}", err=True)
    sys.exit(EXIT_INTERNAL)


@contextmanager
def _one_document(name: str, debug: bool = False):
    """One document's work: a failure of the document becomes one line naming
    the file, and exit 1; one of pdfclean's own code, exit 3."""
    from .errors import InternalError, PdfCleanError

    try:
        yield
    except InternalError as e:
        internal(name, e, debug)
    except PdfCleanError as e:
        fail(name, str(e))
    except KeyboardInterrupt:
        click.echo("pdfclean: interrupted", err=True)
        sys.exit(130)
    except MemoryError:
        fail(name, "out of memory")
    except BrokenPipeError:
        sys.exit(1)
    except OSError as e:  # an output that cannot be written
        fail(name, f"cannot write: {e.strerror or e}")
    except Exception as e:  # our own bug outside extract() (a writer…): never a bare traceback
        internal(name, InternalError.wrap(e), debug)


def reading_options(f):
    """The options every command that reads PDFs shares (engine, pages, password, OCR)."""
    for opt in reversed([
        click.option("--engine", type=click.Choice(["pymupdf", "pdfplumber"]), default="pymupdf",
                     show_default=True, help="Text engine."),
        click.option("--pages", type=str, default=None, help="Pages to read, e.g. 2-5 or 1,3,7-."),
        click.option("--password", type=str, default=None, help="Password of an encrypted PDF."),
        click.option("--ocr", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True,
                     help="OCR pages with no text layer or a garbled one (auto), every page, or none."),
        click.option("--ocr-lang", default="ara+fas+eng", show_default=True, help="Tesseract languages."),
    ]):
        f = opt(f)
    return f


def ocr_jobs_option(f):
    """--ocr-jobs for the one-document commands (batch shares --jobs out instead)."""
    return click.option("--ocr-jobs", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Pages read by OCR at once (default: all cores).")(f)


def _check_pages(pages: str | None) -> None:
    """A bad --pages: one line and exit 2 (the syntax only: extract clips to the document)."""
    if pages is None:
        return
    from .pipeline import DEFAULT_MAX_PAGES, parse_pages

    try:
        parse_pages(pages, DEFAULT_MAX_PAGES)
    except ValueError as e:
        click.echo(f"pdfclean: --pages: {_one_line(e)}", err=True)
        sys.exit(2)


def debug_option(f):
    return click.option("--debug", is_flag=True,
                        help="On an internal error (exit 3), print the full traceback.")(f)


def _ocr_jobs(n: int | None) -> int:
    return n or os.cpu_count() or 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="pdfclean")
def main() -> None:
    """Clean, structured text from Arabic and Persian PDFs.

    Exit codes: 0 ok; 1 the document failed (a problem of the PDF: one line
    naming it); 2 usage error; 3 internal error (a bug in pdfclean, not the
    PDF's fault: one line, the traceback with --debug). batch: 1 when some
    files failed, whatever the reason (the manifest tells them apart).
    """


@main.command()
@click.argument("input", type=str)
@click.option("-o", "--output", type=str, default=None, help="Output file (default: stdout).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@reading_options
@ocr_jobs_option
@click.option("--explain", is_flag=True, help="Add, per block, which repairs changed it.")
@click.option("--search-text", is_flag=True,
              help="JSON: add to each block its text folded for search (pdfclean.normalize_for_search).")
@debug_option
def extract(input: str, output: str | None, fmt: str, engine: str, pages: str | None,
            password: str | None, explain: bool, search_text: bool, ocr: str, ocr_lang: str,
            ocr_jobs: int | None, debug: bool) -> None:
    """Extract INPUT (a PDF path, or - for stdin) to JSON, text, Markdown or
    ALTO XML (-f alto: words with their boxes on each page).

    Exit 0: converted; 1: the document failed (one line: broken, encrypted,
    too big…); 2: usage error; 3: internal error — a bug in pdfclean, not a
    problem of the PDF (--debug prints the traceback).
    """
    from .pipeline import extract as run
    from .formats import EXTRACT_OPTIONS
    from .formats import FORMATS as WRITERS

    name = _display_name(input)
    _check_pages(pages)
    if search_text and fmt not in ("json", "jsonl"):
        raise click.BadParameter("--search-text adds a field to the JSON: use it with -f json or jsonl",
                                 param_hint="--search-text")
    if output and input != "-" and os.path.exists(output) and os.path.exists(input) \
            and os.path.samefile(output, input):
        raise click.BadParameter("the output would overwrite the input", param_hint="-o")
    with _one_document(name, debug):
        src = sys.stdin.buffer.read() if input == "-" else input
        doc = run(src, engine=engine, pages=pages, password=password, explain=explain, ocr=ocr,
                  ocr_lang=ocr_lang, ocr_jobs=_ocr_jobs(ocr_jobs), **EXTRACT_OPTIONS.get(fmt, {}))
        text = WRITERS[fmt](doc, search_text=True) if search_text else WRITERS[fmt](doc)
        if not text.endswith("\n"):
            text += "\n"
        if output and output != "-":
            from .writers import write_atomic

            write_atomic(output, text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    for w in doc.warnings:
        click.echo(f"pdfclean: {name}: warning: {_one_line(w)}", err=True)


@main.command()
@click.argument("input_dir", type=str)
@click.option("-o", "--output", "output_dir", type=str, required=True, metavar="OUTPUT_DIR",
              help="Output folder (mirrors INPUT_DIR), or - to stream JSON Lines to stdout.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--include", multiple=True, metavar="GLOB",
              help="Only files matching GLOB (a name, or a path with /); repeatable.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files and folders matching GLOB; repeatable.")
@click.option("--force", is_flag=True, help="Convert again even what the manifest says is done.")
@click.option("--timeout", type=click.FloatRange(min=0), default=120, show_default=True,
              metavar="SECONDS", help="Per-file time limit (0: none).")
@click.option("--max-memory", "max_memory", type=click.IntRange(min=0), default=2048, show_default=True,
              metavar="MB", help="Memory per worker: one using more is stopped and its file "
                                 "recorded as failed (0: no cap).")
@reading_options
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where workers run: local processes, or a Dask cluster.")
@click.option("--scheduler", type=str, default=None, metavar="ADDRESS",
              help="Dask scheduler address (with --executor dask), e.g. tcp://10.0.0.5:8786.")
@click.option("--review", is_flag=True,
              help="Also write a review report per document (a/b.pdf → a/b.review.html) and the index "
                   "page OUTPUT_DIR/pdfclean-review.html.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; only failures and the summary.")
def batch(input_dir: str, output_dir: str, jobs: int | None, fmt: str, include: tuple, exclude: tuple,
          force: bool, timeout: float, max_memory: int, engine: str, pages: str | None,
          password: str | None, ocr: str, ocr_lang: str, executor: str, scheduler: str | None,
          review: bool, quiet: bool) -> None:
    """Convert every PDF under INPUT_DIR into OUTPUT_DIR, in parallel, resumably.

    OUTPUT_DIR mirrors INPUT_DIR (a/b.pdf → a/b.json) and holds the manifest
    pdfclean-manifest.jsonl; a re-run skips what is already done (with
    --review it makes only the reports still missing). Pages that need OCR
    are read in parallel when cores are free; --jobs bounds workers and OCR
    together. Exit 0: all converted; 1: some failed (see the manifest: an
    internal error — a bug in pdfclean — has its traceback there); 2: usage
    error.
    """
    from .batch import BatchError, BatchOptions, UsageProblem, run_batch

    opts = BatchOptions(input_dir=input_dir, output_dir=output_dir, jobs=jobs, format=fmt,
                        include=include, exclude=exclude, force=force, timeout=timeout or None,
                        max_memory_mb=max_memory, engine=engine, pages=pages, password=password,
                        ocr=ocr, ocr_lang=ocr_lang, executor=executor, scheduler=scheduler, quiet=quiet,
                        review=review)
    try:
        code = run_batch(opts)
    except UsageProblem as e:
        raise click.UsageError(str(e))
    except BatchError as e:
        click.echo(f"pdfclean: batch: {_one_line(e)}", err=True)
        sys.exit(2)
    except Exception as e:  # never a traceback: a bug of the coordinator
        click.echo(f"pdfclean: batch: internal error: {type(e).__name__}: {_one_line(e)}", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)


@main.command()
@click.argument("input", type=str)
@click.option("-o", "--output", type=str, required=True, metavar="REPORT.html",
              help="The report: one self-contained HTML file.")
@reading_options
@ocr_jobs_option
@click.option("--dpi", type=click.IntRange(36, 200), default=90, show_default=True,
              help="Resolution of the page images.")
@debug_option
def review(input: str, output: str, engine: str, pages: str | None, password: str | None, ocr: str,
           ocr_lang: str, ocr_jobs: int | None, dpi: int, debug: bool) -> None:
    """Write a review report of INPUT (a PDF path, or - for stdin): every page
    image beside the blocks read from it, removed furniture outlined, repairs
    and OCR confidence marked — one self-contained HTML file.

    Exit codes as for extract (3: internal error, --debug for the traceback).
    """
    from .review import review as run

    name = _display_name(input)
    _check_pages(pages)
    if output == "-":
        raise click.BadParameter("the report is a file (it embeds the page images)", param_hint="-o")
    if input != "-" and os.path.exists(output) and os.path.exists(input) and os.path.samefile(output, input):
        raise click.BadParameter("the output would overwrite the input", param_hint="-o")
    with _one_document(name, debug):
        src = sys.stdin.buffer.read() if input == "-" else input
        doc = run(src, output, engine=engine, pages=pages, password=password, ocr=ocr, ocr_lang=ocr_lang,
                  ocr_jobs=_ocr_jobs(ocr_jobs), dpi=dpi)
    for w in doc.warnings:
        click.echo(f"pdfclean: {name}: warning: {_one_line(w)}", err=True)


@main.command()
@click.argument("output_dir", type=str)
@click.option("--parquet", "parquet", type=str, required=True, metavar="FILE",
              help="The blocks table: one row per body block of every document.")
@click.option("--documents", "documents_file", type=str, default=None, metavar="FILE",
              help="Also a documents table: one row per input PDF (metadata, pages, quality, warnings).")
@click.option("--row-group-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              metavar="N", help="Rows per Parquet row group (memory holds one group at a time).")
def export(output_dir: str, parquet: str, documents_file: str | None, row_group_rows: int) -> None:
    """Export a finished batch (OUTPUT_DIR of pdfclean batch -f json) as Parquet.

    Reads the manifest and the JSON outputs it vouches for, one document at a
    time, and writes one row per block (path, sha256, title, author,
    published, language, block, type, pages, text, search_text, ocr,
    confidence). Needs pyarrow: pip install 'pdfclean[parquet]'. Exit 0:
    written; 1: nothing to export or a file that cannot be written; 2:
    usage error or pyarrow missing.
    """
    from .export import INSTALL_HINT, ExportError
    from .export import export as run

    try:
        summary = run(output_dir, parquet, documents_file, row_group_rows)
    except ExportError as e:
        click.echo(f"pdfclean: export: {_one_line(e)}", err=True)
        sys.exit(2 if str(e) == INSTALL_HINT else 1)
    except KeyboardInterrupt:
        click.echo("pdfclean: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # never a traceback
        click.echo(f"pdfclean: export: internal error: {type(e).__name__}: {_one_line(e)}", err=True)
        sys.exit(EXIT_INTERNAL)
    for path, why in summary.skipped:
        click.echo(f"pdfclean: export: {_display_name(path)}: no blocks exported ({_one_line(why)})", err=True)
    docs = f", {summary.document_rows} documents to {documents_file}" if documents_file else ""
    click.echo(f"exported {summary.blocks} blocks of {summary.documents} documents to {parquet} "
               f"({summary.row_groups} row groups){docs}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the output."""
    from .writers import dumps
    from .schema import SCHEMA

    click.echo(dumps(SCHEMA))


if __name__ == "__main__":  # pragma: no cover
    main()
