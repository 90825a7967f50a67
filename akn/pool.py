"""``akn build -j N``: N local worker processes, each in its own process group, that the
build can always stop.

Why not ``concurrent.futures.ProcessPoolExecutor``: leaving its ``with`` block waits for
the documents being built (a Ctrl-C went on building for 40 s), its workers share the
terminal's process group (a Ctrl-C reached them too, in the middle of a write, with a
traceback each), and a SIGTERM to the build left them running, reparented to init.

Here:

* each worker puts itself in a process group of its own before doing anything else
  (SIGINT and SIGTERM are blocked from before it is spawned until then, so a Ctrl-C at that
  moment cannot reach it), ignores SIGINT, and turns SIGTERM into ``SystemExit`` so that a
  file being written is removed by ``akn.atomic`` on the way out; on Linux it also gets
  SIGTERM when the build process dies (``PR_SET_PDEATHSIG``), even by SIGKILL;
* the build (the parent) hands out one document at a time, largest first, and sees a
  worker die (its pipe closes): that worker's document fails, a new worker takes its place;
* :meth:`Pool.stop` sends SIGTERM to every worker's group, waits up to ``GRACE`` seconds,
  then SIGKILL, and collects results that were finished but not yet read.
"""
from __future__ import annotations

import os
import signal
import sys
from collections import deque
from dataclasses import dataclass
from multiprocessing import connection

GRACE = 3.0            # seconds a worker has to leave after SIGTERM before SIGKILL
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
DIED = ("the worker process died while building it (out of memory or a crash in a library)")


# --------------------------------------------------------------------------- in a worker

def _own_group() -> None:
    """Leave the build's process group (a terminal's Ctrl-C goes to the build only)."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _leave(signum, frame):
    raise SystemExit(128 + signum)


def _worker(conn, outdir: str) -> None:
    """A worker's life: its own group, warm writers, then one document per message."""
    _own_group()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # discards a Ctrl-C pending from before
    signal.signal(signal.SIGTERM, _leave)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if os.getppid() == 1:   # the build died before we could ask to be told
        return
    from akn import build
    build._warm()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(build.build_one(job, outdir))


# --------------------------------------------------------------------------- in the build

@dataclass
class Worker:
    process: object
    conn: object
    job: object = None


class Pool:
    """``n`` workers building into ``outdir``; :meth:`run` feeds them, :meth:`stop` ends them."""

    def __init__(self, n: int, outdir: str):
        import multiprocessing as mp
        self.ctx = mp.get_context("spawn")   # our children: their CPU and memory are counted
        self.n, self.outdir = n, outdir
        self.workers: list[Worker] = []

    def _start(self) -> Worker:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, self.outdir), daemon=True)
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)   # inherited by the child
        try:
            proc.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child.close()
        w = Worker(proc, parent)
        self.workers.append(w)
        return w

    def run(self, order: list, finished) -> list:
        """Build the jobs in ``order``; ``finished(result)`` as each one ends. The results."""
        from akn.build import Result
        queue, out = deque(order), []
        for _ in range(min(self.n, len(queue))):
            self._start()
        while queue or any(w.job is not None for w in self.workers):
            for w in self.workers:
                if w.job is None and queue:
                    w.job = queue.popleft()
                    self._send(w)
            busy = [w for w in self.workers if w.job is not None]
            for w in self._ready(busy):
                r = self._receive(w) or Result(w.job, False, DIED)
                if r.reason == DIED:
                    self._replace(w, bool(queue))
                w.job = None
                out.append(r)
                finished(r)
        return out

    def _send(self, w: Worker) -> None:
        try:
            w.conn.send(w.job)
        except OSError:
            pass   # it died: its pipe says so at once

    @staticmethod
    def _ready(busy: list[Worker]) -> list[Worker]:
        ready = connection.wait([w.conn for w in busy])
        return [w for w in busy if w.conn in ready]

    @staticmethod
    def _receive(w: Worker):
        try:
            return w.conn.recv()
        except (EOFError, OSError):
            return None

    def _replace(self, w: Worker, needed: bool) -> None:
        w.conn.close()
        w.process.join(GRACE)
        self.workers.remove(w)
        if needed:
            self._start()

    def stop(self, finished=None) -> list:
        """End every worker now (SIGTERM to its group, SIGKILL after ``GRACE`` s); return
        (and pass to ``finished``) the results that were complete but not yet read."""
        import time
        for w in self.workers:
            _signal_group(w.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        for w in self.workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
        for w in self.workers:
            if w.process.is_alive():
                _signal_group(w.process.pid, signal.SIGKILL)
                w.process.join(GRACE)
        late = [r for w in self.workers for r in _drain(w)]
        for w in self.workers:
            w.conn.close()
            _signal_group(w.process.pid, signal.SIGKILL)   # anything the worker started
        self.workers = []
        for r in late:
            if finished:
                finished(r)
        return late

    def close(self) -> None:
        """Tell idle workers to leave, and wait for them (the normal end of a build)."""
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in self.workers:
            w.process.join(GRACE)
        self.stop()


def _drain(w: Worker) -> list:
    """Results a worker sent before it was stopped (its files are complete)."""
    from akn.build import Result
    out = []
    try:
        while w.conn.poll():
            r = w.conn.recv()
            if isinstance(r, Result) and w.job is not None and r.job == w.job:
                out.append(r)
                w.job = None
    except (EOFError, OSError):
        pass
    return out


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
