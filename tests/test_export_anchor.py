"""akn export, issue 16: a full disk, a --pdf that is not a PDF, a FIFO in a bag, a huge
payload file, and consistent forgeries caught by the bag's anchor."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from akn import bag as export
from akn.diagnostics import AknError
from conftest import SEED_TXT, run_akn
from test_export import NAME, bag, files_of, reseal, seed_pdf  # noqa: F401 — fixtures


def test_a_full_disk_is_a_clear_error_and_nothing_half_written(seed_xml, seed_pdf, tmp_path,
                                                               monkeypatch):
    """ENOSPC while writing the bag: an AknError (exit 1) naming the bag (it was exit 3), no
    temporary folder left, the previous bag untouched."""
    out = tmp_path / "out"
    export.export(seed_xml, out, source=SEED_TXT, pdf=seed_pdf)
    before = files_of(out)

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "write", full)
    with pytest.raises(AknError) as e:
        export.export(seed_xml, out, source=SEED_TXT, pdf=seed_pdf)
    monkeypatch.undo()
    assert "No space left on device" in str(e.value) and "nothing was replaced" in str(e.value)
    assert files_of(out) == before


def test_a_pdf_that_is_not_a_pdf_is_refused(seed_xml, tmp_path):
    fake = tmp_path / "not.pdf"
    fake.write_bytes(b"hello, I am text\n")
    proc = run_akn("export", seed_xml, "-o", tmp_path / "out", "--pdf", fake, check=False)
    assert proc.returncode == 1, proc.stderr
    assert f"{fake}:0:0: error: not a PDF that can be read" in proc.stderr
    assert "internal error" not in proc.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_check_never_opens_a_fifo(bag, tmp_path):  # noqa: F811
    """A FIFO named like a payload file: an error at once, not a hang."""
    forged = tmp_path / NAME
    shutil.copytree(bag, forged)
    os.mkfifo(forged / "data" / "0.xml")
    proc = run_akn("export", "--check", forged, check=False, timeout=60)
    assert proc.returncode == 1
    assert "data/0.xml: not a regular file" in proc.stderr


def test_check_reads_payload_in_chunks(bag, tmp_path, monkeypatch):  # noqa: F811
    """No payload file is read whole (a 1.5 GB payload file cost 1.5 GB of memory): every
    read asks for a bounded size."""
    forged = tmp_path / NAME
    shutil.copytree(bag, forged)
    with open(forged / "data" / "big.bin", "wb") as fh:
        fh.truncate(64 << 20)       # sparse: 64 MB of zeros
    reseal(forged)
    import tracemalloc
    tracemalloc.start()
    problems = export.check(forged)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 24 << 20, f"{peak >> 20} MB allocated to check a bag with a 64 MB file"
    assert problems == []   # consistent: only the anchor tells (below)


def _forge(bag: Path, tmp_path: Path, how: str) -> Path:  # noqa: F811
    forged = tmp_path / "forged" / NAME
    shutil.copytree(bag, forged)
    data = forged / "data"
    meta = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    if how == "script-page":
        page = b"<!DOCTYPE html><script>alert(1)</script>"
        (data / f"{NAME}.html").write_bytes(page)
        meta["files"]["html"].update(bytes=len(page), sha256=hashlib.sha256(page).hexdigest())
    elif how == "metadata":
        meta["title"] = "Something else entirely"
    else:
        (data / "extra.js").write_text("alert(1)", encoding="utf-8")
    (data / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    reseal(forged)
    return forged


@pytest.mark.parametrize("how", ["script-page", "metadata", "added-file"])
def test_a_consistent_forgery_is_caught_by_the_anchor(bag, tmp_path, how):  # noqa: F811
    """Files replaced or added and the manifests recomputed: still "valid" by its own
    manifests (it was "valid bag"), but its anchor is not the one recorded at export, and
    `--check --expect` exits 1."""
    proc = run_akn("export", "--check", bag, "--expect", export.anchor(bag))
    assert "valid bag" in proc.stdout and "anchor as expected" in proc.stdout
    forged = _forge(bag, tmp_path, how)
    assert export.check(forged) == []
    proc = run_akn("export", "--check", forged, "--expect", export.anchor(bag), check=False)
    assert proc.returncode == 1
    assert "is not the expected" in proc.stderr and "not the bag that was archived" in proc.stderr
    # the anchor file written beside the bag at export catches it too, when left there
    shutil.copy(export.anchor_file(bag), export.anchor_file(forged))
    assert any("differs from the one recorded" in p for p in export.check(forged))


def test_export_prints_and_records_the_anchor(seed_xml, seed_pdf, tmp_path):  # noqa: F811
    pdf = tmp_path / "seed.pdf"
    pdf.write_bytes(seed_pdf)
    proc = run_akn("export", seed_xml, "-o", tmp_path / "bags", "--pdf", pdf)
    bag = tmp_path / "bags" / NAME
    digest = export.anchor(bag)
    assert proc.stdout.splitlines()[1].startswith(f"anchor {digest} ")
    assert export.anchor_file(bag).read_text() == \
        f"{digest.split(':')[1]}  {NAME}/tagmanifest-sha256.txt\n"
    ok = subprocess.run(["sha256sum", "-c", export.anchor_file(bag).name], cwd=bag.parent,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = run_akn("export", "--check", bag, "--expect", "sha256:" + "0" * 64, check=False)
    assert wrong.returncode == 1
