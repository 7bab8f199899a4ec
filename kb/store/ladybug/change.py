"""A small change as a new generation: a copy of the current database, changed in one transaction.

The new generation (:class:`~kb.store.ladybug.generations.GenerationCopy`: the database file linked,
or copied when the change will checkpoint, and a copy of its write-ahead log) is changed with
parameterised Cypher in one transaction, the totals of the tables it wrote to checked, then switched to.
LadybugDB rewrites whole column chunks at a checkpoint (seconds at 10,000 cases, for one changed
case), so the update is committed to the log and not checkpointed: readers replay the log when
they open the generation (about 0.7 ms per kB of log).  Once the log has grown past
:data:`~kb.store.ladybug.generations.MAX_WAL_BYTES` (some twenty edits), the load that passes it
checkpoints, on a real copy.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ladybug

from kb.graph.rows import GraphRows
from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from kb.problems import StoreError
from kb.store.ladybug import generations
from kb.store.ladybug.generations import (
    MAX_DB_BYTES,
    GenerationCopy,
    remove_old_generations,
    switch_pointer,
)

if TYPE_CHECKING:
    from kb.store.keyed_manifest import KeyedManifest, ManifestUpdate
    from kb.store.manifest import StoreChange

__all__ = ["apply_change", "change_statements"]

def apply_change(store: Path, change: StoreChange, manifest: KeyedManifest, update: ManifestUpdate,
                 copy: GenerationCopy | None = None) -> Path:
    """Apply an incremental change to a copy of the current generation and switch to it.

    The copy is changed in one transaction; before it commits, its node and relationship totals
    are compared with the totals the change should give, and any difference rolls it back.  The
    commit goes to the write-ahead log (see the module docstring).  The manifest's ``update`` is
    written in a transaction of its own around that, committed after the database's, then the
    generation is named in ``CURRENT``.  On any failure the copy is removed, the manifest's
    transaction rolled back, and readers keep the previous generation.
    """
    copy = copy or GenerationCopy.start(store)
    try:
        with manifest.updating(update, copy.generation):
            _apply_statements(copy.wait(), change)
        switch_pointer(store, copy.generation)
    except BaseException:
        copy.discard()
        raise
    remove_old_generations(store, keep=copy.generation)
    return copy.target


def _apply_statements(path: Path, change: StoreChange) -> None:
    nodes, rels = change.nodes, change.rels
    database = ladybug.Database(str(path), auto_checkpoint=False, max_db_size=MAX_DB_BYTES)
    connection = ladybug.Connection(database)
    try:
        # Commit to the log only: a checkpoint would rewrite whole column chunks (see the module doc).
        connection.execute("CALL force_checkpoint_on_close=false")
        connection.execute("BEGIN TRANSACTION")
        change = _difference(connection, change)
        for cypher, params in change_statements(change, _existing(connection, change.upserts)):
            connection.execute(cypher, params)
        labels, types = touched_tables(change)
        found_nodes, found_rels = _totals(connection, labels, types)
        if found_nodes != _only(nodes, labels) or found_rels != _only(rels, types):
            connection.execute("ROLLBACK")
            raise StoreError(f"changed store generation does not add up: nodes {nodes} expected, {found_nodes} "
                             f"found; relationships {rels} expected, {found_rels} found")
        connection.execute("COMMIT")
        wal = path.with_name(path.name + ".wal")
        # The log has grown: fold it in once, for every reader's sake; never into a file shared by
        # hard link with the previous generation (GenerationCopy links only while the log is short).
        if wal.exists() and wal.stat().st_size > generations.MAX_WAL_BYTES and path.stat().st_nlink == 1:
            connection.execute("CHECKPOINT")
    except RuntimeError as err:
        raise StoreError(f"incremental update failed: {err}") from err
    finally:
        connection.close()
        database.close()


def touched_tables(change: StoreChange) -> tuple[set[str], set[str]]:
    """The node labels and relationship types whose totals the change's statements can alter.

    The others are not counted after a change: no statement writes to them, so their totals stand.
    A deleted node takes every relationship type that can end or start at its label with it.
    """
    deleted = {label for label, ids in change.removed.items() if ids}
    if change.rewired:
        deleted |= {"Figure", "Claim", "View"}
    labels = deleted | {label for label, rows in change.upserts.items() if rows} | set(change.rows.nodes)
    types = {rel.type for rel in change.rows.rels} | {unlinked[0] for unlinked in change.unlinked}
    types |= {rel_type for rel_type, ends in REL_ENDPOINTS.items()
              if any(start in deleted or end in deleted or (start == "Organisation" and change.rewired)
                     for start, end in ends)}
    return labels, types


def _only(totals: dict[str, int], tables: set[str]) -> dict[str, int]:
    return {k: v for k, v in totals.items() if k in tables and v}


def _totals(connection: ladybug.Connection, labels: set[str], types: set[str]) -> tuple[dict[str, int],
                                                                                       dict[str, int]]:
    """Nodes per label and relationships per type, of the given ones (zeros left out).

    One count per table: LadybugDB answers those from table statistics (about 40 ms for all of
    them at 10,000 cases), where one ``MATCH ()-[r]->()`` grouped by type scans every relationship.
    """
    def count(cypher: str) -> int:
        return connection.execute(cypher).get_next()[0]

    nodes = {label: count(f"MATCH (n:{label}) RETURN count(*)") for label in NODE_PROPERTIES if label in labels}
    rels = {rel_type: count(f"MATCH ()-[r:{rel_type}]->() RETURN count(*)") for rel_type in REL_ENDPOINTS
            if rel_type in types}
    return {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}


def _existing(connection: ladybug.Connection, upserts: dict[str, list[dict]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Which of the nodes to create or update are in the graph already, and which of their properties
    differ (label -> id -> property names): only those are set, so that the log holds only them."""
    existing: dict[str, dict[str, tuple[str, ...]]] = {}
    for label, rows in upserts.items():
        if not rows:
            continue
        props = NODE_PROPERTIES[label]
        names = list(props)
        found = connection.execute(f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN "
                                   + ", ".join(f"n.{name}" for name in names), {"ids": [row["id"] for row in rows]})
        held = {row[0]: _comparable(dict(zip(names, row, strict=True)), props) for row in found.get_all()}
        existing[label] = {}
        for row in rows:
            if row["id"] in held:
                wanted = _comparable(row, props)
                existing[label][row["id"]] = tuple(name for name, before, after in zip(names, held[row["id"]], wanted,
                                                                                       strict=True) if before != after)
    return existing


