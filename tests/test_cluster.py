"""akn build --cluster: a real Dask scheduler and two worker processes on 127.0.0.1 build a
six-language sample (resolutions 78/124 and 78/329 in every language, and the seed's text,
which is parsed first): the bytes are those of a local -j2 build, the manifest skips what
is up to date, failures are reported per file, and a worker killed mid-run (SIGKILL, no
nanny to restart it) costs nothing: its document is built again by the other worker.

Needs ../shared (the UN corpus) and the optional engine (akn[cluster]: `make test`
installs it); skipped with a message saying which is missing.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, LANGS, SEED_TXT, run_akn


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}

SAMPLE = ("A_RES_78_124-2325865", "A_RES_78_329-2416431")
LETTER = {"ar": "A", "en": "E", "es": "S", "fr": "F", "ru": "R", "zh": "C"}


def _engine():
    return pytest.importorskip("distributed", reason="the Dask engine (akn[cluster]) is not "
                               "installed; `make test` installs it")


@pytest.fixture(scope="module")
def sample(shared, tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("cluster-in")
    for lang in LANGS:
        (src / lang).mkdir()
        for name in SAMPLE:
            shutil.copy(CORPUS / lang / f"{name}{LETTER[lang]}.xml", src / lang)
    shutil.copy(SEED_TXT, src / SEED_TXT.name)
    return src


def _inputs(src: Path) -> list[str]:
    return [str(src)] + [str(src / lang) for lang in LANGS]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers (one thread each, no nanny), as separate processes
    started from another folder than the project's; stopped at the end."""
    _engine()
    from distributed import Client
    home = tmp_path_factory.mktemp("cluster")
    sched_file = home / "scheduler.json"
    py = [sys.executable, "-m"]
    procs: dict[str, subprocess.Popen] = {}
    logs = []

    def start(name, argv):
        log = open(home / f"{name}.log", "wb")
        logs.append(log)
        procs[name] = subprocess.Popen(py + argv, cwd=home, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
    try:
        start("scheduler", ["distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                            "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)])
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sched_file.exists(), (home / "scheduler.log").read_text(errors="replace")
        for name in ("w1", "w2"):
            start(name, ["distributed.cli.dask_worker", "--scheduler-file", str(sched_file),
                         "--nthreads", "1", "--no-nanny", "--no-dashboard",
                         "--host", "127.0.0.1", "--name", name])
        client = Client(scheduler_file=str(sched_file), set_as_default=False, timeout=60)
        client.wait_for_workers(2, timeout=120)
        yield {"file": str(sched_file), "client": client, "procs": procs, "home": home}
        client.close()
    finally:
        for p in procs.values():   # only the processes started here, by their own ids
            if p.poll() is None:
                p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()


def _by_name(client) -> dict[str, str]:
    """Worker name -> address."""
    return {w["name"]: addr for addr, w in client.scheduler_info()["workers"].items()}


def _built(client) -> dict[str, int]:
    from akn import cluster as engine
    # names asked of the workers themselves: the client's cached scheduler_info() can lag a
    # worker that reconnected under load (a KeyError seen once on a busy host)
    names = client.run(lambda dask_worker: dask_worker.name)  # a lambda travels by value
    return {names[a]: n for a, n in client.run(engine.built_here).items()}


