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

Nothing in this module runs at ``pdfclean --help`` time: ``cli.py`` imports it
inside the ``batch`` command only.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import pickle
import selectors
import signal
import stat
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .mupdf import ADD_ONS

MANIFEST_NAME = "pdfclean-manifest.jsonl"
INDEX_NAME = "pdfclean-review.html"  # --review: the index page, at the top of OUTPUT_DIR
REPORT_SUFFIX = ".review.html"  # --review: a/b.pdf → a/b.review.html
REVIEW_FIELDS = ("review", "review_sha256", "review_bytes")
TMP_DIR_NAME = ".pdfclean-tmp"
from .writers import SUFFIXES as EXTENSIONS  # noqa: E402  (the suffix per format, beside the writers)
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


# ---------------------------------------------------------------------------
# Worker processes
# ---------------------------------------------------------------------------

_WORKER_CODE = "from pdfclean.batch import _worker_main; _worker_main()"


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


def _package_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_mb(pid: int) -> float | None:
    """Resident memory of a process (Linux ``/proc``); None where unknown."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux ``/proc``; empty where unknown)."""
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out += [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        pass
    return out


def _kill_with_children(pid: int) -> None:
    """SIGKILL a worker and the processes it started (its Tesseract runs,
    which would otherwise outlive it, orphaned, for up to their own timeout)."""
    kids = _children(pid)
    for p in [pid, *kids]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def _memory_message(rss: float, max_memory_mb: int) -> str:
    return f"out of memory: the worker used {rss:.0f} MB (limit {max_memory_mb} MB; see --max-memory)"


def _death_message(rc: int | None, max_memory_mb: int) -> str:
    if rc == EXIT_OOM:
        return f"out of memory (limit {max_memory_mb} MB)"
    if rc is not None and rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        if -rc == signal.SIGKILL:
            return f"worker was killed ({name}; out of memory?)"
        return f"worker crashed ({name})"
    return f"worker exited unexpectedly (exit code {rc})"


_ZYGOTE_CODE = "from pdfclean.batch import _zygote_main; _zygote_main()"
_ZMSG = struct.Struct(">cii")  # kind, pid, exit code — zygote → coordinator


def _zygote_main() -> None:
    """The zygote: imports pdfclean and the engine once, then forks workers on request.

    The coordinator sends ``b"F"`` with one socket (SCM_RIGHTS) per worker
    wanted; the zygote forks, the child serves on that socket, the zygote
    answers ``P pid``; when a worker ends, ``X pid exit-code``. argv:
    ``MAX_MEMORY_MB PRELOAD_ENGINE``; the control socket's fd is in
    ``PDFCLEAN_ZYGOTE_FD``. Ends when the coordinator goes away.
    """
    import socket
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _set_pdeathsig(_parent_from_env())
    ctl = socket.socket(fileno=int(os.environ.pop("PDFCLEAN_ZYGOTE_FD")))
    max_mb = int(sys.argv[1])
    preload = sys.argv[2]
    _preload(preload, strict=False)  # a failure shows in the worker, as "fatal"
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(ctl, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    ctl.send(_ZMSG.pack(b"R", os.getpid(), 0))
    children: set[int] = set()
    while True:
        for key, _ in sel.select(1.0):
            if key.fileobj is ctl:
                try:
                    msg, fds, _flags, _addr = socket.recv_fds(ctl, 16, 4)
                except OSError:
                    msg, fds = b"", []
                if not msg:  # the coordinator is done (or gone): let the workers go, reap them
                    _reap_all(children)
                    os._exit(0)
                me = os.getpid()
                for fd in fds:
                    pid = os.fork()
                    if pid == 0:  # the worker
                        try:
                            sel.close()
                            ctl.close()
                            signal.set_wakeup_fd(-1)
                            os.close(wake_r)
                            os.close(wake_w)
                            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                            _fork_worker(Connection(fd), max_mb, preload, me)
                        finally:
                            os._exit(1)
                    os.close(fd)
                    children.add(pid)
                    ctl.send(_ZMSG.pack(b"P", pid, 0))
            else:
                try:
                    while os.read(wake_r, 512):
                        pass
                except OSError:
                    pass
        while True:  # reap, and tell
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            try:
                ctl.send(_ZMSG.pack(b"X", pid, os.waitstatus_to_exitcode(status)))
            except OSError:
                _reap_all(children)
                os._exit(0)


def _reap_all(children: set[int], grace: float = 2.0) -> None:
    """Wait a little for the workers to leave, then kill and reap the rest."""
    end = time.monotonic() + grace
    while children and time.monotonic() < end:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            children.discard(pid)
        else:
            time.sleep(0.01)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass


class _Zygote:
    """Coordinator side of :func:`_zygote_main`: fork workers, learn how they ended.

    A fork of a process that already imported PyMuPDF and pdfclean starts in
    milliseconds; a fresh interpreter takes about a second (and replacing a
    crashed worker would cost that again).
    """

    def __init__(self, max_memory_mb: int, preload: str) -> None:
        import socket

        self.ctl, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = _child_env()
        env["PDFCLEAN_ZYGOTE_FD"] = str(theirs.fileno())
        self.proc = subprocess.Popen([sys.executable, "-c", _ZYGOTE_CODE, str(max_memory_mb), preload],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=env, pass_fds=(theirs.fileno(),))
        theirs.close()
        self.fd = self.ctl.fileno()
        self.ready = False
        self.exits: dict[int, int] = {}
        self._forked: deque[int] = deque()

    def _take(self, timeout: float | None) -> bool:
        """Read one message (waiting up to ``timeout``); False when none came."""
        if timeout is not None:
            import select

            if not select.select([self.ctl], [], [], timeout)[0]:
                return False
        try:
            data = self.ctl.recv(64)
        except OSError:
            data = b""
        if not data:
            raise BatchError("the worker launcher (zygote) died"
                             + (f" (exit code {self.proc.poll()})" if self.proc.poll() is not None else ""))
        kind, pid, rc = _ZMSG.unpack(data)
        if kind == b"X":
            self.exits[pid] = rc
        elif kind == b"P":
            self._forked.append(pid)
        elif kind == b"R":
            self.ready = True
        return True

    def poll(self) -> None:
        """Take every message waiting (the pool calls this when the socket is readable)."""
        while self._take(0):
            pass

    def fork(self, start_timeout: float):
        import socket
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.ctl, [b"F"], [theirs.fileno()])
        except OSError:
            raise BatchError("the worker launcher (zygote) is gone") from None
        finally:
            theirs.close()
        end = time.monotonic() + start_timeout
        while not self._forked:
            left = end - time.monotonic()
            if left <= 0:
                raise BatchError(f"workers did not start within {start_timeout:g} s")
            self._take(left)
        return self._forked.popleft(), Connection(mine.detach())

    def exit_code(self, pid: int, timeout: float) -> int | None:
        end = time.monotonic() + timeout
        while pid not in self.exits:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                self._take(left)
            except BatchError:
                return None
        return self.exits.pop(pid)

    def close(self) -> None:
        try:
            self.ctl.close()
        except OSError:
            pass
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _ZygoteChild:
    """A worker forked by the :class:`_Zygote` (the local pool's workers)."""

    def __init__(self, zygote: _Zygote, max_memory_mb: int, start_timeout: float) -> None:
        self.zygote = zygote
        self.max_memory_mb = max_memory_mb
        self.pid, self.conn = zygote.fork(start_timeout)
        self.fd = self.conn.fileno()
        self.ready = False
        self.fatal: str | None = None
        self.spawned = time.monotonic()
        self.key: Any = None
        self.started = 0.0
        self.deadline: float | None = None
        self.retiring = False
        self.extra = 0  # OCR slots lent to the task running, beyond its own
        self._rc: int | None = None

    def send(self, obj) -> bool:
        try:
            self.conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except (OSError, ValueError):
            return False

    def read(self) -> tuple[list, bool]:
        msgs = []
        try:
            while self.conn.poll(0):
                msgs.append(pickle.loads(self.conn.recv_bytes()))
        except (EOFError, OSError):
            return msgs, True
        return msgs, False

    def alive(self) -> bool:
        if self._rc is None and self.pid in self.zygote.exits:
            self._rc = self.zygote.exits.pop(self.pid)
        return self._rc is None

    def _close_conn(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass

    def kill(self) -> None:
        if self.alive():
            _kill_with_children(self.pid)
        self._close_conn()

    def close(self) -> None:
        self._close_conn()  # the worker reads the end of its input and leaves

    def death(self) -> str:
        if self._rc is None:
            self._rc = self.zygote.exit_code(self.pid, 5)
        if self._rc is None:
            self.kill()
            self._rc = self.zygote.exit_code(self.pid, 5)
        return _death_message(self._rc, self.max_memory_mb)


def _child_env() -> dict:
    env = dict(os.environ)
    env["PDFCLEAN_PARENT_PID"] = str(os.getpid())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH")) if p)
    return env


class _Child:
    """One worker process and its pipes."""

    def __init__(self, max_memory_mb: int, preload: str = "") -> None:
        env = _child_env()
        self.max_memory_mb = max_memory_mb
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, str(max_memory_mb), preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, close_fds=True,
        )
        self.fd = self.proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.buf = bytearray()
        self.ready = False
        self.pid = self.proc.pid
        self.fatal: str | None = None
        self.spawned = time.monotonic()
        self.key: Any = None  # the task running, if any
        self.started = 0.0
        self.deadline: float | None = None
        self.retiring = False  # asked to exit after its current answer (MemoryError)
        self.extra = 0
        self._finalizer = weakref.finalize(self, _reap, self.proc)

    # -- pipes ---------------------------------------------------------------
    def send(self, obj) -> bool:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(_HEADER.pack(len(data)) + data)
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def read(self) -> tuple[list, bool]:
        """Messages now complete, and whether the pipe is at its end."""
        eof = False
        while True:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            except OSError:
                eof = True
                break
            if not chunk:
                eof = True
                break
            self.buf += chunk
        msgs = []
        while len(self.buf) >= _HEADER.size:
            (n,) = _HEADER.unpack_from(self.buf)
            if len(self.buf) < _HEADER.size + n:
                break
            msgs.append(pickle.loads(bytes(self.buf[_HEADER.size:_HEADER.size + n])))
            del self.buf[:_HEADER.size + n]
        return msgs, eof

    # -- life ------------------------------------------------------------------
    def kill(self) -> None:
        if self.proc.poll() is None:
            _kill_with_children(self.proc.pid)
        self._wait()

    def _wait(self, timeout: float | None = None) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """Ask an idle worker to leave (end of input), kill it if it lingers."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if self._wait(2) is None:
            self.kill()
        try:
            self.proc.stdout.close()
        except OSError:
            pass

    def alive(self) -> bool:
        return self.proc.poll() is None

    def death(self) -> str:
        """Why the process ended, as a one-line error."""
        rc = self._wait(5)
        if rc is None:
            self.kill()
            rc = self.proc.returncode
        return _death_message(rc, self.max_memory_mb)

    # -- one blocking call (Dask side) -----------------------------------------
    def call(self, func: str, args: tuple, timeout: float | None) -> dict:
        """Run one call to the end: an outcome dict (see :meth:`WorkerPool.run`)."""
        sel = selectors.DefaultSelector()
        sel.register(self.fd, selectors.EVENT_READ)
        try:
            while not self.ready:  # start-up
                if not sel.select(120):
                    raise BatchError("worker did not start within 120 s")
                msgs, eof = self.read()
                for m in msgs:
                    if m[0] == "ready":
                        self.ready = True
                    elif m[0] == "fatal":
                        self.fatal = m[1]
                if eof and not self.ready:
                    raise BatchError(f"worker could not start: {self.fatal or self.death()}")
            t0 = time.monotonic()
            if not self.send((func, args)):
                return {"ok": False, "error": self.death(), "seconds": 0.0, "dead": True}
            deadline = t0 + timeout if timeout else None
            while True:
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                if self.max_memory_mb:
                    wait = WATCH_INTERVAL if wait is None else min(wait, WATCH_INTERVAL)
                events = sel.select(wait)
                if not events:
                    error = None
                    if deadline is not None and time.monotonic() >= deadline:
                        error = _timeout_message(timeout)
                    elif self.max_memory_mb:
                        rss = _rss_mb(self.pid)
                        if rss is not None and rss > self.max_memory_mb:
                            error = _memory_message(rss, self.max_memory_mb)
                    if error:
                        self.kill()
                        return {"ok": False, "error": error,
                                "seconds": round(time.monotonic() - t0, 3), "dead": True}
                    continue
                msgs, eof = self.read()
                for m in msgs:
                    out = _outcome(m, time.monotonic() - t0)
                    if out is not None:
                        if m[0] == "error" and m[2]:
                            out["dead"] = True
                            self.close()
                        return out
                if eof:
                    return {"ok": False, "error": self.death(),
                            "seconds": round(time.monotonic() - t0, 3), "dead": True}
        finally:
            sel.close()


def _reap(proc: subprocess.Popen) -> None:
    """Garbage-collected child: let it go (it exits on the end of its stdin)."""
    try:
        proc.stdin.close()
    except Exception:
        pass
    try:
        proc.wait(1)
    except Exception:
        try:
            proc.kill()
            proc.wait(1)
        except Exception:
            pass


def _timeout_message(timeout: float | None) -> str:
    return f"timed out after {timeout:g} s (worker stopped)"


def _outcome(msg, seconds: float) -> dict | None:
    if msg[0] == "result":
        return {"ok": True, "value": msg[1], "seconds": round(seconds, 3)}
    if msg[0] == "error":
        return {"ok": False, "error": msg[1], "seconds": round(seconds, 3)}
    return None


class WorkerPool:
    """``jobs`` worker processes; each call has a deadline; crashes are contained.

    :meth:`run` takes ``(key, "module:function", args)`` triples and yields
    ``(key, outcome)`` as calls finish, in completion order. ``outcome`` is
    ``{"ok": True, "value": …, "seconds": …}`` or ``{"ok": False, "error":
    "one line", "seconds": …}``. A worker that dies, runs out of memory or
    passes the deadline is killed if need be and replaced; its call's outcome
    says what happened. Workers are forked from a zygote that has pdfclean and
    the engine imported (``start_method="zygote"``, POSIX), or are fresh
    interpreters (``"subprocess"``).

    **Slots.** ``slots`` (default ``jobs``) bounds the work running at once: a
    busy worker holds one; a task may ask for more for its OCR pages
    (:class:`_Channel`), and gets them only when no call is left to start and
    they are free — so busy workers plus extra OCR readers never exceed
    ``slots``. ``jobs`` may be lowered below ``slots`` (fewer files than
    cores): the idle slots then go to OCR. A task's extra slots come back with
    its answer or its worker's death. ``on_progress(key, info)`` gets the
    tasks' progress messages.
    """

    def __init__(self, jobs: int, timeout: float | None = DEFAULT_TIMEOUT,
                 max_memory_mb: int = DEFAULT_MAX_MEMORY_MB, preload: str = "",
                 start_timeout: float = 120.0, start_method: str | None = None) -> None:
        self.jobs = max(1, jobs)
        self.slots = self.jobs
        self.timeout = timeout or None
        self.max_memory_mb = max_memory_mb
        self.preload = preload
        self.start_timeout = start_timeout
        self.start_method = start_method or ("zygote" if hasattr(os, "fork") else "subprocess")
        self.replaced = 0  # workers replaced after a crash, a timeout or a MemoryError
        self._zygote: _Zygote | None = None

    def start(self) -> None:
        """Start the zygote now (it imports in the background while the caller scans)."""
        if self.start_method == "zygote" and self._zygote is None:
            self._zygote = _Zygote(self.max_memory_mb, self.preload)

    def close(self) -> None:
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    def run(self, calls: Iterable[tuple[Any, str, tuple]], on_progress=None) -> Iterator[tuple[Any, dict]]:
        pending = iter(calls)
        queue: deque = deque()
        exhausted = False

        def take():
            nonlocal exhausted
            if queue:
                return queue.popleft()
            if not exhausted:
                nxt = next(pending, None)
                if nxt is not None:
                    return nxt
                exhausted = True
            return None

        first = take()
        if first is None:
            return
        queue.append(first)
        workers: list = []
        sel = selectors.DefaultSelector()
        zygote: _Zygote | None = None
        start_failures = 0
        ever_ready = False

        def spawn():
            if zygote is not None:
                c = _ZygoteChild(zygote, self.max_memory_mb, self.start_timeout)
            else:
                c = _Child(self.max_memory_mb, self.preload)
            sel.register(c.fd, selectors.EVENT_READ, c)
            workers.append(c)

        def retire(c, kill: bool) -> None:
            try:
                sel.unregister(c.fd)
            except (KeyError, ValueError):
                pass
            c.kill() if kill else c.close()
            workers.remove(c)

        def in_use() -> int:
            return sum(1 + w.extra for w in workers if w.key is not None)

        def grant(c, want: int) -> int:
            """Extra OCR slots for the task of ``c``: free ones, once no call waits."""
            if c.key is None or want <= 0 or not no_more_work():
                return 0
            n = max(0, min(int(want), self.slots - in_use()))
            c.extra += n
            return n

        def assign(c) -> bool:
            """Give an idle, started worker its next call; False when there was none to give."""
            if not c.ready or c.key is not None or c.retiring or in_use() >= self.slots:
                return False
            item = take()
            if item is None:
                return False
            c.key, func, args = item
            c.started = time.monotonic()
            c.deadline = c.started + self.timeout if self.timeout else None
            if not c.send((func, args)):
                c.deadline = c.started  # already dead: its end of pipe says so below
            return True

        def no_more_work() -> bool:
            if queue:
                return False
            if exhausted:
                return True
            nxt = take()
            if nxt is None:
                return True
            queue.append(nxt)
            return False

        try:
            if self.start_method == "zygote":
                self.start()
                zygote = self._zygote
                sel.register(zygote.fd, selectors.EVENT_READ, zygote)
            for _ in range(self.jobs):
                spawn()
            while True:
                for c in list(workers):  # hand out work to every idle, started worker
                    if not assign(c) and c.ready and c.key is None and not c.retiring:
                        break  # no more work
                idle_done = no_more_work()
                if idle_done:
                    for c in [c for c in workers if c.key is None]:
                        retire(c, kill=False)
                    if not workers:
                        return
                now = time.monotonic()
                waits = [c.deadline - now for c in workers if c.key is not None and c.deadline]
                waits += [c.spawned + self.start_timeout - now for c in workers if not c.ready]
                if self.max_memory_mb and any(c.key is not None for c in workers):
                    waits.append(WATCH_INTERVAL)
                events = sel.select(max(0.0, min(waits + [1.0])))
                for sk, _ in events:
                    c = sk.data
                    if c is zygote:
                        zygote.poll()
                        continue
                    if c not in workers:
                        continue
                    msgs, eof = c.read()
                    for m in msgs:
                        if m[0] == "ready":
                            c.ready, ever_ready, start_failures = True, True, 0
                        elif m[0] == "fatal":
                            c.fatal = m[1]
                        elif m[0] == "slots":
                            c.send(("slots", grant(c, m[1])))  # a dead worker: its end of pipe says so
                        elif m[0] == "release":
                            c.extra = max(0, c.extra - int(m[1]))
                        elif m[0] == "progress":
                            if on_progress is not None and c.key is not None:
                                on_progress(c.key, m[1])
                        else:
                            out = _outcome(m, time.monotonic() - c.started)
                            key, c.key, c.deadline, c.extra = c.key, None, None, 0
                            if m[0] == "error" and m[2]:
                                c.retiring = True
                            elif not eof:
                                assign(c)  # the next file first: the worker works while we write
                            if out is not None and key is not None:
                                yield key, out
                    if eof:
                        failed_start = not c.ready and not c.retiring
                        why = c.death() if (c.key is not None or failed_start) else ""
                        key = c.key
                        retire(c, kill=True)
                        if key is not None:
                            yield key, {"ok": False, "error": why,
                                        "seconds": round(time.monotonic() - c.started, 3)}
                        if failed_start:
                            start_failures += 1
                            if start_failures >= 3 and not ever_ready:
                                raise BatchError(f"worker could not start: {c.fatal or why}")
                        if not no_more_work():
                            self.replaced += 1
                            spawn()
                now = time.monotonic()
                for c in list(workers):  # deadlines and memory
                    error = None
                    if c.key is not None and c.deadline is not None and now >= c.deadline:
                        error = _timeout_message(self.timeout)
                    elif c.key is not None and self.max_memory_mb:
                        rss = _rss_mb(c.pid)
                        if rss is not None and rss > self.max_memory_mb:
                            error = _memory_message(rss, self.max_memory_mb)
                    if error:
                        key = c.key
                        retire(c, kill=True)
                        yield key, {"ok": False, "error": error, "seconds": round(now - c.started, 3)}
                        if not no_more_work():
                            self.replaced += 1
                            spawn()
                    elif not c.ready and now >= c.spawned + self.start_timeout:
                        raise BatchError(f"worker did not start within {self.start_timeout:g} s")
        finally:
            for c in list(workers):
                retire(c, kill=c.key is not None or not c.ready)
            self.close()
            sel.close()


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
    from .errors import InternalError, PdfCleanError
    from .pipeline import extract
    from .review import quality_signals
    from .writers import EXTRACT_OPTIONS, FORMATS

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
    from .review import render_report

    try:
        return {"review_html": render_report(doc, src, password=task.get("password"),
                                             index_href=task.get("index_href"))}
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001
        return {"review_error": f"review report could not be made: {type(e).__name__}: {_one_line(e)}"}


# ---------------------------------------------------------------------------
# Dask
# ---------------------------------------------------------------------------

_TLS = threading.local()


def _dask_convert(task: dict, timeout: float | None, max_memory_mb: int) -> dict:
    """Runs on a Dask worker: the same isolation as the local pool (one child
    process per Dask worker thread, kept between tasks, replaced after a crash)."""
    child: _Child | None = getattr(_TLS, "child", None)
    if child is None or child.proc.poll() is not None:
        child = _TLS.child = _Child(max_memory_mb, task["options"]["engine"])
    out = child.call("pdfclean.batch:convert", (task,), timeout)
    if out.pop("dead", False):
        _TLS.child = None
    return out


class DaskExecutor:
    """Run the conversion tasks on a ``dask.distributed`` cluster.

    The coordinator stays here: it reads each input and ships its bytes (no
    shared file system needed), gets the output text back, and writes the
    output and the manifest itself — the same code path as the local pool.
    On the cluster, :func:`_dask_convert` runs each task in a child process of
    the Dask worker, with the same timeout and memory watchdog. At most two
    tasks per Dask worker thread are in flight.
    """

    def __init__(self, address: str, timeout: float | None, max_memory_mb: int) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UsageProblem("--executor dask needs the dask extra: pip install 'pdfclean[dask]'") from None
        self.timeout = timeout or None
        self.max_memory_mb = max_memory_mb
        self.address = address
        try:
            self.client = Client(address, timeout="20s")
        except Exception as e:  # noqa: BLE001
            raise BatchError(f"cannot reach the Dask scheduler at {address}: {_one_line(e)}") from None

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001
            pass

    def run(self, calls: Iterable[tuple[Any, str, tuple]], on_progress=None) -> Iterator[tuple[Any, dict]]:
        import uuid

        from distributed import as_completed

        client = self.client
        token = uuid.uuid4().hex[:12]
        threads = sum(client.nthreads().values()) or 1
        limit = 2 * threads
        pending = iter(calls)
        ac = as_completed()
        inflight: dict[str, Any] = {}
        unread: deque = deque()  # inputs that could not be read here: failed without a trip

        def fill() -> None:
            while len(inflight) < limit and not unread:
                item = next(pending, None)
                if item is None:
                    return
                key, _func, (task,) = item
                task = dict(task)
                try:
                    task["data"] = Path(task.pop("path")).read_bytes()
                except OSError as e:
                    unread.append((key, {"ok": False, "error": f"cannot read ({e.strerror or e})",
                                         "seconds": 0.0}))
                    return
                fut = client.submit(_dask_convert, task, self.timeout, self.max_memory_mb,
                                    pure=False, key=f"pdfclean-{token}-{key}")
                inflight[fut.key] = key
                ac.add(fut)

        try:
            fill()
            while inflight or unread:
                while unread:
                    yield unread.popleft()
                    fill()
                if not inflight:
                    continue
                fut = next(ac)
                key = inflight.pop(fut.key)
                try:
                    out = fut.result()
                except Exception as e:  # noqa: BLE001 — KilledWorker, lost connection, …
                    out = {"ok": False, "error": f"dask: {type(e).__name__}: {_one_line(e)}", "seconds": 0.0}
                fut.release()
                yield key, out
                fill()
        finally:
            for fut in list(ac.futures):
                fut.cancel()


# ---------------------------------------------------------------------------
# Scanning the input
# ---------------------------------------------------------------------------

@dataclass
class Scan:
    pdfs: list[tuple[str, str]] = field(default_factory=list)  # (relative posix path, absolute path)
    not_pdf: list[str] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (rel, why) — .pdf names that cannot be read
    excluded: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rel, why) — links not followed


def _matches(rel: str, patterns: tuple[str, ...]) -> bool:
    """A pattern with a ``/`` matches the whole relative path, one without matches the name."""
    name = rel.rsplit("/", 1)[-1]
    for p in patterns:
        if fnmatch.fnmatchcase(rel if "/" in p else name, p):
            return True
    return False


def scan(input_dir: str, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
         skip_dirs: Iterable[tuple[int, int]] = ()) -> Scan:
    """Every file under ``input_dir``, following symbolic links once.

    Real directories are walked first; a symbolic link to a directory is
    followed afterwards, and only if it leads to a directory not seen yet — so
    a loop ends and no folder is read twice. ``skip_dirs`` are ``(st_dev,
    st_ino)`` of directories not to enter (the output folder).
    """
    res = Scan()
    seen: set[tuple[int, int]] = set(skip_dirs)
    links: deque[tuple[str, str]] = deque()

    def walk(top: str, rel_top: str) -> None:
        stack = [(top, rel_top)]
        while stack:
            d, rel = stack.pop()
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError as e:
                res.notes.append((rel or ".", f"cannot read folder ({e.strerror or e})"))
                continue
            subdirs = []
            for e in entries:
                r = f"{rel}/{e.name}" if rel else e.name
                try:
                    is_link = e.is_symlink()
                    is_dir = e.is_dir(follow_symlinks=True)
                    is_file = not is_dir and e.is_file(follow_symlinks=True)
                except OSError:
                    is_link, is_dir, is_file = True, False, False
                if is_dir:
                    if exclude and _matches(r, exclude):
                        continue
                    if is_link:
                        links.append((e.path, r))
                        continue
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    k = (st.st_dev, st.st_ino)
                    if k in seen:
                        continue
                    seen.add(k)
                    subdirs.append((e.path, r))
                    continue
                if (include and not _matches(r, include)) or (exclude and _matches(r, exclude)):
                    res.excluded += 1
                    continue
                is_pdf = e.name.lower().endswith(".pdf")
                if is_file and is_pdf:
                    res.pdfs.append((r, e.path))
                elif is_file:
                    res.not_pdf.append(r)
                elif is_pdf:
                    res.broken.append((r, "broken symbolic link" if is_link else "not a regular file"))
                else:
                    res.not_pdf.append(r)
            stack.extend(reversed(subdirs))

    try:
        st = os.stat(input_dir)
        seen.add((st.st_dev, st.st_ino))
    except OSError:
        pass
    walk(input_dir, "")
    while links:
        path, rel = links.popleft()
        try:
            st = os.stat(path)
        except OSError:
            continue
        k = (st.st_dev, st.st_ino)
        if k in seen:
            res.notes.append((rel, "symbolic link to a folder already read (loop or duplicate): not followed"))
            continue
        seen.add(k)
        walk(path, rel)
    res.pdfs.sort()
    res.not_pdf.sort()
    return res


def output_rel(rel: str, fmt: str) -> str:
    """``a/b/دراسة 1.pdf`` → ``a/b/دراسة 1.json`` (the suffix per format)."""
    stem = rel[:-4] if rel.lower().endswith(".pdf") else rel
    return stem + EXTENSIONS[fmt]


def sha256_file(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    return h.hexdigest(), n


# ---------------------------------------------------------------------------
# Manifest and outputs
# ---------------------------------------------------------------------------

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


class Outputs:
    """Atomic writes strictly inside OUTPUT_DIR.

    Temporary files live in ``OUTPUT_DIR/.pdfclean-tmp/`` (cleared at start:
    the manifest lock says no other batch uses it) and are fsynced before the
    rename, so a final name never holds a partial file. Every directory on the
    way is checked with ``lstat``: a symbolic link inside OUTPUT_DIR that points
    elsewhere is refused, never followed.
    """

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.tmp = os.path.join(self.root, TMP_DIR_NAME)
        self._good: set[str] = {self.root}
        if os.path.isdir(self.tmp) and not os.path.islink(self.tmp):
            for name in os.listdir(self.tmp):
                try:
                    os.unlink(os.path.join(self.tmp, name))
                except OSError:
                    pass
        elif os.path.lexists(self.tmp):
            os.unlink(self.tmp)
        os.makedirs(self.tmp, exist_ok=True)
        mask = os.umask(0)
        os.umask(mask)
        self.mode = 0o666 & ~mask  # what open() would give: mkstemp's 0600 is not what an archive wants

    def _dir(self, rel_dir: str) -> str:
        path = self.root
        for part in [p for p in rel_dir.split("/") if p]:
            if part in (".", ".."):
                raise OSError("path component . or ..")
            path = os.path.join(path, part)
            if path in self._good:
                continue
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                os.mkdir(path)
                st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                raise UnsafeOutput(f"output folder {os.path.relpath(path, self.root)} is a symbolic "
                                   "link (would write outside OUTPUT_DIR)")
            if not stat.S_ISDIR(st.st_mode):
                raise UnsafeOutput(f"{os.path.relpath(path, self.root)} in OUTPUT_DIR is not a folder")
            self._good.add(path)
        return path

    def target(self, out_rel: str) -> str:
        d, _, name = out_rel.rpartition("/")
        path = os.path.join(self._dir(d), name)
        if os.path.isdir(path) and not os.path.islink(path):
            raise UnsafeOutput(f"output path {out_rel} is a folder")
        return path

    def write_tmp(self, data: bytes) -> str:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix="out-", suffix=".tmp", dir=self.tmp)
        try:
            os.fchmod(fd, self.mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            _unlink(tmp)
            raise
        return tmp

    def close(self) -> None:
        try:
            os.rmdir(self.tmp)
        except OSError:
            pass


class UnsafeOutput(Exception):
    pass


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _file_sha256_or_none(path: str) -> str | None:
    try:
        return sha256_file(path)[0]
    except OSError:
        return None


# ---------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# The batch
# ---------------------------------------------------------------------------

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
        from .pipeline import parse_pages

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
    manifest = outputs = None
    if not stream:
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

    executor: Any = dask

    mode = opts.progress or ("quiet" if opts.quiet else ("bar" if stderr.isatty() else "lines"))
    # the resume key: what the output depends on (--review adds a file beside it, not another output)
    options = {"format": opts.format, "engine": opts.engine, "pages": opts.pages, "ocr": opts.ocr,
               "ocr_lang": opts.ocr_lang}
    t_start = time.monotonic()
    counts = {"inputs": 0, "ok": 0, "unchanged": 0, "failed": 0, "skipped": 0, "excluded": 0}
    pages_read = ocr_pages = reports = 0
    interrupted = False
    broken_pipe = False
    sc: Scan | None = None
    final: dict[str, tuple[str, dict]] = {}  # rel → (index status, record): what the index shows
    index_path = None if stream else os.path.join(outputs.root, INDEX_NAME)
    write_index = index_path is not None and (opts.review or os.path.isfile(index_path))

    main_thread = threading.current_thread() is threading.main_thread()
    old_term = signal.getsignal(signal.SIGTERM) if main_thread else None

    def on_term(signum, frame):
        raise _Interrupted()

    if main_thread:
        signal.signal(signal.SIGTERM, on_term)
    progress: Progress | None = None
    try:
        if executor is None:  # started now: the zygote imports while we scan and hash
            executor = WorkerPool(opts.jobs or default_jobs(), opts.timeout, opts.max_memory_mb,
                                  preload=opts.engine)
            executor.start()
        sc = scan(opts.input_dir, include=tuple(opts.include), exclude=tuple(opts.exclude),
                  skip_dirs=skip_dirs)
        counts["excluded"] = sc.excluded
        counts["skipped"] = len(sc.not_pdf)
        counts["inputs"] = len(sc.pdfs) + len(sc.broken)
        base = {"version": __version__, "options": options}

        def record(rec: dict) -> None:
            if manifest is not None:
                manifest.append({**rec, **base, "time": _now()})

        # --- decide, per PDF: up to date, a report to make, or work ------------------
        # todo: (size, rel, abs, sha, out_rel, prev) — prev: the record of an up-to-date
        # output whose report is missing (a review-only task), else None
        todo: list[tuple[int, str, str, str, str | None, dict | None]] = []
        failed_now: list[tuple[str, str, str | None, int | None]] = []
        up_to_date: list[str] = []
        claimed: dict[str, str] = {}
        for rel, why in sc.broken:
            failed_now.append((rel, why, None, None))
        for rel, path in sc.pdfs:
            out_rel = None if stream else output_rel(rel, opts.format)
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
            if manifest is not None and not opts.force:
                prev = manifest.latest.get(rel)
                if prev and prev.get("sha256") == sha and prev.get("options") == options \
                        and prev.get("output") == out_rel:
                    target = os.path.join(outputs.root, out_rel)
                    done = None
                    if prev.get("status") == "ok" and _output_intact(target, prev):
                        done = prev
                    elif prev.get("status") == "writing" and os.path.isfile(target) \
                            and _file_sha256_or_none(target) == prev.get("output_sha256"):
                        # killed between the rename and the ok record: the output is complete
                        # (and so is its report, renamed before it, unless someone removed it)
                        done = {**prev, "status": "ok", "recovered": True}
                        if done.get("review") and not _report_intact(outputs.root, done, full=True):
                            for k in REVIEW_FIELDS:
                                done.pop(k, None)
                        manifest.append({**done, "time": _now()})
                    if done is not None:
                        if opts.review and not _report_intact(outputs.root, done, report_rel(rel)):
                            todo.append((size, rel, path, sha, out_rel, done))
                        else:
                            up_to_date.append(rel)
                            final[rel] = ("unchanged", done)
                        continue
            todo.append((size, rel, path, sha, out_rel, None))

        counts["unchanged"] = len(up_to_date)
        progress = Progress(stderr, len(todo) + len(failed_now), mode)
        for rel, why in sc.notes:
            progress.note("note", rel, why)
        for rel in sc.not_pdf:
            progress.note("skipped", rel, "not a PDF (no .pdf extension)")
            if manifest is not None:
                prev = manifest.latest.get(rel)
                if not prev or prev.get("status") != "skipped":
                    record({"path": rel, "status": "skipped", "sha256": None, "pages": None,
                            "error": "not a PDF (no .pdf extension)", "seconds": 0.0, "output": None})
        for rel in up_to_date:
            progress.note("unchanged", rel)
        for rel, why, sha, size in failed_now:
            counts["failed"] += 1
            rec = {"path": rel, "status": "failed", "sha256": sha, "bytes": size, "pages": None,
                   "error": why, "seconds": 0.0, "output": None}
            record(rec)
            final[rel] = ("failed", rec)
            progress.failure(rel, why)

        # --- convert -----------------------------------------------------------------
        todo.sort(key=lambda t: (-t[0], t[1]))  # biggest first: the last file to finish is a small one
        by_key = {i: t for i, t in enumerate(todo)}
        live = isinstance(executor, WorkerPool)
        calls = ((i, "pdfclean.batch:convert",
                  ({"rel": rel, "path": path, "options": options, "password": opts.password,
                    "review": opts.review, "index_href": _index_href(rel), "live": live},))
                 for i, (_size, rel, path, _sha, _o, _prev) in enumerate(todo))
        if isinstance(executor, WorkerPool):
            executor.jobs = max(1, min(executor.jobs, len(todo)))  # the idle slots go to OCR pages

        def on_progress(key, info: dict) -> None:
            if info.get("ocr_page") is not None and key in by_key:
                progress.ocr_page(by_key[key][1])

        results = executor.run(calls, on_progress=on_progress) if todo else iter(())
        try:
            for key, out in results:
                size, rel, path, sha, out_rel, prev = by_key.pop(key)
                val = out.get("value") if out.get("ok") else None
                if val is None:
                    val = {"status": "failed", "error": out.get("error", "unknown error"),
                           "seconds": out.get("seconds", 0.0)}
                rec = {"path": rel, "status": val["status"], "sha256": val.get("sha256") or sha,
                       "bytes": size, "pages": val.get("pages"), "pages_read": val.get("pages_read"),
                       "ocr_pages": val.get("ocr_pages"), "error": val.get("error"),
                       "warnings": val.get("warnings", []), "title": val.get("title"),
                       "quality": val.get("quality"), "seconds": val.get("seconds", out.get("seconds")),
                       "output": None, "worker_peak_rss_mb": val.get("worker_peak_rss_mb")}
                if val.get("traceback"):  # an internal error: the bug report is in the record
                    rec["traceback"] = val["traceback"]
                if val["status"] != "ok":
                    record(rec)
                    final[rel] = ("failed", rec)
                    counts["failed"] += 1
                    progress.failure(rel, rec["error"])
                    continue
                data = val["text"].encode("utf-8", "replace")
                report = None
                if val.get("review_html") is not None:
                    report = (report_rel(rel), val["review_html"].encode("utf-8", "replace"))
                elif val.get("review_error"):
                    rec["review_error"] = val["review_error"]
                    progress.warning(rel, val["review_error"])
                if stream:
                    try:
                        stdout.write(val["text"])
                        stdout.flush()
                    except BrokenPipeError:
                        broken_pipe = True
                        break
                elif prev is not None and prev.get("output_sha256") == _sha256_bytes(data):
                    # a report for an output already there (and the same): only the report is written
                    try:
                        done = _commit_report(outputs, prev, record, report, rec.get("review_error"))
                    except (UnsafeOutput, OSError) as e:
                        msg = str(e) if isinstance(e, UnsafeOutput) else \
                            f"cannot write the review report ({e.strerror or e})"
                        done = {**prev, "review_error": msg}
                        record(done)
                        progress.warning(rel, msg)
                    reports += report is not None and "review" in done
                    final[rel] = ("unchanged", done)
                    counts["unchanged"] += 1
                    progress.reviewed(rel, rec["seconds"] or 0.0)
                    continue
                else:
                    try:
                        _commit(outputs, rec, record, out_rel, data, report)
                    except (UnsafeOutput, OSError) as e:
                        msg = str(e) if isinstance(e, UnsafeOutput) else \
                            f"cannot write output ({e.strerror or e})"
                        for k in ("output_sha256", "output_bytes", *REVIEW_FIELDS):
                            rec.pop(k, None)
                        rec.update(status="failed", error=msg, output=None)
                        record(rec)
                        final[rel] = ("failed", rec)
                        counts["failed"] += 1
                        progress.failure(rel, msg)
                        continue
                    reports += report is not None
                final[rel] = ("ok", rec)
                counts["ok"] += 1
                pages_read += val.get("pages_read") or 0
                ocr_pages += val.get("ocr_pages") or 0
                progress.converted(rel, val.get("pages_read") or 0, rec["seconds"] or 0.0,
                                   val.get("ocr_pages") or 0)
        finally:
            close = getattr(results, "close", None)
            if close:
                close()
    except (KeyboardInterrupt, _Interrupted):
        interrupted = True
    finally:
        if isinstance(executor, WorkerPool):
            executor.close()
        if main_thread:
            signal.signal(signal.SIGTERM, old_term if old_term is not None else signal.SIG_DFL)
        try:
            if write_index and sc is not None and outputs is not None:
                _write_index(outputs, index_path, opts, sc, final, manifest)
            else:
                write_index = False
        except (UnsafeOutput, OSError) as e:
            write_index = False
            if progress is not None:
                progress.failure(INDEX_NAME, f"cannot write the review index ({e})", counted=False)
        finally:
            if manifest is not None:
                manifest.close()
            if outputs is not None:
                outputs.close()

    seconds = time.monotonic() - t_start
    summary = {**counts, "pages": pages_read, "ocr_pages": ocr_pages, "reports": reports,
               "seconds": f"{seconds:.2f}",
               "pages_per_s": f"{pages_read / seconds:.1f}" if seconds > 0 else "0"}
    if interrupted:
        summary["interrupted"] = 1
    human = (f"pdfclean batch: {counts['inputs']} PDF(s): {counts['ok']} converted, "
             f"{counts['unchanged']} unchanged, {counts['failed']} failed; "
             f"{counts['skipped']} non-PDF skipped, {counts['excluded']} excluded; "
             f"{pages_read} pages in {seconds:.1f} s ({summary['pages_per_s']} pages/s)")
    if ocr_pages:
        human += f", {ocr_pages} read by OCR"
    if write_index:
        human += f"; {reports} review report(s), index {index_path}"
    if manifest is not None:
        human += f"; manifest {manifest.path}"
    if interrupted:
        human += " — interrupted (re-run to resume)"
    if progress is None:
        progress = Progress(stderr, 0, mode)
    try:
        progress.close(summary, human)
    except (BrokenPipeError, OSError):
        pass
    if interrupted:
        return 130
    if broken_pipe:
        return 1
    return 1 if counts["failed"] else 0


def report_rel(rel: str) -> str:
    """``a/b/دراسة 1.pdf`` → ``a/b/دراسة 1.review.html``: the review report, beside the output."""
    stem = rel[:-4] if rel.lower().endswith(".pdf") else rel
    return stem + REPORT_SUFFIX


def _index_href(rel: str) -> str:
    """The index page as seen from the report of ``rel`` (a relative URL)."""
    return "../" * rel.count("/") + INDEX_NAME


def _report_intact(root: str, rec: dict, want: str | None = None, full: bool = False) -> bool:
    """Is the report the record names there (at ``want``, when given) — by size,
    or ``full``: by sha256?"""
    rel = rec.get("review")
    if not rel or (want is not None and rel != want):
        return False
    path = os.path.join(root, rel)
    if full:
        return _file_sha256_or_none(path) == rec.get("review_sha256")
    return _output_intact(path, {"output_bytes": rec.get("review_bytes")})


def _write_index(outputs: Outputs, path: str, opts: BatchOptions, sc: Scan,
                 final: dict[str, tuple[str, dict]], manifest: Manifest | None) -> None:
    """``OUTPUT_DIR/pdfclean-review.html``: one row per input of this run, from
    its outcome now or its last manifest record; a report linked only while
    the record says it is there. Written like an output (temporary file, rename)."""
    from .review import IndexRecord, render_index

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


def _output_intact(target: str, rec: dict) -> bool:
    try:
        st = os.stat(target)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (rec.get("output_bytes") is None or st.st_size == rec["output_bytes"])


def _place(tmp: str, target: str, data: bytes) -> None:
    """Rename a finished temporary file into place."""
    try:
        os.replace(tmp, target)
    except OSError as e:
        import errno

        if e.errno != errno.EXDEV:
            raise
        # OUTPUT_DIR spans file systems: a temporary file beside the target instead
        from .writers import write_atomic

        write_atomic(target, data.decode("utf-8"))
        _unlink(tmp)


def _commit(outputs: Outputs, rec: dict, record, out_rel: str, data: bytes,
            report: tuple[str, bytes] | None = None) -> None:
    """tmp → ``writing`` record → rename(s) → ``ok`` record (see the module docstring).

    The report, if any, is renamed first: an output in place means its report is."""
    target = outputs.target(out_rel)
    report_target = outputs.target(report[0]) if report else None
    tmps: list[str] = []
    try:
        tmps.append(outputs.write_tmp(data))
        rec.update(output=out_rel, output_sha256=_sha256_bytes(data), output_bytes=len(data))
        if report:
            tmps.append(outputs.write_tmp(report[1]))
            rec.update(review=report[0], review_sha256=_sha256_bytes(report[1]), review_bytes=len(report[1]))
        record({**rec, "status": "writing"})
        if report:
            _place(tmps[1], report_target, report[1])
        _place(tmps[0], target, data)
    except BaseException:
        for t in tmps:
            _unlink(t)
        raise
    record(rec)


def _commit_report(outputs: Outputs, prev: dict, record, report: tuple[str, bytes] | None,
                   error: str | None) -> dict:
    """A report for an up-to-date output: tmp → ``writing`` → rename → ``ok``,
    the output untouched. Returns the new record."""
    rec = {k: v for k, v in prev.items() if k not in ("time", "version", "options", "recovered")}
    for k in (*REVIEW_FIELDS, "review_error"):
        rec.pop(k, None)
    if report is None:
        rec.update(status="ok", review_error=error)
        record(rec)
        return rec
    target = outputs.target(report[0])
    tmp = outputs.write_tmp(report[1])
    try:
        rec.update(status="ok", review=report[0], review_sha256=_sha256_bytes(report[1]),
                   review_bytes=len(report[1]))
        record({**rec, "status": "writing"})
        _place(tmp, target, report[1])
    except BaseException:
        _unlink(tmp)
        raise
    record(rec)
    return rec


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


__all__ = ["BatchOptions", "run_batch", "scan", "output_rel", "report_rel", "WorkerPool", "DaskExecutor",
           "Manifest", "UsageProblem", "BatchError", "convert", "MANIFEST_NAME", "INDEX_NAME"]
