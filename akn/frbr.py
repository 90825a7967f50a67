"""FRBR identity of a UN resolution in Akoma Ntoso, after the UN's published files.

    work           /akn/un/statement/deliberation/unga/2012-12-20/67-190/
    expression     /akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@/
    manifestation  /akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@.xml

"/" in a resolution number becomes "-" in IRIs; everything is ASCII.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from akn.diagnostics import AknError
from akn.lang import ascii_digits

# 9999-12-31T23:59:59Z: the last second a four-digit year (and xsd:date) can name
LAST_SECOND = 253402300799


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) as a UTC time, or None when it is unset
    or empty. A value that is not a whole number of seconds from 0 to 9999-12-31 is an error
    (exit 1), as that specification asks, never an internal error: 99999999999999999999
    overflowed the C time functions (exit 3), and "-5" or "soon" were silently ignored."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > LAST_SECOND:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise AknError(f"SOURCE_DATE_EPOCH={shown!r} is not a time akn can write: give a whole "
                       f"number of seconds since 1970-01-01 UTC, 0 to {LAST_SECOND} "
                       "(9999-12-31), or unset it", "SOURCE_DATE_EPOCH", 0, 0, "environment")
    return datetime.fromtimestamp(int(raw), tz=timezone.utc)


@dataclass(frozen=True)
class FrbrUri:
    date: str            # adoption date, YYYY-MM-DD
    number: str          # "67/190"
    language: str        # ISO 639-2, "ara"
    country: str = "un"
    doctype: str = "statement"
    subtype: str = "deliberation"
    actor: str = "unga"

    @property
    def number_id(self) -> str:
        return ascii_digits(self.number).replace("/", "-")

    @property
    def work(self) -> str:
        return f"/akn/{self.country}/{self.doctype}/{self.subtype}/{self.actor}/{self.date}/{self.number_id}/"

    @property
    def work_this(self) -> str:
        return self.work + "!main/"

    @property
    def expression(self) -> str:
        return f"{self.work}{self.language}@/"

    @property
    def expression_this(self) -> str:
        return f"{self.work}{self.language}@!main/"

    @property
    def manifestation(self) -> str:
        return f"{self.work}{self.language}@.xml"

    @property
    def manifestation_this(self) -> str:
        return f"{self.work}{self.language}@/!main.xml"

    @property
    def symbol(self) -> str:
        """A/RES/67/190; a resolution in parts: A/RES/78/183 A."""
        m = re.fullmatch(r"(\d+/\d+)([A-Z]?)", ascii_digits(self.number))
        if m and m.group(2):
            return f"A/RES/{m.group(1)} {m.group(2)}"
        return f"A/RES/{ascii_digits(self.number)}"

    @classmethod
    def parse(cls, uri: str) -> "FrbrUri":
        m = re.match(r"^/akn/(?P<country>[a-z]+)/(?P<doctype>\w+)/(?P<subtype>\w+)/(?P<actor>[\w-]+)/"
                     r"(?P<date>\d{4}-\d{2}-\d{2})/(?P<num>[\w-]+)/(?:(?P<lang>[a-z]{3})@)?", uri)
        if not m:
            raise ValueError(f"not a UN resolution FRBR IRI: {uri}")
        return cls(date=m["date"], number=m["num"].replace("-", "/"), language=m["lang"] or "",
                   country=m["country"], doctype=m["doctype"], subtype=m["subtype"], actor=m["actor"])
