"""Our XSD 1.1 profile of a UN resolution (xsd/un-resolution.xsd), on top of the official
schema: unique eIds, statement name="resolution", a language, every note with its marker,
every noteRef resolving."""
from __future__ import annotations

import pytest
from lxml import etree

from akn import schema
from conftest import corpus_files, run_akn


def test_seed_passes_the_profile(seed_xml):
    assert schema.profile_errors(etree.parse(str(seed_xml))) == []
    assert run_akn("validate", "--profile", seed_xml).returncode == 0


@pytest.mark.parametrize("change,broken,official", [
    (('name="resolution"', 'name="decision"'), "statement name", False),
    (('eId="para_2"', 'eId="para_1"'), "every eId is unique", True),
    (('marker="5"', 'marker=" "'), "has a marker", False),
    (('href="#note_3"', 'href="#note_99"'), "noteRef points", False),
    (('<FRBRlanguage language="ara"/>', ''), "declares its language", True),
])
def test_each_assertion_catches_its_fault(seed_xml, tmp_path, change, broken, official):
    """official: the official schema already refuses it (and `validate` says so first)."""
    bad = tmp_path / "bad.xml"
    bad.write_text(seed_xml.read_text(encoding="utf-8").replace(*change, 1), encoding="utf-8")
    errors = schema.profile_errors(etree.parse(str(bad)))
    assert len(errors) == 1 and broken in errors[0], errors
    proc = run_akn("validate", "--profile", bad, check=False)
    assert proc.returncode == 1
    assert (broken in proc.stderr) != official, proc.stderr


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_un_files_pass_the_profile(shared, lang):
    for f in corpus_files(lang, 20, step=15):
        assert schema.profile_errors(etree.parse(str(f))) == [], f
