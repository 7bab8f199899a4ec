"""Stage 7: the named queries every store answers, written once in Cypher.

Queries use parameters (``$id``), never text built from input.  The few places
where LadybugDB's Cypher differs from Neo4j's (``label(r)`` vs ``type(r)``,
``label(n)`` vs the node's schema label, sorting a list) are written as ``{rel_type:r}``,
``{node_label:n}`` and ``{sorted:xs}`` and filled in per backend by :func:`cypher_for`.
``collect()`` gathers in no guaranteed order, so a collected list that is returned is
wrapped in ``{sorted:...}``: both stores then give the same answer.

**Only the project's graph.**  Every node pattern carries ``{own}`` and every relationship pattern
``{own:r}`` (a relationship needs a variable).  The embedded store holds nothing else, so there they
are left out; on Neo4j, where others may add nodes and relationships next to the synced graph, they
become the sync's marker: ``(o:Organisation{own})`` reads ``(o:Organisation:KbManaged)`` and
``-[r:FACED{own:r}]->`` reads ``-[r:FACED WHERE r.kb_hash IS NOT NULL]->``.  Foreign data then
never reaches a page, a count or a score (tests/test_neo4j_own_graph.py checks every query).

>>> "label(r)" in cypher_for("organisation_claims", "ladybug")
True
>>> "type(r)" in cypher_for("organisation_claims", "neo4j")
True
>>> "list_sort(sectors)" in cypher_for("organisations", "ladybug")
True
>>> cypher_for("relationship_counts", "neo4j").split(" RETURN")[0]
'MATCH (:KbManaged)-[r WHERE r.kb_hash IS NOT NULL]->(:KbManaged)'
>>> cypher_for("relationship_counts", "ladybug").split(" RETURN")[0]
'MATCH ()-[r]->()'
"""

from __future__ import annotations

import re

from kb.graph.schema import NODE_PROPERTIES
from kb.kinds import CLAIM_REL_TYPES
from kb.queries.explore import EXPLORE_QUERIES
from kb.queries.named import NamedQuery, cypher_list
from kb.queries.research import RESEARCH_QUERIES
from kb.queries.site import SITE_QUERIES

__all__ = ["QUERIES", "NamedQuery", "cypher_for"]

_CLAIM_TYPES = cypher_list(CLAIM_REL_TYPES)
# The types in the pattern, not a filter after it: LadybugDB then reads only those relationship tables
# (an organisation's claims at 10,000 cases: about 0.4 ms instead of 6 ms and more).
_CLAIM_ALTERNATIVES = "|".join(CLAIM_REL_TYPES)

