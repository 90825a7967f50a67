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
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote

from akn.diagnostics import shown

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
    outputs: dict | None = None  # {".xml": {"sha256", "bytes"}, ...}: what was written
    input_sha256: str = ""       # of the input bytes the outputs were made from


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


def plan(files: list[str], outdir: str | os.PathLike, *,
         index: bool = True) -> tuple[list[Job], list[Result]]:
    """One job per input, named relative to the inputs' common folder; inputs whose names
    would leave DIR, are not valid UTF-8, clash with another input's or (``index``) with
    the catalogue DIR/index.html are refused (as failed results)."""
    out = Path(outdir).resolve()
    absolute = [os.path.abspath(f) for f in files]
    common = os.path.commonpath([os.path.dirname(a) for a in absolute]) if absolute else ""
    jobs, refused, taken = [], [], {}
    for given, a in zip(files, absolute):
        rel = Path(os.path.relpath(os.path.splitext(a)[0], common))
        job = Job(given, rel.as_posix(), _size(a))
        why = _refusal(job, rel, out, outdir, taken, index)
        if why:
            refused.append(Result(job, False, why))
        else:
            taken[job.stem] = given
            jobs.append(job)
    return jobs, refused



def _refusal(job: Job, rel: Path, out: Path, outdir, taken: dict, index: bool) -> str:
    """Why this job cannot be built under its name ('' if it can)."""
    stem = job.stem
    try:
        stem.encode("utf-8")
    except UnicodeEncodeError:
        return (f"{shown(job.src)}:0:0: error: the file name is not valid UTF-8, so its "
                "outputs could not be named, linked or listed; rename it (e.g. with "
                "convmv) and build again")
    target = (out / rel).resolve()
    if ".." in rel.parts or rel.is_absolute() or not target.is_relative_to(out) \
            or any(ord(ch) < 32 for ch in stem):
        return f"output name {stem!r} would leave {outdir}; refused"
    if stem in taken:
        return f"same output name as {taken[stem]} ({stem}.xml/.html/.pdf); rename one of them"
    if index and stem == "index":
        return (f"{job.src}:0:0: error: its page would be {outdir}/index.html, which is the "
                "build's catalogue; rename the input (or build with --no-index)")
    return ""


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
        entry, outputs = _build(job, Path(outdir), warnings)
        digest = outputs.pop("input")
    except Exception as e:  # noqa: BLE001 — one bad file must not stop the batch
        from akn.diagnostics import AknError
        reason = str(e) if isinstance(e, AknError) else f"internal error: {type(e).__name__}: {e}"
        return Result(job, False, reason, time.perf_counter() - t0, warnings,
                      cpu=time.process_time() - c0)
    return Result(job, True, "", time.perf_counter() - t0, warnings, entry,
                  cpu=time.process_time() - c0, outputs=outputs, input_sha256=digest)


def _build(job: Job, outdir: Path, warnings: list[str]) -> tuple[dict, dict]:
    import hashlib
    from akn import atomic, schema, xmlsafe
    from akn.build_manifest import output_record
    from akn.diagnostics import AknError
    from akn.facts import Facts
    from akn.render import html, pdf
    from akn.bounded import read_bounded
    src = job.src
    is_text = src.lower().endswith(".txt")
    data = read_bounded(src) if is_text else xmlsafe.read_file(src)
    if is_text:
        from akn.read import parse_text
        doc = parse_text(data, src)
        warnings.extend(str(d) for d in doc.diagnostics.warnings)
        if not schema.is_valid(doc.tree):
            raise AknError("internal error: the XML built from this text is not schema-valid; "
                           "no output written — please report this", src, 1, 1, "invalid")
        xml_bytes, tree = doc.to_bytes(), doc.tree
    else:   # read as `akn html` and `akn pdf` read it: the same checks, the same messages
        from akn.load import load_akn
        loaded = load_akn(src, data=data)
        warnings.extend(loaded.warnings)
        xml_bytes, tree = data, loaded.tree
    base = outdir / job.stem
    name = base.name + ".xml"
    # Fresh trees from the XML's bytes for each writer, exactly as `akn html` / `akn pdf`
    # read the file: so a batch build gives make's bytes.
    # (the catalogue's facts only read: from the tree already parsed)
    page = html.render(xmlsafe.parse_bytes(xml_bytes, src), source_name=name)
    entry = _entry(Facts(tree), job.stem)
    out = pdf.render_full(xmlsafe.parse_bytes(xml_bytes, src), xml_bytes=xml_bytes, source_name=name)
    warnings.extend(f"{src}: warning: PDF tagging: {p}" for p in out.problems)
    xml_out = base.with_name(name)
    if not (xml_out.exists() and os.path.samefile(src, xml_out)):
        atomic.write_bytes(xml_out, xml_bytes)
    atomic.write_text(base.with_name(base.name + ".html"), page)
    atomic.write_bytes(base.with_name(base.name + ".pdf"), out.pdf)
    entry = {**entry, "pages": out.pages}
    return entry, {"input": hashlib.sha256(data).hexdigest(), ".xml": output_record(xml_bytes),
                   ".html": output_record(page.encode("utf-8")),
                   ".pdf": output_record(out.pdf)}


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


