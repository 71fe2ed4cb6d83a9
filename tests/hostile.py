"""A corpus of hostile and broken inputs, generated (never downloaded).

``build(folder)`` writes every case and returns ``{name: (path, expect)}``,
where ``expect`` is "fail" (exit 1 with a one-line message) or "ok" (the PDF
is readable after all and must convert), plus extra CLI arguments.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pymupdf

AMIRI = "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"


def _text_pdf(pages: int = 2, text: str = "قال الوزير في مؤتمر صحفي إن الحكومة لن تتراجع عن هذا القرار") -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        p = doc.new_page()
        p.insert_text((72, 100), f"{text} {i + 1}", fontsize=12, fontname="amiri", fontfile=AMIRI)
    doc.subset_fonts()
    return doc.tobytes(garbage=3, deflate=True)


def _raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from raw object bodies (1-based numbers), with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def _stream(body: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def _bomb(gigabytes: float = 2.0) -> bytes:
    """A page whose content stream inflates from a few MB to gigabytes."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [comp.compress(b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n")]
    for _ in range(int(gigabytes * 1024)):
        parts.append(comp.compress(chunk))
    parts.append(comp.flush())
    data = b"".join(parts)
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        _stream(data, b"/Filter /FlateDecode"),
    ])


def build(folder: Path, bomb_gb: float = 2.0) -> dict[str, tuple[Path, str, list[str]]]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    good = _text_pdf()
    cases: dict[str, tuple[bytes, str, list[str]]] = {}
    cases["zero-byte"] = (b"", "fail", [])
    cases["random bytes"] = (bytes(rng.getrandbits(8) for _ in range(4096)), "fail", [])
    cases["HTML named .pdf"] = (b"<!DOCTYPE html><html><body>not a pdf</body></html>", "fail", [])
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "hello")
    cases["ZIP named .pdf"] = (z.getvalue(), "fail", [])
    png = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False).tobytes("png")
    cases["PNG named .pdf"] = (png, "fail", [])
    for share in (10, 50, 90):
        cases[f"truncated at {share} %"] = (good[: len(good) * share // 100], "fail", [])
    broken = bytearray(good)
    i = broken.rfind(b"startxref")
    broken[i + 10: i + 16] = b"999999"  # startxref points nowhere: MuPDF rebuilds the xref
    cases["broken xref"] = (bytes(broken), "ok", [])
    doc = pymupdf.open(stream=good)
    cases["encrypted, no password"] = (doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o"), "fail", [])
    cases["encrypted, with password"] = (cases["encrypted, no password"][0], "ok", ["--password", "u"])
    cases["owner password only"] = (doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_128, owner_pw="o",
                                                permissions=0), "ok", [])
    cases["0 pages"] = (_raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                  b"<< /Type /Pages /Kids [] /Count 0 >>"]), "fail", [])
    big = pymupdf.open()
    for n in range(5000):
        big.new_page(width=200, height=200).insert_text((20, 100), f"page {n + 1}")
    cases["5,000 pages"] = (big.tobytes(garbage=1, deflate=True), "ok", [])
    cases["huge page box"] = (_raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400000 14400000] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        _stream(b"BT /F1 12 Tf 72 720 Td (huge page) Tj ET"),
    ]), "ok", [])
    cases["page tree loop"] = (_raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]), "fail", [])
    deep = b"[" * 100_000 + b"]" * 100_000
    cases["deep object recursion"] = (_raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Deep " + deep + b" >>",
    ]), "ok", [])
    cases["compressed-stream bomb"] = (_bomb(bomb_gb), "ok", [])
    active = pymupdf.open(stream=good)
    active.embfile_add("payload.exe", b"MZ" + b"\0" * 64)
    active.xref_set_key(active.pdf_catalog(), "OpenAction",
                        "<</S/Launch/F(calc.exe)/Next <</S/JavaScript/JS(app.alert(1))>> >>")
    cases["JavaScript, embedded file, launch action"] = (active.tobytes(), "ok", [])
    out: dict[str, tuple[Path, str, list[str]]] = {}
    for i, (name, (data, expect, args)) in enumerate(cases.items()):
        path = folder / f"case{i:02d}.pdf"
        path.write_bytes(data)
        out[name] = (path, expect, args)
    for name, fname in [("Arabic name with spaces", "تقرير المركز 2025.pdf"),
                        ("newline in the name", "line\nbreak.pdf"),
                        ("leading dash", "-rf.pdf")]:
        path = folder / fname
        path.write_bytes(good)
        out[name] = (path, "ok", [])
    return out


