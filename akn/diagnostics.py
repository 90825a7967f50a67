"""Diagnostics: every warning and error names FILE:LINE:COL, the way compilers do.

The reader collects them as it goes; the command line prints them to stderr as
``FILE:LINE:COL: warning|error: message``. An :class:`AknError` stops the work: the
command exits non-zero and leaves no output file behind.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field


def _one_line(message: str) -> str:
    """The message with each line break (and the spaces around it) made one space."""
    message = re.sub(r"[ \t]*[\r\n]+[ \t]*(?=[,.;:])", "", message)
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", message).strip()


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    col: int
    severity: str  # "warning" | "error"
    message: str
    code: str = ""  # short machine-readable kind, e.g. "call-repaired"

    def __post_init__(self):
        # one diagnostic, one line: libxml2 ends some messages with a line break or breaks
        # them in two ("CData section not finished\n…", "Char 0x0 out of allowed range\n"),
        # which split FILE:LINE:COL: from the rest for anyone reading stderr line by line
        if "\n" in self.message or "\r" in self.message:
            object.__setattr__(self, "message", _one_line(self.message))
        if "\n" in self.file or "\r" in self.file:   # a file name with a line break in it
            object.__setattr__(self, "file", self.file.replace("\r", "\\r").replace("\n", "\\n"))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "col": self.col,
                "severity": self.severity, "code": self.code, "message": self.message}


class AknError(Exception):
    """A problem the user must fix; carries its position when there is one."""

    def __init__(self, message: str, file: str = "", line: int = 0, col: int = 0,
                 code: str = "error"):
        super().__init__(message)
        self.diagnostic = Diagnostic(file or "-", line, col, "error", message, code)

    def __str__(self) -> str:
        return str(self.diagnostic)


@dataclass
class Diagnostics:
    """A list of diagnostics for one input file."""
    file: str
    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, line: int, col: int, message: str, code: str = "warning") -> None:
        self.items.append(Diagnostic(self.file, line, col, "warning", message, code))

    def error(self, line: int, col: int, message: str, code: str = "error") -> AknError:
        """Return (for ``raise``) an error at this position."""
        return AknError(message, self.file, line, col, code)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def print(self, stream=None) -> None:
        stream = stream or sys.stderr
        for d in sorted(self.items, key=lambda d: (d.line, d.col)):
            print(d, file=stream)


def shown(path) -> str:
    """A file name as messages show it: bytes that are not UTF-8 as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