def change_statements(change: StoreChange, existing: dict[str, dict[str, tuple[str, ...]]]) -> list[tuple[str,
                                                                                                  dict[str, Any]]]:
    """Parameterised Cypher for a change, in the order :class:`kb.store.manifest.StoreChange` describes.

    ``existing`` names the upserted nodes the graph has already, with the properties that differ
    (label -> id -> names): those properties are set, the other nodes created.  Labels, types and
    property names come from the graph schema; every value is a parameter.  One statement per label,
    and per relationship type and pair of labels, over a list of rows: ``UNWIND $rows AS row MATCH
    (a:L {id: row.from_id}) MATCH (b:M {id: row.to_id})`` finds each end through the primary-key
    index (about a millisecond for thirty relationships, where one statement each took about as long
    per relationship), and each distinct statement is prepared once (5-10 ms).  What must not scan
    a table is written so that it does not: both ends in one ``MATCH`` join two scans (half a second
    for thirty sources), ``MERGE`` over a list scans the label (40 ms for the sources), and ``UNWIND``
    before an organisation's relationships scans them all; so a changed organisation's figures,
    claims and views are found from it, not by file.
    """
    statements: list[tuple[str, dict[str, Any]]] = []
    for org_id in change.rewired:  # its figures, claims and their views, then its own relationships
        for pattern in ("[:HAS_CLAIM|REPORTS_CLAIM]->(:Claim)-[:HAS_VIEW]->(n:View)",
                        "[:HAS_CLAIM|REPORTS_CLAIM]->(n:Claim)", "[:HAS_FIGURE|REPORTS_FIGURE]->(n:Figure)"):
            statements.append((f"MATCH (o:Organisation {{id: $id}})-{pattern} DETACH DELETE n", {"id": org_id}))
        statements.append(("MATCH (o:Organisation {id: $id})-[r]->() DELETE r", {"id": org_id}))
    for label, ids in change.removed.items():
        if ids:
            statements.append((f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) DETACH DELETE n", {"ids": list(ids)}))
    for rel_type, start, start_id, end, end_id in change.unlinked:
        statements.append((f"MATCH (a:{start} {{id: $a}})-[r:{rel_type}]->(b:{end} {{id: $b}}) DELETE r",
                           {"a": start_id, "b": end_id}))
    for label, rows in change.upserts.items():
        props = NODE_PROPERTIES[label]
        known = existing.get(label, {})
        by_names: dict[tuple[str, ...], list[dict]] = {}
        for row in rows:
            if known.get(row["id"]):
                by_names.setdefault(known[row["id"]], []).append(row)
        for names, updated in by_names.items():
            sets = ", ".join(f"n.{name} = {_typed(name, props[name])}" for name in names)
            statements.append((f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) SET {sets}",
                               {"rows": [{"id": row["id"], **_params(row, {n: props[n] for n in names})}
                                         for row in updated]}))
        created = [row for row in rows if row["id"] not in known]
        if created:
            statements.append(_create_nodes(label, created))
    for label, rows in change.rows.nodes.items():
        if rows:
            statements.append(_create_nodes(label, rows))
    values = ", ".join(f"{name}: {_typed(name, kind)}" for name, kind in REL_PROPERTIES.items())
    by_kind: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rel in change.rows.rels:
        by_kind.setdefault((rel.type, rel.start_label, rel.end_label), []).append(
            {"from_id": rel.start, "to_id": rel.end, **_params(rel.props, REL_PROPERTIES)})
    for (rel_type, start, end), rows in by_kind.items():
        statements.append((f"UNWIND $rows AS row MATCH (a:{start} {{id: row.from_id}}) "
                           f"MATCH (b:{end} {{id: row.to_id}}) CREATE (a)-[:{rel_type} {{{values}}}]->(b)",
                           {"rows": rows}))
    return statements


