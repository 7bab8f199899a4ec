"""Passages of the prose: each bullet and each paragraph of a case's or concept's Markdown body.

Search answers questions with passages rather than whole pages, and the lessons page gathers the
passages of every case's **Lessons** and **Open questions**.  A passage keeps where it comes from
(its owner, its section) and what it cites (the ``[src: ...]`` ids), so that every answer can be
checked.  A top-level bullet is one passage together with its sub-bullets (a claim's ``figure:``
and ``view:`` lines belong to it); outside lists, each paragraph is one.  **See also** is a list
of links, not prose, and is left out.

>>> body = '''## Context
...
... A [team](x.md) of **12**. [src: a, b]
...
... ## Practices
...
... - [Teams](../concepts/practices/teams.md): small. [src: a]
...   - figure: **12** nurses (2015) [src: c]
... '''
>>> [(p.section, p.text, p.sources, p.concepts) for p in passages_of("organisation", "x", "X", body)]
[('Context', 'A team of 12.', ('a', 'b'), ()), ('Practices', 'Teams: small. figure: 12 nurses (2015)', \
('a', 'c'), (('practice', 'teams'),))]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

import pyromark

from kb.content.items import scope_marks
from kb.evidence import SELF
from kb.kinds import KIND_OF_FOLDER
from kb.slug import slug

__all__ = ["LESSON_SECTIONS", "Passage", "passages_of", "plain_text", "section_passages", "slug"]

#: Sections that are lists of links rather than prose.
SKIPPED_SECTIONS = {"see also"}
#: The sections the lessons page gathers, in the order it shows them.
LESSON_SECTIONS = ("Lessons", "Open questions")

_CITATION = re.compile(r"\[src:\s*([^\]]*)\]", re.IGNORECASE)
_STATUS = re.compile(r"\[(contested|uncertain)\]", re.IGNORECASE)
_MARKS = re.compile(r"\[(?:contested|uncertain|about\s*:[^\]]*)\]", re.IGNORECASE)
_PUNCTUATION = ".,;:!?)"
_SPACED_PUNCTUATION = tuple(f" {mark}" for mark in _PUNCTUATION)
_SPACE_BEFORE_PUNCTUATION = re.compile(rf"\s+([{re.escape(_PUNCTUATION)}])")
#: pyromark events whose value is text of the page (raw HTML included: the site shows it as text).
_TEXT_EVENTS = frozenset(("Text", "Code", "Html", "InlineHtml"))
#: Inline tags: their start and end are inside a block's text (images apart: their alt text is left out).
_INLINE_TAGS = frozenset(("Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Link"))
_CONCEPT_HREF = re.compile(rf"(?:^|/)concepts/({'|'.join(KIND_OF_FOLDER)})/([a-z0-9-]+)\.md(?:#.*)?$")


@dataclass(frozen=True)
class Passage:
    """One bullet or paragraph of an organisation's (a case's) or a concept's page."""

    owner_kind: str  # "organisation", or the concept's kind ("practice", ...)
    owner_id: str
    owner_name: str
    section: str  # the ``##`` heading it is under, as written ("" before the first heading)
    ordinal: int  # its place in the section, from 1
    text: str  # plain text: no markup, no citations
    sources: tuple[str, ...]  # source ids it cites, in order of first citation
    concepts: tuple[tuple[str, str], ...]  # (kind, id) of the concepts it links to
    line: int  # its first line in the body, from 1
    #: Whom it is about: its ``[about: …]`` mark's kind (``self`` without one; a concept's passages are general),
    #: the groups the mark names, and ``contested`` or ``uncertain`` when it is marked so.
    scope: str = SELF
    about: tuple[str, ...] = ()
    status: str = ""

    @property
    def key(self) -> str:
        return f"{self.owner_kind}:{self.owner_id}:{slug(self.section)}:{self.ordinal}"


