"""Contributor tools as a contributor and a reviewer meet them: new-case, diff, preview, the pull-request
workflow, its annotations script and the pre-commit hook."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli.main import main
from kb.contrib.newcase import case_id_for
from kb.load import load_content

from .conftest import FIXTURES, REPO, skip_or_fail
from .test_hostile import CASE, HOSTILE

CONTRIB = FIXTURES / "contrib"
ACTIONLINT_VERSION = "v1.7.12"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout


# --- new-case ------------------------------------------------------------------------------------

#: What a contributor writes over the placeholders of `new-case "Gamma Coöp" --country ES --kind cooperative
#: --sector retail`: each pair is (a line new-case writes, what replaces it).
FILLED = [
    ("founded: TODO", "founded: 1990"),
    ("status: TODO", "status: active"),
    ("summary: TODO", "summary: A fictional Spanish retail co-operative used by the test suite; members run each shop."),
    ("profile_sources: [TODO]", "profile_sources: [gamma-report]"),
    ("  - id: TODO-source", "  - id: gamma-report"),
    ("    title:", "    title: Gamma annual report"),
    ("    publisher:", "    publisher: Gamma"),
    ("    date: TODO", "    date: 2020-03"),
    ("    url: TODO", "    url: https://example.org/gamma"),
    ("    type: TODO", "    type: report"),
    ("    reliability: TODO", "    reliability: self-reported"),
    ("TODO: what the organisation does", "Gamma is fictional. [src: gamma-report]\n\nDELETE"),
    ("- [TODO](../concepts/practices/TODO): TODO [src: TODO]",
     "- [Self-managing teams](../concepts/practices/self-managing-teams.md): members run each shop as a team.\n"
     "  [src: gamma-report]"),
    ("- [TODO](../concepts/challenges/TODO): TODO [src: TODO]",
     "- [Staff attrition](../concepts/challenges/staff-attrition.md): some members left. [src: gamma-report]"),
    ("  - figure: **TODO** what the number counts (TODO) [src: TODO]",
     "  - figure: **5%** of members left (2019) [src: gamma-report]"),
    ("- [TODO](../concepts/outcomes/TODO): TODO [src: TODO]",
     "- [Staff well-being](../concepts/outcomes/staff-wellbeing.md) [uncertain]: members say they are happy.\n"
     "  [src: gamma-report]"),
    ("- **TODO**: TODO [src: TODO]", "- **1990**: Founded by twelve shopkeepers. [src: gamma-report]"),
]


def fill(text: str) -> str:
    """Replace every placeholder line as a contributor would, and delete the optional sections."""
    lines = text.split("\n")
    for old, new in FILLED:
        matches = [i for i, line in enumerate(lines) if line.split("  #")[0].rstrip() == old
                   or (old.endswith("does") and line.startswith(old))]
        assert len(matches) == 1, f"new-case no longer writes {old!r}"
        lines[matches[0]] = new
    text = "\n".join(lines)
    text = re.sub(r"\nDELETE\n", "\n", text)
    return re.sub(r"\n## (Contested claims|Lessons)\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n"


def new_gamma(root: Path) -> Path:
    code, out, err = run("new-case", "Gamma Coöp", "--root", str(root), "--country", "es", "--kind", "cooperative",
                         "--sector", "retail")
    assert code == 0, err
    assert out.startswith("wrote cases/gamma-coop.md\n")
    return root / "cases" / "gamma-coop.md"


def validate_json(root: Path, *paths: str) -> tuple[int, dict]:
    code, out, _ = run("validate", "--root", str(root), "--format", "json", *paths)
    return code, json.loads(out)


def test_new_case_writes_the_template_with_its_sections_and_an_id_from_the_name(mini_root: Path) -> None:
    path = new_gamma(mini_root)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["---", "# yaml-language-server: $schema=../kb/schemas/case.schema.json"]
    assert {"id: gamma-coop", "name: Gamma Coöp", "kind: cooperative", "country: ES",
            "sectors: [retail]"} <= set(lines)
    template = (REPO / "templates" / "case.md").read_text(encoding="utf-8")
    assert [line for line in lines if line.startswith("## ")] == re.findall(r"^## .*$", template, re.M)


def test_an_unfilled_new_case_fails_and_validate_points_at_every_placeholder(mini_root: Path) -> None:
    path = new_gamma(mini_root)
    code, report = validate_json(mini_root, str(path))
    assert code == 1
    flagged = {p["line"] for p in report["problems"] if p["severity"] == "error"}
    placeholders = {n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                    if "TODO" in line and not line.lstrip().startswith("#")}
    assert len(placeholders) > 20
    assert placeholders - flagged == set(), "placeholders the validator does not point at"


def test_a_filled_new_case_validates_and_loads(mini_root: Path) -> None:
    path = new_gamma(mini_root)
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    code, report = validate_json(mini_root, str(path))
    # Valid; only below the content bar (one practice where a case needs three), which validate says.
    assert (code, report["errors"]) == (0, 0), report["problems"]
    assert [p["code"] for p in report["problems"]] == ["thin-case"], report["problems"]
    gamma = load_content(mini_root).corpus.organisations["gamma-coop"]
    assert (gamma.name, gamma.country, gamma.founded) == ("Gamma Coöp", "ES", 1990)
    assert {c.concept for c in gamma.claims} == {"self-managing-teams", "staff-attrition", "staff-wellbeing"}


def test_new_case_refuses_to_overwrite(mini_root: Path) -> None:
    existing = mini_root / "cases" / "alpha-care.md"
    before = existing.read_text(encoding="utf-8")
    code, _, err = run("new-case", "Alpha Care", "--root", str(mini_root))
    assert code == 1
    assert "cases/alpha-care.md already exists" in err
    assert existing.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--country", "UK", "the United Kingdom is GB"),
    ("--country", "Spain", "not an ISO 3166-1 alpha-2 code"),
    ("--sector", "shoes", "unknown sector 'shoes'"),
    ("--kind", "startup", "'startup' is not one of"),
])
def test_new_case_rejects_bad_options(mini_root: Path, option: str, value: str, message: str) -> None:
    code, _, err = run("new-case", "Delta", "--root", str(mini_root), option, value)
    assert code == 2 and message in err
    assert not (mini_root / "cases" / "delta.md").exists()


def test_new_case_without_a_usable_id_asks_for_one(mini_root: Path) -> None:
    code, _, err = run("new-case", "!!!", "--root", str(mini_root))
    assert code == 1 and "give one with --id" in err
    code, out, _ = run("new-case", "!!!", "--id", "bang", "--root", str(mini_root))
    assert code == 0 and "cases/bang.md" in out


@pytest.mark.parametrize(("name", "expected"), [
    ("Buurtzorg Nederland", "buurtzorg-nederland"),
    ("Société Générale d'Équipement", "societe-generale-d-equipement"),
    ("Ærø Fælles", "aero-faelles"),
    ("W. L. Gore & Associates", "w-l-gore-associates"),
    ("Zappos.com", "zappos-com"),
    ("  spaced   out  ", "spaced-out"),
    ("Haier 海尔", "haier-hai-er"),
])
def test_case_ids_are_ascii_slugs_of_the_name(name: str, expected: str) -> None:
    assert case_id_for(name) == expected


# --- diff ----------------------------------------------------------------------------------------

@pytest.fixture
def change_repo(tmp_path: Path) -> Path:
    """A git repository of the mini content on main, then in the working tree: a case added (made by
    new-case and filled), one edited (closed, and its relation to the deleted case removed), one deleted."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base content")
    git(root, "checkout", "-q", "-b", "add-gamma")
    gamma = new_gamma(root)
    gamma.write_text(fill(gamma.read_text(encoding="utf-8")), encoding="utf-8")
    alpha = root / "cases" / "alpha-care.md"
    text = alpha.read_text(encoding="utf-8").replace("status: active", "status: closed")
    alpha.write_text(re.sub(r"relations:\n  - \{type: partner-of, target: beta-shoes.*\n", "relations: []\n", text),
                     encoding="utf-8")
    (root / "cases" / "beta-shoes.md").unlink()
    return root


