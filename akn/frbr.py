"""FRBR identity of a UN resolution in Akoma Ntoso, after the UN's published files.

    work           /akn/un/statement/deliberation/unga/2012-12-20/67-190/
    expression     /akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@/
    manifestation  /akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@.xml

"/" in a resolution number becomes "-" in IRIs; everything is ASCII.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from akn.lang import ascii_digits


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
