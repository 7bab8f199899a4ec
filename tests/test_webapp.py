"""The site: every page and its JSON twin, errors, and what a reader sees on a case page."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.settings import SettingsError, from_environment


@pytest.mark.parametrize("path", ["/", "/cases", "/cases/alpha-care"])
def test_page_and_its_json_twin(client, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 200 and html.mimetype == "text/html"
    twin = "/index.json" if path == "/" else f"{path}.json"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in html.text
    data = client.get(twin)
    assert data.status_code == 200 and data.json["ok"] is True


def test_home_lists_counts_and_cases(client) -> None:
    page = client.get("/").text
    assert "<strong>2</strong> organisations" in page
    assert 'href="/cases/alpha-care"' in page and 'href="/cases/beta-shoes"' in page
    assert "See all" not in page


def test_home_shows_the_first_cases_and_leads_to_the_rest(client, monkeypatch) -> None:
    from webapp.views import browse

    monkeypatch.setattr(browse, "HOME_CARDS", 1)
    page = client.get("/").text
    assert 'href="/cases/alpha-care"' in page and 'href="/cases/beta-shoes"' not in page
    assert '<a href="/cases">See all 2 cases</a>' in page
    assert [c["id"] for c in client.get("/index.json").json["cases"]] == ["alpha-care"]


def test_case_page_shows_evidence_and_marks(client) -> None:
    page = client.get("/cases/alpha-care").text
    assert "<h1>Alpha Care</h1>" in page
    assert 'class="badge contested"' in page and 'class="badge uncertain"' in page
    assert "30% of staff left at adopting organisations (2016)" in page
    assert 'id="source-report-a"' in page and 'href="https://example.org/a"' in page
    assert "View: fewer left" in page
    assert 'href="/cases/beta-shoes"' in page  # related organisation


def test_case_json_has_claims_with_provenance(client) -> None:
    data = client.get("/cases/alpha-care.json").json
    assert data["case"]["id"] == "alpha-care"
    claim = next(c for c in data["claims"] if c["concept"] == "self-managing-teams")
    assert claim["sources"] == ["report-a"] and claim["file"] == "cases/alpha-care.md" and claim["line"] == 35


def test_unknown_case_is_a_404_in_both_forms(client) -> None:
    page = client.get("/cases/nope")
    assert page.status_code == 404 and "No case with id" in page.text
    data = client.get("/cases/nope.json")
    assert data.status_code == 404
    assert data.json == {"ok": False, "status": 404, "title": "Not Found", "error": "No case with id 'nope'.",
                         "did_you_mean": []}  # no case id is like "nope"


def test_missing_store_is_a_503_with_advice(tmp_path) -> None:
    client = create_app({"TESTING": True, "KB_STORE_PATH": str(tmp_path / "none")}).test_client()
    response = client.get("/cases.json")
    assert response.status_code == 503 and "graph_loader.py load" in response.json["error"]


def test_script_in_a_case_is_not_rendered(mini_root, tmp_path) -> None:
    from .conftest import load_into

    case = mini_root / "cases" / "alpha-care.md"
    case.write_text(case.read_text().replace("Alpha is fictional.",
                                             "Alpha <script>alert(1)</script> [x](javascript:alert(2))."))
    store = tmp_path / "xss-store"
    load_into(mini_root, store)
    page = create_app({"TESTING": True, "KB_STORE_PATH": str(store)}).test_client().get("/cases/alpha-care").text
    assert "<script>alert(1)" not in page and "href=\"javascript:" not in page
    assert "&lt;script&gt;" in page


def test_settings_reject_bad_values() -> None:
    assert from_environment({})["KB_STORE"] == "ladybug"
    with pytest.raises(SettingsError, match="KB_STORE='mongo'"):
        from_environment({"KB_STORE": "mongo"})
    with pytest.raises(SettingsError, match="whole number"):
        from_environment({"KB_PAGE_SIZE": "many"})


def test_real_content_pages(real_client) -> None:
    ids = [row["id"] for row in real_client.get("/index.json").json["cases"]]
    assert len(ids) >= 20
    for case_id in ids:
        assert real_client.get(f"/cases/{case_id}").status_code == 200, case_id


def test_case_page_lists_comparable_cases_with_reasons(real_client) -> None:
    data = real_client.get("/cases/buurtzorg.json").json
    first = data["comparable"][0]
    assert first["id"] != "buurtzorg" and first["score"] > 0 and first["why"]
    page = real_client.get("/cases/buurtzorg").text
    assert "Comparable cases" in page and f'href="/cases/{first["id"]}"' in page
    assert 'href="/compare?case=buurtzorg"' in page
