"""The researchers' read-only Cypher console: friendly checks, parameters, and plain results.

What keeps the console read-only and the site up does not live here (see docs/reliability.md):

1. every console query runs in a confined worker process (:mod:`kb.store.console_pool`): the kernel
   refuses it any file write, any read outside the store and any network, and caps its memory and
   CPU time; a crash or overrun kills that worker only, and it is replaced;
2. the engine's own plan decides whether a statement is a single read (:mod:`kb.store.plan_check`):
   read operators and catalogue functions only;
3. the stores' read-only paths (LadybugDB opened read-only; Neo4j READ sessions), a time limit, a
   row cap and a byte cap.

:func:`check_read_only` only reads words: it gives the common mistakes a friendly first message
before anything runs, and is never what stops a query.

>>> check_read_only("MATCH (o:Organisation) RETURN o.name LIMIT 5")
>>> check_read_only("MATCH (o) DETACH DELETE o")
Traceback (most recent call last):
...
kb.problems.QueryError: Only read queries can run here: DELETE is not allowed.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from kb.problems import QueryError

__all__ = ["ConsoleResult", "cap_message", "check_read_only", "code_outside_strings", "engine_message",
           "error_chars", "graph_elements", "json_ready", "plain_value",
           "read_capped", "scrub_paths", "validate_params"]

# Administration commands (START DATABASE...) are refused by the stores' read-only paths instead,
# so that ordinary words such as STARTS WITH stay usable.
_WRITE_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "ALTER", "RENAME", "GRANT",
                  "DENY", "REVOKE", "INSERT", "INSTALL", "ATTACH", "EXPORT", "IMPORT", "CHECKPOINT", "BEGIN",
                  "COMMIT", "ROLLBACK", "TERMINATE")
_FILE_CLAUSES = {"LOAD": "LOAD (reading files or URLs)", "COPY": "COPY (reading or writing files)",
                 "PERIODIC": "USING PERIODIC COMMIT"}
#: Procedures that only describe the catalogue, on either engine.
ALLOWED_PROCEDURES = {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
                      "show_tables", "table_info"}
_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
MAX_QUERY_CHARS = 5000
#: Brackets ( [ { nested deeper than this are refused before any engine parses the query: both
#: engines' parsers take time that grows steeply with depth (LadybugDB: 0.2 s at 20, 5 s at 100).
MAX_NESTING = 20
#: range() builds its whole list before a time limit can stop it: a friendly refusal for literal bounds
#: (the worker's memory cap is what stops the others).
MAX_RANGE = 1_000_000
_RANGE = re.compile(r"\brange\s*\(([^()]*)\)", re.IGNORECASE)


@dataclass
class ConsoleResult:
    """Columns and rows of plain values, and whether the row cap cut the result."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    elapsed_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated,
                "row_count": len(self.rows), "elapsed_ms": round(self.elapsed_ms, 1), "notes": self.notes}


def check_read_only(cypher: str) -> None:
    """Raise :class:`QueryError` unless ``cypher`` is a single read query without file access."""
    if not cypher.strip():
        raise QueryError("Type a Cypher query, or pick an example.")
    if len(cypher) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is longer than {MAX_QUERY_CHARS} characters.")
    bare, depth = code_outside_strings(cypher)
    if depth > MAX_NESTING:
        raise QueryError(f"The query nests brackets {depth} deep; the console allows at most {MAX_NESTING} "
                         "(deeper nesting makes the engines' parsers take seconds). Write it with WITH steps.")
    if ";" in bare.strip().rstrip(";"):
        raise QueryError("Run one statement at a time (remove the ';' between statements).")
    words = {w.upper() for w in re.findall(r"[A-Za-z_]+", bare)}
    for clause in _WRITE_CLAUSES:
        if clause in words:
            raise QueryError(f"Only read queries can run here: {clause} is not allowed.")
    for clause, what in _FILE_CLAUSES.items():
        if clause in words:
            raise QueryError(f"Only read queries can run here: {what} is not allowed.")
    for procedure in _CALL.findall(bare):
        if procedure.lower() not in ALLOWED_PROCEDURES:
            raise QueryError(f"Procedure calls are not allowed here ({procedure}); "
                             f"allowed: {', '.join(sorted(ALLOWED_PROCEDURES))}.")
    if re.search(r"\bCALL\s*\{", bare, re.IGNORECASE):
        raise QueryError("CALL subqueries are not allowed in the console.")
    _check_ranges(bare)


