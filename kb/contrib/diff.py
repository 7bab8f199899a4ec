"""What a change to the content does to the graph, compared with a git revision.

Both sides go through the same pipeline (:func:`kb.load.load_content`, then
:func:`kb.graph.rows.graph_rows`): the base side from the content files at a revision, read with
``git archive`` into a temporary folder, the working side from the working tree.  Node and
relationship rows are then matched by their ids, which are stable: figures, claims and views are
named by their organisation, concept and own content, never by line (:func:`kb.graph.rows.stable_ids`),
so moving text around a file is not reported as a change.  Line numbers and file names are never
compared.

A side with errors is still compared: files with errors are left out of its graph (and listed),
so a pull request that does not validate yet still gets a useful diff.

>>> from kb.graph.rows import GraphRows
>>> base, work = GraphRows(), GraphRows()
>>> base.add_node("Source", id="a", title="Old title", url="https://example.org/a")
>>> work.add_node("Source", id="a", title="New title", url="https://example.org/a")
>>> work.add_node("Source", id="b", title="Another", url="https://example.org/b")
>>> [(c.change, c.key, c.properties) for c in compare_rows(base, work)]
[('added', 'b', {}), ('changed', 'a', {'title': ('Old title', 'New title')})]
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.check.validate import validate
from kb.check.vocabulary import load_vocabulary
from kb.content.files import ContentLayout, discover
from kb.content.parse import parse_file
from kb.contrib.diff_lines import LineChange, line_changes
from kb.figures import figure_row_text
from kb.graph.model import build_corpus
from kb.graph.rows import GraphRows, graph_rows
from kb.kinds import CLAIM_REL_TYPES, CONCEPT_LABELS, RELATION_REL_TYPES
from kb.load import load_content
from kb.problems import KbError, Problem

__all__ = [
    "CATEGORIES",
    "Change",
    "DiffError",
    "GraphDiff",
    "GraphSide",
    "Unsourced",
    "build_side",
    "compare_rows",
    "content_at_revision",
    "diff_against_revision",
    "diff_sides",
    "resolve_base",
]

#: Display order and titles of the groups of changes.
CATEGORIES = {
    "organisations": "Organisations",
    "concepts": "Concepts",
    "sources": "Sources",
    "relationships": "Relationships",
    "figures": "Figures",
    "claims": "Contested and uncertain claims, and claims about others",
    "other": "Sectors and countries",
}
#: Relationships that only attach a figure, disputed claim or view to its owner; those nodes carry
#: their organisation and concept, so repeating the attaching edges would double every line.
_STRUCTURAL_RELS = {"HAS_FIGURE", "HAS_CLAIM", "HAS_VIEW", "ABOUT", "REPORTS_CLAIM", "REPORTS_FIGURE", "CONCERNS"}
#: Rows that state something about an organisation and so need a source.
_CLAIM_RELS = {*CLAIM_REL_TYPES, *RELATION_REL_TYPES}
_VOLATILE = {"id", "file", "line", "contested"}  # contested repeats status
_CONTENT_FOLDERS = ("cases", "concepts", "vocabulary")
#: Problems that say a file is not read at all (kb.content.files): a stray or misnamed Markdown file.
_UNREAD_CODES = {"location", "file-name"}


class DiffError(KbError):
    """The base revision cannot be read (not a git repository, unknown revision)."""


@dataclass(frozen=True)
class Change:
    """One node or relationship added, removed or changed."""

    change: str  # "added", "removed" or "changed"
    category: str  # a key of CATEGORIES
    label: str  # node label or relationship type
    key: str  # the stable key
    title: str  # what a reviewer reads
    file: str = ""
    line: int = 0
    properties: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # changed: name -> (before, after)
    detail: str = ""  # for a claim: what it says and its sources

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "category": self.category, "label": self.label, "key": self.key,
                "title": self.title, "detail": self.detail, "file": self.file, "line": self.line,
                "properties": {name: {"before": before, "after": after}
                               for name, (before, after) in self.properties.items()}}


@dataclass(frozen=True)
class Unsourced:
    """A claim in the working tree that cites no source."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


@dataclass
class GraphSide:
    """One side of the comparison: its graph rows, its problems, and the files left out of its graph."""

    rows: GraphRows
    problems: list[Problem]
    left_out: dict[str, int]  # file -> number of errors
    texts: dict[str, str]  # content file -> text, to list the files a change touches