@pytest.fixture(scope="module")
def local_j2(sample, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    proc = run_akn("build", *_inputs(sample), "-o", out, "-j", "2")
    assert "13 built, 0 up to date, 0 failed" in proc.stderr, proc.stderr
    return out


@pytest.fixture(scope="module")
def on_cluster(sample, cluster, local_j2, tmp_path_factory):
    before = _built(cluster["client"])
    out = tmp_path_factory.mktemp("remote") / "out"
    proc = run_akn("build", *_inputs(sample), "-o", out, "--cluster", cluster["file"])
    after = _built(cluster["client"])
    return out, proc, {w: after[w] - before.get(w, 0) for w in after}


def test_a_cluster_build_gives_the_local_bytes(on_cluster, local_j2):
    out, proc, built = on_cluster
    assert "13 documents to 2 Dask workers" in proc.stderr, proc.stderr
    assert "13 built, 0 up to date, 0 failed" in proc.stderr, proc.stderr
    # every document went to the workers, and both of them worked
    assert sum(built.values()) == 13 and all(built.values()), built
    local, remote = digests(local_j2), digests(out)
    assert sum(k.endswith((".xml", ".html", ".pdf")) for k in remote if k != "index.html") == 39
    # the outputs, the index, the manifest and the warnings' log: byte for byte
    assert remote == local, {k for k in local.keys() | remote.keys() if local.get(k) != remote.get(k)}
    manifest = json.loads((out / "build-manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["docs"]) == 13


def test_up_to_date_files_are_skipped(on_cluster, sample, cluster):
    out, _, _ = on_cluster
    before = digests(out)
    proc = run_akn("build", *_inputs(sample), "-o", out, "--cluster", cluster["file"])
    assert "0 built, 13 up to date, 0 failed" in proc.stderr, proc.stderr
    assert "Dask" not in proc.stderr   # nothing to do: the cluster is not even asked
    assert digests(out) == before


def test_failures_are_reported_per_file(cluster, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "not-a-resolution.txt").write_text("hello\n", encoding="utf-8")
    shutil.copy(SEED_TXT, src / SEED_TXT.name)
    before = _built(cluster["client"])
    proc = run_akn("build", "in", "-o", "out", "--cluster", cluster["file"], check=False,
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "2 documents to 2 Dask workers" in proc.stderr, proc.stderr
    assert "1 built, 0 up to date, 1 failed" in proc.stderr, proc.stderr
    failures = proc.stderr.split("akn build: failures:", 1)[1].strip().splitlines()
    # named as given (a relative path), at the position the reader gives, as locally
    assert len(failures) == 1 and failures[0].startswith("in/not-a-resolution.txt:"), failures
    local = run_akn("build", "in", "-o", "local", "-j", "1", check=False, cwd=tmp_path)
    assert local.stderr.split("akn build: failures:", 1)[1].strip().splitlines() == failures
    assert (tmp_path / "out" / (SEED_TXT.stem + ".pdf")).is_file()
    assert not list((tmp_path / "out").glob("not-a-resolution.*"))
    after = _built(cluster["client"])
    assert sum(after.values()) - sum(before.values()) == 2


def test_unreachable_scheduler_is_a_usage_error(tmp_path):
    _engine()
    env = dict(os.environ, AKN_CLUSTER_TIMEOUT="2")
    proc = run_akn("build", SEED_TXT, "-o", tmp_path / "out", "--cluster", "tcp://127.0.0.1:9",
                   check=False, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_without_the_engine_the_message_says_what_to_install(tmp_path):
    code = ("import sys; sys.modules['distributed'] = None; from akn.cli import main; "
            f"sys.exit(main(['build', {str(SEED_TXT)!r}, '-o', {str(tmp_path / 'out')!r}, "
            "'--cluster', 'tcp://127.0.0.1:9']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'akn[cluster]'" in proc.stderr


def test_a_worker_killed_mid_run_costs_nothing(sample, cluster, local_j2, tmp_path):
    """Last in this file: it leaves the cluster with one worker."""
    client, procs = cluster["client"], cluster["procs"]
    from akn import cluster as engine
    out = tmp_path / "out"
    before = _built(client)
    build = subprocess.Popen([sys.executable, "-m", "akn", "build", *_inputs(sample), "-o",
                              str(out), "--cluster", cluster["file"]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    victim = _by_name(client)["w2"]
    killed_busy = False
    deadline = time.monotonic() + 300
    while build.poll() is None and time.monotonic() < deadline:
        if client.run(engine.busy, workers=[victim]).get(victim):
            procs["w2"].send_signal(signal.SIGKILL)   # in the middle of a document
            killed_busy = True
            break
        time.sleep(0.05)
    _, err = build.communicate(timeout=600)
    assert killed_busy, f"the build ended before w2 started a document:\n{err}"
    assert procs["w2"].wait(timeout=30) == -signal.SIGKILL
    assert build.returncode == 0, err
    assert "13 built, 0 up to date, 0 failed" in err, err
    after = _built(client)
    assert list(after) == ["w1"]           # w2 is gone for good
    assert after["w1"] - before["w1"] >= 1
    assert digests(out) == digests(local_j2)
