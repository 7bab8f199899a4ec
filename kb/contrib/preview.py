"""One case page as the site renders it, before the file is valid, with its problems shown inline.

:func:`preview_case` validates the file among the rest of the content (in a temporary copy, so
the file may live anywhere), then builds the same data the site's case view builds from the
store, but straight from the parsed file and tolerant of anything missing or wrong: what can be
shown is shown.  :func:`render_preview` renders it with the site's own ``case.html`` template and
Markdown renderer, adds a banner listing every problem with its line, and puts a marker next to
the item each problem is about: a claim, a figure, a source, a profile fact or a line of prose.

The rendering needs the Flask app's templates, so it imports ``webapp`` when called; building the
data does not (``kb`` itself never depends on the web layer).
"""

from __future__ import annotations

import bisect
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from kb.analysis import KIND_OF_REL, build_index, query_for_case, rank_comparable
from kb.check.validate import validate
from kb.check.vocabulary import Vocabulary, country_name, load_vocabulary
from kb.content.body import Item
from kb.content.files import ContentLayout, discover
from kb.content.parse import Document, parse_file
from kb.contrib.diff import build_side
from kb.evidence import DEFAULT_SCOPE, grade_for
from kb.graph.model import own_reliabilities, scope_of, size_band
from kb.graph.rows import GraphRows
from kb.kinds import (
    CLAIM_TYPES,
    CONCEPT_FOLDERS,
    CONCEPT_LABELS,
    KIND_OF_FOLDER,
    RELATION_REL_TYPES,
    RELATION_TYPES,
    SECTION_KINDS,
    concept_kind,
)
from kb.problems import KbError, Problem

__all__ = ["TOKEN_RE", "CasePreview", "PreviewError", "marker_html", "preview_case", "timeline_years"]

_SAFE_URL = re.compile(r"^https?://\S+$")
_WIKIDATA = re.compile(r"Q\d+")
_TOKEN = "KBPROBLEMMARK{}X"  # survives Markdown and sanitising as plain text, replaced after rendering
TOKEN_RE = re.compile(r"\s*KBPROBLEMMARK(\d+)X")


class PreviewError(KbError):
    """The file cannot be previewed as a case (not Markdown, or a concept page)."""


@dataclass
class CasePreview:
    """A case file, its problems (numbered from 1), and the case page's data with markers placed."""

    path: str  # as given, for the banner
    problems: list[Problem]
    data: dict[str, Any] = field(default_factory=dict)
    prose: str = ""  # Markdown of the prose sections, with marker tokens
    sectors: list[str] = field(default_factory=list)  # the sector ids the file names (its timeline row's)
    placed: set[int] = field(default_factory=set)  # problem numbers with a marker on the page

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)


def preview_case(file: Path, root: Path) -> CasePreview:
    """Validate ``file`` as a case among the content below ``root`` and build its page data."""
    if file.suffix.lower() != ".md":
        raise PreviewError(f"{file} is not a Markdown file")
    role = ContentLayout(root).role_of(file)
    if role not in (None, "case"):
        raise PreviewError(f"{file} is a {role} page; preview shows case files (cases/*.md)")
    with tempfile.TemporaryDirectory(prefix="kb-preview-") as folder:
        layout = ContentLayout(Path(folder))
        _copy_content(root, layout.root, file)
        vocabulary = load_vocabulary(layout.vocabulary)
        documents = [parse_file(f, layout) for f in discover(layout)]
        problems = validate(documents, vocabulary)
        others = build_side(layout.root).rows  # the graph the site would have, for comparable cases
    where = f"cases/{file.name}"
    doc = next(d for d in documents if d.where == where)
    preview = CasePreview(str(file), [p for p in problems if p.path == where])
    _build(preview, doc, documents, vocabulary)
    preview.data["comparable"] = _comparable(others, doc, preview.data["case"])
    return preview


def _copy_content(root: Path, target: Path, file: Path) -> None:
    """The content of ``root`` with ``file`` as cases/<its name> (replacing a file of that name)."""
    for folder in ("concepts", "vocabulary"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, target / folder)
    (target / "cases").mkdir()
    for case in sorted((root / "cases").glob("*.md")) if (root / "cases").is_dir() else []:
        if case.name != file.name:
            shutil.copyfile(case, target / "cases" / case.name)
    shutil.copyfile(file, target / "cases" / file.name)


