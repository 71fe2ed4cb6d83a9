"""Atomic outputs strictly inside OUTPUT_DIR: where each output and report
goes, the temporary folder, and the commit of a converted document — its
temporary files, the ``writing`` record, the renames, the ``ok`` record —
in the order that makes a re-run after ``kill -9`` convert nothing twice
(see :mod:`pdfclean.batch`)."""

from __future__ import annotations

import hashlib
import os
import stat

from .common import EXTENSIONS, INDEX_NAME, REPORT_SUFFIX, REVIEW_FIELDS, TMP_DIR_NAME


def output_rel(rel: str, fmt: str) -> str:
    """``a/b/دراسة 1.pdf`` → ``a/b/دراسة 1.json`` (the suffix per format)."""
    stem = rel[:-4] if rel.lower().endswith(".pdf") else rel
    return stem + EXTENSIONS[fmt]


def sha256_file(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    return h.hexdigest(), n


class Outputs:
    """Atomic writes strictly inside OUTPUT_DIR.

    Temporary files live in ``OUTPUT_DIR/.pdfclean-tmp/`` (cleared at start:
    the manifest lock says no other batch uses it) and are fsynced before the
    rename, so a final name never holds a partial file. Every directory on the
    way is checked with ``lstat``: a symbolic link inside OUTPUT_DIR that points
    elsewhere is refused, never followed.
    """

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.tmp = os.path.join(self.root, TMP_DIR_NAME)
        self._good: set[str] = {self.root}
        if os.path.isdir(self.tmp) and not os.path.islink(self.tmp):
            for name in os.listdir(self.tmp):
                try:
                    os.unlink(os.path.join(self.tmp, name))
                except OSError:
                    pass
        elif os.path.lexists(self.tmp):
            os.unlink(self.tmp)
        os.makedirs(self.tmp, exist_ok=True)
        mask = os.umask(0)
        os.umask(mask)
        self.mode = 0o666 & ~mask  # what open() would give: mkstemp's 0600 is not what an archive wants

    def _dir(self, rel_dir: str) -> str:
        path = self.root
        for part in [p for p in rel_dir.split("/") if p]:
            if part in (".", ".."):
                raise OSError("path component . or ..")
            path = os.path.join(path, part)
            if path in self._good:
                continue
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                os.mkdir(path)
                st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                raise UnsafeOutput(f"output folder {os.path.relpath(path, self.root)} is a symbolic "
                                   "link (would write outside OUTPUT_DIR)")
            if not stat.S_ISDIR(st.st_mode):
                raise UnsafeOutput(f"{os.path.relpath(path, self.root)} in OUTPUT_DIR is not a folder")
            self._good.add(path)
        return path

    def target(self, out_rel: str) -> str:
        d, _, name = out_rel.rpartition("/")
        path = os.path.join(self._dir(d), name)
        if os.path.isdir(path) and not os.path.islink(path):
            raise UnsafeOutput(f"output path {out_rel} is a folder")
        return path

    def write_tmp(self, data: bytes) -> str:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix="out-", suffix=".tmp", dir=self.tmp)
        try:
            os.fchmod(fd, self.mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            _unlink(tmp)
            raise
        return tmp

    def close(self) -> None:
        try:
            os.rmdir(self.tmp)
        except OSError:
            pass


class UnsafeOutput(Exception):
    pass


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _file_sha256_or_none(path: str) -> str | None:
    try:
        return sha256_file(path)[0]
    except OSError:
        return None


def report_rel(rel: str) -> str:
    """``a/b/دراسة 1.pdf`` → ``a/b/دراسة 1.review.html``: the review report, beside the output."""
    stem = rel[:-4] if rel.lower().endswith(".pdf") else rel
    return stem + REPORT_SUFFIX


def _index_href(rel: str) -> str:
    """The index page as seen from the report of ``rel`` (a relative URL)."""
    return "../" * rel.count("/") + INDEX_NAME


def _report_intact(root: str, rec: dict, want: str | None = None, full: bool = False) -> bool:
    """Is the report the record names there (at ``want``, when given) — by size,
    or ``full``: by sha256?"""
    rel = rec.get("review")
    if not rel or (want is not None and rel != want):
        return False
    path = os.path.join(root, rel)
    if full:
        return _file_sha256_or_none(path) == rec.get("review_sha256")
    return _output_intact(path, {"output_bytes": rec.get("review_bytes")})


def _output_intact(target: str, rec: dict) -> bool:
    try:
        st = os.stat(target)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (rec.get("output_bytes") is None or st.st_size == rec["output_bytes"])


def _place(tmp: str, target: str, data: bytes) -> None:
    """Rename a finished temporary file into place."""
    try:
        os.replace(tmp, target)
    except OSError as e:
        import errno

        if e.errno != errno.EXDEV:
            raise
        # OUTPUT_DIR spans file systems: a temporary file beside the target instead
        from ..writers import write_atomic

        write_atomic(target, data.decode("utf-8"))
        _unlink(tmp)


def _commit(outputs: Outputs, rec: dict, record, out_rel: str, data: bytes,
            report: tuple[str, bytes] | None = None) -> None:
    """tmp → ``writing`` record → rename(s) → ``ok`` record (see :mod:`pdfclean.batch`).

    The report, if any, is renamed first: an output in place means its report is."""
    target = outputs.target(out_rel)
    report_target = outputs.target(report[0]) if report else None
    tmps: list[str] = []
    try:
        tmps.append(outputs.write_tmp(data))
        rec.update(output=out_rel, output_sha256=_sha256_bytes(data), output_bytes=len(data))
        if report:
            tmps.append(outputs.write_tmp(report[1]))
            rec.update(review=report[0], review_sha256=_sha256_bytes(report[1]), review_bytes=len(report[1]))
        record({**rec, "status": "writing"})
        if report:
            _place(tmps[1], report_target, report[1])
        _place(tmps[0], target, data)
    except BaseException:
        for t in tmps:
            _unlink(t)
        raise
    record(rec)


def _commit_report(outputs: Outputs, prev: dict, record, report: tuple[str, bytes] | None,
                   error: str | None) -> dict:
    """A report for an up-to-date output: tmp → ``writing`` → rename → ``ok``,
    the output untouched. Returns the new record."""
    rec = {k: v for k, v in prev.items() if k not in ("time", "version", "options", "recovered")}
    for k in (*REVIEW_FIELDS, "review_error"):
        rec.pop(k, None)
    if report is None:
        rec.update(status="ok", review_error=error)
        record(rec)
        return rec
    target = outputs.target(report[0])
    tmp = outputs.write_tmp(report[1])
    try:
        rec.update(status="ok", review=report[0], review_sha256=_sha256_bytes(report[1]),
                   review_bytes=len(report[1]))
        record({**rec, "status": "writing"})
        _place(tmp, target, report[1])
    except BaseException:
        _unlink(tmp)
        raise
    record(rec)
    return rec
