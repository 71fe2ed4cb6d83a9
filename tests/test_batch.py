"""Batch conversion: the folder walk, worker isolation, the manifest and resuming,
streaming, Dask, and the command line around them.

Inputs are made in tmp_path from the sample PDFs (Arabic and Persian names,
spaces, sub-folders, an upper-case .PDF) plus broken ones made for real: empty,
truncated, text and HTML named .pdf, garbage after a PDF header, encrypted, a
dangling link, a valid PDF that takes ~25 s (400 pages of dense 8-point text:
the per-file timeout) and one whose single page holds 7 million glyphs (the
memory watchdog). Worker crashes (SIGSEGV, os._exit) are real too: the pool
runs ctypes.string_at(0) and os._exit in a worker.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from pathlib import Path

import pymupdf
import pytest
from conftest import ROOT, SAMPLES

CLI = [sys.executable, "-m", "pdfclean"]
SAMPLE_FILES = sorted(SAMPLES.glob("*.pdf"))
MANIFEST = "pdfclean-manifest.jsonl"


# --------------------------------------------------------------------------- helpers

def run_cli(*args, timeout=240, **kw):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False,
                          **kw)


def records(out: Path) -> list[dict]:
    """The manifest's records (a torn last line is skipped, as the batch does)."""
    recs = []
    for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            pass
    return recs


def latest(out: Path) -> dict[str, dict]:
    return {r["path"]: r for r in records(out)}


def summary(stderr: str) -> dict[str, str]:
    line = [l for l in stderr.splitlines() if l.startswith("summary\t")][-1]
    return dict(kv.split("=", 1) for kv in line.split("\t")[1:])


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def heavy_pdf(path: Path, pages: int, lines: int = 90) -> None:
    """A real, valid PDF that is expensive to read: ``pages`` pages sharing one
    content stream of ``lines`` lines of 120 Latin glyphs at 8 pt (a few kB on
    disk). 300 such pages take pdfclean ~20 s on the CI machine; one page of
    60 000 lines makes PyMuPDF build 7 million glyph records (gigabytes)."""
    doc = pymupdf.open()
    words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
    row = b"(" + (words * 2)[:120] + b") Tj\n"
    body = b"BT /helv 8 Tf 20 830 Td 9 TL\n" + (b"T* " + row) * lines + b"ET\n"
    xref = None
    for _ in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((50, 50), "x", fontname="helv", fontsize=1)
        if xref is None:
            xref = page.get_contents()[0]
            doc.update_stream(xref, body)
        else:
            doc.xref_set_key(page.xref, "Contents", f"{xref} 0 R")
    doc.save(path, deflate=True, garbage=3)
    doc.close()


BATCH_FILES = SAMPLE_FILES[:15]  # the batch tests' set, whatever samples are added


def good_tree(root: Path, copies: int = 3) -> dict[str, Path]:
    """``copies`` × 15 sample PDFs under mixed names; rel path → source."""
    assert len(BATCH_FILES) == 15
    good = {}
    for i, src in enumerate(BATCH_FILES * copies):
        rel = [f"{src.stem}-{i}.pdf",
               f"مقالات/مقال رقم {i}.pdf",
               f"folder with spaces/sub dir/report {i}.PDF",
               f"فارسی/گزارش‌ها/سند {i}.pdf"][i % 4]
        dst = root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        good[rel] = src
    return good


def out_rel(rel: str, ext: str = ".json") -> str:
    return rel[:-4] + ext


def tree_snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple]:
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip is not None and Path(dirpath).resolve() == skip.resolve():
            dirnames[:] = []
            continue
        for n in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            snap[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return snap


HOOKS = Path(__file__).resolve().parent / "hooks"


def hold_env(pattern: str, held: Path | None = None, release: Path | None = None) -> dict:
    """The environment of a batch whose workers wait, before converting a file
    whose name matches ``pattern``, until ``release`` exists (never, without
    it): a document that outlasts any deadline, by an event, not a duration
    (tests/hooks/sitecustomize.py). ``held`` gets one file per held document."""
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(HOOKS), os.environ.get("PYTHONPATH")) if p),
           "PDFCLEAN_TEST_HOLD": pattern}
    if held is not None:
        env["PDFCLEAN_TEST_HELD"] = str(held)
    if release is not None:
        env["PDFCLEAN_TEST_RELEASE"] = str(release)
    return env


def no_temporary_files(out: Path) -> None:
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".pdfclean")]
    assert not leftovers, leftovers


# --------------------------------------------------------------------------- the big batch

