"""Transforms of the reader's model between its structure and the AKN built from it (as in
docutils, each a named pass that reads the whole document and records what it finds):

1. ``notes``     — each footnote call bound to its body (akn/read/notes.py);
2. ``adoption``  — the adoption date, from the closing date or the adoption line;
3. ``numbers``   — how this document prints resolution numbers (Arabic PDFs print some
                   backwards: ١٩٠/٦٧ is 67/190), and its own number put right.

They run in this order (``TRANSFORMS``); the builder then only writes what they found.
"""
from __future__ import annotations

from akn.diagnostics import Diagnostics
from akn.read.inline import Inliner
from akn.read.model import Resolution
from akn.read.notes import resolve, texts_in_order


def notes(res: Resolution, diag: Diagnostics) -> None:
    """Bind every footnote call to its body, page by page (the rules in notes.py)."""
    res.calls = resolve(res, diag)


def adoption(res: Resolution, diag: Diagnostics) -> None:
    """The date of the plenary meeting that adopted it (the closing date), else the adoption
    line's; when the two disagree, a warning (the masthead has the typo more often:
    A/RES/78/69 in Arabic prints 28 November there, 5 December at the end)."""
    probe = Inliner(res.lang, diag, 0, {})
    found = [(t, d) for t, d in ((t, probe.parse_date(t.value))
                                 for t in (res.closing_date, res.masthead.get("adoption")) if t is not None) if d]
    found = [(t, d) for t, d in found if _plausible_adoption(t, d, diag)]
    if found:
        if len(found) == 2 and found[0][1] != found[1][1]:
            t = found[1][0]
            diag.warn(t.first.line, t.first.col, f"the adoption line says {found[1][1]} but the "
                      f"closing date says {found[0][1]}: the closing date is taken", "date-mismatch")
        res.adoption = found[0][1]
        return
    diag.warn(res.number_pos[0], 1, "no adoption date found (neither the adoption line nor the closing "
              "date reads as a date); the FRBR IRIs use 0001-01-01", "no-date")
    res.adoption = None


def _plausible_adoption(t, iso: str, diag: Diagnostics) -> bool:
    """An adoption date falls between 1945 (the United Nations' founding) and 9999; one
    outside (a typo, "1923" for "2023") is not made the document's date, with a warning."""
    if "1945" <= iso[:4] <= "9999":
        return True
    diag.warn(t.first.line, t.first.col, f"adoption date {iso} is before 1945, when the "
              "United Nations was founded: not taken as the adoption date (check the year)",
              "bad-date")
    return False


def numbers(res: Resolution, diag: Diagnostics) -> None:
    """Learn which way the document prints the resolution numbers it cites, and put its own
    number right (each change a warning and a record for the metadata)."""
    year = int(res.adoption[:4]) if res.adoption else 0
    inliner = Inliner(res.lang, diag, year, res.calls)
    inliner.texts = list(texts_in_order(res)) + [n.text for n in res.notes]
    inliner.learn_convention(inliner.texts)
    res.own_number = inliner.normalise_pair(res.number.replace(" ", ""), *res.number_pos,
                                            "resolution's own number") if "/" in res.number else res.number
    res.inliner = inliner  # the builder writes the text with it: its convention, its changes


TRANSFORMS = (notes, adoption, numbers)


def apply(res: Resolution, diag: Diagnostics) -> Resolution:
    for transform in TRANSFORMS:
        transform(res, diag)
    return res
