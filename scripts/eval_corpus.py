#!/usr/bin/env python3
"""Score the parser on the UN's own files: six languages × two input shapes.

For each language and shape, every session file in CORPUS/<lang>/ is flattened by the shared
tool ../shared/tools/unxml2text.py (the cleaned shape of the seed, or ``--raw``: what a PDF
text extractor gives), parsed by ``akn parse`` and scored by the shared tool's own
``eval_parse.compare`` against the structure of the UN file. Both tools are imported and run
as they are (their ``main`` for the flattening, their ``structure``/``compare`` for the
score), in worker processes; ``--cli`` instead runs ``eval_parse.py --cmd 'akn parse …'`` as
a separate process per document, exactly as the tool's README says (slower, same figures).

usage: eval_corpus.py CORPUS OUT [--langs ar,en,…] [--shapes cleaned,raw] [-j N] [--cli]
writes OUT/<lang>.<shape>/ (the pairs), OUT/<lang>.<shape>.scores.txt (a line per failing
document, then the tool's summary line) and OUT/summary.json; prints a table. With four or more
languages it also scores the files whose UN markup agrees with the same resolution's in the
other languages (see disagreeing()), which says how much of a shortfall the UN's own
inconsistencies make.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LANGS = ("ar", "en", "fr", "es", "ru", "zh")
SHAPES = ("cleaned", "raw")
PAGE_MARK = "الرجاء إعادة الاستعمال"
_tools = None


def tools(shared: Path):
    """The shared tools, imported once per process."""
    global _tools
    if _tools is None:
        sys.path.insert(0, str(shared / "tools"))
        import eval_parse
        import unxml2text
        _tools = (unxml2text, eval_parse)
    return _tools


def flatten(job: tuple[str, str, str, str]) -> bool:
    """One pair, as make-pairs writes it: the tool's own main(), in this process."""
    shared, xml, folder, shape = job
    unxml2text, _ = tools(Path(shared))
    name = Path(xml).stem
    txt, gold = Path(folder, name + ".txt"), Path(folder, name + ".json")
    if txt.exists() and gold.exists():
        return True
    argv = [xml, str(txt), "--gold", str(gold)]
    if shape == "raw":
        argv.append("--raw")
    else:
        argv += ["--bold", "operative"]
    if 'language="ara"' in Path(xml).read_text(encoding="utf-8", errors="replace")[:20000]:
        argv += ["--page-mark", PAGE_MARK]
    old = sys.argv
    sys.argv = ["unxml2text.py", *argv]
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            unxml2text.main()
        return True
    except (SystemExit, Exception):  # a file without a resolution statement: no pair
        txt.unlink(missing_ok=True)
        gold.unlink(missing_ok=True)
        return False
    finally:
        sys.argv = old


