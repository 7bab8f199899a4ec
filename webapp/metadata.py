"""What a page says about itself to search engines and link previews: description, Open Graph, canonical URL.

Every page's description is its own lead: the text of the first element of class ``lead`` of its main
content (else its first paragraph, breadcrumbs aside), found with an HTML parser in what the page
renders, so that a new page or a changed view needs nothing more.  A lead introduces its page, so only the start of the
main content is read (:data:`SCAN_CHARS`): parsing all of a long page (the comparable cases of a
case, 300 kB) took more time than rendering it.  Citation markers (``<sup>``, elements of class
``cite``) are left out, and
the text is cut at a word near 200 characters.  ``KB_PUBLIC_URL`` is the site's address as the
public sees it (canonical links, ``og:url``, JSON-LD ids); without it, the address of the request.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask import Flask, current_app, request

__all__ = ["SITE_NAME", "canonical_url", "init_app", "page_description", "public_url"]

SITE_NAME = "Self-management case graph"
DEFAULT_DESCRIPTION = ("Cases of organisations that tried radical staff autonomy: what they did, what went wrong, "
                       "what they reported, every claim with its sources.")
MAX_CHARS = 200
#: How much of the main content is searched for the lead, read in steps of :data:`SCAN_STEP` until found.
SCAN_CHARS = 32_768
SCAN_STEP = 4096


#: Where an element may have class ``lead`` (a class attribute naming it; text is escaped, so never matches).
#: (``[Cc]...`` rather than re.IGNORECASE: 2.5x faster over 32 kB.)
_LEAD_CLASS = re.compile(r"""[Cc][Ll][Aa][Ss][Ss]\s*=\s*(?:"[^"]*|'[^']*|)\blead\b""")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Lead(HTMLParser):
    """The text of the first element of class ``lead`` and of the first paragraph, without citation markers
    (``<sup>`` and elements of class ``cite``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lead: str | None = None
        self.first: str | None = None
        self._depth = 0
        self._lead_at: int | None = None  # depth of the lead element being read
        self._lead_text: list[str] = []
        self._paragraph: list[str] | None = None
        self._skip_at: int | None = None  # depth of the citation marker being skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        self._depth += 1
        classes = (dict(attrs).get("class") or "").split()
        if self.lead is None and self._lead_at is None and "lead" in classes:
            self._lead_at = self._depth
        if tag == "p" and self._paragraph is None and "crumbs" not in classes:
            self._paragraph = []
        if self._skip_at is None and (tag == "sup" or "cite" in classes):
            self._skip_at = self._depth

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._skip_at is not None and self._depth == self._skip_at:
            self._skip_at = None
        if tag == "p" and self._paragraph is not None:
            text = " ".join("".join(self._paragraph).split())
            if text and self.first is None:
                self.first = text
            self._paragraph = None
        if self._lead_at is not None and self._depth == self._lead_at:
            self.lead = " ".join("".join(self._lead_text).split()) or None
            self._lead_at = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_at is not None:
            return
        if self._lead_at is not None:
            self._lead_text.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)


def page_description(main_html: str) -> str:
    """The page's description from its rendered main content.

    >>> page_description('<h1>X</h1><p>Intro.</p><p class="lead">Nurses in teams of 12 <sup>[a]</sup>.</p>')
    'Nurses in teams of 12 .'
    >>> page_description('<div class="lead">A <em>home-care</em> provider.<br> <details class="cite">'
    ...                  '<summary>1 source</summary><a href="/s">a</a></details></div>')
    'A home-care provider.'
    >>> page_description('<p class="crumbs">Cases</p><h1>X</h1><p>First words.</p>')
    'First words.'
    >>> len(page_description('<p class="lead">' + 'word ' * 100 + '</p>')) <= 200
    True
    """
    parser, html = _Lead(), str(main_html)
    # Without an element of class lead in the part read, the first paragraph is the description: reading on after
    # it for a lead that is not there was most of the cost (14 ms of a search page's 20 ms of rendering).
    leadless = not _LEAD_CLASS.search(html, 0, SCAN_CHARS + SCAN_STEP)
    for start in range(0, min(len(html), SCAN_CHARS), SCAN_STEP):
        parser.feed(html[start:start + SCAN_STEP])
        if parser.lead or (leadless and parser.first):
            break
    parser.close()
    text = parser.lead or parser.first or DEFAULT_DESCRIPTION
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:·—-– ") + "…"
    return text


def public_url() -> str:
    """The site's root address without a trailing slash (``KB_PUBLIC_URL``, else the request's)."""
    return (current_app.config.get("KB_PUBLIC_URL") or request.url_root).rstrip("/")


def canonical_url() -> str:
    """This page's address: the public root, the path, and the query string if there is one."""
    query = request.query_string.decode("utf-8")
    return public_url() + request.path + (f"?{query}" if query else "")


def page_title(title: str) -> str:
    """The page's own title, without the site's name (``og:site_name`` carries it)."""
    text = " ".join(str(title).split())
    suffix = f" · {SITE_NAME}"
    return text[: -len(suffix)] if text.endswith(suffix) and text != suffix else text


def init_app(app: Flask) -> None:
    app.add_template_filter(page_description)
    app.add_template_filter(page_title)
    app.add_template_global(canonical_url)
    app.add_template_global(public_url)
    app.jinja_env.globals["SITE_NAME"] = SITE_NAME
