"""The adversarial console corpus: queries and parameters a hostile visitor would send.

Each entry is a :class:`Payload` ``(kind, cypher, params, stores)``:

- ``refused``: must be refused or fail with a clear message (400) on both stores;
- ``limited``: runaway memory or CPU, which a limit of the console must stop: ``stores`` says, for each
  store the payload is run on, which limit (``"time"`` or ``"memory"``), and the test checks that the
  answer names it.  An engine that answers a payload cheaply does not test a limit, so each store gets
  payloads it must really work through: Neo4j computes ``size(range(...))`` without building the list,
  and reaches no memory cap of ours (its heap is the shared test server's), so its forms make it walk
  hundreds of millions of rows until the time limit stops them;
- ``params``: malformed parameters sent with a harmless query; 400 with a clear message.

``{canary}`` stands for a folder outside the store that no payload may create a file in.
"""

from __future__ import annotations

import json
from typing import NamedTuple

WRITES = [
    "CREATE (:Organisation {id: 'evil'})",
    "MERGE (o:Organisation {id: 'evil'}) RETURN o",
    "MATCH (o:Organisation) SET o.name = 'Hacked'",
    "MATCH (o:Organisation) REMOVE o.name",
    "MATCH (o) DETACH DELETE o",
    "MATCH ()-[r]->() DELETE r",
    "MATCH (o:Organisation) WITH o CREATE (o)-[:FACED]->(:Challenge {id: 'evil'})",
    "UNWIND [1, 2] AS x CREATE (:Sector {id: toString(x)})",
    "MATCH (o:Organisation) FOREACH (x IN [1] | SET o.name = 'y')",
    "CALL { CREATE (:Sector {id: 'sub'}) } RETURN 1",
    "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS",
    "MATCH (o:Organisation) RETURN o.id UNION ALL CREATE (s:Sector {id: 'u'}) RETURN s.id",
]


def _variants(statement: str) -> list[str]:
    """The same statement hidden four more ways: case, comments between words, a quote in a comment, backticks."""
    commented = statement.replace(" ", " /* ; ' */ ", 3)
    return [
        statement,
        statement.lower(),
        commented,
        "// it's only a comment'\n" + statement,
        statement.replace("Organisation", "`Organisation`").replace("Sector", "`Sector`"),
    ]


DDL = [
    "CREATE NODE TABLE Evil(id STRING, PRIMARY KEY (id))",
    "CREATE REL TABLE EVIL(FROM Organisation TO Organisation)",
    "DROP TABLE Organisation",
    "DROP TABLE IF EXISTS `Organisation`",
    "ALTER TABLE Organisation ADD evil STRING",
    "ALTER TABLE Organisation RENAME TO Org",
    "ALTER TABLE Organisation DROP name",
    "COMMENT ON TABLE Organisation IS 'evil'",
    "CREATE MACRO evil(x) AS x + 1",
    "CREATE SEQUENCE evil",
    "CREATE INDEX evil FOR (n:Organisation) ON (n.name)",
    "CREATE CONSTRAINT evil FOR (n:Organisation) REQUIRE n.name IS UNIQUE",
    "DROP INDEX evil IF EXISTS",
    "DROP CONSTRAINT kb_organisation_id",
    "CHECKPOINT",
    "BEGIN TRANSACTION",
    "COMMIT",
    "ROLLBACK",
    "ANALYZE",
    "ATTACH '{canary}/other.lbug' AS other (dbtype lbug)",
    "DETACH other",
    "USE other",
    "EXPORT DATABASE '{canary}/dump'",
    "IMPORT DATABASE '{canary}/dump'",
    "CREATE DATABASE evil",
    "STOP DATABASE neo4j",
    "CREATE USER evil SET PASSWORD 'secret-password'",
    "GRANT ROLE admin TO evil",
    "ALTER CURRENT USER SET PASSWORD FROM 'a' TO 'b'",
    "CREATE PROJECTED GRAPH evil (Organisation)",
]