_PARTS = "HAS_CLAIM|REPORTS_CLAIM|HAS_FIGURE|REPORTS_FIGURE"  # an organisation's own claims and figures


def _difference(connection: ladybug.Connection, change: StoreChange) -> StoreChange:
    """``change`` reduced to what differs from the graph: an edited case keeps what it had and wrote again.

    A case changed in place (the same id before and after) had all its part of the graph deleted and
    created again: some 80 rows in the write-ahead log (about 55 kB) even when one sentence of its
    summary changed, and every later reload replays the log when it opens the generation.  Its
    figures, claims, views and relationships are read from the graph and compared with the rows:
    only those that differ are deleted and created (a node that differs, with its relationships);
    :func:`_existing` then sets only the properties of upserted nodes that differ.  Cases deleted or
    renamed are deleted whole.
    """
    upserted = {row["id"] for row in change.upserts.get("Organisation", [])}
    in_place = [org_id for org_id in change.rewired if org_id in upserted]
    if not in_place:
        return change
    old_nodes: dict[tuple[str, str], dict] = {}
    old_rels: dict[tuple[str, str, str, str, str], list] = {}
    for org_id in in_place:
        _read_part(connection, org_id, old_nodes, old_rels)
    new_nodes = {(label, row["id"]): row for label, rows in change.rows.nodes.items() for row in rows}
    renewed = {key for key in old_nodes.keys() | new_nodes.keys()
               if key not in old_nodes or key not in new_nodes
               or _comparable(old_nodes[key], NODE_PROPERTIES[key[0]]) != _comparable(new_nodes[key],
                                                                                        NODE_PROPERTIES[key[0]])}
    new_rels: dict[tuple[str, str, str, str, str], list] = {}
    for rel in change.rows.rels:
        new_rels.setdefault((rel.type, rel.start_label, rel.start, rel.end_label, rel.end), []).append(rel)
    kept_rels, unlinked = [], []
    for key in old_rels.keys() | new_rels.keys():
        ends = {(key[1], key[2]), (key[3], key[4])}
        if ends & renewed:  # deleted with a node that differs, or to a new one: created again
            kept_rels += new_rels.get(key, [])
            continue
        old = sorted(old_rels.get(key, []), key=repr)
        new = sorted((_comparable(rel.props, REL_PROPERTIES) for rel in new_rels.get(key, [])), key=repr)
        if old != new:
            unlinked += [key] if key in old_rels else []
            kept_rels += new_rels.get(key, [])
    removed = {label: list(ids) for label, ids in change.removed.items()}
    for label, node_id in sorted(renewed & old_nodes.keys()):
        removed.setdefault(label, []).append(node_id)
    rows = GraphRows({label: [row for row in rows if (label, row["id"]) in renewed]
                      for label, rows in change.rows.nodes.items()}, kept_rels)
    return replace(change, rewired=[org_id for org_id in change.rewired if org_id not in in_place],
                   removed=removed, unlinked=sorted(unlinked), rows=rows)


