"""The batch's own pool (zygote fork server) against a library pool: pebble's
``ProcessPool`` on a multiprocessing *forkserver* that has pdfclean and
PyMuPDF preloaded (the closest a library comes to the zygote), each worker
under ``RLIMIT_AS`` set in its initializer, a per-task timeout, a dead worker
replaced by pebble.

    pip install pebble
    python benchmarks/pool_compare.py [--repeat 5] [--copies 3]

Measured with the real ``run_batch`` (the run loop, manifest, outputs: only
the executor differs), each run a fresh interpreter, interleaved:

* **start-up** — a batch of one small PDF (``--jobs 2``): interpreter,
  workers ready, one document, outputs written;
* **throughput** — ``--copies`` × the sample PDFs with ``--jobs 1`` and
  ``--jobs 2``;
* **isolation** — what each pool does with a segfault, ``os._exit``, a hang
  past the deadline and an allocation past the memory cap, and whether a
  child of a worker stopped at its deadline (a Tesseract run) outlives it.

``tests/test_batch.py`` can be run against this executor too: put it in
place of ``WorkerPool`` in a scratch copy of ``src`` (``batch/runner.py`` and
``batch/__init__.py``).

The pebble executor here keeps timeouts, the address-space cap and crash
isolation; it has no resident-memory watchdog, no OCR slots lent to a
worker, no live OCR progress, and a worker stopped at its deadline leaves
its Tesseract children running (pebble sends SIGTERM, then SIGKILL, to the
worker alone). The figures say what the library would cost or save before
those were added.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "pdfs").glob("*.pdf"))
SMALL = ROOT / "samples" / "pdfs" / "iraq-water-cop29-reportlab.pdf"
sys.path.insert(0, str(ROOT / "src"))  # this checkout's pdfclean (the children get it on PYTHONPATH)


# --------------------------------------------------------------------------- the pebble executor

def _init_worker(max_mb: int) -> None:
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if max_mb > 0:
        limit = (max_mb + 1024) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _call(func: str, args: tuple):
    from pdfclean.batch.worker import _resolve

    return _resolve(func)(*args)


class PebbleExecutor:
    """The :class:`pdfclean.batch.WorkerPool` interface over ``pebble.ProcessPool``."""

    def __init__(self, jobs: int, timeout: float | None = 120.0, max_memory_mb: int = 2048,
                 preload: str = "", **_) -> None:
        import multiprocessing

        self.jobs = self.slots = max(1, jobs)
        self.timeout = timeout or None
        self.max_memory_mb = max_memory_mb
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["pdfclean.pipeline", "pdfclean.writers", "pdfclean.batch.worker",
                                         *(["pymupdf"] if preload == "pymupdf" else [])])
        self.pool = None
        self.replaced = 0

    def start(self) -> None:
        """The pool and its forkserver started now (a no-op task), so that
        they import while the run loop walks and hashes the inputs."""
        import os

        from pebble import ProcessPool

        if self.pool is None:
            self.pool = ProcessPool(max_workers=self.jobs, initializer=_init_worker,
                                    initargs=(self.max_memory_mb,), context=self.ctx)
            self.pool.schedule(os.getpid)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join()
            self.pool = None

    def run(self, calls, on_progress=None):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures import TimeoutError as FutureTimeout

        from pebble import ProcessExpired

        from pdfclean.batch.processes import _death_message

        self.start()
        pending = iter(calls)
        running: dict = {}

        def fill() -> None:
            while len(running) < 2 * self.jobs:
                item = next(pending, None)
                if item is None:
                    return
                key, func, args = item
                running[self.pool.schedule(_call, (func, args), timeout=self.timeout)] = (key, time.monotonic())

        fill()
        while running:
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in done:
                key, t0 = running.pop(fut)
                seconds = round(time.monotonic() - t0, 3)
                try:
                    out = {"ok": True, "value": fut.result(), "seconds": seconds}
                except FutureTimeout:  # pebble stops the worker and starts another
                    self.replaced += 1
                    out = {"ok": False, "error": f"timed out after {self.timeout:g} s (worker stopped)",
                           "seconds": seconds}
                except ProcessExpired as e:
                    self.replaced += 1
                    out = {"ok": False, "error": _death_message(e.exitcode, self.max_memory_mb), "seconds": seconds}
                except MemoryError:
                    out = {"ok": False, "error": f"out of memory (limit {self.max_memory_mb} MB)", "seconds": seconds}
                except Exception as e:  # noqa: BLE001
                    out = {"ok": False, "error": f"internal error: {type(e).__name__}: {e}", "seconds": seconds}
                yield key, out
            fill()


# --------------------------------------------------------------------------- one run, in a fresh interpreter

def _child(kind: str, src: str, out: str, jobs: int) -> None:
    """``python pool_compare.py --child KIND SRC OUT JOBS``: one batch, its wall time on stdout."""
    t0 = time.perf_counter()
    import io

    from pdfclean.batch import BatchOptions, run_batch

    if kind == "pebble":
        import pdfclean.batch.runner as runner

        runner.WorkerPool = PebbleExecutor  # the run loop's only executor hook
    err = io.StringIO()
    code = run_batch(BatchOptions(src, out, jobs=jobs, progress="quiet", ocr="never"), stderr=err)
    print(json.dumps({"code": code, "seconds": time.perf_counter() - t0, "stderr": err.getvalue()[-300:]}))


def one(kind: str, src: Path, out: Path, jobs: int) -> float:
    """Wall time of one batch in a fresh interpreter."""
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, __file__, "--child", kind, str(src), str(out), str(jobs)],
                       capture_output=True, text=True, check=False,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(
                           [str(ROOT / "src"), str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])})
    wall = time.perf_counter() - t0
    res = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {"code": -1, "stderr": r.stderr}
    if res["code"] != 0:
        raise SystemExit(f"{kind} batch failed: {res.get('stderr') or r.stderr[-500:]}")
    return wall


def isolation(kind: str) -> dict:
    """What the pool does with a crash, an exit, a hang and a huge allocation."""
    from pdfclean.batch import WorkerPool

    cls = PebbleExecutor if kind == "pebble" else WorkerPool
    pool = cls(2, timeout=2, max_memory_mb=512, preload="")
    calls = [("segfault", "ctypes:string_at", (0,)), ("exit", "os:_exit", (7,)), ("hang", "time:sleep", (600,)),
             ("alloc", "builtins:bytearray", (8 * 2**30,)), *[(f"ok{i}", "os:getpid", ()) for i in range(4)]]
    t0 = time.perf_counter()
    try:
        res = dict(pool.run(calls))
    finally:
        pool.close()
    return {"seconds": round(time.perf_counter() - t0, 2),
            **{k: (v.get("error") or "ok") for k, v in res.items() if not k.startswith("ok")},
            "ok": sum(1 for k, v in res.items() if k.startswith("ok") and v.get("ok"))}



def orphan(kind: str) -> bool:
    """Does a child of a worker stopped at its deadline (a Tesseract run) outlive it?"""
    from pdfclean.batch import WorkerPool

    cls = PebbleExecutor if kind == "pebble" else WorkerPool
    with tempfile.TemporaryDirectory() as d:
        pidfile = Path(d) / "child.pid"
        pool = cls(1, timeout=2, max_memory_mb=0, preload="")
        try:
            dict(pool.run([("t", "subprocess:run", (["sh", "-c", f"echo $$ > {pidfile}; exec sleep 600"],))]))
        finally:
            pool.close()
        pid = int(pidfile.read_text())
    time.sleep(1.0)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    if state != "Z":
        os.kill(pid, 9)
        return True
    return False

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--child", nargs=4, metavar=("KIND", "SRC", "OUT", "JOBS"))
    a = ap.parse_args()
    if a.child:
        _child(a.child[0], a.child[1], a.child[2], int(a.child[3]))
        return
    tmp = Path(tempfile.mkdtemp(prefix="pdfclean-pool-"))
    try:
        one_src, many = tmp / "one", tmp / "many"
        one_src.mkdir()
        shutil.copy(SMALL, one_src / SMALL.name)
        many.mkdir()
        for c in range(a.copies):
            for f in SAMPLES:
                shutil.copy(f, many / f"{c}-{f.name}")
        print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}, "
              f"{len(SAMPLES) * a.copies} files")
        cases = [("start-up (1 file, --jobs 2)", one_src, 2), ("--jobs 1", many, 1), ("--jobs 2", many, 2)]
        got: dict = {}
        for _ in range(a.repeat):
            for label, src, jobs in cases:
                for kind in ("zygote", "pebble"):  # interleaved: the machine's load falls on both alike
                    got.setdefault((label, kind), []).append(one(kind, src, tmp / "out", jobs))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print("| case | pool | best s | median s |\n|---|---|---:|---:|")
        for (label, kind), walls in got.items():
            print(f"| {label} | {kind} | {min(walls):.2f} | {statistics.median(walls):.2f} |")
        for kind in ("zygote", "pebble"):
            print(kind, "isolation:", isolation(kind), "orphan left at the deadline:", orphan(kind))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
