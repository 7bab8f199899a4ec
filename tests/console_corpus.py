"""The adversarial console corpus: queries and parameters a hostile visitor would send.

Each entry is ``(kind, cypher, params)``:

- ``refused``: must be refused or fail with a clear message (400) on both stores;
- ``limited``: runaway memory or CPU; LadybugDB must stop it at a limit (400); Neo4j may also
  answer it within the limits (its ``range()`` is lazy), but must never exceed them;
- ``params``: malformed parameters sent with a harmless query; 400 with a clear message.

``{canary}`` stands for a folder outside the store that no payload may create a file in.
Entries marked ``ladybug_only`` would only load the shared test Neo4j server's heap.
"""

from __future__ import annotations

import json

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

LIMITED = [
    ("RETURN size(range(1, (300000000)))", False),
    ("RETURN size(`range`(1, 300000000))", False),
    ("RETURN size(range(1, toInteger('300000000')))", False),
    ("WITH 300000000 AS n RETURN size(range(1, n))", False),
    ("RETURN size(list_transform(range(1, (200000000)), x -> x + 1))", True),
    ("UNWIND range(1, (50000000)) AS x RETURN collect(x)[0]", True),
    ("MATCH (a), (b), (c), (d), (e), (f), (g) RETURN count(*)", False),
    ("MATCH (a), (b), (c), (d), (e), (f) WHERE a.id + b.id + c.id + d.id + e.id + f.id = 'x' RETURN count(*)", False),
    ("MATCH p = (a)-[*1..30]-(b) RETURN count(p)", False),
    ("UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b UNWIND range(1, 100000) AS c "
     "RETURN count(*)", False),
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


def corpus() -> list[tuple[str, str, str, bool]]:
    """Every payload as ``(kind, cypher, params, ladybug_only)``."""
    entries: list[tuple[str, str, str, bool]] = []
    for statement in WRITES:
        entries += [("refused", variant, "", False) for variant in _variants(statement)]
    for group in (DDL, FILES, CRASHES, EXTENSIONS, SETTINGS, PROCEDURES, SHOW, STATEMENTS, UNICODE):
        entries += [("refused", cypher, "", False) for cypher in group]
    entries += [("limited", cypher, "", ladybug_only) for cypher, ladybug_only in LIMITED]
    entries.append(("limited", "RETURN size(range(1, $n))", json.dumps({"n": 300_000_000}), False))
    entries += [("params", "RETURN 1 AS one", params, False) for params in PARAMS]
    seen: set[tuple[str, str]] = set()
    unique = []
    for entry in entries:
        if (entry[1], entry[2]) not in seen:
            seen.add((entry[1], entry[2]))
            unique.append(entry)
    return unique