FILES = [
    "LOAD FROM '/etc/passwd' (file_format='csv') RETURN *",
    'LOAD FROM "/etc/passwd" (file_format="csv", header=false) RETURN *',
    "LOAD WITH HEADERS (a STRING) FROM '/etc/hostname' (file_format='csv') RETURN *",
    "LOAD FROM '/proc/self/environ' (file_format='csv') RETURN *",
    "LOAD FROM '{canary}/../secret.csv' (file_format='csv') RETURN *",
    "LOAD FROM 'http://127.0.0.1:9/x.csv' RETURN *",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS line RETURN line",
    "load csv from 'file:///proc/self/environ' as l return l",
    "MATCH (o:Organisation) WITH o LIMIT 1 LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "CALL { LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l } RETURN l",
    "COPY (MATCH (o) RETURN o.id) TO '{canary}/out.csv'",
    "COPY (RETURN 1 AS x) TO '{canary}/out.parquet'",
    "copy (match (o) return o.name) to '{canary}/lower.csv'",
    "COPY Organisation FROM '{canary}/in.csv'",
    "COPY Organisation TO '{canary}/table.csv'",
    "CALL read_csv_parallel('/etc/passwd') RETURN *",
    "CALL `read_csv_serial`('/etc/passwd') RETURN *",
    "CALL `read_parquet`('/etc/passwd') RETURN *",
    "CALL `read_npy`('/etc/passwd') RETURN *",
    "CALL `read_json`('/etc/passwd') RETURN *",
    "CALL `read_csv_parallel`('x') RETURN 1",
    "CALL `read_npy`('x') RETURN 1",
    "CALL `read_parquet`('x') RETURN 1",
    "CALL READ_CSV_SERIAL('x') RETURN 1",
    "CALL `Read_Csv_Serial`('x') RETURN 1",
    "CALL /* c */ `read_csv_serial` /* d */ ('x') RETURN 1",
    "RETURN 1 AS x UNION ALL LOAD FROM '/etc/passwd' (file_format='csv') RETURN *",
    "CALL file_info('/etc/passwd') RETURN *",
    "CALL current_setting('home_directory') RETURN *",
    "CALL current_setting('file_search_path') RETURN *",
    "CALL storage_info('Organisation') RETURN *",
    "CALL stats_info('Organisation') RETURN *",
    "CALL show_attached_databases() RETURN *",
]

#: The engine-crashing call of the issue, and its relatives: each must leave the site answering.
CRASHES = [
    "CALL `read_csv_serial`('x') RETURN 1",
]

EXTENSIONS = [
    "INSTALL httpfs",
    "INSTALL `httpfs`",
    "install json",
    "INSTALL json FROM 'http://127.0.0.1:9/'",
    "LOAD EXTENSION httpfs",
    "LOAD EXTENSION '{canary}/evil.so'",
    "LOAD httpfs",
    "UPDATE httpfs",
    "UNINSTALL httpfs",
    "CALL show_loaded_extensions() RETURN *",
    "CALL show_official_extensions() RETURN *",
]

SETTINGS = [
    "CALL spill_to_disk=false",
    "CALL `spill_to_disk`=false",
    "CALL `SPILL_TO_DISK` = false",
    "CALL /* x */ spill_to_disk = false",
    "CALL threads=1",
    "CALL timeout=1",
    "CALL checkpoint_threshold=1",
    "CALL auto_checkpoint=false",
    "CALL force_checkpoint_on_close=true",
    "CALL home_directory='{canary}'",
    "CALL file_search_path='/etc'",
    "CALL debug_enable_multi_writes=true",
    "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
]

