"""What a page says about itself to search engines and link previews: description, Open Graph, canonical URL.

Every page's description is its own lead: the text of the first ``<p class="lead">`` of its main
content (else its first paragraph), found with an HTML parser in what the page renders, so that a
new page or a changed view needs nothing more.  A lead introduces its page, so only the start of the
main content is read (:data:`SCAN_CHARS`): parsing all of a long page (the comparable cases of a
case, 300 kB) took more time than rendering it.  Citation markers (``<sup>``) are left out, and
the text is cut at a word near 200 characters.  ``KB_PUBLIC_URL`` is the site's address as the
public sees it (canonical links, ``og:url``, JSON-LD ids); without it, the address of the request.
"""

from __future__ import annotations

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


class _Lead(HTMLParser):
    """The text of the first lead paragraph, and of the first paragraph, outside ``<sup>`` markers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lead: list[str] | None = None
        self.first: list[str] | None = None
        self._current: list[str] | None = None
        self._is_lead = False
        self._in_sup = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and self._current is None:
            self._current = []
            self._is_lead = "lead" in (dict(attrs).get("class") or "").split()
        elif tag == "sup":
            self._in_sup += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup":
            self._in_sup = max(0, self._in_sup - 1)
        elif tag == "p" and self._current is not None:
            text = " ".join("".join(self._current).split())
            if text and self._is_lead and self.lead is None:
                self.lead = [text]
            if text and self.first is None:
                self.first = [text]
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and not self._in_sup:
            self._current.append(data)


def page_description(main_html: str) -> str:
    """The page's description from its rendered main content.

    >>> page_description('<h1>X</h1><p>Intro.</p><p class="lead">Nurses in teams of 12 <sup>[a]</sup>.</p>')
    'Nurses in teams of 12 .'
    >>> len(page_description('<p class="lead">' + 'word ' * 100 + '</p>')) <= 200
    True
    """
    parser, html = _Lead(), str(main_html)
    for start in range(0, min(len(html), SCAN_CHARS), SCAN_STEP):
        parser.feed(html[start:start + SCAN_STEP])
        if parser.lead:
            break
    parser.close()
    found = parser.lead or parser.first
    text = found[0] if found else DEFAULT_DESCRIPTION
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
