"""Sync the validated graph to Neo4j: only the differences, in one transaction, never touching foreign data.

How a load works:

1. **Constraints first.**  A uniqueness constraint on ``id`` for every label of the graph schema
   (``CREATE CONSTRAINT ... IF NOT EXISTS``), in their own transactions: Neo4j does not mix schema
   and data changes in one.
2. **One transaction for the data.**  It reads what the project wrote last time (nodes labelled
   :data:`~kb.store.neo4j.MANAGED_LABEL`, relationships carrying :data:`~kb.store.neo4j.HASH_PROPERTY`;
   both carry a content hash there, a 64-bit integer), compares the hashes with the new rows, and sends
   only the differences as batched ``UNWIND $rows`` statements with parameters (the new rows are hashed
   in a thread, a batch ahead of the one the server is writing), and a new version token
   (:data:`~kb.store.neo4j.VERSION_LABEL`) when anything changed.  It commits once, at the
   end: a load that fails part-way (bad input, dropped connection, server restart) is rolled back
   by the server, and readers see the previous graph throughout.
3. **Only the project's own data.**  Nodes without the label and relationships without the hash
   were not created by the project; a load never changes or deletes them, and refuses (changing
   nothing) rather than take over a foreign node whose label and id it needs, or delete a node of
   its own to which foreign relationships are attached.  Properties that someone else added to a
   project node survive its updates (``SET n += ...``).

Ids do not move with lines (:func:`kb.graph.rows.stable_ids`), and the hash leaves the line out: text
moved within a file (a line inserted above a claim) only updates the ``line`` of what moved, in
place, and is reported apart from real changes.  A second load of unchanged files sends no writes at
all and reports "no changes".  A sync may also be limited to a part of the graph
(:class:`~kb.store.neo4j_scope.SyncScope`: the changed cases' keys, read by id; what Neo4j holds is read
by :mod:`kb.store.neo4j_scope`), as :mod:`kb.load.neo4j` does after a first sync, so that one changed
case costs what its part costs.  The memory a load
needs on the server grows with the size of the difference, so only a first load of a very large
corpus needs a generous heap (see the README's Performance section).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors

from kb.collector import cycle_collector_paused
from kb.graph.rows import GraphRows
from kb.graph.schema import NODE_PROPERTIES, REL_PROPERTIES
from kb.problems import StoreError
from kb.store.neo4j import HASH_PROPERTY, MANAGED_LABEL, VERSION_LABEL, Neo4jSettings, connect, describe_error
from kb.store.neo4j_foreign import SyncRefused, only_ours, refuse_foreign_conflicts
from kb.store.neo4j_scope import NodeKey, RelKey, StaleSync, SyncScope, batches, existing, existing_in

__all__ = [
    "BATCH_ROWS", "SyncRefused", "SyncReport", "content_hash",
    "create_nodes_cypher", "create_rels_cypher", "ensure_constraints", "neo4j_properties", "sync",
]

#: Rows per UNWIND statement.  Big enough that round trips do not matter, small enough to keep one
#: message to the server well under the size of the largest property values times a few thousand.
BATCH_ROWS = 5_000



@dataclass
class SyncReport:
    """What a sync changed, counted separately for nodes and relationships.

    >>> SyncReport().summary()
    'no changes: the graph in Neo4j already matches the files'
    >>> SyncReport(created={"nodes": 2, "relationships": 3}).summary()
    'created 2 nodes and 3 relationships'
    """

    created: dict[str, int] = field(default_factory=lambda: {"nodes": 0, "relationships": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"nodes": 0, "relationships": 0})
    deleted: dict[str, int] = field(default_factory=lambda: {"nodes": 0, "relationships": 0})
    #: Only the ``line`` property changed (text moved within its file): updated in place.
    moved: dict[str, int] = field(default_factory=lambda: {"nodes": 0, "relationships": 0})
    unchanged: int = 0
    seconds: float = 0.0
    #: The graph version in Neo4j after the sync (:data:`~kb.store.neo4j.VERSION_LABEL`): a later
    #: sync limited to a part (:class:`~kb.store.neo4j_scope.SyncScope`) may trust its record of the
    #: graph only while it is so.
    version: str = ""
    #: Whether only a part of the graph (:class:`~kb.store.neo4j_scope.SyncScope`) was compared, not all of it.
    part: bool = False

    @property
    def changed(self) -> bool:
        """Whether the content of the graph changed (not counting line numbers that moved)."""
        return any(sum(counts.values()) for counts in (self.created, self.updated, self.deleted))

    def summary(self) -> str:
        """What the load did, in one line.

        >>> SyncReport(moved={"nodes": 3, "relationships": 4}).summary()
        'no changes to the content; updated the line numbers of 3 nodes and 4 relationships (text moved within files)'
        """
        moved = (f"updated the line numbers of {self.moved['nodes']} nodes and {self.moved['relationships']} "
                 "relationships (text moved within files)") if sum(self.moved.values()) else ""
        if not self.changed:
            return f"no changes to the content; {moved}" if moved else \
                "no changes: the graph in Neo4j already matches the files"
        parts = []
        for verb, counts in (("created", self.created), ("updated", self.updated), ("deleted", self.deleted)):
            if sum(counts.values()):
                parts.append(f"{verb} {counts['nodes']} nodes and {counts['relationships']} relationships")
        return "; ".join([*parts, moved] if moved else parts)


def neo4j_properties(row: dict[str, Any], declared: dict[str, str]) -> dict[str, Any]:
    """A row's properties as Neo4j should store them: typed as declared, empty strings and None left out.

    LadybugDB reads empty strings back as NULL, so leaving them out makes both stores answer alike;
    DOUBLE values become floats even when the YAML said ``1200``.

    >>> neo4j_properties({"id": "x", "city": "", "staff": 1200, "aliases": []},
    ...                  {"id": "STRING", "city": "STRING", "staff": "DOUBLE", "aliases": "STRING[]"})
    {'id': 'x', 'staff': 1200.0, 'aliases': []}
    """
    props = {}
    for key, kind in declared.items():
        value = row.get(key)
        if value is None or value == "":
            continue
        if kind == "DOUBLE":
            value = float(value)
        elif kind == "INT64":
            value = int(value)
        elif kind == "STRING[]":
            value = list(value)
        props[key] = value
    return props


#: Properties that say where something is written, not what it says: left out of the hash, so text
#: that moves within a file is a line update rather than a change.
POSITION_PROPERTIES = ("line",)


def content_hash(props: dict[str, Any]) -> int:
    """A fingerprint of a node's or relationship's properties (in declared order), line left out: a 64-bit integer.

    An integer rather than the 16 hexadecimal characters it once was: Neo4j stores and compares it as
    one number, and each of the some 650,000 rows of a first sync at 10,000 cases sends 8 bytes fewer.

    >>> content_hash({"id": "a"}) == content_hash({"id": "a", "line": 9}) != content_hash({"id": "b"})
    True
    >>> isinstance(content_hash({"id": "a"}), int)
    True
    """
    # repr of a dict keeps the insertion (declared) order and tells 1 from 1.0 and "1" from 1.
    content = props
    if any(key in props for key in POSITION_PROPERTIES):
        content = {key: value for key, value in props.items() if key not in POSITION_PROPERTIES}
    digest = hashlib.blake2b(repr(content).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)  # Neo4j's integers are signed 64-bit


def _hashed(props: dict[str, Any]) -> int:
    """``props`` with their :func:`content_hash` among them (as sent), and the hash."""
    props[HASH_PROPERTY] = digest = content_hash(props)
    return digest


def ensure_constraints(driver: neo4j.Driver, database: str = "neo4j") -> None:
    """Create a uniqueness constraint on ``id`` for every label of the graph schema, if missing."""
    for label in (*NODE_PROPERTIES, VERSION_LABEL):
        driver.execute_query(f"CREATE CONSTRAINT kb_{label.lower()}_id IF NOT EXISTS "
                             f"FOR (n:{label}) REQUIRE n.id IS UNIQUE", database_=database)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)


# --- what the files say (what Neo4j holds is read by kb.store.neo4j_scope) ---------------------------

@dataclass
class _Desired:
    """What the files say, typed as Neo4j stores it; a row's hash is added when it is compared or sent."""

    nodes: dict[NodeKey, dict] = field(default_factory=dict)  # key -> props ("line" among them when it has one)
    rels: dict[RelKey, list[tuple[int, dict]]] = field(default_factory=lambda: defaultdict(list))  # (line, props)


