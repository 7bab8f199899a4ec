"""The JSON API's OpenAPI document, and every operation in it fuzzed with Schemathesis: no server error.

Schemathesis generates requests from the document (valid ones, and with ``negative`` data invalid
ones: wrong types, odd characters, missing or extra parameters) and sends them to the app through
WSGI.  The counts are bounded so that the whole run takes well under a minute on the fixture.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from webapp import create_app

from .conftest import FIXTURES, REPO, TEST_LIMITS, close_app, load_into

#: Examples per operation and mode (30 operations).
EXAMPLES = 8
# The app is made when the module is collected (Schemathesis reads its document then); the store it
# reads is loaded only when the tests run (create_app opens no store).
_FOLDER = Path(tempfile.mkdtemp(prefix="kb-openapi-"))
APP = create_app({"TESTING": True, "KB_STORE_PATH": str(_FOLDER / "store"), **TEST_LIMITS,
                  "KB_PAGE_RATE_LIMIT": "1000000 per minute"})
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def loaded_store():
    load_into(FIXTURES / "mini", _FOLDER / "store")
    yield
    close_app(APP)
    shutil.rmtree(_FOLDER, ignore_errors=True)


def test_the_document_describes_every_json_route_and_is_linked_from_the_docs() -> None:
    document = APP.test_client().get("/openapi.json").json
    assert document["openapi"] == "3.1.0"
    json_rules = {rule.rule for rule in APP.url_map.iter_rules() if rule.rule.endswith(".json")} - {"/openapi.json"}
    described = set(document["paths"])
    assert len(json_rules) == 27 and len(described) == 31  # every JSON twin, and the CSV and export routes
    assert "/cases/{case_id}.json" in described and "/query.csv" in described and "/export/{part}.csv" in described
    page = document["paths"]["/sources.json"]["get"]["parameters"]
    assert {"name": "page", "in": "query", "required": False}.items() <= page[0].items()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "/openapi.json" in readme


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
