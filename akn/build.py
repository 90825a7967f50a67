"""Batch builds: many inputs -> DIR/<name>.{xml,html,pdf} with N worker processes, plus
DIR/index.html, a catalogue of everything built.

Inputs are plain-text resolutions (``.txt``, parsed first) or Akoma Ntoso files (``.xml``,
ours or the UN's; copied into DIR so that the page's links to its XML and PDF work).
Folders given as inputs stand for their ``*.txt`` and ``*.xml`` files.

* Output names keep the inputs' paths relative to their common folder (``78/en/x.xml`` and
  ``78/fr/y.xml`` -> ``DIR/en/x.*``, ``DIR/fr/y.*``) and are checked to stay inside DIR.
* Each worker process imports the writers once and keeps WeasyPrint's fonts warm
  (:func:`_warm`); the largest inputs go first so the last minutes are not one big file.
* One bad file does not stop the batch: failures are listed at the end with their reason
  and the exit status is 1 if any failed.
* Every file is written atomically (``akn.atomic``); the HTML and the PDF are made from the
  XML's bytes exactly as ``akn html`` and ``akn pdf`` make them from the file, so a batch
  build and ``make`` give the same bytes, and two builds of the same inputs are identical.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote

SUFFIXES = (".txt", ".xml")


@dataclass(frozen=True)
class Job:
    src: str          # the input file as given
    stem: str         # output path without suffix, relative to DIR, '/'-separated
    size: int = 0


@dataclass
class Result:
    job: Job
    ok: bool
    reason: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    entry: dict | None = None   # for the index: symbol, title, lang, dir, adopted
    cpu: float = 0.0            # CPU seconds of the worker for this file (waiting excluded)


# --------------------------------------------------------------------------- planning

def expand(inputs: list[str], skipped: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Files to build and the problems with the arguments (missing, empty folder). Files of
    another kind (a readme.md among the sources) are not problems: they go to ``skipped``."""
    files, problems = [], []
    for arg in inputs:
        p = Path(arg)
        if p.is_dir():
            found = sorted(str(x) for x in p.iterdir() if x.is_file() and x.suffix.lower() in SUFFIXES)
            if not found:
                problems.append(f"{arg}: no .txt or .xml files in this folder")
            files.extend(found)
        elif p.is_file():
            if p.suffix.lower() in SUFFIXES:
                files.append(arg)
            else:
                (skipped if skipped is not None else problems).append(
                    f"{arg}: not a .txt source or an .xml AKN file; skipped")
        else:
            problems.append(f"{arg}: no such file or folder")
    return files, problems


def plan(files: list[str], outdir: str | os.PathLike) -> tuple[list[Job], list[Result]]:
    """One job per input, named relative to the inputs' common folder; inputs whose names
    would leave DIR or clash with another input's are refused (as failed results)."""
    out = Path(outdir).resolve()
    absolute = [os.path.abspath(f) for f in files]
    common = os.path.commonpath([os.path.dirname(a) for a in absolute]) if absolute else ""
    jobs, refused, taken = [], [], {}
    for given, a in zip(files, absolute):
        rel = Path(os.path.relpath(os.path.splitext(a)[0], common))
        stem = rel.as_posix()
        target = (out / rel).resolve()
        bad = ".." in rel.parts or rel.is_absolute() or not target.is_relative_to(out) \
            or any(ord(ch) < 32 for ch in stem)
        job = Job(given, stem, _size(a))
        if bad:
            refused.append(Result(job, False, f"output name {stem!r} would leave {outdir}; refused"))
        elif stem in taken:
            refused.append(Result(job, False, f"same output name as {taken[stem]} "
                                              f"({stem}.xml/.html/.pdf); rename one of them"))
        else:
            taken[stem] = given
            jobs.append(job)
    return jobs, refused


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# --------------------------------------------------------------------------- one document