def test_batch_of_46_files_with_broken_ones(tmp_path):
    src = tmp_path / "in"
    good = good_tree(src)  # 45 PDFs
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copyfile(SAMPLE_FILES[0], outside / "خارج.pdf")
    os.symlink(outside, src / "link to elsewhere")  # a linked folder outside INPUT_DIR: read, once
    good["link to elsewhere/خارج.pdf"] = SAMPLE_FILES[0]
    os.symlink("..", src / "مقالات" / "loop")  # a loop
    os.symlink(src / "folder with spaces", src / "same folder again")  # a folder already read
    sample = SAMPLE_FILES[1].read_bytes()
    broken = {
        "broken/empty.pdf": (b"", "empty"),
        "broken/truncated.pdf": (sample[: len(sample) // 2], "truncated"),
        "broken/text.pdf": (b"just some text, not a PDF\n", "not a pdf"),
        "broken/page.pdf": (b"<!DOCTYPE html><html><body>404</body></html>\n", "not a pdf"),
        "مقالات/مقال تالف.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "not a readable pdf"),
    }
    for rel, (data, _) in broken.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    with pymupdf.open(SAMPLE_FILES[2]) as d:
        d.save(src / "broken" / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256,
               user_pw="u", owner_pw="o")
    broken["broken/encrypted.pdf"] = (None, "password")
    os.symlink("nowhere.pdf", src / "broken" / "dangling.pdf")
    broken["broken/dangling.pdf"] = (None, "broken symbolic link")
    not_pdf = ["notes.txt", "مقالات/صورة.png", "broken/README"]
    for rel in not_pdf:
        (src / rel).write_bytes(b"\x89PNG\r\n" if rel.endswith(".png") else b"text\n")

    out = tmp_path / "out"
    before = tree_snapshot(tmp_path)
    t0 = time.monotonic()
    r = run_cli("batch", src, "-o", out, "--jobs", "2", "--pages", "1-2")
    first_run = time.monotonic() - t0
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr

    # every good file converted, at its mirrored path, complete and named
    for rel, origin in good.items():
        doc = json.loads((out / out_rel(rel)).read_text(encoding="utf-8"))
        assert doc["source"]["sha256"] == sha256(origin)
        assert doc["source"]["file"] == rel
        assert {p["page"] for p in doc["pages"]} == {1, 2}
    # each broken one in the manifest, with its error
    man = latest(out)
    for rel, (_, words) in broken.items():
        assert man[rel]["status"] == "failed", man.get(rel)
        assert words in man[rel]["error"].lower(), man[rel]
        assert not (out / out_rel(rel)).exists()
    for rel in not_pdf:
        assert man[rel]["status"] == "skipped"
    ok = [r for r in man.values() if r["status"] == "ok"]
    assert len(ok) == len(good) == 46
    for rec in ok:
        assert rec["output"] == out_rel(rec["path"]) and rec["pages_read"] == 2
        assert rec["options"] == {"format": "json", "engine": "pymupdf", "pages": "1-2", "ocr": "auto",
                                  "ocr_lang": "ara+fas+eng"}
        assert rec["version"] and rec["sha256"] == sha256(good[rec["path"]])
        assert rec["seconds"] > 0 and rec["output_sha256"] == sha256(out / rec["output"])
    s = summary(r.stderr)
    assert (s["inputs"], s["ok"], s["failed"], s["skipped"]) == ("53", "46", "7", "3")
    assert "loop" in r.stderr and "same folder again" in r.stderr  # links not followed, said so
    assert not (out / "same folder again").exists() and not (out / "مقالات" / "loop").exists()
    # one line per file, machine-readable
    lines = r.stderr.splitlines()
    assert sum(l.startswith("ok\t") for l in lines) == 46
    assert sum(l.startswith("failed\t") for l in lines) == 7
    # nothing written outside OUTPUT_DIR, nothing left half-done inside it
    assert tree_snapshot(tmp_path, skip=out) == before
    no_temporary_files(out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == \
        sorted(out_rel(rel) for rel in good)

    # a re-run converts nothing again; failures are tried again
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.json")}
    r2 = run_cli("batch", src, "-o", out, "--jobs", "2", "--pages", "1-2")
    assert r2.returncode == 1
    s2 = summary(r2.stderr)
    assert (s2["ok"], s2["unchanged"], s2["failed"]) == ("0", "46", "7")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.json")} == mtimes
    assert Counter(r["path"] for r in records(out) if r["status"] == "ok") == Counter(list(good))
    # other options are other outputs: a different page range converts again
    r3 = run_cli("batch", src, "-o", out, "--pages", "1", "--include", "مقال رقم 1.pdf")
    assert r3.returncode == 0, r3.stderr
    assert summary(r3.stderr)["ok"] == "1"
    print(f"46 good + 7 broken, --jobs 2 --pages 1-2: {first_run:.1f} s")


# --------------------------------------------------------------------------- kill -9 and resume

def test_sigkill_halfway_then_resume(tmp_path):
    src = tmp_path / "in"
    good = good_tree(src, copies=3)
    # the smallest file, converted last (biggest first), is held: the batch cannot end
    # before it is killed, whatever the speed of the machine
    small = pymupdf.open()
    small.new_page(width=100, height=100).insert_text((10, 50), "x")
    small.save(src / "zz-held.pdf")
    small.close()
    good["zz-held.pdf"] = src / "zz-held.pdf"
    assert (src / "zz-held.pdf").stat().st_size < min(f.stat().st_size for f in SAMPLE_FILES)
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "batch", str(src), "-o", str(out), "--jobs", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, **hold_env("zz-held.pdf")})
    manifest = out / MANIFEST
    done = 0
    hang_guard = time.monotonic() + 600  # only against a hang: the condition is an event
    while proc.poll() is None and time.monotonic() < hang_guard:
        if manifest.exists():
            done = manifest.read_text(encoding="utf-8").count('"status": "ok"')
            if done >= 8:
                break
        time.sleep(0.02)
    assert proc.poll() is None and done >= 8, "the batch ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator, the zygote and the workers
    proc.wait()
    assert 8 <= len([r for r in latest(out).values() if r["status"] == "ok"]) < len(good)

    # after the kill: whatever has its final name is complete
    finished = {}
    for p in out.rglob("*.json"):
        json.loads(p.read_text(encoding="utf-8"))
        st = p.stat()
        finished[p] = (st.st_ino, st.st_mtime_ns)

    r = run_cli("batch", src, "-o", out, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    s = summary(r.stderr)
    assert int(s["ok"]) + int(s["unchanged"]) == len(good)
    assert int(s["unchanged"]) >= len(finished) - 1  # at most the one being renamed is "recovered"
    # complete: every input has its output
    for rel, origin in good.items():
        doc = json.loads((out / out_rel(rel)).read_text(encoding="utf-8"))
        assert doc["source"]["sha256"] == sha256(origin)
    # no file converted twice: one ok record per input over both runs, and what
    # was finished before the kill was not rewritten
    oks = Counter(r["path"] for r in records(out) if r["status"] == "ok" and not r.get("recovered"))
    assert oks == Counter(list(good))
    for p, ident in finished.items():
        st = p.stat()
        assert (st.st_ino, st.st_mtime_ns) == ident, p
    no_temporary_files(out)


def test_writing_record_is_completed_not_redone(tmp_path):
    """Killed between the rename and the ok record: the re-run trusts the output
    only because its sha256 matches the ``writing`` record."""
    from pdfclean.batch import BatchOptions, run_batch

    src = tmp_path / "in"
    src.mkdir()
    for f in SAMPLE_FILES[:2]:
        shutil.copyfile(f, src / f.name)
    out = tmp_path / "out"
    opts = BatchOptions(str(src), str(out), jobs=1, pages="1", progress="lines")
    assert run_batch(opts, stderr=io.StringIO()) == 0
    lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    # drop the last ok record (its writing record is now the last word), and tear a line
    last_ok = max(i for i, l in enumerate(lines) if '"status": "ok"' in l)
    victim = json.loads(lines[last_ok])["path"]
    del lines[last_ok]
    (out / MANIFEST).write_text("\n".join(lines) + '\n{"path": "torn', encoding="utf-8")
    err = io.StringIO()
    assert run_batch(opts, stderr=err) == 0
    s = summary(err.getvalue())
    assert (s["ok"], s["unchanged"]) == ("0", "2")
    rec = latest(out)[victim]
    assert rec["status"] == "ok" and rec["recovered"] is True
    # a writing record whose output differs (a partial or foreign file) is not trusted
    target = out / rec["output"]
    lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    (out / MANIFEST).write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    target.write_text("{", encoding="utf-8")
    err = io.StringIO()
    assert run_batch(opts, stderr=err) == 0
    assert summary(err.getvalue())["ok"] == "1"
    json.loads(target.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- isolation

def test_worker_pool_survives_crash_exit_hang_and_memory_error():
    from pdfclean.batch import WorkerPool

    pool = WorkerPool(2, timeout=2, max_memory_mb=512)
    calls = [("segfault", "ctypes:string_at", (0,)),   # a real SIGSEGV in the worker
             ("exit", "os:_exit", (7,)),
             ("hang", "time:sleep", (600,)),
             ("alloc", "builtins:bytearray", (8 * 2**30,)),  # over the address-space cap
             *[(f"ok{i}", "os:getpid", ()) for i in range(6)]]
    res = dict(pool.run(calls))  # "hang" sleeps 300 times the deadline: no race
    assert res["segfault"] == {"ok": False, "error": "worker crashed (SIGSEGV)", "seconds": res["segfault"]["seconds"]}
    assert "exit code 7" in res["exit"]["error"]
    assert res["hang"]["error"].startswith("timed out after 2 s")
    assert "out of memory" in res["alloc"]["error"]
    assert all(res[f"ok{i}"]["ok"] for i in range(6))
    assert pool.replaced >= 3


@pytest.mark.parametrize("case", ["timeout", "memory"])
def test_timeout_and_memory_blowup_are_recorded_and_the_batch_goes_on(tmp_path, case):
    src = tmp_path / "in"
    src.mkdir()
    env = None
    if case == "timeout":  # a worker held on heavy.pdf until killed: it surely outlasts the deadline
        heavy_pdf(src / "heavy.pdf", pages=2)
        limits = ("--timeout", "5")
        env = {**os.environ, **hold_env("heavy.pdf", held=tmp_path / "held")}
    else:
        heavy_pdf(src / "heavy.pdf", pages=1, lines=60000)  # gigabytes
        limits = ("--max-memory", "400")
    for f in SAMPLE_FILES[:3]:
        shutil.copyfile(f, src / f.name)
    out = tmp_path / "out"
    r = run_cli("batch", src, "-o", out, "--jobs", "2", *limits, env=env)
    assert r.returncode == 1, r.stderr
    man = latest(out)
    assert man["heavy.pdf"]["status"] == "failed"
    if case == "timeout":
        assert len(list((tmp_path / "held").iterdir())) == 1  # the worker did reach the document
        assert man["heavy.pdf"]["error"].startswith("timed out after 5 s"), man["heavy.pdf"]
    else:
        assert "out of memory" in man["heavy.pdf"]["error"], man["heavy.pdf"]
        assert "400 MB" in man["heavy.pdf"]["error"]
    for f in SAMPLE_FILES[:3]:
        assert man[f.name]["status"] == "ok"
        assert (out / (f.stem + ".json")).is_file()
    no_temporary_files(out)


# --------------------------------------------------------------------------- output safety

def test_output_paths_stay_inside_output_dir(tmp_path):
    from pdfclean.batch import BatchOptions, run_batch

    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "drafts").mkdir()
    shutil.copyfile(SAMPLE_FILES[0], src / "sub" / "a.pdf")
    shutil.copyfile(SAMPLE_FILES[0], src / "b.pdf")
    shutil.copyfile(SAMPLE_FILES[1], src / "b.PDF")  # same output name as b.pdf
    shutil.copyfile(SAMPLE_FILES[2], src / "drafts" / "c.pdf")
    shutil.copyfile(SAMPLE_FILES[2], src / "pdfclean-manifest.pdf")  # would be the manifest (jsonl)
    out = src / "out"  # OUTPUT_DIR inside INPUT_DIR: not read as input
    out.mkdir()
    victim = tmp_path / "victim"
    victim.mkdir()
    os.symlink(victim, out / "sub")  # a link planted in OUTPUT_DIR pointing elsewhere
    err = io.StringIO()
    code = run_batch(BatchOptions(str(src), str(out), jobs=1, pages="1", format="jsonl",
                                  exclude=("drafts",), progress="lines"), stderr=err)
    assert code == 1
    man = latest(out)
    assert man["sub/a.pdf"]["status"] == "failed" and "symbolic link" in man["sub/a.pdf"]["error"]
    assert list(victim.iterdir()) == []
    assert man["b.PDF"]["status"] == "ok" or man["b.pdf"]["status"] == "ok"
    assert {man["b.PDF"]["status"], man["b.pdf"]["status"]} == {"ok", "failed"}
    assert "already taken" in (man["b.PDF"].get("error") or man["b.pdf"].get("error"))
    assert man["pdfclean-manifest.pdf"]["status"] == "failed"
    assert "drafts/c.pdf" not in man
    assert not any(p.startswith("out/") for p in man)
    assert json.loads((out / "b.jsonl").read_text(encoding="utf-8").strip())  # one line of JSON


def test_second_batch_on_the_same_output_is_refused_and_force_redoes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copyfile(SAMPLE_FILES[0], src / "a.pdf")
    out = tmp_path / "out"
    r = run_cli("batch", src, "-o", out, "--pages", "1")
    assert r.returncode == 0, r.stderr
    with open(out / MANIFEST, "a") as held:  # a batch still running holds this lock
        fcntl.flock(held, fcntl.LOCK_EX)
        r = run_cli("batch", src, "-o", out, "--pages", "1")
        assert r.returncode == 2 and "another pdfclean batch" in r.stderr
    r = run_cli("batch", src, "-o", out, "--pages", "1", "--force")
    assert r.returncode == 0 and summary(r.stderr)["ok"] == "1"


def test_include_exclude():
    from pdfclean.batch import _matches

    assert _matches("a/b/x.pdf", ("*.pdf",)) and _matches("a/b/x.pdf", ("a/*",))
    assert not _matches("a/b/x.pdf", ("b/*",)) and _matches("مقالات/مقال 1.pdf", ("مقال *",))


# --------------------------------------------------------------------------- streaming, progress

def test_stream_jsonl_to_stdout(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for f in SAMPLE_FILES[:3]:
        shutil.copyfile(f, src / "sub" / f.name)
    (src / "bad.pdf").write_bytes(b"nope")
    r = run_cli("batch", src, "-o", "-", "--format", "jsonl", "--pages", "1-2", cwd=tmp_path)
    assert r.returncode == 1
    docs = [json.loads(l) for l in r.stdout.splitlines()]
    assert sorted(d["source"]["file"] for d in docs) == sorted(f"sub/{f.name}" for f in SAMPLE_FILES[:3])
    assert "failed\tbad.pdf\tnot a PDF" in r.stderr
    assert not list(tmp_path.glob(MANIFEST)) and sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_progress_bar_on_a_terminal(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for f in SAMPLE_FILES[:3]:
        shutil.copyfile(f, src / f.name)
    (src / "bad.pdf").write_bytes(b"")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a real terminal has a size
    proc = subprocess.Popen([*CLI, "batch", str(src), "-o", str(tmp_path / "out"), "--pages", "1"],
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    buf = b""
    while True:
        if select.select([master], [], [], 60)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
        else:
            break
    proc.wait(60)
    os.close(master)
    text = buf.decode("utf-8", "replace")
    assert proc.returncode == 1
    assert "4/4 files" in text and "pages/s" in text and "1 failed" in text
    assert "pdfclean batch: 4 PDF(s): 3 converted" in text
    assert "ok\t" not in text  # the plain lines are for pipes and logs


# --------------------------------------------------------------------------- Dask

def test_dask_localcluster_same_manifest_semantics(tmp_path, monkeypatch):
    import dask
    from distributed import LocalCluster

    src = tmp_path / "in"
    (src / "مقالات").mkdir(parents=True)
    for i, f in enumerate(SAMPLE_FILES[:4]):
        shutil.copyfile(f, src / "مقالات" / f"مقال {i}.pdf")
    (src / "bad.pdf").write_bytes(b"%PDF-1.4\n")
    heavy_pdf(src / "slow.pdf", pages=2)  # held by its worker until killed (the deadline)
    for k, v in hold_env("slow.pdf").items():  # the Dask worker's children start from this process
        monkeypatch.setenv(k, v)
    out = tmp_path / "out"
    scratch = str(tmp_path / "dask")  # not the system temp folder
    env = {**os.environ, "DASK_TEMPORARY_DIRECTORY": scratch}
    with dask.config.set({"temporary-directory": scratch}), \
            LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                         host="127.0.0.1", dashboard_address=":0") as cluster:
        args = ("batch", src, "-o", out, "--executor", "dask", "--scheduler", cluster.scheduler_address,
                "--timeout", "10")
        r = run_cli(*args, env=env)
        assert r.returncode == 1, r.stderr
        man = latest(out)
        for i, f in enumerate(SAMPLE_FILES[:4]):
            rel = f"مقالات/مقال {i}.pdf"
            assert man[rel]["status"] == "ok" and man[rel]["sha256"] == sha256(f)
            doc = json.loads((out / out_rel(rel)).read_text(encoding="utf-8"))
            assert doc["source"]["file"] == rel
        assert man["bad.pdf"]["status"] == "failed" and "truncated" in man["bad.pdf"]["error"]
        assert (man["slow.pdf"]["error"] or "").startswith("timed out after 10 s"), json.dumps(man["slow.pdf"])[:900]  # isolation on the cluster too
        r2 = run_cli(*args[:-2], "--timeout", "1", env=env)
        s = summary(r2.stderr)
        assert (s["ok"], s["unchanged"], s["failed"]) == ("0", "4", "2")
        no_temporary_files(out)
    # a scheduler that cannot be reached: exit 2 before anything is written (a refused
    # tcp:// address is retried for the 20 s connect timeout; a bad scheme fails at once)
    r = run_cli("batch", src, "-o", tmp_path / "o2", "--executor", "dask", "--scheduler", "nosuch://127.0.0.1:9",
                env=env)
    assert r.returncode == 2 and "cannot reach the Dask scheduler" in r.stderr
    assert not (tmp_path / "o2").exists()


# --------------------------------------------------------------------------- command line

@pytest.mark.parametrize("args", [
    ["batch", "IN"],                                        # no -o
    ["batch", "IN/missing", "-o", "OUT"],                   # not a folder
    ["batch", "IN", "-o", "-"],                             # stdout needs jsonl
    ["batch", "IN", "-o", "IN"],                            # output = input
    ["batch", "IN", "-o", "OUT", "--jobs", "0"],
    ["batch", "IN", "-o", "OUT", "--pages", "3-1"],
    ["batch", "IN", "-o", "OUT", "--executor", "dask"],     # no --scheduler
    ["batch", "IN", "-o", "OUT", "--format", "xml"],
])
def test_usage_errors_exit_2(tmp_path, args):
    (tmp_path / "IN").mkdir()
    args = [str(tmp_path / a) if a.startswith(("IN", "OUT")) else a for a in args]
    r = run_cli(*args)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "OUT").exists()


def test_empty_folder_exits_0(tmp_path):
    (tmp_path / "in").mkdir()
    r = run_cli("batch", tmp_path / "in", "-o", tmp_path / "out", "--quiet")
    assert r.returncode == 0, r.stderr
    assert summary(r.stderr)["inputs"] == "0"


def test_cli_start_up_imports_nothing_heavy():
    code = ("import sys; from pdfclean.cli import main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pymupdf', 'pdfplumber', 'tqdm', 'distributed', 'dask') or m == 'pdfclean.batch'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.stdout.strip() == "[]", r.stdout


# --------------------------------------------------------------------------- review reports (--review)

INDEX = "pdfclean-review.html"


def index_rows(out: Path) -> dict[str, dict]:
    """The index page's table: document path → status, report link, text of the row."""
    from html.parser import HTMLParser

    rows: dict[str, dict] = {}

    class P(HTMLParser):
        row: dict | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "tr" and "data-status" in a:
                self.row = {"status": a["data-status"], "href": None, "text": ""}
            elif self.row is not None and tag == "td" and a.get("class") == "doc":
                rows[a["data-sort"]] = self.row
            elif self.row is not None and tag == "a":
                self.row["href"] = a["href"]

        def handle_data(self, data):
            if self.row is not None:
                self.row["text"] += data

    P().feed((out / INDEX).read_text(encoding="utf-8"))
    return rows


def link_target(base: Path, href: str) -> Path:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc and not href.startswith("/"), href  # relative
    return (base / unquote(parts.path)).resolve()


def review_tree(src: Path) -> tuple[dict[str, Path], str]:
    good = {"مقالات/مقال رقم 1.pdf": SAMPLE_FILES[0], "b.pdf": SAMPLE_FILES[1]}
    for rel, origin in good.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, src / rel)
    broken = "broken/تالف.pdf"
    (src / broken).parent.mkdir(parents=True, exist_ok=True)
    (src / broken).write_bytes(SAMPLE_FILES[2].read_bytes()[:5000])  # truncated
    (src / "notes.txt").write_text("not a PDF\n")
    return good, broken


def test_batch_review_reports_and_index(tmp_path):
    src = tmp_path / "in"
    good, broken = review_tree(src)
    out = tmp_path / "out"
    before = tree_snapshot(tmp_path)
    r = run_cli("batch", src, "-o", out, "--review", "--jobs", "2", "--pages", "1-2")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    s = summary(r.stderr)
    assert (s["ok"], s["failed"], s["reports"]) == ("2", "1", "2")
    man = latest(out)
    for rel in good:
        rec = man[rel]
        assert rec["status"] == "ok" and rec["review"] == rel[:-4] + ".review.html"
        report = out / rec["review"]
        assert sha256(report) == rec["review_sha256"] and report.stat().st_size == rec["review_bytes"]
        text = report.read_text(encoding="utf-8")
        assert text.count('<section class="page"') == 2 and "Content-Security-Policy" in text
        assert f"<bdi>{rel}</bdi>" in text  # the document named by its path in the batch
        back = re.search(r'<a class="index" href="([^"]+)"', text).group(1)
        assert link_target(report.parent, back) == (out / INDEX).resolve()
        assert rec["quality"]["ocr_share"] == 0.0 and rec["ocr_pages"] == 0
        # the report counted in the exactly-once protocol: in the writing record already
        writing = [x for x in records(out) if x["path"] == rel and x["status"] == "writing"]
        assert writing[-1]["review_sha256"] == rec["review_sha256"]
    assert man[broken]["status"] == "failed" and "review" not in man[broken]
    assert not (out / "broken").exists()
    # the index: every input, its status, links that lead to the reports
    rows = index_rows(out)
    assert set(rows) == {*good, broken}
    for rel in good:
        assert rows[rel]["status"] == "ok"
        assert link_target(out, rows[rel]["href"]) == (out / man[rel]["review"]).resolve()
    assert rows[broken]["status"] == "failed" and rows[broken]["href"] is None
    assert "truncated PDF" in rows[broken]["text"]
    assert "مقال رقم 1.pdf" in (out / INDEX).read_text(encoding="utf-8")  # not escaped to entities
    assert tree_snapshot(tmp_path, skip=out) == before  # nothing written outside OUTPUT_DIR
    no_temporary_files(out)

    # the input changes, a run without --review converts it again: its old report is no
    # longer linked (the index is kept up to date because it exists)
    shutil.copyfile(SAMPLE_FILES[3], src / "b.pdf")
    r = run_cli("batch", src, "-o", out, "--pages", "1-2")
    assert r.returncode == 1 and summary(r.stderr)["ok"] == "1"
    rows = index_rows(out)
    assert rows["b.pdf"]["status"] == "ok" and rows["b.pdf"]["href"] is None
    assert rows["مقالات/مقال رقم 1.pdf"]["status"] == "unchanged" and rows["مقالات/مقال رقم 1.pdf"]["href"]
    assert "review" not in latest(out)["b.pdf"]


def test_review_of_a_finished_batch_makes_only_the_reports(tmp_path):
    from pdfclean.batch import BatchOptions, run_batch

    src = tmp_path / "in"
    good, broken = review_tree(src)
    out = tmp_path / "out"
    opts = BatchOptions(str(src), str(out), jobs=2, pages="1-2", progress="lines")
    assert run_batch(opts, stderr=io.StringIO()) == 1
    assert not (out / INDEX).exists() and not list(out.rglob("*.html"))
    outputs = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.json")}

    def again(**kw) -> tuple[dict, str]:
        err = io.StringIO()
        assert run_batch(BatchOptions(str(src), str(out), jobs=2, pages="1-2", progress="lines", **kw),
                         stderr=err) == 1
        return summary(err.getvalue()), err.getvalue()

    s, err = again(review=True)  # reports for what is done, no conversion
    assert (s["ok"], s["unchanged"], s["reports"]) == ("0", "2", "2")
    assert sorted(l.split("\t")[1] for l in err.splitlines() if l.startswith("reviewed\t")) == sorted(good)
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.json")} == outputs
    rows = index_rows(out)
    assert {rel: rows[rel]["status"] for rel in rows} == {**{rel: "unchanged" for rel in good}, broken: "failed"}
    for rel in good:
        assert link_target(out, rows[rel]["href"]).is_file()

    # a report lost, a new document: the report alone is made again, the new one converted
    (out / latest(out)["b.pdf"]["review"]).unlink()
    shutil.copyfile(SAMPLE_FILES[4], src / "مقالات" / "جديد.pdf")
    s, err = again(review=True)
    assert (s["ok"], s["unchanged"], s["reports"]) == ("1", "2", "2")
    assert "reviewed\tb.pdf" in err and "ok\tمقالات/جديد.pdf\t2\t" in err
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in outputs} == outputs
    rows = index_rows(out)
    assert rows["مقالات/جديد.pdf"]["status"] == "ok" and len(rows) == 4
    assert all(link_target(out, rows[rel]["href"]).is_file() for rel in rows if rel != broken)

    # killed after the renames, before the ok record: completed from the writing record
    lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    last_ok = max(i for i, l in enumerate(lines) if '"status": "ok"' in l and '"review"' in l)
    victim = json.loads(lines[last_ok])["path"]
    (out / MANIFEST).write_text("\n".join(lines[:last_ok] + lines[last_ok + 1:]) + "\n", encoding="utf-8")
    s, err = again(review=True)
    assert (s["ok"], s["reports"]) == ("0", "0")
    rec = latest(out)[victim]
    assert rec["recovered"] is True and sha256(out / rec["review"]) == rec["review_sha256"]
    # … and when the report did not make it: the output is trusted, the report made again
    lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    writing = max(i for i, l in enumerate(lines) if f'"path": "{victim}"' in l and '"status": "writing"' in l)
    (out / MANIFEST).write_text("\n".join(lines[:writing + 1]) + "\n", encoding="utf-8")
    (out / rec["review"]).write_text("<html>partial", encoding="utf-8")
    s, err = again(review=True)
    assert (s["ok"], s["reports"]) == ("0", "1") and f"reviewed\t{victim}" in err
    rec = latest(out)[victim]
    assert sha256(out / rec["review"]) == rec["review_sha256"]
    s, _ = again(review=True)  # nothing left to do
    assert (s["ok"], s["unchanged"], s["reports"]) == ("0", "3", "0")
    no_temporary_files(out)


def test_review_needs_an_output_dir(tmp_path):
    (tmp_path / "in").mkdir()
    r = run_cli("batch", tmp_path / "in", "-o", "-", "-f", "jsonl", "--review")
    assert r.returncode == 2 and "--review" in r.stderr


# --------------------------------------------------------------------------- OCR pages in parallel

def test_batch_reads_ocr_pages_in_parallel_within_jobs(tmp_path, monkeypatch):
    """Events, not timing: the 5-page document's readings wait until the other
    document is written (its slot is free then), and then two of its pages
    meet — which they can only do on a slot lent to it."""
    from test_ocr import heights, overlap, small_scan, tesseract_log

    import pdfclean

    src = tmp_path / "in"
    (src / "مسح").mkdir(parents=True)
    small_scan(src / "مسح" / "وثيقة.pdf", pages=5)
    # taller pages than the other's: its readings are told apart by their heights
    small_scan(src / "one.pdf", pages=1, name="iaea-nuclear-file-reportlab-scan", band=(0.12, 0.42))
    # the same output as one page after another (and the images Tesseract sees)
    refs, seen = {}, {}
    for rel, pages in (("مسح/وثيقة.pdf", "1"), ("مسح/وثيقة.pdf", None), ("one.pdf", None)):
        (tmp_path / f"ref-{len(seen)}").mkdir()
        log = tesseract_log(tmp_path / f"ref-{len(seen)}", monkeypatch)
        doc = pdfclean.extract(src / rel, ocr_jobs=1, pages=pages)
        doc.source.file = rel
        seen[(rel, pages)] = heights(log)
        if pages is None:
            refs[rel] = doc.to_json() + "\n"
    first_page_runs = len(seen[("مسح/وثيقة.pdf", "1")])
    other = set(seen[("one.pdf", None)])
    assert not other & set(seen[("مسح/وثيقة.pdf", None)])  # its readings told apart by their height
    out = tmp_path / "out"
    (tmp_path / "batch").mkdir()
    log = tesseract_log(tmp_path / "batch", monkeypatch, meet=2, meet_after=first_page_runs,
                        gate=out / "one.json", gate_free_heights=",".join(map(str, sorted(other))))
    r = run_cli("batch", src, "-o", out, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    # never more Tesseract runs at once than --jobs; the 5-page document had a second
    # reader once the other document was done
    assert overlap(log) == 2
    assert max(overlap(log, by_parent=True).values()) == 2
    for rel, pages in (("مسح/وثيقة.pdf", 5), ("one.pdf", 1)):
        assert (out / out_rel(rel)).read_text(encoding="utf-8") == refs[rel]
        rec = latest(out)[rel]
        assert rec["ocr_pages"] == pages and rec["quality"]["ocr_share"] == 1.0
        line = [l for l in r.stderr.splitlines() if l.startswith(f"ok\t{rel}\t")][0].split("\t")
        assert line[2] == str(pages) and line[4] == str(pages)  # ok PATH PAGES SECONDS OCR_PAGES
    assert summary(r.stderr)["ocr_pages"] == "6"


def test_progress_bar_counts_ocr_pages_live():
    from pdfclean.batch import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    p = Progress(stream, 2, "bar")
    for _ in range(3):
        p.ocr_page("scan.pdf")  # as a worker reports each page
    assert "OCR 3 pages" in stream.getvalue()
    p.converted("scan.pdf", 4, 2.0, 4)
    p.converted("text.pdf", 4, 0.1, 0)
    p.bar.refresh()
    assert "OCR 4 pages (50% of pages)" in stream.getvalue()
    p.close({}, "done")


def test_a_killed_worker_takes_its_children_along(tmp_path):
    """A worker stopped at the deadline while Tesseract runs: no orphan keeps a core."""
    from pdfclean.batch import WorkerPool

    pidfile = tmp_path / "child.pid"
    pool = WorkerPool(1, timeout=2, max_memory_mb=0)
    res = dict(pool.run([("t", "subprocess:run", (["sh", "-c", f"echo $$ > {pidfile}; exec sleep 600"],))]))
    assert res["t"]["error"].startswith("timed out after 2 s")
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 60  # a hang guard: it ends as soon as the child is gone
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":  # dead, waiting for a reaper
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the worker's child outlived it")


def test_a_report_that_cannot_be_made_does_not_fail_the_document(monkeypatch):
    import pdfclean.review
    from pdfclean.batch import convert

    task = {"rel": "a/b.pdf", "path": str(SAMPLE_FILES[0]), "review": True, "index_href": "../pdfclean-review.html",
            "options": {"format": "json", "engine": "pymupdf", "pages": "1", "ocr": "auto",
                        "ocr_lang": "ara+fas+eng"}}
    got = convert(task)
    assert got["status"] == "ok" and got["ocr_pages"] == 0
    assert '<a class="index" href="../pdfclean-review.html">' in got["review_html"]

    def broken(*a, **k):
        raise RuntimeError("no renderer")

    monkeypatch.setattr(pdfclean.review, "render_report", broken)
    got = convert(task)
    assert got["status"] == "ok" and json.loads(got["text"])["source"]["file"] == "a/b.pdf"
    assert got["review_error"] == "review report could not be made: RuntimeError: no renderer"
    assert "review_html" not in got


def test_a_fifo_named_pdf_is_skipped_with_its_reason_and_the_rest_converted(tmp_path):
    import os
    import shutil

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLE_FILES[0], src / "good.pdf")
    os.mkfifo(src / "waiting.pdf")  # nobody writes to it
    r = run_cli("batch", src, "-o", tmp_path / "out", "--quiet", timeout=120)
    assert r.returncode == 1, r.stderr
    got = latest(tmp_path / "out")
    assert got["good.pdf"]["status"] == "ok"
    assert got["waiting.pdf"]["status"] == "failed" and "not a regular file" in got["waiting.pdf"]["error"]
