"""The zygote: a process that has imported pdfclean and the engine once and
forks the local pool's workers on request (:func:`_zygote_main`), and its
coordinator side (:class:`_Zygote`, :class:`_ZygoteChild`).

A fork of a process that already imported PyMuPDF and pdfclean starts in
milliseconds; a fresh interpreter takes about a second (and replacing a
crashed worker would cost that again).
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import time
from collections import deque
from typing import Any

from .common import BatchError
from .processes import _child_env, _death_message, _kill_with_children
from .worker import _fork_worker, _parent_from_env, _preload, _set_pdeathsig


_ZYGOTE_CODE = "from pdfclean.batch.zygote import _zygote_main; _zygote_main()"
_ZMSG = struct.Struct(">cii")  # kind, pid, exit code — zygote → coordinator


def _zygote_main() -> None:
    """The zygote: imports pdfclean and the engine once, then forks workers on request.

    The coordinator sends ``b"F"`` with one socket (SCM_RIGHTS) per worker
    wanted; the zygote forks, the child serves on that socket, the zygote
    answers ``P pid``; when a worker ends, ``X pid exit-code``. argv:
    ``MAX_MEMORY_MB PRELOAD_ENGINE``; the control socket's fd is in
    ``PDFCLEAN_ZYGOTE_FD``. Ends when the coordinator goes away.
    """
    import socket
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _set_pdeathsig(_parent_from_env())
    ctl = socket.socket(fileno=int(os.environ.pop("PDFCLEAN_ZYGOTE_FD")))
    max_mb = int(sys.argv[1])
    preload = sys.argv[2]
    _preload(preload, strict=False)  # a failure shows in the worker, as "fatal"
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(ctl, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    ctl.send(_ZMSG.pack(b"R", os.getpid(), 0))
    children: set[int] = set()
    while True:
        for key, _ in sel.select(1.0):
            if key.fileobj is ctl:
                try:
                    msg, fds, _flags, _addr = socket.recv_fds(ctl, 16, 4)
                except OSError:
                    msg, fds = b"", []
                if not msg:  # the coordinator is done (or gone): let the workers go, reap them
                    _reap_all(children)
                    os._exit(0)
                me = os.getpid()
                for fd in fds:
                    pid = os.fork()
                    if pid == 0:  # the worker
                        try:
                            sel.close()
                            ctl.close()
                            signal.set_wakeup_fd(-1)
                            os.close(wake_r)
                            os.close(wake_w)
                            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                            _fork_worker(Connection(fd), max_mb, preload, me)
                        finally:
                            os._exit(1)
                    os.close(fd)
                    children.add(pid)
                    ctl.send(_ZMSG.pack(b"P", pid, 0))
            else:
                try:
                    while os.read(wake_r, 512):
                        pass
                except OSError:
                    pass
        while True:  # reap, and tell
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            try:
                ctl.send(_ZMSG.pack(b"X", pid, os.waitstatus_to_exitcode(status)))
            except OSError:
                _reap_all(children)
                os._exit(0)


def _reap_all(children: set[int], grace: float = 2.0) -> None:
    """Wait a little for the workers to leave, then kill and reap the rest."""
    end = time.monotonic() + grace
    while children and time.monotonic() < end:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            children.discard(pid)
        else:
            time.sleep(0.01)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass


class _Zygote:
    """Coordinator side of :func:`_zygote_main`: fork workers, learn how they ended.

    A fork of a process that already imported PyMuPDF and pdfclean starts in
    milliseconds; a fresh interpreter takes about a second (and replacing a
    crashed worker would cost that again).
    """

    def __init__(self, max_memory_mb: int, preload: str) -> None:
        import socket

        self.ctl, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = _child_env()
        env["PDFCLEAN_ZYGOTE_FD"] = str(theirs.fileno())
        self.proc = subprocess.Popen([sys.executable, "-c", _ZYGOTE_CODE, str(max_memory_mb), preload],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=env, pass_fds=(theirs.fileno(),))
        theirs.close()
        self.fd = self.ctl.fileno()
        self.ready = False
        self.exits: dict[int, int] = {}
        self._forked: deque[int] = deque()

    def _take(self, timeout: float | None) -> bool:
        """Read one message (waiting up to ``timeout``); False when none came."""
        if timeout is not None:
            import select

            if not select.select([self.ctl], [], [], timeout)[0]:
                return False
        try:
            data = self.ctl.recv(64)
        except OSError:
            data = b""
        if not data:
            raise BatchError("the worker launcher (zygote) died"
                             + (f" (exit code {self.proc.poll()})" if self.proc.poll() is not None else ""))
        kind, pid, rc = _ZMSG.unpack(data)
        if kind == b"X":
            self.exits[pid] = rc
        elif kind == b"P":
            self._forked.append(pid)
        elif kind == b"R":
            self.ready = True
        return True

    def poll(self) -> None:
        """Take every message waiting (the pool calls this when the socket is readable)."""
        while self._take(0):
            pass

    def fork(self, start_timeout: float):
        import socket
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            socket.send_fds(self.ctl, [b"F"], [theirs.fileno()])
        except OSError:
            raise BatchError("the worker launcher (zygote) is gone") from None
        finally:
            theirs.close()
        end = time.monotonic() + start_timeout
        while not self._forked:
            left = end - time.monotonic()
            if left <= 0:
                raise BatchError(f"workers did not start within {start_timeout:g} s")
            self._take(left)
        return self._forked.popleft(), Connection(mine.detach())

    def exit_code(self, pid: int, timeout: float) -> int | None:
        end = time.monotonic() + timeout
        while pid not in self.exits:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                self._take(left)
            except BatchError:
                return None
        return self.exits.pop(pid)

    def close(self) -> None:
        try:
            self.ctl.close()
        except OSError:
            pass
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _ZygoteChild:
    """A worker forked by the :class:`_Zygote` (the local pool's workers)."""

    def __init__(self, zygote: _Zygote, max_memory_mb: int, start_timeout: float) -> None:
        self.zygote = zygote
        self.max_memory_mb = max_memory_mb
        self.pid, self.conn = zygote.fork(start_timeout)
        self.fd = self.conn.fileno()
        self.ready = False
        self.fatal: str | None = None
        self.spawned = time.monotonic()
        self.key: Any = None
        self.started = 0.0
        self.deadline: float | None = None
        self.retiring = False
        self.extra = 0  # OCR slots lent to the task running, beyond its own
        self._rc: int | None = None

    def send(self, obj) -> bool:
        try:
            self.conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except (OSError, ValueError):
            return False

    def read(self) -> tuple[list, bool]:
        msgs = []
        try:
            while self.conn.poll(0):
                msgs.append(pickle.loads(self.conn.recv_bytes()))
        except (EOFError, OSError):
            return msgs, True
        return msgs, False

    def alive(self) -> bool:
        if self._rc is None and self.pid in self.zygote.exits:
            self._rc = self.zygote.exits.pop(self.pid)
        return self._rc is None

    def _close_conn(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass

    def kill(self) -> None:
        if self.alive():
            _kill_with_children(self.pid)
        self._close_conn()

    def close(self) -> None:
        self._close_conn()  # the worker reads the end of its input and leaves

    def death(self) -> str:
        if self._rc is None:
            self._rc = self.zygote.exit_code(self.pid, 5)
        if self._rc is None:
            self.kill()
            self._rc = self.zygote.exit_code(self.pid, 5)
        return _death_message(self._rc, self.max_memory_mb)
