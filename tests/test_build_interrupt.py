"""akn build stopped half-way: by SIGTERM, by a terminal's Ctrl-C, by a changed output.

The manifest never says "up to date" for an output that is not what it records; the workers
never outlive the build; no temporary is left; the next build makes exactly what was not
finished. Builds of a few copies of the seed (each copy ~1-2 s of CPU)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from akn import build
from tests.conftest import ROOT, SEED_TXT, NullStream

TITLE_A = "لمكافحة الاتجار بالأشخاص"
TITLE_B = "لمكافحة القرصنة البحرية"




def _seed(title: str = TITLE_A) -> bytes:
    lines = SEED_TXT.read_text(encoding="utf-8").split("\n")
    lines[9] = lines[9].replace(TITLE_A, title)   # the title line only
    return "\n".join(lines).encode("utf-8")


def _inputs(folder: Path, n: int, title: str = TITLE_A) -> list[Path]:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"s{i}.txt").write_bytes(_seed(title))
    return sorted(folder.glob("*.txt"))


def _start(src: Path, out: Path, jobs: int = 2) -> subprocess.Popen:
    """`akn build` in a session of its own, as a shell would start it."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.Popen([sys.executable, "-m", "akn", "build", str(src), "-o", str(out),
                             "-j", str(jobs)], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finished(out: Path) -> int:
    """Documents the build has recorded as finished so far (journal or manifest)."""
    n = 0
    try:
        for line in (out / "build-manifest.journal").read_text(encoding="utf-8").splitlines():
            n += '"rec": {' in line
    except OSError:
        pass
    return n


def _wait_first(proc: subprocess.Popen, out: Path) -> None:
    deadline = time.monotonic() + 300
    while _finished(out) < 1:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no document finished in 300 s"
        time.sleep(0.05)


def _session(sid: int) -> list[str]:
    """Live processes of a session (/proc), zombies excepted."""
    left = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            left.append(f"{d.name} {stat[:60]}")
    return left


def _no_one_left(sid: int) -> list[str]:
    deadline = time.monotonic() + 5
    while _session(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _session(sid)


def _temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob("*.tmp"))


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_stopped_build_leaves_no_worker_no_temporary_and_resumes(tmp_path, how):
    """SIGTERM to the build (`kill PID`) or SIGINT to its process group (a terminal's
    Ctrl-C): it stops at once (exit 143 / 130, no traceback), no worker survives it, no
    `.tmp` is left, and the next build makes exactly the files that were not finished."""
    src, out = tmp_path / "in", tmp_path / "out"
    inputs = _inputs(src, 6)
    proc = _start(src, out)
    _wait_first(proc, out)
    sig = getattr(signal, how)
    if how == "SIGINT":
        os.killpg(proc.pid, sig)      # the terminal sends it to the foreground group
    else:
        os.kill(proc.pid, sig)
    t0 = time.monotonic()
    _, err = proc.communicate(timeout=120)
    stopped = time.monotonic() - t0
    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert f"interrupted ({how})" in err, err
    assert _no_one_left(proc.pid) == []
    assert _temporaries(out) == []
    kept = json.loads((out / "build-manifest.json").read_text(encoding="utf-8"))["docs"]
    assert 1 <= len(kept) < len(inputs), (kept.keys(), stopped, err)
    assert f"{len(kept)} finished files kept" in err or f"{len(kept)} finished file kept" in err
    again = _start(src, out)
    _, err2 = again.communicate(timeout=600)
    assert again.returncode == 0, err2
    assert f"{len(inputs) - len(kept)} built, {len(kept)} up to date, 0 failed" in err2, err2
    for p in inputs:
        page = (out / f"{p.stem}.html").read_text(encoding="utf-8")
        assert TITLE_A in page and (out / f"{p.stem}.pdf").stat().st_size > 10_000
    status, _ = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert status == 0 and not _temporaries(out)


