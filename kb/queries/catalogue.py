"""Stage 7: the named queries every store answers, written once in Cypher.

Queries use parameters (``$id``), never text built from input.  The few places
where LadybugDB's Cypher differs from Neo4j's (``label(r)`` vs ``type(r)``,
``label(n)`` vs ``labels(n)`` less the sync's marker label, sorting a list) are written as ``{rel_type:r}``,
``{node_label:n}`` and ``{sorted:xs}`` and filled in per backend by :func:`cypher_for`.
``collect()`` gathers in no guaranteed order, so a collected list that is returned is
wrapped in ``{sorted:...}``: both stores then give the same answer.

>>> "label(r)" in cypher_for("organisation_claims", "ladybug")
True
>>> "type(r)" in cypher_for("organisation_claims", "neo4j")
True
>>> "list_sort(sectors)" in cypher_for("organisations", "ladybug")
True
"""

from __future__ import annotations

import re

from kb.queries.explore import EXPLORE_QUERIES
from kb.queries.named import NamedQuery
from kb.queries.research import RESEARCH_QUERIES
from kb.queries.site import SITE_QUERIES

__all__ = ["QUERIES", "NamedQuery", "cypher_for"]

_CLAIM_TYPES = "['USES_PRACTICE', 'USES_FRAMEWORK', 'FACED', 'REPORTED']"

_CORE_QUERIES = [
    NamedQuery(
        "organisations", "Every organisation with its profile, sorted by name.",
        """
        MATCH (o:Organisation)
        OPTIONAL MATCH (o)-[:IN_SECTOR]->(s:Sector)
        WITH o, collect(s.id) AS sectors
        RETURN o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, o.city AS city,
               o.status AS status, o.founded AS founded, o.size_band AS size_band, o.staff AS staff,
               o.summary AS summary, {sorted:sectors} AS sectors
        ORDER BY name
        """),
    NamedQuery(
        "organisation", "One organisation's profile.",
        """
        MATCH (o:Organisation {id: $id})
        OPTIONAL MATCH (o)-[:IN_SECTOR]->(s:Sector)
        OPTIONAL MATCH (o)-[:BASED_IN]->(c:Country)
        WITH o, c, collect(s.name) AS sectors
        RETURN o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, c.name AS country_name,
               o.city AS city, o.region AS region, o.founded AS founded, o.legal_form AS legal_form,
               o.ownership AS ownership, o.status AS status, o.website AS website, o.summary AS summary,
               o.size_band AS size_band, o.staff AS staff, o.staff_year AS staff_year,
               o.sources AS sources, o.aliases AS aliases, o.body AS body, o.file AS file,
               {sorted:sectors} AS sectors
        """, ("id",)),
    NamedQuery(
        "organisation_claims", "An organisation's practices, challenges and outcomes with their evidence.",
        f"""
        MATCH (o:Organisation {{id: $id}})-[r]->(c)
        WHERE {{rel_type:r}} IN {_CLAIM_TYPES}
        RETURN {{rel_type:r}} AS type, {{node_label:c}} AS kind, c.id AS concept, c.name AS name,
               r.detail AS detail, r.figure AS figure, r.year AS year, r.sources AS sources,
               r.status AS status, r.file AS file, r.line AS line,
               r.scope AS scope, r.evidence AS evidence, r.contested AS contested
        ORDER BY line
        """, ("id",)),
    NamedQuery(
        "organisation_reported_claims",
        "What an organisation's file says about others or in general (never counted as its own), with evidence.",
        """
        MATCH (o:Organisation {id: $id})-[:REPORTS_CLAIM]->(c:Claim)
        OPTIONAL MATCH (c)-[:ABOUT]->(x)
        RETURN c.id AS id, c.kind AS kind, c.concept AS concept, x.name AS name, c.title AS title,
               c.text AS detail, c.sources AS sources, c.status AS status, c.scope AS scope,
               c.about AS about, c.evidence AS evidence, c.contested AS contested, c.file AS file,
               c.line AS line
        ORDER BY line
        """, ("id",)),
    NamedQuery(
        "organisation_reported_by", "Claims and figures other organisations' files make about this one.",
        """
        MATCH (o:Organisation {id: $id})<-[:CONCERNS]-(x)<-[r]-(other:Organisation)
        WHERE {rel_type:r} IN ['REPORTS_CLAIM', 'REPORTS_FIGURE']
        RETURN other.id AS organisation, other.name AS organisation_name, {node_label:x} AS label, x.id AS id,
               x.concept AS concept, coalesce(x.text, x.description) AS detail, x.scope AS scope,
               x.evidence AS evidence, x.sources AS sources, x.status AS status, x.line AS line
        ORDER BY organisation, line
        """, ("id",)),
    NamedQuery(
        "organisation_relations", "Relations an organisation's file declares (partner of, adopted the model of...).",
        """
        MATCH (o:Organisation {id: $id})-[r]->(other:Organisation)
        RETURN {rel_type:r} AS type, other.id AS id, other.name AS name, r.detail AS note, r.year AS since,
               r.sources AS sources, r.status AS status, r.line AS line
        ORDER BY type, name
        """, ("id",)),
    NamedQuery(
        "organisation_relations_in", "Relations other organisations declare towards this one.",
        """
        MATCH (o:Organisation {id: $id})<-[r]-(other:Organisation)
        RETURN {rel_type:r} AS type, other.id AS id, other.name AS name, r.detail AS note, r.year AS since,
               r.sources AS sources, r.status AS status, r.line AS line
        ORDER BY type, name
        """, ("id",)),
    NamedQuery(
        "organisation_figures", "An organisation's figures: size and those attached to its claims.",
        """
        MATCH (o:Organisation {id: $id})-[:HAS_FIGURE|REPORTS_FIGURE]->(f:Figure)
        RETURN f.id AS id, f.measure AS measure, f.concept AS concept, f.value AS value,
               f.value_max AS value_max, f.unit AS unit, f.description AS description, f.year AS year,
               f.sources AS sources, f.status AS status, f.line AS line,
               f.scope AS scope, f.about AS about, f.evidence AS evidence
        ORDER BY line
        """, ("id",)),
    NamedQuery(
        "organisation_disputes", "An organisation's contested or uncertain claims, one row per view with its sources.",
        """
        MATCH (o:Organisation {id: $id})-[:HAS_CLAIM|REPORTS_CLAIM]->(c:Claim)
        WHERE c.status <> ''
        OPTIONAL MATCH (c)-[:HAS_VIEW]->(v:View)
        RETURN c.id AS id, c.title AS title, c.text AS text, c.status AS status, c.sources AS sources,
               c.line AS line, c.scope AS scope, c.about AS about, c.evidence AS evidence,
               v.text AS view, v.sources AS view_sources, v.line AS view_line, v.evidence AS view_evidence
        ORDER BY line, view_line
        """, ("id",)),
    NamedQuery(
        "organisation_sources", "The sources an organisation's file declares.",
        """
        MATCH (o:Organisation {id: $id})-[:CITES]->(s:Source)
        RETURN s.id AS id, s.title AS title, s.url AS url, s.publication AS publication, s.author AS author,
               s.publisher AS publisher, s.date AS date, s.type AS type, s.reliability AS reliability,
               s.language AS language
        ORDER BY id
        """, ("id",)),
    NamedQuery(
        "label_counts", "Number of nodes per label.",
        """
        MATCH (n) RETURN {node_label:n} AS label, count(*) AS n ORDER BY label
        """),
    NamedQuery(
        "relationship_counts", "Number of relationships per type.",
        """
        MATCH ()-[r]->() RETURN {rel_type:r} AS type, count(*) AS n ORDER BY type
        """),
]