EXPECTED_CHANGES = {
    ("added", "Organisation", "gamma-coop"),
    ("added", "Source", "gamma-report"),
    ("added", "BASED_IN", "gamma-coop -[BASED_IN]-> ES"),
    ("added", "IN_SECTOR", "gamma-coop -[IN_SECTOR]-> retail"),
    ("added", "CITES", "gamma-coop -[CITES]-> gamma-report"),
    ("added", "USES_PRACTICE", "gamma-coop -[USES_PRACTICE]-> self-managing-teams"),
    ("added", "FACED", "gamma-coop -[FACED]-> staff-attrition"),
    ("added", "REPORTED", "gamma-coop -[REPORTED]-> staff-wellbeing"),
    ("added", "Figure", "gamma-coop/figure/staff-attrition/2019"),
    ("added", "Claim", "gamma-coop/claim/staff-wellbeing"),
    ("added", "Country", "ES"),
    ("removed", "Organisation", "beta-shoes"),
    ("removed", "Source", "news-1"),
    ("removed", "BASED_IN", "beta-shoes -[BASED_IN]-> US"),
    ("removed", "IN_SECTOR", "beta-shoes -[IN_SECTOR]-> retail"),
    ("removed", "CITES", "beta-shoes -[CITES]-> news-1"),
    ("removed", "USES_FRAMEWORK", "beta-shoes -[USES_FRAMEWORK]-> holacracy"),
    ("removed", "FACED", "beta-shoes -[FACED]-> staff-attrition"),
    ("removed", "REPORTED", "beta-shoes -[REPORTED]-> staff-wellbeing"),
    ("removed", "Figure", "beta-shoes/figure/staff-attrition/2015"),
    ("removed", "Country", "US"),
    ("removed", "PARTNER_OF", "alpha-care -[PARTNER_OF]-> beta-shoes"),
    ("changed", "Organisation", "alpha-care"),
}


