"""Stage 3, first check of a file: its front matter against the JSON Schema of its kind.

Every schema error becomes a :class:`~kb.problems.Problem` at the key's line and column, with a
sentence a contributor can act on (:func:`explain`).  jsonschema-rs answers first (fast, terse);
a document it rejects goes through the Python validator for the located, explained errors.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import jsonschema_rs

from kb.check.contributor_rules import country_hint, flow_mapping_comma_hint
from kb.content.parse import Document
from kb.evidence import OLD_RELIABILITY, RELIABILITIES
from kb.problems import Problem
from kb.suggest import did_you_mean

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = ["explain", "schema_document", "schema_for", "schema_problems"]


@cache
def schema_document(role: str) -> dict:
    """The JSON Schema of a case or a concept, as data."""
    name = "case.schema.json" if role == "case" else "concept.schema.json"
    return json.loads(resources.files("kb.schemas").joinpath(name).read_text(encoding="utf-8"))


@cache
def schema_for(role: str) -> Draft202012Validator:
    """The compiled JSON Schema validator for a case or a concept (the located, explained errors).

    Imported when first needed: valid files never need it (:func:`_quick_check` accepts them), and
    importing ``jsonschema`` was about a quarter of the command line's start-up.
    """
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(schema_document(role), format_checker=FormatChecker())


@cache
def _quick_check(role: str) -> jsonschema_rs.Validator:
    """The same schema compiled by jsonschema-rs: about 100 times faster, but with terse errors.

    It checks formats too, so it accepts nothing the Python validator rejects; a document it
    rejects goes through the Python validator for the located, explained errors.
    """
    return jsonschema_rs.validator_for(schema_document(role), validate_formats=True)


def schema_problems(doc: Document) -> list[Problem]:
    try:
        if _quick_check(doc.role).is_valid(doc.data):
            return []
    except (ValueError, TypeError):
        pass  # a value jsonschema-rs cannot take (none in YAML we accept): check it the slow way
    validator = schema_for(doc.role)
    problems = []
    for error in validator.iter_errors(doc.data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            # Point at the unexpected key itself rather than at its mapping.
            extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
            path += tuple(extra[:1])
        line, col = doc.at(*path)
        message, hint = explain(error, validator.schema)
        if error.validator == "additionalProperties" and len(path) > len(error.absolute_path):
            hint = flow_mapping_comma_hint(doc, tuple(error.absolute_path), path[-1]) or hint
        elif path and path[-1] == "country" and error.validator in ("pattern", "type"):
            hint = country_hint(error.instance)
        problems.append(Problem(doc.where, line, col, message, hint, code="schema"))
    return problems


def explain(error: ValidationError, schema: dict) -> tuple[str, str]:
    """Turn a jsonschema error into a sentence a contributor can act on."""
    where = _dotted(error.absolute_path)
    validator, value = error.validator, error.validator_value
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        key = missing[0] if missing else "?"
        return f"{where or 'front matter'}: missing required key '{key}'", f"add '{key}:'"
    if validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message.split("(")[-1])
        allowed = list(error.schema.get("properties", {}))
        key = extra[0] if extra else "?"
        return (f"{where or 'front matter'}: unknown key '{key}'",
                did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}")
    if validator == "enum" and where.endswith(".reliability") and error.instance in OLD_RELIABILITY:
        return (f"{where}: {error.instance!r} is an old reliability value",
                f"use {' | '.join(RELIABILITIES)}: {error.instance!r} usually becomes "
                f"{OLD_RELIABILITY[error.instance]}; see docs/case-format.md")
    if validator == "enum":
        return (f"{where}: {error.instance!r} is not allowed",
                did_you_mean(str(error.instance), [str(v) for v in value])
                or f"use one of: {', '.join(map(str, value))}")
    if validator == "type":
        return f"{where}: expected {value}, found {type(error.instance).__name__}", _type_hint(value)
    if validator == "pattern":
        return f"{where}: {error.instance!r} has the wrong form", _pattern_hint(where, value)
    if validator in ("minimum", "maximum"):
        return f"{where}: {error.instance!r} is out of range", f"must be {validator} {value}"
    if validator == "format":
        return f"{where}: {error.instance!r} is not a valid {value}", "write a full URL starting with https://"
    if validator == "anyOf" and where.startswith("sources"):
        return f"{where}: a source needs a 'url' or a 'publication'", "add url: https://… (or publication: for print)"
    if validator in ("minLength", "minItems"):
        return f"{where}: too short or empty", f"give at least {value}"
    if validator in ("maxLength", "maxItems"):
        return f"{where}: too long", f"keep it to at most {value}"
    if validator == "uniqueItems":
        return f"{where}: has duplicate entries", "remove the repeated entry"
    return f"{where}: {error.message}", ""


def _type_hint(expected: str) -> str:
    return {
        "integer": "write a whole number without quotes, e.g. 2006",
        "array": "write a list, e.g. [a, b]",
        "object": "write a mapping of keys to values",
        "string": "quote the value",
    }.get(expected, "")


def _pattern_hint(where: str, pattern: str) -> str:
    if "[a-z0-9]" in pattern:
        return "use lowercase letters, digits and single hyphens, e.g. self-managing-teams"
    if "A-Z" in pattern:
        return "use a two-letter ISO 3166-1 code in capitals, e.g. NL or GB"
    if "https?" in pattern:
        return "write a full URL starting with http:// or https://"
    if "\\d{4}" in pattern:
        return "write the date as YYYY, YYYY-MM or YYYY-MM-DD"
    if "^[^," in pattern:
        return "aliases are plain phrases without commas, quotes or brackets"
    return f"must match {pattern}"


def _dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
