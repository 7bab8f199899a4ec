"""The content coverage report: what a maintainer reads in docs/content-coverage.md, and that it is current."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kb.cli.main import main
from kb.contrib.coverage import REGENERATE, coverage_markdown

from .conftest import REPO


def test_committed_report_is_current() -> None:
    committed = (REPO / "docs" / "content-coverage.md").read_text(encoding="utf-8")
    assert committed == coverage_markdown(REPO), (
        f"docs/content-coverage.md is out of date with cases/: regenerate it with `{REGENERATE}`")


def test_readme_states_the_number_of_cases() -> None:
    cases = len(list((REPO / "cases").glob("*.md")))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"The knowledge base holds **{cases} cases**." in readme, (
        f"README.md should say 'The knowledge base holds **{cases} cases**.' (update the count with the case)")


def test_report_counts_cases_by_sector_country_kind_status_and_grade(mini_root: Path) -> None:
    report = coverage_markdown(mini_root)
    lines = report.splitlines()
    assert "**2 cases**, 7 claims about the organisations themselves." in lines
    # home care counts under its broader sector too; an empty sector is listed as a gap
    assert "| Health care | `health-care` | 0 | 1 |" in lines
    assert "| Home care and community nursing | `home-care` | 1 | 1 |" in lines
    assert "| Retail and e-commerce | `retail` | 1 | 1 |" in lines
    assert any(line.startswith("Sectors with no case: `mental-health`, ") for line in lines)
    assert "| Netherlands | NL | 1 |" in lines
    assert "| United States | US | 1 |" in lines
    assert "| nonprofit | 1 |" in lines
    assert "| acquired | 1 |" in lines
    assert "| not recorded | 2 |" in lines
    assert "| Commentator's impression (`impression`) | 7 | 2 |" in lines
    assert ("| [Alpha Care](../cases/alpha-care.md) | nonprofit | NL | home-care | active | not recorded"
            " | 0 | 0 | 0 | 4 |") in lines


def test_model_status_and_grades_follow_the_case_files(mini_root: Path) -> None:
    path = mini_root / "cases" / "alpha-care.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: active\n", "status: active\nmodel_status: scaled-back\nmodel_status_year: 2019\n")
    text = text.replace("    type: report\n", "    type: report\n    reliability: third-party\n", 1)
    # a claim about the organisations it supported is not counted as Alpha's own
    text = text.replace("[Coaches](../concepts/practices/coaches-not-managers.md):",
                        "[Coaches](../concepts/practices/coaches-not-managers.md) [about: supported]:")
    path.write_text(text, encoding="utf-8")
    lines = coverage_markdown(mini_root).splitlines()
    assert "| scaled-back | 1 |" in lines
    assert "| not recorded | 1 |" in lines
    # report-a is now a third-party report; the [uncertain] claim on it drops one step to own account
    assert ("| [Alpha Care](../cases/alpha-care.md) | nonprofit | NL | home-care | active | scaled-back"
            " | 0 | 2 | 1 | 0 |") in lines
    assert "| Third-party report (`reported`) | 2 | 1 |" in lines


def test_cli_writes_the_report(mini_root: Path, tmp_path: Path) -> None:
    output = tmp_path / "coverage.md"
    result = CliRunner().invoke(main, ["coverage", "--root", str(mini_root), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {output}\n"
    assert output.read_text(encoding="utf-8") == coverage_markdown(mini_root)


def test_cli_refuses_content_with_errors(mini_root: Path) -> None:
    path = mini_root / "cases" / "alpha-care.md"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: nonprofit", "kind: charitee"), encoding="utf-8")
    result = CliRunner().invoke(main, ["coverage", "--root", str(mini_root)])
    assert result.exit_code == 1
    assert "the content has errors" in result.stderr
