"""The worker side: the loop a worker process serves (:func:`_serve`), its
line to the coordinator while a task runs (:class:`_Channel`: OCR progress,
OCR slots asked for and given back), and the task it runs (:func:`convert`).

A worker is started either fresh (:func:`_worker_main`: frames on
stdin/stdout, the Dask side and ``start_method="subprocess"``) or forked by
the zygote (:func:`_fork_worker`: a socket); both serve the same loop, under
the same memory cap (``RLIMIT_AS``).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time

from ..mupdf import ADD_ONS
from .common import AS_HEADROOM_MB, EXIT_OOM, _HEADER, _one_line


def _resolve(name: str):
    """``"module:function"`` → the function."""
    import importlib

    mod, _, attr = name.partition(":")
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _set_pdeathsig(parent: int | None) -> None:
    """Linux: die with the parent (a ``kill -9`` of the batch leaves no orphan).

    ``parent`` is the pid the parent had: if it is no longer our parent, it
    died before the request took effect.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        return
    if parent is not None and os.getppid() != parent:
        os._exit(0)


def _parent_from_env() -> int | None:
    try:
        return int(os.environ.pop("PDFCLEAN_PARENT_PID"))
    except (KeyError, ValueError):
        return None


def _peak_rss_mb() -> float:
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


_PRELOAD = {"pymupdf": ("pymupdf",), "pdfplumber": ("pdfplumber",)}
# PyMuPDF's optional add-ons (pdfclean.mupdf) never enter a worker process, even
# later: their numpy and onnxruntime threads must not exist in a process that
# forks (the zygote).
_NOT_IN_WORKERS = ADD_ONS


def _preload(preload: str, strict: bool) -> None:
    import importlib

    for mod in _NOT_IN_WORKERS:
        if mod not in sys.modules:
            sys.modules[mod] = None  # type: ignore[assignment]  (import raises ImportError)
    for mod in ("pdfclean.pipeline", "pdfclean.writers", *_PRELOAD.get(preload, ())):
        try:
            importlib.import_module(mod)
        except Exception:  # noqa: BLE001
            if strict:
                raise


class _Channel:
    """A worker's line to the coordinator while a task runs (the local pool's
    workers only): OCR progress, and OCR slots asked for and given back.

    Worker → coordinator: ``("progress", {"ocr_page": n})``, ``("slots",
    want)`` (answered at once by ``("slots", granted)``), ``("release", n)``.
    Slots still held when the task's answer goes are the coordinator's again.
    Any thread of the task may call it (one message at a time).
    """

    def __init__(self, send, recv) -> None:
        self._send, self._recv = send, recv
        self._lock = threading.Lock()

    def progress(self, info: dict) -> None:
        with self._lock:
            self._send(("progress", info))

    def acquire(self, want: int) -> int:
        with self._lock:
            self._send(("slots", int(want)))
            data = self._recv()
        if data is None:
            return 0
        msg = pickle.loads(data)
        return int(msg[1]) if msg and msg[0] == "slots" else 0

    def release(self, n: int = 1) -> None:
        with self._lock:
            self._send(("release", int(n)))


_CHANNEL: _Channel | None = None  # set in a worker process by _serve


class _PoolSlots:
    """:class:`pdfclean.ocr.Slots` for a document in a local-pool worker: the
    worker holds one of the batch's ``--jobs`` slots for the document; extra
    OCR readers take free ones from the coordinator."""

    def __init__(self, channel: _Channel) -> None:
        self.channel = channel

    def acquire(self, want: int) -> int:
        return self.channel.acquire(want)

    def release(self, n: int = 1) -> None:
        self.channel.release(n)


def _serve(recv, send, max_mb: int, preload: str, parent: int | None) -> None:
    """The worker loop: ``(function, args)`` in, one answer out, until the end of input.

    Messages: ``("ready", pid)``, ``("result", value)``, ``("error", message,
    restart)``, ``("fatal", message)`` (could not start); while a task runs,
    those of :class:`_Channel`.
    """
    global _CHANNEL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's business
    _set_pdeathsig(parent)
    try:
        if max_mb > 0:
            import resource

            limit = (max_mb + AS_HEADROOM_MB) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        _preload(preload, strict=True)  # paid once per worker (a no-op in a fork of the zygote)
    except BaseException as e:  # noqa: BLE001
        try:
            send(("fatal", f"{type(e).__name__}: {_one_line(e)}"))
        finally:
            os._exit(3)
    _CHANNEL = _Channel(send, recv)
    send(("ready", os.getpid()))
    while True:
        data = recv()
        if data is None:
            os._exit(0)
        try:
            func, args = pickle.loads(data)
            del data
            msg = ("result", _resolve(func)(*args))
        except MemoryError:
            msg = ("error", f"out of memory (limit {max_mb} MB)", True)
        except BaseException as e:  # noqa: BLE001
            msg = ("error", f"internal error: {type(e).__name__}: {_one_line(e)}", False)
        try:
            send(msg)
        except MemoryError:
            os._exit(EXIT_OOM)
        except (BrokenPipeError, ConnectionError, OSError):
            os._exit(0)
        if msg[0] == "error" and msg[2]:
            os._exit(0)  # after a MemoryError the heap is suspect: start afresh


