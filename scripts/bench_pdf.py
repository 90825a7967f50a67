#!/usr/bin/env python3
"""How long the PDF writer takes, warm, in one process (the way `make` and batch builds
should use it): the first render pays for imports and fonts; later ones are what a
document costs.

usage: .venv/bin/python scripts/bench_pdf.py [XML ...] [--runs N]
       (default: the seed, parsed from sources/A-RES-67-190.ar.txt)

Prints, per document: pages, the cold first render, then the median / min / max of N warm
renders split into HTML (the HTML writer), layout+write (WeasyPrint) and repair (pikepdf),
the CPU time of a render (less disturbed than wall time on a shared machine), and the
peak memory of the process.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load(path: str | None):
    from akn import xmlsafe
    if path is None:
        from akn.read import parse_text
        src = ROOT / "sources" / "A-RES-67-190.ar.txt"
        data = parse_text(src.read_bytes(), str(src)).to_bytes()
        return "seed (A/RES/67/190, ar)", data, xmlsafe.parse_bytes(data, "seed")
    data = Path(path).read_bytes()
    return Path(path).name, data, xmlsafe.parse_bytes(data, path)


def timed(name, data, tree, stages: dict):
    from akn.render import pdf, pdfua
    c0 = time.process_time()
    t0 = time.perf_counter()
    html = pdf.html_for(tree, name)
    t1 = time.perf_counter()
    real_repair = pdfua.repair
    spent = {}

    def repair(*a, **kw):
        t = time.perf_counter()
        try:
            return real_repair(*a, **kw)
        finally:
            spent["repair"] = time.perf_counter() - t
    pdfua.repair = repair
    try:
        out = pdf.render_full(tree, xml_bytes=data, source_name=name, html=html)
    finally:
        pdfua.repair = real_repair
    t2 = time.perf_counter()
    stages.setdefault("html", []).append(t1 - t0)
    stages.setdefault("repair", []).append(spent["repair"])
    stages.setdefault("weasyprint", []).append(t2 - t1 - spent["repair"])
    stages.setdefault("total", []).append(t2 - t0)
    stages.setdefault("total cpu", []).append(time.process_time() - c0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1356048000")
    for path in args.files or [None]:
        name, data, tree = load(path)
        t = time.perf_counter()
        out = timed(name, data, tree, {})
        cold = time.perf_counter() - t
        stages: dict = {}
        sizes = set()
        for _ in range(args.runs):
            sizes.add(len(timed(name, data, tree, stages).pdf))
        print(f"{name}: {out.pages} pages, {len(out.pdf) // 1024} KiB, "
              f"{'same bytes every run' if len(sizes) == 1 else 'SIZE VARIES'}")
        print(f"  cold (imports, fonts, first layout): {cold:.2f} s")
        for stage in ("total", "total cpu", "html", "weasyprint", "repair"):
            v = stages[stage]
            print(f"  warm {stage:<10} median {statistics.median(v):.3f} s  "
                  f"min {min(v):.3f}  max {max(v):.3f}  (n={len(v)})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