def _desired(rows: GraphRows) -> _Desired:
    desired = _Desired()
    for label, nodes in rows.nodes.items():
        declared = NODE_PROPERTIES[label]
        for node in nodes:
            desired.nodes[(label, node["id"])] = neo4j_properties(node, declared)
    for rel in rows.rels:
        desired.rels[(rel.type, rel.start_label, rel.start, rel.end_label, rel.end)].append(
            (rel.props.get("line") or 0, neo4j_properties(rel.props, REL_PROPERTIES)))
    return desired


# --- the difference ---------------------------------------------------------------------------------

@dataclass
class _Plan:
    node_creates: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    node_updates: list[dict] = field(default_factory=list)
    node_deletes: list[str] = field(default_factory=list)
    node_moves: list[dict] = field(default_factory=list)  # {eid, line}: only the line changed
    rel_creates: dict[tuple[str, str, str], list[dict]] = field(default_factory=lambda: defaultdict(list))
    rel_updates: list[dict] = field(default_factory=list)
    rel_deletes: list[str] = field(default_factory=list)
    rel_moves: list[dict] = field(default_factory=list)
    unchanged: int = 0

    def writes(self) -> bool:
        """Whether applying the plan changes anything a reader sees."""
        return any((self.node_creates, self.node_updates, self.node_deletes, self.node_moves, self.rel_creates,
                    self.rel_updates, self.rel_deletes, self.rel_moves))


