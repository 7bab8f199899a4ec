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
GitHub's): its events carry byte ranges, from which each block's source lines and line number come.

Reading is lossless: every block of the body is read (a claim, figure, view, timeline entry,
prose, lesson or comment; :attr:`Body.places`) or reported with its line and the fix
(:attr:`Body.problems`): a claim-shaped concept link outside a claim section, a numbered or
indented claim, an unknown sub-bullet, a mark in round or curly brackets, a section heading at the
wrong level or in the wrong form.  ``tests/test_lossless.py`` proves it on generated case files.

>>> body = parse_body("## Practices\\n\\n- [Teams](../concepts/practices/teams.md): small. [src: a]\\n", 10)
>>> item = body.items[0]
>>> (item.section, item.href, item.detail, item.sources, item.line)
('practices', '../concepts/practices/teams.md', 'small.', ['a'], 12)
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from dataclasses import dataclass, field

import pyromark

from kb.kinds import SECTION_KINDS
from kb.problems import Problem

__all__ = [
    "KNOWN_SECTIONS",
    "Body",
    "Figure",
    "Item",
    "Place",
    "ScopeMark",
    "Section",
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
    key: str
    title: str
    line: int
    text: str = ""


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


def parse_body(text: str, first_line: int = 1, where: str = "") -> Body:
    """Parse a case body; ``first_line`` is the file line where the body starts, ``where`` its path.

    Every block is accounted for (:attr:`Body.places`): read as a claim, figure, view, timeline entry,
    prose or lesson, or reported in :attr:`Body.problems` with its line and the fix.
    """
    return _Reader(text, first_line, where).read()


_PARSED_SECTIONS = {*SECTION_KINDS, "timeline", "contested claims"}
_ITEM_PLACE = {"timeline": "timeline", "contested claims": "contested"}
_SECTION_OF_FOLDER = {"practices": "Practices", "frameworks": "Practices", "challenges": "Challenges",
                      "outcomes": "Outcomes"}
# A concept link at the start of a text, the shape of a claim: [Name](../concepts/practices/id.md)
_CONCEPT_LEAD = re.compile(r"^\s*\[[^\]\n]*\]\(\s*(?:\.\./|\./|/)*concepts/(?P<folder>[a-z]+)/[^)\s]*\)")
_AFTER_LINK = re.compile(r"^(?:\s*\[[^\]]*\])*\s*[:—–-]")
_MISPLACED_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?P<title>[^#\s].*?)\s*#*\s*$")
_SUB_LEAD = re.compile(r"^\s*(?P<word>[A-Za-z][\w -]{0,20}?)\s*:")
_WRONG_BRACKETS = re.compile(
    r"(?P<open>[({<])\s*(?P<mark>(?:contested|uncertain)\s*|(?:src|about|key)\s*:[^(){}<>\[\]\n]*)(?P<close>[)}>])",
    re.IGNORECASE)
_HTML_COMMENT = re.compile(r"^\s*<!--.*-->\s*$", re.DOTALL)


class _Node:
    """A block of the body as a tree node; ``first`` and ``last`` are body line indexes.

    A paragraph's text is decoded from its byte range only when asked for (prose is most of a file).
    """

    __slots__ = ("_content", "children", "encoded", "first", "last", "markup", "span", "tag", "type")

    def __init__(self, type: str, first: int, last: int, markup: str = "", tag: str = "", content: str = "",
                 span: tuple[int, int] | None = None, encoded: bytes = b"") -> None:
        self.type, self.first, self.last, self.markup, self.tag = type, first, last, markup, tag
        self._content, self.span, self.encoded = content, span, encoded
        self.children: list[_Node] = []

    @property
    def content(self) -> str:
        if self.span is not None:
            raw = self.encoded[self.span[0]:self.span[1]].decode("utf-8", "replace")
            self._content = "\n".join(line.strip() for line in raw.split("\n")).strip()
            self.span = None
        return self._content


#: Block tags of pyromark's events, as node types; any other block keeps its own name, lowercased.
_BLOCKS = {"Paragraph": "paragraph", "Heading": "heading", "Item": "list_item", "BlockQuote": "blockquote",
           "HtmlBlock": "html_block", "CodeBlock": "code_block"}
#: Inline tags: their events are text of the enclosing block, never blocks of their own.
_INLINE_TAGS = {"Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Link", "Image"}
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
#: Where the body is cut before parsing: a heading line (outside fenced code), well-formed or not.
_SPLIT = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$|[^#\s])")
#: What makes prose worth parsing: a concept link, a possible setext underline, a heading, a comment.
_NEEDS_PARSING = re.compile(r"\]\(\s*(?:\.\./|\./|/)*concepts/|^ {0,3}(?:-+|=+)[ \t]*$|^ {0,3}#|<!--", re.M)


def _chunks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line indexes of the body cut before each heading line outside fenced code."""
    cuts, fenced = [0], False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and index and _SPLIT.match(line):
            cuts.append(index)
    return list(zip(cuts, [*cuts[1:], len(lines)], strict=True))


def _tree(lines: list[str], base: int = 0) -> list[_Node]:
    """The blocks of ``lines`` as a tree, each with its first and last line (``base`` + index) and text.

    >>> [(n.type, n.first, n.last) for n in _tree(["## A", "", "- b", "  c", ""], 10)]
    [('heading', 10, 10), ('bullet_list', 12, 13)]
    """
    if not lines:
        return []
    source = "\n".join(lines)
    encoded = source.encode("utf-8")
    line_starts, offset = [], 0
    for line in lines:  # byte offset of each line: pyromark's ranges are in UTF-8 bytes
        line_starts.append(offset)
        offset += len(line.encode("utf-8")) + 1 if not line.isascii() else len(line) + 1

    root = _Node("root", 0, 0)
    stack = [root]
    in_item = False  # the innermost open block is a list item: its inline text is a tight item's paragraph
    run_start = run_end = -1  # byte range of that text
    for event, span in pyromark.events_with_range(source, merge_text=True):
        if event.__class__ is str:  # SoftBreak, HardBreak or Rule
            if event != "Rule":
                if in_item:
                    run_start, run_end = (span["start"] if run_start < 0 else run_start), span["end"]
                continue
            kind, tag, value = "Rule", "Rule", None
        else:
            kind = next(iter(event))
            if kind != "Start" and kind != "End":  # Text, Code, Html, ...: inline
                if in_item:
                    run_start, run_end = (span["start"] if run_start < 0 else run_start), span["end"]
                continue
            value = event[kind]
            tag = value if value.__class__ is str or value is None else next(iter(value))
            if tag in _INLINE_TAGS:
                if in_item:
                    run_start, run_end = (span["start"] if run_start < 0 else run_start), span["end"]
                continue
        if run_start >= 0:  # a tight item's text ends where a block starts or the item ends
            stack[-1].children.append(_Node("paragraph", base + bisect_right(line_starts, run_start) - 1,
                                            base + bisect_right(line_starts, max(run_start, run_end - 1)) - 1,
                                            span=(run_start, run_end), encoded=encoded))
            run_start = -1
        if kind == "End":
            if len(stack) > 1:
                node = stack.pop()
                if node.type == "paragraph":
                    node.span, node.encoded = (span["start"], span["end"]), encoded
                elif node.type in ("heading", "code_block", "html_block"):
                    node._content = _block_text(lines, node.first - base, node.last - base, node.markup)
                in_item = stack[-1].type == "list_item"
            continue
        start, end = span["start"], span["end"]
        first = bisect_right(line_starts, start) - 1
        last = bisect_right(line_starts, max(start, end - 1)) - 1
        if kind == "Rule":
            stack[-1].children.append(_Node("hr", base + first, base + last))
            continue
        node = _Node(_BLOCKS.get(tag, str(tag).lower()), base + first, base + last)
        if tag == "List":
            node.type = "bullet_list" if value["List"] is None else "ordered_list"
        elif tag == "Heading":
            atx = _ATX.match(lines[first])
            node.markup = atx.group(1) if atx else lines[last].strip()[:1]  # "#", or a setext underline
            node.tag = value["Heading"]["level"].lower()
        stack[-1].children.append(node)
        stack.append(node)
        in_item = node.type == "list_item"
    return root.children


def _text_of(lines: list[str], first: int, last: int) -> str:
    return "\n".join(line.strip() for line in lines[first:last + 1]).strip()


def _block_text(lines: list[str], first: int, last: int, markup: str) -> str:
    """The title of a heading (``markup``: its hashes or underline), or a code or HTML block's lines."""
    if markup.startswith("#"):
        return re.sub(r"^ {0,3}#{1,6}\s*|\s+#+\s*$|^#+$", "", lines[first].strip()).strip()
    if markup in ("=", "-"):
        return _text_of(lines, first, last - 1)
    return "\n".join(lines[first:last + 1])


class _Reader:
    """One pass over a body's blocks: each becomes sections, items and places, or a problem."""

    def __init__(self, text: str, first_line: int, where: str):
        self.lines = text.split("\n")
        self.first_line = first_line
        self.where = where
        self.sections: list[Section] = []
        self.items: list[Item] = []
        self.problems: list[Problem] = []
        self.kinds: dict[int, tuple[str, int]] = {}  # body line index -> (place kind, block number)
        self.blocks = 0

    # --- results -----------------------------------------------------------------------------

    def read(self) -> Body:
        starts: list[tuple[Section, int]] = []
        self.section: Section | None = None
        for start, end in _chunks(self.lines):
            head_end = start + 1 if _SPLIT.match(self.lines[start]) else start
            for node in _tree(self.lines[start:head_end], start):
                self._node(node, starts)
            prose = self.section is None or self.section.key not in _PARSED_SECTIONS
            rest = "\n".join(self.lines[head_end:end])
            if prose and not _NEEDS_PARSING.search(rest):  # plain prose: nothing in it can be a claim
                self._place("lesson" if self.section is not None and self.section.key == "lessons" else "prose",
                            head_end, end - 1)
                continue
            for node in _tree(self.lines[head_end:end], head_end):
                self._node(node, starts)
        for position, (section, start) in enumerate(starts):
            end = starts[position + 1][0].line - self.first_line if position + 1 < len(starts) else len(self.lines)
            section.text = "\n".join(self.lines[start:end]).strip()
        return Body(self.sections, self.items, self._places(), self.problems)

    def _node(self, node: _Node, starts: list[tuple[Section, int]]) -> None:
        heading = self._section_heading(node)
        if heading is not None:
            self.section = heading
            self.sections.append(heading)
            starts.append((heading, node.last + 1))
        elif self.section is not None and self.section.key in _PARSED_SECTIONS:
            self._claim_block(node, self.section)
        else:
            self._prose_block(node, self.section)

    def _places(self) -> list[Place]:
        places: list[Place] = []
        previous = None
        for index in sorted(self.kinds):
            kind, block = self.kinds[index]
            line = self.first_line + index
            if previous == (kind, block):
                places[-1] = Place(kind, places[-1].first, line)
            else:
                places.append(Place(kind, line, line))
            previous = (kind, block)
        return places

    def _place(self, kind: str, first: int, last: int) -> None:
        """Give lines ``first..last`` (body indexes) one place; blank lines have none.

        A later call overrides an earlier one line by line (a claim found inside prose is a problem).
        """
        self.blocks += 1
        for index in range(first, min(last, len(self.lines) - 1) + 1):
            if self.lines[index].strip():
                self.kinds[index] = (kind, self.blocks)

    def _reject(self, node_first: int, node_last: int, message: str, hint: str, *, col: int = 1,
                code: str = "block", severity: str = "error") -> None:
        self._place("problem", node_first, node_last)
        self._problem(node_first, message, hint, col=col, code=code, severity=severity)

    def _problem(self, index: int, message: str, hint: str, *, col: int = 1, code: str = "block",
                 severity: str = "error") -> None:
        self.problems.append(Problem(self.where, self.first_line + index, col, message, hint,
                                     severity=severity, code=code))

    # --- headings ----------------------------------------------------------------------------

    def _section_heading(self, node: _Node) -> Section | None:
        """The section a top-level block opens, reporting a heading in the wrong level or form."""
        if node.type == "heading":
            title = node.content.strip()
            key = _section_key(title)
            line = self.first_line + node.first
            if node.markup in ("=", "-"):
                known = key in KNOWN_SECTIONS
                if known or node.markup == "-":
                    self._reject(node.first, node.last, f"'{title}' is underlined, a heading GitHub shows but "
                                 "the format does not read",
                                 f"write it on one line as '## {title}' and delete the underline" if known else
                                 "for a section write '## Title' on one line; for a horizontal rule leave a blank "
                                 "line before '---'", code="heading")
                    return Section(key, title, line) if known else None
                self._place("heading", node.first, node.last)
                return None
            if node.tag == "h2":
                self._place("heading", node.first, node.last)
                return Section(key, title, line)
            if key in KNOWN_SECTIONS:
                self._reject(node.first, node.last, f"'{node.markup} {title}' is a level-{len(node.markup)} "
                             "heading; sections are level 2", f"write '## {title}'", code="heading")
                return Section(key, title, line)
            if node.tag == "h1":
                self._reject(node.first, node.last, f"'# {title}' is a level-1 heading; a case has none",
                             "the page title comes from name: in the front matter: delete this line, or make it "
                             "a section with '## '", code="heading", severity="warning")
                return None
            return None  # a ### sub-heading: read with the block around it
        if node.type == "paragraph":
            first_line = self.lines[node.first]
            misplaced = _MISPLACED_HEADING.match(first_line)
            if misplaced and _section_key(misplaced.group("title")) in KNOWN_SECTIONS:
                hashes, title = misplaced.group("hashes"), misplaced.group("title").strip()
                self._reject(node.first, node.first, f"'{first_line.strip()}' is not a heading: a space must "
                             f"follow '{hashes}'", f"write '## {title}'", code="heading")
                if node.last > node.first:  # the rest of the paragraph: read it in the new section
                    self._reject(node.first + 1, node.last, "text straight under a heading line is not read",
                                 "leave a blank line after the heading", code="heading")
                return Section(_section_key(title), title, self.first_line + node.first)
        return None

    # --- claim sections ----------------------------------------------------------------------

    def _claim_block(self, node: _Node, section: Section) -> None:
        where = f"## {section.title}"
        if node.type == "bullet_list":
            for list_item in node.children:
                self._claim_item(list_item, section)
        elif node.type == "ordered_list":
            for list_item in node.children:
                self._reject(list_item.first, list_item.last, f"a numbered item under {where} is not read",
                             f"start the line with '- ' instead of '{self.lines[list_item.first].split()[0]}'",
                             code="numbered")
        elif node.type == "html_block" and _HTML_COMMENT.match(node.content):
            self._place("comment", node.first, node.last)
        elif node.type == "heading":
            self._reject(node.first, node.last, f"a sub-heading under {where} is not shown",
                         "only the section's bullets are read here: delete it, or move it to a prose section",
                         code="block", severity="warning")
        elif node.type == "paragraph" and _claim_shaped(node.content):
            self._reject(node.first, node.last, f"a claim under {where} must be a bullet",
                         "start the line with '- '", code="not-a-bullet")
        elif node.type == "code_block" and _claim_shaped(node.content):
            self._reject(node.first, node.last, f"this claim under {where} is indented 4 spaces or more, so "
                         "it is read as code", "start the bullet at the left margin: '- [Name](…): …'",
                         code="indented")
        else:
            self._reject(node.first, node.last, f"text under {where} outside a bullet is not shown",
                         f"only bullets are read under {where}: make it part of a bullet, or move it to "
                         "## Context", code="not-a-bullet", severity="warning")

    def _claim_item(self, list_item: _Node, section: Section) -> None:
        parts = list_item.children
        if not parts or parts[0].type != "paragraph":
            self._reject(list_item.first, list_item.last, "a bullet without text of its own is not read",
                         "write the claim on the bullet's first line: '- [Name](…): … [src: id]'", code="bullet")
            return
        head = parts[0]
        item = _new_item(section, head.content, self.first_line + head.first,
                         self.lines[head.first:head.last + 1])
        item.last_line = self.first_line + head.last
        self.items.append(item)
        self._place(_ITEM_PLACE.get(section.key, "claim"), head.first, head.last)
        self._wrong_brackets(head)
        for part in parts[1:]:
            if part.type == "bullet_list":
                for sub in part.children:
                    self._sub_bullet(item, sub)
            elif part.type == "ordered_list":
                for sub in part.children:
                    self._reject(sub.first, sub.last, "a numbered sub-bullet is not read",
                                 "start it with '- figure:' or '- view:'", code="sub-bullet")
            elif part.type == "paragraph":
                self._reject(part.first, part.last, "a blank line splits this bullet: its second paragraph is "
                             "not read", "remove the blank line to join it to the bullet above, or make it a "
                             "bullet of its own", code="bullet")
            else:
                self._reject(part.first, part.last, "this block inside a bullet is not read",
                             "keep a bullet to one paragraph, with figure: and view: sub-bullets", code="bullet")

    def _sub_bullet(self, item: Item, sub: _Node) -> None:
        parts = sub.children
        if not parts or parts[0].type != "paragraph":
            self._reject(sub.first, sub.last, "a sub-bullet without text of its own is not read",
                         "write '- figure: …' or '- view: …' on one line", code="sub-bullet")
            return
        head = parts[0]
        content = " ".join(head.content.split("\n"))
        raw = self.lines[head.first:head.last + 1]
        lead = _LEAD.match(content)
        if lead:
            kind = _add_sub_bullet(item, content, self.first_line + head.first, raw)
            added = item.views[-1] if kind == "view" else (item.figures[-1] if kind == "figure" else None)
            if added is not None:
                added.last_line = self.first_line + head.last
            self._place(kind if added is not None else "figure", head.first, head.last)
            self._wrong_brackets(head)
        elif _claim_shaped(content):
            self._reject(head.first, head.last, "this claim is indented under the bullet above, so it is read "
                         "as a sub-bullet and lost", "remove the indentation so that it starts its own bullet",
                         code="nested-claim")
        else:
            word = _SUB_LEAD.match(content)
            written = word.group("word").strip() if word else ""
            close = difflib.get_close_matches(written.lower(), ["figure", "view"], n=1, cutoff=0.6)
            if close:
                self._reject(head.first, head.last, f"unknown sub-bullet '{written}:'",
                             f"did you mean '{close[0]}:'?", code="sub-bullet")
            else:
                shown = f"'{written}:'" if written else "without 'figure:' or 'view:'"
                self._reject(head.first, head.last, f"a sub-bullet {shown} is not read" if not written else
                             f"unknown sub-bullet {shown}; only 'figure:' and 'view:' sub-bullets are read",
                             "put the text into the bullet above, or write it as '- figure: **12** … (2015) "
                             "[src: id]' or '- view: … [src: id]'", code="sub-bullet")
        for part in parts[1:]:
            self._reject(part.first, part.last, "this block under a sub-bullet is not read",
                         "keep figure: and view: sub-bullets to one paragraph, without bullets of their own",
                         code="sub-bullet")

    def _wrong_brackets(self, node: _Node) -> None:
        """``(uncertain)``, ``{contested}``, ``(src: a)``: a mark in the wrong brackets is lost."""
        for index in range(node.first, node.last + 1):
            for match in _WRONG_BRACKETS.finditer(self.lines[index]):
                mark = " ".join(match.group("mark").split())
                self._problem(index, f"'{match.group(0)}' is not read as a mark: marks go in square brackets",
                              f"write [{mark}]", col=match.start() + 1, code="mark-brackets")

    # --- prose sections ----------------------------------------------------------------------

    def _prose_block(self, node: _Node, section: Section | None) -> None:
        kind = "lesson" if section is not None and section.key == "lessons" else "prose"
        if node.type == "html_block" and _HTML_COMMENT.match(node.content):
            self._place("comment", node.first, node.last)
            return
        self._place("heading" if node.type == "heading" else kind, node.first, node.last)
        if section is not None and section.key not in KNOWN_SECTIONS:
            return  # the validator reports the unknown heading, with the section it probably means
        where = f"## {section.title}" if section is not None else "the text before the first section"
        for paragraph in _paragraphs(node):
            if _claim_shaped(paragraph.content):
                folder = _CONCEPT_LEAD.match(paragraph.content).group("folder")
                target = _SECTION_OF_FOLDER.get(folder)
                self._reject(paragraph.first, paragraph.last,
                             f"a claim linking a concept page under {where} is not read as a claim",
                             f"move it to ## {target}" if target else
                             "link to a page in ../concepts/practices, challenges, outcomes or frameworks",
                             code="misplaced-claim")


def _paragraphs(node: _Node) -> list[_Node]:
    """The paragraphs inside a block, at any depth (list items, quotes)."""
    if node.type == "paragraph":
        return [node]
    return [p for child in node.children for p in _paragraphs(child)]


def _claim_shaped(text: str) -> bool:
    """A text shaped like a claim: a concept link first, then a colon or a mark.

    >>> _claim_shaped("[Peer recruitment](../concepts/practices/peer-recruitment.md): teams hire. [src: a]")
    True
    >>> _claim_shaped("Read more in [our guide](../docs/guide.md): it helps.")
    False
    """
    lead = _CONCEPT_LEAD.match(text)
    return bool(lead) and (bool(_AFTER_LINK.match(text[lead.end():])) or "[src:" in text.lower())


def _section_key(title: str) -> str:
    return re.sub(r"\s+", " ", title.strip().lower())


def _new_item(section: Section, text: str, line_no: int, raw: list[str]) -> Item:
    content = " ".join(text.split("\n"))
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


def _add_sub_bullet(item: Item, content: str, line_no: int, raw: list[str]) -> str:
    """Add a ``figure:`` or ``view:`` sub-bullet to its item; say which ("" for a figure that does not parse)."""
    lead = _LEAD.match(content)
    kind, rest = lead.group(1).lower(), content[lead.end():]
    key, rest = _explicit_key(rest)
    sources = _source_ids(rest)
    marker = _MARKER.search(rest)
    marks = _scope_marks(raw, line_no)
    rest = _SOURCES.sub("", _MARKER.sub("", _ABOUT.sub("", rest))).strip()
    if kind == "view":
        item.views.append(View(re.sub(r"\s+", " ", rest), sources, line_no, marks, key=key))
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
