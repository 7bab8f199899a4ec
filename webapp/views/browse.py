"""Browsing: the home page, the list of cases and a page per case."""

from __future__ import annotations

import mimetypes
import posixpath
from collections import OrderedDict

from flask import Blueprint, Response, current_app, render_template, request

from kb.analysis import comparable_cases
from kb.analysis import index_for as analysis_index
from kb.content.files import REPO_ROOT

from ..errors import not_found, page_suggestions
from ..render import prose_sections, render_markdown
from ..repository import SHOWN_FILES, file_kind, read_shown
from ..store import get_store
from .base import page_route, respond
from .discover import case_list, missing
from .explore import with_about, with_figures

bp = Blueprint("browse", __name__)

_CLAIM_GROUPS = (("USES_FRAMEWORK", "Frameworks"), ("USES_PRACTICE", "Practices"),
                 ("FACED", "Challenges"), ("REPORTED", "Outcomes"))


@page_route(bp, "/")
def home(fmt: str):
    """What the knowledge base holds, and the cases."""
    store = get_store()
    counts = {row["label"]: row["n"] for row in store.query("label_counts")}
    cases = store.query("organisations")
    return respond(fmt, "home.html", {"counts": counts, "cases": cases})


@page_route(bp, "/cases")
def cases(fmt: str):
    """The cases matching the facets chosen (``sector``, ``country``, ``size``, ``kind``, ``practice``,
    ``challenge``, ``outcome``, repeatable), sorted (``sort=name|founded|size``) and paged (``page=``)."""
    return respond(fmt, "cases.html", case_list(get_store(), request.args, current_app.config["KB_PAGE_SIZE"], fmt))


@page_route(bp, "/cases/<case_id>")
def case(case_id: str, fmt: str):
    """One case: profile, evidence-backed claims, disputes, relations and sources."""
    store = get_store()
    found = store.query("organisation", id=case_id)
    if not found:
        raise missing("organisation", case_id, store, f"No case with id '{case_id}'.")
    found[0]["sectors"] = sorted(found[0]["sectors"])  # collect() order differs between stores
    data = {
        "case": found[0],
        "claims": store.query("organisation_claims", id=case_id),
        "figures": store.query("organisation_figures", id=case_id),
        "disputes": _group_views(store.query("organisation_disputes", id=case_id)),
        # What the file says about others or in general: shown, never counted as the case's own.
        "reported": store.query("organisation_reported_claims", id=case_id),
        "relations": store.query("organisation_relations", id=case_id),
        "related_from": store.query("organisation_relations_in", id=case_id),
        "sources": store.query("organisation_sources", id=case_id),
        "comparable": [{"id": c["id"], "name": c["name"], "score": c["score"],
                        "why": [f"{r['name']} ({r['why']})" if r.get("name") else r["why"]
                                for r in sorted(c["reasons"], key=lambda r: -r["points"])]}
                       for c in comparable_cases(store, case_id, limit=5)],
    }
    index = analysis_index(store)
    with_figures([*data["claims"], *data["reported"]], [figure for figure in data["figures"] if figure["concept"]],
                 organisation=case_id, index=index)
    with_about([*data["claims"], *data["reported"]], index)
    groups = OrderedDict((title, [c for c in data["claims"] if c["type"] == rel]) for rel, title in _CLAIM_GROUPS)
    body_html = render_markdown(prose_sections(found[0]["body"] or ""), section_ids=True)
    return respond(fmt, "case.html", data, groups=groups, body_html=body_html,
                   source_index={s["id"]: s for s in data["sources"]})


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


def _group_views(rows: list[dict]) -> list[dict]:
    """Rows of (claim, view) pairs -> one dict per claim with its list of views."""
    claims: OrderedDict[str, dict] = OrderedDict()
    for row in rows:
        claim = claims.setdefault(row["id"], {k: row[k] for k in ("id", "title", "text", "status", "sources", "line",
                                                                  "scope", "about", "evidence")} | {"views": []})
        if row["view"] is not None:
            claim["views"].append({"text": row["view"], "sources": row["view_sources"], "line": row["view_line"],
                                   "evidence": row["view_evidence"]})
    return list(claims.values())