def _plan(desired: _Desired, nodes_now: dict, rels_now: dict) -> _Plan:
    """What to write.  Only rows that Neo4j already has are hashed here (to compare); new ones as they are sent."""
    plan = _Plan()
    for key, props in desired.nodes.items():
        now = nodes_now.get(key, [])
        plan.node_deletes.extend(eid for _, eid, _ in now[1:])  # cannot happen under the constraint; be safe
        if not now:
            plan.node_creates[key[0]].append(props)
        elif now[0][0] != _hashed(props):
            plan.node_updates.append({"eid": now[0][1], "props": _full(props, NODE_PROPERTIES[key[0]])})
        elif now[0][2] != props.get("line"):
            plan.node_moves.append({"eid": now[0][1], "line": props.get("line")})
        else:
            plan.unchanged += 1
    plan.node_deletes.extend(eid for key, now in nodes_now.items() if key not in desired.nodes for _, eid, _ in now)
    for key, wanted in desired.rels.items():
        now = sorted(rels_now.get(key, []))
        if len(now) == len(wanted):  # the same claims, in file order: update those that changed
            for (line, props), (line_now, digest_now, eid) in zip(sorted(wanted, key=lambda w: w[0]), now,
                                                                  strict=True):
                if _hashed(props) != digest_now:
                    plan.rel_updates.append({"eid": eid, "props": _full(props, REL_PROPERTIES)})
                elif line != line_now:
                    plan.rel_moves.append({"eid": eid, "line": props.get("line")})
                else:
                    plan.unchanged += 1
            continue
        # New, or a claim repeated a different number of times: replace the group.
        plan.rel_deletes.extend(eid for _, _, eid in now)
        for _, props in wanted:
            plan.rel_creates[(key[0], key[1], key[3])].append({"s": key[2], "e": key[4], "p": props})
    plan.rel_deletes.extend(eid for key, now in rels_now.items() if key not in desired.rels for _, _, eid in now)
    return plan


def _full(props: dict, declared: dict[str, str]) -> dict:
    """Every declared property, None for absent ones, so ``SET n += props`` also removes what went away."""
    return {**{key: props.get(key) for key in declared}, HASH_PROPERTY: props[HASH_PROPERTY]}


# --- writing ----------------------------------------------------------------------------------------

def _apply(tx: neo4j.Transaction, plan: _Plan, batch_size: int, progress: Callable[[str], None]) -> None:
    # The new rows are hashed in a thread, a batch ahead: the hashing (Python) runs while the server
    # writes the batch before (the driver waits on its socket without holding the GIL).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-sync-hash") as hashing:
        def write(step: str, cypher: str, rows: list, hash_of: Callable[[Any], dict] | None = None) -> None:
            parts = batches(rows, batch_size) if hash_of is None else _hashed_ahead(rows, batch_size, hash_of, hashing)
            for batch in parts:
                progress(f"{step} ({len(batch)})")
                done = tx.run(cypher, rows=batch).single(strict=True)["n"]
                if done != len(batch):
                    raise StoreError(f"{step}: wrote {done} of {len(batch)} rows; a node it needs is missing or "
                                     "the graph changed during the load")

        write("delete relationships", "UNWIND $rows AS eid MATCH ()-[r]->() WHERE elementId(r) = eid "
              "DELETE r RETURN count(*) AS n", plan.rel_deletes)
        write("delete nodes", "UNWIND $rows AS eid MATCH (n) WHERE elementId(n) = eid DELETE n RETURN count(*) AS n",
              plan.node_deletes)
        write("update nodes", "UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.eid SET n += row.props "
              "RETURN count(*) AS n", plan.node_updates)
        write("update node lines", "UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.eid "
              "SET n.line = row.line RETURN count(*) AS n", plan.node_moves)
        for label, rows in plan.node_creates.items():
            write(f"create {label}", create_nodes_cypher(label) + " RETURN count(*) AS n", rows, _itself)
        write("update relationships", "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid "
              "SET r += row.props RETURN count(*) AS n", plan.rel_updates)
        write("update relationship lines", "UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid "
              "SET r.line = row.line RETURN count(*) AS n", plan.rel_moves)
        for (rel_type, start, end), rows in plan.rel_creates.items():
            write(f"create {rel_type} {start}->{end}",
                  create_rels_cypher(rel_type, start, end) + " RETURN count(*) AS n", rows, _their_props)


