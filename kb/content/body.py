"""Stage 2b: read the Markdown body of a case file into located items.

A case body has conventional ``##`` sections.  In **Practices**, **Challenges**
and **Outcomes** every top-level bullet is one item::

    - [Self-managing teams](../concepts/practices/self-managing-teams.md): teams of
      up to 12 nurses run all care in a neighbourhood. [src: commonwealth-2015]
      - figure: **12** nurses per team at most (2015) [src: commonwealth-2015]
    - [Staff attrition](../concepts/challenges/staff-attrition.md) [contested]: ...
      - view: 14% took the first buyout offer [src: bi-2016]
      - view: only about 6% named Holacracy as the reason [src: hbr-2016]

The link says which concept, ``[src: a, b]`` cites front-matter sources,
``[contested]`` or ``[uncertain]`` marks the claim, ``[about: supported]`` (or
``inspired``, ``franchised``, ``general``, optionally with a group such as
``[about: supported: zappos, medium]``) says the claim is about others than the
organisation itself (see :mod:`kb.evidence`), an optional ``[key: name]`` pins the graph id
of a claim, figure or view (:func:`kb.graph.rows.stable_ids`), and sub-bullets starting
``figure:`` or ``view:`` add a structured figure or one side of a disputed
claim.  **Timeline** bullets start with a bold year (``- **2006**: ...``) and
**Contested claims** bullets with a bold title.  All of it renders as ordinary
Markdown on GitHub.  The parser is pyromark (pulldown-cmark, a CommonMark parser in Rust, like
GitHub's): its events carry byte ranges, from which each bullet's source lines and line number come.

>>> body = parse_body("## Practices\\n\\n- [Teams](../concepts/practices/teams.md): small. [src: a]\\n", 10)
>>> item = body.items[0]
>>> (item.section, item.href, item.detail, item.sources, item.line)
('practices', '../concepts/practices/teams.md', 'small.', ['a'], 12)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyromark

from kb.kinds import SECTION_KINDS

__all__ = [
    "KNOWN_SECTIONS",
    "Body",
    "Figure",
    "Item",
    "ScopeMark",
    "View",
    "parse_body",
    "parse_figure",
]

#: The sections whose bullets become graph relationships, and the concept kind each links to.
KNOWN_SECTIONS = (
    "context", "practices", "challenges", "outcomes", "timeline",
    "transition", "funding and cost", "regulation and inspection", "how it ended",
    "contested claims", "lessons", "open questions", "see also",
)

_SOURCES = re.compile(r"\[src:\s*([^\]]*)\]", re.IGNORECASE)
_MARKER = re.compile(r"\[(contested|uncertain)\]", re.IGNORECASE)
_ABOUT = re.compile(r"\[about\s*:([^\]]*)\]", re.IGNORECASE)
_KEY = re.compile(r"\[key:\s*([^\]]*)\]", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_LEAD = re.compile(r"^\s*(figure|view)\s*:\s*", re.IGNORECASE)
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
    notes: list[str] = field(default_factory=list)
    bad_figures: list[tuple[int, str]] = field(default_factory=list)
    concept_id: str = ""  # set by validation when the link resolves
    concept_kind: str = ""
    key: str = ""  # an explicit ``[key: name]`` for the graph id of its claim


@dataclass
class Section:
    key: str
    title: str
    line: int
    text: str = ""


@dataclass
class Body:
    sections: list[Section]
    items: list[Item]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def parse_body(text: str, first_line: int = 1) -> Body:
    """Parse a case body; ``first_line`` is the file line where the body starts.

    Sections are found by their ``## `` lines (outside fenced code); only the sections whose
    bullets become graph data go through markdown-it, since prose is most of a file.
    """
    lines = text.split("\n")
    sections: list[Section] = []
    items: list[Item] = []
    for section, start, end in _split_sections(lines, first_line):
        sections.append(section)
        if section.key in _PARSED_SECTIONS:
            items.extend(_items_of_section(lines[start:end], section, first_line + start))
    return Body(sections, items)


_PARSED_SECTIONS = {*SECTION_KINDS, "timeline", "contested claims"}
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^ {0,3}## +(.+?)\s*#*\s*$")


def _split_sections(lines: list[str], first_line: int) -> list[tuple[Section, int, int]]:
    """(section, first content line index, end index) for every ``## `` heading outside fences."""
    found: list[tuple[Section, int]] = []
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else _HEADING.match(line)
        if heading:
            title = heading.group(1).strip()
            found.append((Section(_section_key(title), title, first_line + index), index + 1))
    result = []
    for position, (section, start) in enumerate(found):
        end = found[position + 1][1] - 1 if position + 1 < len(found) else len(lines)
        section.text = "\n".join(lines[start:end]).strip()
        result.append((section, start, end))
    return result


def _section_key(title: str) -> str:
    return re.sub(r"\s+", " ", title.strip().lower())


def _items_of_section(lines: list[str], section: Section, first_line: int) -> list[Item]:
    """The top-level bullets of a section's lines (``first_line`` is the file line of ``lines[0]``)."""
    items: list[Item] = []
    starting = False  # the next run of text opens a new top-level item
    for depth, first, last, content in _bullet_texts(lines):
        if first < 0:
            starting = True
            continue
        raw = lines[first:last + 1]
        if starting:
            items.append(_new_item(section, content, first_line + first, raw))
            starting = False
        elif depth >= 2:
            _add_sub_bullet(items[-1], content, first_line + first, raw)
        elif items:
            items[-1].notes.append(content)
    return items


