"""Generality: the parser on text made from the UN's own session-78 files, in six languages
and both input shapes (the seed's cleaned text; the raw text a PDF extractor gives), scored
by the shared tools (../shared/tools/unxml2text.py flattens, eval_parse.compare scores)
through scripts/eval_corpus.py, the script `make eval` runs.

Floors sit a few points under the figures `make eval` measured (README's table), so that a
change that loses documents fails here; every file of every language is scored.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT, SHARED

LANGS = ("ar", "en", "fr", "es", "ru", "zh")
# exact share (%) that each language and shape must keep
FLOOR = {
    "cleaned": {"ar": 94.0, "en": 96.0, "fr": 95.5, "es": 96.0, "ru": 96.0, "zh": 96.0},
    "raw": {"ar": 91.0, "en": 93.0, "fr": 93.0, "es": 92.0, "ru": 93.5, "zh": 90.0},
}


@pytest.fixture(scope="module")
def scores(shared, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "eval_corpus.py"), str(CORPUS), str(out),
                           "-j", "2", "--shared", str(SHARED)], capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("shape", ["cleaned", "raw"])
@pytest.mark.parametrize("lang", LANGS)
def test_corpus_score(scores, lang, shape):
    out, figures = scores
    f = figures[f"{lang}.{shape}"]
    assert f["docs"] > 300, f  # every session-78 resolution of the language was flattened and scored
    lines = (out / f"{lang}.{shape}.scores.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) - 1 == f["docs"] - f["exact"], "one line per failing document, then the summary"
    print(f"\n{lang} {shape}: {f['summary']}")
    assert f["percent"] >= FLOOR[shape][lang], "\n".join(lines[-30:])


def test_a_text_in_both_shapes_gives_one_structure(scores):
    """The same resolution read from its cleaned text and from its raw extracted text gives
    the same preamble, operative paragraphs, notes, title and date: compared with each other
    (not with the UN's file), on every tenth resolution of every language."""
    out, _ = scores
    sys.path.insert(0, str(SHARED / "tools"))
    import io
    import eval_parse
    from akn.read import parse_text
    same, differ = 0, []
    for lang in LANGS:
        names = sorted(p.stem for p in (out / f"{lang}.cleaned").glob("*.txt"))
        for name in names[::10]:
            got = []
            for shape in ("cleaned", "raw"):
                src = out / f"{lang}.{shape}" / f"{name}.txt"
                doc = parse_text(src.read_bytes(), str(src))
                s = eval_parse.structure(io.BytesIO(doc.to_bytes()))
                got.append((s["preamble"], s["operative"], s["notes"], s["title"], s["date"]))
            if got[0] == got[1]:
                same += 1
            else:
                differ.append(f"{lang}/{name}")
    print(f"\nthe same structure from both shapes: {same}/{same + len(differ)}; differ: {differ}")
    assert same >= 0.9 * (same + len(differ)), differ


def test_scores_file_names_each_failure(scores):
    out, figures = scores
    for key, f in figures.items():
        for line in (out / f"{key}.scores.txt").read_text(encoding="utf-8").splitlines()[:-1]:
            assert re.match(r"^\S+\.txt: \S", line), line
