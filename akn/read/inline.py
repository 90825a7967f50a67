"""Inline meaning inside a paragraph: footnote calls, bold, dates, UN document symbols and
resolution citations (numbers printed backwards are put right here, each with a warning).
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter

from akn.diagnostics import Diagnostics
from akn.lang import Language, ascii_digits
from akn.read.model import Text
from akn.read.notes import CALL
from akn.tree import sub

D = "[0-9٠-٩]"
SYMBOL = r"(?<![\w/])(?P<sym>[A-Z][A-Z0-9]*(?:/[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*)+)"
# a superscript without brackets: "9^th", "XIX^e", a bare repeated call "1949,^2", or an
# apostrophe set as one ("l^’homme")
SUP = r"\^(?P<sup>[^\W_]{1,4}(?![^\W_])|[’'])"
# a bold run ending with one of these is joined to the word after it ("soixante**-**dix")
JOINERS = "-‐‑–—/’'"
SUP_IN_DATE = re.compile(r"\^([^\W\d_]{1,3})")
# A number pair (a resolution's session/number) not inside a word or a symbol. Chinese
# characters do not count as a word around it: "第60/72号" is resolution 60/72.
_WORDISH = r"[^\W\u3400-\u9fff]"
NUMBER_PAIR = rf"(?<![/.\-])(?<!{_WORDISH})(?P<pair>{D}{{1,4}}/{D}{{1,4}})(?!{_WORDISH}|/|[.\-]{D})"
# The same matches as NUMBER_PAIR, for learn_convention's scan: the look-behinds moved after
# the first digit (they then look at the character before that digit, or find none at the
# start, as before), so the pattern opens with a character class and the engine skips to the
# digits instead of trying every position (~0.6M fewer instructions on the seed). Used only
# while NUMBER_PAIR is the pattern it was written from.
_PAIR_SCAN = re.compile(
    rf"(?P<pair>{D}(?<![/.\-]{D})(?<!{_WORDISH}{D}){D}{{0,3}}/{D}{{1,4}})(?!{_WORDISH}|/|[.\-]{D})"
    if NUMBER_PAIR == (r"(?<![/.\-])(?<![^\W\u3400-\u9fff])(?P<pair>[0-9٠-٩]{1,4}/[0-9٠-٩]{1,4})"
                       r"(?![^\W\u3400-\u9fff]|/|[.\-][0-9٠-٩])")
    else NUMBER_PAIR)


def _compile(lang: Language):
    """The inline, gap and word patterns of ``lang``, made once per language (two Inliners
    per document re-made them each time: ~0.1 ms)."""
    compiled = lang.__dict__.get("_inline_patterns")
    if compiled is None:
        compiled = lang._inline_patterns = _make_patterns(lang)
    return compiled


def _make_patterns(lang: Language):
    months = "|".join(re.escape(m) for m in sorted(lang.months, key=len, reverse=True))
    # the language's date pattern, with {D} for a digit and {months} for its month names
    date = lang.date_pattern.replace("{months}", months).replace("{D}", D)
    # a year of more digits is read whole, to be refused (iso_date), not cut to its first
    # four ("21 November 99999" was 9999-11-21); a day is not the end of a longer number
    date = date.replace(f"(?P<year>{D}{{4}})", f"(?<!{D})(?P<year>{D}{{4,}})")
    date = date.replace("(?P<day>", f"(?<!{D})(?P<day>", 1)
    # every alternative starts with one of these characters: a look-ahead lets the engine
    # skip the other positions at once (the text is mostly letters)
    inline = re.compile("(?=[\\^*0-9٠-٩A-Z])(?:" + "|".join([
        CALL.pattern.replace("?P<m>", "?P<call>"), r"\*\*(?P<bold>.+?)\*\*", SUP, date, SYMBOL,
        NUMBER_PAIR]) + ")")
    words = "|".join(re.escape(w) for w in sorted(lang.resolution_words, key=len, reverse=True))
    bodies = "|".join(re.escape(b) for b, _ in lang.bodies)
    sep = r"(?:\s*(?:[،,]|\band\b|(?<!\S)و)\s*|\s+)"
    # what may stand between a resolution word and a number: a body's name, other numbers
    gap = re.compile(rf"^\s*(?:(?P<body>{bodies})\s*)?(?:(?:{D}{{1,4}}/{D}{{1,4}}|A/RES/\S+){sep})*$")
    word = re.compile(rf"(?:(?<=\s)|^)(?:{words})(?=\s)")
    return inline, gap, word


# a word: letters with their combining marks (Arabic vowel signs and tanween are marks: "تنفيذًا"
# is one word, not "تنفيذ" and "ا")
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
_WORD = re.compile(rf"(?:[^\W\d_]|[{_MARKS}])+")


def _wordish(ch: str) -> bool:
    """A letter, digit or combining mark (Arabic vowel signs are marks, not letters)."""
    return bool(ch) and unicodedata.category(ch)[0] in "LMN"


class Inliner:
    def __init__(self, lang: Language, diag: Diagnostics, adoption_year: int, calls: dict):
        self.lang, self.diag, self.calls = lang, diag, calls
        self.inline, self.gap, self.word = _compile(lang)
        self.session_bound = adoption_year - 1945 if adoption_year else 0
        self.adoption_year = adoption_year
        self.reversed_convention = False
        self.changes: list[dict] = []
        self.texts: list[Text] = []   # the document's texts, for its vocabulary
        self._vocabulary: set[str] | None = None
        self._cited: dict[str, tuple[bool, str]] = {}  # cite_context's answers by head

    @property
    def vocabulary(self) -> set[str]:
        """The words the document prints away from bold markers (a marker may hide a lost
        space), made when first asked for."""
        if self._vocabulary is None:
            self._vocabulary = {w for t in self.texts for token in t.value.split() if "**" not in token
                                for w in _WORD.findall(token)}
        return self._vocabulary

    def _bold_start_of_next_word(self, value: str, m, inner: str) -> bool:
        """A bold run glued to the word after it whose last letters only make a word with
        it ("**تطلب****إ**لى", "الأمر**ا**لذي"): the source's bold began with the space the
        flattening lost, so the space goes before the run and the run joins the word after."""
        head = _WORD.match(inner[::-1])
        tail = _WORD.match(value, m.end())
        if not head or not tail:
            return False
        piece = inner[len(inner) - head.end():]
        return piece not in self.vocabulary and piece + tail.group(0) in self.vocabulary

    # -- resolution numbers ----------------------------------------------------------------
    def cite_context(self, value: str, start: int) -> tuple[bool, str]:
        """Is the number pair at ``start`` a resolution citation? Returns (yes, symbol prefix)."""
        head = value[max(0, start - 160):start]
        # the answer depends on the head alone, and every pair learn_convention reads is read
        # again when the text is built: computed once
        known = self._cited.get(head)
        if known is None:
            known = self._cited[head] = self._cite_context(head)
        if known[0] or self.lang.citation_after is None:
            return self._body_after(value, start, known)
        # a language that names the resolution after its number ("第58/316号决议")
        end = value.find("/", start)
        tail = value[end:end + 320].split("/", 1)[-1].lstrip("0123456789٠١٢٣٤٥٦٧٨٩")
        if self.lang.citation_after.match(tail):
            return True, "A/RES/"
        return known

    def _body_after(self, value: str, start: int, known: tuple[bool, str]) -> tuple[bool, str]:
        """A citation whose body is named right after its number ("резолюцию 2008/33
        Экономического и Социального Совета"): that body's symbol prefix."""
        if not known[0] or known[1] != "A/RES/":
            return known
        m = re.match(r"[0-9٠-٩]+/[0-9٠-٩]+\s+", value[start:start + 24])
        if m:
            rest = value[start + m.end():start + m.end() + 80]
            for body, prefix in self.lang.bodies:
                if rest.startswith(body):
                    return True, prefix
        return known

    def _cite_context(self, head: str) -> tuple[bool, str]:
        last = None
        for m in self.word.finditer(head):
            last = m
        if not last:
            return False, ""
        g = self.gap.match(head[last.end():])
        if not g:
            return False, ""
        body = g.group("body")
        if not body:  # "Human Rights Council resolution 20/1": the body stands before the word
            before = head[:last.start()].rstrip()
            body = next((b for b, _ in self.lang.bodies if before.endswith(b)), None)
        prefix = dict(self.lang.bodies).get(body, "A/RES/") if body else "A/RES/"
        return True, prefix

    def orders(self, a: int, b: int) -> tuple[bool, bool]:
        """(as printed is possible, swapped is possible) for the pair a/b."""
        def ok(session, number):
            is_year = 1946 <= session <= (self.adoption_year or 9999)
            return (1 <= session <= max(self.session_bound, 1) or is_year) and number >= 1 and not (
                1946 <= number <= 2100 and not is_year)
        return ok(a, b), ok(b, a)

    def learn_convention(self, texts: list[Text]) -> None:
        """Which way does this document print unambiguous numbers? (only Eastern digits are
        ever reversed: they come from right-to-left PDF extraction)."""
        votes = Counter()
        for t in texts:
            v = t.value
            if "/" not in v:  # no number pair (scanning every paragraph for one cost ~0.3 ms)
                continue
            for m in _PAIR_SCAN.finditer(v):
                pair = m.group("pair")
                if not re.search("[٠-٩]", pair) or not self.cite_context(v, m.start())[0]:
                    continue
                a, b = (int(x) for x in ascii_digits(pair).split("/"))
                straight, swapped = self.orders(a, b)
                if straight != swapped:
                    votes["straight" if straight else "swapped"] += 1
        self.reversed_convention = votes["swapped"] > votes["straight"]

    def normalise_pair(self, pair: str, line: int, col: int, what: str) -> str:
        if not re.search("[٠-٩]", pair):
            return pair
        left, right = pair.split("/")
        if len(left) > 4 or len(right) > 4:  # no session or resolution number is this long
            return pair
        a, b = int(ascii_digits(left)), int(ascii_digits(right))
        straight, swapped = self.orders(a, b)
        if swapped and (not straight or self.reversed_convention):
            fixed = f"{right}/{left}"
            why = ("cannot be session/number" if not straight else
                   "is ambiguous; read like the other numbers this document prints backwards")
            self.diag.warn(line, col, f"{what} printed {pair} {why}: normalised to "
                           f"session/number {fixed} ({b}/{a})", "number-reversed")
            self.changes.append({"line": line, "col": col, "from": pair, "to": fixed})
            return fixed
        return pair

    # -- building --------------------------------------------------------------------------
    def fill(self, parent, text: Text, value: str | None = None, base: int = 0, note_builder=None) -> None:
        """Append ``text`` (or the slice ``value`` at ``base``) to ``parent`` with inline markup:
        each match of the inline pattern is written by the method for its kind."""
        value = text.value if value is None else value
        out = _Out(parent)
        pos = 0
        for m in self.inline.finditer(value):
            out.text(value[pos:m.start()])
            pos = m.end()
            kind = ("call" if m.group("call") is not None else "bold" if m.group("bold") is not None
                    else "sup" if m.group("sup") is not None else "date" if m.group("day") is not None
                    else "symbol" if m.group("sym") is not None else "pair")
            getattr(self, f"_{kind}")(m, out, text, value, base, note_builder)
        out.text(value[pos:])
        out.flush()

    def _call(self, m, out, text, value, base, note_builder) -> None:
        call = self.calls.get((id(text), base + m.start()))
        el = note_builder(call) if note_builder and call else None
        if el is None:
            out.add_new("sup", None, f"({m.group('call')})")
        else:
            out.add(el)

    def _bold(self, m, out, text, value, base, note_builder) -> None:
        inner = m.group("bold")
        glued_after = self.lang.spaces and m.end() < len(value) and _wordish(value[m.end()]) \
            and not inner[-1:].isspace() and inner[-1:] not in JOINERS
        starts_next = glued_after and self._bold_start_of_next_word(value, m, inner)
        before = value[m.start() - 2:m.start()] if starts_next and value[m.start() - 2:m.start()] == "**" \
            else value[m.start() - 1:m.start()]
        if self.lang.spaces and m.start() > 0 and _wordish(before[-1:]) and _wordish(inner[:1]) \
                or starts_next and before == "**" and m.start() > 2 and _wordish(value[m.start() - 3]):
            out.text(" ")  # the space was inside the bold run in the source
        span = out.add_new("span", {"class": "bold"})
        self.fill(span, text, inner, base + m.start("bold"), note_builder)
        if glued_after and not starts_next:
            out.text(" ")

    def _sup(self, m, out, text, value, base, note_builder) -> None:
        out.add_new("sup", None, m.group("sup"))

    def _date(self, m, out, text, value, base, note_builder) -> None:
        iso = self.iso_date(m)
        if not iso:
            line, col, _ = text.position(base + m.start())
            year = ascii_digits(m.group("year"))
            why = f" (its year {year} is not four digits, 1000 to 9999)" \
                if len(year) != 4 or year[0] == "0" else ""
            self.diag.warn(line, col, f"\"{m.group(0)}\" is not a calendar date{why}; kept as text",
                           "bad-date")
            out.text(m.group(0))
            return
        whole = m.group(0)
        el = out.add_new("date", {"date": iso}, whole)
        sup = SUP_IN_DATE.search(whole)
        if sup:  # "1^er décembre 2023": the ordinal is a superscript inside the date
            el.text = whole[:sup.start()]
            sub(el, "sup", None, sup.group(1)).tail = whole[sup.end():]

    def _symbol(self, m, out, text, value, base, note_builder) -> None:
        sym = m.group("sym")
        if re.search(r"\d", sym):
            out.add_new("ref", {"href": f"https://undocs.org/{sym}"}, sym)
        else:
            out.text(sym)

    def _pair(self, m, out, text, value, base, note_builder) -> None:
        pair = m.group("pair")
        yes, prefix = self.cite_context(value, m.start())
        if not yes:
            out.text(pair)
            return
        line, col, _ = text.position(base + m.start())
        fixed = self.normalise_pair(pair, line, col, "resolution number")
        if prefix:
            out.add_new("ref", {"href": f"https://undocs.org/{prefix}{ascii_digits(fixed)}"}, fixed)
        else:
            out.text(fixed)

    def iso_date(self, m) -> str | None:
        """The date as YYYY-MM-DD, or None if it is no calendar date (a year of other than
        four digits is none either: datetime would take 0999, and 99999 was cut to 9999)."""
        year = ascii_digits(m.group("year"))
        if len(year) != 4 or year[0] == "0":
            return None
        try:
            d = datetime.date(int(year), self.lang.months[m.group("month")],
                              int(ascii_digits(m.group("day"))))
        except ValueError:
            return None
        return d.isoformat()

    def parse_date(self, s: str) -> str | None:
        m = self.inline.search(s)
        while m and m.group("day") is None:
            m = self.inline.search(s, m.end())
        return self.iso_date(m) if m else None


class _Out:
    """Where fill() writes: text is gathered and written once per child (appending piece by
    piece re-copied the growing tail and counted the parent's children each time, which was
    quadratic on long text)."""
    __slots__ = ("parent", "pending", "last")

    def __init__(self, parent):
        self.parent = parent
        self.pending: list[str] = []
        self.last = parent[-1] if len(parent) else None  # lxml counts children by walking them

    def text(self, chunk: str) -> None:
        self.pending.append(chunk)

    def flush(self) -> None:
        chunk = "".join(self.pending)
        self.pending.clear()
        if not chunk:
            return
        if self.last is None:
            self.parent.text = (self.parent.text or "") + chunk
        else:
            self.last.tail = (self.last.tail or "") + chunk

    def add(self, el) -> None:
        self.flush()
        self.parent.append(el)
        self.last = el

    def add_new(self, tag: str, attrib: dict | None = None, content: str | None = None):
        """Made in place (sub): the same XML as add(E(...)), without a standalone element,
        a document of its own, made and moved for each piece of markup."""
        self.flush()
        el = self.last = sub(self.parent, tag, attrib, content)
        return el
