"""Issue 17: each common contributor mistake gets a located error (or warning) with its fix.

One test per mistake, each through the validator as a contributor runs it (``validate``, text or
JSON), never by asserting on the content directly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main

from .conftest import FIXTURES, REPO

CASE = "cases/alpha-care.md"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def validate(root: Path, *paths: str) -> tuple[int, list[dict]]:
    code, out, _ = run("validate", "--root", str(root), "--format", "json", *(str(root / p) for p in paths))
    return code, json.loads(out)["problems"]


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def only(problems: list[dict], code: str) -> dict:
    found = [p for p in problems if p["code"] == code]
    assert len(found) == 1, problems
    return found[0]


@pytest.fixture
def repo_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder in ("cases", "concepts", "vocabulary"):
        shutil.copytree(REPO / folder, root / folder)
    return root


# --- silent loss ----------------------------------------------------------------------------------

def test_a_misspelled_section_heading_is_an_error_with_did_you_mean(mini_root: Path) -> None:
    edit(mini_root, CASE, "## Practices", "## Practises")
    code, problems = validate(mini_root)
    problem = only(problems, "section")
    assert code == 1 and problem["severity"] == "error"
    assert (problem["path"], problem["line"], problem["col"]) == (CASE, 33, 1)
    assert problem["message"] == "unknown section '## Practises'" and problem["hint"] == "did you mean 'practices'?"


def test_a_mistyped_mark_is_an_error_with_did_you_mean(mini_root: Path) -> None:
    edit(mini_root, CASE, "staff-wellbeing.md) [uncertain]", "staff-wellbeing.md) [uncertan]")
    code, problems = validate(mini_root)
    problem = only(problems, "unknown-mark")
    assert code == 1 and problem["severity"] == "error"
    assert (problem["line"], problem["col"]) == (49, 63)
    assert problem["message"] == "unknown mark '[uncertan]'" and problem["hint"] == "did you mean '[uncertain]'?"


def test_a_mistyped_source_mark_is_an_error(mini_root: Path) -> None:
    edit(mini_root, CASE, "staff are satisfied. [src: report-a]", "staff are satisfied. [scr: report-a]")
    _, problems = validate(mini_root)
    problem = only(problems, "unknown-mark")
    assert problem["message"] == "unknown mark '[scr: report-a]'"
    assert problem["hint"] == "did you mean '[src: report-a]'?"


def test_two_marks_in_one_pair_of_brackets_is_an_error(mini_root: Path) -> None:
    edit(mini_root, CASE, "staff-wellbeing.md) [uncertain]", "staff-wellbeing.md) [uncertain, contested]")
    _, problems = validate(mini_root)
    problem = only(problems, "unknown-mark")
    assert problem["hint"] == "write each mark in its own brackets: [uncertain] [contested]"


def test_known_marks_editorial_brackets_and_the_scope_mark_are_not_reported(mini_root: Path) -> None:
    edit(mini_root, CASE, "staff are satisfied. [src: report-a]",
         "staff are \"[very] satisfied\" [sic] [about: general]. [src: report-a] `[code]`")
    _, problems = validate(mini_root)
    assert not [p for p in problems if p["code"] == "unknown-mark"], problems


# --- rules that lived only in pytest --------------------------------------------------------------

def test_a_thin_case_is_a_located_warning_that_fails_strict(mini_root: Path) -> None:
    code, problems = validate(mini_root, "cases/beta-shoes.md")
    thin = [p for p in problems if p["code"] == "thin-case"]
    assert code == 0 and len(thin) == 1, problems
    assert (thin[0]["line"], thin[0]["severity"]) == (17, "warning")
    assert thin[0]["message"] == "the case has 1 sourced practices or frameworks; every case needs at least 3"
    assert "concepts --kind practice" in thin[0]["hint"]
    code, out, _ = run("validate", "--root", str(mini_root), "--strict", str(mini_root / "cases/beta-shoes.md"))
    assert code == 1 and "cases/beta-shoes.md:17:1: warning: the case has 1 sourced practices" in out


def test_an_unused_concept_is_a_located_warning(repo_content: Path) -> None:
    concept = repo_content / "concepts" / "practices" / "unused-thing.md"
    concept.write_text("---\nid: unused-thing\nname: Unused thing\nkind: practice\n"
                       "definition: A practice that no case in the knowledge base uses yet.\n---\nText.\n")
    code, out, _ = run("validate", "--root", str(repo_content), "--strict")
    assert code == 1
    assert ("concepts/practices/unused-thing.md:2:5: warning: no case uses the practice 'unused-thing' (link to it "
            "from a case") in out


def test_the_unchanged_template_does_not_validate(repo_content: Path) -> None:
    text = (REPO / "templates" / "case.md").read_text(encoding="utf-8")
    (repo_content / "cases" / "organisation-id.md").write_text(text, encoding="utf-8")
    code, problems = validate(repo_content, "cases/organisation-id.md")
    assert code == 1
    placeholders = {(p["line"], p["message"].split(":")[0]) for p in problems if p["code"] == "placeholder"}
    assert {(6, "id"), (7, "name")} <= placeholders, problems
    todo_lines = {n for n, line in enumerate(text.splitlines(), start=1)
                  if "TODO" in line.split("#")[0] and not line.lstrip().startswith("#")}
    assert todo_lines and todo_lines <= {p["line"] for p in problems if p["code"] == "unfinished"}


def test_the_template_is_the_new_case_skeleton() -> None:
    """Issue 27, item 8: one source for both, so that copying the template and new-case give one file."""
    from kb.contrib.newcase import case_skeleton, template_text

    template = (REPO / "templates" / "case.md").read_text(encoding="utf-8")
    assert template == template_text(), (
        "regenerate it: python -c 'from kb.contrib.newcase import template_text; "
        "open(\"templates/case.md\", \"w\").write(template_text())'")
    made = case_skeleton("Organisation Name", "organisation-id")
    assert made.splitlines()[5:] == template.splitlines()[5:]  # all but the comment saying how it was made


def test_the_template_declares_a_reliability() -> None:
    text = (REPO / "templates" / "case.md").read_text(encoding="utf-8")
    assert re.search(r"^    reliability: \S+", text, re.M)


# --- duplicates -----------------------------------------------------------------------------------

def test_new_case_refuses_an_organisation_that_has_a_case(repo_content: Path) -> None:
    code, out, err = run("new-case", "Buurtzorg Nederland", "--root", str(repo_content))
    assert code == 1 and out == ""
    assert "cases/buurtzorg.md (Buurtzorg Nederland; same name)" in err
    assert "edit cases/buurtzorg.md instead" in err
    assert not (repo_content / "cases" / "buurtzorg-nederland.md").exists()
    code, _, err = run("new-case", "Stichting Buurtzorg", "--root", str(repo_content))
    assert code == 1 and "(Buurtzorg Nederland; same alias" in err


def test_new_case_refuses_a_known_website_and_asks_about_a_similar_name(repo_content: Path) -> None:
    code, _, err = run("new-case", "Neighbourhood Nursing", "--website", "http://buurtzorg.com", "--root",
                       str(repo_content))
    assert code == 1 and "same website https://www.buurtzorg.com/" in err
    code, _, err = run("new-case", "Buurtzorg Nederlands", "--root", str(repo_content))
    assert code == 1 and "similar name" in err and "--not-a-duplicate" in err
    code, out, _ = run("new-case", "Buurtzorg Nederlands", "--not-a-duplicate", "--root", str(repo_content))
    assert code == 0 and out.startswith("wrote cases/buurtzorg-nederlands.md")


def test_validate_finds_a_second_file_for_one_organisation(repo_content: Path) -> None:
    text = (repo_content / "cases" / "catch22.md").read_text(encoding="utf-8")
    copy = text.replace("\nid: catch22\n", "\nid: catch-22-charity\n", 1).replace("\nname: ", "\nname: Renamed ", 1)
    (repo_content / "cases" / "catch-22-charity.md").write_text(copy, encoding="utf-8")
    code, problems = validate(repo_content, "cases/catch-22-charity.md")
    duplicate = only(problems, "duplicate-organisation")
    assert code == 1 and duplicate["severity"] == "error"
    assert duplicate["message"].startswith("this looks like the organisation in cases/catch22.md")
    assert "same website" in duplicate["message"] and "add what you know to cases/catch22.md" in duplicate["hint"]


def test_related_cases_with_near_names_are_not_duplicates(repo_content: Path) -> None:
    code, problems = validate(repo_content)
    assert code == 0 and not [p for p in problems if "organisation" in p["code"]], problems


# --- better messages ------------------------------------------------------------------------------

def test_did_you_mean_suggests_only_concepts_of_the_right_kind_and_never_the_word_typed(repo_content: Path) -> None:
    case = "cases/buurtzorg.md"
    text = (repo_content / case).read_text(encoding="utf-8")
    link = re.search(r"\(\.\./concepts/challenges/([a-z-]+)\.md\)", text).group(1)
    edit(repo_content, case, f"(../concepts/challenges/{link}.md)", "(../concepts/challenges/staff-turnover.md)")
    _, problems = validate(repo_content, case)
    problem = only(problems, "unknown-concept")
    suggested = re.findall(r"'([^']+)'", problem["hint"])
    challenges = {p.stem for p in (repo_content / "concepts" / "challenges").glob("*.md")}
    assert suggested and set(suggested) <= challenges, problem
    assert "staff-turnover" not in suggested


@pytest.mark.parametrize("written", ["United States", "USA", "us"])
def test_a_country_name_or_abbreviation_suggests_its_code(mini_root: Path, written: str) -> None:
    edit(mini_root, "cases/beta-shoes.md", "country: US", f"country: {written}")
    _, problems = validate(mini_root)
    problem = next(p for p in problems if p["message"].startswith("country:"))
    assert (problem["path"], problem["line"], problem["col"]) == ("cases/beta-shoes.md", 5, 10)
    assert problem["hint"].startswith("did you mean 'US' (United States)?"), problem


def test_a_comma_inside_a_flow_mapping_says_to_quote_the_value(mini_root: Path) -> None:
    edit(mini_root, CASE, "{measure: staff, value: 1200, year: 2015, source: report-a}",
         "{measure: staff, value: 13,000 employees in 18 plants, year: 2015, source: report-a}")
    _, problems = validate(mini_root)
    problem = next(p for p in problems if "unknown key" in p["message"])
    assert problem["message"] == "size[0]: unknown key '000 employees in 18 plants'"
    assert problem["line"] == 14
    assert 'quote the value, value: "13,000 employees in 18 plants"' in problem["hint"], problem


@pytest.mark.parametrize(("figure", "message", "hint"), [
    ("**$24** million revenue (2019)", "'$' comes before the number", "**24 USD** million revenue (2019)"),
    ("**12** nurses per team at most", "it has no year", "(2015) [src: id]"),
    ("**12** nurses per team in 2015", "the year is not in brackets at the end", "in brackets"),
    ("about **12** nurses (2015)", "it does not start with a bold number", "**18%**"),
    ("**twelve** nurses (2015)", "'twelve' is not a number", "**30%**"),
])
def test_each_malformed_figure_gets_its_own_message(mini_root: Path, figure: str, message: str, hint: str) -> None:
    edit(mini_root, CASE, "figure: **12** nurses per team at most (2015)", f"figure: {figure}")
    _, problems = validate(mini_root)
    problem = only(problems, "figure")
    assert (problem["line"], problem["col"]) == (37, 1)
    assert problem["message"] == f"figure is not in the expected form: {message}"
    assert hint in problem["hint"], problem


def test_a_markdown_file_with_another_ending_is_refused(mini_root: Path) -> None:
    shutil.copy(mini_root / CASE, mini_root / "cases" / "gamma.markdown")
    code, problems = validate(mini_root)
    problem = only(problems, "file-name")
    assert code == 1 and problem["path"] == "cases/gamma.markdown"
    assert problem["hint"] == "rename it: git mv cases/gamma.markdown cases/gamma.md"


def test_a_markdown_file_named_on_the_command_line_is_refused(mini_root: Path, tmp_path: Path) -> None:
    draft = mini_root / "cases" / "delta.markdown"
    shutil.copy(mini_root / CASE, draft)
    code, out, _ = run("validate", "--root", str(mini_root), str(draft))
    assert code == 1
    assert out.splitlines() == ["cases/delta.markdown:1:1: error: 'delta.markdown' is not read: content files must "
                                "end in .md (rename it: git mv cases/delta.markdown cases/delta.md)"]


def test_load_refuses_a_markdown_file_with_another_ending(mini_root: Path, tmp_path: Path) -> None:
    shutil.copy(mini_root / CASE, mini_root / "cases" / "gamma.markdown")
    code, out, err = run("load", "--root", str(mini_root), "--store", str(tmp_path / "store"))
    assert code == 1 and "load refused: 1 error(s)" in err
    assert "cases/gamma.markdown:1:1: error: 'gamma.markdown' is not read" in out
    assert not (tmp_path / "store" / "generations").exists()


# --- concepts command -----------------------------------------------------------------------------

def test_concepts_lists_ids_with_definitions_by_kind_and_search() -> None:
    code, out, _ = run("concepts", "--kind", "challenge")
    assert code == 0
    ids = re.findall(r"^challenge\s+(\S+)", out, re.M)
    assert ids == sorted(p.stem for p in (REPO / "concepts" / "challenges").glob("*.md"))
    assert "Staff choosing to leave" in out
    code, out, _ = run("concepts", "--search", "turnover", "--format", "json")
    found = json.loads(out)
    assert code == 0 and {c["id"] for c in found} >= {"staff-attrition", "low-staff-turnover"}
    assert all(c["definition"] for c in found)
    code, _, err = run("concepts", "--search", "turnovr")
    assert code == 1 and "closest:" in err and "staff-attrition" in err


# --- pre-commit ---------------------------------------------------------------------------------

def test_the_pre_commit_hook_runs_the_projects_environment_not_a_bare_python(tmp_path: Path) -> None:
    import yaml

    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = config["repos"][0]["hooks"][0]
    assert hook["entry"] == "scripts/validate-staged --hook" and hook["language"] == "script" and hook["verbose"]
    assert hook["always_run"]  # a deletion names no file: the hook must run to see it
    assert re.match(hook["files"], "cases/x.markdown") and re.match(hook["files"], "concepts/practices/y.md")
    # With no python at all on PATH, the hook still runs (with .venv's).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "env"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    done = subprocess.run([str(REPO / "scripts" / "validate-staged"), "cases/buurtzorg.md"], cwd=REPO,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "0 error(s)" in done.stderr


# --- editor support -----------------------------------------------------------------------------

def test_validate_watch_prints_located_errors_on_save(mini_root: Path) -> None:
    process = subprocess.Popen([sys.executable, str(REPO / "graph_loader.py"), "validate", "--watch", "--root",
                                str(mini_root)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Printed once the watcher listens: the save just after it is seen, no wait needed.
        assert _read_until(process, "watching for changes").endswith("passes; watching for changes (Ctrl-C to stop)")
        edit(mini_root, CASE, "## Practices", "## Practises")
        seen = _read_until(process, "watching for changes")
        assert "cases/alpha-care.md:33:1: error: unknown section '## Practises' (did you mean 'practices'?)" in seen
        assert "1 error(s)" in seen and "fails" in seen
    finally:
        process.terminate()
        process.wait(timeout=30)


def _read_until(process: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if marker in line:
            return "\n".join(lines)
    raise AssertionError(f"no {marker!r} in: {lines}")


def test_the_vs_code_task_matches_what_validate_prints() -> None:
    tasks = json.loads((REPO / ".vscode" / "tasks.json").read_text(encoding="utf-8"))
    watch = next(t for t in tasks["tasks"] if "--watch" in t["args"])
    matcher = watch["problemMatcher"]
    pattern = matcher["pattern"]
    line = "cases/alpha-care.md:33:1: error: unknown section '## Practises' (did you mean 'practices'?)"
    match = re.match(pattern["regexp"], line)
    assert match
    assert (match.group(pattern["file"]), match.group(pattern["line"]), match.group(pattern["column"]),
            match.group(pattern["severity"])) == ("cases/alpha-care.md", "33", "1", "error")
    assert re.search(matcher["background"]["beginsPattern"], "--- 10:00:00 validating")
    assert re.search(matcher["background"]["endsPattern"], "0 error(s), 0 warning(s): passes; watching for changes")


def test_fixture_still_valid_for_load(mini_root: Path) -> None:
    """The content bar is validate's: a thin but valid case still loads (its rules are warnings)."""
    from kb.load import load_content

    assert load_content(mini_root).ok
    assert FIXTURES.is_dir()