def code_outside_strings(cypher: str) -> tuple[str, int]:
    """The query with its strings, quoted names and comments blanked out, and its deepest bracket nesting.

    One pass over the text, as Cypher's lexer reads it: ``'...'`` and ``"..."`` with backslash
    escapes, `` `...` `` names (a doubled backtick is one), ``// ...`` to the end of the line and
    ``/* ... */``.  Brackets inside them do not count.

    >>> code_outside_strings("RETURN '(((' + [x IN [1] | (x)] // )))")
    ('RETURN   + [x IN [1] | (x)]  ', 2)
    """
    out: list[str] = []
    depth = deepest = 0
    i, n = 0, len(cypher)
    while i < n:
        char = cypher[i]
        if char in "'\"`":
            i += 1
            while i < n:
                if char != "`" and cypher[i] == "\\":
                    i += 2
                    continue
                if cypher[i] == char:
                    if char == "`" and i + 1 < n and cypher[i + 1] == "`":
                        i += 2
                        continue
                    break
                i += 1
            i += 1
            out.append(" ")
            continue
        if cypher.startswith("//", i):
            end = cypher.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
            continue
        if cypher.startswith("/*", i):
            end = cypher.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
            continue
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(depth - 1, 0)
        out.append(char)
        i += 1
    return "".join(out), deepest


def _check_ranges(bare: str) -> None:
    for arguments in _RANGE.findall(bare):
        bounds = [part.strip() for part in arguments.split(",")]
        literal = len(bounds) >= 2 and all(re.fullmatch(r"-?\d+", b) for b in bounds[:2])
        if literal and abs(int(bounds[1]) - int(bounds[0])) > MAX_RANGE:
            raise QueryError(f"range() may span at most {MAX_RANGE:,} values in the console.")


def plain_value(value: Any) -> Any:
    """Turn a driver or engine value into JSON-ready data, for every value type of both engines.

    Nodes, relationships and paths become objects; dates, times and timestamps ISO 8601 text;
    intervals and durations ISO 8601 durations; decimals exact text (whole ones, such as LadybugDB's
    INT128, numbers); UUIDs text; blobs the engine's own ``\\xHH`` notation; points objects with
    their SRID and coordinates.  The modules of these types are imported by the console worker
    before it is confined (it can import nothing afterwards).

    >>> import datetime, decimal, uuid
    >>> plain_value([datetime.date(2020, 1, 2), datetime.timedelta(days=1, seconds=3723), decimal.Decimal("1.50")])
    ['2020-01-02', 'P1DT1H2M3S', '1.50']
    >>> plain_value([uuid.UUID(int=1), b"ab\\xaa", decimal.Decimal(2**100)])
    ['00000000-0000-0000-0000-000000000001', 'ab\\\\xAA', 1267650600228229401496703205376]
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if type(value).__module__.startswith("neo4j"):  # checked first: a Point or a Duration is a tuple
        return _neo4j_value(value)
    if isinstance(value, dict):
        return _ladybug_map(value)
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    return _scalar(value)


def _ladybug_map(value: dict) -> dict[str, Any]:
    """A LadybugDB node, relationship or recursive path (dicts with its ``_LABEL``, ``_NODES`` keys), or a map."""
    if "_LABEL" in value and ("_SRC" in value or "_src" in value):  # a relationship
        props = {k: plain_value(v) for k, v in value.items() if not k.startswith("_")}
        return {"_type": value["_LABEL"], "_start": _ladybug_id(value.get("_SRC") or value.get("_src")),
                "_end": _ladybug_id(value.get("_DST") or value.get("_dst")), **props}
    if "_LABEL" in value:  # a node
        props = {k: plain_value(v) for k, v in value.items() if not k.startswith("_")}
        return {"_label": value["_LABEL"], "_key": _ladybug_id(value.get("_ID")), **props}
    if "_NODES" in value:  # a recursive path
        return {"_path": [plain_value(n) for n in value["_NODES"]] + [plain_value(r) for r in value["_RELS"]]}
    return {str(k): plain_value(v) for k, v in value.items()}


def _scalar(value: Any) -> Any:
    """A value of Python's own types that engines return: temporal, decimal, UUID, bytes."""
    if isinstance(value, (datetime.date, datetime.time)):  # datetime.datetime is a date
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return _iso_duration(0, value.days, value.seconds, value.microseconds * 1000)
    if isinstance(value, decimal.Decimal):
        whole = value.is_finite() and value == value.to_integral_value() and value.as_tuple().exponent >= 0
        return int(value) if whole else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in bytes(value))
    return str(value)


