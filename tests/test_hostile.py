"""Hostile and broken input: nothing crashes, hangs, escapes or is lost.

Every case of ``hostile.py`` goes through the command line in its own
process: it must end within its gates (CPU seconds and peak memory, in
tests/gates.json), with exit 1 and one line naming the file and the problem
it is expected to name — or convert, where the PDF really is readable. An
internal error (exit 3: a bug of pdfclean's) fails every case.
"""

import json

import pytest

import gates
import hostile
from shared import shared_value

HANG_SECONDS = 120  # a case still running after this is stopped: hung (not a timing gate)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return shared_value(tmp_path_factory, "hostile-corpus",
                        lambda: hostile.build(tmp_path_factory.mktemp("hostile"), bomb_gb=1.0))


CASES = [
    "zero-byte", "random bytes", "HTML named .pdf", "ZIP named .pdf", "PNG named .pdf",
    "truncated at 10 %", "truncated at 50 %", "truncated at 90 %", "broken xref",
    "encrypted, no password", "encrypted, with password", "owner password only", "0 pages",
    "5,000 pages", "huge page box", "page tree loop", "deep object recursion",
    "compressed-stream bomb", "JavaScript, embedded file, launch action",
    "Arabic name with spaces", "newline in the name", "leading dash",
]


# what each case that must fail says (after "pdfclean: FILE: ")
MESSAGES = {
    "zero-byte": "empty file (0 bytes)",
    "random bytes": "not a PDF (no %PDF header; starts with binary data)",
    "HTML named .pdf": "not a PDF (no %PDF header; starts with HTML)",
    "ZIP named .pdf": "not a PDF (no %PDF header; starts with a ZIP signature)",
    "PNG named .pdf": "not a PDF (no %PDF header; starts with a PNG signature)",
    "truncated at 10 %": "truncated PDF (no %%EOF at the end; an incomplete download?)",
    "truncated at 50 %": "truncated PDF (no %%EOF at the end; an incomplete download?)",
    "truncated at 90 %": "truncated PDF (no %%EOF at the end; an incomplete download?)",
    "encrypted, no password": "encrypted PDF: a password is needed (--password)",
    "0 pages": "the PDF has no pages",
    "page tree loop": "no page could be read (",
}


def run_measured(args):
    return hostile.run_measured(args, HANG_SECONDS)


def check_case(name: str, path, expect: str, args: list[str]) -> dict:
    """Run one case through the CLI and assert what it must do; returns the run."""
    r = hostile.run_measured_cpu(["extract", *args, "--ocr", "never", "--", str(path)], HANG_SECONDS)
    rc, out, text = r["rc"], r["out"], r["err"].decode("utf-8", "replace")
    assert rc != 3 and "internal error" not in text, f"{name}: a bug of pdfclean's, not the PDF's: {text}"
    assert "Traceback" not in text
    lines = [l for l in text.splitlines() if l.strip()]
    assert all(l.startswith("pdfclean: ") for l in lines), text
    if expect == "fail":
        assert rc == 1 and out == b"", (rc, text)
        assert len(lines) == 1, text
        assert lines[0].startswith(f"pdfclean: {path}: "), lines[0]
        assert MESSAGES[name] in lines[0], (MESSAGES[name], lines[0])
    else:
        assert rc == 0, text
        doc = json.loads(out.decode("utf-8"))  # always valid UTF-8 JSON
        assert doc["schema_version"]
    return r


def test_every_failing_case_has_its_message(corpus):
    assert {n for n in CASES if corpus[n][1] == "fail"} == set(MESSAGES)
    assert set(CASES) == set(corpus)


@pytest.mark.parametrize("name", CASES)
def test_hostile_input(corpus, name):
    path, expect, args = corpus[name]
    r = check_case(name, path, expect, args)
    gates.check(("hostile", name, "cpu_seconds"), r["cpu_seconds"])
    gates.check(("hostile", name, "peak_mb"), r["peak_mb"])


def test_active_content_is_noted_not_run(corpus):
    path, _, _ = corpus["JavaScript, embedded file, launch action"]
    rc, out, err, _, _ = run_measured(["extract", "--ocr", "never", str(path)])
    warnings = json.loads(out)["warnings"]
    assert any("JavaScript" in w for w in warnings)
    assert any("launch actions" in w for w in warnings)
    assert any("embedded files" in w for w in warnings)


def test_decompression_bomb_is_skipped_with_a_warning(corpus):
    path, _, _ = corpus["compressed-stream bomb"]
    rc, out, err, _, _ = run_measured(["extract", "--ocr", "never", str(path)])
    assert rc == 0, err  # its time and memory: the gates of test_hostile_input
    assert any("decompression bomb" in w for w in json.loads(out)["warnings"])


def test_json_is_valid_utf8_with_lone_surrogates_and_controls():
    from pdfclean.writers import dumps

    s = dumps({"text": "a\ud800b\x00c"})
    s.encode("utf-8")  # no exception
    assert json.loads(s)["text"].startswith("a")