def test_an_interrupted_build_never_makes_a_stale_up_to_date(tmp_path):
    """The issue's reproduction: build inputs A; change them to B and interrupt the build
    after its first file; restore A and build again: every output holds A's title (it said
    "N up to date ... 0 built", exit 0, with outputs still holding B's)."""
    src, out = tmp_path / "in", tmp_path / "out"
    inputs = _inputs(src, 4)
    status, _ = build.run([str(src)], str(out), jobs=2, stream=NullStream())
    assert status == 0
    _inputs(src, 4, TITLE_B)
    proc = _start(src, out)
    _wait_first(proc, out)
    os.kill(proc.pid, signal.SIGTERM)
    proc.communicate(timeout=120)
    assert proc.returncode == 143
    assert any(TITLE_B in (out / f"{p.stem}.html").read_text(encoding="utf-8") for p in inputs)
    _inputs(src, 4, TITLE_A)
    status, results = build.run([str(src)], str(out), jobs=2, stream=NullStream())
    assert status == 0
    assert any(r.reason != "up to date" for r in results)
    for p in inputs:
        for ext in ("html", "xml"):
            text = (out / f"{p.stem}.{ext}").read_text(encoding="utf-8")
            assert TITLE_A in text and TITLE_B not in text, (p.name, ext)


def test_a_changed_or_missing_output_is_rebuilt(tmp_path):
    """Up to date means: the same input AND each output as the manifest records it."""
    src, out = tmp_path / "in", tmp_path / "out"
    _inputs(src, 2)
    assert build.run([str(src)], str(out), jobs=1, stream=NullStream())[0] == 0
    good = (out / "s0.html").read_bytes()
    (out / "s0.html").write_bytes(good.replace(TITLE_A.encode(), TITLE_B.encode()))
    (out / "s1.pdf").unlink()
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert status == 0
    assert sorted(r.reason for r in results) == ["", ""]
    assert (out / "s0.html").read_bytes() == good and (out / "s1.pdf").is_file()
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert [r.reason for r in results] == ["up to date", "up to date"]


def test_temporaries_of_a_killed_build_are_swept(tmp_path):
    """SIGKILL leaves `.NAME.XXXXXXXX.tmp` (nothing can clean after it): the next build in
    the folder removes them, and only them."""
    src, out = tmp_path / "in", tmp_path / "out"
    _inputs(src, 1)
    (out / "sub").mkdir(parents=True)
    left = [out / ".s0.html.ab12cd_9.tmp", out / ".index.html.zz99zz99.tmp"]
    for p in left:
        p.write_bytes(b"half")
    mine = [out / ".keep.tmp", out / "notes.tmp", out / "sub" / ".x.html.ab12cd_9.tmp"]
    for p in mine:
        p.write_bytes(b"not akn's")
    assert build.run([str(src)], str(out), jobs=1, stream=NullStream())[0] == 0
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in mine)   # not akn's pattern, or not a folder it writes


def test_a_non_utf8_name_fails_alone(tmp_path):
    """A source whose name is not UTF-8 aborted the whole build: now it fails alone, with
    FILE:0:0 (the name with escapes), and the others are built."""
    src = tmp_path / "in"
    _inputs(src, 1)
    bad = os.fsencode(src) + b"/bad\xff.txt"
    with open(bad, "wb") as fh:
        fh.write(_seed())
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.run([sys.executable, "-m", "akn", "build", str(src), "-o",
                           str(tmp_path / "out"), "-j", "1"], cwd=ROOT, env=env,
                          capture_output=True)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, err
    assert "bad\\xff.txt:0:0: error: the file name is not valid UTF-8" in err, err
    assert "1 built, 0 up to date, 1 failed" in err
    assert "internal error" not in err and "Traceback" not in err
    assert (tmp_path / "out" / "s0.pdf").is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "build-manifest.json", "build-warnings.txt", "index.html", "s0.html", "s0.pdf", "s0.xml"]


def test_a_source_named_index_does_not_lose_its_page(tmp_path):
    """`index.txt` -> DIR/index.html was overwritten by the catalogue: refused, named."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "index.txt").write_bytes(_seed())
    out = tmp_path / "out"
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream())
    assert status == 1
    assert "index.txt:0:0: error:" in results[0].reason and "catalogue" in results[0].reason
    assert not (out / "index.xml").exists()
    status, results = build.run([str(src)], str(out), jobs=1, stream=NullStream(), index=False)
    assert status == 0 and TITLE_A in (out / "index.html").read_text(encoding="utf-8")
