"""Case and concept prose to safe HTML: markdown-it-py (CommonMark, raw HTML off) then nh3.

Links between content files are rewritten to the site's pages, and
``[src: a, b]`` citations become links to the page's source list.
"""

from __future__ import annotations

import posixpath
import re

import nh3
from markdown_it import MarkdownIt

from kb.kinds import KIND_OF_FOLDER
from kb.slug import slug

from .repository import file_kind, repository_link

__all__ = ["heading_slug", "prose_sections", "render_markdown", "site_url_for_href"]


#: Sections shown from structured data rather than as prose.
STRUCTURED_SECTIONS = {"practices", "challenges", "outcomes", "contested claims"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CODE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>)", re.DOTALL)
_CITATION = re.compile(r"\[src:\s*([a-z0-9,;\s-]+)\]", re.IGNORECASE)
_ALLOWED_TAGS = {"p", "a", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
                 "table", "thead", "tbody", "tr", "th", "td", "sup", "br", "hr"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "sup": {"class"}, "h2": {"id"}}
#: A whole document (CONTRIBUTING.md) keeps its own title and gives its headings ids for its contents links.
#: It may also show images that are files of the repository the site shows (webapp.repository).
_DOCUMENT_TAGS = _ALLOWED_TAGS | {"h1", "img"}
_DOCUMENT_ATTRIBUTES = _ALLOWED_ATTRIBUTES | {tag: {"id"} for tag in ("h1", "h2", "h3", "h4")} | {
    "img": {"src", "alt", "title"}}
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

    ``section_ids``: each ``##`` heading gets the id ``section-<slug>``, which search results link to.
    (Raw HTML is off, so the content itself cannot set ids.)
    ``document``: the text is a page of its own (CONTRIBUTING.md): its ``#`` heading stays the page's
    ``<h1>`` and every heading gets GitHub's id, so that its in-page links lead somewhere; its links to
    files of the repository go where :func:`webapp.repository.repository_link` says (or become text,
    never a dead link), and its images are shown when they are files the site shows.
    """
    tokens = _md.parse(text)
    taken: set[str] = set()
    for number, token in enumerate(tokens):
        if section_ids and token.type == "heading_open" and token.tag == "h2":
            token.attrs["id"] = "section-" + slug(tokens[number + 1].content)
        elif document and token.type == "heading_open":
            token.attrSet("id", heading_slug(tokens[number + 1].content, taken))
        children = token.children or []
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
    html = _md.renderer.render(tokens, _md.options, {})
    # Citations become links, except inside code, where they are examples of the syntax.
    parts = _CODE.split(html)
    html = "".join(part if _CODE.fullmatch(part) else _CITATION.sub(_citation_links, part) for part in parts)
    clean = nh3.clean(html, tags=_DOCUMENT_TAGS if document else _ALLOWED_TAGS,
                      attributes=_DOCUMENT_ATTRIBUTES if document else _ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    if document:  # wide tables of a document scroll inside their own box (reflow at 320 px, WCAG 1.4.10)
        count = iter(range(1, 1000))
        clean = re.sub("<table>", lambda _m: f'<div class="table-scroll" role="region" tabindex="0" '
                       f'aria-label="Table {next(count)} (scrolls sideways)"><table>', clean)
        clean = clean.replace("</table>", "</table></div>")
    return clean


def _repository_path(href: str, base: str) -> tuple[str, str] | None:
    """A relative link's target as a path in the repository and its ``#fragment``, or None if it is not one."""
    if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith(("#", "/")):
        return None
    path, hash_sign, fragment = href.partition("#")
    return posixpath.normpath(posixpath.join(base, path)), hash_sign + fragment


def _citation_links(match: re.Match) -> str:
    ids = [part.strip() for part in re.split(r"[,;]", match.group(1)) if part.strip()]
    links = ", ".join(f'<a href="#source-{source}" class="cite">{source}</a>' for source in ids)
    return f'<sup class="cite">[{links}]</sup>'


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
