"""Case and concept prose to safe HTML: markdown-it-py (CommonMark, raw HTML off) then nh3.

Links between content files are rewritten to the site's pages, and
``[src: a, b]`` citations become links to the page's source list: all on the token stream, so the
sanitised HTML is never edited afterwards.
"""

from __future__ import annotations

import posixpath
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup

from kb.kinds import KIND_OF_FOLDER
from kb.slug import slug

from .repository import file_kind, repository_link

__all__ = ["heading_slug", "inline_markdown", "inline_text", "prose_sections", "render_markdown", "site_url_for_href",
           "timeline_anchor"]


#: Sections shown from structured data rather than as prose.
STRUCTURED_SECTIONS = {"practices", "challenges", "outcomes", "contested claims"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CITATION = re.compile(r"\[src:\s*([a-z0-9,;\s-]+)\]", re.IGNORECASE)
_ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
                 "table", "thead", "tbody", "tr", "th", "td", "sup", "br", "hr"}
#: A table's class and its cells' column names come only from the renderer (raw HTML is off): see _stack.
_ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "sup": {"class"}, "h2": {"id"}, "table": {"class"},
                       "td": {"data-label"}, "li": {"id"}}
#: A whole document (CONTRIBUTING.md) keeps its own title and gives its headings ids for its contents links.
#: It may also show images that are files of the repository the site shows (webapp.repository).
#: Its tables scroll inside a box of their own (see _table_open).
_DOCUMENT_TAGS = _ALLOWED_TAGS | {"h1", "img", "div"}
_DOCUMENT_ATTRIBUTES = _ALLOWED_ATTRIBUTES | {tag: {"id"} for tag in ("h1", "h2", "h3", "h4")} | {
    "img": {"src", "alt", "title"}, "div": {"class", "role", "tabindex", "aria-label"}}
_NOT_IN_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)



def site_url_for_href(href: str, base: str) -> str | None:
    """The site URL of a relative link between content files, or None if it is not one.

    >>> site_url_for_href("../concepts/practices/advice-process.md", "cases")
    '/practices/advice-process'
    >>> site_url_for_href("zappos.md", "cases")
    '/cases/zappos'
    """
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith(("#", "/")):
        return None
    path = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
    parts = path.split("/")
    if len(parts) == 2 and parts[0] == "cases" and parts[1].endswith(".md"):
        return f"/cases/{parts[1][:-3]}"
    if len(parts) == 3 and parts[0] == "concepts" and parts[1] in KIND_OF_FOLDER and parts[2].endswith(".md"):
        return f"/{parts[1]}/{parts[2][:-3]}"  # the site's URL folder is the content folder
    return None


def heading_slug(text: str, taken: set[str]) -> str:
    """GitHub's anchor for a heading, so that links written for GitHub (``#set-up``) work here too.

    Not :func:`kb.slug.slug`: this must give exactly GitHub's anchor (letters of any script and ``_``
    kept, punctuation dropped, every space a hyphen), which no python-slugify setting reproduces.

    >>> taken = set()
    >>> heading_slug("Add a case: a worked example", taken), heading_slug("1. Make the file", taken)
    ('add-a-case-a-worked-example', '1-make-the-file')
    >>> heading_slug("Set up", taken), heading_slug("Set up", taken)
    ('set-up', 'set-up-1')
    """
    anchor = _NOT_IN_SLUG.sub("", text.strip().lower()).replace(" ", "-")
    unique, n = anchor, 0
    while unique in taken:
        n += 1
        unique = f"{anchor}-{n}"
    taken.add(unique)
    return unique


