"""The researchers' read-only Cypher console: guard, run with limits, and plain results.

Three layers keep the console read-only, so that no single mistake opens it:

1. :func:`check_read_only` refuses, before anything runs, text that writes, changes the schema,
   reads files or URLs (``LOAD CSV``, ``LOAD FROM``, ``COPY``) or calls procedures other than a
   few harmless catalogue ones;
2. each store runs console queries through a read-only path (LadybugDB opened read-only; Neo4j
   sessions in READ access mode, plus an ``EXPLAIN`` check that the plan is read-only);
3. every query has a time limit and a row cap, and results are streamed and cut at the cap.

>>> check_read_only("MATCH (o:Organisation) RETURN o.name LIMIT 5")
>>> check_read_only("MATCH (o) DETACH DELETE o")
Traceback (most recent call last):
...
kb.problems.QueryError: Only read queries can run here: DELETE is not allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kb.problems import QueryError

__all__ = ["ConsoleResult", "check_read_only", "graph_elements", "plain_value"]

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
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
MAX_QUERY_CHARS = 5000
#: range() builds its whole list before a time limit can stop it, so its size is capped.
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
    bare = _STRINGS_AND_COMMENTS.sub(" ", cypher)
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


def _check_ranges(bare: str) -> None:
    for arguments in _RANGE.findall(bare):
        bounds = [part.strip() for part in arguments.split(",")]
        if len(bounds) < 2 or not all(re.fullmatch(r"-?\d+", b) for b in bounds[:2]):
            raise QueryError("range() needs literal whole-number bounds in the console, e.g. range(1, 100).")
        if abs(int(bounds[1]) - int(bounds[0])) > MAX_RANGE:
            raise QueryError(f"range() may span at most {MAX_RANGE:,} values in the console.")


def plain_value(value: Any) -> Any:
    """Turn a driver or engine value (node, relationship, path, temporal) into JSON-ready data."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        if "_LABEL" in value and ("_SRC" in value or "_src" in value):  # LadybugDB relationship
            props = {k: plain_value(v) for k, v in value.items() if not k.startswith("_")}
            return {"_type": value["_LABEL"], "_start": _ladybug_id(value.get("_SRC") or value.get("_src")),
                    "_end": _ladybug_id(value.get("_DST") or value.get("_dst")), **props}
        if "_LABEL" in value:  # LadybugDB node
            props = {k: plain_value(v) for k, v in value.items() if not k.startswith("_")}
            return {"_label": value["_LABEL"], "_key": _ladybug_id(value.get("_ID")), **props}
        if "_NODES" in value:  # LadybugDB recursive path
            return {"_path": [plain_value(n) for n in value["_NODES"]] + [plain_value(r) for r in value["_RELS"]]}
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    return _neo4j_value(value)


def _ladybug_id(internal: Any) -> str:
    if isinstance(internal, dict):
        return f"{internal.get('table')}:{internal.get('offset')}"
    return str(internal)


def _neo4j_value(value: Any) -> Any:
    try:
        from neo4j.graph import Node, Path, Relationship
    except ImportError:  # pragma: no cover - the driver is a requirement
        return str(value)
    if isinstance(value, Node):
        label = sorted(set(value.labels) - {"KbManaged"})
        return {"_label": label[0] if label else "", "_key": value.element_id,
                **{k: plain_value(v) for k, v in value.items() if not k.startswith("kb_")}}
    if isinstance(value, Relationship):
        return {"_type": value.type, "_start": value.start_node.element_id, "_end": value.end_node.element_id,
                **{k: plain_value(v) for k, v in value.items() if not k.startswith("kb_")}}
    if isinstance(value, Path):
        return {"_path": [plain_value(n) for n in value.nodes] + [plain_value(r) for r in value.relationships]}
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
