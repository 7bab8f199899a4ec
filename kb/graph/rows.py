"""Stage 5: the graph, as plain node and relationship rows and as a networkx MultiDiGraph.

:func:`graph_rows` turns a :class:`~kb.graph.model.Corpus` into rows keyed by label
and relationship type (what the stores write); :func:`to_networkx` turns rows
into a ``MultiDiGraph`` whose node keys are ``"Label:id"``.

>>> from pathlib import Path
>>> from kb.load import load_content
>>> rows = graph_rows(load_content(Path(".")).corpus)
>>> G = to_networkx(rows)
>>> G.nodes["Organisation:buurtzorg"]["name"]
'Buurtzorg Nederland'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.check.vocabulary import country_name
from kb.content.body import Figure
from kb.evidence import DEFAULT_SCOPE, grade_for, is_case_id
from kb.figures import figure_text
from kb.graph.model import Claim, Corpus, Disputed, Organisation
from kb.graph.schema import NODE_PROPERTIES, REL_PROPERTIES, label_for_kind
from kb.slug import slug

#: How many words of a title, tie-breaker or key make the slug part of an id (kb.slug).
ID_WORDS = 6

if TYPE_CHECKING:  # imported where used: a load never needs networkx (a sixth of a second)
    import networkx as nx

__all__ = ["GraphRows", "IdRequest", "Rel", "graph_rows", "node_key", "stable_ids", "to_networkx"]


@dataclass(frozen=True)
class Rel:
    type: str
    start_label: str
    start: str
    end_label: str
    end: str
    props: dict


@dataclass
class GraphRows:
    """Nodes by label (each a dict with every declared property) and relationships."""

    nodes: dict[str, list[dict]] = field(default_factory=dict)
    rels: list[Rel] = field(default_factory=list)

    def add_node(self, label: str, /, **props: object) -> None:
        declared = NODE_PROPERTIES[label]
        row = {key: props.get(key) for key in declared}
        if "contested" in declared:
            row["contested"] = row.get("status") == "contested"
        for key, kind in declared.items():
            if row[key] is None and kind == "STRING":
                row[key] = ""
            elif row[key] is None and kind == "STRING[]":
                row[key] = []
        self.nodes.setdefault(label, []).append(row)

    def add_rel(self, rel_type: str, start: tuple[str, str], end: tuple[str, str], **props: object) -> None:
        row = {key: props.get(key) for key in REL_PROPERTIES}
        row["sources"] = list(row["sources"] or [])
        row["about"] = list(row["about"] or [])
        row["contested"] = row["status"] == "contested"
        for key in ("detail", "figure", "status", "file", "scope", "evidence"):
            row[key] = row[key] or ""
        self.rels.append(Rel(rel_type, start[0], start[1], end[0], end[1], row))

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Number of nodes per label and relationships per type."""
        rel_counts: dict[str, int] = {}
        for rel in self.rels:
            rel_counts[rel.type] = rel_counts.get(rel.type, 0) + 1
        return {label: len(rows) for label, rows in self.nodes.items()}, rel_counts


def node_key(label: str, node_id: str) -> str:
    """The networkx node key of a graph node.

    >>> node_key("Practice", "advice-process")
    'Practice:advice-process'
    """
    return f"{label}:{node_id}"


def graph_rows(corpus: Corpus) -> GraphRows:
    """All nodes and relationships of the corpus, with provenance on every relationship."""
    rows = GraphRows()
    for sector in corpus.vocabulary.sectors.values():
        rows.add_node("Sector", id=sector.id, name=sector.name)
    for sector in corpus.vocabulary.sectors.values():
        if sector.broader:
            rows.add_rel("BROADER", ("Sector", sector.id), ("Sector", sector.broader), file="vocabulary/sectors.yaml")
    for source in corpus.sources.values():
        rows.add_node("Source", **{k: getattr(source, k) for k in NODE_PROPERTIES["Source"]})
    for concept in corpus.concepts.values():
        label = label_for_kind(concept.kind)
        rows.add_node(label, id=concept.id, name=concept.name, definition=concept.definition,
                      aliases=concept.aliases, broader=concept.broader, body=concept.body,
                      file=concept.file)
        if concept.broader:
            rows.add_rel("BROADER", (label, concept.id), (label, concept.broader), file=concept.file)
        for practice in concept.includes:
            rows.add_rel("INCLUDES", (label, concept.id), ("Practice", practice), file=concept.file)
        for source in concept.sources:
            rows.add_rel("CITES", (label, concept.id), ("Source", source), sources=[source], file=concept.file,
                          evidence=grade_for([concept.reliability.get(source, "")]))
    for country in sorted({org.country for org in corpus.organisations.values()}):
        rows.add_node("Country", id=country, name=country_name(country))
    for org in corpus.organisations.values():
        _add_organisation(rows, org, corpus)
    return rows