def run_measured(args: list[str], timeout: float = 60) -> tuple[int, bytes, bytes, float, float]:
    """Run the CLI; return exit code, stdout, stderr, seconds and peak RSS (MB)."""
    r = run_measured_cpu(args, timeout)
    return r["rc"], r["out"], r["err"], r["seconds"], r["peak_mb"]


def run_measured_cpu(args: list[str], timeout: float = 60) -> dict:
    """Run the CLI: ``rc``, ``out``, ``err``, wall ``seconds``, ``cpu_seconds``
    (user + system of the child: what the gates bound, as it hardly moves
    with the load of the machine) and ``peak_mb`` (peak RSS)."""
    t = time.perf_counter()
    peak = tempfile.NamedTemporaryFile(prefix="pdfclean-peak-", delete=False)
    peak.close()
    env = dict(os.environ, PDFCLEAN_PEAK_FILE=peak.name)
    p = subprocess.Popen([sys.executable, "-c", _PEAK_WRAPPER, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    bufs: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: bufs.__setitem__(k, f.read()))
               for k, f in (("out", p.stdout), ("err", p.stderr))]
    for r in readers:
        r.start()
    while True:  # reap it ourselves: wait4 gives this child's own peak memory
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t > timeout:
            p.kill()
            raise TimeoutError(f"hung: {args}")
        time.sleep(0.02)
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    with open(peak.name) as f:
        kb = f.read().strip()
    os.unlink(peak.name)
    return {"rc": p.returncode, "out": bufs["out"], "err": bufs["err"], "seconds": time.perf_counter() - t,
            "cpu_seconds": ru.ru_utime + ru.ru_stime,
            "peak_mb": int(kb) / 1024 if kb else ru.ru_maxrss / 1024}


# `python -m pdfclean`, reporting its own peak memory (VmHWM: this process's pages since exec) to
# PDFCLEAN_PEAK_FILE at exit. wait4's ru_maxrss is no measure: a forked child's peak counts the pages
# of the parent — a test worker's hundreds of MB — that it held before exec.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as f:
        kb = next((l.split()[1] for l in f if l.startswith("VmHWM:")), "")
    with open(os.environ["PDFCLEAN_PEAK_FILE"], "w") as f:
        f.write(kb)
atexit.register(_peak)
sys.argv[0] = "pdfclean"
runpy.run_module("pdfclean", run_name="__main__", alter_sys=True)
"""


def table(folder: Path) -> str:
    """The README table: each case through the CLI, with time and peak memory."""
    rows = ["| input | pdfclean does | exit | seconds | peak MB |", "|---|---|---:|---:|---:|"]
    for name, (path, expect, args) in build(folder).items():
        rc, out, err, secs, mb = run_measured(["extract", *args, "--ocr", "never", "--", str(path)])
        msg = err.decode("utf-8", "replace").strip().splitlines()
        what = msg[0].split(": ", 2)[-1] if msg else "converts"
        if rc == 0 and msg:
            what = "converts; " + "; ".join(m.split("warning: ", 1)[-1] for m in msg)
        rows.append(f"| {name} | {what.replace('|', '/')} | {rc} | {secs:.1f} | {mb:.0f} |")
    return "\n".join(rows)


if __name__ == "__main__":  # python tests/hostile.py DIR: write the corpus, print the table
    import sys

    print(table(Path(sys.argv[1])))
