"""schema.org JSON-LD for pages about an organisation, so that search engines and citation tools read them.

A case page describes itself as a ``WebPage`` about an ``Organization`` and cites the case's sources
(``citation``, each a ``CreativeWork`` with its author, publisher, date and address).  The
organisation is ``sameAs`` its Wikidata item when the case names one (``wikidata:`` in the front
matter).  Ids are the page's public address (``KB_PUBLIC_URL``, :mod:`webapp.metadata`), the same
as the RDF export's (:mod:`kb.export.rdf`) when both use the same base.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for

from kb.export.formats import CONTENT_LICENCE
from kb.export.rdf import WIKIDATA_ENTITY

from .metadata import SITE_NAME, public_url

__all__ = ["case_jsonld", "init_app"]


def _source(source: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "@id": public_url() + url_for("sources.source",
                                                                                      source_id=source["id"]),
                            "name": source.get("title") or source["id"]}
    if source.get("url"):
        work["url"] = source["url"]
    if source.get("author"):
        work["author"] = source["author"]
    if source.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    if source.get("publication"):
        work["isPartOf"] = source["publication"]
    if source.get("date"):
        work["datePublished"] = str(source["date"])
    if source.get("language"):
        work["inLanguage"] = source["language"]
    return work


def case_jsonld(case: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON-LD of a case page: the page, the organisation it is about, the sources it cites."""
    page = public_url() + url_for("cases.case", case_id=case["id"])
    organisation: dict[str, Any] = {"@type": "Organization", "@id": f"{page}#organisation", "name": case["name"],
                                    "description": case.get("summary") or ""}
    if case.get("aliases"):
        organisation["alternateName"] = list(case["aliases"])
    if case.get("website"):
        organisation["url"] = case["website"]
    if case.get("founded"):
        organisation["foundingDate"] = str(case["founded"])
    if case.get("country"):
        place = {"@type": "PostalAddress", "addressCountry": case["country"]}
        if case.get("city"):
            place["addressLocality"] = case["city"]
        organisation["address"] = place
    if case.get("wikidata"):
        organisation["sameAs"] = [WIKIDATA_ENTITY + case["wikidata"]]
    return {
        "@context": "https://schema.org",
        "@graph": [
            organisation,
            {"@type": "WebPage", "@id": page, "url": page, "name": case["name"], "about": {"@id": organisation["@id"]},
             "isPartOf": {"@type": "WebSite", "name": SITE_NAME, "url": public_url() + "/"},
             "license": CONTENT_LICENCE["licence_url"], "citation": [_source(source) for source in sources]},
        ],
    }


def init_app(app: Flask) -> None:
    app.add_template_global(case_jsonld)