# --- graph diff: what the reviewer checklist asks to check ---------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV})


LONG_CLAIM = ("teams of up to twelve nurses plan their own rosters, take on new clients, hire colleagues and "
              "share the tasks a manager would otherwise do, with a coach on call")


def test_the_graph_diff_shows_whole_claims_new_sources_and_new_concepts_definitions(mini_root: Path) -> None:
    git(mini_root, "init", "-q", "-b", "main")
    git(mini_root, "add", "-A")
    git(mini_root, "commit", "-q", "-m", "base")
    (mini_root / "concepts" / "practices" / "rota-planning.md").write_text(
        "---\nid: rota-planning\nname: Teams plan their rotas\nkind: practice\n"
        "definition: Teams draw up their own working schedules instead of a planner doing it.\n---\nText.\n")
    edit(mini_root, CASE, "teams of up to 12\n  nurses. [src: report-a]", f"{LONG_CLAIM}. [src: report-c]")
    edit(mini_root, CASE, "- [Coaches]", "- [Rotas](../concepts/practices/rota-planning.md): teams plan rotas. "
         "[src: report-c]\n- [Coaches]")
    edit(mini_root, CASE, "  - id: report-b\n", "  - id: report-c\n    title: A third report\n"
         "    url: https://reports.test/c\n    type: academic\n    reliability: self-reported\n  - id: report-b\n")
    code, text, err = run("diff", "--root", str(mini_root))
    assert code == 0, err
    assert f"-> {LONG_CLAIM}." in text  # whole, not cut at 80 or 90 characters
    assert "+ report-c: A third report\n      https://reports.test/c · type: academic · reliability: self-reported" \
        in text
    assert "+ practice rota-planning: Teams plan their rotas\n      definition: Teams draw up their own working " \
        "schedules instead of a planner doing it." in text
    code, markdown, _ = run("diff", "--root", str(mini_root), "--format", "markdown")
    assert "<details open" not in markdown and markdown.count("<details>") == markdown.count("</details>") > 0
    assert "https://reports.test/c · type: academic · reliability: self\\-reported" in markdown or \
        "https://reports.test/c · type: academic · reliability: self-reported" in markdown