#: Events of inline content: a run of them outside a paragraph is a tight list item's text.
_INLINE_TAGS = {"Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Link", "Image"}
_INLINE_EVENTS = {"Text", "Code", "InlineHtml", "SoftBreak", "HardBreak", "FootnoteReference", "InlineMath",
                  "TaskListMarker"}
_TEXT_BLOCKS = {"Paragraph", "Heading"}
_HEADING_MARKS = re.compile(r"^#{1,6}\s*|\s+#+\s*$")


def _bullet_texts(lines: list[str]) -> Iterator[tuple[int, int, int, str]]:
    """Walk the top-level bullet lists of ``lines``: (1, -1, -1, "") where an item opens at depth 1,
    and (bullet depth, first line index, last line index, text) for each paragraph or heading inside
    an item, or a tight item's text (its lines without their indentation).

    >>> list(_bullet_texts(["- a", "  b", "  - *c*", "", "text"]))
    [(1, -1, -1, ''), (1, 0, 1, 'a\\nb'), (2, 2, 2, '*c*')]
    """
    source = "\n".join(lines)
    encoded = source.encode("utf-8")
    line_starts, offset = [], 0
    for line in lines:  # byte offset of each line: pyromark's ranges are in UTF-8 bytes
        line_starts.append(offset)
        offset += len(line.encode("utf-8")) + 1
    stack: list[str] = []  # open block tags; "Bullet" for a bullet list
    run: list[int] = []  # byte range of the current run of a tight item's text

    def located(start: int, end: int, heading: bool = False) -> tuple[int, int, str]:
        text = "\n".join(line.strip() for line in encoded[start:end].decode("utf-8").split("\n")).strip()
        if heading:
            text = _HEADING_MARKS.sub("", text.split("\n")[0] if "\n" in text else text)
        return bisect_right(line_starts, start) - 1, bisect_right(line_starts, max(start, end - 1)) - 1, text

    for event, span in pyromark.events_with_range(source, merge_text=True):
        if event.__class__ is str:  # SoftBreak, HardBreak or Rule
            kind, tag = event, None
        else:
            ((kind, value),) = event.items()
            tag = value if value.__class__ is str or value is None else next(iter(value))
        if kind in _INLINE_EVENTS or (tag in _INLINE_TAGS and (kind == "Start" or kind == "End")):
            if stack and stack[-1] == "Item" and stack[0] == "Bullet":
                run = [run[0] if run else span["start"], span["end"]]
            continue
        if run:
            yield (stack.count("Bullet"), *located(*run))
            run = []
        if kind == "Start":
            if tag == "List" and value["List"] is None:
                tag = "Bullet"
            stack.append(tag)
            if stack[0] != "Bullet":
                continue
            if tag == "Item" and stack[-2] == "Bullet" and stack.count("Bullet") == 1:
                yield (1, -1, -1, "")
            elif tag in _TEXT_BLOCKS:
                yield (stack.count("Bullet"), *located(span["start"], span["end"], tag == "Heading"))
        elif kind == "End" and stack:
            stack.pop()


def _new_item(section: Section, content: str, line_no: int, raw: list[str]) -> Item:
    content = " ".join(content.split("\n"))
    raw_line = raw[0] if raw else ""
    item = Item(section=section.key, line=line_no, text=content)
    item.sources = _source_ids(content)
    marker = _MARKER.search(content)
    item.status = marker.group(1).lower() if marker else ""
    item.scope_marks = _scope_marks(raw, line_no)
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
    item.detail = re.sub(r"\s+", " ", rest.lstrip(" :—-").strip())
    return item


def _add_sub_bullet(item: Item, content: str, line_no: int, raw: list[str]) -> None:
    content = " ".join(content.split("\n"))
    lead = _LEAD.match(content)
    if not lead:
        item.notes.append(content)
        return
    kind, rest = lead.group(1).lower(), content[lead.end():]
    key, rest = _explicit_key(rest)
    sources = _source_ids(rest)
    marker = _MARKER.search(rest)
    marks = _scope_marks(raw, line_no)
    rest = _SOURCES.sub("", _MARKER.sub("", _ABOUT.sub("", rest))).strip()
    if kind == "view":
        item.views.append(View(re.sub(r"\s+", " ", rest), sources, line_no, marks, key=key))
        return
    figure = parse_figure(rest, sources, line_no)
    if figure is None:
        item.bad_figures.append((line_no, rest))
    else:
        figure.status = marker.group(1).lower() if marker else ""
        figure.scope_marks = marks
        figure.key = key
        item.figures.append(figure)


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


def _scope_marks(raw: list[str], first_line: int) -> list[ScopeMark]:
    """The ``[about: …]`` marks in a bullet's lines, each with its line and column.

    >>> [(m.kind, m.about, m.col) for m in _scope_marks(["- [X](x.md): y [about: Supported: zappos, a b]"], 3)]
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
        ids.extend(part.strip() for part in re.split(r"[,;]", group) if part.strip())
    return ids
