"""A stand-in for Tesseract that logs each page reading and can make readings
meet, so tests prove concurrency by events instead of by timing.

Run as the ``tesseract`` binary (``PDFCLEAN_TESSERACT`` points at a shell
script that execs this); the image comes as PGM on stdin. Environment:

* ``TESS_REAL`` — the real Tesseract; ``TESS_LOG`` — the log, one line per
  start and end of an hOCR run: ``start|end PID PARENT TIME HEIGHT`` (of the image);
  ``TESS_STATE`` — a folder for the bookkeeping below;
* ``TESS_MEET=N`` — a reading waits, after logging its start, until N
  readings of the same parent process are running at once (then never
  again: the first meeting is enough). A reading that waits in vain gives up
  after ``TESS_GIVE_UP`` seconds (default 120) and the test sees no overlap:
  a failure, never a hang.
* ``TESS_MEET_AFTER=K`` — only a parent's readings after its first K meet
  (K: the readings of a first page, which is read alone), and never those of
  a parent the gate lets through;
* ``TESS_GATE=FILE`` — readings wait for FILE to exist before they start,
  except those of a parent that read an image of one of the heights in
  ``TESS_GATE_FREE_HEIGHTS`` (pixels, comma-separated: the document that
  opens the gate).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

POLL = 0.01  # seconds between two looks at the state folder (waiting for an event, not timing)


def _touch(path: str) -> None:
    with open(path, "a"):
        pass


def _wait(cond, give_up: float) -> bool:
    end = time.monotonic() + give_up
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(POLL)
    return True


def _count(path: str) -> int:
    """Add one to the counter in ``path`` (under a lock); the new value."""
    import fcntl

    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        n = int(f.read() or 0) + 1
        f.seek(0)
        f.truncate()
        f.write(str(n))
        return n


def _height(pgm: bytes) -> int:
    fields = pgm.split(None, 4)  # P5 W H MAX data
    return int(fields[2]) if len(fields) > 3 and fields[0] == b"P5" else -1


def main() -> int:
    args = sys.argv[1:]
    real, log = os.environ["TESS_REAL"], os.environ["TESS_LOG"]
    data = sys.stdin.buffer.read()
    if "hocr" not in args:
        return subprocess.run([real, *args], input=data).returncode
    state = os.environ.get("TESS_STATE") or os.path.dirname(log)
    os.makedirs(state, exist_ok=True)
    give_up = float(os.environ.get("TESS_GIVE_UP", "120"))
    pid, parent = os.getpid(), os.getppid()
    height = _height(data)

    gate = os.environ.get("TESS_GATE")
    if gate:
        free = os.path.join(state, f"free-{parent}")
        if str(height) in os.environ.get("TESS_GATE_FREE_HEIGHTS", "").split(","):
            _touch(free)
        if not os.path.exists(free):
            _wait(lambda: os.path.exists(gate), give_up)

    with open(log, "a") as f:
        f.write(f"start {pid} {parent} {time.time():.6f} {height}\n")

    meet = int(os.environ.get("TESS_MEET", "0") or 0)
    met = os.path.join(state, "met")
    if meet and not os.path.exists(met):
        eligible = not os.path.exists(os.path.join(state, f"free-{parent}"))
        after = int(os.environ.get("TESS_MEET_AFTER", "0") or 0)
        if eligible and after:
            eligible = _count(os.path.join(state, f"runs-{parent}")) > after
        if eligible:
            alive_dir = os.path.join(state, "alive")
            os.makedirs(alive_dir, exist_ok=True)
            mine = os.path.join(alive_dir, f"{parent}-{pid}")
            _touch(mine)

            def together() -> bool:
                if os.path.exists(met):
                    return True
                if sum(n.startswith(f"{parent}-") for n in os.listdir(alive_dir)) >= meet:
                    _touch(met)
                    return True
                return False

            _wait(together, give_up)
            os.unlink(mine)

    rc = subprocess.run([real, *args], input=data).returncode
    with open(log, "a") as f:
        f.write(f"end {pid} {parent} {time.time():.6f} {height}\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
