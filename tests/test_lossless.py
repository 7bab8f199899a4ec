"""Issue 27, item 1: lossless reading — every line of a case body is read or reported.

The property test builds case bodies from blocks whose fate is known in advance (a claim, a figure,
a view, a timeline entry, prose, a lesson, a comment, or a mistake the parser must report), shuffles
them into sections, and checks that the parser puts every non-blank line in exactly one place: the
expected one, with the claim it read or the problem (at that line) it reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli.main import main
from kb.content.body import parse_body
from kb.contrib.diff import build_side

from .conftest import REPO

#: Bounded so that it runs in CI in a few seconds.
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST_LINE = 40  # the file line where the generated body starts


@dataclass
class Block:
    """Lines of Markdown and, for each, the place the parser must give it (None: a blank line)."""

    lines: list[str]
    places: list[str | None]
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line offset, problem code)
    hrefs: list[str] = field(default_factory=list)  # the concept links of the claims it holds


CONCEPT = {"Practices": ("practices", ["self-managing-teams", "peer-recruitment", "coaches-not-managers"]),
           "Challenges": ("challenges", ["staff-attrition", "slow-decisions"]),
           "Outcomes": ("outcomes", ["staff-wellbeing", "lower-costs"])}

WORDS = ["teams", "nurses", "plan", "care", "together", "without", "managers", "and", "decide", "their", "own",
         "rotas", "budgets", "hiring"]
words = st.lists(st.sampled_from(WORDS), min_size=2, max_size=8).map(" ".join)


@st.composite
def claim(draw: st.DrawFn, section: str) -> Block:
    folder, ids = CONCEPT[section]
    concept = draw(st.sampled_from(ids))
    href = f"../concepts/{folder}/{concept}.md"
    flag = draw(st.sampled_from(["", " [uncertain]", " [contested]", " (uncertain)", " {contested}"]))
    text = f"- [{concept.replace('-', ' ').title()}]({href}){flag}: {draw(words)}"
    lines, places, problems = [text], ["claim"], []
    if flag.startswith((" (", " {")):
        problems.append((0, "mark-brackets"))
    if draw(st.booleans()):  # wrapped onto a second line
        lines.append(f"  {draw(words)} [src: a]")
        places.append("claim")
    else:
        lines[0] += " [src: a]"
    for kind in draw(st.lists(st.sampled_from(["figure", "view", "veiw", "note", "nested", "paragraph"]),
                              max_size=3)):
        if kind == "figure":
            lines.append("  - figure: **12** nurses per team (2015) [src: a]")
            places.append("figure")
        elif kind == "view":
            lines.append(f"  - view: {draw(words)} [src: a]")
            places.append("view")
        elif kind in ("veiw", "note"):
            lines.append(f"  - {kind}: {draw(words)} [src: a]")
            places.append("problem")
            problems.append((len(lines) - 1, "sub-bullet"))
        elif kind == "nested":
            lines.append(f"  - [Peer recruitment](../concepts/{folder}/{ids[0]}.md): {draw(words)} [src: a]")
            places.append("problem")
            problems.append((len(lines) - 1, "nested-claim"))
        else:  # a blank line, then an indented second paragraph
            lines += ["", f"  {draw(words)} [src: a]"]
            places += [None, "problem"]
            problems.append((len(lines) - 1, "bullet"))
            break  # anything after it would belong to the second paragraph
    return Block(lines, places, problems, [href])


@st.composite
def claim_section_mistake(draw: st.DrawFn, section: str) -> Block:
    folder, ids = CONCEPT[section]
    link = f"[Peer recruitment](../concepts/{folder}/{draw(st.sampled_from(ids))}.md)"
    kind = draw(st.sampled_from(["numbered", "unbulleted", "intro", "comment"]))
    if kind == "numbered":
        return Block([f"1. {link}: {draw(words)} [src: a]"], ["problem"], [(0, "numbered")])
    if kind == "unbulleted":
        return Block([f"{link}: {draw(words)} [src: a]"], ["problem"], [(0, "not-a-bullet")])
    if kind == "intro":
        return Block([f"The {draw(words)}."], ["problem"], [(0, "not-a-bullet")])
    return Block(["<!-- a note to reviewers", "     over two lines -->"], ["comment", "comment"])


@st.composite
def timeline_entry(draw: st.DrawFn) -> Block:
    year = draw(st.integers(1950, 2024))
    return Block([f"- **{year}**: {draw(words)} [src: a]"], ["timeline"])


@st.composite
def contested(draw: st.DrawFn) -> Block:
    lines = [f"- **{draw(words).title()}** [contested]: {draw(words)} [src: a]",
             f"  - view: {draw(words)} [src: a]", f"  - view: {draw(words)} [src: b]"]
    return Block(lines, ["contested", "view", "view"])


@st.composite
def prose(draw: st.DrawFn, kind: str) -> Block:
    shape = draw(st.sampled_from(["paragraph", "bullets", "misplaced", "fence", "subheading"]))
    if shape == "paragraph":
        count = draw(st.integers(1, 3))
        return Block([f"{draw(words).capitalize()} [src: a]" for _ in range(count)], [kind] * count)
    if shape == "bullets":
        count = draw(st.integers(1, 3))
        return Block([f"- {draw(words)}" for _ in range(count)], [kind] * count)
    if shape == "fence":
        return Block(["```", "- [X](../concepts/practices/x.md): code is left alone [src: a]", "```"], [kind] * 3)
    if shape == "subheading":
        return Block([f"### {draw(words).capitalize()}"], ["heading"])
    link = "[Peer recruitment](../concepts/practices/peer-recruitment.md)"
    return Block([f"- {link}: {draw(words)} [src: a]"], ["problem"], [(0, "misplaced-claim")])


@st.composite
def heading(draw: st.DrawFn, title: str) -> Block:
    form = draw(st.sampled_from(["good", "good", "good", "h3", "h1", "nospace", "setext"]))
    if form == "good":
        return Block([f"## {title}"], ["heading"])
    if form == "setext":
        return Block([title, "-" * len(title)], ["problem", "problem"], [(0, "heading")])
    text = {"h3": f"### {title}", "h1": f"# {title}", "nospace": f"##{title}"}[form]
    return Block([text], ["problem"], [(0, "heading")])


@st.composite
def section(draw: st.DrawFn, title: str) -> list[Block]:
    blocks = [draw(heading(title))]
    if title in CONCEPT:
        body = st.one_of(claim(title), claim(title), claim_section_mistake(title))
    elif title == "Timeline":
        body = timeline_entry()
    elif title == "Contested claims":
        body = contested()
    else:
        body = prose("lesson" if title == "Lessons" else "prose")
    return blocks + draw(st.lists(body, min_size=1, max_size=4))


@st.composite
def case_body(draw: st.DrawFn) -> list[Block]:
    titles = ["Context", "Practices", "Challenges", "Outcomes", "Timeline", "Contested claims", "Lessons",
              "Open questions"]
    chosen = draw(st.lists(st.sampled_from(titles), min_size=1, max_size=6, unique=True))
    return [block for title in chosen for block in draw(section(title))]


def assemble(blocks: list[Block]) -> tuple[str, list[tuple[int, str | None]], list[tuple[int, str]]]:
    """The body text, the expected place of each file line, and the expected (line, code) problems."""
    lines: list[str] = []
    expected: list[tuple[int, str | None]] = []
    problems: list[tuple[int, str]] = []
    for block in blocks:
        if lines:
            lines.append("")
            expected.append((FIRST_LINE + len(lines) - 1, None))
        start = FIRST_LINE + len(lines)
        lines += block.lines
        expected += [(start + i, place) for i, place in enumerate(block.places)]
        problems += [(start + offset, code) for offset, code in block.problems]
    return "\n".join(lines) + "\n", expected, problems


@PROPERTY
@given(case_body())
def test_every_line_of_a_case_body_is_read_or_reported(blocks: list[Block]) -> None:
    text, expected, expected_problems = assemble(blocks)
    body = parse_body(text, FIRST_LINE, "cases/x.md")

    # Each non-blank line is in exactly one place (a place may span the blank lines of a list) ...
    file_lines = {FIRST_LINE + i: line for i, line in enumerate(text.split("\n"))}
    placed: dict[int, str] = {}
    for place in body.places:
        for line in range(place.first, place.last + 1):
            if not file_lines[line].strip():
                continue
            assert line not in placed, f"line {line} is in two places"
            placed[line] = place.kind
    # ... the one its block was written to have.
    assert placed == {line: kind for line, kind in expected if kind is not None}, text

    # Every problem place has its problem at its first line, with the expected code.
    found = sorted((p.line, p.code) for p in body.problems)
    assert found == sorted(expected_problems), text
    problem_lines = {p.line for p in body.problems}
    assert all(p.first in problem_lines for p in body.places if p.kind == "problem")

    # The claims, figures and views read are exactly those placed, line for line.
    claims = [(p.first, p.last) for p in body.places if p.kind in ("claim", "timeline", "contested")]
    assert [(item.line, item.last_line) for item in body.items] == claims
    subs = sorted([(p.first, p.kind) for p in body.places if p.kind in ("figure", "view")])
    read = sorted([(f.line, "figure") for item in body.items for f in item.figures]
                  + [(v.line, "view") for item in body.items for v in item.views])
    assert read == subs
    assert [item.href for item in body.items if item.href] == [h for block in blocks for h in block.hrefs]


# --- each listed mistake, through `validate` as a contributor runs it ---------------------------------

CASE = "cases/alpha-care.md"


def validate(root: Path, *extra: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["validate", "--root", str(root), "--format", "json", *extra])
    return result.exit_code, json.loads(result.stdout)["problems"]


def edit(root: Path, old: str, new: str) -> None:
    file = root / CASE
    text = file.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


MISTAKES = {
    # name: (text in the fixture, what a contributor wrote instead, line, code, message, hint)
    "claim indented under the previous one": (
        "- [Coaches](../concepts/", "  - [Coaches](../concepts/", 38, "nested-claim",
        "this claim is indented under the bullet above, so it is read as a sub-bullet and lost",
        "remove the indentation so that it starts its own bullet"),
    "numbered claim": (
        "- [Staff well-being](", "1. [Staff well-being](", 49, "numbered",
        "a numbered item under ## Outcomes is not read", "start the line with '- ' instead of '1.'"),
    "linked, sourced practice under Lessons": (
        "- Small teams of nurses", "- [Peer recruitment](../concepts/practices/peer-recruitment.md): teams hire. "
        "[src: report-a]\n- Small teams of nurses", 63, "misplaced-claim",
        "a claim linking a concept page under ## Lessons is not read as a claim", "move it to ## Practices"),
    "linked, sourced challenge under Context": (
        "Alpha is fictional. [src: report-a]", "- [Staff attrition](../concepts/challenges/staff-attrition.md): "
        "many left. [src: report-a]", 31, "misplaced-claim",
        "a claim linking a concept page under ## Context is not read as a claim", "move it to ## Challenges"),
    "flag in round brackets": (
        "staff-wellbeing.md) [uncertain]", "staff-wellbeing.md) (uncertain)", 49, "mark-brackets",
        "'(uncertain)' is not read as a mark: marks go in square brackets", "write [uncertain]"),
    "sources in round brackets": (
        "teams of up to 12\n  nurses. [src: report-a]", "teams of up to 12\n  nurses. (src: report-a)", 36,
        "mark-brackets", "'(src: report-a)' is not read as a mark: marks go in square brackets",
        "write [src: report-a]"),
    "third sub-bullet misspelt": (
        "  - view: fewer left [src: report-b]", "  - view: fewer left [src: report-b]\n  - veiw: most stayed "
        "[src: report-b]", 46, "sub-bullet", "unknown sub-bullet 'veiw:'", "did you mean 'view:'?"),
    "a note sub-bullet": (
        "  - view: fewer left [src: report-b]", "  - view: fewer left [src: report-b]\n  - note: ask again "
        "[src: report-b]", 46, "sub-bullet",
        "unknown sub-bullet 'note:'; only 'figure:' and 'view:' sub-bullets are read",
        "put the text into the bullet above, or write it as '- figure: **12** … (2015) [src: id]' or "
        "'- view: … [src: id]'"),
    "level-3 section heading": (
        "## Practices", "### Practices", 33, "heading",
        "'### Practices' is a level-3 heading; sections are level 2", "write '## Practices'"),
    "level-1 section heading": (
        "## Practices", "# Practices", 33, "heading",
        "'# Practices' is a level-1 heading; sections are level 2", "write '## Practices'"),
    "no space after the hashes": (
        "## Practices", "##Practices", 33, "heading",
        "'##Practices' is not a heading: a space must follow '##'", "write '## Practices'"),
    "underlined (setext) heading": (
        "## Practices", "Practices\n---------", 33, "heading",
        "'Practices' is underlined, a heading GitHub shows but the format does not read",
        "write it on one line as '## Practices' and delete the underline"),
    "second paragraph of a claim": (
        "coaches help on request. [src: report-b]", "coaches help on request. [src: report-b]\n\n  They also "
        "train. [src: report-b]", 40, "bullet",
        "a blank line splits this bullet: its second paragraph is not read",
        "remove the blank line to join it to the bullet above, or make it a bullet of its own"),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_each_silently_lost_mistake_is_an_error_at_its_line(mini_root: Path, name: str) -> None:
    old, new, line, code, message, hint = MISTAKES[name]
    edit(mini_root, old, new)
    exit_code, problems = validate(mini_root)
    found = [p for p in problems if p["code"] == code]
    assert exit_code == 1, problems  # plain validate fails: an error, not a warning
    assert [(p["path"], p["line"], p["severity"], p["message"], p["hint"]) for p in found] == [
        (CASE, line, "error", message, hint)]


def test_the_practices_of_a_misleveled_heading_are_still_read(mini_root: Path) -> None:
    """One error at the heading, not one per bullet: the section's claims are read and checked."""
    _, before = validate(mini_root, "--strict")
    edit(mini_root, "## Practices", "### Practices")
    _, after = validate(mini_root, "--strict")
    assert [(p["line"], p["code"]) for p in after if p not in before] == [(33, "heading")]


