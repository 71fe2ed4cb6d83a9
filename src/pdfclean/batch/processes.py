"""Worker processes seen from outside: a fresh-interpreter worker and its
pipes (:class:`_Child`, used on Dask workers and by
``start_method="subprocess"``), how much memory a process holds, its
children, a kill that takes them along, and the one-line messages of a
worker's end (timeout, memory, crash)."""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any

from .common import EXIT_OOM, WATCH_INTERVAL, BatchError, _HEADER


_WORKER_CODE = "from pdfclean.batch.worker import _worker_main; _worker_main()"


def _package_root() -> str:
    return str(Path(__file__).resolve().parent.parent.parent)


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