# --- stable ids of figures, claims and views ----------------------------------------------------

@dataclass(frozen=True)
class IdRequest:
    """What :func:`stable_ids` derives one id from.

    ``key`` is an explicit ``[key: name]`` from the file (or ""); ``natural`` the part that names the
    item without its wording (a concept and year, a measure and year, a concept, a source);
    ``tiebreakers`` the item's own content, most telling first, used only on a collision.
    """

    natural: str
    tiebreakers: tuple[str, ...] = ()
    key: str = ""


def stable_ids(prefix: str, requests: Sequence[IdRequest]) -> list[str]:
    """Ids for the figures, claims or views of one owner (in file order) that survive edits elsewhere.

    The rule, in order:

    1. An explicit key wins: ``{prefix}/{slug(key)}``.
    2. Otherwise ``{prefix}/{natural}``: no line number and no wording, so inserting text above an
       item changes nothing and rewording it keeps its id (the sync updates it in place).
    3. Collision: items whose ids are equal (with each other or with an explicit key) each append
       their first tie-breaker (``/`` and a slug of their own content), then the next, as long as
       they are still equal.
    4. Whatever is still equal gets ``-2``, ``-3`` ... in file order.

    Only the items of a collision depend on each other; an explicit key pins an item for good.

    >>> stable_ids("zappos/figure", [IdRequest("staff-attrition/2015", ("of staff left",)),
    ...                              IdRequest("staff-attrition/2015", ("took the buyout",)),
    ...                              IdRequest("self-management/2014"),
    ...                              IdRequest("self-management/2014"),
    ...                              IdRequest("ignored", key="Team size")])
    ['zappos/figure/staff-attrition/2015/of-staff-left', 'zappos/figure/staff-attrition/2015/took-the-buyout', \
'zappos/figure/self-management/2014', 'zappos/figure/self-management/2014-2', 'zappos/figure/team-size']
    """
    ids = [f"{prefix}/{slug(r.key, ID_WORDS)}" if r.key else f"{prefix}/{r.natural}" for r in requests]
    pinned = Counter(ids[i] for i, r in enumerate(requests) if r.key)
    for level in range(max((len(r.tiebreakers) for r in requests), default=0)):
        counts = Counter(ids)
        for i, request in enumerate(requests):
            if not request.key and (counts[ids[i]] > 1 or pinned[ids[i]]) and level < len(request.tiebreakers):
                extra = slug(request.tiebreakers[level], ID_WORDS)
                ids[i] += f"/{extra}" if extra else ""
    seen: Counter = Counter()
    for i, node_id in enumerate(ids):
        seen[node_id] += 1
        if seen[node_id] > 1:
            ids[i] = f"{node_id}-{seen[node_id]}"
    return ids


def _size_ids(org: Organisation) -> list[str]:
    return stable_ids(f"{org.id}/size", [IdRequest(f"{f.measure}/{f.year}", (f.source, f.note), f.key)
                                         for f in org.size])


def _figure_ids(org: Organisation) -> list[str]:
    """Ids of the organisation's claim figures, in the order of its claims and their figures."""
    return stable_ids(f"{org.id}/figure", [
        IdRequest(f"{claim.concept}/{figure.year}", (figure.label, *figure.sources[:1]), figure.key)
        for claim in org.claims for figure in claim.figures])


def _claim_ids(org: Organisation) -> tuple[list[str], list[str]]:
    """Ids of the organisation's marked claims and of its Contested claims bullets (one namespace)."""
    marked = [claim for claim in org.claims if _has_claim_node(claim)]
    ids = stable_ids(f"{org.id}/claim", [
        *(IdRequest(claim.concept, (claim.detail,), claim.key) for claim in marked),
        *(IdRequest(slug(dispute.title, ID_WORDS) or "untitled", (dispute.detail,), dispute.key)
          for dispute in org.disputes)])
    return ids[:len(marked)], ids[len(marked):]