# --- item 2: every content file is found ------------------------------------------------------------

STRAYS = {
    "cases/mexico/nearsoft.md": "case files go directly in cases/: git mv cases/mexico/nearsoft.md cases/nearsoft.md",
    "case/nearsoft.md": "case files go directly in cases/: git mv case/nearsoft.md cases/nearsoft.md",
    "Cases/nearsoft.md": "case files go directly in cases/: git mv Cases/nearsoft.md cases/nearsoft.md",
    "concepts/peer-review.md": "concept pages go in concepts/<kind>s/: git mv concepts/peer-review.md "
                               "concepts/<kind>s/peer-review.md",
    "concepts/practice/peer-review.md": "concept pages go in concepts/<kind>s/: git mv "
                                        "concepts/practice/peer-review.md concepts/practices/peer-review.md",
    "concepts/practices/drafts/peer-review.md": "concept pages go in concepts/<kind>s/: git mv "
                                                "concepts/practices/drafts/peer-review.md "
                                                "concepts/practices/peer-review.md",
}


@pytest.mark.parametrize("stray", list(STRAYS))
def test_a_markdown_file_in_a_likely_wrong_place_is_an_error_with_the_move(mini_root: Path, stray: str) -> None:
    target = mini_root / stray
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((mini_root / CASE).read_text(encoding="utf-8"), encoding="utf-8")
    exit_code, problems = validate(mini_root)
    assert exit_code == 1
    assert [(p["path"], p["line"], p["severity"], p["message"], p["hint"]) for p in problems
            if p["code"] == "location"] == [(stray, 1, "error", f"'{stray}' is not read: content files are not "
                                             "found there", STRAYS[stray])]


