"""Work a fixture does, done once per run however many xdist workers need it.

A module fixture runs in every worker that runs one of its module's tests: under
``pytest -n 2`` the two workers each extracted all the samples (a minute apiece) and
each built the hostile corpus. :func:`shared_map` splits the work instead: each key is
computed by the first worker to take it (a file lock), its result pickled in the run's
own temporary folder (``getbasetemp().parent``, one per run under xdist), and a worker
waits only for a key another worker is still computing. Without xdist, or for a
result that cannot be pickled, it simply computes.

>>> import tempfile
>>> class Factory:
...     def __init__(self, d): self.d = d
...     def getbasetemp(self): return self.d / "popen-gw0"
>>> d = Path(tempfile.mkdtemp())
>>> shared_map(Factory(d), "squares", [1, 2, 3], lambda k: k * k, worker=("gw0", 2))
{1: 1, 2: 4, 3: 9}
>>> shared_map(Factory(d), "squares", [1, 2, 3], lambda k: -1, worker=("gw1", 2))  # taken from the run's folder
{1: 1, 2: 4, 3: 9}
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, Hashable, Iterable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _worker() -> tuple[str, int] | None:
    name = os.environ.get("PYTEST_XDIST_WORKER")
    return (name, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)) if name else None


def shared_map(tmp_path_factory, tag: str, keys: Iterable[K], compute: Callable[[K], V],
               worker: tuple[str, int] | None = None) -> dict[K, V]:
    """``{key: compute(key)}`` in the order of ``keys``, each computed once in the run
    (see the module). Worker *i* of *n* starts a *i*/*n* of the way along the keys, so
    that two workers arriving together compute different keys, not wait for each other.
    ``worker`` (name, count) stands for xdist's own (the doctest)."""
    keys = list(keys)
    worker = worker or _worker()
    if worker is None:  # one process: nothing to share (and no per-run folder to share it in)
        return {k: compute(k) for k in keys}
    name, count = worker
    folder = tmp_path_factory.getbasetemp().parent / f"shared-{tag}"
    folder.mkdir(exist_ok=True)
    index = int(name[2:]) if name[2:].isdigit() else 0
    start = len(keys) * (index % max(count, 1)) // max(count, 1)
    out: dict[K, V] = {}
    later: list[K] = []
    for k in keys[start:] + keys[:start]:
        if not _take(folder, k, compute, out, wait=False):
            later.append(k)  # another worker is computing it
    for k in later:
        _take(folder, k, compute, out, wait=True)
    return {k: out[k] for k in keys}


def shared_value(tmp_path_factory, tag: str, compute: Callable[[], V]) -> V:
    """``compute()``, done once in the run (a folder built by one worker, say)."""
    return shared_map(tmp_path_factory, tag, [tag], lambda _k: compute())[tag]


def _take(folder: Path, key, compute, out: dict, wait: bool) -> bool:
    """Put key's value in ``out``, read from the folder or computed (under its lock);
    False when another worker holds the lock and ``wait`` is false."""
    stem = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    result = folder / f"{stem}.pickle"
    with open(folder / f"{stem}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        if result.exists():
            out[key] = pickle.loads(result.read_bytes())
            return True
        value = out[key] = compute(key)  # (an exception leaves no result: a waiting worker computes it too)
        try:
            data = pickle.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError):
            return True  # not shareable: the others compute it themselves
        tmp = result.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(result)
        return True
