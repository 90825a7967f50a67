"""Generality: the parser on text made from the UN's own session-78 files, in Arabic and
English, scored by ../shared/tools/eval_parse.py against the UN's structure.

The figures are regression floors, not the goal: issue #2 asks for 95% exact in both
languages; README.md reports the current full-corpus figures and what keeps the rest apart.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import CORPUS, SHARED, corpus_files

TOOLS = SHARED / "tools"
# every other file, to keep the suite's time modest (the full run is `make eval`)
STEP = 2
FLOOR = {"ar": 77.0, "en": 86.0}


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
                           "--show", "0", "--cmd", f"{sys.executable} -m akn parse {{src}} -o {{out}}"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    m = re.search(r"docs (\d+)\s+exact (\d+) \(([\d.]+)%\)", summary)
    assert m, summary
    print(f"\n{lang}: {summary}")
    assert int(m.group(1)) == n
    assert float(m.group(3)) >= FLOOR[lang], summary