PROCEDURES = [
    "CALL `db`.`stats`.`retrieve`('QUERIES')",
    "CALL db.stats.retrieve('QUERIES')",
    "CALL `db.stats.retrieve`('QUERIES')",
    "CALL db . stats . retrieve('QUERIES')",
    "CALL /* a */ db.stats.retrieve /* b */ ('QUERIES')",
    "CALL\tdb.stats.retrieve('QUERIES') YIELD data RETURN data",
    "CALL `db`.stats.`retrieve`('QUERIES') YIELD section RETURN section",
    "CALL db.labels() YIELD label CALL db.stats.retrieve('QUERIES') YIELD data RETURN label, data",
    "CALL db.labels() YIELD label WITH label CALL { CALL db.stats.retrieve('QUERIES') YIELD data RETURN data } "
    "RETURN data",
    "CALL db.stats.collect('QUERIES')",
    "CALL db.stats.clear('QUERIES')",
    "CALL dbms.components()",
    "CALL `dbms`.`components`()",
    "CALL dbms.listConfig()",
    "CALL `dbms`.`listConfig`('')",
    "CALL dbms.info()",
    "CALL db.ping()",
    "CALL dbms.killQuery('query-1')",
    "CALL db.clearQueryCaches()",
    "CALL db.createLabel('Evil')",
    "CALL db.createProperty('evil')",
    "CALL db.createRelationshipType('EVIL')",
    "CALL db.index.fulltext.queryNodes('x', 'y')",
    "CALL db.awaitIndexes(1)",
    "CALL tx.setMetaData({a: 1})",
    "CALL apoc.load.json('file:///etc/passwd')",
    "CALL `apoc`.`load`.`csv`('file:///etc/passwd')",
    "CALL apoc.cypher.runWrite('CREATE (n:Evil)', {})",
    "CALL dbms.procedures()",
    "call DB.STATS.RETRIEVE('QUERIES')",
]

SHOW = [
    "SHOW TRANSACTIONS",
    "SHOW TRANSACTIONS YIELD *",
    "show settings",
    "SHOW SETTINGS YIELD name, value RETURN name, value",
    "SHOW USERS",
    "SHOW CURRENT USER",
    "SHOW DATABASES",
    "SHOW PROCEDURES",
    "SHOW FUNCTIONS",
    "SHOW SERVERS",
    "SHOW PRIVILEGES",
    "SHOW ROLES",
    "SHOW ALIASES FOR DATABASE",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "TERMINATE TRANSACTION 'neo4j-transaction-1'",
]

STATEMENTS = [
    "RETURN 1; CREATE (:Sector {id: 'm'})",
    "MATCH (n) RETURN n;DROP TABLE Organisation",
    "RETURN ';' AS x; CREATE (:Sector {id: 'q'})",
    "RETURN 1 // ;\n; CREATE (:Sector {id: 'c'})",
    "RETURN 1 /* ; */ ; MATCH (n) DETACH DELETE n",
    "EXPLAIN CREATE (:Sector {id: 'e'})",
    "PROFILE MATCH (n) DETACH DELETE n",
    "CYPHER runtime=slotted CREATE (:Sector {id: 'r'})",
]

UNICODE = [
    "ＣＲＥＡＴＥ (:Sector {id: 'fullwidth'})",
    "CRE\u200bATE (:Sector {id: 'zero-width'})",
    "MATCH (o) DETACH\u00a0DELETE o",
    "\u0421REATE (:Sector {id: 'cyrillic'})",
    "MATCH (o) \u202eETELED HCATED o",
    "CALL `read\u005fcsv\u005fserial`('x') RETURN 1",
    "CALL `db`.`st\\u0061ts`.`retrieve`('QUERIES')",
    "RETURN '\\u0027; CREATE (:X)' AS x; CREATE (:Sector {id: 'esc'})",
]

