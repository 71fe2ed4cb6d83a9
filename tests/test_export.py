"""``pdfclean export``: a finished batch as Parquet — one row per block of the
outputs, read back with pyarrow, a documents table, memory flat over an
archive of thousands of blocks, a one-line error without pyarrow."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from pdfclean import normalize_for_search  # noqa: E402
from pdfclean.export import ExportError, export  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "pdfs").glob("*.pdf"))[::7]  # a dozen, every producer
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def cli(*args, env=ENV):
    return subprocess.run([sys.executable, "-m", "pdfclean", *map(str, args)], capture_output=True, text=True,
                          env=env)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A batch of a dozen samples, one of them in a sub-folder, and a broken PDF."""
    base = tmp_path_factory.mktemp("export")
    src = base / "in"
    (src / "sub").mkdir(parents=True)
    for i, p in enumerate(SAMPLES):
        (src / ("sub" if i % 3 == 0 else "") / p.name).write_bytes(p.read_bytes())
    (src / "broken.pdf").write_bytes(SAMPLES[0].read_bytes()[:3000])
    out = base / "out"
    r = cli("batch", src, "-o", out, "--jobs", "2", "--ocr", "never", "-q")
    assert r.returncode == 1, r.stderr  # the broken one failed
    return out


def test_rows_are_the_blocks_of_the_outputs(batch, tmp_path):
    blocks, docs = tmp_path / "blocks.parquet", tmp_path / "docs.parquet"
    r = cli("export", batch, "--parquet", blocks, "--documents", docs)
    assert r.returncode == 0, r.stderr
    assert "broken.pdf: no blocks exported" in r.stderr
    table = pq.read_table(blocks)
    assert table.schema.names == ["path", "sha256", "title", "author", "published", "language", "block", "type",
                                  "pages", "text", "search_text", "ocr", "confidence"]
    rows = table.to_pylist()
    expected = []
    for rec in map(json.loads, (batch / "pdfclean-manifest.jsonl").read_text().splitlines()):
        if rec["status"] != "ok":
            continue
        doc = json.loads((batch / rec["output"]).read_text())
        for i, b in enumerate(doc["blocks"]):
            expected.append({"path": rec["path"], "sha256": doc["source"]["sha256"],
                             "title": doc["metadata"]["title"], "author": doc["metadata"]["author"],
                             "published": doc["metadata"]["published"], "language": doc["metadata"]["language"],
                             "block": i, "type": b["type"], "pages": b["pages"], "text": b["text"],
                             "search_text": normalize_for_search(b["text"], doc["metadata"]["language"]),
                             "ocr": bool(b.get("ocr")), "confidence": b.get("confidence")})
    key = lambda r: (r["path"], r["block"])  # noqa: E731
    assert len(rows) == len(expected) > 200
    assert sorted(rows, key=key) == sorted(expected, key=key)
    assert any(r["path"].startswith("sub/") for r in rows)
    assert f"exported {len(rows)} blocks of {len(SAMPLES)} documents" in r.stdout

    d = pq.read_table(docs).to_pylist()
    assert len(d) == len(SAMPLES) + 1
    broken = next(x for x in d if x["path"] == "broken.pdf")
    assert broken["status"] == "failed" and "truncated" in broken["error"] and broken["blocks"] is None
    ok = [x for x in d if x["status"] == "ok"]
    assert all(x["pages"] >= x["pages_read"] > 0 and x["blocks"] > 0 and x["title"] for x in ok)
    assert all(0 <= x["garbage_score"] <= 1 and isinstance(x["warnings"], list) for x in ok)
    assert sum(x["blocks"] for x in ok) == len(rows)