def _iso_duration(months: int, days: int, seconds: int, nanoseconds: int) -> str:
    """An ISO 8601 duration (``P1Y2M3DT4H5M6.5S``); each part keeps its own sign, as Neo4j's do."""
    years, months = divmod(months, 12) if months >= 0 else (-(-months // 12), -(-months % 12))
    date_part = "".join(f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n)
    total_ns = seconds * 1_000_000_000 + nanoseconds
    sign = "-" if total_ns < 0 else ""
    hours, rest = divmod(abs(total_ns), 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    whole, fraction = divmod(rest, 1_000_000_000)
    second_text = f"{whole}.{fraction:09d}".rstrip("0").rstrip(".") if fraction else str(whole)
    time_part = "".join(f"{sign}{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if whole or fraction:
        time_part += f"{sign}{second_text}S"
    if not date_part and not time_part:
        return "PT0S"
    return "P" + date_part + ("T" + time_part if time_part else "")


def _ladybug_id(internal: Any) -> str:
    if isinstance(internal, dict):
        return f"{internal.get('table')}:{internal.get('offset')}"
    return str(internal)


def _neo4j_value(value: Any) -> Any:
    """A Neo4j driver value: graph elements, temporal and spatial types (their modules are loaded)."""
    from neo4j.graph import Node, Path, Relationship
    from neo4j.spatial import Point
    from neo4j.time import Duration

    if isinstance(value, Node):
        label = sorted(set(value.labels) - {"KbManaged"})
        return {"_label": label[0] if label else "", "_key": value.element_id,
                **{k: plain_value(v) for k, v in value.items() if not k.startswith("kb_")}}
    if isinstance(value, Relationship):
        return {"_type": value.type, "_start": value.start_node.element_id, "_end": value.end_node.element_id,
                **{k: plain_value(v) for k, v in value.items() if not k.startswith("kb_")}}
    if isinstance(value, Path):
        return {"_path": [plain_value(n) for n in value.nodes] + [plain_value(r) for r in value.relationships]}
    if isinstance(value, Duration):
        return _iso_duration(value.months, value.days, value.seconds, value.nanoseconds)
    if isinstance(value, Point):
        axes = ("x", "y", "z") if value.srid in (7203, 9157) else ("longitude", "latitude", "height")
        return {"srid": value.srid, **dict(zip(axes, (float(c) for c in value), strict=False))}
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime (with their time zone)
        return value.iso_format()
    return str(value)


def graph_elements(result: ConsoleResult) -> tuple[list[dict], list[dict]]:
    """The nodes and relationships found anywhere in a result, for drawing it as a graph."""
    nodes: dict[str, dict] = {}
    rels: list[dict] = []

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            if "_label" in value and "_key" in value:
                nodes.setdefault(value["_key"], value)
            elif "_type" in value and "_start" in value:
                rels.append(value)
            for inner in value.values():
                if isinstance(inner, (list, dict)):
                    visit(inner)
        elif isinstance(value, list):
            for inner in value:
                visit(inner)

    for row in result.rows:
        visit(row)
    return list(nodes.values()), [r for r in rels if r["_start"] in nodes and r["_end"] in nodes]


# --- parameters -------------------------------------------------------------------------------

MAX_PARAM_DEPTH = 8
MAX_PARAM_ITEMS = 1000
MAX_PARAM_TEXT = 10_000
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def validate_params(raw: str) -> dict[str, Any]:
    """Parse the console's ``params`` field: a JSON object of names to values, within limits.

    Values may be text, whole or finite decimal numbers, true/false, null, and lists or objects
    of those, nested at most :data:`MAX_PARAM_DEPTH` deep.  A list must hold one kind of value (the
    engines cannot type ``[1, "a"]``).  Anything else is a :class:`QueryError` saying what to fix.

    >>> validate_params('{"id": "zappos", "n": 3, "tags": ["a", "b"]}')
    {'id': 'zappos', 'n': 3, 'tags': ['a', 'b']}
    >>> validate_params('{"x": 1e999}')
    Traceback (most recent call last):
    ...
    kb.problems.QueryError: Parameter x: numbers must be finite (got 1e999 or a similar overflow).
    """
    raw = raw.strip()
    if not raw:
        return {}
    if len(raw) > MAX_PARAM_TEXT:
        raise QueryError(f"The parameters are longer than {MAX_PARAM_TEXT:,} characters.")
    depth = current = 0
    in_string = escaped = False
    for char in raw:  # measured before parsing, so that deep nesting never reaches the JSON parser's recursion
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            current += 1
            depth = max(depth, current)
        elif char in "]}":
            current -= 1
    if depth > MAX_PARAM_DEPTH + 1:
        raise QueryError(f"Parameters may be nested at most {MAX_PARAM_DEPTH} levels deep.")

    def refuse_constant(name: str) -> float:
        raise QueryError(f"Parameters must be JSON: {name} is not a JSON number.")

    try:
        params = json.loads(raw, parse_constant=refuse_constant)
    except json.JSONDecodeError as err:
        raise QueryError(f"params must be a JSON object, e.g. {{\"id\": \"zappos\"}} ({err.msg} at "
                         f"character {err.pos + 1}).") from None
    if not isinstance(params, dict):
        raise QueryError("params must be a JSON object, e.g. {\"id\": \"zappos\"}.")
    for name, value in params.items():
        if not _PARAM_NAME.fullmatch(name):
            raise QueryError(f"Parameter name {name[:40]!r} is not a valid name (letters, digits and _).")
        _check_value(name, value)
    return params


def _check_value(name: str, value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise QueryError(f"Parameter {name}: numbers must be finite (got 1e999 or a similar overflow).")
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise QueryError(f"Parameter {name}: whole numbers must fit in 64 bits.")
    if isinstance(value, list):
        if len(value) > MAX_PARAM_ITEMS:
            raise QueryError(f"Parameter {name}: lists may hold at most {MAX_PARAM_ITEMS:,} values.")
        kinds = {_kind(v) for v in value if v is not None} - {"list of nothing"}
        if len(kinds) > 1:
            raise QueryError(f"Parameter {name}: a list must hold values of one kind (got {', '.join(sorted(kinds))}).")
        for item in value:
            _check_value(name, item)
    elif isinstance(value, dict):
        if len(value) > MAX_PARAM_ITEMS:
            raise QueryError(f"Parameter {name}: objects may hold at most {MAX_PARAM_ITEMS:,} keys.")
        for key, item in value.items():
            _check_value(f"{name}.{key}", item)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        inner = sorted({_kind(v) for v in value if v is not None})
        return f"list of {' and '.join(inner) or 'nothing'}"
    return "object"


# --- results and messages ---------------------------------------------------------------------

def json_ready(value: Any) -> Any:
    """A plain value as strict JSON can carry it: infinite and NaN floats become text.

    >>> json_ready([1.5, float("inf"), {"x": float("nan")}])
    [1.5, 'Infinity', {'x': 'NaN'}]
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    return value


def read_capped(rows: Any, row_cap: int, byte_cap: int = 0) -> tuple[list[list[Any]], bool, list[str]]:
    """Rows of an engine result (``has_next``/``get_next``, or an iterable of value lists), cut at a cap.

    Returns the JSON-ready rows, whether they were cut, and a note saying which cap cut them.
    ``byte_cap`` (0: none) bounds the rows' size as JSON, so that a few huge values cannot make a
    response of many megabytes.

    >>> read_capped([[1], ["x" * 100], [3]], row_cap=10, byte_cap=50)
    ([[1]], True, ["The result was cut at 50 bytes (the console's size cap)."])
    """
    taken: list[list[Any]] = []
    size = 0
    iterator = iter(_engine_rows(rows))
    for row in iterator:
        if len(taken) == row_cap:
            return taken, True, []
        values = json_ready([plain_value(v) for v in row])
        size += len(json.dumps(values, ensure_ascii=False, default=str))
        if byte_cap and size > byte_cap:
            return taken, True, [f"The result was cut at {byte_cap:,} bytes (the console's size cap)."]
        taken.append(values)
    return taken, False, []


def _engine_rows(rows: Any):
    if hasattr(rows, "has_next"):
        while rows.has_next():
            yield rows.get_next()
    else:
        for row in rows:
            yield list(row.values()) if hasattr(row, "values") and not isinstance(row, list) else row


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~<>-])/(?:[\w.@+~-]+/)*[\w.@+~-]+/?")


def scrub_paths(message: str) -> str:
    """A message without absolute file paths (they would reveal where the site keeps its files).

    >>> scrub_paths("Cannot open file /srv/kb/.kb/store/x.csv: Permission denied; see http://a.org/b")
    'Cannot open file <path>: Permission denied; see http://a.org/b'
    """
    return _ABSOLUTE_PATH.sub("<path>", message)


#: Longest error message the console shows: an engine repeats what it failed on, which a query can make
#: megabytes long (``RETURN error(repeat('<', 10000000))``).
MAX_ERROR_CHARS = 2000


def error_chars(byte_cap: int) -> int:
    """The error cap that goes with a result byte cap: the smaller of it and :data:`MAX_ERROR_CHARS`."""
    return min(byte_cap, MAX_ERROR_CHARS) if byte_cap > 0 else MAX_ERROR_CHARS


def cap_message(message: str, limit: int = MAX_ERROR_CHARS, total: int | None = None) -> str:
    """``message`` cut at ``limit`` characters, saying so, like results at the console's caps.

    ``total`` is the length of the original message when ``message`` is already a part of it.

    >>> cap_message("x" * 5000, 10)
    'xxxxxxxxxx… (the message was cut at 10 of 5,000 characters)'
    """
    total = max(total or 0, len(message))
    if total <= limit:
        return message
    return f"{message[:limit]}… (the message was cut at {limit:,} of {total:,} characters)"


def engine_message(message: str, timeout_ms: int, memory_mb: int | None = None,
                   limit: int = MAX_ERROR_CHARS) -> str:
    """An engine's error as the console shows it: plain words for limits, no file paths, at most ``limit``
    characters (see :func:`error_chars`)."""
    if "Interrupted" in message:
        return f"The query ran longer than {timeout_ms / 1000:g} s and was stopped."
    if "bad_alloc" in message or "Unable to allocate" in message or "out of memory" in message.lower():
        cap = f" ({memory_mb:,} MB)" if memory_mb else ""
        return f"The query needed more memory than the console allows{cap} and was stopped."
    # Only the start is scrubbed: the rest is cut anyway, and a regex over megabytes would take a while.
    return cap_message(scrub_paths(message[:2 * limit]), limit, total=len(message))
