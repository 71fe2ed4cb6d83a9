"""Fault injection: a bug of pdfclean's is never disguised as a broken PDF.

Each of four stages — glyph clustering and run merging (engines), script
repair, blocks — is made to raise on purpose. Then ``extract()`` raises
:class:`InternalError` naming the page and the exception type (never "could
not be read"), the CLI says ``internal error`` and exits 3, the batch records
the file as failed with the traceback, the scorer's run fails, and the safety
nets — the fuzz smoke, the hostile cases, the real-PDF checks — fail too.

In-process faults use ``monkeypatch``; processes the tests start (CLI, batch
workers) get theirs from ``tests/hooks/sitecustomize.py``
(``PDFCLEAN_TEST_FAULT``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REAL, SAMPLE_PDF, SAMPLES

import pdfclean
from pdfclean.errors import InternalError, PdfCleanError, PdfError

HOOKS = Path(__file__).resolve().parent / "hooks"
FAULTS = {
    "merge_runs": ["pdfclean.engines:merge_runs"],
    "cluster_stream": ["pdfclean.engines:cluster_stream"],
    "repair_line": ["pdfclean.script:repair_line", "pdfclean.pipeline:repair_line"],
    "build_blocks": ["pdfclean.blocks:build_blocks"],
}
PAGE_STAGES = {"merge_runs", "cluster_stream", "repair_line"}  # per page: the page is named


def _fault(*args, **kwargs):
    raise TypeError("injected fault")


def inject(monkeypatch, fault: str) -> None:
    import importlib

    import pdfclean.pipeline  # noqa: F401 — imported first: its own names must be the real ones to restore

    specs = [spec.split(":") for spec in FAULTS[fault]]
    modules = [importlib.import_module(mod) for mod, _ in specs]
    for module, (_, name) in zip(modules, specs):
        monkeypatch.setattr(module, name, _fault)


def fault_env(fault: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HOOKS), env.get("PYTHONPATH")) if p)
    env["PDFCLEAN_TEST_FAULT"] = ",".join(FAULTS[fault])
    return env


def set_fault_env(monkeypatch, fault: str) -> None:
    for k, v in fault_env(fault).items():
        if os.environ.get(k) != v:
            monkeypatch.setenv(k, v)


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pdfclean", *map(str, args)], capture_output=True,
                          text=True, timeout=240, env=env)


# --------------------------------------------------------------------------- the API

@pytest.mark.parametrize("engine", ["pymupdf", "pdfplumber"])
@pytest.mark.parametrize("fault", FAULTS)
def test_extract_raises_internal_error(monkeypatch, fault, engine):
    inject(monkeypatch, fault)
    with pytest.raises(InternalError) as e:
        pdfclean.extract(SAMPLE_PDF, engine=engine, pages="2-3", ocr="never")
    err = e.value
    assert err.exc_type == "TypeError" and "injected fault" in str(err)
    assert "could not be read" not in str(err)
    assert "injected fault" in err.traceback and "Traceback" in err.traceback
    assert isinstance(err.__cause__, TypeError)
    if fault in PAGE_STAGES:
        assert err.page == 2 and str(err).startswith("internal error on page 2: TypeError: injected fault")
    else:
        assert err.page is None and str(err).startswith("internal error: TypeError: injected fault")


def test_an_exception_raised_inside_a_pdf_library_is_the_documents(monkeypatch):
    """pdfminer raises plain TypeErrors on broken objects: the innermost frame
    decides whose failure it is."""
    scope = {"__name__": "pdfminer.pdftypes"}
    exec("def resolve(*a, **k):\n    raise TypeError('PDFObjRef is not subscriptable')", scope)
    monkeypatch.setattr("pdfclean.blocks.build_blocks", scope["resolve"])
    with pytest.raises(PdfError) as e:
        pdfclean.extract(SAMPLE_PDF, pages="2", ocr="never")
    assert not isinstance(e.value, InternalError)
    assert "TypeError: PDFObjRef is not subscriptable" in str(e.value)


def test_bad_arguments_stay_value_errors():
    for kw in ({"engine": "nope"}, {"ocr": "sometimes"}, {"pages": "5-2"}):
        with pytest.raises(ValueError):
            pdfclean.extract(SAMPLE_PDF, **kw)


# --------------------------------------------------------------------------- the command line

@pytest.mark.parametrize("fault", FAULTS)
def test_cli_reports_internal_error_and_exits_3(tmp_path, fault):
    env = fault_env(fault)
    r = cli("extract", SAMPLE_PDF, "--pages", "2", env=env)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 3, r.stderr
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    name = SAMPLE_PDF
    assert lines[0].startswith(f"pdfclean: {name}: internal error"), lines[0]
    assert "TypeError: injected fault" in lines[0] and "--debug" in lines[0]
    assert r.stdout == ""
    r = cli("extract", SAMPLE_PDF, "--pages", "2", "--debug", env=env)
    assert r.returncode == 3
    assert "Traceback (most recent call last)" in r.stderr and "injected fault" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith(f"pdfclean: {name}: internal error")


def test_review_command_reports_internal_error(tmp_path):
    r = cli("review", SAMPLE_PDF, "-o", tmp_path / "r.html", "--pages", "2", env=fault_env("repair_line"))
    assert r.returncode == 3, r.stderr
    assert "internal error on page 2: TypeError: injected fault" in r.stderr
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- the batch, the scorer

def test_batch_records_internal_error_with_its_traceback(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(SAMPLE_PDF, src / "a.pdf")
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "out"
    r = cli("batch", src, "-o", out, "--jobs", "1", "--pages", "1-2", env=fault_env("repair_line"))
    assert r.returncode == 1, r.stderr  # some failed
    assert "Traceback" not in r.stderr
    man = {}
    for line in (out / "pdfclean-manifest.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        man[rec["path"]] = rec
    a = man["a.pdf"]
    assert a["status"] == "failed"
    assert a["error"] == "internal error on page 1: TypeError: injected fault"
    assert "Traceback (most recent call last)" in a["traceback"] and "injected fault" in a["traceback"]
    assert "\n" not in a["error"]
    assert "failed\ta.pdf\tinternal error on page 1" in r.stderr
    b = man["broken.pdf"]  # the document's failure: no traceback
    assert b["status"] == "failed" and "truncated" in b["error"] and "traceback" not in b


def test_batch_convert_keeps_the_traceback(monkeypatch):
    from pdfclean.batch import convert

    inject(monkeypatch, "build_blocks")
    got = convert({"rel": "a.pdf", "path": SAMPLE_PDF, "options": {
        "format": "json", "engine": "pymupdf", "pages": "1-2", "ocr": "never", "ocr_lang": "ara"}})
    assert got["status"] == "failed" and got["error"] == "internal error: TypeError: injected fault"
    assert "injected fault" in got["traceback"]


def test_scorer_run_fails_on_internal_error(tmp_path):
    for f in (SAMPLES / "iraq-water-cop29-reportlab.pdf", SAMPLES / "iraq-water-cop29-reportlab.truth.json"):
        shutil.copyfile(f, tmp_path / f.name)
    r = subprocess.run([sys.executable, "-m", "pdfclean.eval", str(tmp_path), "--engine", "pymupdf"],
                       capture_output=True, text=True, timeout=240, env=fault_env("build_blocks"))
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "InternalError: internal error: TypeError: injected fault" in r.stderr


# --------------------------------------------------------------------------- the safety nets fail

@pytest.mark.parametrize("fault", FAULTS)
def test_fuzz_smoke_fails(monkeypatch, fault):
    import test_fuzz
    from fuzz_target import TestOneInput, seeds

    inject(monkeypatch, fault)
    corpus = seeds()
    with pytest.raises(InternalError):
        TestOneInput(corpus[0])  # a seed as it is
    with pytest.raises(InternalError):
        test_fuzz.test_mutated_pdfs_convert_or_fail_cleanly(corpus, 0)


@pytest.mark.parametrize("fault", FAULTS)
def test_hostile_cases_fail(tmp_path, monkeypatch, fault):
    import hostile
    import test_hostile

    path = tmp_path / "good.pdf"
    path.write_bytes(hostile._text_pdf())
    set_fault_env(monkeypatch, fault)  # inherited by the CLI the check runs
    with pytest.raises(AssertionError, match="a bug of pdfclean's"):
        test_hostile.check_case("Arabic name with spaces", path, "ok", [])


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", ["ar_en_mixed_short_skia.pdf", "ar_lyx_howto_ghostscript550_type3_garbled.pdf"])
def test_real_pdf_checks_fail(monkeypatch, fault, name):
    """A usable real PDF and an unusable one (garbled text layer): neither passes."""
    import test_realpdfs

    assert (REAL / name).exists() and (name in test_realpdfs.UNUSABLE) == ("garbled" in name)
    inject(monkeypatch, fault)
    with pytest.raises(InternalError):
        test_realpdfs.test_extracts_without_crashing(name, "pymupdf")


def test_an_internal_error_is_a_pdfclean_error():
    """Callers catching PdfCleanError still get one line, and can tell it apart."""
    e = InternalError.wrap(KeyError("x"), page=4)
    assert isinstance(e, PdfCleanError) and str(e) == "internal error on page 4: KeyError: 'x'"
