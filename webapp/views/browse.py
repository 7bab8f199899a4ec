"""The site's own pages (blueprint ``browse``): the home page, how to contribute, the accessibility statement
and the repository files those pages link to.  Cases have their own module (:mod:`webapp.views.cases`)."""

from __future__ import annotations

import mimetypes
import posixpath

from flask import Blueprint, Response, current_app, render_template

from kb.analysis import index_for as analysis_index
from kb.content.files import REPO_ROOT
from kb.store.versioned import derived

from ..errors import not_found, page_suggestions
from ..render import render_markdown
from ..repository import SHOWN_FILES, file_kind, read_shown
from ..store import get_store
from .base import page_route, respond

bp = Blueprint("browse", __name__)

#: Cases shown as cards on the home page: a first screen of thousands of cards took 0.7 s at 10,000 cases.
HOME_CARDS = 100

@page_route(bp, "/")
def home(fmt: str):
    """What the knowledge base holds, and the cases."""
    store = get_store()
    # How many nodes of each label, once per version of the graph: counting every node took 150 ms on Neo4j at
    # 10,000 cases, on every visit.
    counts = derived(store, "label counts",
                     lambda graph: {row["label"]: row["n"] for row in graph.query("label_counts")})
    # Every organisation, read once per version of the graph: at 10,000 cases the query took 0.1-0.4 s
    # embedded and 1-5 s on Neo4j, on every visit to the home page.
    cases = derived(store, "organisations", lambda graph: graph.query("organisations"))
    index = analysis_index(store)
    names = {"sector_names": lambda c: [index.sector_name(s) for s in c["sectors"]],
             "country_name": lambda c: index.profiles[c["id"]].country_name if c["id"] in index.profiles else ""}
    # The first cases by name as cards (every case of the real content); the case list pages the rest.
    cards = [{**c, **{key: name(c) for key, name in names.items()}} for c in cases[:HOME_CARDS]]
    return respond(fmt, "home.html", {"counts": counts, "cases": cards}, cases_total=len(cases))


@page_route(bp, "/contribute", cache=False)  # from a file, not the graph
def contribute(fmt: str):
    """How to add a case: the repository's CONTRIBUTING.md, rendered; its links lead to pages the site shows."""
    path = REPO_ROOT / "CONTRIBUTING.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "See the repository's README."
    return respond(fmt, "contribute.html", {"markdown": text}, body_html=render_markdown(
        text, base="", document=True, repository_url=current_app.config["KB_REPOSITORY_URL"]))


#: The date the accessibility statement was last reviewed against the site (update it with the statement).
STATEMENT_REVIEWED = "2026-12-03"


@page_route(bp, "/accessibility")
def accessibility(fmt: str):
    """The accessibility statement: the standard, how the site was tested, what is known not to work, how to
    report a problem."""
    contact = current_app.config.get("KB_ACCESSIBILITY_CONTACT", "")
    data = {"standard": "WCAG 2.2 level AA", "reviewed": STATEMENT_REVIEWED,
            "axe_core_version": _axe_core_version(),
            "contact": {"text": contact, "url": _contact_url(contact)} if contact else None}
    return respond(fmt, "accessibility.html", data)


def _axe_core_version() -> str | None:
    """The axe-core version the accessibility tests pin (tools/axe/package-lock.json), so the statement
    names the tool that actually checked the site."""
    import json

    try:
        lock = json.loads((REPO_ROOT / "tools" / "axe" / "package-lock.json").read_text(encoding="utf-8"))
        return lock["packages"]["node_modules/axe-core"]["version"]
    except (OSError, ValueError, KeyError):
        return None


def _contact_url(contact: str) -> str | None:
    if contact.startswith(("https://", "http://", "mailto:")):
        return contact
    if "@" in contact and " " not in contact:
        return f"mailto:{contact}"
    return None


#: The files the site shows, and their did-you-mean candidates (built once: the list is fixed).
_SHOWN = {name: name for name in SHOWN_FILES}
_SHOWN_CANDIDATES = page_suggestions(_SHOWN)


@bp.route("/repo/<path:path>")
def repository_file(path: str):
    """A file of the repository the site shows (a strict allow-list, :data:`webapp.repository.SHOWN_FILES`):
    Markdown rendered, other text as text, images as images; read-only."""
    kind, data = file_kind(path), read_shown(path)
    if kind is None or data is None:
        raise not_found(f"The site does not show the file '{path}'.", path, _SHOWN, _SHOWN_CANDIDATES,
                        url_of=lambda found: f"/repo/{found}")
    if kind == "image":
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return Response(data, mimetype=mimetype, headers={"Cache-Control": "public, max-age=3600"})
    text = data.decode("utf-8")
    repository_url = current_app.config["KB_REPOSITORY_URL"]
    body_html = render_markdown(text, base=posixpath.dirname(path), document=True,
                                repository_url=repository_url) if kind == "markdown" else None
    return render_template("repo_file.html", path=path, text=text, body_html=body_html,
                           source_url=f"{repository_url.rstrip('/')}/{path}" if repository_url else None)