@dataclass
class GraphDiff:
    """The whole comparison; :mod:`kb.contrib.diff_report` prints it as text, Markdown or JSON."""

    base: str  # what was compared with, e.g. "main"
    base_commit: str
    changes: list[Change]
    files: dict[str, str]  # path -> "added", "removed" or "edited"
    unsourced: list[Unsourced]
    left_out: dict[str, dict[str, int]]  # "base"/"working" -> file -> errors
    lines: list[LineChange] = field(default_factory=list)  # changed lines the graph rows do not show

    def counts(self) -> dict[str, dict[str, int]]:
        """Category -> change -> number, for categories with any change."""
        counts: dict[str, dict[str, int]] = {}
        for change in self.changes:
            row = counts.setdefault(change.category, {"added": 0, "removed": 0, "changed": 0})
            row[change.change] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base, "base_commit": self.base_commit, "files": self.files,
                "counts": self.counts(), "changes": [c.to_dict() for c in self.changes],
                "unsourced": [vars(u) for u in self.unsourced], "left_out": self.left_out,
                "lines": [line.to_dict() for line in self.lines]}


# --- git ---------------------------------------------------------------------------------------

def _git(root: Path, *args: str, binary: bool = False) -> Any:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True, timeout=120)
    except FileNotFoundError as err:
        raise DiffError("git is not installed") from err
    except subprocess.CalledProcessError as err:
        message = err.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(message[-1] if message else f"git {args[0]} failed") from err
    return done.stdout if binary else done.stdout.decode("utf-8").strip()


def resolve_base(root: Path, base: str | None = None) -> tuple[str, str]:
    """The revision to compare with, as (name shown, full commit id).

    Without ``base``: the merge base of HEAD with ``main`` (or ``origin/main``), else HEAD.
    """
    _git(root, "rev-parse", "--show-toplevel")  # a clear error outside a repository
    if base:
        return base, _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    for candidate in ("main", "origin/main"):
        try:
            return f"merge base with {candidate}", _git(root, "merge-base", "HEAD", candidate)
        except DiffError:
            continue
    return "HEAD", _git(root, "rev-parse", "--verify", "HEAD^{commit}")


