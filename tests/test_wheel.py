"""akn as a user gets it: a copy of the checkout -> sdist -> wheel (built from the sdist, with
`python -m build`) -> a fresh venv outside the repository (dependencies from the package index
or pip's cache, pinned by constraints.txt) -> every subcommand run from an unrelated folder, on
the seed and on UN files in six languages.

A wheel that looks for its templates or schema profile beside a checkout fails here (it did:
`akn html` exited 3 with "stylesheet not found: …/site-packages/templates/palette.css").
About 45 s on the 2-CPU test machine (build and install ~15 s, from pip's cache).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, LANGS, ROOT, SEED_TXT, SHARED

SMALL_UN = "A_RES_78_124-*.xml"   # the shortest resolution of session 78, in every language
IGNORE = shutil.ignore_patterns(".git", ".venv", "build", ".tools", "node_modules", "*.egg-info",
                                "__pycache__", ".pytest_cache", ".hypothesis", "dist")


def _copy_checkout(dest: Path) -> None:
    """What a clean clone holds (tracked and new, not ignored, files), symlinks as symlinks."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout
        names = sorted({n.decode() for n in listed.split(b"\0") if n})
    except (OSError, subprocess.CalledProcessError):   # not a git checkout (a tarball)
        shutil.copytree(ROOT, dest, symlinks=True, ignore=IGNORE)
        return
    for name in names:
        src, out = ROOT / name, dest / name
        if not os.path.lexists(src):
            continue   # deleted in the working tree
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), out)
        else:
            shutil.copy2(src, out)


def _run(cmd, cwd, env, input=None, ok=True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, input=input,
                          capture_output=True, timeout=900)
    if ok and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n"
                             f"{proc.stderr.decode(errors='replace')[-3000:]}")
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's bin folder, an environment without the checkout, a work folder)."""
    base = tmp_path_factory.mktemp("wheel")
    src, dist, venv, work = base / "src", base / "dist", base / "venv", base / "work"
    _copy_checkout(src)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH")}
    _run([sys.executable, "-m", "build", "--outdir", dist, src], base, env)
    [sdist] = dist.glob("akn-*.tar.gz")
    [wheel] = dist.glob("akn-*.whl")
    # the data travels inside both, byte for byte what the top-level folders hold
    with zipfile.ZipFile(wheel) as z, tarfile.open(sdist) as t:
        members = {m.name.split("/", 1)[1]: m for m in t.getmembers() if m.isfile()}
        for folder in ("templates", "xsd"):
            for f in sorted((ROOT / folder).iterdir()):
                data = f.read_bytes()
                assert z.read(f"akn/{folder}/{f.name}") == data, f
                assert t.extractfile(members[f"akn/{folder}/{f.name}"]).read() == data, f
    _run([sys.executable, "-m", "venv", venv], base, env)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
          "-c", ROOT / "constraints.txt", wheel], base, env)
    work.mkdir()
    env = dict(env, PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    where = _run(["python", "-c", "import akn; print(akn.__file__)"], work, env).stdout.decode()
    assert where.startswith(str(venv)) and str(ROOT) not in where, where
    return venv / "bin", env, work


def test_every_command_on_the_seed(installed):
    bin_, env, work = installed
    a = bin_ / "akn"
    shutil.copy(SEED_TXT, work / "seed.txt")
    version = _run([a, "--version"], work, env).stdout.decode()
    assert version.startswith("akn ") and "WeasyPrint 70.0" in version and "(checked)" in version
    _run([a, "parse", "seed.txt", "-o", "seed.xml", "--report", "seed.json"], work, env)
    prof = _run([a, "validate", "--profile", "seed.xml"], work, env).stdout.decode()
    assert "UN-resolution profile (xsd/un-resolution.xsd): passed" in prof
    _run([a, "pdf", "seed.xml"], work, env)
    _run([a, "html", "seed.xml"], work, env)
    page = (work / "seed.html").read_text(encoding="utf-8")
    assert 'href="seed.xml"' in page and 'href="seed.pdf"' in page and "<style>" in page
    _run([a, "index", "seed.xml", "-o", "index.html"], work, env)
    _run([a, "export", "seed.xml", "-o", "bags", "--source", "seed.txt", "--pdf", "seed.pdf"], work, env)
    _run([a, "export", "--check", "bags"], work, env)
    _run([a, "build", "seed.txt", "-o", "built", "-j", "1"], work, env)
    assert sorted(p.name for p in (work / "built").iterdir()) == [
        "build-manifest.json", "build-warnings.txt", "index.html", "seed.html", "seed.pdf", "seed.xml"]
    # the same bytes as the checkout's own environment makes
    assert (work / "seed.xml").read_bytes() == (work / "built" / "seed.xml").read_bytes()
    # streams: cat seed.txt | akn parse - -o - | akn html - -o -
    xml = _run([a, "parse", "-", "-o", "-", "-q"], work, env, input=SEED_TXT.read_bytes()).stdout
    html = _run([a, "html", "-", "-o", "-"], work, env, input=xml).stdout
    assert html.startswith(b"<!DOCTYPE html>") and "A/RES/67/190".encode() in html
    # the library
    doc = _run(["python", "-c", "import akn; help(akn)"], work, dict(env, PAGER="cat")).stdout.decode()
    assert "parse_text(text" in doc and "to_pdf(doc" in doc
    tests = _run(["python", "-c", "import doctest, akn; r = doctest.testmod(akn, optionflags="
                  "doctest.ELLIPSIS); print(r.failed, r.attempted)"], work, env).stdout.split()
    assert tests[0] == b"0" and int(tests[1]) >= 12


def test_every_command_on_un_files_in_six_languages(installed, shared):
    bin_, env, work = installed
    a = bin_ / "akn"
    un = work / "un"
    un.mkdir()
    files = []
    for lang in LANGS:
        [f] = sorted((CORPUS / lang).glob(SMALL_UN))
        files.append(shutil.copy(f, un / f"{lang}.xml"))
    out = _run([a, "validate", "--profile", *files], work, env).stdout.decode().splitlines()
    assert len(out) == 6 and all(": valid (Akoma Ntoso 3.0" in line for line in out)
    for lang in LANGS:
        _run([a, "pdf", f"un/{lang}.xml"], work, env)
        _run([a, "html", f"un/{lang}.xml"], work, env)
        page = (un / f"{lang}.html").read_text(encoding="utf-8")
        assert f'lang="{lang}"' in page and f'href="{lang}.pdf"' in page
        _run([a, "export", f"un/{lang}.xml", "-o", "un-bags", "--pdf", f"un/{lang}.pdf", "-q"], work, env)
    _run([a, "export", "--check", "un-bags"], work, env)
    _run([a, "index", *[f"un/{lang}.xml" for lang in LANGS], "-o", "un/index.html"], work, env)
    catalogue = (un / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{lang}.pdf"' in catalogue for lang in LANGS)
    _run([a, "build", un, "-o", "un-built", "-j", "2"], work, env)
    assert len(list((work / "un-built").glob("*.pdf"))) == 6
    # the parser, on the UN's text of each language it reads (flattened by the shared tool)
    langs = _run(["python", "-c", "from akn import lang; print(*lang.available())"], work, env)
    readable = [x for x in langs.stdout.decode().split() if x in LANGS]
    assert {"ar", "en"} <= set(readable)
    for lang in readable:
        _run(["python", SHARED / "tools" / "unxml2text.py", un / f"{lang}.xml", work / f"{lang}.txt"],
             work, env)
        _run([a, "parse", f"{lang}.txt", "-q"], work, env)
        _run([a, "validate", "-q", f"{lang}.xml"], work, env)