def render_markdown(text: str, base: str = "cases", section_ids: bool = False, document: bool = False,
                    repository_url: str = "") -> str:
    """Render Markdown from a content file (``base`` is its folder) to sanitised HTML.

    Every change is made once, on markdown-it's token stream, before the HTML is written and sanitised:
    citations (a core rule), heading ids and links (below), scrolling tables (render rules).

    ``section_ids``: each ``##`` heading gets the id ``section-<slug>``, which search results link to, and each
    dated Timeline bullet its :func:`timeline_anchor`, which the timeline's marks link to.
    (Raw HTML is off, so the content itself cannot set ids.)
    ``document``: the text is a page of its own (CONTRIBUTING.md): its ``#`` heading stays the page's
    ``<h1>`` and every heading gets GitHub's id, so that its in-page links lead somewhere; its links to
    files of the repository go where :func:`webapp.repository.repository_link` says (or become text,
    never a dead link), its images are shown when they are files the site shows, and its wide tables
    scroll inside their own box (reflow at 320 px, WCAG 1.4.10).

    >>> print(render_markdown("Ten. [src: a]"))
    <p>Ten. <sup class="cite">[<a href="#source-a" class="cite" rel="noopener noreferrer nofollow">a</a>]</sup></p>
    <BLANKLINE>
    >>> print(render_markdown("`[src: not-a-citation]`"))
    <p><code>[src: not-a-citation]</code></p>
    <BLANKLINE>
    """
    tokens = _md.parse(text)
    _heading_ids(tokens, section_ids, document)
    if section_ids:
        _timeline_ids(tokens)
    for token in tokens:
        _site_links(token.children or [], base, document, repository_url)
    html = _md.renderer.render(tokens, _md.options, {"document": document})
    return nh3.clean(html, tags=_DOCUMENT_TAGS if document else _ALLOWED_TAGS,
                     attributes=_DOCUMENT_ATTRIBUTES if document else _ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


_INLINE_TAGS = {"a", "em", "strong", "code", "br"}


def inline_markdown(text: str | None, base: str = "cases") -> Markup:
    """One line of a content file (a claim's detail, a figure's or a view's text) as safe inline HTML: its
    emphasis and code kept, its links to other content files leading to the site's pages; never raw Markdown.

    >>> print(inline_markdown("up to 30% (see [Buurtzorg](buurtzorg.md)), **so far**"))
    up to 30% (see <a href="/cases/buurtzorg" rel="noopener noreferrer nofollow">Buurtzorg</a>), <strong>so far</strong>
    """
    if not text:
        return Markup("")
    tokens = _md.parseInline(text)
    for token in tokens:
        _site_links(token.children or [], base, False, "")
    html = _md.renderer.render(tokens, _md.options, {})
    return Markup(nh3.clean(html, tags=_INLINE_TAGS, attributes={"a": {"href", "title"}},
                            url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"))


def inline_text(text: str | None) -> str:
    """One line of a content file as plain text (a link's words, no marks), for places where a link or
    emphasis cannot go (inside another link, an attribute, a truncated cell).

    >>> inline_text("up to 30% (see [Buurtzorg](buurtzorg.md)), **so far**")
    'up to 30% (see Buurtzorg), so far'
    """
    if not text:
        return ""
    words = []
    for token in _md.parseInline(text):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
    return "".join(words)


def _heading_ids(tokens: list[Token], section_ids: bool, document: bool) -> None:
    """``section-<slug>`` ids on ``##`` headings (``section_ids``), or GitHub's ids on every heading (``document``)."""
    taken: set[str] = set()
    for number, token in enumerate(tokens):
        if section_ids and token.type == "heading_open" and token.tag == "h2":
            token.attrs["id"] = "section-" + slug(tokens[number + 1].content)
        elif document and token.type == "heading_open":
            token.attrSet("id", heading_slug(tokens[number + 1].content, taken))


#: A Timeline entry's bold year at the start of its bullet (the body parser's bold lead, kb.content.items).
_ENTRY_YEAR = re.compile(r"^\s*\*\*\s*(\d{1,4})\s*\*\*")


def timeline_anchor(year: int, nth: int) -> str:
    """The id of a case page's ``nth`` (from 1) Timeline entry of ``year``: ``timeline-2010``, ``timeline-2010-2``.

    >>> timeline_anchor(2010, 1), timeline_anchor(2010, 2)
    ('timeline-2010', 'timeline-2010-2')
    """
    return f"timeline-{year}" if nth == 1 else f"timeline-{year}-{nth}"


def _timeline_ids(tokens: list[Token]) -> None:
    """Each dated bullet of the ``## Timeline`` section gets its :func:`timeline_anchor`, which the timeline's
    marks link to (the entries are read in the same order by :mod:`kb.analysis.timeline`)."""
    in_timeline = False
    seen: dict[int, int] = {}
    for number, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            in_timeline = tokens[number + 1].content.strip().lower() == "timeline"
        elif in_timeline and token.type == "list_item_open" and token.level == 1:
            inline = next((t for t in tokens[number + 1:number + 3] if t.type == "inline"), None)
            year = _ENTRY_YEAR.match(inline.content) if inline else None
            if year:
                seen[int(year.group(1))] = seen.get(int(year.group(1)), 0) + 1
                token.attrSet("id", timeline_anchor(int(year.group(1)), seen[int(year.group(1))]))


def _site_links(children: list[Token], base: str, document: bool, repository_url: str) -> None:
    """Links between content files lead to the site's pages; a document's links and images to repository files
    lead where the site shows them (or become text)."""
    for index, child in enumerate(children):
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            local = site_url_for_href(href, base)
            if local:
                child.attrs["href"] = local
            elif document and (target := _repository_path(href, base)) is not None:
                link = repository_link(target[0], repository_url)
                if link:
                    child.attrs["href"] = link + target[1]
                else:  # no page for it and no repository address: text, not a dead link
                    child.type, child.tag, child.attrs = "text", "", {}
                    closing = next(c for c in children[index:] if c.type == "link_close")
                    closing.type, closing.tag = "text", ""
        elif child.type == "image" and document:
            target = _repository_path(str(child.attrs.get("src", "")), base)
            if target and file_kind(target[0]) == "image":
                child.attrs["src"] = f"/repo/{target[0]}"
            else:
                child.type, child.content = "text", child.content or ""


def _citations(state: StateCore) -> None:
    """Core rule: ``[src: a, b]`` in text becomes a superscript of links to the page's sources.

    Code spans and blocks are other tokens, so a citation shown as an example of the syntax stays as it is.
    A citation may run over a soft line break, so each run of text and soft breaks is read as one.
    """
    for block in state.tokens:
        if block.type == "inline" and block.children and _CITATION.search(block.content):
            kept: list[Token] = []
            run: list[Token] = []
            for child in [*block.children, None]:
                if child is not None and child.type in ("text", "softbreak"):
                    run.append(child)
                    continue
                kept += _cited(run)
                run = []
                if child is not None:
                    kept.append(child)
            block.children = kept


def _cited(run: list[Token]) -> list[Token]:
    """A run of text and soft line breaks with each citation in it made into links."""
    text = "".join(token.content if token.type == "text" else "\n" for token in run)
    if not _CITATION.search(text):
        return run
    tokens: list[Token] = []
    at = 0
    for match in _CITATION.finditer(text):
        tokens += _plain(text[at:match.start()])
        ids = [part.strip() for part in re.split(r"[,;]", match.group(1)) if part.strip()]
        tokens += [_token("sup_open", "sup", 1, {"class": "cite"}), _text("[")]
        for number, source in enumerate(ids):
            tokens += [_text(", ")] if number else []
            tokens += [_token("link_open", "a", 1, {"href": f"#source-{source}", "class": "cite"}), _text(source),
                       _token("link_close", "a", -1)]
        tokens += [_text("]"), _token("sup_close", "sup", -1)]
        at = match.end()
    return tokens + _plain(text[at:])


def _plain(text: str) -> list[Token]:
    """Text as text tokens, each line break a soft break."""
    tokens: list[Token] = []
    for number, line in enumerate(text.split("\n")):
        tokens += [_token("softbreak", "br", 0)] if number else []
        tokens += [_text(line)] if line else []
    return tokens


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _token(kind: str, tag: str, nesting: int, attrs: dict[str, str] | None = None) -> Token:
    token = Token(kind, tag, nesting)
    for name, value in (attrs or {}).items():
        token.attrSet(name, value)
    return token


def _table_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict) -> str:
    """A table is stacked into cards on a phone, each cell named by its column (``data-label``, the site's
    ``table.stack``); a document's table also opens a box of its own that scrolls sideways (named for screen
    readers)."""
    _stack(tokens, idx)
    html = self.renderToken(tokens, idx, options, env)
    if not env.get("document"):
        return html
    env["tables"] = env.get("tables", 0) + 1
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="Table {env["tables"]} '
            f'(scrolls sideways)">{html}')


def _stack(tokens: list[Token], start: int) -> None:
    """Mark the table opening at ``start`` as one to stack, each body cell with its column's heading as text."""
    tokens[start].attrJoin("class", "stack")
    headings: list[str] = []
    column = 0
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if token.type == "table_close":
            break
        if token.type == "th_open" and index + 1 < len(tokens):
            headings.append(inline_text(tokens[index + 1].content))
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(headings) and headings[column]:
                token.attrSet("data-label", headings[column])
            column += 1


def _table_close(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict) -> str:
    html = self.renderToken(tokens, idx, options, env)
    return html.rstrip("\n") + "</div>\n" if env.get("document") else html


_md.core.ruler.push("citations", _citations)
_md.add_render_rule("table_open", _table_open)
_md.add_render_rule("table_close", _table_close)


def _repository_path(href: str, base: str) -> tuple[str, str] | None:
    """A relative link's target as a path in the repository and its ``#fragment``, or None if it is not one."""
    if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith(("#", "/")):
        return None
    path, hash_sign, fragment = href.partition("#")
    return posixpath.normpath(posixpath.join(base, path)), hash_sign + fragment


def prose_sections(body: str) -> str:
    """The body without the sections the page shows from structured data.

    >>> prose_sections("## Context\\nA.\\n## Practices\\n- x\\n## Lessons\\nB.")
    '## Context\\nA.\\n## Lessons\\nB.'
    """
    kept, skipping = [], False
    for line in body.split("\n"):
        if line.startswith("## "):
            skipping = line[3:].strip().lower() in STRUCTURED_SECTIONS
        if not skipping:
            kept.append(line)
    return "\n".join(kept).strip()
