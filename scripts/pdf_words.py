"""Words split, joined, lost or added in the text layer of our PDFs, by two extractors.

    python scripts/pdf_words.py [--out DIR] [--keep] FILE.xml...

Renders each AKN file to PDF (as `akn pdf` does), reads its text layer with pdftotext and
pdfminer.six and compares the words with the XML's (tests/pdfwords.py says how); prints one
line per file and extractor and a total per language. The figures in docs/pdf.md ("Every word
of the text layer") come from this script.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pdfwords  # noqa: E402
from akn import xmlsafe  # noqa: E402
from akn.render import pdf as pdfw  # noqa: E402


def measure(path: Path, out_dir: Path) -> tuple[str, dict]:
    data = path.read_bytes()
    tree = xmlsafe.parse_bytes(data, str(path))
    out = pdfw.render_full(tree, xml_bytes=data, source_name=path.name)
    pdf = out_dir / (path.stem + ".pdf")
    pdf.write_bytes(out.pdf)
    f = out.facts
    page, _, _ = pdfw._footnoted(pdfw.html_for(tree, path.name), f.eastern_digits)
    want = pdfwords.xml_words(tree, print_page=page, symbol=f.symbol, lang=f.lang)
    return f.lang, {
        "pdftotext": pdfwords.compare(want, pdfwords.pdftotext_words(pdf, f.rtl)),
        "pdfminer": pdfwords.compare(want, pdfwords.pdfminer_words(pdf, f.rtl)),
        "pages": out.pages}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, help="keep the PDFs in this folder")
    ap.add_argument("--examples", type=int, default=3, help="examples shown per kind")
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    out_dir = args.out or Path(tmp.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    totals: dict = defaultdict(lambda: defaultdict(lambda: [0] * 6))
    for path in args.files:
        lang, res = measure(path, out_dir)
        for tool in ("pdftotext", "pdfminer"):
            t = res[tool]
            print(f"{lang} {path.name} ({res['pages']} p.) {tool}: {t}", flush=True)
            for kind, pairs in t.examples.items():
                print(f"    {kind}: " + "; ".join(f"{a!r}->{b!r}" for a, b in pairs[:args.examples]))
            row = totals[lang][tool]
            for i, v in enumerate((1, t.words, t.split, t.joined, t.lost, t.added)):
                row[i] += v
    print("\nlang tool files words split joined lost added")
    for lang, tools in totals.items():
        for tool, row in tools.items():
            print(lang, tool, *row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
