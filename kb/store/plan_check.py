"""Is this console query a single read?  Decided from the engine's own plan, never from its words.

Each engine parses and plans the query (LadybugDB: ``EXPLAIN``; Neo4j: ``EXPLAIN`` and its result
summary), so backticks, escapes, comments, unicode and nesting are already resolved: a procedure
written ```db`.`stats`.`retrieve``` is planned as ``db.stats.retrieve``.  The plan must then consist
of read operators only (an allow-list), and every procedure or table function it calls must be one
of the few that describe the catalogue.

>>> check_ladybug_plan(LADYBUG_EXAMPLE_PLAN)
>>> check_ladybug_plan(LADYBUG_EXAMPLE_PLAN.replace("SHOW_TABLES", "READ_CSV_PARALLEL"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kb.problems.QueryError: Only read queries can run here: this query reads a file or calls READ_CSV_PARALLEL, ...
"""

from __future__ import annotations

import re
from typing import Any

from kb.problems import QueryError

__all__ = ["LADYBUG_READ_OPERATORS", "LADYBUG_TABLE_FUNCTIONS", "NEO4J_PROCEDURES", "check_ladybug_plan",
           "check_neo4j_plan"]

#: LadybugDB physical operators that only read the graph (collected from the plans of every named
#: and example query, and the console's documented features).
LADYBUG_READ_OPERATORS = frozenset({
    "RESULT_COLLECTOR", "PROJECTION", "FILTER", "FLATTEN", "LIMIT", "SKIP", "UNWIND", "CROSS_PRODUCT",
    "SCAN_NODE_TABLE", "SCAN_REL_TABLE", "PRIMARY_KEY_SCAN_NODE_TABLE", "QUERY_PRIMARY_KEY_LOOKUP",
    "HASH_JOIN_BUILD", "HASH_JOIN_PROBE", "INTERSECT_BUILD", "INTERSECT", "SEMI_MASKER", "MULTIPLICITY_REDUCER",
    "AGGREGATE", "AGGREGATE_FINALIZE", "AGGREGATE_SCAN", "ORDER_BY", "ORDER_BY_MERGE", "ORDER_BY_SCAN",
    "TOP_K", "TOP_K_SCAN", "UNION_ALL_SCAN", "RECURSIVE_EXTEND", "PATH_PROPERTY_PROBE", "DUMMY_SINK",
    "DUMMY_SCAN", "EMPTY_RESULT", "TABLE_FUNCTION_CALL",
})
#: Table functions (``CALL f() RETURN ...``) a console query may use: the catalogue, and the
#: engine's internal reader of intermediate results.
LADYBUG_TABLE_FUNCTIONS = frozenset({"SHOW_TABLES", "TABLE_INFO", "SHOW_CONNECTION", "SHOW_FUNCTIONS"})
_LADYBUG_INTERNAL_FUNCTIONS = frozenset({"READ_FTABLE"})
_LADYBUG_OPERATOR = re.compile(r"│\s*([A-Z][A-Z0-9_]*)\[\d+\]\s*│")
_LADYBUG_FUNCTION = re.compile(r"│\s*Function: (\S+)\s*│")

#: Neo4j procedures that describe the catalogue, by their resolved names.
NEO4J_PROCEDURES = frozenset({"db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
                              "db.schema.nodeTypeProperties", "db.schema.relTypeProperties"})
#: Neo4j SHOW commands that describe the catalogue (plan operator names).
_NEO4J_SHOW_ALLOWED = frozenset({"ShowIndexes", "ShowConstraints"})
#: Neo4j plan operators that a read query never needs (besides ``query_type`` not being "r").
_NEO4J_REFUSED = re.compile(r"^(LoadCSV|ProcedureCall|Show\w+|Terminate\w+|\w*Transaction\w*|System\w*|"
                            r"Create\w*|Merge\w*|Set\w*|Delete\w*|DetachDelete\w*|Remove\w*|Foreach\w*|"
                            r"Eager\w*Apply|Administration\w*|Assert\w*|\w*Command\w*)$")
