"""Test hooks for pdfclean processes the tests start (CLI, batch workers).

Put this folder on ``PYTHONPATH`` and set:

* ``PDFCLEAN_TEST_FAULT=module:function[,module:function…]`` — each function
  is replaced by one raising ``TypeError("injected fault")``: a bug of ours,
  on purpose (tests/test_faults.py);
* ``PDFCLEAN_TEST_HOLD=GLOB`` — a batch worker given a file whose name
  matches GLOB waits, before converting it, until the file named by
  ``PDFCLEAN_TEST_RELEASE`` exists (forever when that is not set): a document
  that surely outlasts any deadline, with no timing involved. The worker
  creates ``PDFCLEAN_TEST_HELD`` (a folder), one file per held document, when
  it starts waiting.

Nothing happens when neither variable is set (Python imports a
``sitecustomize`` module at start-up when one is on the path).
"""

import os


def _inject(spec: str) -> None:
    import importlib

    def fault(*args, **kwargs):
        raise TypeError("injected fault")

    for item in spec.split(","):
        mod, _, name = item.strip().partition(":")
        if mod and name:
            setattr(importlib.import_module(mod), name, fault)


def _hold(pattern: str) -> None:
    import fnmatch
    import time

    import pdfclean.batch as batch

    convert = batch.convert

    def held(task):
        rel = task.get("rel") or ""
        if fnmatch.fnmatch(os.path.basename(rel), pattern):
            marks = os.environ.get("PDFCLEAN_TEST_HELD")
            if marks:
                os.makedirs(marks, exist_ok=True)
                with open(os.path.join(marks, f"{os.getpid()}-{os.path.basename(rel)}"), "w"):
                    pass
            release = os.environ.get("PDFCLEAN_TEST_RELEASE")
            while not (release and os.path.exists(release)):
                time.sleep(0.05)  # polling an event, not measuring time
        return convert(task)

    batch.convert = held


if os.environ.get("PDFCLEAN_TEST_FAULT"):
    _inject(os.environ["PDFCLEAN_TEST_FAULT"])
if os.environ.get("PDFCLEAN_TEST_HOLD"):
    _hold(os.environ["PDFCLEAN_TEST_HOLD"])
