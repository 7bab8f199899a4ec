"""Example queries for researchers: real questions, one click each in the console.

Each runs on both stores with identical results (tests/test_store_contract.py).  They avoid the
few functions whose names differ between LadybugDB and Neo4j (see the console's help).
"""

from __future__ import annotations

from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from kb.kinds import CLAIM_REL_TYPES
from kb.queries.named import NamedQuery, cypher_list

_CLAIM = cypher_list(CLAIM_REL_TYPES)

RESEARCH_QUERIES: list[NamedQuery] = [
    NamedQuery(
        "example_practices_with_challenge",
        "Practices used by organisations that faced a given challenge, with how many such organisations.",
        """
        MATCH (o:Organisation{own})-[kr1:FACED{own:kr1}]->(c:Challenge{own} {id: $challenge})
        MATCH (o{own})-[kr2:USES_PRACTICE{own:kr2}]->(p:Practice{own})
        RETURN p.id AS practice, p.name AS name, count(DISTINCT o) AS organisations
        ORDER BY organisations DESC, practice
        """, ("challenge",), (("challenge", "staff-attrition"),),
        "Practices that co-occur with a challenge"),
    NamedQuery(
        "example_attrition_figures",
        "Organisations that faced staff attrition, with each figure, its year and its sources.",
        """
        MATCH (o:Organisation{own})-[r:FACED{own:r}]->(c:Challenge{own} {id: 'staff-attrition'})
        OPTIONAL MATCH (o{own})-[kr3:HAS_FIGURE{own:kr3}]->(f:Figure{own} {concept: 'staff-attrition'})
        RETURN o.name AS organisation, r.status AS status, f.value AS value, f.value_max AS value_max,
               f.unit AS unit, f.description AS what, f.year AS year, f.sources AS sources
        ORDER BY organisation, year, value
        """, (), (), "Staff attrition: figures and sources"),
    NamedQuery(
        "example_outcomes_without_managers",
        "Outcomes reported by organisations that replaced managers with coaches or removed middle management.",
        """
        MATCH (o:Organisation{own})-[kr4:USES_PRACTICE{own:kr4}]->(p:Practice{own})
        WHERE p.id IN ['coaches-not-managers', 'no-middle-management']
        MATCH (o{own})-[r:REPORTED{own:r}]->(x:Outcome{own})
        RETURN x.name AS outcome, count(DISTINCT o) AS organisations,
               count(DISTINCT CASE WHEN r.status IS NULL THEN o.id END) AS firm_reports
        ORDER BY organisations DESC, outcome
        """, (), (), "Outcomes where managers were replaced by coaches"),
    NamedQuery(
        "example_practice_sectors",
        "Sectors in which a practice appears, with the organisations.",
        """
        MATCH (o:Organisation{own})-[kr5:USES_PRACTICE{own:kr5}]->(p:Practice{own} {id: $practice})
        MATCH (o{own})-[kr6:IN_SECTOR{own:kr6}]->(s:Sector{own})
        RETURN s.name AS sector, count(DISTINCT o) AS organisations
        ORDER BY organisations DESC, sector
        """, ("practice",), (("practice", "self-managing-teams"),), "Sectors in which a practice appears"),
    NamedQuery(
        "example_contested_claims",
        "Contested claims with each side's text and sources.",
        """
        MATCH (o:Organisation{own})-[kr7:HAS_CLAIM{own:kr7}]->(c:Claim{own} {status: 'contested'})
              -[kr8:HAS_VIEW{own:kr8}]->(v:View{own})
        RETURN o.name AS organisation, c.title AS claim, v.text AS view, v.sources AS sources, c.file AS file,
               v.line AS line
        ORDER BY organisation, file, line
        """, (), (), "Contested claims, both sides"),
    NamedQuery(
        "example_buurtzorg_adopters",
        "Organisations that adopted, were inspired by or partnered with Buurtzorg's model.",
        """
        MATCH (o:Organisation{own})-[r{own:r}]->(b:Organisation{own} {id: 'buurtzorg'})
        RETURN o.name AS organisation, {rel_type:r} AS relation, o.country AS country, o.status AS status,
               r.sources AS sources
        ORDER BY organisation, relation
        """, (), (), "Who adopted Buurtzorg's model"),
    NamedQuery(
        "example_framework_outcomes",
        "Outcomes and challenges of the organisations that used a framework (e.g. Holacracy).",
        """
        MATCH (o:Organisation{own})-[kr9:USES_FRAMEWORK{own:kr9}]->(f:Framework{own} {id: $framework})
        MATCH (o{own})-[r{own:r}]->(c{own})
        WHERE {rel_type:r} IN ['FACED', 'REPORTED']
        RETURN o.name AS organisation, {rel_type:r} AS type, c.name AS concept, r.status AS status,
               r.sources AS sources, r.line AS line
        ORDER BY organisation, type, concept, line
        """, ("framework",), (("framework", "holacracy"),), "What happened to a framework's adopters"),
    NamedQuery(
        "example_challenges_by_sector",
        "How often each challenge is reported in each sector.",
        """
        MATCH (o:Organisation{own})-[kr10:FACED{own:kr10}]->(c:Challenge{own})
        MATCH (o{own})-[kr11:IN_SECTOR{own:kr11}]->(s:Sector{own})
        RETURN s.name AS sector, c.name AS challenge, count(DISTINCT o) AS organisations
        ORDER BY sector, organisations DESC, challenge
        """, (), (), "Challenges by sector"),
    NamedQuery(
        "example_uncertain_claims",
        "Claims resting on one weak or self-reported source, per organisation.",
        """
        MATCH (o:Organisation{own})-[r{own:r}]->(c{own})
        WHERE r.status = 'uncertain' AND {rel_type:r} IN """ + _CLAIM + """
        RETURN o.name AS organisation, {rel_type:r} AS type, c.name AS concept, r.sources AS sources,
               r.line AS line
        ORDER BY organisation, line
        """, (), (), "Uncertain claims to check"),
    NamedQuery(
        "example_most_cited_sources",
        "Sources cited by the most practice, challenge and outcome claims.",
        """
        MATCH (o:Organisation{own})-[r{own:r}]->(c{own})
        WHERE {rel_type:r} IN """ + _CLAIM + """
        UNWIND r.sources AS source
        RETURN source, count(*) AS claims, count(DISTINCT o) AS organisations
        ORDER BY claims DESC, source
        LIMIT 25
        """, (), (), "Most-cited sources"),
    NamedQuery(
        "example_staff_over_time",
        "Staff figures per organisation and year, with sources (contested figures marked).",
        """
        MATCH (o:Organisation{own})-[kr12:HAS_FIGURE{own:kr12}]->(f:Figure{own} {measure: 'staff'})
        RETURN o.name AS organisation, f.year AS year, f.value AS staff, f.status AS status, f.sources AS sources
        ORDER BY organisation, year, staff
        """, (), (), "Staff numbers over time"),
    NamedQuery(
        "example_outcomes_of_practice",
        "Outcomes reported by organisations using a practice, with the evidence behind each.",
        """
        MATCH (o:Organisation{own})-[kr13:USES_PRACTICE{own:kr13}]->(p:Practice{own} {id: $practice})
        MATCH (o{own})-[r:REPORTED{own:r}]->(x:Outcome{own})
        RETURN x.name AS outcome, count(DISTINCT o) AS organisations,
               count(CASE WHEN r.status = 'contested' THEN 1 END) AS contested,
               count(CASE WHEN r.status = 'uncertain' THEN 1 END) AS uncertain
        ORDER BY organisations DESC, outcome
        """, ("practice",), (("practice", "self-managing-teams"),), "Outcomes reported with a practice"),
    NamedQuery(
        "example_framework_practices",
        "Frameworks and the practices they bundle, with how many organisations use each practice.",
        """
        MATCH (f:Framework{own})-[kr14:INCLUDES{own:kr14}]->(p:Practice{own})
        OPTIONAL MATCH (o:Organisation{own})-[kr15:USES_PRACTICE{own:kr15}]->(p{own})
        RETURN f.name AS framework, p.name AS practice, count(DISTINCT o) AS organisations
        ORDER BY framework, practice
        """, (), (), "Frameworks and their practices"),
    NamedQuery(
        "example_organisation_network",
        "Relations between organisations (partner of, adopted the model of, inspired by, part of).",
        """
        MATCH (a:Organisation{own})-[r{own:r}]->(b:Organisation{own})
        RETURN a.name AS organisation, {rel_type:r} AS relation, b.name AS other, r.status AS status,
               r.sources AS sources
        ORDER BY organisation, relation, other
        """, (), (), "The organisation network"),
]


def _export_queries() -> list[NamedQuery]:
    """One query per label and relationship type, generated from the graph schema, for exports."""
    queries = []
    for label, props in NODE_PROPERTIES.items():
        columns = ", ".join(f"n.{p} AS {p}" for p in props)
        queries.append(NamedQuery(f"export_nodes_{label}", f"Every {label} node with all its properties.",
                                  f"MATCH (n:{label}{{own}}) RETURN {columns} ORDER BY id"))
    rel_columns = ", ".join(f"r.{p} AS {p}" for p in REL_PROPERTIES)
    for rel_type in REL_ENDPOINTS:
        queries.append(NamedQuery(
            f"export_rels_{rel_type}", f"Every {rel_type} relationship with its evidence.",
            f"MATCH (a{{own}})-[r:{rel_type}{{own:r}}]->(b{{own}}) "
            f"RETURN {{node_label:a}} AS start_label, a.id AS from_id, "
            f"{{node_label:b}} AS to_label, b.id AS to_id, {rel_columns} "
            "ORDER BY start_label, from_id, to_label, to_id, line, detail"))
    return queries


RESEARCH_QUERIES.extend(_export_queries())