def _view_ids(claim_id: str, views: list) -> list[str]:
    return stable_ids(f"{claim_id}/view", [IdRequest(slug(view.sources[0], ID_WORDS) if view.sources else "unsourced",
                                                     (view.text,), view.key) for view in views])


# --- organisations --------------------------------------------------------------------------------

def _add_organisation(rows: GraphRows, org: Organisation, corpus: Corpus) -> None:
    staff = org.latest("staff")
    rows.add_node("Organisation", id=org.id, name=org.name, kind=org.kind, country=org.country, city=org.city,
                  region=org.region, founded=org.founded, adopted=org.adopted, model_status=org.model_status,
                  model_status_year=org.model_status_year, legal_form=org.legal_form, ownership=org.ownership,
                  status=org.status, website=org.website, wikidata=org.wikidata, summary=org.summary,
                  size_band=org.size_band,
                  staff=staff.value if staff else None, staff_year=staff.year if staff else None,
                  aliases=org.aliases, sources=org.profile_sources, body=org.body.strip(), file=org.file)
    me = ("Organisation", org.id)
    own = {"scope": DEFAULT_SCOPE, "file": org.file}
    profile = {"sources": org.profile_sources, "line": 1, "evidence": org.grade(org.profile_sources), **own}
    rows.add_rel("BASED_IN", me, ("Country", org.country), **profile)
    for sector in org.sectors:
        rows.add_rel("IN_SECTOR", me, ("Sector", sector), **profile)
    for source in org.sources:
        rows.add_rel("CITES", me, ("Source", source), sources=[source], evidence=org.grade([source]), **own)
    for relation in org.relations:
        rows.add_rel(relation.rel_type, me, ("Organisation", relation.target), detail=relation.note,
                     year=relation.since, sources=relation.sources, status=relation.status,
                     line=relation.line, evidence=relation.evidence, **own)
    for figure_id, size in zip(_size_ids(org), org.size, strict=True):
        evidence = {"scope": DEFAULT_SCOPE, "evidence": size.evidence}
        rows.add_node("Figure", id=figure_id, organisation=org.id, measure=size.measure, value=size.value,
                      unit=size.unit, description=size.note or size.measure, year=size.year, sources=[size.source],
                      status=size.status, file=org.file, line=size.line, **evidence)
        rows.add_rel("HAS_FIGURE", me, ("Figure", figure_id), year=size.year, sources=[size.source],
                     status=size.status, file=org.file, line=size.line, **evidence)
    figure_ids = iter(_figure_ids(org))
    node_claim_ids, dispute_ids = _claim_ids(org)
    claim_ids = iter(node_claim_ids)
    for claim in org.claims:
        _add_claim(rows, claim, [next(figure_ids) for _ in claim.figures],
                   next(claim_ids) if _has_claim_node(claim) else "")
    for claim_id, dispute in zip(dispute_ids, org.disputes, strict=True):
        _add_dispute(rows, org, dispute, claim_id)


def _evidence(thing: object) -> dict:
    """The evidence properties of a claim, dispute, figure or view (kb.evidence)."""
    return {"scope": thing.scope, "about": thing.about, "evidence": thing.evidence}


def _has_claim_node(claim: Claim) -> bool:
    """Whether a bullet is also a Claim node: when marked contested or uncertain, or about others."""
    return bool(claim.status) or not claim.is_own