from akn.build_manifest import MANIFEST  # noqa: E402


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


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the build (raised in its main thread)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _stop_on_signals():
    """While the build runs, SIGINT and SIGTERM raise :class:`Interrupted`; the first one
    also ignores any further one, so that stopping the workers and recording what finished
    is not itself interrupted (it takes at most a few seconds: akn.pool.GRACE)."""
    def handler(signum, frame):
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)
    try:
        old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:   # not the main thread: the caller handles signals
        old = {}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


from akn.atomic import TEMPORARY  # noqa: E402  (akn.atomic's .NAME.XXXXXXXX.tmp)


def sweep_temporaries(outdir: str, jobs: list[Job]) -> int:
    """Remove the temporaries a killed build left (files named like akn.atomic's, in DIR and
    the folders this build writes to, never followed through a link); how many."""
    base = Path(outdir)
    folders = {base} | {(base / j.stem).parent for j in jobs}
    n = 0
    for folder in sorted(folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if TEMPORARY.fullmatch(e.name) and e.is_file(follow_symlinks=False):
                try:
                    os.unlink(e.path)
                    n += 1
                except OSError:
                    pass
    return n


def run(inputs: list[str], outdir: str, jobs: int = 1, *, index: bool = True,
        stream=None, force: bool = False, stats: str | None = None,
        quiet: bool = False, cluster: str | None = None) -> tuple[int, list[Result]]:
    """Build everything that is not already up to date (``force``: everything); return
    (exit status, results in input order). ``quiet``: print only the failures.
    ``cluster``: a Dask scheduler's address, whose workers build the documents instead of
    ``jobs`` local processes (akn.cluster). SIGINT or SIGTERM stops the workers at once,
    keeps (and records) the files that were finished, and gives 130 or 143."""
    from akn import atomic
    from akn.build_manifest import BuildManifest
    stream = stream or sys.stderr
    say = (lambda *a, **k: None) if quiet else print
    skipped: list[str] = []
    files, problems = expand(inputs, skipped)
    todo, results = plan(files, outdir, index=index)
    for p in problems:
        print(f"akn build: {p}", file=stream)
    for s in skipped:
        say(f"akn build: note: {s}", file=stream)
    atomic.ensure_folder(outdir)
    sweep_temporaries(outdir, todo)
    code = fingerprint()
    book = BuildManifest(outdir, code, trust=not force)
    todo, fresh = _split_fresh(todo, book)
    results.extend(fresh)
    if fresh:
        say(f"akn build: {len(fresh)} up to date (same input bytes, same code, outputs as "
            "recorded): skipped; --force rebuilds them", file=stream)
    load_start = os.getloadavg()
    progress = Progress(len(todo), stream, jobs=jobs, sizes=sum(j.size for j in todo), quiet=quiet,
                        where=f"on the Dask cluster at {cluster}" if cluster else "")
    done: list[Result] = []
    with _stop_on_signals():
        try:
            _execute(todo, outdir, jobs, cluster, _finisher(book, done, progress), code,
                     lambda m: say(m, file=stream))
        except Interrupted as e:
            progress.close()
            return _interrupted(e.signum, outdir, todo, book, done, stream), results + done
        finally:
            progress.close()
    results.extend(done)
    rank = {f: i for i, f in enumerate(files)}
    results.sort(key=lambda r: rank.get(r.job.src, -1))
    book.save()
    _write_warnings(outdir, results, say, stream)
    if index:
        entries = [dict(r.entry) for r in results if r.ok and r.entry]
        if entries:
            atomic.write_text(Path(outdir) / "index.html", index_page(entries))
    return _summary(results, problems, skipped, len(fresh), outdir, progress, stats, jobs,
                    load_start, stream, say), results


def _split_fresh(todo: list[Job], book) -> tuple[list[Job], list[Result]]:
    """The jobs to build, and results for those whose manifest entry still holds."""
    from akn.build_manifest import file_sha256
    left, fresh = [], []
    for job in todo:
        digest = file_sha256(job.src)
        rec = book.fresh(job.stem, digest)
        if rec is None:
            left.append(job)
        else:
            fresh.append(Result(job, True, "up to date", 0.0, list(rec.get("warnings", [])),
                                rec.get("entry")))
    return left, fresh


def _finisher(book, done: list[Result], progress: Progress):
    """What happens as each document ends: recorded in the manifest first, then counted."""
    def finished(r: Result) -> None:
        if r.ok and r.outputs:
            book.record(r.job.stem, {"input_sha256": r.input_sha256, "entry": r.entry,
                                     "warnings": r.warnings, "outputs": r.outputs})
        else:
            book.record(r.job.stem, None)
        done.append(r)
        progress.update(r)
    return finished


def _execute(order: list[Job], outdir: str, jobs: int, cluster: str | None, finished,
             code: str, say) -> None:
    order = sorted(order, key=lambda j: -j.size)   # largest first: a short tail
    if cluster:   # the same jobs on a Dask cluster's workers
        from akn import cluster as engine
        engine.run_jobs(order, outdir, cluster, finished, code=code, say=say)
    elif jobs <= 1 or len(order) <= 1:
        if order:
            _warm()
        for job in order:
            finished(build_one(job, outdir))
    else:
        from akn.pool import Pool
        pool = Pool(jobs, outdir)
        try:
            pool.run(order, finished)
        except BaseException:
            pool.stop(finished)   # a result complete before the stop is still recorded
            raise
        pool.close()


def _interrupted(signum: int, outdir: str, todo: list[Job], book, done: list[Result],
                 stream) -> int:
    """After SIGINT/SIGTERM: the workers are gone; record what finished, sweep, say so."""
    sweep_temporaries(outdir, todo)
    try:
        book.save()
    except Exception:   # noqa: BLE001 — the journal keeps the record for the next build
        pass
    finished = sum(r.ok for r in done)
    name = signal.Signals(signum).name
    print(f"\nakn build: interrupted ({name}); {finished} finished {_files(finished)} kept and "
          f"recorded in {MANIFEST}, {len(todo) - finished} not finished (their outputs may be "
          "missing or old: the next build makes them)", file=stream)
    return 128 + signum


def _write_warnings(outdir: str, results: list[Result], say, stream) -> None:
    """The parser's and validator's warnings: a log beside the outputs."""
    from akn import atomic
    warned = [w for r in results for w in r.warnings]
    if warned:
        atomic.write_text(Path(outdir) / "build-warnings.txt", "\n".join(warned) + "\n")
        n = sum(bool(r.warnings) for r in results)
        say(f"akn build: {len(warned)} warning{'s' if len(warned) != 1 else ''} for {n} "
            f"{_files(n)}, written to {Path(outdir) / 'build-warnings.txt'}", file=stream)
    else:
        (Path(outdir) / "build-warnings.txt").unlink(missing_ok=True)


def _summary(results, problems, skipped, fresh: int, outdir, progress, stats, jobs, load_start,
             stream, say) -> int:
    failed = [r for r in results if not r.ok]
    built = len(results) - len(failed) - fresh
    if stats:
        _write_stats(stats, jobs, built, fresh, len(failed) + len(problems),
                     time.monotonic() - progress.t0, load_start)
    say(f"akn build: {built} built, {fresh} up to date, {len(failed) + len(problems)} failed"
        + (f", {len(skipped)} skipped" if skipped else "") + f", into {outdir}"
        f" ({_clock(time.monotonic() - progress.t0)})", file=stream)
    if failed or problems:
        print("akn build: failures:", file=stream)
        for p in problems:
            print(f"  {p}", file=stream)
        for r in failed:   # an AknError names the file already (FILE:LINE:COL: error: …)
            named = r.reason.startswith((f"{r.job.src}:", f"{shown(r.job.src)}:"))
            print(f"  {r.reason}" if named else f"  {shown(r.job.src)}: {r.reason}", file=stream)
    return 1 if failed or problems else 0


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


# --------------------------------------------------------------------------- the index

def _entry(facts, stem: str) -> dict:
    """A catalogue row's facts (symbol, title, language as the HTML page shows them)."""
    return {"stem": stem, "symbol": facts.symbol, "title": facts.title or facts.symbol,
            "lang": facts.lang, "dir": facts.dir, "adopted": facts.adopted}


def entry_for(xml_path: str, stem: str) -> dict:
    """Index facts for one built XML (read by akn.facts, as every writer reads them; loaded
    as every command loads AKN)."""
    from akn.facts import Facts
    from akn.load import load_akn
    return _entry(Facts(load_akn(xml_path).tree), stem)


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
    from akn.lang import ENDONYMS
    rows = []
    for e in sorted(entries, key=_sort_key):
        href = "/".join(quote(part) for part in e["stem"].split("/"))
        sym, ttl = escape(e["symbol"] or e["stem"]), escape(e["title"] or "")
        lang = escape(e["lang"] or "und")
        dirn = "rtl" if e.get("dir") == "rtl" else "ltr"
        lname = escape(ENDONYMS.get(e["lang"], e["lang"] or "unknown"))
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
    atomic.write_text(out, index_page(entries), inputs=xml_paths)
    return 0
