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


def _read_akn(path: str, strict: bool = False, data: bytes | None = None):
    """Parse an AKN file (or its bytes, already read) safely; warn (or, when strict, fail)
    if it is schema-invalid."""
    from akn import schema, xmlsafe
    tree = xmlsafe.parse_file(path) if data is None else xmlsafe.parse_bytes(data, path)
    if not schema.is_valid(tree):
        problems = schema.errors(tree, limit=3)
        line, msg = problems[0] if problems else (0, "schema-invalid")
        if strict:
            raise AknError(f"not valid Akoma Ntoso 3.0: {msg}", path, line, 1, "schema")
        print(f"{path}:{line}:1: warning: not valid under the official AKN 3.0 schema "
              f"({msg}); rendering it anyway", file=sys.stderr)
    return tree


def cmd_parse(args) -> int:
    from akn.read import parse_text
    from akn import atomic, schema
    from lxml import etree
    src = args.source
    try:
        with open(src, "rb") as f:
            data = f.read()
    except OSError as e:
        raise AknError(f"cannot read: {e.strerror}", src, 0, 0, "io")
    doc = parse_text(data, src)
    doc.diagnostics.print()
    tree = doc.tree
    if not schema.is_valid(tree):  # a bug in the reader: never write invalid XML
        problems = schema.errors(tree, limit=3)
        msg = "; ".join(f"line {ln}: {m}" for ln, m in problems)
        raise AknError(f"internal error: the XML built from this text is not schema-valid "
                       f"({msg}); no output written — please report this", src, 1, 1, "invalid")
    out = args.output or os.path.splitext(src)[0] + ".xml"
    atomic.write_bytes(out, doc.to_bytes())
    if args.report:
        import json
        atomic.write_text(args.report, json.dumps(doc.report(), ensure_ascii=False, indent=1) + "\n")
    return 0


def cmd_validate(args) -> int:
    from akn import schema, xmlsafe
    bad = 0
    for path in args.files:
        try:
            tree = xmlsafe.parse_file(path)
        except AknError as e:
            print(e, file=sys.stderr)
            bad += 1
            continue
        ok = schema.xmlschema_schema().is_valid(tree) if args.engine == "xmlschema" \
            else schema.is_valid(tree)
        if ok and args.profile:
            broken = schema.profile_errors(tree)
            for msg in broken:
                print(f"{path}:1:1: error: UN-resolution profile: {msg}", file=sys.stderr)
            if broken:
                bad += 1
                continue
        if ok:
            if not args.quiet:
                print(f"{path}: valid (Akoma Ntoso 3.0, sha256 {schema.schema_sha256()[:12]}…)")
            continue
        bad += 1
        for line, msg in schema.errors(tree, limit=args.max_errors):
            print(f"{path}:{line}:1: error: {msg}", file=sys.stderr)
    return 1 if bad else 0


def cmd_html(args) -> int:
    from akn import atomic
    from akn.render import html
    tree = _read_akn(args.document, strict=args.strict)
    out = args.output or os.path.splitext(args.document)[0] + ".html"
    page = html.render(tree, source_name=os.path.basename(args.document))
    atomic.write_text(out, page)
    return 0


def cmd_pdf(args) -> int:
    from akn import atomic, xmlsafe
    from akn.render import pdf
    # read once: the PDF carries these very bytes, and a file that cannot be read is
    # reported like any other bad input (it was an "internal error" here)
    xml_bytes = xmlsafe.read_file(args.document)
    tree = _read_akn(args.document, strict=args.strict, data=xml_bytes)
    out = args.output or os.path.splitext(args.document)[0] + ".pdf"
    atomic.write_bytes(out, pdf.render(tree, xml_bytes=xml_bytes,
                                       source_name=os.path.basename(args.document)))
    return 0