_NEO4J_PROCEDURE_NAME = re.compile(r"^\s*([\w.]+)\s*\(")


def check_ladybug_plan(plan: str) -> None:
    """Raise :class:`QueryError` unless LadybugDB's ``EXPLAIN`` text shows a read-only plan."""
    operators = _LADYBUG_OPERATOR.findall(plan)
    functions = _LADYBUG_FUNCTION.findall(plan)
    if not operators:
        raise QueryError("Only read queries can run here: the query engine did not plan this as a query.")
    for operator in operators:
        if operator not in LADYBUG_READ_OPERATORS:
            raise QueryError(f"Only read queries can run here: this statement needs {operator.replace('_', ' ')}, "
                             "which the console does not allow.")
    calls = operators.count("TABLE_FUNCTION_CALL") + operators.count("STANDALONE_CALL")
    if len(functions) < calls:
        raise QueryError("Only read queries can run here: the query engine did not say which function this calls.")
    for function in functions:
        name = function.upper()
        if name not in LADYBUG_TABLE_FUNCTIONS and name not in _LADYBUG_INTERNAL_FUNCTIONS:
            raise QueryError(f"Only read queries can run here: this query reads a file or calls {function}, which "
                             f"the console does not allow (allowed: "
                             f"{', '.join(sorted(f.lower() for f in LADYBUG_TABLE_FUNCTIONS))}).")


def check_neo4j_plan(query_type: str | None, plan: dict[str, Any] | None) -> None:
    """Raise :class:`QueryError` unless Neo4j's ``EXPLAIN`` summary shows a single read query.

    ``query_type`` must be ``"r"`` (read only), and no operator of the plan may load files, call a
    procedure other than the catalogue ones (``db.labels``...), run a SHOW command other than
    ``SHOW INDEXES``/``SHOW CONSTRAINTS``, or administer the server.

    >>> check_neo4j_plan("r", {"operatorType": "ProduceResults@neo4j", "children": [
    ...     {"operatorType": "ProcedureCall@neo4j", "args": {"Details": "db.labels() :: (label :: STRING)"}}]})
    >>> check_neo4j_plan("r", {"operatorType": "ProcedureCall@neo4j",
    ...                        "args": {"Details": "db.stats.retrieve($autostring_0) :: (...)"}})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kb.problems.QueryError: Procedure calls are not allowed here (db.stats.retrieve); allowed: db.labels, ...
    """
    if query_type != "r":
        raise QueryError("Only read queries can run here: Neo4j plans this query as a write or a schema or "
                         "administration command.")
    if plan is None:
        raise QueryError("Only read queries can run here: Neo4j gave no plan for this query.")
    stack = [plan]
    while stack:
        operator = stack.pop()
        name = str(operator.get("operatorType", "")).split("@")[0]
        arguments = operator.get("args") or operator.get("arguments") or {}
        if name == "ProcedureCall":
            details = str(arguments.get("Details") or arguments.get("Signature") or "")
            match = _NEO4J_PROCEDURE_NAME.match(details)
            procedure = match.group(1) if match else details
            if procedure not in NEO4J_PROCEDURES:
                raise QueryError(f"Procedure calls are not allowed here ({procedure}); "
                                 f"allowed: {', '.join(sorted(NEO4J_PROCEDURES))}.")
        elif name in _NEO4J_SHOW_ALLOWED:
            pass
        elif _NEO4J_REFUSED.match(name):
            what = "reading files or URLs (LOAD CSV)" if name == "LoadCSV" else name
            raise QueryError(f"Only read queries can run here: {what} is not allowed in the console.")
        stack.extend(operator.get("children") or [])


LADYBUG_EXAMPLE_PLAN = """
┌─────────────────────────────┐
│     RESULT_COLLECTOR[2]     │
└──────────────┬──────────────┘
┌──────────────┴──────────────┐
│        PROJECTION[1]        │
└──────────────┬──────────────┘
┌──────────────┴──────────────┐
│   TABLE_FUNCTION_CALL[0]    │
│   -----------------------   │
│    Function: SHOW_TABLES    │
└─────────────────────────────┘
"""