def _warm() -> None:
    """Per worker: import the writers and build the schema and WeasyPrint's fonts once."""
    from akn import schema
    from akn.render import html, pdf  # noqa: F401
    schema.lxml_schema()
    pdf.font_css()


def build_one(job: Job, outdir: str) -> Result:
    """Parse (a .txt) or read (an .xml), then write DIR/stem.xml, .html and .pdf."""
    t0, c0 = time.perf_counter(), time.process_time()
    warnings: list[str] = []
    try:
        entry = _build(job, Path(outdir), warnings)
    except Exception as e:  # noqa: BLE001 — one bad file must not stop the batch
        from akn.diagnostics import AknError
        reason = str(e) if isinstance(e, AknError) else f"internal error: {type(e).__name__}: {e}"
        return Result(job, False, reason, time.perf_counter() - t0, warnings,
                      cpu=time.process_time() - c0)
    return Result(job, True, "", time.perf_counter() - t0, warnings, entry,
                  cpu=time.process_time() - c0)


def _build(job: Job, outdir: Path, warnings: list[str]) -> dict:
    from akn import atomic, schema, xmlsafe
    from akn.diagnostics import AknError
    from akn.render import html, pdf
    src = job.src
    try:
        data = Path(src).read_bytes()
    except OSError as e:
        raise AknError(f"cannot read: {e.strerror}", src, 0, 0, "io")
    if src.lower().endswith(".txt"):
        from akn.read import parse_text
        doc = parse_text(data, src)
        warnings.extend(str(d) for d in doc.diagnostics.warnings)
        if not schema.is_valid(doc.tree):
            raise AknError("internal error: the XML built from this text is not schema-valid; "
                           "no output written — please report this", src, 1, 1, "invalid")
        xml_bytes = doc.to_bytes()
    else:   # read as `akn html` and `akn pdf` read it: the same checks, the same messages
        from akn.load import load_akn
        xml_bytes = data
        warnings.extend(load_akn(src, data=xml_bytes).warnings)
    base = outdir / job.stem
    name = base.name + ".xml"
    # Fresh trees from the XML's bytes for each writer, exactly as `akn html` / `akn pdf`
    # read the file: so a batch build gives make's bytes.
    page = html.render(xmlsafe.parse_bytes(xml_bytes, src), source_name=name)
    ctx = html.context(xmlsafe.parse_bytes(xml_bytes, src), source_name=name)
    out = pdf.render_full(xmlsafe.parse_bytes(xml_bytes, src), xml_bytes=xml_bytes, source_name=name)
    warnings.extend(f"{src}: warning: PDF tagging: {p}" for p in out.problems)
    xml_out = base.with_name(name)
    if not (xml_out.exists() and os.path.samefile(src, xml_out)):
        atomic.write_bytes(xml_out, xml_bytes)
    atomic.write_text(base.with_name(base.name + ".html"), page)
    atomic.write_bytes(base.with_name(base.name + ".pdf"), out.pdf)
    return {"stem": job.stem, "symbol": ctx["symbol"], "title": ctx["title"],
            "lang": ctx["lang"], "dir": ctx["dir"], "adopted": ctx["frbr"].get("adopted", ""),
            "pages": out.pages}


def _pool_build(job: Job, outdir: str) -> Result:
    return build_one(job, outdir)


# --------------------------------------------------------------------------- the batch