def test_diff_reports_exactly_the_added_edited_and_deleted_case(change_repo: Path) -> None:
    code, out, _ = run("diff", "--root", str(change_repo), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert {(c["change"], c["label"], c["key"]) for c in report["changes"]} == EXPECTED_CHANGES
    alpha = next(c for c in report["changes"] if c["key"] == "alpha-care" and c["label"] == "Organisation")
    assert alpha["properties"] == {"status": {"before": "active", "after": "closed"}}
    assert report["files"] == {"cases/alpha-care.md": "edited", "cases/beta-shoes.md": "removed",
                               "cases/gamma-coop.md": "added"}
    assert report["base"] == "merge base with main"
    assert report["base_commit"] == git(change_repo, "rev-parse", "main").strip()[:12]
    assert report["unsourced"] == [] and report["left_out"] == {"base": {}, "working": {}}


def test_diff_as_text(change_repo: Path) -> None:
    code, out, _ = run("diff", "--root", str(change_repo))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Graph change: working tree against merge base with main (")
    for expected in ["  added   cases/gamma-coop.md", "  edited  cases/alpha-care.md", "  removed cases/beta-shoes.md",
                     "Organisations: 1 added, 1 removed, 1 changed",
                     "  + gamma-coop: Gamma Coöp (cooperative, ES)",
                     "  - beta-shoes: Beta Shoes (company, US)",
                     "  ~ alpha-care: Alpha Care (nonprofit, NL)",
                     "      status: active -> closed",
                     "Sources: 1 added, 1 removed",
                     "Relationships: 6 added, 7 removed",
                     "  + gamma-coop -[USES_PRACTICE]-> self-managing-teams (Self-managing teams)",
                     "  - alpha-care -[PARTNER_OF]-> beta-shoes (Beta Shoes)",
                     "  + gamma-coop: 5% of members left (2019)",
                     "Claims left without a source: none"]:
        assert expected in lines


def test_diff_as_markdown_for_a_pull_request(change_repo: Path) -> None:
    code, out, _ = run("diff", "main", "--root", str(change_repo), "--format", "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "<!-- kb-graph-diff -->"
    commit = git(change_repo, "rev-parse", "main").strip()[:12]
    assert f"Compared with `main` (`{commit}`); 3 content file(s) changed." in lines
    for expected in ["| Organisations | 1 | 1 | 1 |", "| Sources | 1 | 1 | 0 |", "| Relationships | 6 | 7 | 0 |",
                     "| Figures | 1 | 1 | 0 |", "| Sectors and countries | 1 | 1 | 0 |",
                     "**Claims left without a source:** none.",
                     "- **added** `gamma-coop`: Gamma Coöp (cooperative, ES)",
                     "- **changed** `alpha-care`: Alpha Care (nonprofit, NL)",
                     "  - `status`: `active` → `closed`",
                     "- **removed** `alpha-care -[PARTNER_OF]-> beta-shoes` (Beta Shoes) — \\[src: report-b\\]",
                     "- **added** `gamma-coop -[USES_PRACTICE]-> self-managing-teams` (Self-managing teams) — members "
                     "run each shop as a team. \\[src: gamma-report\\]"]:
        assert expected in lines
    assert out.count("<details") == out.count("</details>") == 7


def test_diff_ignores_text_moving_within_a_file(change_repo: Path) -> None:
    git(change_repo, "checkout", "-q", "-f", "main")
    git(change_repo, "clean", "-q", "-fd")
    alpha = change_repo / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(
        "Alpha is fictional. [src: report-a]", "Alpha is fictional.\n\nIt has two more lines. [src: report-a]"),
        encoding="utf-8")
    _, out, _ = run("diff", "--root", str(change_repo), "--format", "json")
    report = json.loads(out)
    # Every figure, claim and view moved two lines down; only the organisation's text changed.
    assert [(c["change"], c["key"], list(c["properties"])) for c in report["changes"]] == [
        ("changed", "alpha-care", ["body"])]
    _, out, _ = run("diff", "--root", str(change_repo))
    assert "      body: text -> text with 3 line(s) added and 1 removed" in out.splitlines()


def test_diff_leaves_out_files_with_errors_and_lists_unsourced_claims(change_repo: Path) -> None:
    alpha = change_repo / "cases" / "alpha-care.md"
    bullet = "- [Staff well-being](../concepts/outcomes/staff-wellbeing.md): nobody said."
    text = alpha.read_text(encoding="utf-8").replace("## Outcomes\n", f"## Outcomes\n\n{bullet}\n")
    alpha.write_text(text, encoding="utf-8")
    line = text.split("\n").index(bullet) + 1
    code, out, _ = run("diff", "--root", str(change_repo), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["left_out"]["working"] == {"cases/alpha-care.md": 1}
    assert report["unsourced"] == [{"file": "cases/alpha-care.md", "line": line,
                                    "text": "outcomes bullet cites no source"}]
    # alpha-care is left out of both sides, so it is not reported as removed.
    assert not any("alpha-care" in c["key"] for c in report["changes"])
    code, out, _ = run("diff", "--root", str(change_repo))
    assert f"  cases/alpha-care.md:{line}: outcomes bullet cites no source" in out.splitlines()
    assert "  cases/alpha-care.md: 1 error(s)" in out.splitlines()


def test_diff_with_no_change_and_with_a_bad_revision(change_repo: Path) -> None:
    git(change_repo, "checkout", "-q", "-f", "main")
    git(change_repo, "clean", "-q", "-fd")
    code, out, _ = run("diff", "--root", str(change_repo))
    assert code == 0 and "No change to the graph." in out and "Files:" not in out
    code, _, err = run("diff", "no-such-branch", "--root", str(change_repo))
    assert code == 1 and "Error:" in err


def test_diff_of_content_in_a_sub_folder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    content = repo / "data"
    shutil.copytree(FIXTURES / "mini", content)
    (repo / "README.md").write_text("Not content.\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    beta = content / "cases" / "beta-shoes.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("status: acquired", "status: closed"), encoding="utf-8")
    (repo / "README.md").write_text("Still not content.\n", encoding="utf-8")
    code, out, _ = run("diff", "HEAD", "--root", str(content), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["files"] == {"cases/beta-shoes.md": "edited"}
    assert [(c["change"], c["key"], c["properties"]) for c in report["changes"]] == [
        ("changed", "beta-shoes", {"status": {"before": "acquired", "after": "closed"}})]


# --- preview -------------------------------------------------------------------------------------

def preview(tmp_path: Path, file: Path, root: Path = FIXTURES / "mini") -> tuple[str, str]:
    output = tmp_path / "preview.html"
    code, out, err = run("preview", str(file), "--root", str(root), "--output", str(output))
    assert code == 0, err
    return out, output.read_text(encoding="utf-8")


def marker_context(html: str, line: int) -> str:
    """The element that holds the marker of the problem at ``line`` (the text just before it)."""
    found = re.search(rf'<mark class="kb-problem \w+" id="problem-\d+">⚠ line {line}: ', html)
    assert found, f"no marker for line {line}"
    start = max(html.rfind(tag, 0, found.start()) for tag in ("<li", "<dd", "<h2", "<p"))
    return html[start:found.start()]


def test_preview_shows_the_errors_of_a_broken_file_inline_with_their_lines(tmp_path: Path) -> None:
    out, html = preview(tmp_path, CONTRIB / "broken-case.md")
    assert out.endswith("preview.html: 7 error(s), 0 warning(s) shown on the page\n")
    banner = re.search(r'<section class="kb-preview has-errors".*?</section>', html, re.S).group(0)
    for line, col, message in [(4, 7, "kind: &#39;charitee&#39; is not allowed"),
                               (14, 10, "sources[0].url: &#39;not-a-url&#39;"),
                               (24, 13, "unknown practice &#39;coachs&#39;"),
                               (25, 1, "practices bullet cites no source"),
                               (30, 1, "figure is not in the expected form"),
                               (34, 28, "unknown source &#39;report-y&#39;"),
                               (36, 1, "unknown section &#39;## Lesons&#39;")]:
        assert re.search(rf'line {line}, column {col}</a>: <strong>(error|warning)</strong>: {re.escape(message)}',
                         banner), message
    # Each marker sits next to the item it is about.
    assert marker_context(html, 4).startswith("<dd>charitee")
    assert marker_context(html, 14).startswith('<li id="source-report-x">')
    assert marker_context(html, 24).startswith('<li id="line-24">')
    assert marker_context(html, 25).startswith('<li id="line-25">')
    assert marker_context(html, 30).startswith('<li id="line-29">')  # the claim the figure belongs to
    assert marker_context(html, 34).startswith('<li id="timeline-2010"><strong>2010</strong>: Founded.')
    assert marker_context(html, 36).startswith('<h2 id="section-lesons">Lesons')
    # What can be shown is shown: the resolved claims, the prose, the source, the site's own CSS.
    assert "<strong>Self-managing teams</strong>" in html and "Broken Case is fictional." in html
    assert "A report about the broken case" in html and "<style>" in html and 'href="/static/' not in html
    # The site's style sheet and script (named by fingerprinted URLs) are in the file itself.
    assert "dl.summary-card" in html and 'addEventListener("DOMContentLoaded"' in html and "/static/" not in html


def test_preview_of_a_valid_case_is_the_site_page(tmp_path: Path, client) -> None:
    def article(page: str) -> str:
        return re.sub(r"\s+", " ", re.search(r"<article.*?</article>", page, re.S).group(0))

    out, html = preview(tmp_path, FIXTURES / "mini" / "cases" / "alpha-care.md")
    assert "0 error(s), 0 warning(s)" in out
    assert 'class="kb-preview clean"' in html and "no problems" in html
    site = client.get("/cases/alpha-care").get_data(as_text=True)
    assert article(html) == article(site), "preview no longer matches the site's case page: update kb/preview.py"


def test_preview_of_a_new_case_file_anywhere(tmp_path: Path, mini_root: Path) -> None:
    draft = tmp_path / "draft.md"
    shutil.move(new_gamma(mini_root), draft)
    out, html = preview(tmp_path, draft, mini_root)
    assert "error(s)" in out and "<h1>Gamma Coöp</h1>" in html
    assert marker_context(html, 12).startswith("<dd>organisation TODO")  # status: TODO, in the summary card


@pytest.mark.parametrize(("name", "content"), [(name, content) for name, path, content, _ in HOSTILE if path == CASE])
def test_preview_of_hostile_input_lists_its_problems_and_lets_no_markup_through(tmp_path: Path, name: str,
                                                                                 content: str | bytes) -> None:
    draft = tmp_path / "alpha-care.md"
    draft.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    out, html = preview(tmp_path, draft)
    errors, warnings = map(int, re.search(r"(\d+) error\(s\), (\d+) warning\(s\)", out).groups())
    banner = re.search(r'<section class="kb-preview.*?</section>', html, re.S).group(0)
    assert banner.count('<li class="error">') == errors and banner.count('<li class="warning">') == warnings
    assert not re.search(r"<script>alert|<img\b|<[a-z][^>]*\son\w+=|<a [^>]*href=\"\s*(javascript|data):", html), name


def test_preview_refuses_concept_pages() -> None:
    code, _, err = run("preview", str(FIXTURES / "mini" / "concepts" / "practices" / "self-managing-teams.md"),
                       "--root", str(FIXTURES / "mini"))
    assert code == 1 and "preview shows case files" in err


# --- CONTRIBUTING.md's worked example -------------------------------------------------------------

CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


def guide_block(after: str, fence: str) -> str:
    """The first fenced block of kind ``fence`` after the heading ``after`` in CONTRIBUTING.md."""
    rest = CONTRIBUTING[CONTRIBUTING.index(after):]
    return re.search(rf"```{fence}\n(.*?)\n```", rest, re.S).group(1)


@pytest.fixture
def repo_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder in ("cases", "concepts", "vocabulary"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def test_the_guide_shows_what_new_case_and_validate_print_today(repo_content: Path) -> None:
    shown = guide_block("### 2. See what is left to write", "console").splitlines()
    assert shown[0] == "$ python graph_loader.py validate cases/precision-nutrition.md"
    (repo_content / "cases" / "precision-nutrition.md").unlink(missing_ok=True)
    code, out, _ = run("new-case", "Precision Nutrition", "--country", "CA", "--kind", "company", "--sector",
                       "consulting", "--root", str(repo_content))
    assert code == 0
    assert guide_block("### 1. Make the file", "console").splitlines()[1:] == out.splitlines()
    code, out, err = run("validate", "--root", str(repo_content), str(repo_content / "cases" / "precision-nutrition.md"))
    assert shown[1:] == out.splitlines() + err.splitlines(), "update step 2 of CONTRIBUTING.md"


def test_the_guide_s_finished_case_passes_validation_and_the_content_bar(repo_content: Path) -> None:
    case = repo_content / "cases" / "precision-nutrition.md"
    case.write_text(guide_block("### 3. Write it", "markdown") + "\n", encoding="utf-8")
    result = load_content(repo_content)
    assert [str(p) for p in result.problems] == []
    kinds = [claim.kind for claim in result.corpus.organisations["precision-nutrition"].claims]
    assert kinds.count("practice") + kinds.count("framework") >= 3
    assert "challenge" in kinds and "outcome" in kinds


# --- pull-request checks -------------------------------------------------------------------------

WORKFLOW = REPO / ".github" / "workflows" / "pr.yml"
ANNOTATIONS = REPO / ".github" / "scripts" / "annotations.py"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def step_runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_workflow_is_valid_yaml_with_the_expected_jobs_and_steps() -> None:
    flow = workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    assert set(flow["jobs"]) == {"validate", "test", "graph-diff"}
    validate, test, graph_diff = (flow["jobs"][name] for name in ("validate", "test", "graph-diff"))
    assert "python graph_loader.py validate --strict --format json > validate.json" in step_runs(validate)
    assert 'python .github/scripts/annotations.py validate.json --base "origin/$BASE_REF"' in step_runs(validate)
    assert "scripts/test" in step_runs(test) and test["env"]["CI"] == "true"
    assert 'python graph_loader.py diff "origin/$BASE_REF" --format markdown > graph-diff.md' in step_runs(graph_diff)
    comment = next(step for step in graph_diff["steps"] if "github-script" in step.get("uses", ""))
    assert "createComment" in comment["with"]["script"] and "<!-- kb-graph-diff -->" in comment["with"]["script"]
    assert graph_diff["permissions"]["pull-requests"] == "write" and flow["permissions"] == {"contents": "read"}
    for job in (validate, graph_diff):
        setup = next(step for step in job["steps"] if "setup-python" in step.get("uses", ""))
        assert setup["with"]["cache"] == "pip"
        checkout = next(step for step in job["steps"] if "checkout" in step.get("uses", ""))
        assert checkout["with"]["fetch-depth"] == 0  # the base branch is needed
    assert any("actions/cache" in step.get("uses", "") and "~/.cache/pip" in step["with"]["path"]
               for step in test["steps"])
    assert ANNOTATIONS.is_file() and (REPO / "scripts" / "test").is_file()


@pytest.fixture(scope="session")
def actionlint() -> str:
    """actionlint from PATH, or built once from the Go module proxy into tests/artifacts."""
    found = shutil.which("actionlint")
    built = REPO / "tests" / "artifacts" / "bin" / "actionlint"
    if found or built.is_file():
        return found or str(built)
    go = shutil.which("go")
    if go is None:
        skip_or_fail("actionlint is not installed and Go is not available to build it")
    done = subprocess.run([go, "install", f"github.com/rhysd/actionlint/cmd/actionlint@{ACTIONLINT_VERSION}"],
                          env={**os.environ, "GOBIN": str(built.parent)}, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        skip_or_fail(f"could not build actionlint: {done.stderr.strip()[-300:]}")
    return str(built)


def test_workflow_passes_actionlint(actionlint: str) -> None:
    done = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def test_annotations_mark_errors_on_the_changed_lines(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    beta = root / "cases" / "beta-shoes.md"  # a warning already on main: a declared source nobody cites
    beta.write_text(beta.read_text(encoding="utf-8").replace(
        "sources:\n", "sources:\n  - {id: unused, title: Never cited, url: 'https://example.org/u'}\n"),
        encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    alpha = root / "cases" / "alpha-care.md"  # this change: a wrong kind, and a concept page deleted
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("kind: nonprofit", "kind: charitee"),
                     encoding="utf-8")
    (root / "concepts" / "outcomes" / "staff-wellbeing.md").unlink()
    _, report = validate_json(root)
    (root / "validate.json").write_text(json.dumps(report), encoding="utf-8")
    done = subprocess.run([sys.executable, str(ANNOTATIONS), "validate.json", "--base", "main"], cwd=root,
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert ("::error file=cases/alpha-care.md,line=5,col=7,title=validate::kind: 'charitee' is not allowed "
            "(did you mean 'charity'?)") in lines
    untouched = "title=validate (on a line this change did not touch)::unknown outcome 'staff-wellbeing'"
    assert sum(untouched in line for line in lines) == 2  # alpha-care and beta-shoes link to the deleted page
    assert not any("never cited" in line for line in lines)
    # Held back: the uncited source, and the content bar's warnings (thin cases, unused concepts) on main.
    assert re.search(r"; \d+ warning\(s\) on lines this change did not touch are not shown$", done.stderr.strip())


def test_annotations_escape_what_github_would_misread() -> None:
    report = {"problems": [{"path": "cases/a,b.md", "line": 3, "col": 1, "severity": "warning",
                            "message": "100% wrong\nsecond line", "hint": ""}]}
    done = subprocess.run([sys.executable, str(ANNOTATIONS), "-"], input=json.dumps(report), capture_output=True,
                          text=True, check=True)
    assert done.stdout == "::warning file=cases/a%2Cb.md,line=3,col=1,title=validate::100%25 wrong%0Asecond line\n"


def test_pre_commit_hook_validates_the_changed_content_files(mini_root: Path) -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ["cases/zappos.md", "concepts/practices/advice-process.md"])
    assert not any(pattern.search(p) for p in ["README.md", "templates/case.md", "docs/case-format.md",
                                               "tests/fixtures/mini/cases/alpha-care.md"])
    command = [str(REPO / word) if word.startswith("scripts/") else word for word in shlex.split(hook["entry"])]
    env = {**os.environ, "KB_ROOT": str(mini_root)}
    # A clean file passes; the hook applies --strict, so the fixture's cases (which carry warnings) would not.
    ok = subprocess.run([*command, "concepts/challenges/staff-attrition.md"], cwd=mini_root, env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    warned = subprocess.run([*command, "cases/beta-shoes.md"], cwd=mini_root, env=env, capture_output=True, text=True)
    assert warned.returncode == 1 and "0 error(s), 2 warning(s)" in warned.stdout + warned.stderr
    alpha = mini_root / "cases" / "alpha-care.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("kind: nonprofit", "kind: charitee"), encoding="utf-8")
    broken = subprocess.run([*command, "cases/alpha-care.md"], cwd=mini_root, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "cases/alpha-care.md:5:7: error: kind: 'charitee' is not allowed (did you mean 'charity'?)" in broken.stdout


def test_diff_shows_the_lines_graph_rows_do_not_and_those_not_read(change_repo: Path) -> None:
    """Issue 27, item 7: timeline, prose and front matter edits, removed lines and lines not read."""
    git(change_repo, "checkout", "-q", "-f", "main")
    git(change_repo, "clean", "-q", "-fd")
    alpha = change_repo / "cases" / "alpha-care.md"
    text = alpha.read_text(encoding="utf-8")
    text = text.replace("founded: 2006", "founded: 2005").replace("- **2006**: Founded. [src: report-a]",
                                                                  "- **2005**: Founded. [src: report-a]")
    text = text.replace("Alpha is fictional. [src: report-a]", "Alpha is made up. [src: report-a]")
    text = text.replace("- [Coaches](../concepts/", "  - [Coaches](../concepts/")
    alpha.write_text(text, encoding="utf-8")
    code, out, _ = run("diff", "--root", str(change_repo), "--format", "json")
    assert code == 0
    lines = [(c["sign"], c["line"], c["where"], c["text"], c["note"]) for c in json.loads(out)["lines"]]
    indented = "  - [Coaches](../concepts/practices/coaches-not-managers.md): coaches help on request. [src: report-b]"
    # The file has an error now, so it is left out of the graph and every changed line is listed.
    assert lines == [
        ("-", 9, "front matter: founded", "founded: 2006", ""),
        ("+", 9, "front matter: founded", "founded: 2005", ""),
        ("-", 31, "Context: prose", "Alpha is fictional. [src: report-a]", ""),
        ("+", 31, "Context: prose", "Alpha is made up. [src: report-a]", ""),
        ("-", 38, "Practices: claim", indented[2:], ""),
        ("+", 38, "Practices: not read", indented,
         "this claim is indented under the bullet above, so it is read as a sub-bullet and lost"),
        ("-", 53, "Timeline: timeline entry", "- **2006**: Founded. [src: report-a]", ""),
        ("+", 53, "Timeline: timeline entry", "- **2005**: Founded. [src: report-a]", "")]
    code, out, _ = run("diff", "--root", str(change_repo), "--format", "markdown")
    assert "**Lines not read: 1** (fix them: the graph leaves them out)" in out.splitlines()
    assert ("- `cases/alpha-care.md:38` this claim is indented under the bullet above, so it is read as a "
            f"sub-bullet and lost: `{indented.strip()}`") in out.splitlines()
    alpha.write_text(text.replace(indented, indented[2:]), encoding="utf-8")  # fixed: back in the graph
    _, out, _ = run("diff", "--root", str(change_repo), "--format", "json")
    assert [c["where"] for c in json.loads(out)["lines"]] == [
        "front matter: founded", "front matter: founded", "Context: prose", "Context: prose",
        "Timeline: timeline entry", "Timeline: timeline entry"]
