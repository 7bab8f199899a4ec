"""The graph's labels, properties and relationship types, declared once.

The embedded store derives its DDL from this module, the Neo4j store its
constraints, and ``docs/graph-model.md`` documents it.  Property types use
LadybugDB's names (STRING, INT64, DOUBLE, BOOLEAN, STRING[]).
"""

from __future__ import annotations

__all__ = ["CONCEPT_LABELS", "NODE_PROPERTIES", "REL_ENDPOINTS", "REL_PROPERTIES", "label_for_kind"]

_CONCEPT_PROPS = {
    "id": "STRING", "name": "STRING", "definition": "STRING", "aliases": "STRING[]",
    "broader": "STRING", "body": "STRING", "file": "STRING",
}

#: Node label -> property -> type.  ``id`` is the primary key of every label.
NODE_PROPERTIES: dict[str, dict[str, str]] = {
    "Organisation": {
        "id": "STRING", "name": "STRING", "kind": "STRING", "country": "STRING", "city": "STRING",
        "region": "STRING", "founded": "INT64", "legal_form": "STRING", "ownership": "STRING",
        "status": "STRING", "website": "STRING", "summary": "STRING", "size_band": "STRING",
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
    },
    "Figure": {
        "id": "STRING", "organisation": "STRING", "measure": "STRING", "concept": "STRING",
        "value": "DOUBLE", "value_max": "DOUBLE", "unit": "STRING", "description": "STRING", "year": "INT64",
        "sources": "STRING[]", "status": "STRING", "file": "STRING", "line": "INT64",
    },
    "Claim": {
        "id": "STRING", "organisation": "STRING", "title": "STRING", "text": "STRING", "status": "STRING",
        "sources": "STRING[]", "file": "STRING", "line": "INT64",
    },
    "View": {"id": "STRING", "text": "STRING", "sources": "STRING[]", "file": "STRING", "line": "INT64"},
}

CONCEPT_LABELS = ("Practice", "Challenge", "Outcome", "Framework")

#: Every relationship carries the same evidence properties, so that provenance is uniform.
REL_PROPERTIES: dict[str, str] = {
    "detail": "STRING", "figure": "STRING", "year": "INT64", "sources": "STRING[]",
    "status": "STRING", "contested": "BOOLEAN", "file": "STRING", "line": "INT64",
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
}


def label_for_kind(kind: str) -> str:
    """The node label of a concept kind.

    >>> label_for_kind("practice")
    'Practice'
    """
    return kind.capitalize()
