"""Stage 2a: split a Markdown file into YAML front matter and body.

The YAML is read with PyYAML's safe composer, node by node, so that every value
keeps its line and column (for error messages) and no tag can run code.
Anchors and aliases are refused: case files do not need them, and they are
the vehicle of "billion laughs" expansion.

>>> fm = split_front_matter("---\\nid: x\\nyears: [2001, 2002]\\n---\\n# Body\\n", "x.md")
>>> fm.data, fm.body_start_line, fm.positions[("years", 1)]
({'id': 'x', 'years': [2001, 2002]}, 5, (3, 15))
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import yaml

from kb.problems import Problem

__all__ = ["FrontMatter", "split_front_matter"]

Path_ = tuple  # a path into the data: keys and list indexes

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class FrontMatter:
    """Parsed front matter: data, the (line, col) of every value, and where the body starts."""

    data: dict | None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    body: str = ""
    body_start_line: int = 1
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: Path_) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest ancestor."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


class _Refused(Exception):
    def __init__(self, node: yaml.Node, message: str, hint: str):
        super().__init__(message)
        self.node, self.message, self.hint = node, message, hint


def split_front_matter(text: str, where: str) -> FrontMatter:
    """Split ``text`` into front matter and body; never raises on bad input."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter(None, body=text, problems=[Problem(
            where, 1, 1, "file does not start with YAML front matter",
            "put a line '---' first, the metadata, then another '---'", code="frontmatter")])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return FrontMatter(None, body="", problems=[Problem(
            where, 1, 1, "front matter is not closed", "add a line '---' after the metadata",
            code="frontmatter")])
    yaml_text = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1:])
    result = FrontMatter(None, body=body, body_start_line=end + 2)
    try:
        node = yaml.compose(yaml_text, Loader=_LOADER)
    except RecursionError:
        result.problems.append(Problem(where, 2, 1, "front matter is nested too deeply",
                                       f"nest lists and mappings at most {MAX_DEPTH} levels", code="yaml"))
        return result
    except yaml.YAMLError as err:
        result.problems.append(_syntax_problem(err, lines, where))
        return result
    if node is None:
        result.data = {}
        return result
    try:
        data = _construct(node, (), result.positions, set())
    except RecursionError:
        result.problems.append(Problem(where, 2, 1, "front matter is nested too deeply",
                                       f"nest lists and mappings at most {MAX_DEPTH} levels", code="yaml"))
        return result
    except _Refused as refused:
        mark = refused.node.start_mark
        result.problems.append(Problem(where, mark.line + 2, mark.column + 1, refused.message,
                                       refused.hint, code="yaml"))
        return result
    if not isinstance(data, dict):
        result.problems.append(Problem(where, 2, 1, "front matter must be a mapping of keys to values",
                                       "write 'key: value' lines", code="yaml"))
        return result
    result.data = data
    return result


MAX_DEPTH = 12