def _itself(row: dict) -> dict:
    return row


def _their_props(row: dict) -> dict:
    return row["p"]


def _hashed_ahead(rows: list, size: int, props_of: Callable[[Any], dict],
                  hashing: ThreadPoolExecutor) -> Iterator[list]:
    """``rows`` in batches of ``size``, each with its hashes set; the next one hashed while this one is written."""
    def hash_batch(batch: list) -> list:
        for row in batch:
            _hashed(props_of(row))
        return batch

    ahead = None
    for batch in batches(rows, size):
        following = hashing.submit(hash_batch, batch)
        if ahead is not None:
            yield ahead.result()
        ahead = following
    if ahead is not None:
        yield ahead.result()


def _property_map(keys: list[str], source: str) -> str:
    return "{" + ", ".join(f"{key}: {source}.{key}" for key in keys) + "}"


def create_nodes_cypher(label: str, managed: bool = True) -> str:
    """``UNWIND $rows`` creating ``label`` nodes, one per row of :func:`neo4j_properties`.

    Properties are named one by one (from the schema, never from input), which spares Neo4j a
    separate set-from-map step; absent (null) ones are simply not stored.  ``managed=False`` leaves
    out the project's marker label and hash (what a bare load would write).

    >>> create_nodes_cypher("Sector")
    'UNWIND $rows AS row CREATE (n:Sector:KbManaged {id: row.id, name: row.name, kb_hash: row.kb_hash})'
    """
    keys = [*NODE_PROPERTIES[label], HASH_PROPERTY] if managed else list(NODE_PROPERTIES[label])
    labels = f"{label}:{MANAGED_LABEL}" if managed else label
    return f"UNWIND $rows AS row CREATE (n:{labels} {_property_map(keys, 'row')})"


def create_rels_cypher(rel_type: str, start: str, end: str, managed: bool = True) -> str:
    """``UNWIND $rows`` of ``{s: start id, e: end id, p: properties}`` creating ``rel_type`` relationships.

    Naming the properties (rather than ``SET r = row.p``) also keeps Neo4j from planning an Eager
    step that would hold every row in memory before writing.
    """
    keys = [*REL_PROPERTIES, HASH_PROPERTY] if managed else list(REL_PROPERTIES)
    return (f"UNWIND $rows AS row MATCH (a:{start} {{id: row.s}}) MATCH (b:{end} {{id: row.e}}) "
            f"CREATE (a)-[r:{rel_type} {_property_map(keys, 'row.p')}]->(b)")


def _report(plan: _Plan, started: float, version: str = "") -> SyncReport:
    return SyncReport(
        created={"nodes": sum(map(len, plan.node_creates.values())),
                 "relationships": sum(map(len, plan.rel_creates.values()))},
        updated={"nodes": len(plan.node_updates), "relationships": len(plan.rel_updates)},
        deleted={"nodes": len(plan.node_deletes), "relationships": len(plan.rel_deletes)},
        moved={"nodes": len(plan.node_moves), "relationships": len(plan.rel_moves)},
        unchanged=plan.unchanged, seconds=time.perf_counter() - started, version=version)


# --- the whole load ---------------------------------------------------------------------------------