def test_validating_a_subfolder_of_cases_reports_its_files(mini_root: Path) -> None:
    (mini_root / "cases" / "mexico").mkdir()
    (mini_root / "cases" / "mexico" / "nearsoft.md").write_text("---\nid: nearsoft\n---\n", encoding="utf-8")
    exit_code, problems = validate(mini_root, str(mini_root / "cases" / "mexico"))
    assert exit_code == 1 and [p["path"] for p in problems] == ["cases/mexico/nearsoft.md"]


def test_the_pre_commit_hook_runs_for_files_in_likely_wrong_places() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    pattern = re.compile(config["repos"][0]["hooks"][0]["files"])
    assert all(pattern.search(path) for path in STRAYS)
    assert not any(pattern.search(p) for p in ["README.md", "templates/case.md", "docs/case-format.md",
                                               "tests/fixtures/mini/cases/alpha-care.md"])


def test_the_graph_diff_lists_a_stray_file_and_still_compares_the_rest(mini_root: Path) -> None:
    before = build_side(mini_root)
    (mini_root / "case").mkdir()
    (mini_root / "case" / "nearsoft.md").write_text((mini_root / CASE).read_text(encoding="utf-8"), encoding="utf-8")
    after = build_side(mini_root)
    assert after.left_out == {"case/nearsoft.md": 1}
    assert after.rows.nodes == before.rows.nodes and before.rows.nodes["Organisation"]


