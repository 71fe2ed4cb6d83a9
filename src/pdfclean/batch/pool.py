"""The local worker pool: ``jobs`` workers forked from the zygote (or fresh
interpreters), each call with a deadline, resident memory watched, crashes
contained, and ``--jobs`` slots shared with the documents' OCR pages.

:class:`WorkerPool` is what the run loop sees; one :meth:`WorkerPool.run` is
a :class:`_PoolRun`, whose steps — hand out calls, read what the workers
say, notice a worker's end, enforce deadlines and the memory cap — are its
methods.
"""

from __future__ import annotations

import os
import selectors
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from .common import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, WATCH_INTERVAL, BatchError
from .processes import _Child, _memory_message, _outcome, _rss_mb, _timeout_message
from .zygote import _Zygote, _ZygoteChild


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
        run = _PoolRun(self, calls, on_progress)
        first = run.take()
        if first is None:
            run.sel.close()
            return
        run.queue.append(first)
        try:
            yield from run.loop()
        finally:
            run.close()


class _PoolRun:
    """One :meth:`WorkerPool.run`: the calls still to give, the workers, and
    the selector over their pipes (and the zygote's socket)."""

    def __init__(self, pool: WorkerPool, calls: Iterable[tuple[Any, str, tuple]], on_progress) -> None:
        self.pool = pool
        self.pending = iter(calls)
        self.queue: deque = deque()
        self.exhausted = False
        self.on_progress = on_progress
        self.workers: list = []
        self.sel = selectors.DefaultSelector()
        self.zygote: _Zygote | None = None
        self.start_failures = 0
        self.ever_ready = False

    # -- the calls -------------------------------------------------------------
    def take(self):
        if self.queue:
            return self.queue.popleft()
        if not self.exhausted:
            nxt = next(self.pending, None)
            if nxt is not None:
                return nxt
            self.exhausted = True
        return None

    def no_more_work(self) -> bool:
        if self.queue:
            return False
        if self.exhausted:
            return True
        nxt = self.take()
        if nxt is None:
            return True
        self.queue.append(nxt)
        return False

    # -- the workers -----------------------------------------------------------
    def spawn(self) -> None:
        pool = self.pool
        if self.zygote is not None:
            c = _ZygoteChild(self.zygote, pool.max_memory_mb, pool.start_timeout)
        else:
            c = _Child(pool.max_memory_mb, pool.preload)
        self.sel.register(c.fd, selectors.EVENT_READ, c)
        self.workers.append(c)

    def replace(self) -> None:
        """A worker is gone: another takes its place while work is left."""
        if not self.no_more_work():
            self.pool.replaced += 1
            self.spawn()

    def retire(self, c, kill: bool) -> None:
        try:
            self.sel.unregister(c.fd)
        except (KeyError, ValueError):
            pass
        c.kill() if kill else c.close()
        self.workers.remove(c)

    def in_use(self) -> int:
        return sum(1 + w.extra for w in self.workers if w.key is not None)

    def grant(self, c, want: int) -> int:
        """Extra OCR slots for the task of ``c``: free ones, once no call waits."""
        if c.key is None or want <= 0 or not self.no_more_work():
            return 0
        n = max(0, min(int(want), self.pool.slots - self.in_use()))
        c.extra += n
        return n

    def assign(self, c) -> bool:
        """Give an idle, started worker its next call; False when there was none to give."""
        if not c.ready or c.key is not None or c.retiring or self.in_use() >= self.pool.slots:
            return False
        item = self.take()
        if item is None:
            return False
        c.key, func, args = item
        c.started = time.monotonic()
        c.deadline = c.started + self.pool.timeout if self.pool.timeout else None
        if not c.send((func, args)):
            c.deadline = c.started  # already dead: its end of pipe says so below
        return True

    # -- the loop --------------------------------------------------------------
    def loop(self) -> Iterator[tuple[Any, dict]]:
        pool = self.pool
        if pool.start_method == "zygote":
            pool.start()
            self.zygote = pool._zygote
            self.sel.register(self.zygote.fd, selectors.EVENT_READ, self.zygote)
        for _ in range(pool.jobs):
            self.spawn()
        while True:
            for c in list(self.workers):  # hand out work to every idle, started worker
                if not self.assign(c) and c.ready and c.key is None and not c.retiring:
                    break  # no more work
            if self.no_more_work():
                for c in [c for c in self.workers if c.key is None]:
                    self.retire(c, kill=False)
                if not self.workers:
                    return
            for sk, _ in self.sel.select(self.wait()):
                yield from self.heard(sk.data)
            yield from self.limits()

    def wait(self) -> float:
        """How long the selector may wait: until the next deadline, start-up
        deadline or look at memory (at most a second)."""
        pool, now = self.pool, time.monotonic()
        waits = [c.deadline - now for c in self.workers if c.key is not None and c.deadline]
        waits += [c.spawned + pool.start_timeout - now for c in self.workers if not c.ready]
        if pool.max_memory_mb and any(c.key is not None for c in self.workers):
            waits.append(WATCH_INTERVAL)
        return max(0.0, min(waits + [1.0]))

    def heard(self, c) -> Iterator[tuple[Any, dict]]:
        """A worker's pipe (or the zygote's socket) is readable."""
        if c is self.zygote:
            self.zygote.poll()
            return
        if c not in self.workers:
            return
        msgs, eof = c.read()
        for m in msgs:
            yield from self.message(c, m, eof)
        if eof:
            yield from self.ended(c)

    def message(self, c, m, eof: bool) -> Iterator[tuple[Any, dict]]:
        """One message of a worker: started, could not start, OCR slots,
        progress, or its call's answer."""
        if m[0] == "ready":
            c.ready, self.ever_ready, self.start_failures = True, True, 0
        elif m[0] == "fatal":
            c.fatal = m[1]
        elif m[0] == "slots":
            c.send(("slots", self.grant(c, m[1])))  # a dead worker: its end of pipe says so
        elif m[0] == "release":
            c.extra = max(0, c.extra - int(m[1]))
        elif m[0] == "progress":
            if self.on_progress is not None and c.key is not None:
                self.on_progress(c.key, m[1])
        else:
            out = _outcome(m, time.monotonic() - c.started)
            key, c.key, c.deadline, c.extra = c.key, None, None, 0
            if m[0] == "error" and m[2]:
                c.retiring = True
            elif not eof:
                self.assign(c)  # the next file first: the worker works while we write
            if out is not None and key is not None:
                yield key, out

    def ended(self, c) -> Iterator[tuple[Any, dict]]:
        """A worker's pipe is at its end: the worker is gone (its call failed
        with why), or could not start (three times in a row: the batch cannot run)."""
        failed_start = not c.ready and not c.retiring
        why = c.death() if (c.key is not None or failed_start) else ""
        key = c.key
        self.retire(c, kill=True)
        if key is not None:
            yield key, {"ok": False, "error": why,
                        "seconds": round(time.monotonic() - c.started, 3)}
        if failed_start:
            self.start_failures += 1
            if self.start_failures >= 3 and not self.ever_ready:
                raise BatchError(f"worker could not start: {c.fatal or why}")
        self.replace()

    def limits(self) -> Iterator[tuple[Any, dict]]:
        """Deadlines and memory: a worker past either is killed, its call failed, and replaced."""
        pool, now = self.pool, time.monotonic()
        for c in list(self.workers):
            error = None
            if c.key is not None and c.deadline is not None and now >= c.deadline:
                error = _timeout_message(pool.timeout)
            elif c.key is not None and pool.max_memory_mb:
                rss = _rss_mb(c.pid)
                if rss is not None and rss > pool.max_memory_mb:
                    error = _memory_message(rss, pool.max_memory_mb)
            if error:
                key = c.key
                self.retire(c, kill=True)
                yield key, {"ok": False, "error": error, "seconds": round(now - c.started, 3)}
                self.replace()
            elif not c.ready and now >= c.spawned + pool.start_timeout:
                raise BatchError(f"worker did not start within {pool.start_timeout:g} s")

    def close(self) -> None:
        for c in list(self.workers):
            self.retire(c, kill=c.key is not None or not c.ready)
        self.pool.close()
        self.sel.close()
