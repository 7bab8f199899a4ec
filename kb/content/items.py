"""Stage 2b (data): the items of a case body and how one bullet's text is read.

:mod:`kb.content.body` walks the blocks of a body; this module holds what it produces
(:class:`Body`, :class:`Item`, :class:`Figure`, :class:`View`, :class:`Place`) and reads the text
of one bullet or sub-bullet into them (its link, marks, sources, scope and figure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.kinds import SECTION_KINDS
from kb.problems import Problem

__all__ = [
    "CITED_SECTIONS",
    "KNOWN_SECTIONS",
    "SUB_BULLET_LEAD",
    "Body",
    "Figure",
    "Item",
    "Place",
    "ScopeMark",
    "Section",
    "View",
    "add_sub_bullet",
    "new_item",
    "parse_figure",
    "scope_marks",
    "section_key",
]

#: The sections whose bullets become graph relationships, and the concept kind each links to.
KNOWN_SECTIONS = (
    "context", "practices", "challenges", "outcomes", "timeline",
    "transition", "funding and cost", "regulation and inspection", "how it ended",
    "contested claims", "lessons", "open questions", "see also",
)
#: The sections that answer a manager's questions: each states facts, so each sentence cites its sources
#: (:func:`kb.check.facts.manager_question_problems`); their paragraphs are kept (:attr:`Section.paragraphs`).
CITED_SECTIONS = ("transition", "funding and cost", "regulation and inspection", "how it ended")

_SOURCES = re.compile(r"\[src:\s*([^\]]*)\]", re.IGNORECASE)
_SOURCE_SEPARATOR = re.compile(r"[,;]")
_MARKER = re.compile(r"\[(contested|uncertain)\]", re.IGNORECASE)
_ABOUT = re.compile(r"\[about\s*:([^\]]*)\]", re.IGNORECASE)
_KEY = re.compile(r"\[key:\s*([^\]]*)\]", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
SUB_BULLET_LEAD = re.compile(r"^\s*(figure|view)\s*:\s*", re.IGNORECASE)
_BOLD_LEAD = re.compile(r"^\*\*([^*]+)\*\*\s*")
_FIGURE = re.compile(
    r"^\*\*(?P<value>[-+]?\d[\d,]*(?:\.\d+)?)(?:\s*[–-]\s*(?P<high>\d[\d,]*(?:\.\d+)?))?"
    r"\s*(?P<unit>(?![-–\d])[^*]*?)\s*\*\*\s*(?P<label>.*?)\s*"
    r"\((?P<year>\d{4})\)\s*$"
)



@dataclass
class ScopeMark:
    """An ``[about: kind]`` or ``[about: kind: group, …]`` mark as written, located in its file."""

    kind: str  # lowercased; the validator checks it against kb.evidence.SCOPES
    about: list[str]  # case ids or short group names, as written
    text: str
    line: int
    col: int


@dataclass
class Figure:
    """A structured number, e.g. ``**18%** of staff left (2015)``."""

    value: float
    unit: str
    label: str
    year: int
    sources: list[str]
    line: int
    status: str = ""
    high: float | None = None  # upper end of a range such as **20–24**
    scope_marks: list[ScopeMark] = field(default_factory=list)  # its own; none: the bullet's scope
    # Set by the model (kb.model), like ``Item.concept_id`` by validation:
    scope: str = ""
    about: list[str] = field(default_factory=list)
    evidence: str = ""
    key: str = ""  # an explicit ``[key: name]`` for its graph id
    last_line: int = 0  # its last line in the file (a sub-bullet may wrap)


@dataclass
class View:
    """One side of a contested claim, with its own sources."""

    text: str
    sources: list[str]
    line: int
    scope_marks: list[ScopeMark] = field(default_factory=list)  # its own; none: the bullet's scope
    # Set by the model (kb.model), like ``Item.concept_id`` by validation:
    scope: str = ""
    about: list[str] = field(default_factory=list)
    evidence: str = ""
    key: str = ""  # an explicit ``[key: name]`` for its graph id
    last_line: int = 0  # its last line in the file (a sub-bullet may wrap)


@dataclass
class Item:
    """One bullet of a section, with everything needed to locate it in its file."""

    section: str
    line: int
    text: str  # the first paragraph as written
    href: str = ""
    href_col: int = 1
    link_text: str = ""
    title: str = ""  # bold lead of timeline and contested-claims bullets
    detail: str = ""
    sources: list[str] = field(default_factory=list)
    status: str = ""  # "", "contested" or "uncertain"
    scope_marks: list[ScopeMark] = field(default_factory=list)  # none: about the organisation itself
    figures: list[Figure] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    bad_figures: list[tuple[int, str]] = field(default_factory=list)
    concept_id: str = ""  # set by validation when the link resolves
    concept_kind: str = ""
    key: str = ""  # an explicit ``[key: name]`` for the graph id of its claim
    last_line: int = 0  # the last line of its own text (before its sub-bullets)


@dataclass
class Section:
    """A ``##`` section; ``paragraphs`` are kept for :data:`CITED_SECTIONS` only.

    Each paragraph (of prose, of a list item or a quote, as the Markdown parser found it) is its first
    file line and its text, a list marker left out, one source line per text line.
    """

    key: str
    title: str
    line: int
    text: str = ""
    paragraphs: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Place:
    """Where a run of body lines went: every non-blank line of a case body has exactly one place.

    ``kind`` is ``heading``, ``claim`` (a bullet of Practices, Challenges or Outcomes), ``timeline``,
    ``contested`` (a bullet of Contested claims), ``figure``, ``view``, ``prose``, ``lesson``,
    ``comment`` (an HTML comment) or ``problem`` (not read: a :class:`Problem` on its first line says
    why and how to fix it).  Lines are file lines, ``first`` to ``last`` inclusive.
    """

    kind: str
    first: int
    last: int


@dataclass
class Body:
    sections: list[Section]
    items: list[Item]
    places: list[Place] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)



def section_key(title: str) -> str:
    return " ".join(title.lower().split())  # runs of whitespace as one space, as \s+ would


def new_item(section: Section, text: str, line_no: int, raw: list[str]) -> Item:
    content = " ".join(text.split("\n"))
    raw_line = raw[0] if raw else ""
    item = Item(section=section.key, line=line_no, text=content)
    item.sources = _source_ids(content)
    marker = _MARKER.search(content)
    item.status = marker.group(1).lower() if marker else ""
    item.scope_marks = scope_marks(raw, line_no)
    item.key, content = _explicit_key(content)
    rest = _SOURCES.sub("", _MARKER.sub("", _ABOUT.sub("", content))).strip()
    link = _LINK.match(rest) if section.key in SECTION_KINDS else None
    if link:
        item.link_text, item.href = link.group(1).strip(), link.group(2)
        position = raw_line.find(item.href)
        item.href_col = position + 1 if position >= 0 else 1
        rest = rest[link.end():]
    else:
        bold = _BOLD_LEAD.match(rest)
        if bold:
            item.title = bold.group(1).strip()
            rest = rest[bold.end():]
    item.detail = " ".join(rest.lstrip(" :—-").split())
    return item


def add_sub_bullet(item: Item, content: str, line_no: int, raw: list[str]) -> str:
    """Add a ``figure:`` or ``view:`` sub-bullet to its item; say which ("" for a figure that does not parse)."""
    lead = SUB_BULLET_LEAD.match(content)
    kind, rest = lead.group(1).lower(), content[lead.end():]
    key, rest = _explicit_key(rest)
    sources = _source_ids(rest)
    marker = _MARKER.search(rest)
    marks = scope_marks(raw, line_no)
    rest = _SOURCES.sub("", _MARKER.sub("", _ABOUT.sub("", rest))).strip()
    if kind == "view":
        item.views.append(View(" ".join(rest.split()), sources, line_no, marks, key=key))
        return "view"
    figure = parse_figure(rest, sources, line_no)
    if figure is None:
        item.bad_figures.append((line_no, rest))
        return ""
    figure.status = marker.group(1).lower() if marker else ""
    figure.scope_marks = marks
    figure.key = key
    item.figures.append(figure)
    return "figure"


def parse_figure(text: str, sources: list[str], line: int) -> Figure | None:
    """Read ``**18%** of staff left (2015)`` into a :class:`Figure`, or None if it does not fit.

    >>> f = parse_figure("**1,503** employees (2015)", ["a"], 7)
    >>> (f.value, f.unit, f.label, f.year)
    (1503.0, '', 'employees', 2015)
    >>> parse_figure("**20–24** issues an hour (2017)", ["a"], 7).high
    24.0
    >>> parse_figure("about a fifth", [], 1) is None
    True
    """
    match = _FIGURE.match(text.strip())
    if not match:
        return None
    value = float(match.group("value").replace(",", ""))
    high = float(match.group("high").replace(",", "")) if match.group("high") else None
    return Figure(value, match.group("unit").strip(), match.group("label").strip(),
                  int(match.group("year")), sources, line, high=high)


def scope_marks(raw: list[str], first_line: int) -> list[ScopeMark]:
    """The ``[about: …]`` marks in a bullet's lines, each with its line and column.

    >>> [(m.kind, m.about, m.col) for m in scope_marks(["- [X](x.md): y [about: Supported: zappos, a b]"], 3)]
    [('supported', ['zappos', 'a b'], 16)]
    """
    marks = []
    for offset, line in enumerate(raw):
        for match in _ABOUT.finditer(line):
            kind, _, group = match.group(1).partition(":")
            about = [part.strip() for part in group.split(",") if part.strip()]
            marks.append(ScopeMark(kind.strip().lower(), about, match.group(0), first_line + offset,
                                   match.start() + 1))
    return marks
def _explicit_key(text: str) -> tuple[str, str]:
    """The ``[key: name]`` of a bullet (or "") and the text without it.

    >>> _explicit_key("**12** nurses per team (2015) [key: team-size] [src: a]")
    ('team-size', '**12** nurses per team (2015)  [src: a]')
    """
    match = _KEY.search(text)
    return (match.group(1).strip(), text[:match.start()] + text[match.end():]) if match else ("", text)


def _source_ids(text: str) -> list[str]:
    ids: list[str] = []
    for group in _SOURCES.findall(text):
        ids.extend(part.strip() for part in _SOURCE_SEPARATOR.split(group) if part.strip())
    return ids

