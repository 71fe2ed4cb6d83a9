"""The command line: output, exit codes, and one-line errors on bad input."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pymupdf
import pytest

from conftest import SAMPLE_PDF

CLI = [sys.executable, "-m", "pdfclean"]


def run(*args, stdin: bytes | None = None, cwd=None):
    return subprocess.run([*CLI, *map(str, args)], input=stdin, capture_output=True, timeout=120,
                          cwd=cwd)


def assert_one_line_error(r, name: str, words: str):
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert "Traceback" not in err
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert name in lines[0] and words in lines[0].lower(), lines[0]
    assert r.stdout == b""


def test_extract_json_validates_against_schema():
    r = run("extract", SAMPLE_PDF)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    schema = json.loads(run("schema").stdout)
    jsonschema.validate(doc, schema)
    assert doc["source"]["sha256"] and doc["source"]["engine"] == "pymupdf"
    assert doc["blocks"], "no body blocks"


def test_text_markdown_and_output_file(tmp_path):
    out = tmp_path / "a.md"
    r = run("extract", SAMPLE_PDF, "-f", "markdown", "-o", out)
    assert r.returncode == 0, r.stderr.decode()
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# ")
    text = run("extract", SAMPLE_PDF, "-f", "text").stdout.decode()
    first_block = json.loads(run("extract", SAMPLE_PDF).stdout)["blocks"][0]["text"]
    assert first_block in text and first_block in md
    assert not list(tmp_path.glob(".pdfclean-*"))  # no temporary file left


def test_stdin_and_pdfplumber_engine():
    data = Path(SAMPLE_PDF).read_bytes()
    r = run("extract", "-", "--engine", "pdfplumber", stdin=data)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["source"]["engine"] == "pdfplumber" and doc["source"]["file"] is None


def test_pages_option_limits_pages():
    doc = json.loads(run("extract", SAMPLE_PDF, "--pages", "2-3").stdout)
    pages = {p for b in doc["blocks"] for p in b["pages"]}
    assert pages and pages <= {2, 3}


def test_explain_adds_repairs_per_block():
    doc = json.loads(run("extract", SAMPLE_PDF, "--explain").stdout)
    assert all("repairs" in b for b in doc["blocks"])
    assert sum(sum(b["repairs"].values()) for b in doc["blocks"]) > 0


def test_version_and_usage_errors():
    r = run("--version")
    assert r.returncode == 0 and b"pdfclean" in r.stdout
    assert run("extract").returncode == 2  # missing argument
    assert run("extract", SAMPLE_PDF, "--format", "xml").returncode == 2
    assert run("extract", SAMPLE_PDF, "--pages", "5-2").returncode == 2
    assert run("frobnicate").returncode == 2


def test_not_a_pdf(tmp_path):
    f = tmp_path / "notes.pdf"
    f.write_text("<html><body>not a pdf</body></html>")
    assert_one_line_error(run("extract", f), "notes.pdf", "not a pdf")


def test_empty_file(tmp_path):
    f = tmp_path / "empty.pdf"
    f.write_bytes(b"")
    assert_one_line_error(run("extract", f), "empty.pdf", "empty")


def test_missing_file(tmp_path):
    assert_one_line_error(run("extract", tmp_path / "nope.pdf"), "nope.pdf", "no such file")


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_truncated_pdf(tmp_path, share):
    data = Path(SAMPLE_PDF).read_bytes()
    f = tmp_path / f"cut{int(share * 100)}.pdf"
    f.write_bytes(data[: int(len(data) * share)])
    assert_one_line_error(run("extract", f), f.name, "truncated")


def test_encrypted_pdf(tmp_path):
    f = tmp_path / "secret.pdf"
    with pymupdf.open(SAMPLE_PDF) as d:
        d.save(f, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="sesame", owner_pw="owner")
    assert_one_line_error(run("extract", f), "secret.pdf", "password")
    assert_one_line_error(run("extract", f, "--password", "wrong"), "secret.pdf", "wrong password")
    for engine in ("pymupdf", "pdfplumber"):
        r = run("extract", f, "--password", "sesame", "--engine", engine)
        assert r.returncode == 0, r.stderr.decode()
        assert json.loads(r.stdout)["blocks"]


def test_output_never_overwrites_input(tmp_path):
    f = tmp_path / "in.pdf"
    f.write_bytes(Path(SAMPLE_PDF).read_bytes())
    r = run("extract", f, "-o", f)
    assert r.returncode == 2
    assert f.read_bytes() == Path(SAMPLE_PDF).read_bytes()


def test_python_api_matches_cli():
    import pdfclean

    doc = pdfclean.extract(SAMPLE_PDF)
    assert json.loads(doc.to_json()) == json.loads(run("extract", SAMPLE_PDF).stdout)
    doc2 = pdfclean.extract(Path(SAMPLE_PDF).read_bytes())
    assert [b.text for b in doc2.blocks] == [b.text for b in doc.blocks]
    with pytest.raises(pdfclean.PdfCleanError):
        pdfclean.extract(b"hello")


HEAVY = ("onnxruntime", "numpy", "pdfplumber", "pdfminer", "pymupdf4llm", "pymupdf_layout")


def _imported(code: str) -> list[str]:
    probe = f"import sys; {code}; print(sorted({{m.split('.')[0] for m in sys.modules if sys.modules[m]}} & set({HEAVY!r})))"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.replace("'", '"'))


def test_the_command_line_starts_without_numpy_onnxruntime_or_pdfplumber():
    assert _imported("import pdfclean.cli") == []


def test_a_text_layer_is_read_without_pymupdfs_layout_and_llm_add_ons():
    # PyMuPDF 2 imports pymupdf_layout and pymupdf4llm (numpy, onnxruntime: ~2 s) when installed
    assert _imported(f"import pdfclean; pdfclean.extract({SAMPLE_PDF!r}, ocr='never')") == []
    # … and whoever wants them later still gets them (where they are installed)
    import importlib.util

    if importlib.util.find_spec("pymupdf4llm") is not None:
        assert "pymupdf4llm" in _imported("import pdfclean.mupdf as m; m.load(); import pymupdf4llm")


def test_a_fifo_named_pdf_is_refused_at_once(tmp_path):
    import os

    fifo = tmp_path / "waiting.pdf"
    os.mkfifo(fifo)  # nobody writes to it: reading it would block for ever
    r = subprocess.run([sys.executable, "-m", "pdfclean.cli", "extract", str(fifo)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1 and "not a regular file (a FIFO)" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "pdfclean.cli", "extract", "/dev/null"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1 and "(a device)" in r.stderr, r.stderr


def test_glyph_boxes_do_not_depend_on_what_else_set_pymupdfs_quad_corrections():
    # pymupdf4llm turns PyMuPDF's quad corrections off when imported; a user may turn them on
    code = ("import pymupdf, pdfclean; pymupdf.TOOLS.unset_quad_corrections({}); "
            f"print(pdfclean.extract({SAMPLE_PDF!r}, ocr='never').to_dict()['removed']); "
            "print(pymupdf.TOOLS.unset_quad_corrections())")
    outs = [subprocess.run([sys.executable, "-c", code.format(v)], capture_output=True, text=True, check=True).stdout
            for v in (False, True)]
    (boxes_off, left_off), (boxes_on, left_on) = (o.splitlines() for o in outs)
    assert boxes_off == boxes_on and "bbox" in boxes_on
    assert (left_off, left_on) == ("False", "True")  # the process's own setting is put back


def test_output_to_a_device_or_fifo_is_written_in_place_never_replaced(tmp_path):
    import os
    import threading

    from pdfclean.writers import write_atomic

    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "نص")  # a rename would have put a regular file where the FIFO is
    reader.join(30)
    assert got == ["نص".encode()] and fifo.is_fifo()
    r = subprocess.run([sys.executable, "-m", "pdfclean.cli", "extract", SAMPLE_PDF, "-o", os.devnull],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert Path(os.devnull).is_char_device()
