"""The validator: every kind of error, located at its exact file, line and column, with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.load import check_paths, load_content

CASE = "cases/alpha-care.md"


def problems_after(root: Path, path: str, old: str, new: str) -> list:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [p for p in load_content(root).problems if p.is_error]


def test_fixture_content_is_valid(mini_root: Path) -> None:
    result = load_content(mini_root)
    assert result.problems == []
    assert set(result.corpus.organisations) == {"alpha-care", "beta-shoes"}


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "message", "hint"),
    [
        # YAML syntax: an unquoted colon
        ("city: Almelo", "city: Almelo: centre", 7, 13, "YAML syntax error", "must be quoted"),
        # schema: missing key, unknown key, enum, type, pattern, ranges, URL
        ("status: active\n", "", 3, 1, "missing required key 'status'", "add 'status:'"),
        ("city: Almelo", "citty: Almelo", 7, 8, "unknown key 'citty'", "did you mean 'city'?"),
        ("kind: nonprofit", "kind: non-profit", 5, 7, "'non-profit' is not allowed", "did you mean 'nonprofit'?"),
        ("founded: 2006", "founded: '2006'", 9, 10, "founded: expected integer", "whole number"),
        ("founded: 2006", "founded: 206", 9, 10, "out of range", "minimum 1800"),
        ("country: NL", "country: nl", 6, 10, "country: 'nl' has the wrong form", "ISO 3166-1"),
        ("country: NL", "country: UK", 6, 10, "unknown country code 'UK'", "UK is GB"),
        ("url: https://example.org/a", "url: example.org/a", 22, 10, "wrong form", "http"),
        ("date: 2015-05", "date: May 2015", 21, 11, "wrong form", "YYYY"),
        # controlled list
        ("sectors: [home-care]", "sectors: [home-cair]", 8, 11, "unknown sector 'home-cair'", "did you mean 'home-care'"),
        # identity
        ("id: alpha-care", "id: alpha", 3, 5, "does not match the file name", "rename the file"),
        # references
        ("(../concepts/practices/coaches-not-managers.md)", "(../concepts/practices/coaches-not-manager.md)",
         38, 13, "unknown practice 'coaches-not-manager'", "did you mean 'coaches-not-managers'?"),
        ("target: beta-shoes", "target: beta-shoe", 16, 32, "unknown organisation 'beta-shoe'", "did you mean 'beta-shoes'?"),
        ("help on request. [src: report-b]", "help on request. [src: report-c]", 38, 92,
         "unknown source 'report-c'", "did you mean 'report-a' or 'report-b'"),
        ("help on request. [src: report-b]", "help on request.", 38, 1, "practices bullet cites no source",
         "add [src: source-id]"),
        ("- figure: **12** nurses per team at most (2015) [src: report-a]",
         "- figure: **12** nurses per team at most [src: report-a]", 37, 1,
         "figure is not in the expected form: it has no year", "(2015) [src: id]"),
        ("  - view: fewer left [src: report-b]\n", "", 42, 1, "contested claim needs each side", "view:"),
        ("(../concepts/challenges/staff-attrition.md) [contested]", "(../concepts/outcomes/staff-wellbeing.md) [contested]",
         42, 21, "links to an outcome page", "right section"),
    ],
)
def test_each_error_is_located(mini_root: Path, old: str, new: str, line: int, col: int, message: str,
                               hint: str) -> None:
    errors = problems_after(mini_root, CASE, old, new)
    matching = [p for p in errors if message in p.message]
    assert matching, [str(p) for p in errors]
    problem = matching[0]
    assert (problem.path, problem.line, problem.col) == (CASE, line, col), str(problem)
    assert hint in problem.hint, str(problem)


def test_duplicate_id_across_files(mini_root: Path) -> None:
    copy = mini_root / "cases" / "alpha-care-copy.md"
    copy.write_text((mini_root / CASE).read_text().replace("id: alpha-care", "id: alpha-care-copy"))
    errors = problems_after(mini_root, "cases/alpha-care-copy.md", "id: alpha-care-copy", "id: alpha-care")
    duplicate = [p for p in errors if p.code == "duplicate-id"]
    assert len(duplicate) == 1 and duplicate[0].line == 3, [str(p) for p in errors]
    assert {duplicate[0].path, duplicate[0].message.split("also in ")[1]} == {CASE, "cases/alpha-care-copy.md"}


def test_source_id_reused_for_a_different_source(mini_root: Path) -> None:
    errors = problems_after(mini_root, "cases/beta-shoes.md", "url: https://example.org/news-1\n",
                            "url: https://example.org/news-1\n  - id: report-a\n    title: Other\n"
                            "    url: https://example.org/other\n")
    assert any("source id 'report-a' names a different source" in p.message for p in errors)


def test_broader_cycle_is_reported(mini_root: Path) -> None:
    path = "concepts/practices/distributed-authority.md"
    errors = problems_after(mini_root, path, "kind: practice\n", "kind: practice\nbroader: self-managing-teams\n")
    assert any("cycle" in p.message and p.path == path and p.line == 5 for p in errors), [str(p) for p in errors]


def test_every_problem_in_every_file_is_reported(mini_root: Path) -> None:
    (mini_root / "cases" / "beta-shoes.md").write_text(
        (mini_root / "cases" / "beta-shoes.md").read_text().replace("country: US", "country: XX"))
    errors = problems_after(mini_root, CASE, "kind: nonprofit", "kind: charitee")
    assert {p.path for p in errors} == {CASE, "cases/beta-shoes.md"}


def test_not_utf8_is_located(mini_root: Path) -> None:
    path = mini_root / CASE
    path.write_bytes(path.read_bytes().replace(b"Alpha is fictional.", b"Alpha is fictional \xff."))
    errors = [p for p in load_content(mini_root).errors if p.path == CASE]
    assert [(p.line, p.col, p.message[:26]) for p in errors] == [(31, 20, "file is not valid UTF-8 (b")]


def test_oversized_file_is_refused(mini_root: Path) -> None:
    path = mini_root / CASE
    path.write_text(path.read_text() + "\n" + "padding " * 40000)
    errors = [p for p in load_content(mini_root).errors if p.path == CASE]
    assert errors and "over the limit" in errors[0].message


def test_yaml_tags_never_run_code(mini_root: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    errors = problems_after(mini_root, CASE, "city: Almelo",
                            f"city: !!python/object/apply:os.system ['touch {marker}']")
    assert not marker.exists()
    assert any("YAML tag" in p.message and p.line == 7 for p in errors)


def test_yaml_aliases_are_refused(mini_root: Path) -> None:
    errors = problems_after(mini_root, CASE, "city: Almelo", "city: &a Almelo\nregion: *a")
    assert any("anchors and aliases" in p.message and p.line == 7 for p in errors)


def test_bom_and_crlf_are_accepted(mini_root: Path) -> None:
    path = mini_root / CASE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert load_content(mini_root).ok


def test_alias_link_resolves_with_a_warning(mini_root: Path) -> None:
    problems_after(mini_root, CASE, "(../concepts/practices/coaches-not-managers.md)",
                   "(../concepts/practices/regional-coaches.md)")
    result = load_content(mini_root)
    assert result.ok
    warning = next(p for p in result.warnings if p.code == "alias")
    assert (warning.line, "coaches-not-managers.md") == (38, warning.hint.split("/")[-1].split(" ")[0])
    claims = result.corpus.organisations["alpha-care"].claims
    assert "coaches-not-managers" in [c.concept for c in claims]


def test_unused_source_is_a_warning(mini_root: Path) -> None:
    problems_after(mini_root, CASE, "relations:\n  - {type: partner-of, target: beta-shoes, sources: [report-b]}\n",
                   "")
    result = load_content(mini_root)
    assert result.ok
    assert not any(p.code == "unused-source" for p in result.warnings)  # report-b is still cited in the body


def test_check_paths_filters_to_the_given_file(mini_root: Path) -> None:
    problems_after(mini_root, "cases/beta-shoes.md", "country: US", "country: XX")
    problems_after(mini_root, CASE, "kind: nonprofit", "kind: x")
    only = check_paths(mini_root, [mini_root / "cases" / "beta-shoes.md"])
    assert {p.path for p in only} == {"cases/beta-shoes.md"}


def test_broken_relative_link_is_a_warning(mini_root: Path) -> None:
    problems_after(mini_root, CASE, "Alpha is fictional.", "Alpha is fictional, like [Gamma](gamma.md).")
    warning = next(p for p in load_content(mini_root).warnings if p.code == "broken-link")
    assert (warning.line, warning.col, warning.message) == (31, 34, "link 'gamma.md' leads to no file")


def _mutations(data: dict) -> list[dict]:
    """A real case's front matter broken in the ways contributors break it, one way at a time."""
    import copy

    broken = []
    for key in list(data):
        without = copy.deepcopy(data)
        del without[key]
        broken.append(without)
        for wrong in (None, 7, "text", [], {}, [1, "a"], True, 3.5, "2016-13-45", "not a url"):
            changed = copy.deepcopy(data)
            changed[key] = wrong
            broken.append(changed)
    source = copy.deepcopy(data)
    source["sources"][0]["url"] = "www.example.org/no-scheme"
    extra = copy.deepcopy(data)
    extra["sources"][0]["pages"] = "12"
    broken.extend([source, extra, {**data, "unexpected": 1}])
    return broken


def test_the_quick_schema_check_accepts_nothing_the_full_check_rejects() -> None:
    # Valid documents skip the Python validator; this guards that shortcut against every
    # real case and hundreds of broken variants of one.
    from kb.check.schema_check import _quick_check, schema_for
    from kb.content.files import ContentLayout, discover
    from kb.content.parse import parse_file

    layout = ContentLayout(Path("."))
    documents = [parse_file(f, layout) for f in discover(layout) if f.role == "case"]
    samples = [doc.data for doc in documents] + _mutations(next(d for d in documents if d.stem == "buurtzorg").data)
    checked = rejected = 0
    for data in samples:
        full = not list(schema_for("case").iter_errors(data))
        try:
            quick = _quick_check("case").is_valid(data)
        except (ValueError, TypeError):
            continue
        assert full or not quick, data
        checked += 1
        rejected += not full
    assert checked == len(samples) and rejected > 150, (checked, len(samples), rejected)