class Progress:
    """A bar on a terminal; one plain line per document otherwise (logs, CI, pipes). Both
    start at once (before the first file, the largest, is done) and give the time spent and
    an estimate of the time left, from the input bytes built so far (time goes with size,
    and the largest files go first, so a count of files would promise too early)."""

    def __init__(self, total: int, stream=None, *, jobs: int = 1, sizes: int = 0,
                 quiet: bool = False, where: str = ""):
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.monotonic()
        self.sizes, self.size_done = sizes, 0
        self.quiet = quiet
        self.name = "starting"
        self._estimate: tuple[float, float] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if total and not quiet:
            if self.tty:   # the clock moves while the first (largest) files are being built
                self._bar(self.name)
                threading.Thread(target=self._tick, daemon=True).start()
            else:
                self.stream.write(f"akn build: {total} {_files(total)} to build " + (where or
                                  f"with {min(jobs, total)} worker{'s' if min(jobs, total) != 1 else ''}")
                                  + "\n")
            self.stream.flush()

    def eta(self) -> float | None:
        """Seconds left: estimated when a file ends, counted down between two ends."""
        if self._estimate is None:
            return None
        at, left = self._estimate
        return max(0.0, left - (time.monotonic() - at))

    def _estimate_now(self) -> None:
        now = time.monotonic()
        spent = now - self.t0
        if self.sizes and self.size_done:
            left = spent * (self.sizes - self.size_done) / self.size_done
        else:
            left = spent / self.done * (self.total - self.done)
        self._estimate = (now, left)

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if self.done < self.total:
                    self._bar(self.name)
                    self.stream.flush()

    def close(self) -> None:
        self._stop.set()

    def _bar(self, name: str) -> None:
        width = 30
        fill = int(width * self.done / max(self.total, 1))
        eta = self.eta()
        self.stream.write(f"\r\x1b[K[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total}"
                          f"  {self.failed} failed  {_clock(time.monotonic() - self.t0)} spent"
                          f"  ETA {_clock(eta) if eta is not None else '?'}  {name}")

    def update(self, r: Result) -> None:
        self.done += 1
        self.failed += not r.ok
        self.size_done += r.job.size
        self._estimate_now()
        if self.quiet:
            return
        if self.tty:
            with self._lock:
                self.name = r.job.stem[-40:]
                self._bar(self.name)
                if self.done == self.total:
                    self.stream.write("\n")
                    self._stop.set()
        else:
            state = "ok" if r.ok else "FAILED"
            left = "" if self.done == self.total else f", ETA {_clock(self.eta() or 0)}"
            self.stream.write(f"akn build: [{self.done}/{self.total}] {state} {r.job.src} "
                              f"({r.seconds:.2f} s, CPU {r.cpu:.2f} s; "
                              f"{_clock(time.monotonic() - self.t0)} spent{left})\n")
        self.stream.flush()


def _files(n: int) -> str:
    return "file" if n == 1 else "files"


def _clock(s: float) -> str:
    s = int(s)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


MANIFEST = "build-manifest.json"


