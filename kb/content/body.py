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

import re

from kb.content.blocks import NEEDS_PARSING, SPLIT, Block, chunks, tree
from kb.content.items import (
    CITED_SECTIONS,
    KNOWN_SECTIONS,
    SUB_BULLET_LEAD,
    Body,
    Figure,
    Item,
    Place,
    ScopeMark,
    Section,
    View,
    add_sub_bullet,
    new_item,
    parse_figure,
    section_key,
)
from kb.kinds import KINDS, SECTION_KINDS
from kb.problems import Problem
from kb.suggest import closest

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


def parse_body(text: str, first_line: int = 1, where: str = "") -> Body:
    """Parse a case body; ``first_line`` is the file line where the body starts, ``where`` its path.

    Every block is accounted for (:attr:`Body.places`): read as a claim, figure, view, timeline entry,
    prose or lesson, or reported in :attr:`Body.problems` with its line and the fix.
    """
    return _Reader(text, first_line, where).read()



_PARSED_SECTIONS = {*SECTION_KINDS, "timeline", "contested claims"}
_ITEM_PLACE = {"timeline": "timeline", "contested claims": "contested"}
#: Concept folder -> the title of the section its claims are written in (kb.kinds).
_SECTION_OF_FOLDER = {kind.folder: kind.section.capitalize() for kind in KINDS}
# A concept link at the start of a text, the shape of a claim: [Name](../concepts/practices/id.md)
_CONCEPT_LEAD = re.compile(r"^\s*\[[^\]\n]*\]\(\s*(?:\.\./|\./|/)*concepts/(?P<folder>[a-z]+)/[^)\s]*\)")
_AFTER_LINK = re.compile(r"^(?:\s*\[[^\]]*\])*\s*[:—–-]")
_MISPLACED_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?P<title>[^#\s].*?)\s*#*\s*$")
_SUB_LEAD = re.compile(r"^\s*(?P<word>[A-Za-z][\w -]{0,20}?)\s*:")
_WRONG_BRACKETS = re.compile(
    r"(?P<open>[({<])\s*(?P<mark>(?:contested|uncertain)\s*|(?:src|about|key)\s*:[^(){}<>\[\]\n]*)(?P<close>[)}>])",
    re.IGNORECASE)
_HTML_COMMENT = re.compile(r"^\s*<!--.*-->\s*$", re.DOTALL)



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
        for start, end in chunks(self.lines):
            head_end = start + 1 if SPLIT.match(self.lines[start]) else start
            for node in tree(self.lines[start:head_end], start):
                self._node(node, starts)
            key = self.section.key if self.section is not None else None
            rest = "\n".join(self.lines[head_end:end])
            # Plain prose: nothing in it can be a claim; a cited section's paragraphs are wanted, though
            if key not in _PARSED_SECTIONS and key not in CITED_SECTIONS and not NEEDS_PARSING.search(rest):
                self._place("lesson" if self.section is not None and self.section.key == "lessons" else "prose",
                            head_end, end - 1)
                continue
            for node in tree(self.lines[head_end:end], head_end):
                self._node(node, starts)
        for position, (section, start) in enumerate(starts):
            end = starts[position + 1][0].line - self.first_line if position + 1 < len(starts) else len(self.lines)
            section.text = "\n".join(self.lines[start:end]).strip()
        return Body(self.sections, self.items, self._places(), self.problems)

    def _node(self, node: Block, starts: list[tuple[Section, int]]) -> None:
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

    def _section_heading(self, node: Block) -> Section | None:
        """The section a top-level block opens, reporting a heading in the wrong level or form."""
        if node.type == "heading":
            title = node.content.strip()
            key = section_key(title)
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
            if misplaced and section_key(misplaced.group("title")) in KNOWN_SECTIONS:
                hashes, title = misplaced.group("hashes"), misplaced.group("title").strip()
                self._reject(node.first, node.first, f"'{first_line.strip()}' is not a heading: a space must "
                             f"follow '{hashes}'", f"write '## {title}'", code="heading")
                if node.last > node.first:  # the rest of the paragraph: read it in the new section
                    self._reject(node.first + 1, node.last, "text straight under a heading line is not read",
                                 "leave a blank line after the heading", code="heading")
                return Section(section_key(title), title, self.first_line + node.first)
        return None

    # --- claim sections ----------------------------------------------------------------------

    def _claim_block(self, node: Block, section: Section) -> None:
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

    def _claim_item(self, list_item: Block, section: Section) -> None:
        parts = list_item.children
        if not parts or parts[0].type != "paragraph":
            self._reject(list_item.first, list_item.last, "a bullet without text of its own is not read",
                         "write the claim on the bullet's first line: '- [Name](…): … [src: id]'", code="bullet")
            return
        head = parts[0]
        item = new_item(section, head.content, self.first_line + head.first,
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

    def _sub_bullet(self, item: Item, sub: Block) -> None:
        parts = sub.children
        if not parts or parts[0].type != "paragraph":
            self._reject(sub.first, sub.last, "a sub-bullet without text of its own is not read",
                         "write '- figure: …' or '- view: …' on one line", code="sub-bullet")
            return
        head = parts[0]
        content = " ".join(head.content.split("\n"))
        raw = self.lines[head.first:head.last + 1]
        lead = SUB_BULLET_LEAD.match(content)
        if lead:
            kind = add_sub_bullet(item, content, self.first_line + head.first, raw)
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
            close = closest(written.lower(), ["figure", "view"], limit=1)
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

    def _wrong_brackets(self, node: Block) -> None:
        """``(uncertain)``, ``{contested}``, ``(src: a)``: a mark in the wrong brackets is lost."""
        if not _WRONG_BRACKETS.search("\n".join(self.lines[node.first:node.last + 1])):
            return  # nearly every bullet: one search of its text (a match may span lines; each line says)
        for index in range(node.first, node.last + 1):
            for match in _WRONG_BRACKETS.finditer(self.lines[index]):
                mark = " ".join(match.group("mark").split())
                self._problem(index, f"'{match.group(0)}' is not read as a mark: marks go in square brackets",
                              f"write [{mark}]", col=match.start() + 1, code="mark-brackets")

    # --- prose sections ----------------------------------------------------------------------

    def _prose_block(self, node: Block, section: Section | None) -> None:
        kind = "lesson" if section is not None and section.key == "lessons" else "prose"
        if node.type == "html_block" and _HTML_COMMENT.match(node.content):
            self._place("comment", node.first, node.last)
            return
        self._place("heading" if node.type == "heading" else kind, node.first, node.last)
        if section is not None and section.key not in KNOWN_SECTIONS:
            return  # the validator reports the unknown heading, with the section it probably means
        where = f"## {section.title}" if section is not None else "the text before the first section"
        for paragraph in _paragraphs(node):
            if section is not None and section.key in CITED_SECTIONS:
                section.paragraphs.append((self.first_line + paragraph.first, paragraph.content))
            if _claim_shaped(paragraph.content):
                folder = _CONCEPT_LEAD.match(paragraph.content).group("folder")
                target = _SECTION_OF_FOLDER.get(folder)
                self._reject(paragraph.first, paragraph.last,
                             f"a claim linking a concept page under {where} is not read as a claim",
                             f"move it to ## {target}" if target else
                             "link to a page in ../concepts/practices, challenges, outcomes or frameworks",
                             code="misplaced-claim")


def _paragraphs(node: Block) -> list[Block]:
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


