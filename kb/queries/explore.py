"""Named queries of the site's explore pages: comparable cases, concept pages and patterns.

See :mod:`kb.queries.catalogue` for the conventions.  Two kinds of query live here:

- **Whole-graph extracts** (``explore_*``) that :mod:`kb.analysis` reads once per graph version and
  computes from in Python: organisation profiles, every claim as (organisation, type, concept,
  status), the vocabulary.  Rows are small, so 10,000 cases stay a few hundred thousand rows.
- **One concept's evidence** (``concept_<kind>_*``): the claims about it with their detail and
  sources, the views of its disputed claims, the sources its own page declares; and the sources
  a page cites, by id (``explore_sources``).  They are written once and stamped out per concept
  label, so that every query starts from an indexed ``(c:Label {id: $id})`` on both stores
  instead of scanning every node.

Both stores answer them: no store-specific functions, ``collect()`` order is never relied on (the
code sorts), and every query that returns rows in some order ends with ``ORDER BY``, so that
results are deterministic.

>>> [q.name.removeprefix("concept_practice_") for q in EXPLORE_QUERIES if q.name.startswith("concept_practice")]
... # doctest: +NORMALIZE_WHITESPACE
['claims', 'claims_page', 'claims_from', 'claim_count', 'figures_from', 'views_from', 'reported', 'reported_from',
 'figures', 'views', 'sources']
"""

from __future__ import annotations

from kb.kinds import CLAIM_REL_TYPES, CONCEPT_LABELS, KINDS, RELATION_REL_TYPES
from kb.queries.named import NamedQuery, cypher_list

__all__ = ["CONCEPT_QUERY_KINDS", "EXPLORE_QUERIES", "concept_query"]

#: Concept kinds that have a page, with their node label.
CONCEPT_QUERY_KINDS = {kind.id: kind.label for kind in KINDS}

_CLAIM_TYPES = cypher_list(CLAIM_REL_TYPES)
_CONCEPT_LABELS = cypher_list(CONCEPT_LABELS)
_SOURCE_COLUMNS = """s.id AS id, s.title AS title, s.url AS url, s.publication AS publication,
               s.author AS author, s.publisher AS publisher, s.date AS date, s.type AS type,
               s.reliability AS reliability, s.language AS language"""

#: The start of a query for some organisations' rows: found by id first (LadybugDB then follows only their
#: relationships instead of every claim of a concept thousands of cases make).
_GIVEN_ORGANISATIONS = """MATCH (o:Organisation{own})
            WHERE o.id IN $organisations
            MATCH (o{own})"""

_WHOLE_GRAPH = [
    NamedQuery(
        "explore_profiles", "Every organisation's profile as the comparison uses it, with its sector ids.",
        """
        MATCH (o:Organisation{own})
        OPTIONAL MATCH (o{own})-[kr1:BASED_IN{own:kr1}]->(k:Country{own})
        OPTIONAL MATCH (o{own})-[kr2:IN_SECTOR{own:kr2}]->(s:Sector{own})
        WITH o, k, collect(s.id) AS sectors
        RETURN o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, k.name AS country_name,
               o.size_band AS size_band, o.staff AS staff, o.status AS status, o.summary AS summary,
               {sorted:sectors} AS sectors
        ORDER BY id
        """),
    NamedQuery(
        "explore_claim_rows", "Every practice, framework, challenge and outcome claim: who, what, how sure.",
        f"""
        MATCH (o:Organisation{{own}})-[r{{own:r}}]->(c{{own}})
        WHERE {{rel_type:r}} IN {_CLAIM_TYPES}
        RETURN o.id AS organisation, {{rel_type:r}} AS type, c.id AS concept, r.status AS status,
               r.scope AS scope, r.evidence AS evidence, r.contested AS contested
        ORDER BY organisation, type, concept
        """),
    NamedQuery(
        "explore_reported_claim_rows",
        "Every claim a file makes about others or in general: never the organisation's own, shown apart.",
        """
        MATCH (o:Organisation{own})-[kr20:REPORTS_CLAIM{own:kr20}]->(c:Claim{own})
        RETURN o.id AS organisation, c.kind AS kind, c.concept AS concept, c.status AS status,
               c.scope AS scope, c.about AS about, c.evidence AS evidence, c.contested AS contested,
               c.line AS line
        ORDER BY organisation, line
        """),
    NamedQuery(
        "explore_concepts", "Every practice, challenge, outcome and framework with its definition and page body.",
        f"""
        MATCH (c{{own}})
        WHERE {{node_label:c}} IN {_CONCEPT_LABELS}
        RETURN {{node_label:c}} AS label, c.id AS id, c.name AS name, c.definition AS definition,
               c.aliases AS aliases, c.broader AS broader, c.body AS body, c.file AS file
        ORDER BY label, id
        """),
    NamedQuery(
        "explore_includes", "Which practices each framework bundles.",
        """
        MATCH (f:Framework{own})-[kr3:INCLUDES{own:kr3}]->(p:Practice{own})
        RETURN f.id AS framework, p.id AS practice
        ORDER BY framework, practice
        """),
    NamedQuery(
        "explore_relations", "Every relation between two organisations (partner of, adopted the model of...).",
        f"""
        MATCH (o:Organisation{{own}})-[r{{own:r}}]->(other:Organisation{{own}})
        WHERE {{rel_type:r}} IN {cypher_list(RELATION_REL_TYPES)}
        RETURN o.id AS organisation, {{rel_type:r}} AS type, other.id AS target, r.evidence AS evidence,
               r.status AS status, r.year AS since
        ORDER BY organisation, type, target
        """),
    NamedQuery(
        "explore_sectors", "The sector vocabulary with each sector's broader sector.",
        """
        MATCH (s:Sector{own})
        OPTIONAL MATCH (s{own})-[kr4:BROADER{own:kr4}]->(b:Sector{own})
        RETURN s.id AS id, s.name AS name, b.id AS broader
        ORDER BY id
        """),
    NamedQuery(
        "explore_sources", "Sources by id (those a page cites), each looked up by its key.",
        f"""
        UNWIND $ids AS source_id
        MATCH (s:Source{{own}} {{id: source_id}})
        RETURN DISTINCT {_SOURCE_COLUMNS}
        ORDER BY id
        """, ("ids",)),
]


