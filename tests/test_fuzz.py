"""Property-based tests: whatever the bytes, parsing and validation give a result or located problems."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.content.body import parse_body, parse_figure
from kb.content.frontmatter import split_front_matter
from kb.load import load_content

from .conftest import FIXTURES

GOOD = (FIXTURES / "mini" / "cases" / "alpha-care.md").read_text(encoding="utf-8")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

yaml_ish = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n\t 0123456789.,?%@`")), max_size=300)


@FUZZ
@given(yaml_ish)
def test_front_matter_never_raises(text: str) -> None:
    result = split_front_matter(f"---\n{text}\n---\nbody\n", "f.md")
    assert result.data is not None or result.problems
    for problem in result.problems:
        assert problem.line >= 1 and problem.col >= 1


@FUZZ
@given(st.text(max_size=2000))
def test_body_parser_never_raises(text: str) -> None:
    body = parse_body(text, 7)
    assert all(item.line >= 7 for item in body.items)


@FUZZ
@given(st.text(max_size=200))
def test_figure_parser_gives_a_figure_or_none(text: str) -> None:
    figure = parse_figure(text, ["s"], 1)
    assert figure is None or (1000 <= figure.year <= 9999)


def _mutations() -> st.SearchStrategy[bytes]:
    data = GOOD.encode("utf-8")
    return st.one_of(
        # delete a slice
        st.tuples(st.integers(0, len(data)), st.integers(0, 200)).map(lambda t: data[:t[0]] + data[t[0] + t[1]:]),
        # insert random bytes
        st.tuples(st.integers(0, len(data)), st.binary(max_size=40)).map(lambda t: data[:t[0]] + t[1] + data[t[0]:]),
        # replace a slice with random text
        st.tuples(st.integers(0, len(data)), st.text(max_size=40)).map(
            lambda t: data[:t[0]] + t[1].encode("utf-8", "surrogatepass") + data[t[0] + len(t[1]):]),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_mutated_case_files_give_a_corpus_or_located_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        shutil.copytree(FIXTURES / "mini", root)
        (root / "cases" / "alpha-care.md").write_bytes(data)
        result = load_content(root)
    assert result.ok == (result.corpus is not None)
    for problem in result.problems:
        assert problem.path and problem.line >= 1 and problem.col >= 1 and problem.message
        assert problem.code != "internal", str(problem)
