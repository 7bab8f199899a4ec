"""Stage 2b (blocks): a case body's Markdown blocks as a tree, each with its lines.

The parser is pyromark (pulldown-cmark, a CommonMark parser in Rust, like GitHub's): its events
carry byte ranges, from which each block's first and last line come.  Only block structure is
kept; a paragraph's text is decoded when asked for.
"""

from __future__ import annotations

import re
from functools import partial

import pyromark

__all__ = ["NEEDS_PARSING", "SPLIT", "Block", "chunks", "tree"]


class Block:
    """A block of the body as a tree node; ``first`` and ``last`` are body line indexes.

    A paragraph's text is decoded from its byte range only when asked for (prose is most of a file).
    """

    __slots__ = ("_content", "children", "encoded", "first", "last", "markup", "span", "tag", "type")

    def __init__(self, type: str, first: int, last: int, markup: str = "", tag: str = "", content: str = "",
                 span: tuple[int, int] | None = None, encoded: bytes = b"") -> None:
        self.type, self.first, self.last, self.markup, self.tag = type, first, last, markup, tag
        self._content, self.span, self.encoded = content, span, encoded
        self.children: list[Block] = []

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
SPLIT = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$|[^#\s])")
#: What makes prose worth parsing: a concept link, a possible setext underline, a heading, a comment.
NEEDS_PARSING = re.compile(r"\]\(\s*(?:\.\./|\./|/)*concepts/|^ {0,3}(?:-+|=+)[ \t]*$|^ {0,3}#|<!--", re.M)


def chunks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line indexes of the body cut before each heading line outside fenced code."""
    cuts, fenced = [0], False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and index and SPLIT.match(line):
            cuts.append(index)
    return list(zip(cuts, [*cuts[1:], len(lines)], strict=True))


def tree(lines: list[str], base: int = 0) -> list[Block]:
    """The blocks of ``lines`` as a tree, each with its first and last line (``base`` + index) and text.

    >>> [(n.type, n.first, n.last) for n in tree(["## A", "", "- b", "  c", ""], 10)]
    [('heading', 10, 10), ('bullet_list', 12, 13)]
    """
    if not lines:
        return []
    source = "\n".join(lines)
    encoded = source.encode("utf-8")
    # The line of a byte offset (pyromark's ranges are in UTF-8 bytes): the newlines before it, counted in C.
    line_of = partial(encoded.count, b"\n", 0)

    root = Block("root", 0, 0)
    stack = [root]
    in_item = False  # the innermost open block is a list item: its inline text is a tight item's paragraph
    run_start = run_end = -1  # byte range of that text
    for event, span in pyromark.events_with_range(source, merge_text=True):
        kind, tag, value = _classify(event)
        if kind == "":  # inline
            if in_item:
                run_start, run_end = (span["start"] if run_start < 0 else run_start), span["end"]
            continue
        if run_start >= 0:  # a tight item's text ends where a block starts or the item ends
            stack[-1].children.append(Block("paragraph", base + line_of(run_start),
                                            base + line_of(max(run_start, run_end - 1)),
                                            span=(run_start, run_end), encoded=encoded))
            run_start = -1
        if kind == "End":
            if len(stack) > 1:
                _close(stack.pop(), lines, base, (span["start"], span["end"]), encoded)
                in_item = stack[-1].type == "list_item"
            continue
        start, end = span["start"], span["end"]
        first = line_of(start)
        node = _open(tag, value, lines, first, line_of(max(start, end - 1)), base)
        stack[-1].children.append(node)
        if kind == "Start":
            stack.append(node)
            in_item = node.type == "list_item"
    return root.children


def _classify(event: object) -> tuple[str, object, object]:
    """(kind, tag, value) of a pyromark event; kind "" for inline content (text, links, emphasis, breaks)."""
    if event.__class__ is str:  # SoftBreak, HardBreak or Rule
        return ("Rule", "Rule", None) if event == "Rule" else ("", None, None)
    kind = next(iter(event))
    if kind != "Start" and kind != "End":  # Text, Code, Html, ...
        return "", None, None
    value = event[kind]
    tag = value if value.__class__ is str or value is None else next(iter(value))
    return ("", None, None) if tag in _INLINE_TAGS else (kind, tag, value)


def _open(tag: object, value: object, lines: list[str], first: int, last: int, base: int) -> Block:
    """The node of a block that starts (or of a rule) on lines ``first..last`` of ``lines``."""
    if tag == "Rule":
        return Block("hr", base + first, base + last)
    node = Block(_BLOCKS.get(tag, str(tag).lower()), base + first, base + last)
    if tag == "List":
        node.type = "bullet_list" if value["List"] is None else "ordered_list"
    elif tag == "Heading":
        atx = _ATX.match(lines[first])
        node.markup = atx.group(1) if atx else lines[last].strip()[:1]  # "#", or a setext underline
        node.tag = value["Heading"]["level"].lower()
    return node


def _close(node: Block, lines: list[str], base: int, span: tuple[int, int], encoded: bytes) -> None:
    """Keep the text of a block that ends: a paragraph's byte range, a heading's title, code's lines."""
    if node.type == "paragraph":
        node.span, node.encoded = span, encoded
    elif node.type in ("heading", "code_block", "html_block"):
        node._content = _block_text(lines, node.first - base, node.last - base, node.markup)


def _text_of(lines: list[str], first: int, last: int) -> str:
    return "\n".join(line.strip() for line in lines[first:last + 1]).strip()


def _block_text(lines: list[str], first: int, last: int, markup: str) -> str:
    """The title of a heading (``markup``: its hashes or underline), or a code or HTML block's lines."""
    if markup.startswith("#"):
        return re.sub(r"^ {0,3}#{1,6}\s*|\s+#+\s*$|^#+$", "", lines[first].strip()).strip()
    if markup in ("=", "-"):
        return _text_of(lines, first, last - 1)
    return "\n".join(lines[first:last + 1])

