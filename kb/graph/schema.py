"""The graph's labels, properties and relationship types, declared once.

The embedded store derives its DDL from this module, the Neo4j store its
constraints, and ``docs/graph-model.md`` documents it.  Property types use
LadybugDB's names (STRING, INT64, DOUBLE, BOOLEAN, STRING[]).

Evidence (:mod:`kb.evidence`): every relationship and every Claim, Figure and View node carries
``scope`` (whom it is about), ``evidence`` (the grade id derived from its sources and marks),
``contested`` and ``about`` (the named group, where given).  Only claims whose scope is ``self``
become an organisation's USES_PRACTICE, USES_FRAMEWORK, FACED and REPORTED edges; a claim about
others or in general is a Claim node (``kind`` and ``concept`` say what it would have been) that the
organisation REPORTS_CLAIM, ABOUT its concept and CONCERNS the organisations it names.  Likewise a
figure about others hangs on REPORTS_FIGURE rather than HAS_FIGURE.
"""

from __future__ import annotations

from kb.kinds import CONCEPT_LABELS, concept_kind

__all__ = ["CONCEPT_LABELS", "NODE_PROPERTIES", "REL_ENDPOINTS", "REL_PROPERTIES", "label_for_kind"]

#: Whom a claim is about, how strong its evidence is, whether it is disputed (kb.evidence).
_EVIDENCE_PROPS = {"scope": "STRING", "evidence": "STRING", "contested": "BOOLEAN", "about": "STRING[]"}

_CONCEPT_PROPS = {
    "id": "STRING", "name": "STRING", "definition": "STRING", "aliases": "STRING[]",
    "broader": "STRING", "body": "STRING", "file": "STRING",
}

#: Node label -> property -> type.  ``id`` is the primary key of every label.
NODE_PROPERTIES: dict[str, dict[str, str]] = {
    "Organisation": {
        "id": "STRING", "name": "STRING", "kind": "STRING", "country": "STRING", "city": "STRING",
        "region": "STRING", "founded": "INT64", "adopted": "INT64", "model_status": "STRING",
        "model_status_year": "INT64", "legal_form": "STRING", "ownership": "STRING",
        "status": "STRING", "website": "STRING", "wikidata": "STRING", "summary": "STRING", "size_band": "STRING",
        "staff": "DOUBLE", "staff_year": "INT64", "aliases": "STRING[]", "sources": "STRING[]",
        "body": "STRING", "file": "STRING",
    },
    "Practice": dict(_CONCEPT_PROPS),
    "Challenge": dict(_CONCEPT_PROPS),
    "Outcome": dict(_CONCEPT_PROPS),
    "Framework": dict(_CONCEPT_PROPS),
    "Sector": {"id": "STRING", "name": "STRING"},
    "Country": {"id": "STRING", "name": "STRING"},
    "Source": {
        "id": "STRING", "title": "STRING", "url": "STRING", "publication": "STRING", "author": "STRING",
        "publisher": "STRING", "date": "STRING", "type": "STRING", "reliability": "STRING",
        "language": "STRING", "affiliation": "STRING[]",
    },
    "Figure": {
        "id": "STRING", "organisation": "STRING", "measure": "STRING", "concept": "STRING",
        "value": "DOUBLE", "value_max": "DOUBLE", "unit": "STRING", "description": "STRING", "year": "INT64",
        "sources": "STRING[]", "status": "STRING", "file": "STRING", "line": "INT64", **_EVIDENCE_PROPS,
    },
    "Claim": {
        "id": "STRING", "organisation": "STRING", "title": "STRING", "text": "STRING", "status": "STRING",
        "sources": "STRING[]", "file": "STRING", "line": "INT64",
        # What a claim bullet says: its kind (practice, framework, challenge, outcome; "" for a bullet of
        # Contested claims) and concept id, so a claim about others keeps what it would have been.
        "kind": "STRING", "concept": "STRING", **_EVIDENCE_PROPS,
    },
    "View": {"id": "STRING", "text": "STRING", "sources": "STRING[]", "file": "STRING", "line": "INT64",
             **_EVIDENCE_PROPS},
}

#: Every relationship carries the same evidence properties, so that provenance is uniform.
#: ``scope`` and ``evidence`` are empty only on the vocabulary's own structure (BROADER, INCLUDES and a
#: concept page's CITES), which says nothing about an organisation.
REL_PROPERTIES: dict[str, str] = {
    "detail": "STRING", "figure": "STRING", "year": "INT64", "sources": "STRING[]",
    "status": "STRING", "contested": "BOOLEAN", "file": "STRING", "line": "INT64",
    "scope": "STRING", "evidence": "STRING", "about": "STRING[]",
}

_ORG = "Organisation"
#: Relationship type -> the (from label, to label) pairs it may join.
REL_ENDPOINTS: dict[str, list[tuple[str, str]]] = {
    "USES_PRACTICE": [(_ORG, "Practice")],
    "USES_FRAMEWORK": [(_ORG, "Framework")],
    "FACED": [(_ORG, "Challenge")],
    "REPORTED": [(_ORG, "Outcome")],
    "IN_SECTOR": [(_ORG, "Sector")],
    "BASED_IN": [(_ORG, "Country")],
    "PARTNER_OF": [(_ORG, _ORG)],
    "ADOPTED_MODEL_OF": [(_ORG, _ORG)],
    "INSPIRED_BY": [(_ORG, _ORG)],
    "PART_OF": [(_ORG, _ORG)],
    "CITES": [(label, "Source") for label in (_ORG, *CONCEPT_LABELS)],
    "BROADER": [(label, label) for label in (*CONCEPT_LABELS, "Sector")],
    "INCLUDES": [("Framework", "Practice")],
    "HAS_FIGURE": [(_ORG, "Figure")],
    "HAS_CLAIM": [(_ORG, "Claim")],
    "HAS_VIEW": [("Claim", "View")],
    "ABOUT": [(label, concept) for label in ("Figure", "Claim") for concept in CONCEPT_LABELS],
    # Claims and figures about others (scope other than self): reported, never the organisation's own.
    "REPORTS_CLAIM": [(_ORG, "Claim")],
    "REPORTS_FIGURE": [(_ORG, "Figure")],
    "CONCERNS": [("Claim", _ORG), ("Figure", _ORG)],
}


def label_for_kind(kind: str) -> str:
    """The node label of a concept kind.

    >>> label_for_kind("practice")
    'Practice'
    """
    return concept_kind(kind).label