def _worker_main() -> None:
    """A subprocess worker (Dask side): frames on stdin, answers on stdout.

    argv: ``MAX_MEMORY_MB PRELOAD_ENGINE``.
    """
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print() from a library cannot corrupt the protocol
    inp = sys.stdin.buffer

    def send(msg) -> None:
        data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()

    def recv() -> bytes | None:
        head = inp.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return None
        (n,) = _HEADER.unpack(head)
        data = inp.read(n)
        return data if len(data) == n else None

    _serve(recv, send, int(sys.argv[1]) if len(sys.argv) > 1 else 0,
           sys.argv[2] if len(sys.argv) > 2 else "", _parent_from_env())


def _fork_worker(conn, max_mb: int, preload: str, parent: int) -> None:
    """A forkserver worker (local pool): messages on a multiprocessing connection."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # MuPDF's and libraries' chatter must not break the progress bar
    os.dup2(devnull, 2)

    def send(msg) -> None:
        conn.send_bytes(pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL))

    def recv() -> bytes | None:
        try:
            return conn.recv_bytes()
        except (EOFError, OSError):
            return None

    _serve(recv, send, max_mb, preload, parent)


# ---------------------------------------------------------------------------
# The task a worker runs
# ---------------------------------------------------------------------------

def convert(task: dict) -> dict:
    """Convert one PDF (``task["path"]`` or ``task["data"]``) to the output text.

    Runs in a worker process. Returns ``status`` ok (with ``text``, the
    counts and quality signals, and with ``task["review"]`` the review
    report's HTML — or why it could not be made) or failed (with a one-line
    ``error``, and for an internal error — a bug of pdfclean's, not the
    document's — its ``traceback``); a :class:`MemoryError` goes up to the worker loop, which
    reports it and restarts the worker. With ``task["live"]`` (the local pool)
    OCR pages are read in parallel on slots lent by the coordinator and
    reported as they end.
    """
    from ..errors import InternalError, PdfCleanError
    from ..pipeline import extract
    from ..review import quality_signals
    from ..formats import EXTRACT_OPTIONS, FORMATS

    t0 = time.perf_counter()
    src = task["data"] if task.get("data") is not None else task["path"]
    opts = task["options"]
    channel = _CHANNEL if task.get("live") else None
    try:
        doc = extract(src, engine=opts["engine"], pages=opts["pages"], password=task.get("password"),
                      ocr=opts.get("ocr", "auto"), ocr_lang=opts.get("ocr_lang", "ara+fas+eng"),
                      ocr_jobs=_PoolSlots(channel) if channel else 1,
                      ocr_progress=(lambda n: channel.progress({"ocr_page": n})) if channel else None,
                      **EXTRACT_OPTIONS.get(opts["format"], {}))
        doc.source.file = task["rel"]
        text = FORMATS[opts["format"]](doc)
        if opts["format"] == "jsonl":
            text = text.rstrip("\n")
        if not text.endswith("\n"):
            text += "\n"
        out = {"status": "ok", "text": text, "sha256": doc.source.sha256, "pages": doc.source.pages,
               "pages_read": len(doc.pages), "ocr_pages": sum(1 for p in doc.pages if p.get("ocr")),
               "warnings": list(doc.warnings), "title": doc.metadata.title, "quality": quality_signals(doc)}
        if task.get("review"):
            out.update(_report(doc, src, task))
        out.update(seconds=round(time.perf_counter() - t0, 3), worker_peak_rss_mb=_peak_rss_mb())
        return out
    except InternalError as e:  # a bug of ours: one line, and the traceback in the record
        error, trace = _one_line(e), e.traceback
    except PdfCleanError as e:  # the document's problem
        error, trace = _one_line(e), None
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001  (a bug outside extract(): a writer, the report…)
        err = InternalError.wrap(e)
        error, trace = _one_line(err), err.traceback
    out = {"status": "failed", "error": error, "seconds": round(time.perf_counter() - t0, 3),
           "worker_peak_rss_mb": _peak_rss_mb()}
    if trace:
        out["traceback"] = trace
    return out


def _report(doc, src, task: dict) -> dict:
    """``{"review_html": …}``, or ``{"review_error": …}``: a report that
    cannot be made does not fail the conversion."""
    from ..review import render_report

    try:
        return {"review_html": render_report(doc, src, password=task.get("password"),
                                             index_href=task.get("index_href"))}
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001
        return {"review_error": f"review report could not be made: {type(e).__name__}: {_one_line(e)}"}
