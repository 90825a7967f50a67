"""akn export: one BagIt bag per resolution, byte-reproducible, checked by bagit.py and by
``akn export --check`` (which must catch one changed byte in any file).

The seed's PDF is rendered once per session; every export here reuses it (``pdf=``)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
from pathlib import Path

import bagit
import pytest
from hypothesis import given, settings, strategies as st

from akn import __version__, schema
from akn import bag as export   # the module (akn.export is the API function)
from akn.diagnostics import AknError
from conftest import SEED_TXT, run_akn

NAME = "A-RES-67-190.ar"
SAFE = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\.[a-z0-9]+)?")


@pytest.fixture(scope="session")
def seed_pdf(seed_xml) -> bytes:
    from akn import xmlsafe
    from akn.render import pdf
    return pdf.render(xmlsafe.parse_file(seed_xml), xml_bytes=seed_xml.read_bytes(),
                      source_name=seed_xml.name)


@pytest.fixture(scope="session")
def bag(tmp_path_factory, seed_xml, seed_pdf) -> Path:
    out = export.export(seed_xml, tmp_path_factory.mktemp("export"), source=SEED_TXT,
                        pdf=seed_pdf)
    return out.path


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def fake_pdf(xml_bytes: bytes, name: str = "doc.xml") -> bytes:
    """A one-page PDF carrying xml_bytes: enough for export's and check's PDF test."""
    import pikepdf
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, xml_bytes, mime_type="text/xml")
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def reseal(path: Path) -> None:
    """Rewrite the manifests so they agree with the payload again (a careful forger)."""
    export.write_tags(path, export.read_bag_info(path))


# ---------------------------------------------------------------- the bag

def test_bag_is_valid_for_bagit_and_for_check(bag):
    assert bag.name == NAME
    b = bagit.Bag(str(bag))
    b.validate()                      # raises on any problem
    assert b.is_valid() and b.version_info == (1, 0)
    assert sorted(b.payload_files()) == sorted(
        [*(f"data/{NAME}.{ext}" for ext in ("html", "pdf", "txt", "xml")), "data/metadata.json"])
    assert set(b.algorithms) == {"sha256", "sha512"}
    assert export.check(bag) == []


def test_manifests_sorted_and_bag_info(bag):
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt",
                 "tagmanifest-sha512.txt"):
        paths = [line.split(None, 1)[1] for line in (bag / name).read_text().splitlines()]
        assert paths == sorted(paths), name
    info = dict(export.read_bag_info(bag))
    assert info["External-Identifier"] == "A/RES/67/190"
    assert info["Source-Organization"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    want = time.strftime("%Y-%m-%d", time.gmtime(int(epoch))) if epoch.isdigit() else "2012-12-20"
    assert info["Bagging-Date"] == want            # the document's date, never today's
    payload = [p for p in (bag / "data").iterdir()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    assert "reuse" in info["Internal-Sender-Description"]
    assert "الرجاء إعادة الاستعمال" in info["Internal-Sender-Description"]  # the source's mark
    assert info["Bag-Software-Agent"].startswith(f"akn {__version__}")


def test_metadata_says_what_was_changed(bag, seed_doc):
    meta = json.loads((bag / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["symbol"] == "A/RES/67/190"
    assert meta["language"] == {"akn": "ara", "bcp47": "ar"}
    assert meta["title"].startswith("تحسين تنسيق")
    work = "/akn/un/statement/deliberation/unga/2012-12-20/67-190/"
    assert meta["frbr"]["work"]["uri"] == work
    assert meta["frbr"]["expression"]["uri"] == work + "ara@/"
    assert meta["frbr"]["manifestation"]["uri"] == work + "ara@.xml"
    assert meta["dates"]["adoption"] == "2012-12-20"
    assert "publication" in meta["dates"]
    assert meta["schema"]["sha256"] == schema.schema_sha256()
    assert meta["tool"]["akn"] == __version__ and meta["tool"]["bagit"] == "1.9.0"
    d = meta["diagnostics"]
    assert d["source_parse_matches_xml"] is True
    assert len(d["items"]) == len(seed_doc.diagnostics.items)
    codes = {x["code"] for x in d["items"]}
    assert {"call-repaired", "number-reversed", "artifact"} <= codes
    assert {x["file"] for x in d["items"]} == {f"{NAME}.txt"}   # the file in the bag
    kinds = {r["record"] for r in meta["recorded_in_xml"]}
    assert kinds == {"artifact", "normalised"}
    for ent in meta["files"].values():
        data = (bag / "data" / ent["path"]).read_bytes()
        assert len(data) == ent["bytes"]
    assert "reuse" in meta["reuse"]


def test_html_links_stay_inside_the_bag(bag):
    page = (bag / "data" / f"{NAME}.html").read_text(encoding="utf-8")
    assert f'href="{NAME}.xml"' in page and f'href="{NAME}.pdf"' in page


# ---------------------------------------------------------------- tampering

def tamper_cases(bag: Path):
    for rel, data in files_of(bag).items():
        for pos in sorted({0, len(data) // 2, len(data) - 1}):
            yield rel, pos


def test_one_changed_byte_in_any_file_is_caught(bag, tmp_path):
    cases = list(tamper_cases(bag))
    assert len({rel for rel, _ in cases}) == 11     # 5 payload files + 6 tag files
    for i, (rel, pos) in enumerate(cases):
        copy = tmp_path / f"t{i}" / NAME
        shutil.copytree(bag, copy)
        target = copy / rel
        data = bytearray(target.read_bytes())
        data[pos] ^= 0x01
        target.write_bytes(bytes(data))
        problems = export.check(copy)
        assert problems, f"a changed byte at {pos} of {rel} went unnoticed"
        assert any(rel in p or Path(rel).name in p for p in problems), (rel, problems)
        shutil.rmtree(copy.parent)


def test_check_catches_a_pdf_carrying_other_xml(bag, tmp_path, seed_xml):
    copy = tmp_path / NAME
    shutil.copytree(bag, copy)
    other = seed_xml.read_bytes().replace(b"2012-12-20", b"2012-12-21", 1)
    (copy / "data" / f"{NAME}.pdf").write_bytes(fake_pdf(other))
    reseal(copy)
    problems = export.check(copy)
    assert any("the XML it carries differs" in p for p in problems), problems


def test_check_catches_schema_invalid_xml(bag, tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(bag, copy)
    xml = copy / "data" / f"{NAME}.xml"
    xml.write_bytes(xml.read_bytes().replace(b"<preamble", b"<preambel", 1)
                    .replace(b"</preamble>", b"</preambel>", 1))
    reseal(copy)
    problems = export.check(copy)
    assert any("not valid Akoma Ntoso 3.0" in p for p in problems), problems


def test_check_refuses_symlinks(bag, tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(bag, copy)
    (copy / "data" / "passwd").symlink_to("/etc/passwd")
    assert any("symbolic link" in p for p in export.check(copy))


# ---------------------------------------------------------------- reproducible, atomic

def test_two_exports_are_byte_identical(bag, seed_xml, seed_pdf, tmp_path):
    again = export.export(seed_xml, tmp_path / "a", source=SEED_TXT, pdf=seed_pdf).path
    assert files_of(again) == files_of(bag)
    # and once more over the existing bag (replaced in place)
    third = export.export(seed_xml, tmp_path / "a", source=SEED_TXT, pdf=seed_pdf).path
    assert third == again and files_of(third) == files_of(bag)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [NAME, f"{NAME}.sha256"]  # no temp dirs


def test_bagging_date_follows_source_date_epoch(seed_xml, seed_pdf, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")      # 2023-11-14
    out = export.export(seed_xml, tmp_path, pdf=seed_pdf)
    assert dict(export.read_bag_info(out.path))["Bagging-Date"] == "2023-11-14"
    assert export.check(out.path) == []


def test_failed_export_keeps_the_previous_bag(bag, seed_xml, seed_pdf, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(bag, out / NAME)
    before = files_of(out)

    def broken(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(export, "write_tags", broken)
    with pytest.raises(RuntimeError):
        export.export(seed_xml, out, source=SEED_TXT, pdf=seed_pdf)
    assert files_of(out) == before
    assert [p.name for p in out.iterdir()] == [NAME]


def test_stale_pdf_is_refused(seed_xml, seed_pdf, tmp_path):
    with pytest.raises(AknError, match="does not carry the XML"):
        export.export(seed_xml, tmp_path, pdf=fake_pdf(b"<other/>"))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_not_a_bag_is_never_replaced(seed_xml, seed_pdf, tmp_path):
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "notes.txt").write_text("mine")
    with pytest.raises(AknError, match="not a bag"):
        export.export(seed_xml, tmp_path, pdf=seed_pdf)
    assert (tmp_path / NAME / "notes.txt").read_text() == "mine"


def test_report_instead_of_source(seed_xml, seed_pdf, seed_doc, tmp_path):
    rep = tmp_path / "r.json"
    rep.write_text(json.dumps(seed_doc.report(), ensure_ascii=False), encoding="utf-8")
    out = export.export(seed_xml, tmp_path / "o", report=rep, pdf=seed_pdf)
    meta = json.loads((out.path / "data" / "metadata.json").read_text(encoding="utf-8"))
    assert len(meta["diagnostics"]["items"]) == len(seed_doc.diagnostics.items)
    assert "source" not in meta["files"]
    assert not (out.path / "data" / f"{NAME}.txt").exists()
    assert export.check(out.path) == []


# ---------------------------------------------------------------- names stay inside DIR

HOSTILE = ["../../etc/passwd", "/etc/passwd", "A/RES/../../x", "A\\RES\\..\\x",
           "A/RES/67/190\x00../x", " ~/A/RES/1", "A/RES/٦٧/١٩٠", "A/RES/ＡＢ/1", "…/x",
           "a" * 5000, "-/-/x-", ".hidden"]


@pytest.mark.parametrize("symbol", HOSTILE)
def test_bag_name_is_one_safe_component(symbol, tmp_path):
    name = export.bag_name(symbol, "ar")
    assert SAFE.fullmatch(name), name
    assert export.bag_path(tmp_path, name).parent == tmp_path.resolve()


@pytest.mark.parametrize("symbol", ["", ".", "..", "../..", "/", "\x00", "。。/"])
def test_symbol_without_letters_is_refused(symbol):
    with pytest.raises(AknError):
        export.bag_name(symbol, "ar")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(max_size=12))
def test_any_symbol_gives_a_safe_name_or_an_error(symbol, lang):
    try:
        name = export.bag_name(symbol, lang)
    except AknError:
        return
    assert SAFE.fullmatch(name) and name not in (".", "..") and len(name) <= 130


def test_hostile_symbol_in_the_xml_stays_inside(seed_xml, tmp_path):
    xml = seed_xml.read_bytes().replace(b'value="A/RES/67/190" name="symbol"',
                                        b'value="../../../evil/.." name="symbol"')
    assert b"../../../evil" in xml
    doc = tmp_path / "in" / "doc.xml"
    doc.parent.mkdir()
    doc.write_bytes(xml)
    out_dir = tmp_path / "deep" / "out"
    out = export.export(doc, out_dir, pdf=fake_pdf(xml))
    assert out.path.parent == out_dir.resolve() and out.path.name == "evil.ar"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "in"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]


# ---------------------------------------------------------------- the command line

def test_cli_export_and_check(seed_xml, seed_pdf, tmp_path):
    pdf = tmp_path / "seed.pdf"
    pdf.write_bytes(seed_pdf)
    out = tmp_path / "bags"
    proc = run_akn("export", seed_xml, "-o", out, "--source", SEED_TXT, "--pdf", pdf)
    lines = proc.stdout.splitlines()
    assert lines[0].endswith(NAME) and lines[1].startswith("anchor sha256:")
    assert "valid bag" in run_akn("export", "--check", out).stdout
    target = out / NAME / "data" / f"{NAME}.txt"
    target.write_bytes(target.read_bytes() + b"x")
    proc = run_akn("export", "--check", out, check=False)
    assert proc.returncode == 1
    assert f"data/{NAME}.txt" in proc.stderr
    assert run_akn("export", "--check", tmp_path / "nothing", check=False).returncode == 1
    assert run_akn("export", seed_xml, check=False).returncode == 2


def test_bag_does_not_depend_on_how_the_pdf_was_had(bag, seed_xml, seed_pdf, tmp_path,
                                                    monkeypatch):
    """Rendered here or reused with --pdf: the same bag (the renderer is stubbed with the
    session's PDF, whose rendering is the PDF writer's own tests' business)."""
    from akn.render import pdf
    monkeypatch.setattr(pdf, "render_full", lambda tree, **kw: pdf.Rendered(
        seed_pdf, 1, ["a tagging remark"], pdf.facts(tree)))
    out = export.export(seed_xml, tmp_path, source=SEED_TXT)
    assert out.warnings == ["PDF tagging: a tagging remark"]
    assert files_of(out.path) == files_of(bag)
