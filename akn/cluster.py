"""``akn build --cluster ADDRESS``: the batch's per-document jobs on a Dask distributed cluster.

`akn build` plans the jobs, skips what its manifest says is up to date, and writes the
manifest, the warnings and the index, as always (:func:`akn.build.run`); only the jobs go
elsewhere: each one is :func:`akn.build.build_one` run by a Dask worker instead of a local
process. So a cluster build gives the bytes a local build gives, file for file.

Why Dask (``distributed``) rather than Ray: the work is a flat list of independent,
uneven Python tasks with small arguments and results (paths in, a ``Result`` out; the
documents themselves go through the shared folder). Dask does exactly that with pure-Python
wheels, a scheduler and workers started by two commands, per-task retries, the
rescheduling of a lost worker's tasks, and priorities; Ray brings a ~70 MB native runtime
(an object store, a control service) built for shuffling large objects and actors that
this batch has no use for. See docs/scaling.md.

What a cluster needs (checked before any job is sent, with a message saying what is wrong):

* workers that run the same akn and writer libraries as this client (the fingerprint of
  :func:`akn.build.fingerprint`: the same code gives the same bytes);
* the inputs and DIR on storage every worker sees at the same paths (a shared folder): the
  documents are read and written there, never shipped through the scheduler. Relative
  paths are made absolute here; messages name the files as they were given.

Lost workers: a worker that dies while building (out of memory, a crash, a machine gone)
has its documents built again elsewhere, up to ``distributed.scheduler.allowed-failures``
times (3 by default); a document that has killed that many workers is reported as failed
(the build carries on). A worker process builds one document at a time (start workers
with ``--nthreads 1``; more threads in one process only wait for each other here).
"""
from __future__ import annotations

import logging
import os
import threading

from akn import build

#: how long to wait for the scheduler to answer and for a first worker to join
CONNECT_TIMEOUT = float(os.environ.get("AKN_CLUSTER_TIMEOUT", "30"))


class ClusterError(Exception):
    """The cluster cannot run this build (engine missing, unreachable, workers unfit)."""


# --------------------------------------------------------------------------- on a worker

_one_at_a_time = threading.Lock()   # WeasyPrint and the writers' caches are per process
_warmed = False
_built = 0
_code: str | None = None


def busy() -> bool:
    """Is this worker building a document right now?"""
    return _one_at_a_time.locked()


def built_here() -> int:
    """How many documents this worker process has built (ok or failed)."""
    return _built


def worker_code() -> str:
    """This worker's fingerprint of akn's code, data and writer libraries (computed once)."""
    global _code
    if _code is None:
        _code = build.fingerprint()
    return _code


def sees(outdir: str, sample: str) -> str:
    """'' when this worker can write in ``outdir`` and read ``sample`` (an input); else
    what it cannot do."""
    if not os.path.isdir(outdir):
        return f"no folder {outdir}"
    if not os.access(outdir, os.W_OK | os.X_OK):
        return f"cannot write in {outdir}"
    if sample and not os.access(sample, os.R_OK):
        return f"cannot read {sample}"
    return ""


def build_task(job: build.Job, outdir: str, code: str) -> build.Result:
    """One document on a worker: :func:`akn.build.build_one`, after the worker's one-off
    warm-up (imports, schema, fonts: kept out of the document's own time, as the local
    pool's initializer does). Refuses to build with other code than the client's."""
    global _warmed, _built
    with _one_at_a_time:
        if worker_code() != code:
            return build.Result(job, False, "this worker runs other akn code or writer "
                                f"libraries than the client (fingerprint {worker_code()[:12]}, "
                                f"the client's {code[:12]}); install the same akn on every "
                                "worker")
        if not _warmed:
            build._warm()
            _warmed = True
        _built += 1
        return build.build_one(job, outdir)


# --------------------------------------------------------------------------- on the client

def _connect(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--cluster needs the Dask engine, an optional extra: "
                           "pip install 'akn[cluster]'") from None
    logging.getLogger("distributed").setLevel(logging.ERROR)
    where = {"scheduler_file": address} if address.endswith(".json") else {"address": address}
    try:
        client = Client(**where, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e} "
                           "(start one with 'dask scheduler', and workers with "
                           "'dask worker ADDRESS --nthreads 1')") from None
    return client


def _check_workers(client, address: str, code: str, outdir: str, sample: str) -> int:
    """The number of workers, after checking that each runs our code and sees our files."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"no worker joined the scheduler at {address} within "
                           f"{CONNECT_TIMEOUT:.0f} s ({e})") from None
    codes = client.run(worker_code)
    other = sorted(w for w, c in codes.items() if c != code)
    if other:
        raise ClusterError(f"{len(other)} of {len(codes)} workers run other akn code or writer "
                           f"libraries than this client ({', '.join(other)}): the same code gives "
                           "the same bytes, so install the same akn (and its constraints) on "
                           "every worker")
    blind = {w: why for w, why in client.run(sees, outdir, sample).items() if why}
    if blind:
        listed = "; ".join(f"{w}: {why}" for w, why in sorted(blind.items()))
        raise ClusterError(f"workers that cannot use the build's files ({listed}): the inputs "
                           "and the output folder must be on storage every worker sees, at the "
                           "same paths (a shared folder)")
    return len(codes)


def _as_given(r: build.Result, job: build.Job, sent: build.Job) -> build.Result:
    """The worker's result, told about the job as the user gave it (relative paths)."""
    r.job = job
    if sent.src != job.src:
        r.reason = r.reason.replace(sent.src, job.src)
        r.warnings = [w.replace(sent.src, job.src) for w in r.warnings]
    return r


def run_jobs(order: list[build.Job], outdir: str, address: str, finished, *,
             code: str | None = None, say=None) -> list[build.Result]:
    """Build ``order`` (largest first) on the cluster at ``address`` (``tcp://host:port``,
    or a scheduler file ``….json``); ``finished(result)`` is called as each document is
    done, in the order they finish. Results carry the jobs as given."""
    if not order:
        return []
    code = code or build.fingerprint()
    out = os.path.abspath(outdir)
    sent = {j: build.Job(os.path.abspath(j.src), j.stem, j.size) for j in order}
    client = _connect(address)
    from distributed import as_completed
    from distributed.scheduler import KilledWorker
    results: list[build.Result] = []
    futures: dict = {}
    try:
        n = _check_workers(client, address, code, out, sent[order[0]].src)
        if say:
            say(f"akn build: {len(order)} document{'s' if len(order) != 1 else ''} to {n} Dask "
                f"worker{'s' if n != 1 else ''} "
                f"at {client.scheduler.address}")
        for j in order:   # largest first: a higher priority is scheduled earlier
            fut = client.submit(build_task, sent[j], out, code, priority=j.size, pure=False,
                                key=f"akn-build-{j.stem}-{os.urandom(4).hex()}")
            futures[fut] = j
        for fut in as_completed(list(futures), loop=client.loop):
            job = futures[fut]
            try:
                r = _as_given(fut.result(), job, sent[job])
            except Exception as e:  # noqa: BLE001 — one document's end, not the batch's
                if isinstance(e, KilledWorker):
                    why = ("the worker building it died each time it was tried (out of memory, "
                           "or a crash in a library)")
                else:
                    why = f"internal error on the worker: {type(e).__name__}: {e}"
                r = build.Result(job, False, why)
            results.append(r)
            finished(r)
    except BaseException:
        if futures:   # Ctrl-C or our own failure: nothing more runs for this build
            client.cancel(list(futures), force=True)
        raise
    finally:
        client.close()
    return results
