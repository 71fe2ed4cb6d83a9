"""Hostile and broken input: nothing crashes, hangs, escapes or is lost.

Every case of ``hostile.py`` goes through the command line in its own
process: it must end within 30 s and 1 GB, with exit 1 and one line naming
the file and the problem — or convert, where the PDF really is readable.
"""

import json

import pytest

import hostile

LIMIT_SECONDS = 30
LIMIT_MB = 1024


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("hostile"), bomb_gb=1.0)


CASES = [
    "zero-byte", "random bytes", "HTML named .pdf", "ZIP named .pdf", "PNG named .pdf",
    "truncated at 10 %", "truncated at 50 %", "truncated at 90 %", "broken xref",
    "encrypted, no password", "encrypted, with password", "owner password only", "0 pages",
    "5,000 pages", "huge page box", "page tree loop", "deep object recursion",
    "compressed-stream bomb", "JavaScript, embedded file, launch action",
    "Arabic name with spaces", "newline in the name", "leading dash",
]


def run_measured(args):
    return hostile.run_measured(args, LIMIT_SECONDS + 30)


@pytest.mark.parametrize("name", CASES)
def test_hostile_input(corpus, name):
    path, expect, args = corpus[name]
    rc, out, err, seconds, peak_mb = run_measured(["extract", *args, "--ocr", "never", "--", str(path)])
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert seconds <= LIMIT_SECONDS, seconds
    assert peak_mb <= LIMIT_MB, peak_mb
    lines = [l for l in text.splitlines() if l.strip()]
    assert all(l.startswith("pdfclean: ") for l in lines), text
    if expect == "fail":
        assert rc == 1 and out == b""
        assert len(lines) == 1
    else:
        assert rc == 0, text
        doc = json.loads(out.decode("utf-8"))  # always valid UTF-8 JSON
        assert doc["schema_version"]


def test_active_content_is_noted_not_run(corpus):
    path, _, _ = corpus["JavaScript, embedded file, launch action"]
    rc, out, err, _, _ = run_measured(["extract", "--ocr", "never", str(path)])
    warnings = json.loads(out)["warnings"]
    assert any("JavaScript" in w for w in warnings)
    assert any("launch actions" in w for w in warnings)
    assert any("embedded files" in w for w in warnings)


def test_decompression_bomb_is_skipped_with_a_warning(corpus):
    path, _, _ = corpus["compressed-stream bomb"]
    rc, out, err, seconds, _ = run_measured(["extract", "--ocr", "never", str(path)])
    assert rc == 0 and seconds < 10
    assert any("decompression bomb" in w for w in json.loads(out)["warnings"])


def test_json_is_valid_utf8_with_lone_surrogates_and_controls():
    from pdfclean.model import dumps

    s = dumps({"text": "a\ud800b\x00c"})
    s.encode("utf-8")  # no exception
    assert json.loads(s)["text"].startswith("a")
