"""The site's JSON API described in OpenAPI 3.1, served at ``/openapi.json``.

Every page has a JSON twin (the page's URL with ``.json``), and the console and the exports answer
CSV, GraphML and Cypher as well.  The document lists every such route of the app (built from its
URL map, so a new JSON route appears by itself, with the parameters below), what each takes and
what it answers.  Researchers can generate a client from it; ``tests/test_openapi.py`` fuzzes every
operation from it with Schemathesis and requires that none answers a server error.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from .bounds import MAX_DIGITS

__all__ = ["PARAMETERS", "bp", "document"]

bp = Blueprint("openapi", __name__)

_TEXT = {"type": "string"}
_IDS = {"type": "array", "items": _TEXT}
_PAGE = {"type": "string", "pattern": f"^[0-9]{{1,{MAX_DIGITS}}}$", "description": "a page number from 1"}
_SCOPE = {"name": "scope", "schema": {"type": "string", "enum": ["self", "all"]},
          "description": "claims about the organisation itself (self, the default) or all claims"}
_GRADE = {"name": "grade", "schema": _TEXT, "description": "the least evidence grade counted (see /evidence.json)"}

#: The query parameters of each JSON route (by the route's endpoint), with what they mean.  A route
#: with none is left out here.  Repeatable parameters are arrays (``?sector=a&sector=b``).
PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "cases.cases_json": [
        {"name": "page", "schema": _PAGE},
        {"name": "sort", "schema": {"type": "string", "enum": ["name", "founded", "size"]}},
        *({"name": facet, "schema": _IDS, "style": "form", "explode": True,
           "description": f"only cases with these {facet} values (the facets list them)"}
          for facet in ("sector", "country", "size", "kind", "framework", "practice", "challenge", "outcome")),
    ],
    "sources.sources_json": [
        {"name": "page", "schema": _PAGE},
        *({"name": name, "schema": _IDS, "style": "form", "explode": True, "description": f"filter by {name}"}
          for name in ("type", "reliability", "year", "organisation")),
    ],
    "lessons.lessons_json": [
        {"name": "page", "schema": _PAGE},
        *({"name": name, "schema": _IDS, "style": "form", "explode": True, "description": f"filter by {name}"}
          for name in ("sector", "country", "practice", "challenge")),
        {"name": "grade", "schema": _TEXT, "description": "the least evidence grade of a lesson's sources "
                                                          "(see /evidence.json)"}],
    "compare.compare_json": [
        {"name": "case", "schema": _TEXT, "description": "compare with this case (its id)"},
        *({"name": kind, "schema": _IDS, "style": "form", "explode": True,
           "description": f"a description: {kind} ids"} for kind in ("practice", "framework", "challenge", "sector")),
        {"name": "country", "schema": _TEXT}, {"name": "kind", "schema": _TEXT}, {"name": "size", "schema": _TEXT},
        {"name": "staff", "schema": _TEXT, "description": "number of staff (sets the size band)"},
        {"name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
    ],
    "report.report_json": [
        *({"name": kind, "schema": _IDS, "style": "form", "explode": True,
           "description": f"a description: {kind} ids"} for kind in ("practice", "framework", "challenge", "sector")),
        {"name": "country", "schema": _TEXT}, {"name": "kind", "schema": _TEXT}, {"name": "size", "schema": _TEXT},
        {"name": "staff", "schema": _TEXT, "description": "number of staff (sets the size band)"},
        {"name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
    ],
    "patterns.patterns_json": [_SCOPE, _GRADE],
    "research.analytics_json": [_SCOPE, _GRADE],
    "patterns.pattern_claims_json": [
        {"name": "practice", "schema": _TEXT, "description": "a practice id"},
        {"name": "challenge", "schema": _TEXT, "description": "a challenge id (or outcome)"},
        {"name": "outcome", "schema": _TEXT, "description": "an outcome id (or challenge)"},
        _SCOPE, _GRADE, {"name": "page", "schema": _PAGE},
    ],
    "search.search_json": [{"name": "q", "schema": _TEXT, "description": "a question or words (cut at 200 "
                                                                         "characters)"},
                           {"name": "grade", "schema": _TEXT, "description": "the least evidence grade of a "
                                                                             "passage's sources"}],
    "graph.graph_json": [
        {"name": "depth", "schema": {"type": "string", "enum": ["1", "2"]}},
        {"name": "show", "schema": _IDS, "style": "form", "explode": True, "description": "kinds of node to show"},
    ],
    "research.query_json": [
        {"name": "q", "schema": {"type": "string", "maxLength": 5000}, "description": "a read-only Cypher query"},
        {"name": "params", "schema": _TEXT, "description": "its parameters, a JSON object"},
        {"name": "example", "schema": _TEXT, "description": "the name of an example query instead"},
    ],
    "timeline.timeline_json": [
        {"name": "sector", "schema": _TEXT, "description": "a sector id (its narrower sectors count too)"},
        {"name": "country", "schema": _TEXT, "description": "an ISO 3166-1 country code"},
        {"name": "status", "schema": _TEXT, "description": "what became of self-management (model_status)"},
        {"name": "page", "schema": _PAGE},
    ],
    "concepts.practice_json": [{"name": "page", "schema": _PAGE}],
    "concepts.challenge_json": [{"name": "page", "schema": _PAGE}],
    "concepts.outcome_json": [{"name": "page", "schema": _PAGE}],
    "concepts.framework_json": [{"name": "page", "schema": _PAGE}],
}
PARAMETERS["research.query_csv"] = PARAMETERS["research.query_json"]
#: Routes that answer something other than JSON, by endpoint: their media type.
OTHER_MEDIA = {"research.query_csv": "text/csv", "research.export_csv": "text/csv",
               "research.export_graphml": "application/xml", "research.export_cypher": "text/plain",
               "research.export_json": "application/json"}
_ERRORS = {"400": "the request asks for something the site cannot do (the message says what)",
           "404": "no such page (did_you_mean lists the closest ids)", "414": "the address is too long",
           "429": "too many requests from this client: wait (Retry-After)",
           "503": "the graph store is not available (not loaded, or Neo4j down)"}
_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path_and_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for converter, name in _CONVERTER.findall(rule):
        schema: dict[str, Any] = {"type": "string"}
        if converter == "any":
            choices = re.search(rf"<any\(([^)]*)\):{name}>", rule)
            schema["enum"] = [c.strip() for c in choices.group(1).split(",")] if choices else []
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule), parameters


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app``'s JSON, CSV and export routes."""
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        media = OTHER_MEDIA.get(rule.endpoint) or ("application/json" if rule.rule.endswith(".json") else None)
        if media is None or rule.endpoint == "openapi.openapi":
            continue
        path, parameters = _path_and_parameters(rule.rule)
        for query in PARAMETERS.get(rule.endpoint, []):
            parameters.append({"in": "query", "required": False, **query})
        view = app.view_functions[rule.endpoint]
        summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        paths[path] = {"get": {
            "operationId": rule.endpoint, "summary": summary, "parameters": parameters,
            "responses": {"200": {"description": "the page's data", "content": {media: {"schema": {}}}},
                          **{code: {"description": text} for code, text in _ERRORS.items()}}}}
    return {"openapi": "3.1.0",
            "info": {"title": "Self-management case graph", "version": "1",
                     "description": "Every page of the site has a JSON twin: its URL with .json. The content is "
                                    "CC BY-SA 4.0; every claim carries its sources. Errors are JSON objects with "
                                    "ok: false, status, title and error (the message)."},
            "paths": paths}


@bp.route("/openapi.json")
def openapi():
    """This document."""
    return jsonify(document(current_app._get_current_object()))