#: Runaway payloads as ``(cypher, params, {store: the limit that must stop it})``.
LIMITED: list[tuple[str, str, dict[str, str]]] = [
    # LadybugDB builds range()'s list before anything can interrupt it: its memory cap stops these.
    ("RETURN size(range(1, (300000000)))", "", {"ladybug": "memory"}),
    ("RETURN size(`range`(1, 300000000))", "", {"ladybug": "memory"}),
    ("RETURN size(range(1, CAST('300000000' AS INT64)))", "", {"ladybug": "memory"}),
    ("WITH 300000000 AS n RETURN size(range(1, n))", "", {"ladybug": "memory"}),
    ("RETURN size(list_transform(range(1, (200000000)), x -> x + 1))", "", {"ladybug": "memory"}),
    ("RETURN size(range(1, $n))", json.dumps({"n": 300_000_000}), {"ladybug": "memory"}),
    # The same bounds as rows: LadybugDB still builds the list; Neo4j walks the rows until its time limit.
    ("UNWIND range(1, (300000000)) AS x WITH x WHERE x < 0 RETURN count(*)", "",
     {"ladybug": "memory", "neo4j": "time"}),
    ("UNWIND `range`(1, 300000000) AS x WITH x WHERE x < 0 RETURN count(*)", "",
     {"ladybug": "memory", "neo4j": "time"}),
    ("UNWIND range(1, toInteger('300000000')) AS x WITH x WHERE x < 0 RETURN count(*)", "", {"neo4j": "time"}),
    ("WITH 300000000 AS n UNWIND range(1, n) AS x WITH x WHERE x < 0 RETURN count(*)", "",
     {"ladybug": "memory", "neo4j": "time"}),
    ("UNWIND range(1, $n) AS x WITH x WHERE x < 0 RETURN count(*)", json.dumps({"n": 300_000_000}),
     {"ladybug": "memory", "neo4j": "time"}),
    # Building the list takes both time and memory: which limit stops it first depends on the machine's load.
    ("UNWIND range(1, (50000000)) AS x RETURN collect(x)[0]", "", {"ladybug": "time|memory"}),
    # Cross products and paths that both engines enumerate.
    # (A bare seven-way product with count(*) is no payload: both engines multiply the counts, in milliseconds.)
    ("MATCH (a), (b), (c), (d), (e), (f) WHERE a.id + b.id + c.id + d.id + e.id + f.id = 'x' RETURN count(*)", "",
     {"ladybug": "time", "neo4j": "time"}),
    ("MATCH p = (a)-[*1..30]-(b) RETURN count(p)", "", {"ladybug": "memory", "neo4j": "time"}),
    ("UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b UNWIND range(1, 100000) AS c "
     "RETURN count(*)", "", {"ladybug": "time", "neo4j": "time"}),
]

#: Malformed parameters, each sent with a harmless query.
PARAMS = [
    '{"x": [1, "a", null]}',
    '{"x": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"x": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}",
    '{"x": 1e999}',
    '{"x": -1e999}',
    '{"x": NaN}',
    '{"x": Infinity}',
    "[1, 2]",
    '"text"',
    "1",
    "null",
    '{"x": ',
    "{'x': 1}",
    '{"bad name": 1}',
    '{"x; CREATE (:X)": 1}',
    '{"x": "' + "a" * 20000 + '"}',
    '{"x": [' + "1, " * 2000 + "1]}",
    '{"x": 99999999999999999999999}',
    '{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 1}}}}}}}}}}',
    '{"x": [[1], ["a"]]}',
]


class Payload(NamedTuple):
    """One payload: its kind, the query and parameters, and for each store it is run on, the limit that must
    stop it (``""`` for refused and parameter payloads)."""

    kind: str
    cypher: str
    params: str
    stores: dict[str, str]


BOTH = {"ladybug": "", "neo4j": ""}


def corpus() -> list[Payload]:
    """Every payload, each once."""
    entries: list[Payload] = []
    for statement in WRITES:
        entries += [Payload("refused", variant, "", BOTH) for variant in _variants(statement)]
    for group in (DDL, FILES, CRASHES, EXTENSIONS, SETTINGS, PROCEDURES, SHOW, STATEMENTS, UNICODE):
        entries += [Payload("refused", cypher, "", BOTH) for cypher in group]
    entries += [Payload("limited", cypher, params, stores) for cypher, params, stores in LIMITED]
    entries += [Payload("params", "RETURN 1 AS one", params, BOTH) for params in PARAMS]
    seen: set[tuple[str, str]] = set()
    unique = []
    for entry in entries:
        if (entry.cypher, entry.params) not in seen:
            seen.add((entry.cypher, entry.params))
            unique.append(entry)
    return unique
