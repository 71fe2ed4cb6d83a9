"""The folder walk: every ``*.pdf`` under INPUT_DIR that passes
``--include``/``--exclude``, symbolic links followed once (a loop ends), the
rest counted or named with a reason."""

from __future__ import annotations

import fnmatch
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Scan:
    pdfs: list[tuple[str, str]] = field(default_factory=list)  # (relative posix path, absolute path)
    not_pdf: list[str] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (rel, why) — .pdf names that cannot be read
    excluded: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rel, why) — links not followed


def _matches(rel: str, patterns: tuple[str, ...]) -> bool:
    """A pattern with a ``/`` matches the whole relative path, one without matches the name."""
    name = rel.rsplit("/", 1)[-1]
    for p in patterns:
        if fnmatch.fnmatchcase(rel if "/" in p else name, p):
            return True
    return False


def _dir_key(path: str) -> tuple[int, int] | None:
    """``(st_dev, st_ino)`` of what ``path`` leads to; None when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def scan(input_dir: str, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
         skip_dirs: Iterable[tuple[int, int]] = ()) -> Scan:
    """Every file under ``input_dir``, following symbolic links once.

    Real directories are walked first; a symbolic link to a directory is
    followed afterwards, and only if it leads to a directory not seen yet — so
    a loop ends and no folder is read twice. ``skip_dirs`` are ``(st_dev,
    st_ino)`` of directories not to enter (the output folder).
    """
    res = Scan()
    seen: set[tuple[int, int]] = set(skip_dirs)
    links: deque[tuple[str, str]] = deque()

    def walk(top: str, rel_top: str) -> None:
        stack = [(top, rel_top)]
        while stack:
            d, rel = stack.pop()
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError as e:
                res.notes.append((rel or ".", f"cannot read folder ({e.strerror or e})"))
                continue
            subdirs = []
            for e in entries:
                r = f"{rel}/{e.name}" if rel else e.name
                try:
                    is_link = e.is_symlink()
                    is_dir = e.is_dir(follow_symlinks=True)
                    is_file = not is_dir and e.is_file(follow_symlinks=True)
                except OSError:
                    is_link, is_dir, is_file = True, False, False
                if is_dir:
                    if exclude and _matches(r, exclude):
                        continue
                    if is_link:
                        links.append((e.path, r))
                        continue
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    k = (st.st_dev, st.st_ino)
                    if k in seen:
                        continue
                    seen.add(k)
                    subdirs.append((e.path, r))
                    continue
                if (include and not _matches(r, include)) or (exclude and _matches(r, exclude)):
                    res.excluded += 1
                    continue
                is_pdf = e.name.lower().endswith(".pdf")
                if is_file and is_pdf:
                    res.pdfs.append((r, e.path))
                elif is_file:
                    res.not_pdf.append(r)
                elif is_pdf:
                    res.broken.append((r, "broken symbolic link" if is_link else "not a regular file"))
                else:
                    res.not_pdf.append(r)
            stack.extend(reversed(subdirs))

    root = _dir_key(input_dir)
    if root is not None:
        seen.add(root)
    walk(input_dir, "")
    while links:
        path, rel = links.popleft()
        k = _dir_key(path)
        if k is None:
            continue
        if k in seen:
            res.notes.append((rel, "symbolic link to a folder already read (loop or duplicate): not followed"))
            continue
        seen.add(k)
        walk(path, rel)
    res.pdfs.sort()
    res.not_pdf.sort()
    return res