def _concept_queries(kind: str, label: str) -> list[NamedQuery]:
    """The evidence queries of one concept label (the label is a constant, never input)."""
    concept = f"(c:{label}{{own}} {{id: $id}})"
    claims = f"""
            MATCH (o:Organisation{{own}})-[r{{own:r}}]->{concept}
            WHERE {{rel_type:r}} IN {_CLAIM_TYPES}
            RETURN o.id AS organisation, o.name AS name, {{rel_type:r}} AS type, r.detail AS detail,
                   r.figure AS figure, r.year AS year, r.sources AS sources, r.status AS status,
                   r.file AS file, r.line AS line,
                   r.scope AS scope, r.evidence AS evidence, r.contested AS contested
            ORDER BY name, organisation, line
            """
    reported = f"""
            MATCH (o:Organisation{{own}})-[kr21:REPORTS_CLAIM{{own:kr21}}]->(claim:Claim{{own}})
                  -[kr22:ABOUT{{own:kr22}}]->{concept}
            RETURN o.id AS organisation, o.name AS name, claim.kind AS kind, claim.text AS detail,
                   claim.sources AS sources, claim.status AS status, claim.scope AS scope,
                   claim.about AS about, claim.evidence AS evidence, claim.contested AS contested,
                   claim.file AS file, claim.line AS line
            ORDER BY name, organisation, line
            """
    # A concept page shows a page of its claims: the page, how many there are, and the figures and views of
    # the page's organisations are read, not every claim of a practice thousands of cases use.
    return [
        NamedQuery(f"concept_{kind}_claims", f"Organisations' claims about one {kind}, with their evidence.",
                   claims, ("id",)),
        NamedQuery(f"concept_{kind}_claims_page",
                   f"One page of the organisations' claims about one {kind} (in the order of concept_{kind}_claims).",
                   claims + "SKIP $skip LIMIT $limit\n", ("id", "skip", "limit")),
        NamedQuery(f"concept_{kind}_claims_from",
                   f"The given organisations' claims about one {kind} (in the order of concept_{kind}_claims).",
                   claims.replace("MATCH (o:Organisation{own})", _GIVEN_ORGANISATIONS, 1), ("id", "organisations")),
        NamedQuery(
            f"concept_{kind}_claim_count", f"How many claims organisations make about one {kind}.",
            f"""
            MATCH (o:Organisation{{own}})-[r{{own:r}}]->{concept}
            WHERE {{rel_type:r}} IN {_CLAIM_TYPES}
            RETURN count(*) AS claims
            """, ("id",)),
        NamedQuery(
            f"concept_{kind}_figures_from", f"The figures the given organisations give about one {kind}.",
            f"""
            MATCH (o:Organisation{{own}})
            WHERE o.id IN $organisations
            MATCH (o{{own}})-[kr25:HAS_FIGURE|REPORTS_FIGURE{{own:kr25}}]->(f:Figure{{own}})
                  -[kr26:ABOUT{{own:kr26}}]->{concept}
            RETURN o.id AS organisation, f.id AS id, f.value AS value, f.value_max AS value_max, f.unit AS unit,
                   f.description AS description, f.year AS year, f.sources AS sources, f.status AS status,
                   f.line AS line, f.scope AS scope, f.about AS about, f.evidence AS evidence
            ORDER BY organisation, line
            """, ("id", "organisations")),
        NamedQuery(
            f"concept_{kind}_views_from", f"Each side of given organisations' disputed claims about one {kind}.",
            f"""
            MATCH (o:Organisation{{own}})
            WHERE o.id IN $organisations
            MATCH (o{{own}})-[kr27:HAS_CLAIM|REPORTS_CLAIM{{own:kr27}}]->(claim:Claim{{own}})
                  -[kr28:ABOUT{{own:kr28}}]->{concept}
            MATCH (claim{{own}})-[kr29:HAS_VIEW{{own:kr29}}]->(v:View{{own}})
            RETURN o.id AS organisation, claim.line AS claim_line, v.text AS text, v.sources AS sources,
                   v.line AS line, v.scope AS scope, v.evidence AS evidence
            ORDER BY organisation, claim_line, line
            """, ("id", "organisations")),
        NamedQuery(f"concept_{kind}_reported", f"What files say about one {kind} at other organisations or in general.",
                   reported, ("id",)),
        NamedQuery(f"concept_{kind}_reported_from",
                   f"What the given organisations' files say about one {kind} at other organisations or in general.",
                   reported.replace("MATCH (o:Organisation{own})", _GIVEN_ORGANISATIONS, 1), ("id", "organisations")),
        NamedQuery(
            f"concept_{kind}_figures", f"Every figure organisations give about one {kind}, each with its sources.",
            f"""
            MATCH (o:Organisation{{own}})-[kr23:HAS_FIGURE|REPORTS_FIGURE{{own:kr23}}]->(f:Figure{{own}})
                  -[kr24:ABOUT{{own:kr24}}]->{concept}
            RETURN o.id AS organisation, f.id AS id, f.value AS value, f.value_max AS value_max, f.unit AS unit,
                   f.description AS description, f.year AS year, f.sources AS sources, f.status AS status,
                   f.line AS line, f.scope AS scope, f.about AS about, f.evidence AS evidence
            ORDER BY organisation, line
            """, ("id",)),
        NamedQuery(
            f"concept_{kind}_views", f"Each side of the disputed claims about one {kind}.",
            f"""
            MATCH (o:Organisation{{own}})-[kr5:HAS_CLAIM|REPORTS_CLAIM{{own:kr5}}]->(claim:Claim{{own}})
                  -[kr6:ABOUT{{own:kr6}}]->{concept}
            MATCH (claim{{own}})-[kr7:HAS_VIEW{{own:kr7}}]->(v:View{{own}})
            RETURN o.id AS organisation, claim.line AS claim_line, v.text AS text, v.sources AS sources,
                   v.line AS line, v.scope AS scope, v.evidence AS evidence
            ORDER BY organisation, claim_line, line
            """, ("id",)),
        NamedQuery(
            f"concept_{kind}_sources", f"The sources one {kind}'s own page declares.",
            f"""
            MATCH {concept}-[kr8:CITES{{own:kr8}}]->(s:Source{{own}})
            RETURN {_SOURCE_COLUMNS}
            ORDER BY id
            """, ("id",)),
    ]


def concept_query(kind: str, part: str) -> str:
    """The name of a concept evidence query.

    >>> concept_query("outcome", "claims")
    'concept_outcome_claims'
    """
    if kind not in CONCEPT_QUERY_KINDS:
        raise KeyError(f"unknown concept kind '{kind}'; known: {', '.join(CONCEPT_QUERY_KINDS)}")
    return f"concept_{kind}_{part}"


EXPLORE_QUERIES: list[NamedQuery] = [
    *_WHOLE_GRAPH,
    *(query for kind, label in CONCEPT_QUERY_KINDS.items() for query in _concept_queries(kind, label)),
]