def test_small_row_groups(batch, tmp_path):
    out = tmp_path / "b.parquet"
    summary = export(str(batch), str(out), row_group_rows=50)
    f = pq.ParquetFile(out)
    assert f.metadata.num_rows == summary.blocks
    assert f.num_row_groups == summary.row_groups == -(-summary.blocks // 50)


def _fake_batch(root: Path, docs: int) -> int:
    """A batch folder of ``docs`` outputs made from one real output (another
    path, another text each), its manifest with their sha256: returns the blocks."""
    real = json.loads(pdfclean_json())
    root.mkdir()
    lines = []
    n = 0
    for i in range(docs):
        doc = json.loads(json.dumps(real))
        for b in doc["blocks"]:
            b["text"] = f"{i} " + " ".join([b["text"]] * 4)  # long blocks: tens of MB in all
        data = json.dumps(doc, ensure_ascii=False).encode()
        name = f"d{i:05d}.json"
        (root / name).write_bytes(data)
        n += len(doc["blocks"])
        lines.append(json.dumps({"path": f"d{i:05d}.pdf", "status": "ok", "sha256": doc["source"]["sha256"],
                                 "pages": 5, "pages_read": 5, "ocr_pages": 0, "warnings": [],
                                 "output": name, "output_sha256": hashlib.sha256(data).hexdigest(),
                                 "options": {"format": "json"}, "quality": {}}))
    (root / "pdfclean-manifest.jsonl").write_text("\n".join(lines) + "\n")
    return n


_REAL: list[str] = []


def pdfclean_json() -> str:
    if not _REAL:
        import pdfclean

        _REAL.append(pdfclean.extract(ROOT / "samples" / "pdfs" / "iraq-oil-inflation-libreoffice.pdf",
                                      ocr="never").to_json())
    return _REAL[0]


# the child reports its own high-water mark: VmHWM belongs to the process image (rusage's
# ru_maxrss would also count the parent's memory the child was forked with)
_HWM = """import atexit, os, sys
def _hwm():
    with open("/proc/self/status") as f:
        kb = next(l for l in f if l.startswith("VmHWM:")).split()[1]
    with open(os.environ["PDFCLEAN_HWM_FILE"], "w") as f:
        f.write(kb)
atexit.register(_hwm)
from pdfclean.cli import main
main()
"""


def _peak_rss_mb(*args) -> float:
    """Peak resident memory of ``pdfclean export …`` run in a child process."""
    out = Path(str(args[0]) + ".hwm")
    r = subprocess.run([sys.executable, "-c", _HWM, "export", *map(str, args)], capture_output=True, text=True,
                       env={**ENV, "PDFCLEAN_HWM_FILE": str(out)})
    assert r.returncode == 0, r.stderr
    return int(out.read_text()) / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmHWM from /proc")
def test_memory_stays_flat_over_thousands_of_blocks(tmp_path):
    small_n = _fake_batch(tmp_path / "small", 60)  # a few row groups already
    big_n = _fake_batch(tmp_path / "big", 600)
    assert small_n > 1000 and big_n > 10_000
    small = _peak_rss_mb(tmp_path / "small", "--parquet", tmp_path / "s.parquet", "--row-group-rows", "1000")
    big = _peak_rss_mb(tmp_path / "big", "--parquet", tmp_path / "b.parquet", "--row-group-rows", "1000",
                       "--documents", tmp_path / "d.parquet")
    text_mb = sum(len(r.encode()) for r in pq.read_table(tmp_path / "b.parquet", columns=["text"])
                  .column("text").to_pylist()) / 2**20
    assert pq.ParquetFile(tmp_path / "b.parquet").metadata.num_rows == big_n
    # 10 times the blocks (tens of MB of text, held as rows would take several times that): a few MB more
    assert text_mb > 20
    print(f"export peak RSS: {small:.0f} MB for {small_n} blocks, {big:.0f} MB for {big_n} blocks "
          f"({text_mb:.0f} MB of text)")
    assert big - small < 15, (small, big, text_mb)
    assert big < 200, big  # the ceiling: the interpreter, pyarrow and one row group


def test_without_pyarrow_one_line_and_what_to_install(batch, tmp_path):
    fake = tmp_path / "nopyarrow"
    (fake / "pyarrow").mkdir(parents=True)
    (fake / "pyarrow" / "__init__.py").write_text("raise ImportError('no pyarrow here')\n")
    env = {**ENV, "PYTHONPATH": str(fake) + os.pathsep + ENV["PYTHONPATH"]}
    r = cli("export", batch, "--parquet", tmp_path / "x.parquet", env=env)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "pip install 'pdfclean[parquet]'" in r.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_bad_input_is_one_line(tmp_path, batch):
    r = cli("export", tmp_path / "nothing", "--parquet", tmp_path / "x.parquet")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "no batch" in r.stderr
    md = tmp_path / "md"
    r = cli("batch", ROOT / "samples" / "pdfs", "-o", md, "-f", "markdown", "--include", SAMPLES[1].name,
            "--jobs", "1", "--ocr", "never", "-q")
    assert r.returncode == 0, r.stderr
    r = cli("export", md, "--parquet", tmp_path / "x.parquet")
    assert r.returncode == 1 and "not JSON" in r.stderr and r.stderr.count("\n") == 1
    assert not list(tmp_path.glob("*.parquet")) and not list(tmp_path.glob(".pdfclean-*"))
    with pytest.raises(ExportError, match="same file"):
        export(str(batch), str(tmp_path / "a.parquet"), str(tmp_path / "a.parquet"))
