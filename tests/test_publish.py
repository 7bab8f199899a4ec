"""Citable data releases: the Frictionless Data Package, the RDF export, JSON-LD on case pages, CITATION.cff."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import frictionless
import pytest
import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kb.export.datapackage import COLUMN_MEANINGS, table_schemas
from webapp import create_app

from . import test_contrib
from .conftest import REPO, TEST_LIMITS, load_into

BASE = "https://kb.example.org/"
SDO = Namespace("https://schema.org/")


@pytest.fixture
def content(mini_root: Path) -> Path:
    """The fixture content in a git repository of its own; the fictional Alpha Care gets a made-up Wikidata id."""
    case = mini_root / "cases" / "alpha-care.md"
    case.write_text(case.read_text(encoding="utf-8").replace("status: active\n", "status: active\nwikidata: Q123456789\n"),
                    encoding="utf-8")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
                                                   "-qm", "content"]):
        subprocess.run(["git", "-C", str(mini_root), *command], check=True)
    return mini_root


def export(content: Path, fmt: str, output: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "graph_loader.py", "export", "--format", fmt, "--output", str(output),
                           "--root", str(content), *extra], cwd=REPO, capture_output=True, text=True, check=True)


def test_the_data_package_validates_and_says_what_it_is(content: Path, tmp_path: Path) -> None:
    package = tmp_path / "release"
    export(content, "datapackage", package, "--base-uri", BASE)
    report = frictionless.validate(package / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == ["nodes", "relationships", "graph-graphml", "graph-json",
                                                            "graph-rdf", "licence"]
    assert descriptor["licenses"][0]["name"] == "CC-BY-SA-4.0"
    commit = subprocess.run(["git", "-C", str(content), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert descriptor["kb"]["revision"]["commit"] == commit and descriptor["kb"]["revision"]["modified"] is False
    assert descriptor["version"] == commit[:12]
    assert descriptor["kb"]["counts"]["nodes"] == {
        "Challenge": 1, "Claim": 3, "Country": 2, "Figure": 4, "Framework": 1, "Organisation": 2, "Outcome": 1,
        "Practice": 3, "Sector": 22, "Source": 3, "View": 4}
    assert descriptor["kb"]["counts"]["relationships"]["USES_PRACTICE"] == 2
    with (package / "data" / "nodes.csv").open(encoding="utf-8") as handle:
        alpha = next(row for row in csv.DictReader(handle) if row["key"] == "Organisation:alpha-care")
    assert alpha["name"] == "Alpha Care" and alpha["wikidata"] == "Q123456789" and alpha["founded"] == "2006"
    for resource in descriptor["resources"]:
        assert (package / resource["path"]).stat().st_size == resource["bytes"]
    assert "CC BY-SA 4.0" in (package / "LICENSE.txt").read_text(encoding="utf-8")


def test_the_real_content_makes_a_valid_data_package(tmp_path: Path) -> None:
    package = tmp_path / "release"
    export(REPO, "datapackage", package)
    report = frictionless.validate(package / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    counts = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["kb"]["counts"]["nodes"]
    assert counts["Organisation"] == len(list((REPO / "cases").rglob("*.md")))


def test_every_column_has_a_type_and_a_meaning() -> None:
    for name, schema in table_schemas().items():
        for field in schema["fields"]:
            assert field["type"] in ("string", "integer", "number", "boolean"), (name, field)
            assert field["name"] in COLUMN_MEANINGS, f"{name}.csv: say what {field['name']} means in COLUMN_MEANINGS"
    nodes = {field["name"]: field for field in table_schemas()["nodes"]["fields"]}
    assert nodes["founded"]["type"] == "integer" and nodes["contested"]["type"] == "boolean"
    assert nodes["staff"]["type"] == "number" and "Organisation" in nodes["staff"]["description"]


def test_the_validation_catches_a_relationship_to_a_missing_node(content: Path, tmp_path: Path) -> None:
    """A check that cannot fail proves nothing: break the package (keeping its hashes right) and see it fail."""
    package = tmp_path / "release"
    export(content, "datapackage", package)
    relationships = package / "data" / "relationships.csv"
    text = relationships.read_text(encoding="utf-8").replace("Practice:self-managing-teams", "Practice:nowhere", 1)
    relationships.write_text(text, encoding="utf-8")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    entry = descriptor["resources"][1]
    entry["bytes"] = relationships.stat().st_size
    entry["hash"] = "sha256:" + hashlib.sha256(relationships.read_bytes()).hexdigest()
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(package / "datapackage.json")
    assert not report.valid
    assert [error[2] for error in report.flatten(["rowNumber", "fieldName", "type"])] == ["foreign-key"]


def test_the_rdf_export_has_stable_uris_and_links_organisations_to_wikidata(content: Path, tmp_path: Path) -> None:
    export(content, "turtle", tmp_path / "graph.ttl", "--base-uri", BASE)
    graph = Graph().parse(tmp_path / "graph.ttl", format="turtle")
    alpha = URIRef(BASE + "cases/alpha-care")
    assert (alpha, RDF.type, SDO.Organization) in graph
    assert (alpha, SDO.name, Literal("Alpha Care")) in graph
    assert (alpha, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q123456789")) in graph
    assert not list(graph.objects(URIRef(BASE + "cases/beta-shoes"), OWL.sameAs))  # no id, no link
    teams = URIRef(BASE + "practices/self-managing-teams")
    assert (teams, SKOS.prefLabel, Literal("Self-managing teams")) in graph
    uses = URIRef(BASE + "vocab#usesPractice")
    assert (alpha, uses, teams) in graph
    # The relationship's provenance: which source says so, and how strong that evidence is.
    statement = next(s for s in graph.subjects(RDF.object, teams)
                     if (s, RDF.subject, alpha) in graph and (s, RDF.predicate, uses) in graph)
    assert (statement, URIRef(BASE + "vocab#source"), URIRef(BASE + "sources/report-a")) in graph
    assert (statement, URIRef(BASE + "vocab#evidence"), Literal("impression")) in graph
    # Stable: a line added above a claim moves nothing to another URI.
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    case = content / "cases" / "alpha-care.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("## Practices\n", "## Practices\n\nAn added sentence.\n", 1), encoding="utf-8")
    export(content, "turtle", tmp_path / "again.ttl", "--base-uri", BASE)
    again = Graph().parse(tmp_path / "again.ttl", format="turtle")
    assert {s for s in again.subjects() if isinstance(s, URIRef)} == subjects


def jsonld(page: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_case_pages_carry_schema_org_json_ld_with_their_sources(content: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    load_into(content, store)
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(store), "KB_PUBLIC_URL": "https://kb.example.org",
                      **TEST_LIMITS})
    client = app.test_client()
    data = jsonld(client.get("/cases/alpha-care").text)
    assert data["@context"] == "https://schema.org"
    organisation, page = data["@graph"]
    assert organisation == {"@type": "Organization", "@id": "https://kb.example.org/cases/alpha-care#organisation",
                            "name": "Alpha Care", "foundingDate": "2006",
                            "description": "A fictional home-care provider used by the test suite; nurses work in "
                                           "small self-managing teams.",
                            "address": {"@type": "PostalAddress", "addressCountry": "NL", "addressLocality": "Almelo"},
                            "sameAs": ["http://www.wikidata.org/entity/Q123456789"]}
    assert page["@type"] == "WebPage" and page["about"] == {"@id": organisation["@id"]}
    assert page["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert [(c["@id"], c["name"]) for c in page["citation"]] == [
        ("https://kb.example.org/sources/report-a", "A report about Alpha"),
        ("https://kb.example.org/sources/report-b", "A second report")]
    assert "sameAs" not in jsonld(client.get("/cases/beta-shoes").text)["@graph"][0]
    assert "application/ld+json" not in client.get("/practices/self-managing-teams").text


def test_citation_cff_names_the_project_and_its_licences() -> None:
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["license"] == ["CC-BY-SA-4.0", "MIT"]
    assert citation["title"] == "Self-management case graph"


@pytest.fixture(scope="session")
def actionlint() -> str:
    return test_contrib.actionlint.__wrapped__()


@pytest.mark.parametrize("name", ["release.yml", "pages.yml"])
def test_the_publishing_workflows_pass_actionlint(actionlint: str, name: str) -> None:
    workflow = REPO / ".github" / "workflows" / name
    done = subprocess.run([actionlint, str(workflow)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