_CORE_QUERIES = [
    NamedQuery(
        "organisations", "Every organisation with its profile, sorted by name.",
        """
        MATCH (o:Organisation{own})
        OPTIONAL MATCH (o{own})-[kr1:IN_SECTOR{own:kr1}]->(s:Sector{own})
        WITH o, collect(s.id) AS sectors
        RETURN o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, o.city AS city,
               o.status AS status, o.founded AS founded, o.size_band AS size_band, o.staff AS staff,
               o.adopted AS adopted, o.model_status AS model_status, o.model_status_year AS model_status_year,
               o.summary AS summary, {sorted:sectors} AS sectors
        ORDER BY name
        """),
    NamedQuery(
        "organisation", "One organisation's profile.",
        """
        MATCH (o:Organisation{own} {id: $id})
        OPTIONAL MATCH (o{own})-[kr2:IN_SECTOR{own:kr2}]->(s:Sector{own})
        OPTIONAL MATCH (o{own})-[kr3:BASED_IN{own:kr3}]->(c:Country{own})
        WITH o, c, collect(s.name) AS sectors
        RETURN o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, c.name AS country_name,
               o.city AS city, o.region AS region, o.founded AS founded, o.adopted AS adopted,
               o.model_status AS model_status, o.model_status_year AS model_status_year, o.legal_form AS legal_form,
               o.ownership AS ownership, o.status AS status, o.website AS website, o.wikidata AS wikidata,
               o.summary AS summary,
               o.size_band AS size_band, o.staff AS staff, o.staff_year AS staff_year,
               o.sources AS sources, o.aliases AS aliases, o.body AS body, o.file AS file,
               {sorted:sectors} AS sectors
        """, ("id",)),
    NamedQuery(
        "organisation_claims", "An organisation's practices, challenges and outcomes with their evidence.",
        f"""
        MATCH (o:Organisation{{own}} {{id: $id}})-[r:{_CLAIM_ALTERNATIVES}{{own:r}}]->(c{{own}})
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
        MATCH (o:Organisation{own} {id: $id})-[kr20:REPORTS_CLAIM{own:kr20}]->(c:Claim{own})
        OPTIONAL MATCH (c{own})-[kr21:ABOUT{own:kr21}]->(x{own})
        RETURN c.id AS id, c.kind AS kind, c.concept AS concept, x.name AS name, c.title AS title,
               c.text AS detail, c.sources AS sources, c.status AS status, c.scope AS scope,
               c.about AS about, c.evidence AS evidence, c.contested AS contested, c.file AS file,
               c.line AS line
        ORDER BY line
        """, ("id",)),
    NamedQuery(
        "organisation_reported_by", "Claims and figures other organisations' files make about this one.",
        """
        MATCH (o:Organisation{own} {id: $id})<-[kr22:CONCERNS{own:kr22}]-(x{own})<-[r{own:r}]-(other:Organisation{own})
        WHERE {rel_type:r} IN ['REPORTS_CLAIM', 'REPORTS_FIGURE']
        RETURN other.id AS organisation, other.name AS organisation_name, {node_label:x} AS label, x.id AS id,
               x.concept AS concept, coalesce(x.text, x.description) AS detail, x.scope AS scope,
               x.evidence AS evidence, x.sources AS sources, x.status AS status, x.line AS line
        ORDER BY organisation, line
        """, ("id",)),
    NamedQuery(
        "organisation_relations", "Relations an organisation's file declares (partner of, adopted the model of...).",
        """
        MATCH (o:Organisation{own} {id: $id})-[r{own:r}]->(other:Organisation{own})
        RETURN {rel_type:r} AS type, other.id AS id, other.name AS name, r.detail AS note, r.year AS since,
               r.sources AS sources, r.status AS status, r.line AS line
        ORDER BY type, name
        """, ("id",)),
    NamedQuery(
        "organisation_relations_in", "Relations other organisations declare towards this one.",
        """
        MATCH (o:Organisation{own} {id: $id})<-[r{own:r}]-(other:Organisation{own})
        RETURN {rel_type:r} AS type, other.id AS id, other.name AS name, r.detail AS note, r.year AS since,
               r.sources AS sources, r.status AS status, r.line AS line
        ORDER BY type, name
        """, ("id",)),
    NamedQuery(
        "organisation_figures", "An organisation's figures: size and those attached to its claims.",
        """
        MATCH (o:Organisation{own} {id: $id})-[kr4:HAS_FIGURE|REPORTS_FIGURE{own:kr4}]->(f:Figure{own})
        RETURN f.id AS id, f.measure AS measure, f.concept AS concept, f.value AS value,
               f.value_max AS value_max, f.unit AS unit, f.description AS description, f.year AS year,
               f.sources AS sources, f.status AS status, f.line AS line,
               f.scope AS scope, f.about AS about, f.evidence AS evidence
        ORDER BY line
        """, ("id",)),
    NamedQuery(
        "organisation_disputes", "An organisation's contested or uncertain claims, one row per view with its sources.",
        """
        MATCH (o:Organisation{own} {id: $id})-[kr5:HAS_CLAIM|REPORTS_CLAIM{own:kr5}]->(c:Claim{own})
        WHERE c.status <> ''
        OPTIONAL MATCH (c{own})-[kr6:HAS_VIEW{own:kr6}]->(v:View{own})
        RETURN c.id AS id, c.title AS title, c.text AS text, c.status AS status, c.sources AS sources,
               c.line AS line, c.scope AS scope, c.about AS about, c.evidence AS evidence,
               v.text AS view, v.sources AS view_sources, v.line AS view_line, v.evidence AS view_evidence
        ORDER BY line, view_line
        """, ("id",)),
    NamedQuery(
        "organisation_sources", "The sources an organisation's file declares.",
        """
        MATCH (o:Organisation{own} {id: $id})-[kr7:CITES{own:kr7}]->(s:Source{own})
        RETURN s.id AS id, s.title AS title, s.url AS url, s.publication AS publication, s.author AS author,
               s.publisher AS publisher, s.date AS date, s.type AS type, s.reliability AS reliability,
               s.language AS language
        ORDER BY id
        """, ("id",)),
    NamedQuery(
        "label_counts", "Number of nodes per label.",
        """
        MATCH (n{own}) RETURN {node_label:n} AS label, count(*) AS n ORDER BY label
        """),
    NamedQuery(
        "relationship_counts", "Number of relationships per type.",
        """
        MATCH ({own})-[r{own:r}]->({own}) RETURN {rel_type:r} AS type, count(*) AS n ORDER BY type
        """),
]

