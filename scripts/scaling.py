#!/usr/bin/env python3
"""Local pool against a Dask cluster on this machine: the figures of docs/scaling.md.

usage: .venv/bin/python scripts/scaling.py [--per-lang K] [--workers N] [--rounds R] [--json FILE]

Builds a sample of UN session-78 files (K per language, at evenly spaced ranks of size, as
`make bench` picks them) from empty folders, R times each way in turns: with
`akn build -j N` (a local pool), and with `akn build --cluster` on a scheduler and N
single-thread worker processes started here on 127.0.0.1. Prints, for each: wall time, documents per minute, the CPU
seconds each document cost (the worker's own measure, warm-up excluded), the peak memory
of a worker process, and the bytes written per document; checks that the two output
folders are identical. Needs ../shared and akn[cluster]. A round's local build starts its
pool afresh (imports, schema, fonts in each process); the cluster's workers stay up, warm
after the first round, as a cluster does.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def digests(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def outputs_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and p.suffix in (".xml", ".html", ".pdf") and p.name != "index.html")


def summary(results, seconds: float, out: Path, peak_mib: float, files: list[Path]) -> dict:
    built = [r for r in results if r.ok]
    cpu = [r.cpu for r in built]
    return {"seconds": round(seconds, 1), "docs": len(results), "failed": len(results) - len(built),
            "docs_per_min": round(len(results) / seconds * 60, 1),
            "cpu_s_total": round(sum(cpu), 1), "cpu_s_mean": round(statistics.mean(cpu), 3),
            "cpu_s_median": round(statistics.median(cpu), 3), "cpu_s_max": round(max(cpu), 2),
            "peak_worker_mib": round(peak_mib, 1),
            "input_bytes": sum(f.stat().st_size for f in files),
            "output_bytes": outputs_bytes(out),
            "load": [round(x, 2) for x in os.getloadavg()]}


class Quiet:
    def write(self, s):
        pass

    def flush(self):
        pass

    def isatty(self):
        return False


def start_cluster(home: Path, n: int):
    py = [sys.executable, "-m"]
    sched = home / "scheduler.json"
    procs = [subprocess.Popen(py + ["distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                    "--port", "0", "--no-dashboard", "--scheduler-file", str(sched)],
                              cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    while not sched.exists():
        time.sleep(0.1)
    for i in range(n):
        procs.append(subprocess.Popen(py + ["distributed.cli.dask_worker", "--scheduler-file",
                                            str(sched), "--nthreads", "1", "--no-dashboard",
                                            "--host", "127.0.0.1", "--name", f"w{i + 1}"],
                                      cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client
    client = Client(scheduler_file=str(sched), set_as_default=False, timeout=60)
    client.wait_for_workers(n, timeout=120)
    return str(sched), client, procs


def worker_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-lang", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="local and cluster builds, in turns")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    from bench import CORPUS, sample_files
    from akn import build
    if not CORPUS.is_dir():
        print(f"scaling: {CORPUS} is absent (../shared not beside the project)", file=sys.stderr)
        return 1
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    files = sample_files(args.per_lang)
    out = {"sample": len(files), "workers": args.workers, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sched, client, procs = start_cluster(tmp, args.workers)
        out["rounds"] = []
        try:
            for i in range(args.rounds):   # in turns, so that both see the same host
                local, remote = tmp / f"local{i}", tmp / f"cluster{i}"
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                t = time.perf_counter()
                _, results = build.run([str(f) for f in files], str(local), args.workers,
                                       stream=Quiet())
                spent = time.perf_counter() - t
                peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
                row = {"local": summary(results, spent, local, peak, files)}
                print(f"scaling: local -j{args.workers}: {row['local']}", file=sys.stderr)
                t = time.perf_counter()
                _, results = build.run([str(f) for f in files], str(remote), args.workers,
                                       stream=Quiet(), cluster=sched)
                spent = time.perf_counter() - t
                peak = max(client.run(worker_peak_mib).values())
                row["cluster"] = summary(results, spent, remote, peak, files)
                print(f"scaling: cluster, {args.workers} workers: {row['cluster']}", file=sys.stderr)
                row["identical"] = digests(local) == digests(remote)
                row["cluster_over_local_wall"] = round(row["cluster"]["seconds"] / row["local"]["seconds"], 3)
                out["rounds"].append(row)
        finally:
            client.close()
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                p.wait(timeout=30)
    out["identical"] = all(r["identical"] for r in out["rounds"])
    out["cluster_over_local_wall_median"] = statistics.median(
        r["cluster_over_local_wall"] for r in out["rounds"])
    text = json.dumps(out, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0 if out.get("identical") else 1


if __name__ == "__main__":
    sys.exit(main())