# --- the page's data ---------------------------------------------------------------------------

def _build(preview: CasePreview, doc: Document, documents: list[Document], vocabulary: Vocabulary) -> None:
    data = doc.data
    markers = _Markers(preview, doc)
    items = doc.body.items if doc.body else []
    spans = _item_spans(doc)
    concepts = {d.data.get("id"): d for d in documents if d.role in CONCEPT_FOLDERS}
    grade = _grader(data)
    claims, figures, disputes, reported = [], _size_figures(data, doc, markers, grade), [], []
    for item in items:
        scope, about = scope_of(item.scope_marks)
        evidence = {"scope": scope, "about": about, "evidence": grade(_cited(item), item.status)}
        if item.section in SECTION_KINDS:
            claim = _claim(item, concepts) | evidence
            claim["markers"] = markers.attach("", spans[item.line])  # shown after the detail, which is Markdown
            if scope == DEFAULT_SCOPE:
                claims.append(claim)
            else:  # as the site's organisation_reported_claims gives it
                reported.append({"id": f"claim/{item.line}", "kind": claim["kind"].lower(), "title": claim["concept"],
                                 **{k: claim[k] for k in ("concept", "name", "detail", "markers", "sources", "status",
                                                          "line")},
                                 **evidence, "contested": item.status == "contested"})
            figures += [_figure_row(f, claim["concept"], (scope, about), grade) for f in item.figures]
            if item.status:
                disputes.append(_dispute(item, claim["concept"], claim["detail"], evidence, grade)
                                | {"markers": claim["markers"]})
        elif item.section == "contested claims":
            marks = markers.attach("", spans[item.line])
            disputes.append(_dispute(item, item.title, item.detail, evidence, grade) | {"markers": marks})
            if scope != DEFAULT_SCOPE:
                reported.append({"id": f"claim/{item.line}", "kind": "", "concept": "", "name": None,
                                 "title": item.title, "detail": item.detail, "markers": marks,
                                 "sources": item.sources,
                                 "status": item.status or "contested", "line": item.line, **evidence,
                                 "contested": (item.status or "contested") == "contested"})
    cases = {d.data.get("id"): d for d in documents if d.role == "case" and d is not doc}
    preview.data = {
        "case": _case_row(doc, vocabulary, markers),
        "claims": claims,
        "figures": figures,
        "disputes": disputes,
        "reported": reported,
        "relations": _relations(data, cases, markers),
        "related_from": _related_from(_text(data.get("id")) or doc.stem, cases),
        "sources": _sources(data, markers),
    }
    preview.prose = _prose_with_tokens(doc, markers)
    preview.sectors = [s for s in _list(data.get("sectors")) if isinstance(s, str)]
    markers.leftovers(preview.data["case"])


