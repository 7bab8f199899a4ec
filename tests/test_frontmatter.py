"""Front matter keeps YAML 1.1's meanings, as PyYAML reads them, whatever way the loader takes to them."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.content.frontmatter import split_front_matter


@pytest.mark.parametrize(("written", "meant"), [
    ("yes", True), ("No", False), ("on", True), ("OFF", False), ("y", "y"),
    ("0777", 511), ("0o777", "0o777"), ("0x1F", 31), ("1_000", 1000), ("1:20", 80), ("+12", 12),
    ("1.5", 1.5), (".5", 0.5), ("1e3", "1e3"), ("1.0e3", "1.0e3"), ("1.0e+3", 1000.0),
    ("~", None), ("null", None), ("Null", None), ("", None),
    ("2001-02-03", "2001-02-03"), ("'0777'", "0777"), ('"yes"', "yes"), ("!!str 12", "12"),
    ("2015 (est.)", "2015 (est.)"), ("[a, 1, true]", ["a", 1, True]),
])
def test_a_value_means_what_yaml_1_1_says(written: str, meant: object) -> None:
    front = split_front_matter(f"---\nvalue: {written}\n---\nbody\n", "f.md")
    assert front.problems == []
    assert front.data == {"value": meant}
    assert type(front.data["value"]) is type(meant)


def test_a_tag_that_does_not_fit_its_value_is_refused_where_it_is() -> None:
    front = split_front_matter("---\nid: x\nvalue: !!map text\n---\n", "f.md")
    assert front.data is None
    assert [(p.line, p.col, p.message[:22]) for p in front.problems] == [(3, 8, "value cannot be read: ")]


def _as_front_matter(value: object) -> object:
    """What the front matter holds for a value PyYAML constructs: dates as ISO text."""
    if isinstance(value, dict):
        return {key: _as_front_matter(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_front_matter(item) for item in value]
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


_scalars = st.sampled_from(["yes", "no", "on", "off", "true", "~", "null", "0777", "0o17", "0x1f", "1_0", "1:30",
                            "-.5", "1.5e3", ".inf", "2001-02-03", "2001-02-03 10:11:12", "'007'", '"on"', "text",
                            "a: b", "12 monkeys", "-", "=", "<<", "!!str 5", "!!int '7'", "!!float 3", "0b101", "+1"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), _scalars), max_size=6),
       st.lists(_scalars, max_size=4))
def test_the_data_is_pythons_pure_pyyaml_reading(pairs: list[tuple[str, str]], items: list[str]) -> None:
    """Whatever the loader reads without a problem, PyYAML's pure-Python safe loader reads the same."""
    lines = [f"{key}: {value}" for key, value in pairs] + ["items:"] + [f"  - {item}" for item in items]
    text = "\n".join(lines)
    front = split_front_matter(f"---\n{text}\n---\n", "f.md")
    if front.problems:  # a repeated key, .inf, a bad value: refused, located
        assert all(p.line >= 2 for p in front.problems)
        return
    assert front.data == _as_front_matter(yaml.load(text, Loader=yaml.SafeLoader))