# --- pull-request annotations beyond GitHub's limit -----------------------------------------------

def test_annotations_beyond_githubs_limit_are_listed_in_the_job_summary(tmp_path: Path) -> None:
    problems = [{"path": "cases/a.md", "line": n, "col": 1, "severity": "error", "message": f"problem {n}",
                 "hint": "fix | it", "code": "x"} for n in range(1, 26)]
    report = {"errors": 25, "warnings": 0, "problems": problems}
    summary = tmp_path / "summary.md"
    done = subprocess.run([sys.executable, str(REPO / ".github" / "scripts" / "annotations.py"), "-", "--summary",
                           str(summary)], input=json.dumps(report), capture_output=True, text=True, check=True)
    assert len(done.stdout.splitlines()) == 10
    page = summary.read_text(encoding="utf-8")
    assert "### Validation: 25 error(s), 0 warning(s)" in page
    assert "15 of 25 problem(s) are not shown as annotations" in page
    assert "| `cases/a.md:25:1` | error | problem 25 | fix \\| it |" in page


# --- licences and the usual files ---------------------------------------------------------------

def test_licence_files_name_mit_for_code_and_cc_by_sa_for_content() -> None:
    code = (REPO / "LICENSE").read_text(encoding="utf-8")
    content = (REPO / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert code.startswith("MIT License") and "LICENSE-CONTENT" in code
    assert "CC BY-SA 4.0" in content and "https://creativecommons.org/licenses/by-sa/4.0/legalcode" in content
    assert all(folder in content for folder in ("cases/", "concepts/", "vocabulary/"))


def test_the_site_footer_states_the_licences(client) -> None:
    page = client.get("/").get_data(as_text=True)
    footer = page[page.index("<footer"):page.index("</footer>")]
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">CC BY-SA 4.0</a>' in footer
    assert "code MIT" in footer


def test_every_export_carries_the_licence(mini_root: Path, tmp_path: Path) -> None:
    import networkx as nx

    assert run("export", "--root", str(mini_root), "--format", "graphml", "--output", str(tmp_path / "g.graphml"))[0] == 0
    graphml = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert graphml.graph["licence"] == "CC BY-SA 4.0" and graphml.graph["attribution"]
    assert run("export", "--root", str(mini_root), "--format", "json", "--output", str(tmp_path / "g.json"))[0] == 0
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data["graph"]["licence_url"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    code, out, _ = run("export", "--root", str(mini_root), "--format", "csv", "--output", str(tmp_path / "csv"))
    assert code == 0 and "LICENSE.txt" in out
    assert "CC BY-SA 4.0" in (tmp_path / "csv" / "LICENSE.txt").read_text(encoding="utf-8")
    assert run("export", "--root", str(mini_root), "--format", "cypher", "--output", str(tmp_path / "g.cypher"))[0] == 0
    assert "// This data is licensed under CC BY-SA 4.0" in (tmp_path / "g.cypher").read_text(encoding="utf-8")


def test_site_downloads_link_to_the_licence(client) -> None:
    for path in ("/export/graph.json", "/export/nodes.csv", "/export/graph.graphml"):
        response = client.get(path)
        assert response.headers["Link"] == '<https://creativecommons.org/licenses/by-sa/4.0/>; rel="license"', path
    assert client.get("/export/graph.json").get_json(force=True)["graph"]["licence"] == "CC BY-SA 4.0"


def test_pull_request_template_carries_the_reviewer_checklist() -> None:
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    checklist = [line for line in text.splitlines() if line.startswith("- [ ]")]
    assert len(checklist) >= 8
    for must in ("validate --strict", "reliability", "Claims left without a source", "[uncertain]", "definition",
                 "CC BY-SA 4.0"):
        assert must in text, must


def test_propose_a_case_issue_form_is_a_valid_github_form() -> None:
    import yaml

    form = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "propose-case.yml").read_text(encoding="utf-8"))
    assert {"name", "description", "body"} <= set(form)
    ids = {field.get("id") for field in form["body"] if field["type"] != "markdown"}
    assert {"name", "website", "country", "kind", "how", "sources"} <= ids
    for field in form["body"]:
        assert field["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        assert "label" in field["attributes"] or field["type"] == "markdown"
    kinds = next(f for f in form["body"] if f.get("id") == "kind")["attributes"]["options"]
    schema = json.loads((REPO / "kb" / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]["kind"]["enum"]) <= set(kinds)


def test_the_guide_has_fork_instructions_one_branch_name_and_no_false_editor_promise() -> None:
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "Fork" in guide and "git remote add upstream" in guide and "upstream/main" in guide
    branches = set(re.findall(r"git (?:switch -c|push -u origin) (\S+)", guide))
    assert branches == {"add-precision-nutrition"}, branches
    assert "master" not in guide
    for path in ("CONTRIBUTING.md", "docs/case-format.md", "README.md"):
        assert "check the front matter as you type" not in (REPO / path).read_text(encoding="utf-8"), path
    for named in ("validate --watch", ".vscode/tasks.json", "concepts --kind", "--strict", "propose-case.yml",
                  "pull_request_template.md", "scripts/validate-staged", "LICENSE-CONTENT", "--not-a-duplicate"):
        assert named in guide, named