def _construct(node: yaml.Node, path: tuple, positions: dict, seen: set[int]) -> object:
    """Turn a composed node into plain Python data, noting positions (front-matter line 1 = file line 2).

    An alias makes the composer reuse a node object, so meeting a node twice means an alias: it is
    refused before anything is expanded.
    """
    if id(node) in seen:
        raise _Refused(node, "YAML anchors and aliases are not allowed", "write the value out in full")
    seen.add(id(node))
    if len(path) > MAX_DEPTH:
        raise _Refused(node, "front matter is nested too deeply", f"nest at most {MAX_DEPTH} levels")
    tag = node.tag
    if tag not in _SAFE_TAGS:
        raise _Refused(node, f"YAML tag '{tag}' is not allowed", "remove the tag; plain values only")
    mark = node.start_mark
    positions[path] = (mark.line + 2, mark.column + 1)
    kind = node.__class__
    if kind is yaml.MappingNode:
        data: dict = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                raise _Refused(key_node, "mapping keys must be plain words", "use 'key: value'")
            key = key_node.value
            if key in data:
                raise _Refused(key_node, f"key '{key}' appears twice", "keep one of them")
            data[key] = _construct(value_node, (*path, key), positions, seen)
        return data
    if kind is yaml.SequenceNode:
        return [_construct(item, (*path, i), positions, seen) for i, item in enumerate(node.value)]
    if tag == _STR:  # most values: the text as written, which is what PyYAML's constructor returns
        return node.value
    construct = _SCALAR_CONSTRUCTORS.get(tag)
    try:
        resolved = (construct(_SCALAR_LOADER, node) if construct is not None
                    else _SCALAR_LOADER.construct_object(node, deep=True))  # a scalar tagged !!map or !!seq: refused
    except (ValueError, OverflowError, yaml.YAMLError) as err:
        raise _Refused(node, f"value cannot be read: {str(err).splitlines()[0][:80]}",
                       "write an ordinary number, date or text") from err
    if isinstance(resolved, (dt.date, dt.datetime)):
        return resolved.isoformat()
    if isinstance(resolved, float) and not math.isfinite(resolved):
        raise _Refused(node, "numbers must be finite (not .nan or .inf)", "write an ordinary number")
    return resolved


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _ScalarLoader(yaml.SafeLoader):
    def __init__(self) -> None:
        super().__init__("")


_SCALAR_LOADER = _ScalarLoader()
#: PyYAML's own constructor of each allowed scalar tag, called directly: through
#: ``construct_object`` every constructed node was also kept in the loader's memo, for good.
_SCALAR_CONSTRUCTORS = {tag: yaml.SafeLoader.yaml_constructors[tag]
                        for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                                    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp")}


def _resolve(self: yaml.BaseResolver, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """PyYAML's tag resolution (``BaseResolver.resolve``) for a loader without path resolvers, in fewer steps.

    LibYAML's composer calls it back for every node; a plain scalar gets the tag of the first of
    YAML 1.1's implicit patterns for its first character that it matches, anything else the kind's default.
    """
    if kind is yaml.ScalarNode:
        if implicit[0]:
            for tag, regexp in _IMPLICIT.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        return _STR
    return _SEQ if kind is yaml.SequenceNode else _MAP


_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers
# LibYAML's parser is several times faster than PyYAML's and gives the same marks.
_BASE_LOADER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
# A loader with path resolvers or wildcard patterns would need PyYAML's own resolve.
_LOADER = (type("_Loader", (_BASE_LOADER,), {"resolve": _resolve})
           if not _BASE_LOADER.yaml_path_resolvers and None not in _IMPLICIT else _BASE_LOADER)


_CURLY_QUOTES = "“”‘’„‚«»"


def _syntax_problem(err: yaml.YAMLError, lines: list[str], where: str) -> Problem:
    """A YAML syntax error where the contributor made it: an unclosed quote where it opens."""
    mark = getattr(err, "problem_mark", None)
    line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    opened = getattr(err, "context_mark", None)
    if "quoted scalar" in (getattr(err, "context", None) or "") and opened is not None:
        line, col = opened.line + 2, opened.column + 1
        text = lines[line - 1] if line - 1 < len(lines) else ""
        quote = text[col - 1] if col - 1 < len(text) else '"'
        return Problem(where, line, col, f"the quote {quote} opened here is never closed",
                       f"end the value with {quote} on this line; inside it, write {quote * 2} for a {quote}"
                       if quote == "'" else f"end the value with {quote} on this line; inside it, write \\\" for a \"",
                       code="yaml")
    text = lines[line - 1] if 0 < line - 1 < len(lines) else ""
    if any(q in text for q in _CURLY_QUOTES):
        return Problem(where, line, col, f"YAML syntax error: {problem}",
                       "“…” and ‘…’ are typographic quotes, which YAML reads as ordinary letters: quote the "
                       "value with straight quotes \"…\" (and keep the typographic ones inside if you need them)",
                       code="yaml")
    return Problem(where, line, col, f"YAML syntax error: {problem}", _yaml_hint(problem), code="yaml")


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line needs 'key: value'; check the indentation"
    return "check the indentation and quoting on this line"