# --- item 7: clear words for the vague cases --------------------------------------------------------

def only_code(problems: list[dict], code: str) -> list[tuple]:
    return [(p["path"], p["line"], p["col"], p["severity"], p["message"], p["hint"]) for p in problems
            if p["code"] == code]


def test_an_unclosed_quote_is_reported_where_it_opens(mini_root: Path) -> None:
    edit(mini_root, "    title: A report about Alpha", '    title: "A report about Alpha')
    exit_code, problems = validate(mini_root)
    assert exit_code == 1 and only_code(problems, "yaml") == [
        (CASE, 19, 12, "error", 'the quote " opened here is never closed',
         'end the value with " on this line; inside it, write \\" for a "')]


def test_curly_quotes_are_named_as_the_cause(mini_root: Path) -> None:
    edit(mini_root, "    title: A report about Alpha", "    title: “Alpha: a report”")
    _, problems = validate(mini_root)
    (problem,) = only_code(problems, "yaml")
    assert problem[:4] == (CASE, 19, 18, "error")
    assert problem[5].startswith("“…” and ‘…’ are typographic quotes, which YAML reads as ordinary letters")


def test_a_zero_width_space_in_a_link_is_named_at_its_column(mini_root: Path) -> None:
    edit(mini_root, "practices/self-managing-teams.md)", "practices/self-managing\u200b-teams.md)")
    exit_code, problems = validate(mini_root)
    assert exit_code == 1 and only_code(problems, "invisible") == [
        (CASE, 35, 60, "error", "invisible character U+200B (ZERO WIDTH SPACE) after '…elf-managing'",
         "delete it: text with it looks right but does not match")]


def test_a_utf16_file_is_named_as_such(mini_root: Path) -> None:
    path = mini_root / CASE
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    exit_code, problems = validate(mini_root)
    assert exit_code == 1 and only_code(problems, "file") == [
        (CASE, 1, 1, "error", "file is saved as UTF-16, not UTF-8",
         "save it as UTF-8 (in VS Code: 'Save with Encoding', then 'UTF-8'; in Notepad: 'Save as', Encoding 'UTF-8')")]
