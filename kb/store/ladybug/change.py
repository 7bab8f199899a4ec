"""A small change as a new generation: a copy of the current database, changed in one transaction.

The new generation (:class:`~kb.store.ladybug.generations.GenerationCopy`: the database file linked,
or copied when the change will checkpoint, and a copy of its write-ahead log) is changed with
parameterised Cypher in one transaction, its totals checked, then switched to.
LadybugDB rewrites whole column chunks at a checkpoint (seconds at 10,000 cases, for one changed
case), so the update is committed to the log and not checkpointed: readers replay the log when
they open the generation (about 0.7 ms per kB of log).  Once the log has grown past
:data:`~kb.store.ladybug.generations.MAX_WAL_BYTES` (some twenty edits), the load that passes it
checkpoints, on a real copy.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ladybug

from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from kb.problems import StoreError
from kb.store.ladybug import generations
from kb.store.ladybug.generations import (
    MAX_DB_BYTES,
    GenerationCopy,
    remove_old_generations,
    switch_pointer,
    write_manifest,
)

if TYPE_CHECKING:
    from kb.store.manifest import Manifest, StoreChange

__all__ = ["apply_change", "change_statements"]

def apply_change(store: Path, change: StoreChange, manifest: Manifest, copy: GenerationCopy | None = None) -> Path:
    """Apply an incremental change to a copy of the current generation and switch to it.

    The copy is changed in one transaction; before it commits, its node and relationship totals
    are compared with the totals the change should give, and any difference rolls it back.  The
    commit goes to the write-ahead log (see the module docstring); only then is the generation
    named in ``CURRENT``.  On any failure the copy is removed and readers keep the previous one.
    """
    copy = copy or GenerationCopy.start(store)
    try:
        manifest_writer = threading.Thread(target=write_manifest, args=(copy.folder, manifest), daemon=True)
        manifest_writer.start()  # pickling overlaps the database work, which runs outside the GIL
        _apply_statements(copy.wait(), change_statements(change), change.nodes, change.rels)
        manifest_writer.join()
        if not (copy.folder / _manifest_name()).exists():
            raise StoreError("could not write the manifest of the new generation")
        switch_pointer(store, copy.generation)
    except BaseException:
        copy.discard()
        raise
    remove_old_generations(store, keep=copy.generation)
    return copy.target


def _manifest_name() -> str:
    from kb.store.manifest import MANIFEST

    return MANIFEST


def _apply_statements(path: Path, statements: list[tuple[str, dict[str, Any]]], nodes: dict[str, int],
                      rels: dict[str, int]) -> None:
    database = ladybug.Database(str(path), auto_checkpoint=False, max_db_size=MAX_DB_BYTES)
    connection = ladybug.Connection(database)
    try:
        # Commit to the log only: a checkpoint would rewrite whole column chunks (see the module doc).
        connection.execute("CALL force_checkpoint_on_close=false")
        connection.execute("BEGIN TRANSACTION")
        for cypher, params in statements:
            connection.execute(cypher, params)
        found_nodes, found_rels = _totals(connection)
        if found_nodes != nodes or found_rels != rels:
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


def _totals(connection: ladybug.Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type (zeros left out).

    One count per table: LadybugDB answers those from table statistics (about 40 ms for all of
    them at 10,000 cases), where one ``MATCH ()-[r]->()`` grouped by type scans every relationship.
    """
    def count(cypher: str) -> int:
        return connection.execute(cypher).get_next()[0]

    nodes = {label: count(f"MATCH (n:{label}) RETURN count(*)") for label in NODE_PROPERTIES}
    rels = {rel_type: count(f"MATCH ()-[r:{rel_type}]->() RETURN count(*)") for rel_type in REL_ENDPOINTS}
    return {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}


def change_statements(change: StoreChange) -> list[tuple[str, dict[str, Any]]]:
    """Parameterised Cypher for a change, in the order :class:`kb.store.manifest.StoreChange` describes.

    Labels, types and property names come from the graph schema; every value is a parameter.
    One statement per node and relationship: LadybugDB finds ``{id: $id}`` through the primary-key
    index (about a millisecond), whereas ``UNWIND $rows ... MATCH (b {id: row.id})`` joins against
    a scan of the whole table (a fifth of a second for the sources of 10,000 cases).
    """
    statements: list[tuple[str, dict[str, Any]]] = [
        ("MATCH (o:Organisation {id: $id})-[r]->() DELETE r", {"id": org_id}) for org_id in change.rewired]
    if change.files:
        for label in ("View", "Claim", "Figure"):
            statements.append((f"MATCH (n:{label}) WHERE n.file IN $files DETACH DELETE n", {"files": change.files}))
    for label, ids in change.removed.items():
        statements += [(f"MATCH (n:{label} {{id: $id}}) DETACH DELETE n", {"id": node_id}) for node_id in ids]
    for label, rows in change.upserts.items():
        props = NODE_PROPERTIES[label]
        sets = ", ".join(f"n.{name} = {_typed(name, kind)}" for name, kind in props.items() if name != "id")
        statements += [(f"MERGE (n:{label} {{id: $id}}) SET {sets}", _params(row, props)) for row in rows]
    for label, rows in change.rows.nodes.items():
        props = NODE_PROPERTIES[label]
        values = ", ".join(f"{name}: {_typed(name, kind)}" for name, kind in props.items())
        statements += [(f"CREATE (n:{label} {{{values}}})", _params(row, props)) for row in rows]
    values = ", ".join(f"{name}: {_typed(name, kind)}" for name, kind in REL_PROPERTIES.items())
    for rel in change.rows.rels:
        statements.append((f"MATCH (a:{rel.start_label} {{id: $from_id}}), (b:{rel.end_label} {{id: $to_id}}) "
                           f"CREATE (a)-[:{rel.type} {{{values}}}]->(b)",
                           {"from_id": rel.start, "to_id": rel.end, **_params(rel.props, REL_PROPERTIES)}))
    return statements


def _typed(name: str, kind: str) -> str:
    # Casts: a null (or an empty list) would otherwise be typed as the parameter's guess, not the column's.
    return f"CAST(${name} AS {kind})"


def _params(row: dict[str, Any], props: dict[str, str]) -> dict[str, Any]:
    """Values as a bulk load stores them: COPY reads an empty string as null."""
    return {name: (None if row.get(name) == "" else list(row[name]) if kind == "STRING[]" and row.get(name) is not None
                   else row.get(name)) for name, kind in props.items()}
