"""Files of the repository the site shows, and where links to the others go.

The contributor page and the documents it links to point at files of the repository
(``docs/case-format.md``, ``templates/case.md``, ``.github/workflows/pr.yml``...).  The site shows
exactly the files listed in :data:`SHOWN_FILES`, read-only under ``/repo/<path>`` (Markdown rendered,
other text as text, images as images): a strict allow-list, never a path taken from the URL.
A link to any other file of the repository goes to the repository's web address when one is set
(``KB_REPOSITORY_URL``, the one place it is configured), and otherwise is shown as text, not as a
link that would lead nowhere.
"""

from __future__ import annotations

from pathlib import Path

from kb.content.files import REPO_ROOT

__all__ = ["SHOWN_FILES", "file_kind", "read_shown", "repository_link", "shown_url"]

#: Path in the repository -> how the site shows it.
SHOWN_FILES: dict[str, str] = {
    "README.md": "markdown",
    "docs/case-format.md": "markdown",
    "docs/graph-model.md": "markdown",
    "docs/performance.md": "markdown",
    "docs/reliability.md": "markdown",
    "bench/README.md": "markdown",
    "tools/neo4j/README.md": "markdown",
    "templates/case.md": "text",
    "vocabulary/sectors.yaml": "text",
    ".pre-commit-config.yaml": "text",
    ".github/workflows/pr.yml": "text",
    "docs/examples/attrition_analysis.py": "text",
    "docs/images/preview-example.png": "image",
}
#: Files shown by a page of their own rather than under /repo.
OWN_PAGES = {"CONTRIBUTING.md": "/contribute"}


def file_kind(path: str) -> str | None:
    """How the site shows a repository file, or None if it does not show it."""
    return SHOWN_FILES.get(path)


def shown_url(path: str) -> str | None:
    """The site's URL of a repository file it shows (``path`` relative to the repository root), else None.

    >>> shown_url("docs/case-format.md"), shown_url("CONTRIBUTING.md"), shown_url("kb/__init__.py")
    ('/repo/docs/case-format.md', '/contribute', None)
    """
    if path in OWN_PAGES:
        return OWN_PAGES[path]
    return f"/repo/{path}" if path in SHOWN_FILES else None


def repository_link(path: str, repository_url: str) -> str | None:
    """Where a link to a repository file goes: the site's page for it, else the repository's web address
    (when configured), else None (shown as text)."""
    local = shown_url(path)
    if local:
        return local
    if repository_url and path and not path.startswith(".."):
        return f"{repository_url.rstrip('/')}/{path}"
    return None


def read_shown(path: str, root: Path = REPO_ROOT) -> bytes | None:
    """The bytes of an allowed file (None when not allowed or missing)."""
    if path not in SHOWN_FILES:
        return None
    file = root / path
    return file.read_bytes() if file.is_file() else None