def plain_text(markdown: str) -> str:
    """The readable text of Markdown: no markup, no link targets, no ``[src: ...]`` citations.

    Each block's text on a line of its own, its spaces collapsed (a code block's kept).  Read from
    pyromark's events (pulldown-cmark, CommonMark in Rust, as the loader reads bodies): building the
    search index parses every case's body and every passage, which took most of a minute per 1,000
    cases with markdown-it's Python inline parser.  Raw HTML is text, as the site shows it (raw
    HTML off); an image's alt text and a hard break are left out.

    >>> plain_text("## Context\\n\\nA [team](x.md) of **12**. [src: a, b]\\n\\n- one\\n- two")
    'Context\\nA team of 12.\\none\\ntwo'
    """
    blocks: list[str] = []
    parts: list[str] = []
    images = 0  # inside an image: its alt text is not text of the page

    def flush(code: bool = False) -> None:
        text = "".join(parts)
        parts.clear()
        text = text.strip() if code else " ".join(text.split())
        if text:  # removing citations leaves a space before the punctuation that followed them
            blocks.append(_SPACE_BEFORE_PUNCTUATION.sub(r"\1", text) if code else _tightened(text))

    for event in pyromark.events(_CITATION.sub("", markdown or "")):
        if event.__class__ is str:  # SoftBreak, HardBreak or Rule
            if event == "SoftBreak" and not images:
                parts.append(" ")
            elif event == "Rule":
                flush()
            continue
        kind = next(iter(event))
        value = event[kind]
        if kind in _TEXT_EVENTS:
            if not images:
                parts.append(value)
            continue
        tag = value if value.__class__ is str or value is None else next(iter(value))
        if tag == "Image":
            images += 1 if kind == "Start" else -1
        elif tag not in _INLINE_TAGS:  # a block starts or ends: the text so far is a block of its own
            flush(code=tag == "CodeBlock" and kind == "End")
    flush()
    return "\n".join(blocks)


def _tightened(text: str) -> str:
    """``text`` (its spaces single) without the spaces before punctuation; the pattern is tried only where a space is
    before one (the passages' texts went through regular expressions 300,000 times at 1,000 cases)."""
    for spaced in _SPACED_PUNCTUATION:
        if spaced in text:
            return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return text


def _sources(markdown: str) -> tuple[str, ...]:
    ids = (part.strip() for match in _CITATION.finditer(markdown) for part in re.split(r"[,;]", match.group(1)))
    return tuple(dict.fromkeys(source for source in ids if source))


def passages_of(owner_kind: str, owner_id: str, owner_name: str, body: str) -> list[Passage]:
    """The passages of one Markdown body, in reading order.

    Walks pyromark's events with their byte ranges (the lines of each top-level bullet and
    paragraph come from them); the concepts a passage links to are its links' targets.
    """
    return _PassageWalk(owner_kind, owner_id, owner_name, body or "").run()


#: A ``## Title`` line (an ATX heading of level 2 at the start of a line), with its title.
_H2_LINE = re.compile(r"^## +(.*?)(?: +#+)? *$")
#: What before a section could change how it parses: a code fence, an HTML block, a link reference definition,
#: a setext underline or a thematic break (a heading of the same name could also hide behind the last two).
_CARRIES_OVER = re.compile(r"^ {0,3}(?:```|~~~|<|\[[^\]]*\]:|=+ *$|-+ *$|\* *\* *\*|_ *_ *_)", re.MULTILINE)


def section_passages(owner_kind: str, owner_id: str, owner_name: str, body: str,
                     sections: tuple[str, ...]) -> list[Passage]:
    """The passages of the ``##`` sections named ``sections``, as :func:`passages_of` finds them.

    The lessons page reads two sections of every case (the lessons and open questions of 10,000 cases, at
    the first visit after a load): the body before the first of them is left out of the parse, its lines
    blanked so that every line keeps its number, unless something there could change how the rest parses;
    then the whole body is read.

    >>> body = "## Context\\n\\nFounded. [src: a]\\n\\n## Lessons\\n\\n- Teams work. [src: b]\\n"
    >>> [(p.section, p.text, p.line) for p in section_passages("organisation", "x", "X", body, ("Lessons",))]
    [('Lessons', 'Teams work.', 7)]
    """
    lines = (body or "").split("\n")
    first = next((number for number, line in enumerate(lines)
                  if (match := _H2_LINE.match(line)) and match.group(1).strip() in sections), None)
    if first is None:
        return [p for p in passages_of(owner_kind, owner_id, owner_name, body) if p.section in sections]
    before = "\n".join(lines[:first])
    tail = body if _CARRIES_OVER.search(before) else "\n" * first + "\n".join(lines[first:])
    return [p for p in passages_of(owner_kind, owner_id, owner_name, tail) if p.section in sections]