def _comparable(rows: GraphRows, doc: Document, case: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    """The site's "Comparable cases" for this file: the other cases from the graph, this one from the file.

    Built with the same ranking the site uses (:mod:`kb.analysis`), from rows shaped like its
    ``explore_*`` queries, so that a case that is not valid yet still gets its comparison.
    """
    case_id = case["id"]
    concepts = [{"label": label, **node} for label in CONCEPT_LABELS for node in rows.nodes.get(label, [])]
    broader = {rel.start: rel.end for rel in rows.rels if rel.type == "BROADER" and rel.start_label == "Sector"}
    sector_rows = [{"id": node["id"], "name": node["name"], "broader": broader.get(node["id"])}
                   for node in rows.nodes.get("Sector", [])]
    includes = [{"framework": rel.start, "practice": rel.end} for rel in rows.rels if rel.type == "INCLUDES"]
    index = build_index(_profiles(rows, doc, case), _claims(rows, doc, case_id), concepts, sector_rows, includes,
                        relation_rows=_case_relations(rows, doc, case_id))
    ranked = rank_comparable(index, query_for_case(index, case_id), limit=limit, exclude={case_id})
    # As webapp.views.cases.case shapes them for case.html.
    return [{"id": c["id"], "name": c["name"], "score": c["score"],
             "why": [f"{r['name']} ({r['why']})" if r.get("name") else r["why"]
                     for r in sorted(c["reasons"], key=lambda r: -r["points"])]} for c in ranked]


def _profiles(rows: GraphRows, doc: Document, case: dict[str, Any]) -> list[dict[str, Any]]:
    """Every other organisation's profile from the graph, and this file's own from the file."""
    case_id = case["id"]
    sectors: dict[str, list[str]] = defaultdict(list)
    for rel in rows.rels:
        if rel.type == "IN_SECTOR":
            sectors[rel.start].append(rel.end)
    countries = {node["id"]: node["name"] for node in rows.nodes.get("Country", [])}
    profiles = [{**org, "country_name": countries.get(org["country"], ""), "sectors": sorted(sectors[org["id"]])}
                for org in rows.nodes.get("Organisation", []) if org["id"] != case_id]
    profiles.append({"id": case_id, "name": _text(doc.data.get("name")) or case_id,
                     "country": _text(doc.data.get("country")), "size_band": case["size_band"],
                     "staff": case["staff"], "kind": _text(doc.data.get("kind")),
                     "status": _text(doc.data.get("status")),
                     "sectors": sorted(s for s in _list(doc.data.get("sectors")) if isinstance(s, str))})
    return profiles


def _case_relations(rows: GraphRows, doc: Document, case_id: str) -> list[dict[str, Any]]:
    """The relations between organisations (as ``explore_relations`` gives them): the others' from the graph,
    this file's own from the file, graded as the model grades them."""
    found = [{"organisation": rel.start, "type": rel.type, "target": rel.end, "evidence": rel.props.get("evidence"),
              "status": rel.props.get("status"), "since": rel.props.get("year")}
             for rel in rows.rels if rel.type in RELATION_REL_TYPES and rel.start != case_id]
    grade = _grader(doc.data)
    for raw in _list(doc.data.get("relations")):
        if isinstance(raw, dict) and isinstance(raw.get("target"), str) and raw.get("type") in RELATION_TYPES:
            sources = [s for s in _list(raw.get("sources")) if isinstance(s, str)]
            found.append({"organisation": case_id, "type": RELATION_TYPES[raw["type"]], "target": raw["target"],
                          "evidence": grade(sources, _text(raw.get("status"))), "status": _text(raw.get("status")),
                          "since": raw.get("since")})
    return found


def _claims(rows: GraphRows, doc: Document, case_id: str) -> list[dict[str, Any]]:
    """The other organisations' claims from the graph, and this file's own claims (about itself) graded."""
    claims = [{"organisation": rel.start, "type": rel.type, "concept": rel.end, "status": rel.props.get("status"),
               "scope": rel.props.get("scope"), "evidence": rel.props.get("evidence")}
              for rel in rows.rels if rel.type in KIND_OF_REL and rel.start != case_id]
    grade = _grader(doc.data)
    claims += [{"organisation": case_id, "type": CLAIM_TYPES[item.concept_kind], "concept": item.concept_id,
                "status": item.status, "scope": DEFAULT_SCOPE, "evidence": grade(_cited(item), item.status or "")}
               for item in (doc.body.items if doc.body else [])
               if item.concept_id and scope_of(item.scope_marks)[0] == DEFAULT_SCOPE]
    return claims


def _item_spans(doc: Document) -> dict[int, range]:
    """The file lines of each body item: from its first line to the next item or section."""
    if not doc.body:
        return {}
    end = doc.front.body_start_line + doc.front.body.count("\n") + 1 if doc.front else 1
    starts = sorted({i.line for i in doc.body.items} | {s.line for s in doc.body.sections} | {end + 1})
    return {item.line: range(item.line, starts[starts.index(item.line) + 1]) for item in doc.body.items}


def _claim(item: Item, concepts: dict[str, Document]) -> dict[str, Any]:
    if item.concept_id:
        kind, concept_id = item.concept_kind, item.concept_id
        name = concepts[concept_id].data.get("name") or concept_id
    else:  # unresolved: guess the kind from the link's folder, else from the section
        parts = item.href.split("#")[0].split("/")
        kind = KIND_OF_FOLDER.get(parts[-2] if len(parts) > 1 else "", SECTION_KINDS[item.section])
        concept_id = parts[-1].removesuffix(".md") if item.href else ""
        name = item.link_text or "(no link to a concept page)"
    first = item.figures[0] if item.figures else None
    return {"type": CLAIM_TYPES[kind], "kind": concept_kind(kind).label, "concept": concept_id, "name": name,
            "detail": item.detail, "figure": first.label if first else "", "year": first.year if first else None,
            "sources": item.sources, "status": item.status, "line": item.line}


def _figure_row(figure: Any, concept: str, parent: tuple[str, list[str]],
                grade: Callable[[list[str], str], str]) -> dict[str, Any]:
    scope, about = scope_of(figure.scope_marks, parent)
    return {"id": f"figure/{figure.line}", "measure": "", "concept": concept, "value": figure.value,
            "value_max": figure.high, "unit": figure.unit, "description": figure.label, "year": figure.year,
            "sources": figure.sources, "status": figure.status, "line": figure.line, "scope": scope, "about": about,
            "evidence": grade(figure.sources, figure.status)}


def _dispute(item: Item, title: str, text: Any, evidence: dict[str, Any],
             grade: Callable[[list[str], str], str]) -> dict[str, Any]:
    return {"id": f"claim/{item.line}", "title": title, "text": text, "status": item.status or "contested",
            "sources": item.sources, "line": item.line, **evidence,
            "views": [{"text": v.text, "sources": v.sources, "line": v.line, "evidence": grade(v.sources, "")}
                      for v in item.views]}


def _grader(data: dict) -> Callable[[list[str], str], str]:
    """Evidence grades as the model gives them, from the file's own source declarations (which may be
    invalid here: an unknown reliability counts as no reliability)."""
    valid = {**data, "sources": [s for s in _list(data.get("sources")) if isinstance(s, dict)
                                 and isinstance(s.get("reliability"), str | None)
                                 and isinstance(s.get("affiliation"), list | None)]}
    reliability = own_reliabilities(valid)
    return lambda sources, status: grade_for([reliability.get(s, "") for s in sources], status)


def _cited(item: Item) -> list[str]:
    """The sources a bullet rests on: its own, or its views' for a contested bullet that has none."""
    return item.sources or list(dict.fromkeys(s for view in item.views for s in view.sources))


def _size_figures(data: dict, doc: Document, markers: _Markers,
                  grade: Callable[[list[str], str], str]) -> list[dict[str, Any]]:
    rows = []
    for i, raw in enumerate(_list(data.get("size"))):
        if not isinstance(raw, dict) or not _is_number(raw.get("value")) or not isinstance(raw.get("year"), int):
            continue
        description = _text(raw.get("note")) or _text(raw.get("measure")) or "figure"
        sources = [s for s in [raw.get("source")] if isinstance(s, str)]
        rows.append({"id": f"size/{i}", "measure": _text(raw.get("measure")) or "figure", "concept": "",
                     "value": float(raw["value"]), "value_max": None, "unit": _text(raw.get("unit")),
                     "description": description, "markers": markers.attach("", markers.front("size", i)),
                     "year": raw["year"], "sources": sources, "status": _text(raw.get("status")),
                     "evidence": grade(sources, _text(raw.get("status"))), "line": doc.at("size", i)[0]})
    return rows


def _case_row(doc: Document, vocabulary: Vocabulary, markers: _Markers) -> dict[str, Any]:
    """The case's profile as the store gives it, its values as the file has them; the markers of the problems
    about each front-matter key in ``markers`` (key -> markers), which the template shows once, beside the value."""
    data = doc.data
    code = _text(data.get("country"))
    sectors = [vocabulary.sectors[s].name if isinstance(s, str) and s in vocabulary.sectors else str(s)
               for s in _list(data.get("sectors"))]
    staff = [f for f in _list(data.get("size")) if isinstance(f, dict) and f.get("measure") == "staff"
             and _is_number(f.get("value")) and isinstance(f.get("year"), int)]
    latest = max(staff, key=lambda f: f["year"]) if staff else None
    row = {"id": _text(data.get("id")) or doc.stem, "name": _text(data.get("name")) or doc.stem,
           "country": code, "country_name": country_name(code) if re.fullmatch(r"[A-Z]{2}", code) else code,
           "sectors": sectors, "staff": float(latest["value"]) if latest else None,
           "staff_year": latest["year"] if latest else None,
           "size_band": size_band(float(latest["value"])) if latest else "unknown",
           "sources": [s for s in _list(data.get("profile_sources")) if isinstance(s, str)],
           "aliases": _list(data.get("aliases")), "file": doc.where,
           "website": _shaped(data.get("website"), _SAFE_URL), "wikidata": _shaped(data.get("wikidata"), _WIKIDATA),
           "body": doc.front.body if doc.front is not None else "",  # without tokens: the timeline's entries
           "model_status": _text(data.get("model_status"))}
    for key in ("kind", "city", "region", "legal_form", "ownership", "status", "summary"):
        row[key] = _text(data.get(key))
    for key in ("founded", "adopted", "model_status_year"):  # a year; what else the file has, as text
        value = data.get(key)
        row[key] = value if _year(value) else None if value is None else str(value)
    row["markers"] = _profile_markers(row, markers)
    return row


def _profile_markers(row: dict[str, Any], markers: _Markers) -> dict[str, Any]:
    """The markers of the problems about each profile key, by the key the page shows them beside."""
    found_at: dict[str, Any] = {}
    for key in ("sectors", "kind", "city", "region", "legal_form", "ownership", "status", "summary", "founded",
                "adopted", "model_status", "model_status_year", "country"):
        found = markers.attach("", markers.front(key))
        if found:  # a value the page shows only when the file gives one: else by the summary
            shown_at = "summary" if key in _SHOWN_WHEN_GIVEN and not row[key] else key
            found_at[shown_at] = found_at.get(shown_at, "") + found
    return found_at


#: Profile values the case page shows only when the file gives them.
_SHOWN_WHEN_GIVEN = ("founded", "adopted", "model_status_year", "legal_form", "ownership")


def timeline_years(case: dict[str, Any]) -> dict[str, Any]:
    """The case row with only the years a timeline can place (a year the file gives as text is left out)."""
    return {**case, **{key: case[key] if _year(case[key]) else None
                       for key in ("founded", "adopted", "model_status_year")}}


def _shaped(value: Any, shape: re.Pattern) -> str:
    """The value as text if it has the shape the site can link to (a web address, a Wikidata item), else ""."""
    return _text(value) if shape.fullmatch(_text(value)) else ""


def _year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10_000


def _relations(data: dict, cases: dict[str, Document], markers: _Markers) -> list[dict[str, Any]]:
    rows = []
    for i, raw in enumerate(_list(data.get("relations"))):
        if not isinstance(raw, dict) or not isinstance(raw.get("target"), str) or raw.get("type") not in RELATION_TYPES:
            continue
        target = raw["target"]
        name = _text(cases[target].data.get("name")) if target in cases else target
        rows.append({"type": RELATION_TYPES[raw["type"]], "id": target,
                     "name": markers.attach(name, markers.front("relations", i)), "note": _text(raw.get("note")),
                     "since": raw.get("since"), "sources": [s for s in _list(raw.get("sources")) if isinstance(s, str)],
                     "status": _text(raw.get("status"))})
    return sorted(rows, key=lambda r: (r["type"], str(r["name"])))


def _related_from(case_id: str, cases: dict[str, Document]) -> list[dict[str, Any]]:
    rows = []
    for other_id, other in cases.items():
        for raw in _list(other.data.get("relations")):
            if isinstance(raw, dict) and raw.get("target") == case_id and raw.get("type") in RELATION_TYPES:
                rows.append({"type": RELATION_TYPES[raw["type"]], "id": other_id,
                             "name": _text(other.data.get("name")) or other_id})
    return sorted(rows, key=lambda r: (r["type"], r["name"]))


def _sources(data: dict, markers: _Markers) -> list[dict[str, Any]]:
    rows = []
    for i, raw in enumerate(_list(data.get("sources"))):
        if not isinstance(raw, dict):
            continue
        row = {key: _text(raw.get(key)) for key in ("id", "publication", "author", "publisher", "date", "type",
                                                    "reliability")}
        row["url"] = _text(raw.get("url")) if _SAFE_URL.match(_text(raw.get("url"))) else ""
        row["title"] = markers.attach(_text(raw.get("title")) or "(no title)", markers.front("sources", i))
        rows.append(row)
    return sorted(rows, key=lambda r: r["id"])


def _prose_with_tokens(doc: Document, markers: _Markers) -> str:
    """The body with a token at the end of each line that has a problem not yet placed elsewhere.

    A token counts as placed only if it survives into the page (see :func:`render_preview`).
    """
    if doc.front is None:
        return ""
    lines = doc.front.body.split("\n")
    for offset in range(len(lines)):
        for number in markers.take([doc.front.body_start_line + offset], mark=False):
            lines[offset] += " " + _TOKEN.format(number)
    return "\n".join(lines)


# --- markers -----------------------------------------------------------------------------------

class _Markers:
    """Hands out each problem once, to the first item on the page that claims its line."""

    def __init__(self, preview: CasePreview, doc: Document):
        self.preview = preview
        self.numbered = list(enumerate(preview.problems, start=1))
        self.by_line: dict[int, list[int]] = defaultdict(list)
        for number, problem in self.numbered:
            self.by_line[problem.line].append(number)
        self.front_end = doc.front.body_start_line if doc.front is not None else 1
        path_at = _PathIndex(doc.front.positions if doc.front is not None else {})
        #: (line, front-matter path) of every problem in the front matter
        self.front_paths = [(p.line, path_at(p.line, p.col)) for _, p in self.numbered if p.line < self.front_end]

    def take(self, lines: range | list[int], mark: bool = True) -> list[int]:
        """The numbers of the problems on these lines that no item has claimed yet."""
        wanted = lines if isinstance(lines, range) else set(lines)
        found = sorted(n for line in self.by_line if line in wanted for n in self.by_line[line]
                       if n not in self.preview.placed)
        if mark:
            self.preview.placed.update(found)
        return found

    def attach(self, value: str, lines: range | list[int]) -> Any:
        """``value`` followed by the markers of the problems on ``lines`` (escaped, ready for the template)."""
        numbers = self.take(lines)
        if not numbers:
            return value
        return escape(value) + Markup("").join(marker_html(n, self.preview.problems[n - 1]) for n in numbers)

    def front(self, key: str, index: int | None = None) -> list[int]:
        """The lines of the problems about a front-matter key (or about one entry of a list key)."""
        return [line for line, path in self.front_paths
                if path[:1] == (key,) and (index is None or path[1:2] == (index,))]

    def leftovers(self, case: dict[str, Any]) -> None:
        """Front-matter problems with no item of their own (id, name, unknown keys...) go by the summary."""
        found = self.attach("", [line for line, _ in self.front_paths])
        if found:
            case["markers"]["summary"] = case["markers"].get("summary", "") + found


class _PathIndex:
    """Which front-matter value a problem at (line, col) is about: the deepest value on that line,
    else the last value before it."""

    def __init__(self, positions: dict[tuple, tuple[int, int]]):
        self.deepest: dict[int, tuple] = {}
        for path, (line, _) in positions.items():
            if len(path) >= len(self.deepest.get(line, ())):
                self.deepest[line] = path
        self.ordered = sorted(((at, path) for path, at in positions.items() if path), key=lambda item: item[0])
        self.starts = [at for at, _ in self.ordered]

    def __call__(self, line: int, col: int) -> tuple:
        if line in self.deepest:
            return self.deepest[line]
        before = bisect.bisect_right(self.starts, (line, col))
        return self.ordered[before - 1][1] if before else ()


def marker_html(number: int, problem: Problem) -> Markup:
    """The inline marker of one problem, linked from the banner."""
    hint = f" ({problem.hint})" if problem.hint else ""
    return Markup('<mark class="kb-problem {severity}" id="problem-{n}">⚠ line {line}: {message}{hint}</mark>').format(
        severity=problem.severity, n=number, line=problem.line, message=problem.message, hint=hint)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