#: Every named query, by name.  Query sets live in their own modules by area of the site.
QUERIES: dict[str, NamedQuery] = {}
for _query in [*_CORE_QUERIES, *SITE_QUERIES, *EXPLORE_QUERIES, *RESEARCH_QUERIES]:
    if _query.name in QUERIES:
        raise ValueError(f"named query '{_query.name}' is defined twice")
    QUERIES[_query.name] = _query

#: The project's marker on Neo4j (kb.store.neo4j.MANAGED_LABEL, HASH_PROPERTY; a later stage, so
#: written out here and checked against those by the tests).
_MANAGED_LABEL, _HASH_PROPERTY = "KbManaged", "kb_hash"
_SCHEMA_LABELS = "[" + ", ".join(f"'{label}'" for label in NODE_PROPERTIES) + "]"
_DIALECTS = {
    "ladybug": {"rel_type": "label({})", "node_label": "label({})", "sorted": "list_sort({})",
                "own": "", "own_rel": ""},
    # Cypher 5 has no list-sorting function without APOC; a COLLECT subquery sorts (Neo4j 5.6 and later).
    # A node's label is its schema label: the sync adds KbManaged, and others may add labels of their own.
    "neo4j": {"rel_type": "type({})",
              "node_label": f"[kb_label IN labels({{}}) WHERE kb_label IN {_SCHEMA_LABELS}][0]",
              "sorted": "COLLECT {{ UNWIND {} AS item RETURN item ORDER BY item }}",
              "own": f":{_MANAGED_LABEL}", "own_rel": f" WHERE {{}}.{_HASH_PROPERTY} IS NOT NULL"},
}
_PLACEHOLDER = re.compile(r"\{(rel_type|node_label|sorted|own):(\w+)\}|\{own\}")


def _fill(match: re.Match, dialect: dict[str, str]) -> str:
    if match.group(1) is None:
        return dialect["own"]
    kind = "own_rel" if match.group(1) == "own" else match.group(1)
    return dialect[kind].format(match.group(2))


def cypher_for(name: str, backend: str) -> str:
    """The Cypher text of a named query in a backend's dialect."""
    try:
        query = QUERIES[name]
    except KeyError:
        raise KeyError(f"unknown query '{name}'; known: {', '.join(sorted(QUERIES))}") from None
    dialect = _DIALECTS[backend]
    return _PLACEHOLDER.sub(lambda m: _fill(m, dialect), query.cypher).strip()
