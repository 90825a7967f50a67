#!/usr/bin/env python3
"""Which scored pairs can a text parser get exactly right at all?

``../shared/tools/unxml2text.py`` flattens a UN file into text and keeps the UN's own
structure as the gold; ``eval_parse.py`` compares a parser's AKN with that gold. For some
files the gold holds what the text does not carry, so no parser reading the text can match
it. This script finds those pairs, by two checks that look only at the pair and the UN file
(never at our parser's output):

* ``words absent`` — the gold (paragraphs, notes, title) has words the text lacks: the
  tool writes only ``p`` and ``num`` elements, so subheadings between operative paragraphs
  (budget resolutions), ``listIntroduction`` lines and notes called from the cover page
  are dropped from the text but stay in the gold.
* ``tab deleted`` — ``eval_parse.norm`` deletes tab characters where the text turns them
  into a space: a UN paragraph ``6 -<TAB>تشجع`` (a number typed into the text, with no
  ``num`` element) or a title ``-<TAB>بناء`` becomes ``6 -تشجع`` in the gold, a form no
  reading of ``6 - تشجع`` can produce. Found by scoring the UN file against itself with
  tabs read as spaces: any difference is this.

usage: eval_ceiling.py PAIR_DIR [--failed LIST] [--json OUT]
  --failed: a file with eval_parse.py's per-document lines (``NAME.txt: why``), to split
  our failures into unreachable and reachable ones.
Prints the ceiling (the share of pairs a perfect parser could match) and, with --failed,
the score on the reachable pairs.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("AKN_SHARED", ROOT.parent / "shared")) / "tools"


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_parse", TOOLS / "eval_parse.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


WORD = re.compile(r"\w+")


def classify(pair_dir: Path) -> tuple[int, dict[str, str]]:
    """(number of pairs, {pair name: why it is unreachable})."""
    ev = _eval_module()
    norm = ev.norm

    def words(s: str) -> list[str]:
        return WORD.findall(norm(s))

    def tabs_as_spaces(s):
        return norm((s or "").replace("\t", " "))

    out: dict[str, str] = {}
    pairs = sorted(p for p in pair_dir.glob("*.json") if p.with_suffix(".txt").exists())
    for gold_path in pairs:
        name = gold_path.with_suffix(".txt").name
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        # bold markers stand between words in the text ("**Decides**that"): not part of a word
        text = gold_path.with_suffix(".txt").read_text(encoding="utf-8").replace("**", " ")
        have = Counter(WORD.findall(norm(text)))
        want = Counter()
        for p in gold["preamble"]:
            want.update(words(p))
        for o in gold["operative"]:
            want.update(words(o["num"]))
            want.update(words(o["text"]))
        for n in gold["notes"]:
            want.update(words(n["text"]))
        want.update(words(gold.get("title") or ""))
        missing = want - have
        if missing:
            sample = " ".join(w for w, _ in missing.most_common(4))
            out[name] = f"words absent from the text ({sum(missing.values())}: {sample} …)"
            continue
        source = gold.get("source")
        if source and Path(source).exists():
            plain = ev.structure(source)
            ev.norm = tabs_as_spaces
            try:
                spaced = ev.structure(source)
            finally:
                ev.norm = norm
            if plain != spaced:
                out[name] = "tab deleted by the scorer (a number or dash typed before a tab)"
    return len(pairs), out


def failed_names(eval_output: str) -> set[str]:
    """The pairs eval_parse.py reports as failing (its ``NAME.txt: why`` lines; run it
    with ``--show`` above the number of pairs so that every failure has its line)."""
    return {line.split(":", 1)[0] for line in eval_output.splitlines()
            if re.match(r"\S+\.txt: ", line)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--failed", type=Path, help="eval_parse.py output with per-document lines")
    ap.add_argument("--json", type=Path, help="write the classification here")
    a = ap.parse_args()
    if not (TOOLS / "eval_parse.py").exists():
        print(f"eval_ceiling: skipped: {TOOLS}/eval_parse.py is absent", file=sys.stderr)
        return 0
    n, bad = classify(a.dir)
    kinds = Counter(why.split(" (")[0] for why in bad.values())
    reach = n - len(bad)
    print(f"ceiling: {reach}/{n} pairs ({100 * reach / n:.1f}%) can be matched from the text; "
          + ", ".join(f"{k}: {v}" for k, v in kinds.most_common()))
    result = {"pairs": n, "unreachable": bad}
    if a.failed:
        failed = failed_names(a.failed.read_text(encoding="utf-8"))
        miss = sorted(failed - set(bad))
        ok = reach - len(miss)
        print(f"reachable pairs: exact {ok}/{reach} ({100 * ok / reach:.1f}%); "
              f"missed: {' '.join(miss) or 'none'}")
        lucky = sorted(set(bad) - failed)
        if lucky:  # a pair judged unreachable that the parser matched: the checks are wrong
            print(f"warning: judged unreachable but matched: {' '.join(lucky)}", file=sys.stderr)
        result.update(reachable_exact=ok, reachable=reach, reachable_missed=miss, matched_unreachable=lucky)
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