class _PassageWalk:
    """One walk over a body's events: the h2 it is under, the passage being read and its links."""

    def __init__(self, owner_kind: str, owner_id: str, owner_name: str, body: str) -> None:
        self.owner = (owner_kind, owner_id, owner_name)
        self.body, self.lines = body, body.split("\n")
        self.line_starts, offset = [], 0
        for line in self.lines:  # byte offset of each line: pyromark's ranges are in UTF-8 bytes
            self.line_starts.append(offset)
            offset += len(line) + 1 if line.isascii() else len(line.encode("utf-8")) + 1
        self.encoded = body.encode("utf-8")
        self.passages: list[Passage] = []
        self.section, self.ordinal, self.depth = "", 0, 0  # depth: how many lists and quotes the walk is inside
        self.heading: list[int] | None = None  # the byte range of an h2's own text while inside it
        self.passage: tuple[str, int, int] | None = None  # (tag, depth, first line) of the passage being read
        self.concepts: list[tuple[str, str]] = []

    def run(self) -> list[Passage]:
        for event, span in pyromark.events_with_range(self.body):
            if event.__class__ is str:
                continue
            kind = next(iter(event))
            value = event[kind]
            if kind != "Start" and kind != "End":  # text, code, raw HTML
                if self.heading is not None:
                    self._widen_heading(span)
                continue
            tag = value if value.__class__ is str or value is None else next(iter(value))
            if tag == "Heading":
                self._heading(kind, value)
            elif tag in _INLINE_TAGS or tag == "Image":
                self._inline(kind, tag, value, span)
            elif tag in ("List", "BlockQuote"):
                self.depth += 1 if kind == "Start" else -1
            elif tag in ("Item", "Paragraph"):
                self._block(kind, tag, span)
        return self.passages

    def _widen_heading(self, span: dict[str, int]) -> None:
        self.heading[0], self.heading[1] = min(self.heading[0], span["start"]), max(self.heading[1], span["end"])

    def _heading(self, kind: str, value: Any) -> None:
        if kind == "Start" and value["Heading"]["level"] == "H2":
            self.heading = [len(self.encoded), 0]
        elif kind == "End" and self.heading is not None:
            start, end = self.heading
            self.section = self.encoded[start:end].decode("utf-8").strip() if end else ""
            self.ordinal, self.heading = 0, None

    def _inline(self, kind: str, tag: str, value: Any, span: dict[str, int]) -> None:
        if self.heading is not None:
            self._widen_heading(span)
        if kind == "Start" and tag == "Link" and self.passage is not None:
            match = _CONCEPT_HREF.search(value["Link"]["dest_url"])
            if match:
                self.concepts.append((KIND_OF_FOLDER[match.group(1)], match.group(2)))

    def _block(self, kind: str, tag: str, span: dict[str, int]) -> None:
        if kind == "Start" and self.passage is None and self.depth == (1 if tag == "Item" else 0):
            self.passage, self.concepts = (tag, self.depth, bisect_right(self.line_starts, span["start"]) - 1), []
        elif kind == "End" and self.passage is not None and self.passage[:2] == (tag, self.depth):
            self._add(self.passage[2], bisect_right(self.line_starts, max(span["start"], span["end"] - 1)))
            self.passage = None

    def _add(self, start: int, end: int) -> None:
        raw = "\n".join(self.lines[start:end])
        # Its [about: …] and [contested] / [uncertain] marks are shown as its scope and status, not as text.
        text = " ".join(plain_text(_unindent_item(raw)).split("\n"))
        text = _tightened(" ".join((_MARKS.sub("", text) if "[" in text else text).split()))
        if not text or slug(self.section).replace("-", " ") in SKIPPED_SECTIONS:
            return
        self.ordinal += 1
        owner_kind, owner_id, owner_name = self.owner
        marks = scope_marks(self.lines[start:end], start + 1)
        scope = marks[0].kind if marks else SELF if owner_kind == "organisation" else "general"
        status = _STATUS.search(raw)
        self.passages.append(Passage(owner_kind, owner_id, owner_name, self.section, self.ordinal, text,
                                     _sources(raw), tuple(dict.fromkeys(self.concepts)), start + 1, scope,
                                     tuple(marks[0].about) if marks else (),
                                     status.group(1).lower() if status else ""))


_ITEM_MARKER = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")


def _unindent_item(raw: str) -> str:
    """A list item's source as plain paragraphs: its marker taken off, sub-bullets as lines of their own."""
    return "\n".join(_ITEM_MARKER.sub("", line.strip()) for line in _ITEM_MARKER.sub("", raw, count=1).split("\n"))