def _add_claim(rows: GraphRows, claim: Claim, figure_ids: list[str], claim_id: str) -> None:
    """A claim about the organisation itself is its edge to the concept; any other is a Claim node."""
    me = ("Organisation", claim.org)
    concept = (label_for_kind(claim.kind), claim.concept)
    evidence = _evidence(claim)
    first = next((f for f in claim.figures if f.scope == DEFAULT_SCOPE), None) if claim.is_own else None
    if claim.is_own:
        rows.add_rel(claim.rel_type, me, concept, detail=claim.detail,
                     figure=_figure_text(first) if first else "", year=first.year if first else None,
                     sources=claim.sources, status=claim.status, file=claim.file, line=claim.line, **evidence)
    for figure_id, figure in zip(figure_ids, claim.figures, strict=True):
        rows.add_node("Figure", id=figure_id, organisation=claim.org, measure="", concept=claim.concept,
                      value=figure.value, value_max=figure.high, unit=figure.unit, description=figure.label,
                      year=figure.year, sources=figure.sources, status=figure.status, file=claim.file,
                      line=figure.line, **_evidence(figure))
        rows.add_rel("HAS_FIGURE" if figure.scope == DEFAULT_SCOPE else "REPORTS_FIGURE", me, ("Figure", figure_id),
                     year=figure.year, sources=figure.sources, status=figure.status, file=claim.file,
                     line=figure.line, **_evidence(figure))
        rows.add_rel("ABOUT", ("Figure", figure_id), concept, sources=figure.sources, status=figure.status,
                     file=claim.file, line=figure.line, **_evidence(figure))
        _add_concerns(rows, ("Figure", figure_id), figure, claim.file, figure.line)
    if claim_id:
        rows.add_node("Claim", id=claim_id, organisation=claim.org, title=claim.concept, text=claim.detail,
                      status=claim.status, sources=claim.sources, file=claim.file, line=claim.line,
                      kind=claim.kind, concept=claim.concept, **evidence)
        rows.add_rel("HAS_CLAIM" if claim.is_own else "REPORTS_CLAIM", me, ("Claim", claim_id), detail=claim.detail,
                     sources=claim.sources, status=claim.status, file=claim.file, line=claim.line, **evidence)
        rows.add_rel("ABOUT", ("Claim", claim_id), concept, sources=claim.sources, status=claim.status,
                     file=claim.file, line=claim.line, **evidence)
        _add_concerns(rows, ("Claim", claim_id), claim, claim.file, claim.line)
        _add_views(rows, claim_id, claim.views, claim.file)


def _add_dispute(rows: GraphRows, org: Organisation, dispute: Disputed, claim_id: str) -> None:
    """A bullet of Contested claims: a Claim node, the organisation's own unless it is about others."""
    evidence = _evidence(dispute)
    rows.add_node("Claim", id=claim_id, organisation=org.id, title=dispute.title, text=dispute.detail,
                  status=dispute.status, sources=dispute.sources, file=org.file, line=dispute.line, **evidence)
    rel_type = "HAS_CLAIM" if dispute.scope == DEFAULT_SCOPE else "REPORTS_CLAIM"
    rows.add_rel(rel_type, ("Organisation", org.id), ("Claim", claim_id), detail=dispute.title,
                 sources=dispute.sources, status=dispute.status, file=org.file, line=dispute.line, **evidence)
    _add_concerns(rows, ("Claim", claim_id), dispute, org.file, dispute.line)
    _add_views(rows, claim_id, dispute.views, org.file)


def _add_concerns(rows: GraphRows, start: tuple[str, str], thing: object, file: str, line: int) -> None:
    """Link a claim or figure about others to the organisations it names by case id (validation makes
    sure that every group written as an id is a case; a name in words stays a name)."""
    if thing.scope == DEFAULT_SCOPE:
        return
    for name in thing.about:
        if is_case_id(name):
            rows.add_rel("CONCERNS", start, ("Organisation", name), sources=thing.sources, file=file, line=line,
                         **_evidence(thing))


def _add_views(rows: GraphRows, claim_id: str, views: list, file: str) -> None:
    for view_id, view in zip(_view_ids(claim_id, views), views, strict=True):
        rows.add_node("View", id=view_id, text=view.text, sources=view.sources, file=file, line=view.line,
                      **_evidence(view))
        rows.add_rel("HAS_VIEW", ("Claim", claim_id), ("View", view_id), sources=view.sources, file=file,
                     line=view.line, **_evidence(view))



def _figure_text(figure: Figure) -> str:
    return figure_text(figure.value, unit=figure.unit, what=figure.label, year=figure.year, high=figure.high)


def to_networkx(rows: GraphRows) -> nx.MultiDiGraph:
    """A MultiDiGraph with ``label`` on every node and ``type`` (and evidence) on every edge."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for label, nodes in rows.nodes.items():
        for node in nodes:
            graph.add_node(node_key(label, node["id"]), label=label, **node)
    for rel in rows.rels:
        graph.add_edge(node_key(rel.start_label, rel.start), node_key(rel.end_label, rel.end),
                       key=f"{rel.type}:{rel.props.get('line') or 0}", type=rel.type, **rel.props)
    return graph
