#!/usr/bin/env python3
"""Harvest the opening phrases of preambular paragraphs from the UN's own Akoma Ntoso
(container/@name in the preamble) into akn/lang/<lang>.phrases.txt, one phrase a line,
most frequent first. Language facts are data, reviewed by people, not code.

usage: harvest_phrases.py CORPUS_DIR LANG [--min N]
"""
import argparse
import collections
import pathlib

from lxml import etree

A = "{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("lang")
    ap.add_argument("--min", type=int, default=1)
    a = ap.parse_args()
    names = collections.Counter()
    for f in sorted(pathlib.Path(a.corpus, a.lang).glob("*.xml")):
        for c in etree.parse(str(f)).getroot().iter(A + "container"):
            if c.getparent().tag == A + "preamble" and c.get("name"):
                names[" ".join(c.get("name").split())] += 1
    out = pathlib.Path(__file__).resolve().parent.parent / "akn" / "lang" / f"{a.lang}.phrases.txt"
    lines = [n for n, k in sorted(names.items(), key=lambda x: (-x[1], x[0])) if k >= a.min and len(n.split()) <= 8]
    out.write_text("# opening phrases of preambular paragraphs, harvested from the UN's session-78 AKN\n"
                   + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {len(lines)} phrases")


if __name__ == "__main__":
    main()