def fingerprint() -> str:
    """Everything besides the input that decides the output bytes: akn's code, data and
    templates, and the versions of the libraries that write the files."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version
    from akn import __version__
    h = hashlib.sha256(f"akn {__version__}\n".encode())
    pkg = Path(__file__).resolve().parent
    templates = pkg / "templates"   # inside the package (a link to templates/ in a checkout)
    files = sorted(f for f in pkg.rglob("*") if f.is_file() and f.suffix in (".py", ".toml", ".txt"))
    files += sorted(f for f in templates.glob("*") if f.is_file())
    for f in files:
        h.update(f"{f.relative_to(pkg.parent).as_posix()}\0".encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    for dist in ("lxml", "jinja2", "weasyprint", "pikepdf", "cobalt", "fontpkg-amiri"):
        try:
            h.update(f"{dist}={version(dist)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=none\n".encode())
    return h.hexdigest()


def _sha256(path: str) -> str:
    import hashlib
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _load_manifest(outdir: str, code: str) -> dict:
    import json
    try:
        data = json.loads((Path(outdir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("docs", {}) if data.get("code") == code else {}


def _up_to_date(job: Job, outdir: str, known: dict, digest: str) -> Result | None:
    """A result for a file whose three outputs exist and were built from these same input
    bytes by this same code (the manifest says so); None if it must be built."""
    rec = known.get(job.stem)
    if not rec or not digest or rec.get("input_sha256") != digest:
        return None
    base = Path(outdir) / job.stem
    if not all(base.with_name(base.name + ext).is_file() for ext in (".xml", ".html", ".pdf")):
        return None
    return Result(job, True, "up to date", 0.0, list(rec.get("warnings", [])), rec.get("entry"))


def run(inputs: list[str], outdir: str, jobs: int = 1, *, index: bool = True,
        stream=None, force: bool = False, stats: str | None = None,
        quiet: bool = False, cluster: str | None = None) -> tuple[int, list[Result]]:
    """Build everything that is not already up to date (``force``: everything); return
    (exit status, results in input order). ``quiet``: print only the failures.
    ``cluster``: a Dask scheduler's address, whose workers build the documents instead of
    ``jobs`` local processes (akn.cluster)."""
    stream = stream or sys.stderr
    say = (lambda *a, **k: None) if quiet else print
    skipped: list[str] = []
    files, problems = expand(inputs, skipped)
    todo, results = plan(files, outdir)
    for p in problems:
        print(f"akn build: {p}", file=stream)
    for s in skipped:
        say(f"akn build: note: {s}", file=stream)
    from akn import atomic
    atomic.ensure_folder(outdir)
    code = fingerprint()
    known = {} if force else _load_manifest(outdir, code)
    digests = {j.stem: _sha256(j.src) for j in todo}
    fresh = [r for r in (_up_to_date(j, outdir, known, digests[j.stem]) for j in todo) if r]
    if fresh:
        done = {r.job.stem for r in fresh}
        todo = [j for j in todo if j.stem not in done]
        results.extend(fresh)
        say(f"akn build: {len(fresh)} up to date (same input bytes, same code): skipped; "
            "--force rebuilds them", file=stream)
    load_start = os.getloadavg()
    progress = Progress(len(todo), stream, jobs=jobs, sizes=sum(j.size for j in todo), quiet=quiet,
                        where=f"on the Dask cluster at {cluster}" if cluster else "")
    order = sorted(todo, key=lambda j: -j.size)   # largest first: a short tail
    try:
        if cluster:   # the same jobs on a Dask cluster's workers
            from akn import cluster as engine
            results.extend(engine.run_jobs(order, outdir, cluster, progress.update, code=code,
                                           say=lambda m: say(m, file=stream)))
        elif jobs <= 1 or len(order) <= 1:
            _warm()
            for job in order:
                r = build_one(job, outdir)
                results.append(r)
                progress.update(r)
        else:
            results.extend(_run_pool(order, outdir, jobs, progress))
    finally:
        progress.close()
    rank = {f: i for i, f in enumerate(files)}
    results.sort(key=lambda r: rank.get(r.job.src, -1))
    warned = [w for r in results for w in r.warnings]
    if warned:   # the parser's and validator's warnings: a log beside the outputs
        atomic.write_text(Path(outdir) / "build-warnings.txt", "\n".join(warned) + "\n")
        n = sum(bool(r.warnings) for r in results)
        say(f"akn build: {len(warned)} warning{'s' if len(warned) != 1 else ''} for {n} "
            f"{_files(n)}, written to {Path(outdir) / 'build-warnings.txt'}", file=stream)
    else:
        (Path(outdir) / "build-warnings.txt").unlink(missing_ok=True)
    import json
    manifest = {"code": code, "docs": {
        r.job.stem: {"input_sha256": digests.get(r.job.stem, ""), "entry": r.entry,
                     "warnings": r.warnings}
        for r in sorted(results, key=lambda r: r.job.stem) if r.ok}}
    atomic.write_text(Path(outdir) / MANIFEST,
                      json.dumps(manifest, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    if index:
        entries = [dict(r.entry) for r in results if r.ok and r.entry]
        if entries:
            atomic.write_text(Path(outdir) / "index.html", index_page(entries))
    failed = [r for r in results if not r.ok]
    built = len(results) - len(failed) - len(fresh)
    if stats:
        _write_stats(stats, jobs, built, len(fresh), len(failed) + len(problems),
                     time.monotonic() - progress.t0, load_start)
    say(f"akn build: {built} built, {len(fresh)} up to date, {len(failed) + len(problems)} failed"
        + (f", {len(skipped)} skipped" if skipped else "") + f", into {outdir}"
        f" ({_clock(time.monotonic() - progress.t0)})", file=stream)
    if failed or problems:
        print("akn build: failures:", file=stream)
        for p in problems:
            print(f"  {p}", file=stream)
        for r in failed:   # an AknError names the file already (FILE:LINE:COL: error: …)
            named = r.reason.startswith(f"{r.job.src}:")
            print(f"  {r.reason}" if named else f"  {r.job.src}: {r.reason}", file=stream)
    return (1 if failed or problems else 0), results


def _write_stats(path: str, jobs: int, built: int, fresh: int, failed: int, seconds: float,
                 load_start: tuple) -> None:
    """How long this run took, as JSON in ``path`` (`make corpus` writes
    build/corpus-stats.json, which `make bench` quotes instead of an extrapolation)."""
    import json
    import resource
    from akn import atomic
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    stats = {"jobs": jobs, "cpus": os.cpu_count(), "built": built, "up_to_date": fresh,
             "failed": failed, "seconds": round(seconds, 1),
             "cpu_seconds": round(child.ru_utime + child.ru_stime + own.ru_utime + own.ru_stime, 1),
             "load_start": [round(x, 2) for x in load_start],
             "load_end": [round(x, 2) for x in os.getloadavg()],
             "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    atomic.write_text(Path(path), json.dumps(stats, indent=1) + "\n")


def _run_pool(order: list[Job], outdir: str, jobs: int, progress: Progress) -> list[Result]:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    import multiprocessing as mp
    out: list[Result] = []
    pending = list(order)
    while pending:   # a worker that dies (out of memory, a crash) costs its file only
        ctx = mp.get_context("spawn")   # workers are our children: their CPU and memory are counted
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_warm) as pool:
            futures = {pool.submit(_pool_build, job, outdir): job for job in pending}
            pending = []
            broken = False
            try:
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        r = fut.result()
                    except BrokenProcessPool:
                        if not broken:   # the first casualty is the likely culprit
                            broken = True
                            r = Result(job, False, "the worker process died while building it "
                                                   "(out of memory or a crash in a library)")
                        else:
                            pending.append(job)
                            continue
                    except Exception as e:  # noqa: BLE001
                        r = Result(job, False, f"internal error: {type(e).__name__}: {e}")
                    out.append(r)
                    progress.update(r)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return out


# --------------------------------------------------------------------------- the index

LANG_NAMES = {"ar": "العربية", "en": "English", "fr": "Français", "es": "Español",
              "ru": "Русский", "zh": "中文"}


def entry_for(xml_path: str, stem: str) -> dict:
    """Index facts for one built XML (symbol, title, language as the HTML page shows them)."""
    from akn.load import load_akn
    from akn.render import html
    ctx = html.context(load_akn(xml_path).tree, source_name=os.path.basename(xml_path))
    return {"stem": stem, "symbol": ctx["symbol"], "title": ctx["title"], "lang": ctx["lang"],
            "dir": ctx["dir"], "adopted": ctx["frbr"].get("adopted", "")}


def _sort_key(e: dict):
    import re
    nums = tuple(int(n) for n in re.findall(r"\d+", e["symbol"].translate(
        str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))))
    return (nums, e["symbol"], e["lang"], e["stem"])


def _date_cell(day: str) -> str:
    """An adoption date for the catalogue: machine-readable when it is a calendar date; kept
    on one line by the table's CSS (a hyphen is a break opportunity: "2023-11-" / "29")."""
    import re
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        return f'<time datetime="{day}">{day}</time>'
    return escape(day)