#: Every named query, by name.  Query sets live in their own modules by area of the site.
QUERIES: dict[str, NamedQuery] = {}
for _query in [*_CORE_QUERIES, *SITE_QUERIES, *EXPLORE_QUERIES, *RESEARCH_QUERIES]:
    if _query.name in QUERIES:
        raise ValueError(f"named query '{_query.name}' is defined twice")
    QUERIES[_query.name] = _query

_DIALECTS = {
    "ladybug": {"rel_type": "label({})", "node_label": "label({})", "sorted": "list_sort({})"},
    # Cypher 5 has no list-sorting function without APOC; a COLLECT subquery sorts (Neo4j 5.6 and later).
    # Nodes the sync writes carry a second label, KbManaged (kb.store.neo4j), which is never the answer.
    "neo4j": {"rel_type": "type({})", "node_label": "[kb_label IN labels({}) WHERE kb_label <> 'KbManaged'][0]",
              "sorted": "COLLECT {{ UNWIND {} AS item RETURN item ORDER BY item }}"},
}
_PLACEHOLDER = re.compile(r"\{(rel_type|node_label|sorted):(\w+)\}")


def cypher_for(name: str, backend: str) -> str:
    """The Cypher text of a named query in a backend's dialect."""
    try:
        query = QUERIES[name]
    except KeyError:
        raise KeyError(f"unknown query '{name}'; known: {', '.join(sorted(QUERIES))}") from None
    dialect = _DIALECTS[backend]
    return _PLACEHOLDER.sub(lambda m: dialect[m.group(1)].format(m.group(2)), query.cypher).strip()
