"""Generality: the parser on text made from the UN's own session-78 files, in Arabic and
English, scored by ../shared/tools/eval_parse.py against the UN's structure.

Two bars: regression floors on the exact share of all pairs, and 95% exact on the pairs
a parser can match at all (scripts/eval_ceiling.py finds the others from the pair and the
UN file alone; README.md explains them). A pair judged unreachable that we match would
mean the ceiling check is wrong, so that fails too.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT, SHARED, corpus_files

TOOLS = SHARED / "tools"
# every other file, to keep the suite's time modest (the full run is `make eval`)
STEP = 2
FLOOR = {"ar": 79.0, "en": 89.0}
REACHABLE = 95.0
sys.path.insert(0, str(ROOT / "scripts"))


def make_pairs(lang: str, folder):
    mark = ["--page-mark", "الرجاء إعادة الاستعمال"] if lang == "ar" else []
    for xml in corpus_files(lang, step=STEP):
        txt = folder / (xml.stem + ".txt")
        proc = subprocess.run([sys.executable, str(TOOLS / "unxml2text.py"), str(xml), str(txt),
                               "--gold", str(folder / (xml.stem + ".json")), "--bold", "operative", *mark],
                              capture_output=True, text=True)
        if proc.returncode != 0:  # e.g. a documentCollection, which the tool cannot flatten
            txt.unlink(missing_ok=True)
            (folder / (xml.stem + ".json")).unlink(missing_ok=True)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_corpus_score(lang, shared, tmp_path):
    make_pairs(lang, tmp_path)
    n = len(list(tmp_path.glob("*.txt")))
    assert n > 100
    proc = subprocess.run([sys.executable, str(TOOLS / "eval_parse.py"), str(tmp_path), "--jobs", "2",
                           "--show", "100000", "--cmd", f"{sys.executable} -m akn parse {{src}} -o {{out}}"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    import eval_ceiling
    summary = proc.stdout.strip().splitlines()[-1]
    m = re.search(r"docs (\d+)\s+exact (\d+) \(([\d.]+)%\)", summary)
    assert m, summary
    assert int(m.group(1)) == n
    failed = eval_ceiling.failed_names(proc.stdout)
    assert len(failed) == n - int(m.group(2)), "one line per failing document"

    pairs, unreachable = eval_ceiling.classify(tmp_path)
    assert pairs == n
    reachable = n - len(unreachable)
    missed = sorted(failed - set(unreachable))
    share = 100 * (reachable - len(missed)) / reachable
    print(f"\n{lang}: {summary}\n{lang}: ceiling {reachable}/{n}; exact on reachable pairs "
          f"{reachable - len(missed)}/{reachable} ({share:.1f}%); missed {missed}")
    assert not set(unreachable) - failed, "a pair judged unreachable was matched: the check is wrong"
    assert float(m.group(3)) >= FLOOR[lang], summary
    assert share >= REACHABLE, missed