def index_page(entries: list[dict], title: str = "Resolutions built") -> str:
    """An accessible HTML catalogue: one table, a row per document, links relative to the
    index's folder. Every text is escaped; every link is percent-encoded."""
    rows = []
    for e in sorted(entries, key=_sort_key):
        href = "/".join(quote(part) for part in e["stem"].split("/"))
        sym, ttl = escape(e["symbol"] or e["stem"]), escape(e["title"] or "")
        lang = escape(e["lang"] or "und")
        dirn = "rtl" if e.get("dir") == "rtl" else "ltr"
        lname = escape(LANG_NAMES.get(e["lang"], e["lang"] or "unknown"))
        links = " ".join(
            f'<a href="{href}.{ext}">{label}<span class="vh"> — {sym} '
            f'(<span lang="{lang}">{lname}</span>)</span></a>'
            for ext, label in (("html", "HTML"), ("pdf", "PDF"), ("xml", "XML"))
            if ext in e.get("files", ("html", "pdf", "xml")))
        rows.append(
            f'<tr><th scope="row"><bdi dir="ltr">{sym}</bdi></th>'
            f'<td lang="{lang}" dir="{dirn}">{ttl}</td>'
            f'<td><span lang="{lang}">{lname}</span></td>'
            f'<td class="date">{_date_cell(e.get("adopted") or "")}</td>'
            f'<td class="links">{links}</td></tr>')
    n = len(entries)
    langs = sorted({e["lang"] for e in entries})
    from akn.render.html import palette as page_palette
    palette = page_palette().strip()
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} ({n})</title>
<meta name="color-scheme" content="light dark">
<style>
{palette}
html {{ color: var(--fg); background: var(--bg); }}
body {{ font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.4; }}
a {{ color: var(--link); }}
a:visited {{ color: var(--visited); }}
a:focus-visible {{ outline: 3px solid var(--focus); outline-offset: 2px; }}
/* a narrow screen scrolls the table in its own region, not the page (WCAG 1.4.10) */
.table-region {{ overflow-x: auto; position: relative; }}
.table-region:focus-visible {{ outline: 3px solid var(--focus); }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #8886; padding: .4rem .5rem; text-align: start; vertical-align: top; }}
thead th {{ position: sticky; top: 0; background: var(--bg); }}
td.links, td.date {{ white-space: nowrap; }}
/* each file link a target of at least 24 x 24 px (WCAG 2.5.8) */
td.links a {{ display: inline-block; min-width: 24px; min-height: 24px; padding: .15rem .25rem; margin-inline-end: .3rem; }}
.vh {{ clip-path: inset(50%); height: 1px; width: 1px; overflow: hidden; position: absolute; white-space: nowrap; }}
</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
<p>{n} document{'s' if n != 1 else ''} in {len(langs)} language{'s' if len(langs) != 1 else ''}
({escape(', '.join(langs))}). Each has an accessible web page (HTML), a tagged PDF/A for print
and archive, and its Akoma Ntoso 3.0 XML.</p>
<div class="table-region" role="region" aria-labelledby="docs-caption" tabindex="0">
<table>
<caption id="docs-caption" class="vh">Documents, by symbol, with their title, language, adoption date and files</caption>
<thead><tr><th scope="col">Symbol</th><th scope="col">Title</th><th scope="col">Language</th>
<th scope="col">Adopted</th><th scope="col">Files</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
</main>
</body>
</html>
"""


def write_index(xml_paths: list[str], out: str) -> int:
    """``akn index``: the catalogue of built XMLs, linking each one's XML and the .html and
    .pdf beside it when they exist (and only then)."""
    from akn import atomic
    base = os.path.dirname(os.path.abspath(out))
    entries = []
    for p in xml_paths:
        stem = os.path.relpath(os.path.splitext(os.path.abspath(p))[0], base)
        entry = entry_for(p, Path(stem).as_posix())
        entry["files"] = ["xml"] + [ext for ext in ("html", "pdf")
                                    if os.path.isfile(os.path.join(base, f"{stem}.{ext}"))]
        entries.append(entry)
    atomic.write_text(out, index_page(entries))
    return 0
