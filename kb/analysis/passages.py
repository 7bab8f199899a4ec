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
from dataclasses import dataclass

from markdown_it import MarkdownIt

from kb.kinds import KIND_OF_FOLDER
from kb.slug import slug

__all__ = ["LESSON_SECTIONS", "Passage", "passages_of", "plain_text", "slug"]

#: Sections that are lists of links rather than prose.
SKIPPED_SECTIONS = {"see also"}
#: The sections the lessons page gathers, in the order it shows them.
LESSON_SECTIONS = ("Lessons", "Open questions")

_md = MarkdownIt("commonmark", {"html": False})
_CITATION = re.compile(r"\[src:\s*([^\]]*)\]", re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")
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

    @property
    def key(self) -> str:
        return f"{self.owner_kind}:{self.owner_id}:{slug(self.section)}:{self.ordinal}"


def plain_text(markdown: str) -> str:
    """The readable text of Markdown: no markup, no link targets, no ``[src: ...]`` citations.

    >>> plain_text("## Context\\n\\nA [team](x.md) of **12**. [src: a, b]\\n\\n- one\\n- two")
    'Context\\nA team of 12.\\none\\ntwo'
    """
    blocks = []
    for token in _md.parse(_CITATION.sub("", markdown or "")):
        if token.type == "inline":
            text = "".join(child.content if child.type in ("text", "code_inline") else " "
                           for child in token.children or [] if child.type in ("text", "code_inline", "softbreak"))
            blocks.append(re.sub(r"\s+", " ", text).strip())
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content.strip())
    # Removing citations leaves a space before the punctuation that followed them.
    return "\n".join(_SPACE_BEFORE_PUNCTUATION.sub(r"\1", block) for block in blocks if block)


def _sources(markdown: str) -> tuple[str, ...]:
    ids = (part.strip() for match in _CITATION.finditer(markdown) for part in re.split(r"[,;]", match.group(1)))
    return tuple(dict.fromkeys(source for source in ids if source))


def _concepts(tokens: list) -> tuple[tuple[str, str], ...]:
    found = []
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open" and (match := _CONCEPT_HREF.search(str(child.attrs.get("href", "")))):
                found.append((KIND_OF_FOLDER[match.group(1)], match.group(2)))
    return tuple(dict.fromkeys(found))


def passages_of(owner_kind: str, owner_id: str, owner_name: str, body: str) -> list[Passage]:
    """The passages of one Markdown body, in reading order."""
    lines = (body or "").split("\n")
    tokens = _md.parse(body or "")
    passages: list[Passage] = []
    section, ordinal, depth = "", 0, 0  # depth: how many lists and quotes the walk is inside

    def add(start: int, end: int, inner: list) -> None:
        nonlocal ordinal
        raw = "\n".join(lines[start:end])
        text = " ".join(plain_text(_unindent_item(raw)).split("\n"))
        if not text or slug(section).replace("-", " ") in SKIPPED_SECTIONS:
            return
        ordinal += 1
        passages.append(Passage(owner_kind, owner_id, owner_name, section, ordinal, text, _sources(raw),
                                _concepts(inner), start + 1))

    for number, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            section, ordinal = tokens[number + 1].content.strip(), 0
        elif token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            depth -= 1
        elif token.map and ((token.type == "list_item_open" and depth == 1)
                            or (token.type == "paragraph_open" and depth == 0)):
            closing = "list_item_close" if token.type == "list_item_open" else "paragraph_close"
            end = next(i for i in range(number + 1, len(tokens))
                       if tokens[i].type == closing and tokens[i].level == token.level)
            add(token.map[0], token.map[1], tokens[number:end])
    return passages


_ITEM_MARKER = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")


def _unindent_item(raw: str) -> str:
    """A list item's source as plain paragraphs: its marker taken off, sub-bullets as lines of their own."""
    return "\n".join(_ITEM_MARKER.sub("", line.strip()) for line in _ITEM_MARKER.sub("", raw, count=1).split("\n"))
