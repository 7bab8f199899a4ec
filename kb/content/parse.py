"""Stage 2: turn each content file into a :class:`Document` (front matter + body items).

Parsing never raises on bad content: what cannot be read is recorded as a
located :class:`~kb.problems.Problem` on the document.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from kb.content.body import Body, parse_body
from kb.content.files import ContentLayout, SourceFile, read_text
from kb.content.frontmatter import FrontMatter, split_front_matter
from kb.problems import Problem

__all__ = ["Document", "invisible_character_problems", "parse_file"]


@dataclass
class Document:
    """One parsed content file."""

    file: SourceFile
    text: str | None
    front: FrontMatter | None
    body: Body | None
    digest: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.file.display

    @property
    def role(self) -> str:
        return self.file.role

    @property
    def data(self) -> dict:
        return (self.front.data if self.front else None) or {}

    @property
    def stem(self) -> str:
        return self.file.path.stem

    def at(self, *path: object) -> tuple[int, int]:
        """Line and column of a front-matter value."""
        return self.front.position(path) if self.front else (1, 1)


def parse_file(file: SourceFile, layout: ContentLayout) -> Document:
    """Read and parse one content file; whatever the bytes, the result is a Document, never an exception."""
    try:
        return _parse(file, layout)
    except Exception as err:  # a last safety net: report, never crash on a stranger's file
        problem = Problem(file.display, 1, 1, f"file could not be parsed ({type(err).__name__})",
                          "simplify the file; if it looks valid, report this as a bug", code="internal")
        return Document(file, None, None, None, problems=[problem])


def _parse(file: SourceFile, layout: ContentLayout) -> Document:
    text, problems = read_text(file, layout)
    if text is None:
        return Document(file, None, None, None, problems=problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    problems.extend(invisible_character_problems(text, file.display))
    front = split_front_matter(text, file.display)
    problems.extend(front.problems)
    body = parse_body(front.body, front.body_start_line, file.display) if file.role == "case" else None
    if body is not None:
        problems.extend(body.problems)
    return Document(file, text, front, body, digest, problems)


#: Characters that show as nothing (zero-width spaces and joiners, word joiner, soft hyphen, a byte
#: order mark inside the text, direction marks and overrides): an id or link holding one looks exactly
#: like the right one but does not match it.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def invisible_character_problems(text: str, where: str) -> list[Problem]:
    """One error per line holding an invisible character, at its column, naming it.

    >>> [(p.line, p.col, p.message) for p in invisible_character_problems("id: x\\n- [A](../a\\u200b.md)", "f.md")]
    [(2, 11, "invisible character U+200B (ZERO WIDTH SPACE) after '- [A](../a'")]
    """
    # Every invisible character is outside ASCII, and ``str.isascii`` answers from the string's header
    # without reading it; otherwise one scan of the text, its lines only to locate what it finds.
    if text.isascii() or not _INVISIBLE.search(text):
        return []
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _INVISIBLE.search(line)
        if match:
            char = match.group(0)
            before = line[max(0, match.start() - 12):match.start()]
            shown = f"after '…{before}'" if match.start() > 12 else f"after '{before}'" if before else "at the start"
            problems.append(Problem(where, number, match.start() + 1,
                                    f"invisible character U+{ord(char):04X} ({unicodedata.name(char, 'control')}) "
                                    f"{shown}", "delete it: text with it looks right but does not match",
                                    code="invisible"))
    return problems