def score(job: tuple[str, str]) -> tuple[str, dict, str]:
    """Parse one pair with the command line (in this process) and score it."""
    shared, txt = job
    _, eval_parse = tools(Path(shared))
    from akn import cli
    gold = json.loads(Path(txt[:-4] + ".json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.xml")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = cli.main(["parse", txt, "-o", out])
        got, why = None, ""
        if status == 0 and os.path.exists(out):
            got = eval_parse.structure(out)
        else:
            why = (err.getvalue().strip().splitlines() or [""])[-1]
    return txt, eval_parse.compare(got, gold), why


def summary_line(results: list[dict]) -> str:
    """The tool's own summary line, from its compare() results."""
    d = len(results)
    tot = {k: sum(r[k] for r in results) for k in ("paras", "paras_ok", "notes", "notes_ok")}
    exact = sum(1 for r in results if not r["why"])
    return (f"docs {d}  exact {exact} ({100 * exact / d:.1f}%)  paragraphs {tot['paras_ok']}/{tot['paras']}  "
            f"notes {tot['notes_ok']}/{tot['notes']}  titles {sum(r['title_ok'] for r in results)}/{d}  "
            f"dates {sum(r['date_ok'] for r in results)}/{d}")


def run(corpus: Path, out: Path, langs, shapes, jobs: int, cli: bool, shared: Path) -> dict:
    figures = {}
    with cf.ProcessPoolExecutor(jobs) as ex:
        for lang in langs:
            xmls = sorted((corpus / lang).glob("*.xml"))
            for shape in shapes:
                folder = out / f"{lang}.{shape}"
                folder.mkdir(parents=True, exist_ok=True)
                t0 = time.monotonic()
                list(ex.map(flatten, [(str(shared), str(x), str(folder), shape) for x in xmls], chunksize=8))
                txts = sorted(str(p) for p in folder.glob("*.txt") if p.with_suffix(".json").exists())
                if cli:
                    proc = subprocess.run(
                        [sys.executable, str(shared / "tools" / "eval_parse.py"), str(folder), "--jobs", str(jobs),
                         "--show", "100000", "--cmd", f"{sys.executable} -m akn parse {{src}} -o {{out}}"],
                        capture_output=True, text=True, check=True)
                    lines = proc.stdout.strip().splitlines()
                    summary = lines[-1]
                    failing = lines[:-1]
                else:
                    results, failing = [], []
                    for txt, r, why in ex.map(score, [(str(shared), t) for t in txts], chunksize=4):
                        results.append(r)
                        if r["why"]:
                            failing.append(f"{os.path.basename(txt)}: {r['why']} {why}".rstrip())
                    summary = summary_line(results)
                (out / f"{lang}.{shape}.scores.txt").write_text("\n".join(failing + [summary]) + "\n", encoding="utf-8")
                m = re.search(r"docs (\d+)\s+exact (\d+) \(([\d.]+)%\)", summary)
                figures[f"{lang}.{shape}"] = {"docs": int(m.group(1)), "exact": int(m.group(2)),
                                              "percent": float(m.group(3)), "summary": summary,
                                              "seconds": round(time.monotonic() - t0, 1)}
                print(f"{lang} {shape:7} {summary}", flush=True)
    return figures


def disagreeing(out: Path, langs) -> dict[str, set[str]]:
    """Files whose UN markup disagrees with the same resolution's in the other languages:
    for each resolution, the (preambular, operative, note) counts of its UN file in each
    language; a language whose counts differ from those of at least three others marked the
    same text up differently (an item as a paragraph, a preambular paragraph in the body…).
    From the UN's files alone, never from our output."""
    counts: dict[str, dict[str, tuple]] = {}
    for lang in langs:
        for gold in (out / f"{lang}.cleaned").glob("*.json"):
            m = re.search(r"A_RES_(\d+_\d+[A-Z]?)", gold.name)
            if not m:
                continue
            g = json.loads(gold.read_text(encoding="utf-8"))
            counts.setdefault(m.group(1), {})[lang] = (gold.stem, (len(g["preamble"]), len(g["operative"]),
                                                                  len(g["notes"])))
    odd: dict[str, set[str]] = {lang: set() for lang in langs}
    for per_lang in counts.values():
        tally: dict[tuple, int] = {}
        for _, c in per_lang.values():
            tally[c] = tally.get(c, 0) + 1
        major, n = max(tally.items(), key=lambda kv: kv[1])
        if n >= 3:
            for lang, (stem, c) in per_lang.items():
                if c != major:
                    odd[lang].add(stem)
    return odd


def agreement(out: Path, figures: dict, langs, shapes) -> None:
    """Add to each figure the score on the files whose markup agrees across languages."""
    odd = disagreeing(out, langs)
    for lang in langs:
        for shape in shapes:
            f = figures[f"{lang}.{shape}"]
            lines = (out / f"{lang}.{shape}.scores.txt").read_text(encoding="utf-8").splitlines()[:-1]
            failed = {ln.split(".txt:")[0] for ln in lines}
            docs = f["docs"] - len(odd[lang])
            exact = docs - len(failed - odd[lang])
            f.update(agreeing_docs=docs, agreeing_exact=exact, agreeing_percent=round(100 * exact / docs, 1),
                     disagreeing=sorted(odd[lang]))


def table(figures: dict, langs, shapes) -> str:
    names = {"ar": "Arabic", "en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "zh": "Chinese"}
    rows = ["| language | " + " | ".join(f"{s} shape: exact; on files marked up as in the other languages"
                                        if any("agreeing_docs" in figures[f"{lang}.{s}"] for lang in langs)
                                        else f"{s} shape" for s in shapes) + " |",
            "|---|" + "---|" * len(shapes)]
    for lang in langs:
        cells = []
        for s in shapes:
            f = figures[f"{lang}.{s}"]
            cell = f"**{f['percent']:.1f} %** ({f['exact']}/{f['docs']})"
            if "agreeing_docs" in f:
                cell += f"; {f['agreeing_percent']:.1f} % of {f['agreeing_docs']}"
            cells.append(cell)
        rows.append(f"| {names.get(lang, lang)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--cli", action="store_true", help="score through eval_parse.py --cmd, a process per document")
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    a = ap.parse_args()
    if not (a.shared / "tools" / "eval_parse.py").exists():
        print(f"eval: skipped: the shared tools are not in {a.shared}", file=sys.stderr)
        return 0
    langs, shapes = a.langs.split(","), a.shapes.split(",")
    figures = run(a.corpus, a.out, langs, shapes, a.jobs, a.cli, a.shared)
    if len(langs) > 3 and "cleaned" in shapes:
        agreement(a.out, figures, langs, shapes)
    (a.out / "summary.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print()
    print(table(figures, langs, shapes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
