"""Shared fixtures.

``../shared/`` (the UN corpus, the evaluation tools) sits beside the project in CI and on
developers' machines, but the project must pass without it: tests that need it ask for the
``shared`` fixture and are skipped, with a message saying so, when it is absent.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AKN_SHARED", ROOT.parent / "shared"))
SEED_TXT = ROOT / "sources" / "A-RES-67-190.ar.txt"
CORPUS = SHARED / "corpus" / "unxml" / "78"
# the smallest English resolution the reader takes: two numbered paragraphs, one citation
SMALL_EN = "\n\n".join([
    "General Assembly Seventy-eighth session", "Agenda item 68",
    "Resolution adopted by the General Assembly on 19 December 2023",
    "78/999. A small resolution", "The General Assembly,",
    "Recalling its resolution 77/1 of 1 December 2022,",
    "1. Welcomes the report of the Secretary-General;",
    "2. Decides to continue its work.", "51st plenary meeting", "19 December 2023"]) + "\n"


class NullStream:
    """A progress stream that is not a terminal and keeps nothing (for akn.build.run)."""

    def write(self, s):
        pass

    def flush(self):
        pass

    def isatty(self):
        return False
LANGS = ("ar", "en", "fr", "es", "ru", "zh")


@pytest.fixture(scope="session")
def shared() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/ is absent ({SHARED}): corpus checks need the UN's session-78 files")
    return SHARED


@pytest.fixture(scope="session")
def seed_doc():
    """The seed parsed in-process: an akn.read.Document (tree + diagnostics)."""
    from akn.read import parse_text
    return parse_text(SEED_TXT.read_bytes(), str(SEED_TXT))


@pytest.fixture(scope="session")
def seed_xml(tmp_path_factory, seed_doc) -> Path:
    """The seed's AKN written to a file, as `akn parse` writes it."""
    out = tmp_path_factory.mktemp("seed") / "A-RES-67-190.ar.xml"
    out.write_bytes(seed_doc.to_bytes())
    return out


def corpus_files(lang: str, n: int | None = None, step: int = 1) -> list[Path]:
    """A deterministic sample of the UN's session-78 files in one language."""
    files = sorted((CORPUS / lang).glob("*.xml"))
    files = files[::step]
    return files[:n] if n else files


def run_akn(*args, check=True, **kw) -> subprocess.CompletedProcess:
    """Run the command line exactly as a user would (a separate process)."""
    kw.setdefault("cwd", ROOT)
    proc = subprocess.run([sys.executable, "-m", "akn", *map(str, args)],
                          capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"akn {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc
