"""akn build / akn index: batch builds are reproducible, stay inside DIR, carry on past a
bad file, and give the bytes `akn parse/html/pdf` give one file at a time.

Kept fast: the seed plus two short UN files (ar, zh), built twice — once in this process
(-j1), once by the command line with two workers (-j2) into another folder.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from akn import build
from tests.conftest import CORPUS, SEED_TXT, NullStream, run_akn

UN = ("ar/A_RES_78_124-2325865A.xml", "zh/A_RES_78_329-2416431C.xml")


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The seed and, when ../shared is there, two UN files, side by side in one folder."""
    src = tmp_path_factory.mktemp("in")
    shutil.copy(SEED_TXT, src / SEED_TXT.name)
    for rel in UN:
        if (CORPUS / rel).is_file():
            (src / rel).parent.mkdir(exist_ok=True)
            shutil.copy(CORPUS / rel, src / rel)
    return sorted(p for p in src.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def twice(inputs, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.delenv("SOURCE_DATE_EPOCH", raising=False)
    a = tmp_path_factory.mktemp("first") / "out"
    status, results = build.run([str(p) for p in inputs], str(a), jobs=1, stream=NullStream())
    assert status == 0, [r.reason for r in results if not r.ok]
    b = tmp_path_factory.mktemp("second") / "elsewhere"
    proc = run_akn("build", *inputs, "-o", b, "-j", "2", env=_env_without_epoch())
    return a, b, proc


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _env_without_epoch():
    import os
    return {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}




def test_two_builds_are_byte_identical(twice, inputs):
    a, b, proc = twice
    da, db = digests(a), digests(b)
    n = len(inputs)
    assert sum(k.endswith((".xml", ".html", ".pdf")) for k in da if k != "index.html") == 3 * n
    assert da == db, {k for k in da.keys() | db.keys() if da.get(k) != db.get(k)}
    assert "index.html" in da
    assert f"{n} built, 0 up to date, 0 failed" in proc.stderr


def test_batch_gives_the_single_commands_bytes(twice, tmp_path):
    """The seed through akn parse -> html -> pdf, one process each, as make does (the page
    is made before the PDF, so make names the PDF it will link)."""
    a, _, _ = twice
    xml = tmp_path / (SEED_TXT.stem + ".xml")
    run_akn("parse", SEED_TXT, "-o", xml, env=_env_without_epoch())
    run_akn("html", xml, "-o", tmp_path / (SEED_TXT.stem + ".html"),
            "--pdf-href", SEED_TXT.stem + ".pdf", env=_env_without_epoch())
    run_akn("pdf", xml, "-o", tmp_path / (SEED_TXT.stem + ".pdf"), env=_env_without_epoch())
    for ext in ("xml", "html", "pdf"):
        name = f"{SEED_TXT.stem}.{ext}"
        assert (tmp_path / name).read_bytes() == (a / name).read_bytes(), name


def test_outputs_keep_the_input_layout_and_the_index_links_them(twice, inputs):
    a, _, _ = twice
    page = (a / "index.html").read_text(encoding="utf-8")
    for p in inputs:
        stem = p.relative_to(_common(inputs)).with_suffix("").as_posix()
        for ext in ("html", "pdf", "xml"):
            assert (a / f"{stem}.{ext}").is_file()
            assert f'href="{stem}.{ext}"' in page
    assert '<html lang="en"' in page and "<caption" in page and 'scope="col"' in page
    assert 'lang="ar" dir="rtl"' in page


def _common(paths):
    import os
    return Path(os.path.commonpath([p.parent for p in paths]))


def test_bad_files_are_listed_and_the_batch_carries_on(tmp_path):
    bad_txt = tmp_path / "in" / "bad.txt"
    bad_xml = tmp_path / "in" / "broken.xml"
    bad_txt.parent.mkdir()
    bad_txt.write_text("hello\n", encoding="utf-8")
    bad_xml.write_bytes(b"<akomaNtoso><unclosed>")
    shutil.copy(SEED_TXT, tmp_path / "in" / SEED_TXT.name)
    proc = run_akn("build", tmp_path / "in", tmp_path / "missing.xml", "-o", tmp_path / "out",
                   "-j", "1", check=False)
    assert proc.returncode == 1
    tail = proc.stderr.split("failures:")[-1]
    assert "bad.txt" in tail and "no title line" in tail
    assert "broken.xml" in tail and "not well-formed" in tail
    assert "missing.xml" in tail and "no such file" in tail
    assert (tmp_path / "out" / f"{SEED_TXT.stem}.pdf").is_file()      # the good one is built
    assert not (tmp_path / "out" / "bad.xml").exists()
    assert not list((tmp_path / "out").glob(".*.tmp"))                  # nothing half-written


def test_stats_are_written_apart_from_the_outputs(tmp_path):
    """`make corpus` records its time with --stats; the outputs folder stays reproducible."""
    import json
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.txt").write_text("hello\n", encoding="utf-8")
    stats = tmp_path / "stats.json"
    proc = run_akn("build", tmp_path / "in", "-o", tmp_path / "out", "-j", "1", "--stats", stats,
                   check=False)
    assert proc.returncode == 1
    got = json.loads(stats.read_text(encoding="utf-8"))
    assert (got["built"], got["failed"], got["up_to_date"], got["jobs"]) == (0, 1, 0, 1)
    assert got["seconds"] >= 0 and len(got["load_start"]) == 3
    assert not [p.name for p in (tmp_path / "out").iterdir() if "stats" in p.name]


def test_output_names_cannot_leave_the_folder(tmp_path):
    out = tmp_path / "out"
    jobs, refused = build.plan([str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"),
                                str(tmp_path / "a" / "x.xml")], str(out))
    assert [j.stem for j in jobs] == ["a/x", "b/x"]
    assert len(refused) == 1 and "same output name" in refused[0].reason
    for job in jobs:
        assert (out / job.stem).resolve().is_relative_to(out.resolve())


def test_index_escapes_what_it_shows():
    page = build.index_page([{"stem": 'we ird/"<x>#?', "symbol": "<script>alert(1)</script>",
                              "title": 'A & B "quoted" <b>', "lang": "en", "dir": "ltr",
                              "adopted": "2023-01-01"}])
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>" not in page and "A &amp; B" in page
    assert 'href="we%20ird/%22%3Cx%3E%23%3F.pdf"' in page


def test_index_keeps_the_adoption_date_on_one_line():
    """At 1280 px the "Adopted" column wrapped "2023-11-" / "29" (a hyphen lets a line
    break): the date is a <time> in a cell the stylesheet keeps on one line."""
    import re
    page = build.index_page([{"stem": "a", "symbol": "A/RES/78/1", "title": "T", "lang": "en",
                              "dir": "ltr", "adopted": "2023-11-29"},
                             {"stem": "b", "symbol": "A/RES/78/2", "title": "T", "lang": "en",
                              "dir": "ltr", "adopted": ""}])
    assert '<td class="date"><time datetime="2023-11-29">2023-11-29</time></td>' in page
    assert '<td class="date"></td>' in page
    assert re.search(r"td\.date\s*\{\s*white-space:\s*nowrap;", page.split("</style>")[0])


def test_a_second_build_skips_what_is_up_to_date(tmp_path):
    """Same input bytes and same code: nothing is rebuilt (the files are not even touched);
    a changed input is rebuilt; --force rebuilds all."""
    src = tmp_path / "in" / SEED_TXT.name
    src.parent.mkdir()
    shutil.copy(SEED_TXT, src)
    out = tmp_path / "out"
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert status == 0 and results[0].reason == ""
    pdf = out / f"{SEED_TXT.stem}.pdf"
    before = (pdf.stat().st_mtime_ns, digests(out))
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert status == 0 and results[0].reason == "up to date"
    assert (pdf.stat().st_mtime_ns, digests(out)) == before       # untouched, index too
    src.write_bytes(src.read_bytes() + b"\n")                       # a changed input
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert status == 0 and results[0].reason == ""
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream(), force=True)
    assert results[0].reason == ""