def _read_part(connection: ladybug.Connection, org_id: str, nodes: dict, rels: dict) -> None:
    """An organisation's figures, claims and views (by label and id) and the relationships from it and them."""
    rel_props = ", ".join(f"r.{name}" for name in REL_PROPERTIES)
    for start, pattern in (("o", "(o:Organisation {id: $id})-[r]->(b)"),
                           ("n", f"(o:Organisation {{id: $id}})-[:{_PARTS}]->(n)-[r]->(b)")):
        found = connection.execute(f"MATCH {pattern} RETURN label({start}), {start}.id, label(r), label(b), b.id, "
                                   f"{rel_props}", {"id": org_id})
        for row in found.get_all():
            props = dict(zip(REL_PROPERTIES, row[5:], strict=True))
            rels.setdefault((row[2], row[0], row[1], row[3], row[4]), []).append(_comparable(props, REL_PROPERTIES))
    for label, pattern in (("Figure", f"[:{_PARTS}]->(n:Figure)"), ("Claim", f"[:{_PARTS}]->(n:Claim)"),
                           ("View", f"[:{_PARTS}]->(:Claim)-[:HAS_VIEW]->(n:View)")):
        names = list(NODE_PROPERTIES[label])
        found = connection.execute(f"MATCH (o:Organisation {{id: $id}})-{pattern} RETURN "
                                   + ", ".join(f"n.{name}" for name in names), {"id": org_id})
        for row in found.get_all():
            nodes[(label, row[0])] = dict(zip(names, row, strict=True))


def _comparable(row: dict[str, Any], props: dict[str, str]) -> tuple:
    """A row's values as the graph gives them back: null for an empty string or list, lists as tuples."""
    values = []
    for name, kind in props.items():
        value = _value(row.get(name), kind)
        values.append(None if value == [] else tuple(value) if isinstance(value, list) else value)
    return tuple(values)


def _create_nodes(label: str, rows: list[dict]) -> tuple[str, dict[str, Any]]:
    props = NODE_PROPERTIES[label]
    values = ", ".join(f"{name}: {_typed(name, kind)}" for name, kind in props.items())
    return f"UNWIND $rows AS row CREATE (n:{label} {{{values}}})", {"rows": [_params(row, props) for row in rows]}


def _typed(name: str, kind: str) -> str:
    # Casts: a null (or an empty list) would otherwise be typed as the parameter's guess, not the column's.
    return f"CAST(row.{name} AS {kind})"


def _params(row: dict[str, Any], props: dict[str, str]) -> dict[str, Any]:
    """Values as a bulk load stores them (COPY reads an empty string as null), each of its column's type:
    the rows of one statement are one list, whose items must agree on their fields' types."""
    return {name: _value(row.get(name), kind) for name, kind in props.items()}


def _value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == "STRING[]":
        return list(value)
    if kind == "DOUBLE":
        return float(value)
    return value
