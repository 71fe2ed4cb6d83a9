"""``pdfclean batch --executor dask``: the same tasks on a
``dask.distributed`` cluster, each in a child process of its Dask worker
(the same timeout, memory watchdog and crash isolation as the local pool)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .common import BatchError, UsageProblem, _one_line
from .processes import _Child


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