def cmd_build(args) -> int:
    from akn import build
    if args.jobs < 1:
        print("akn build: -j must be at least 1", file=sys.stderr)
        return 2
    status, _ = build.run(args.inputs, args.output, args.jobs, index=not args.no_index,
                          force=args.force, stats=args.stats)
    return status


def cmd_index(args) -> int:
    from akn import build
    return build.write_index(args.files, args.output)


def cmd_export(args) -> int:
    from akn import bag as export   # the module; akn.export is the API function
    if args.check:
        if args.document or args.output or args.source or args.report or args.pdf:
            print("akn export: --check DIR takes no other argument", file=sys.stderr)
            return 2
        bags = export.find_bags(args.check)
        if not bags:
            print(f"{args.check}: error: no bag here (no bagit.txt in it or in its folders)",
                  file=sys.stderr)
            return 1
        bad = 0
        for bag in bags:
            problems = export.check(bag)
            for problem in problems:
                print(f"{bag}: error: {problem}", file=sys.stderr)
            if problems:
                bad += 1
            elif not args.quiet:
                print(f"{bag}: valid bag (manifests, AKN 3.0 schema, PDF carries the XML)")
        return 1 if bad else 0
    if not args.document or not args.output:
        print("akn export: give DOC.xml -o DIR (or --check DIR)", file=sys.stderr)
        return 2
    out = export.export(args.document, args.output, source=args.source, report=args.report,
                        pdf=args.pdf)
    for w in out.warnings:
        print(f"{args.document}: warning: {w}", file=sys.stderr)
    if not args.quiet:
        print(out.path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="akn", description="UN resolutions: text -> Akoma Ntoso 3.0 -> HTML, PDF")
    ap.add_argument("--version", action="version", version=f"akn {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="plain text of a resolution -> schema-valid AKN 3.0 XML")
    p.add_argument("source", help="the resolution as UTF-8 text")
    p.add_argument("-o", "--output", help="where to write the XML (default: SOURCE with .xml)")
    p.add_argument("--report", help="also write a JSON report of the diagnostics and counts")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("validate", help="check files against the official AKN 3.0 schema")
    p.add_argument("files", nargs="+")
    p.add_argument("--engine", choices=["lxml", "xmlschema"], default="lxml",
                   help="lxml (fast, default) or xmlschema; either way failures are explained by xmlschema")
    p.add_argument("--max-errors", type=int, default=10)
    p.add_argument("--profile", action="store_true",
                   help="also check the UN-resolution profile (xsd/un-resolution.xsd, XSD 1.1 assertions)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=cmd_validate)

    for name, func, what in (("html", cmd_html, "AKN XML -> accessible HTML page"),
                             ("pdf", cmd_pdf, "AKN XML -> tagged PDF/A-3b with the XML embedded")):
        p = sub.add_parser(name, help=what)
        p.add_argument("document")
        p.add_argument("-o", "--output")
        p.add_argument("--strict", action="store_true",
                       help="refuse a document that is not valid under the official AKN 3.0 schema "
                            "(by default it is rendered, with a warning: the UN publishes a few such files)")
        p.set_defaults(func=func)

    p = sub.add_parser("build", help="many .txt/.xml files -> DIR/NAME.{xml,html,pdf} and DIR/index.html, in parallel")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=".txt sources (parsed first), .xml AKN files, or folders of them")
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
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("index", help="built XML files -> an HTML catalogue linking each one's HTML, PDF and XML")
    p.add_argument("files", nargs="+", metavar="XML")
    p.add_argument("-o", "--output", required=True, help="where to write the catalogue (links are relative to it)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("export", help="AKN XML -> an archival BagIt bag (XML, HTML, PDF/A, source, "
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
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=cmd_export)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AknError as e:
        print(e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("akn: interrupted; no partial output was left", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as e:  # a bug: say so plainly, without a traceback unless asked
        if os.environ.get("AKN_DEBUG"):
            raise
        print(f"akn: internal error: {type(e).__name__}: {e} "
              "(set AKN_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