def content_at_revision(root: Path, commit: str, destination: Path) -> Path:
    """Write the content folders (cases, concepts, vocabulary) of ``root`` at ``commit`` below ``destination``.

    Returns the content root inside ``destination`` (``root`` may be a sub-folder of the repository).
    """
    top = Path(_git(root, "rev-parse", "--show-toplevel"))
    prefix = _git(root, "rev-parse", "--show-prefix")
    wanted = [f"{prefix}{folder}" for folder in _CONTENT_FOLDERS]
    present = _git(top, "ls-tree", "--name-only", commit, "--", *wanted).splitlines()
    if present:
        archive = _git(top, "archive", "--format=tar", commit, "--", *present, binary=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(destination, filter="data")
    content = destination / prefix
    content.mkdir(parents=True, exist_ok=True)
    return content


# --- one side ----------------------------------------------------------------------------------

def build_side(root: Path) -> GraphSide:
    """The graph of the content below ``root``, leaving out files with errors if there are any."""
    result = load_content(root)
    texts = _content_texts(root)
    if result.ok:
        return GraphSide(graph_rows(result.corpus), result.problems, {}, texts)
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    # A Markdown file where no content is read (cases/mexico/x.md, case/x.md, x.markdown) is left out
    # and listed, like a file with errors: the reviewer sees it is not in the graph.
    unread = _error_counts([p for p in result.problems if p.code in _UNREAD_CODES])
    problems, left_out, documents = result.problems, dict(unread), result.documents
    while True:  # leaving a file out can break files that link to it: repeat until nothing breaks
        broken = {path: n for path, n in _error_counts(problems).items() if path not in unread}
        removable = {path: n for path, n in broken.items() if path not in left_out}
        if not broken or not removable.keys() & {f.display for f in files}:
            break
        left_out.update(removable)
        documents = [parse_file(f, layout) for f in files if f.display not in left_out]
        problems = validate(documents, vocabulary)
    if set(_error_counts(problems)) - set(unread):  # errors outside any content file (vocabulary): no graph
        return GraphSide(GraphRows(), result.problems, _error_counts(result.problems), texts)
    return GraphSide(graph_rows(build_corpus(documents, vocabulary)), result.problems, left_out, texts)


def _error_counts(problems: list[Problem]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for problem in problems:
        if problem.is_error:
            counts[problem.path] += 1
    return dict(counts)


def _content_texts(root: Path) -> dict[str, str]:
    layout = ContentLayout(root)
    paths = [f.path for f in discover(layout)] + sorted(layout.vocabulary.glob("*.yaml"))
    return {layout.display(path): path.read_text(encoding="utf-8", errors="replace") for path in paths}


# --- comparing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    category: str
    label: str
    key: str
    title: str
    props: dict[str, Any]
    file: str
    line: int

    @property
    def detail(self) -> str:
        """What a reviewer checks of an added row: a claim's whole text and its sources, a source's
        address, type and reliability, a concept's definition."""
        if self.label == "Source":
            where = self.props.get("url") or self.props.get("publication") or "(no url or publication)"
            facts = [f"{name}: {self.props[name]}" for name in ("type", "reliability") if self.props.get(name)]
            missing = [] if self.props.get("reliability") else ["reliability: (not given)"]
            return " · ".join([" ".join(str(where).split()), *facts, *missing])
        if self.label in CONCEPT_LABELS:
            definition = self.props.get("definition") or ""
            return f"definition: {' '.join(str(definition).split())}" if definition else ""
        if self.label not in _CLAIM_RELS | {"Figure", "View", "Claim"}:
            return ""
        text = self.props.get("detail") or self.props.get("note") or ""
        sources = self.props.get("sources") or []
        cited = f"[src: {', '.join(sources)}]" if sources else "[no source]"
        return f"{' '.join(str(text).split())} {cited}" if self.label in _CLAIM_RELS and text else cited


def compare_rows(base: GraphRows, work: GraphRows) -> list[Change]:
    """Every node and relationship added, removed or changed, in display order."""
    return _compare(_rows_by_key(base), _rows_by_key(work))


def _compare(before: dict[tuple[str, str, str], _Row], after: dict[tuple[str, str, str], _Row]) -> list[Change]:
    changes = []
    for key in sorted(before.keys() | after.keys(), key=_sort_key):
        old, new = before.get(key), after.get(key)
        if old is None:
            changes.append(Change("added", new.category, new.label, new.key, new.title, new.file, new.line,
                                  detail=new.detail))
        elif new is None:
            changes.append(Change("removed", old.category, old.label, old.key, old.title, old.file, old.line,
                                  detail=old.detail))
        else:
            changed = {name: (old.props.get(name), new.props.get(name))
                       for name in sorted(old.props.keys() | new.props.keys())
                       if _comparable(old.props.get(name)) != _comparable(new.props.get(name))}
            if changed:
                changes.append(Change("changed", new.category, new.label, new.key, new.title, new.file, new.line,
                                      changed))
    order = {"added": 0, "removed": 1, "changed": 2}
    return sorted(changes, key=lambda c: (list(CATEGORIES).index(c.category), order[c.change]))


def _sort_key(key: tuple[str, str, str]) -> tuple[int, str, str]:
    category, label, stable = key
    return list(CATEGORIES).index(category), stable, label


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(map(str, value))
    return None if value in ("", []) else value


def _rows_by_key(rows: GraphRows) -> dict[tuple[str, str, str], _Row]:
    found: dict[tuple[str, str, str], _Row] = {}
    names = {(label, node["id"]): node for label, nodes in rows.nodes.items() for node in nodes}
    for label, nodes in rows.nodes.items():
        for node in nodes:
            row = _node_row(label, node)
            found[(row.category, label, row.key)] = row
    ordinals: dict[str, int] = defaultdict(int)
    for rel in sorted(rows.rels, key=lambda r: (r.props.get("line") or 0)):
        if rel.type in _STRUCTURAL_RELS:
            continue
        key = f"{rel.start} -[{rel.type}]-> {rel.end}"
        ordinals[key] += 1
        if ordinals[key] > 1:  # the same claim made twice in one file
            key = f"{key} #{ordinals[key]}"
        end_name = names.get((rel.end_label, rel.end), {}).get("name") or names.get(
            (rel.end_label, rel.end), {}).get("title") or ""
        props = {k: v for k, v in rel.props.items() if k not in _VOLATILE}
        title = key + (f" ({end_name})" if end_name and end_name != rel.end else "")
        found[("relationships", rel.type, key)] = _Row("relationships", rel.type, key, title, props,
                                                       rel.props.get("file") or "", rel.props.get("line") or 0)
    return found


def _node_row(label: str, node: dict[str, Any]) -> _Row:
    key = node["id"]
    props = {k: v for k, v in node.items() if k not in _VOLATILE}
    file, line = node.get("file") or "", node.get("line") or 0
    if label == "Organisation":
        return _Row("organisations", label, key, f"{node['id']}: {node['name']} ({node['kind']}, {node['country']})",
                    props, file, line)
    if label in CONCEPT_LABELS:
        return _Row("concepts", label, key, f"{label.lower()} {node['id']}: {node['name']}", props, file, line)
    if label == "Source":
        return _Row("sources", label, key, f"{node['id']}: {node['title']}", props, file, line)
    if label == "Figure":
        return _Row("figures", label, key, f"{node['organisation']}: {figure_row_text(node)}", props, file, line)
    if label == "Claim":
        status = f" [{node['status']}]" if node.get("status") else ""
        return _Row("claims", label, key, f"{node['organisation']}: {node['title']}{status}", props, file, line)
    if label == "View":
        return _Row("claims", label, key, f"{key}: {node['text']}", props, file, line)
    return _Row("other", label, key, f"{label.lower()} {node['id']}: {node.get('name', '')}", props, file, line)


# --- the whole comparison ----------------------------------------------------------------------

def diff_sides(base: GraphSide, work: GraphSide, base_name: str = "base", base_commit: str = "") -> GraphDiff:
    """Compare two sides: graph changes, touched files, and claims in them left without a source."""
    # A file left out of either graph is left out of both, so that an edit with a mistake in it is
    # listed as left out rather than as its organisation, sources and claims all removed.
    left_out = set(base.left_out) | set(work.left_out)
    after = _rows_by_key(_without(work.rows, left_out))
    changes = _compare(_rows_by_key(_without(base.rows, left_out)), after)
    files = {path: "removed" for path in base.texts.keys() - work.texts.keys()}
    files.update({path: "added" for path in work.texts.keys() - base.texts.keys()})
    files.update({path: "edited" for path in base.texts.keys() & work.texts.keys()
                  if base.texts[path] != work.texts[path]})
    unsourced = [Unsourced(p.path, p.line, p.message) for p in work.problems
                 if p.code == "unsourced" and p.path in files]
    unsourced += [Unsourced(c.file, c.line, c.title) for c in changes
                  if c.change != "removed" and _lacks_source(after[(c.category, c.label, c.key)])]
    lines = [change for path in sorted(files) for change in line_changes(
        path, base.texts.get(path, ""), work.texts.get(path, ""), left_out=path in left_out)]
    return GraphDiff(base_name, base_commit[:12], changes, dict(sorted(files.items())),
                     sorted(set(unsourced), key=lambda u: (u.file, u.line, u.text)),
                     {"base": base.left_out, "working": work.left_out}, lines)


def _without(rows: GraphRows, files: set[str]) -> GraphRows:
    """The rows not from ``files``; a node without a file of its own (a source, a country) goes too
    when every relationship to it comes from those files."""
    if not files:
        return rows
    kept_rels = [rel for rel in rows.rels if rel.props.get("file") not in files]
    linked: dict[tuple[str, str], set[bool]] = defaultdict(set)
    for rel in rows.rels:
        for end in ((rel.start_label, rel.start), (rel.end_label, rel.end)):
            linked[end].add(rel.props.get("file") in files)
    dropped = {(label, node["id"]) for label, nodes in rows.nodes.items() for node in nodes
               if node.get("file") in files or (not node.get("file") and linked.get((label, node["id"])) == {True})}
    kept = GraphRows()
    kept.nodes = {label: [n for n in nodes if (label, n["id"]) not in dropped] for label, nodes in rows.nodes.items()}
    kept.rels = [rel for rel in kept_rels if (rel.start_label, rel.start) not in dropped
                 and (rel.end_label, rel.end) not in dropped]
    return kept


def _lacks_source(row: _Row) -> bool:
    """A claim row with no source (a contested claim's sources may sit on its views instead)."""
    return (row.label in _CLAIM_RELS | {"Figure", "View", "Claim"} and not row.props.get("sources")
            and row.props.get("status") != "contested")


def diff_against_revision(root: Path, base: str | None = None) -> GraphDiff:
    """Compare the working tree's content below ``root`` with ``base`` (see :func:`resolve_base`)."""
    name, commit = resolve_base(root, base)
    with tempfile.TemporaryDirectory(prefix="kb-diff-") as folder:
        base_side = build_side(content_at_revision(root, commit, Path(folder)))
    return diff_sides(base_side, build_side(root), name, commit)

