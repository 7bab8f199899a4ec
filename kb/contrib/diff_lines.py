"""The lines a change adds and removes that the graph comparison does not show, each with its place.

The graph diff (:mod:`kb.contrib.diff`) compares nodes and relationships, so a reviewer would not see a
timeline entry, prose, a lesson or front matter edited, nor a line the parser could not read.  Here
each changed file's text is compared line by line (``difflib``), and every added or removed line is
given its place from the parser (:attr:`kb.content.body.Body.places`): front matter (with its key),
a section's prose, lesson or timeline entry, or *not read*, with the problem that says why.  Claims,
figures and views are left to the graph comparison, except in a file left out of the graph for its
errors, where every changed line is listed; so is the front matter of a file added or removed whole
(its organisation or concept and its sources are in the graph comparison).

>>> base = "---\\nid: x\\nfounded: 2006\\n---\\n## Timeline\\n\\n- **2006**: Founded. [src: a]\\n"
>>> work = base.replace("2006\\n---", "2007\\n---").replace("[src: a]\\n", "[src: a]\\n- **2010**: Grew. [src: a]\\n")
>>> [(c.sign, c.line, c.where, c.text) for c in line_changes("cases/x.md", base, work)]
[('-', 3, 'front matter: founded', 'founded: 2006'), ('+', 3, 'front matter: founded', 'founded: 2007'), \
('+', 8, 'Timeline: timeline entry', '- **2010**: Grew. [src: a]')]
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kb.content.body import parse_body
from kb.content.frontmatter import split_front_matter

__all__ = ["LineChange", "line_changes"]

#: Places whose lines are graph rows, shown by the graph comparison instead.
_GRAPH_PLACES = {"claim", "figure", "view", "contested"}
_PLACE_WORDS = {"timeline": "timeline entry", "problem": "not read"}


@dataclass(frozen=True)
class LineChange:
    """One added (+) or removed (-) line of a content file, where it is, and why it is not read if so."""

    file: str
    line: int  # in the working file for "+", in the base file for "-"
    sign: str
    where: str  # "front matter: founded", "Context: prose", "Practices: not read", ...
    text: str
    note: str = ""  # for a line not read: the parser's message

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "sign": self.sign, "where": self.where, "text": self.text,
                "note": self.note}

    @property
    def not_read(self) -> bool:
        return self.where.endswith("not read")


def line_changes(path: str, before: str, after: str, left_out: bool = False) -> list[LineChange]:
    """The changed lines of one file (``before`` or ``after`` empty when it was added or removed)."""
    shown_elsewhere = _GRAPH_PLACES | ({"front"} if not (before and after) else set())
    old, new = before.split("\n"), after.split("\n")
    old_places, new_places = _places(path, before), _places(path, after)
    found = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for sign, lines, start, places in (("-", old, i1, old_places), ("+", new, j1, new_places)):
            stop = i2 if sign == "-" else j2
            for index in range(start, stop):
                if not lines[index].strip():
                    continue
                kind, where, note = places.get(index + 1, ("", "", ""))
                if kind in shown_elsewhere and not left_out:
                    continue
                found.append(LineChange(path, index + 1, sign, where, lines[index], note))
    return found


def _places(path: str, text: str) -> dict[int, tuple[str, str, str]]:
    """file line -> (place kind, where in words, note) for every line the parser places."""
    if not text:
        return {}
    if not path.endswith(".md"):
        return {n: ("vocabulary", "vocabulary", "") for n in range(1, text.count("\n") + 2)}
    front = split_front_matter(text, path)
    places: dict[int, tuple[str, str, str]] = {}
    keys = sorted((position[0], key[0]) for key, position in front.positions.items() if len(key) == 1)
    for number in range(1, front.body_start_line):
        owner = next((key for line, key in reversed(keys) if line <= number), "")
        places[number] = ("front", f"front matter: {owner}" if owner else "front matter", "")
    if not path.startswith("cases/"):
        return places | {n: ("prose", "page text", "") for n in range(front.body_start_line, text.count("\n") + 2)}
    body = parse_body(front.body, front.body_start_line, path)
    notes = {problem.line: problem.message for problem in body.problems}
    titles = sorted((section.line, section.title) for section in body.sections)
    for place in body.places:
        section = next((title for line, title in reversed(titles) if line <= place.first), "")
        words = _PLACE_WORDS.get(place.kind, place.kind)
        where = f"{section}: {words}" if section and place.kind != "heading" else words
        for number in range(place.first, place.last + 1):
            places[number] = (place.kind, where, notes.get(place.first, "") if place.kind == "problem" else "")
    return places
