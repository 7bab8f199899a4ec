"""The graph diff as a reviewer reads it: plain text for a terminal, Markdown for a pull request.

>>> from kb.contrib.diff import Change, GraphDiff
>>> diff = GraphDiff("main", "abc123", [Change("added", "sources", "Source", "a", "a: A report")], {}, [], {})
>>> print(to_text(diff))
Graph change: working tree against main (abc123)
<BLANKLINE>
Sources: 1 added
  + a: A report
<BLANKLINE>
Claims left without a source: none
<BLANKLINE>
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from typing import Any

from kb.contrib.diff import CATEGORIES, Change, GraphDiff

__all__ = ["text_changes", "to_markdown", "to_text"]

_SIGNS = {"added": "+", "removed": "-", "changed": "~"}
#: Properties a reviewer must read whole: what a claim, figure or view says, and a concept's definition.
_WHOLE_TEXTS = {"detail", "note", "text", "definition"}
_MARKDOWN_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters


def to_text(diff: GraphDiff) -> str:
    """The comparison as plain text for a terminal."""
    lines = [f"Graph change: working tree against {diff.base} ({diff.base_commit})", ""]
    if diff.files:
        lines.append(f"Files: {len(diff.files)} changed")
        lines += [f"  {how:<8}{path}" for path, how in diff.files.items()]
        lines.append("")
    lines += _left_out_lines(diff, lambda path: path)
    if not diff.changes:
        lines += ["No change to the graph.", ""]
    for category, changes in _by_category(diff.changes):
        lines.append(f"{CATEGORIES[category]}: {_count_phrase(changes)}")
        for change in changes:
            lines.append(f"  {_SIGNS[change.change]} {change.title}")
            if change.detail:
                lines.append(f"      {change.detail}")
            lines += [f"      {name}: {before} -> {after}" for name, before, after in _shown(change)]
        lines.append("")
    lines.append("Claims left without a source: " + ("none" if not diff.unsourced else str(len(diff.unsourced))))
    lines += [f"  {item}" for item in diff.unsourced]
    if diff.lines:
        lines += ["", f"Lines the graph changes above do not show: {_line_counts(diff)}"]
        for change in diff.lines:
            note = f" ({change.note})" if change.note else ""
            lines.append(f"  {change.sign} {change.file}:{change.line} [{change.where}]{note}: {change.text.strip()}")
    return "\n".join(lines) + "\n"


def _line_counts(diff: GraphDiff) -> str:
    """"3 added, 1 removed, 1 not read"."""
    added = sum(c.sign == "+" for c in diff.lines)
    removed = sum(c.sign == "-" for c in diff.lines)
    unread = sum(c.sign == "+" and c.not_read for c in diff.lines)
    return ", ".join(f"{n} {word}" for n, word in ((added, "added"), (removed, "removed"), (unread, "not read")) if n)


def to_markdown(diff: GraphDiff) -> str:
    """The comparison as Markdown for a pull-request comment (GitHub-flavoured).

    The first line is a hidden marker, so that a workflow can find and update its own comment.
    """
    merge_base = diff.base.removeprefix("merge base with ")
    against = (f"the merge base with {_code(merge_base)}" if merge_base != diff.base else _code(diff.base))
    head = ["<!-- kb-graph-diff -->", "### Graph change", "",
            f"Compared with {against} ({_code(diff.base_commit)}); {len(diff.files)} content file(s) changed.", ""]
    counts = diff.counts()
    if counts:
        head += ["| | Added | Removed | Changed |", "|:--|--:|--:|--:|"]
        head += [f"| {CATEGORIES[c]} | {n['added']} | {n['removed']} | {n['changed']} |"
                 for c in CATEGORIES if (n := counts.get(c))]
        head.append("")
    else:
        head += ["No change to the graph.", ""]
    head += _left_out_lines(diff, _code, bullet="- ")
    if diff.unsourced:
        head += [f"**Claims left without a source: {len(diff.unsourced)}**", ""]
        head += [f"- {_code(f'{u.file}:{u.line}')} {_escape(u.text)}" for u in diff.unsourced]
    else:
        head.append("**Claims left without a source:** none.")
    unread = [c for c in diff.lines if c.sign == "+" and c.not_read]
    if unread:
        head += ["", f"**Lines not read: {len(unread)}** (fix them: the graph leaves them out)", ""]
        head += [f"- {_code(f'{c.file}:{c.line}')} {_escape(c.note)}: {_code(c.text.strip())}" for c in unread]
    body: list[str] = []
    if diff.lines:
        body += ["", f"<details><summary><strong>Lines the graph rows do not show</strong> (timeline, prose, "
                     f"front matter, lines not read): {_line_counts(diff)}</summary>", ""]
        body += [f"- {_code(f'{c.file}:{c.line}')} **{c.sign}** {_escape(c.where)}: {_code(c.text.strip())}"
                 for c in diff.lines]
        body += ["", "</details>"]
    for category, changes in _by_category(diff.changes):
        # Collapsed: the table above says what changed; a reviewer opens the group to check it.
        body += ["", f"<details><summary><strong>{CATEGORIES[category]}</strong>: "
                     f"{_count_phrase(changes)}</summary>", ""]
        for change in changes:
            detail = f" — {_escape(change.detail)}" if change.detail else ""
            title = (_code(change.key) + _escape(change.title[len(change.key):]) if change.title.startswith(change.key)
                     else _escape(change.title))
            body.append(f"- **{change.change}** {title}{detail}")
            body += [f"  - {_code(name)}: {_code(before)} → {_code(after)}" for name, before, after in _shown(change)]
        body += ["", "</details>"]
    text = "\n".join(head + body) + "\n"
    if len(text) > _MARKDOWN_LIMIT:
        text = text[:_MARKDOWN_LIMIT].rsplit("\n", 1)[0] + (
            "\n\n</details>\n\n… cut to fit a comment; run `python graph_loader.py diff` for the whole list.\n")
    return text


def _by_category(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        grouped[change.category].append(change)
    return [(category, grouped[category]) for category in CATEGORIES if category in grouped]


def _count_phrase(changes: list[Change]) -> str:
    counts = {how: sum(c.change == how for c in changes) for how in _SIGNS}
    return ", ".join(f"{n} {how}" for how, n in counts.items() if n)


def _left_out_lines(diff: GraphDiff, show: Any, bullet: str = "  ") -> list[str]:
    lines = []
    for side, files in diff.left_out.items():
        if files:
            lines.append(f"Left out of the {side} graph because of errors (run validate to see them):")
            lines += [f"{bullet}{show(path)}: {n} error(s)" for path, n in sorted(files.items())]
            lines.append("")
    return lines


def _shown(change: Change) -> list[tuple[str, str, str]]:
    """Changed properties as (name, before, after) texts; long texts as a count of changed lines."""
    shown = []
    for name, (before, after) in change.properties.items():
        if name == "body":
            added, removed = text_changes(before or "", after or "")
            shown.append((name, "text", f"text with {added} line(s) added and {removed} removed"))
        elif name in _WHOLE_TEXTS:
            shown.append((name, _value(before, width=None), _value(after, width=None)))
        else:
            shown.append((name, _value(before), _value(after)))
    return shown


def _value(value: Any, width: int | None = 80) -> str:
    """A property value, short.

    >>> _value(None), _value([]), _value(["a", "b"]), _value(12.0), _value("x" * 100)[-5:]
    ('(none)', '(none)', '[a, b]', '12', 'xxxx…')
    """
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text if width is None or len(text) <= width else text[:width - 1] + "…"


def _code(value: Any) -> str:
    """A Markdown code span that no backtick in the value can break."""
    return f"`{str(value).replace('`', chr(39))}`"


def _escape(text: str) -> str:
    """Text from content files, made inert in Markdown (no links, HTML, mentions or tables).

    >>> _escape("<b>@team</b> [x](y) *z*")
    '\\\\<b\\\\>\\\\@team\\\\</b\\\\> \\\\[x\\\\](y) \\\\*z\\\\*'
    """
    text = re.sub(r"\s+", " ", text)
    return "".join("\\" + char if char in "\\`*_[]<>|~#@!" else char for char in text)


def text_changes(before: str, after: str) -> tuple[int, int]:
    """Lines added and removed between two texts.

    >>> text_changes("a\\nb\\n", "a\\nc\\nd\\n")
    (2, 1)
    """
    added = removed = 0
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        added += line.startswith("+ ")
        removed += line.startswith("- ")
    return added, removed