def sync(settings: Neo4jSettings, rows: GraphRows, *, driver: neo4j.Driver | None = None,
         batch_size: int = BATCH_ROWS, progress: Callable[[str], None] | None = None,
         timeout: float | None = None, scope: SyncScope | None = None) -> SyncReport:
    """Make the project's graph in Neo4j equal to ``rows``, in one transaction; return what changed.

    Parameters
    ----------
    settings : Neo4jSettings
        The server and database (``driver`` is made from it unless one is given).
    rows : GraphRows
        The validated graph, from :func:`kb.graph.rows.graph_rows`.
    batch_size : int
        Rows per ``UNWIND`` statement.
    progress : callable, optional
        Called with a short description before each statement that writes.
    timeout : float, optional
        Transaction timeout in seconds (default: the server's ``db.transaction.timeout``).
    scope : SyncScope, optional
        Compare and change only this part of the graph (``rows`` are then the part's rows): what an
        incremental sync (:mod:`kb.load.neo4j`) sends after a few case files changed.

    Raises
    ------
    StoreError
        The server is unreachable, refused the load or it failed part-way; the transaction was rolled
        back, so the previous graph is unchanged (the message says so, or says when that is unknown).
    StaleSync
        ``scope`` was given but Neo4j holds another graph version than ``scope.version``.
    """
    started = time.perf_counter()
    own_driver = driver is None
    driver = driver or settings.driver()
    # Python's cycle collector off: the rows, their hashes and the plan are some million small
    # objects without cycles, and its collections, set off again and again by them, walked them all
    # (two thirds of the CPU of hashing the rows of 1,000 cases).
    try:
        with cycle_collector_paused():
            return _sync(settings, driver, rows, batch_size, progress or (lambda _step: None), timeout, started,
                         scope)
    finally:
        if own_driver:
            driver.close()


def _sync(settings: Neo4jSettings, driver: neo4j.Driver, rows: GraphRows, batch_size: int,
          progress: Callable[[str], None], timeout: float | None, started: float,
          scope: SyncScope | None = None) -> SyncReport:
    try:
        connect(driver, settings)
    except StoreError as err:
        raise StoreError(f"{err}; nothing was loaded") from err
    try:
        if scope is None:  # a sync of a part follows a full one, which made them
            ensure_constraints(driver, settings.database)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as err:
        raise StoreError(f"{describe_error(err, settings)} (while creating the uniqueness constraints); "
                         "no data was changed") from err
    try:
        with driver.session(database=settings.database) as session, \
                session.begin_transaction(timeout=timeout, metadata={"app": "self-management-kb sync"}) as tx:
            version = tx.run(f"OPTIONAL MATCH (v:{VERSION_LABEL} {{id: 'graph'}}) RETURN v.version AS version"
                             ).single(strict=True)["version"] or ""
            if scope is not None and (not scope.version or version != scope.version):
                raise StaleSync(f"the graph in Neo4j at {settings.uri} is not the one this store last synced "
                                "(another load wrote to it, or it is another server or database)")
            nodes_now, rels_now = existing(tx) if scope is None else existing_in(tx, scope, BATCH_ROWS)
            plan = _plan(_desired(rows), nodes_now, rels_now)
            refuse_foreign_conflicts(tx, plan.node_deletes, plan.node_creates,
                                     set() if scope is not None else only_ours(tx, nodes_now))
            _apply(tx, plan, batch_size, progress)
            if plan.writes() or not version:  # readers' caches are kept by this version: a new one with the change
                version = uuid.uuid4().hex
                tx.run(f"MERGE (v:{VERSION_LABEL} {{id: 'graph'}}) SET v.version = $version", version=version)
            tx.commit()
        report = _report(plan, started, version)
        report.part = scope is not None
        return report
    except (SyncRefused, StaleSync):
        raise
    except neo4j_errors.IncompleteCommit as err:
        raise StoreError(f"the connection to Neo4j at {settings.uri} dropped while committing, so it is unknown "
                         "whether the load was applied; run the load again (a repeated load is safe)") from err
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as err:
        raise _load_error(err, settings) from err
    except StoreError as err:
        raise StoreError(f"{err}; the load was rolled back and the previous graph is unchanged") from err


def _load_error(err: Exception, settings: Neo4jSettings) -> StoreError:
    message = describe_error(err, settings) + " (while loading)"
    text = getattr(err, "message", "") or ""
    if "already exists with label" in text:
        message += (" (a node that this project did not create has the same label and id as one of the "
                    "project's; rename or remove it, then load again)")
    elif getattr(err, "code", "") == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":
        message += (" (the changes do not fit one transaction on this server; give it more memory "
                    "(server.memory.heap.max_size, dbms.memory.transaction.total.max): a first load of 10,000 "
                    "cases needs about 4 GB of transaction memory, later loads only what changed)")
    elif "still has relationships" in text:
        message += (" (a node this load would remove has relationships that this project did not create; "
                    "remove or re-attach them, then load again)")
    return StoreError(message + "; the load was rolled back and the previous graph is unchanged")
