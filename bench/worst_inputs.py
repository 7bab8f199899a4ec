"""The worst input of every route, timed as a ratio to a trivial page in the same run.

For each route of the site (every rule of the Flask app: a route with no entry here fails
``tests/test_bounds.py``), a few candidate requests that make it work hardest: the node with most
relationships, every filter value selected, the longest address the site reads
(:data:`webapp.bounds.MAX_URL_BYTES`) filled with a mistyped id or a search, numbers that break
naive parsing, the console's row cap.  Each candidate is sent once to find the slowest; that one is
then timed ``--repeat`` times (median) and printed as a ratio to ``/accessibility`` (a page that
reads no graph), all in one process through Flask's test client, with the page cache off so that
every request does its work.

    python bench/worst_inputs.py                    # the real content, 20 repeats
    python bench/worst_inputs.py --repeat 3 --markdown
    python bench/worst_inputs.py --root tests/fixtures/mini --repeat 1   # what the test runs
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.graph.rows import graph_rows  # noqa: E402
from kb.load import load_content  # noqa: E402
from kb.store.ladybug import LadybugStore, rebuild  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.bounds import MAX_URL_BYTES  # noqa: E402
from webapp.repository import SHOWN_FILES  # noqa: E402

TRIVIAL = "/accessibility"
#: Node labels by the kind named in URLs.
LABELS = {"organisation": "Organisation", "practice": "Practice", "challenge": "Challenge", "outcome": "Outcome",
          "framework": "Framework", "source": "Source", "sector": "Sector", "country": "Country"}


@dataclass
class Timed:
    endpoint: str
    url: str
    status: int
    median_ms: float
    statuses: dict[str, int]  # every candidate's status (a 5xx anywhere is a failure)


class Context:
    """What the candidates are made from: the loaded graph, read through the store and the site's JSON."""

    def __init__(self, client: Any, store: LadybugStore):
        self.client, self.store = client, store

    def busiest(self, kind: str, n: int = 3) -> list[str]:
        """Ids of the ``n`` nodes of a kind with most relationships."""
        rows = self.store.run(f"MATCH (x:{LABELS[kind]})-[r]-() RETURN x.id AS id, count(r) AS d "
                              f"ORDER BY d DESC, id LIMIT {n}")
        return [row["id"] for row in rows]

    def facet_values(self, path: str) -> list[tuple[str, str]]:
        """Every (name, value) a list page's JSON offers as a filter."""
        found: list[tuple[str, str]] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                if isinstance(value.get("values"), list) and "name" in value:
                    found.extend((value["name"], str(v["value"])) for v in value["values"]
                                 if isinstance(v, dict) and "value" in v)
                for inner in value.values():
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(self.client.get(path).json)
        return found


def filled(path: str, name: str, unit: str = "x") -> str:
    """``path?name=xxxx…``: the longest address the site reads."""
    room = MAX_URL_BYTES - len(path) - len(name) - 2
    return f"{path}?{name}={unit * (room // len(unit))}"


def long_id(prefix: str, suffix: str = "") -> str:
    """A mistyped id filling the longest address: the 404 compares it for 'did you mean'."""
    room = MAX_URL_BYTES - len(prefix) - len(suffix)
    return prefix + "buurtzorg-" * (room // 10) + suffix


def every(values: Iterable[tuple[str, str]], path: str) -> str:
    return f"{path}?{urlencode(list(values))}"[:MAX_URL_BYTES].rsplit("&", 1)[0]


def candidates(ctx: Context) -> dict[str, Callable[[], list[str]]]:
    """Endpoint -> its candidate worst requests."""
    concept_kinds = ("practice", "challenge", "outcome", "framework")
    words = "self managing teams nurses staff pay managers decisions holacracy turnover"
    mistyped = " ".join(f"{w}qz" for w in words.split())
    table: dict[str, Callable[[], list[str]]] = {
        "browse.home": lambda: ["/", filled("/", "q")],
        "browse.home_json": lambda: ["/index.json"],
        "browse.accessibility": lambda: [TRIVIAL, filled(TRIVIAL, "x")],
        "browse.accessibility_json": lambda: ["/accessibility.json"],
        "browse.contribute": lambda: ["/contribute"],
        "browse.contribute_json": lambda: ["/contribute.json"],
        "browse.repository_file": lambda: [f"/repo/{path}" for path in SHOWN_FILES] + [long_id("/repo/")],
        "cases.cases": lambda: [every(ctx.facet_values("/cases.json"), "/cases"), "/cases?page=999999999",
                                "/cases?page=%C2%B2", "/cases?page=" + "9" * 4301, "/cases?sort=size"],
        "cases.cases_json": lambda: [every(ctx.facet_values("/cases.json"), "/cases.json"),
                                     "/cases.json?page=%C2%B2"],
        "cases.case": lambda: [f"/cases/{i}" for i in ctx.busiest("organisation")] + [long_id("/cases/")],
        "cases.case_json": lambda: [f"/cases/{i}.json" for i in ctx.busiest("organisation")]
        + [long_id("/cases/", ".json")],
        "compare.compare": lambda: [f"/compare?case={ctx.busiest('organisation', 1)[0]}&limit=50",
                                    every([*((k, i) for k in concept_kinds for i in ctx.busiest(k, 30)),
                                           ("staff", "999999999"), ("limit", "50")], "/compare"),
                                    "/compare?staff=%C2%B2", "/compare?staff=" + "9" * 4301,
                                    "/compare?case=" + "x" * 7000],
        "compare.compare_json": lambda: [f"/compare.json?case={ctx.busiest('organisation', 1)[0]}&limit=50"],
        "report.report": lambda: [every([*((k, i) for k in concept_kinds for i in ctx.busiest(k, 30)),
                                         ("staff", "999999999"), ("limit", "50")], "/report"),
                                  "/report?staff=%C2%B2", "/report?staff=" + "9" * 4301],
        "report.report_json": lambda: [every([*((k, i) for k in concept_kinds for i in ctx.busiest(k, 30)),
                                              ("limit", "50")], "/report.json")],
        "timeline.timeline": lambda: ["/timeline", "/timeline?sector=" + "x" * 7000],
        "timeline.timeline_json": lambda: ["/timeline.json"],
        "evidence.evidence": lambda: ["/evidence"],
        "evidence.evidence_json": lambda: ["/evidence.json"],
        "graph.graph": lambda: [f"/graph/{k}/{i}?depth=2&" + "&".join(f"show={s}" for s in LABELS)
                                for k in ("organisation", "practice", "sector") for i in ctx.busiest(k, 2)]
        + [long_id("/graph/organisation/")],
        "graph.graph_json": lambda: [f"/graph/practice/{ctx.busiest('practice', 1)[0]}.json?depth=2&"
                                     + "&".join(f"show={s}" for s in LABELS)],
        "lessons.lessons": lambda: ["/lessons", every(ctx.facet_values("/lessons.json"), "/lessons")],
        "lessons.lessons_json": lambda: ["/lessons.json"],
        "patterns.patterns": lambda: ["/patterns?scope=all", "/patterns"],
        "patterns.patterns_json": lambda: ["/patterns.json?scope=all"],
        "patterns.pattern_claims": lambda: [f"/patterns/claims?practice={p}&outcome={o}&scope=all"
                                            for p in ctx.busiest("practice", 2) for o in ctx.busiest("outcome", 2)],
        "patterns.pattern_claims_json": lambda: [f"/patterns/claims.json?practice={ctx.busiest('practice', 1)[0]}"
                                                 f"&outcome={ctx.busiest('outcome', 1)[0]}&scope=all"],
        "research.analytics": lambda: ["/analytics?scope=all", "/analytics"],
        "research.analytics_json": lambda: ["/analytics.json?scope=all"],
        "research.export_csv": lambda: ["/export/nodes.csv", "/export/edges.csv"],
        "research.export_cypher": lambda: ["/export/graph.cypher"],
        "research.export_graphml": lambda: ["/export/graph.graphml"],
        "research.export_json": lambda: ["/export/graph.json"],
        "research.query": lambda: ["/query?q=" + quote("MATCH (n) RETURN n LIMIT 1000"), "/query"],
        "research.query_json": lambda: ["/query.json?q=" + quote("MATCH (n) RETURN n LIMIT 1000")],
        "research.query_csv": lambda: ["/query.csv?q=" + quote("MATCH (n) RETURN n LIMIT 1000")],
        "search.search": lambda: ["/search?q=" + quote(words), "/search?q=" + quote(mistyped),
                                  filled("/search", "q", "holacracy+"), filled("/search", "q", "zq")],
        "search.search_json": lambda: ["/search.json?q=" + quote(words), "/search.json?q=" + quote(mistyped)],
        "sources.sources": lambda: [every(ctx.facet_values("/sources.json"), "/sources"), "/sources?page=%C2%B2",
                                    "/sources?page=999999999"],
        "sources.sources_json": lambda: ["/sources.json", "/sources.json?page=" + "9" * 4301],
        "sources.source": lambda: [f"/sources/{i}" for i in ctx.busiest("source")] + [long_id("/sources/")],
        "sources.source_json": lambda: [f"/sources/{i}.json" for i in ctx.busiest("source", 1)],
        "static": lambda: ["/static/style.css"],
        "openapi.openapi": lambda: ["/openapi.json"],
    }
    for kind in concept_kinds:
        table[f"concepts.{kind}s"] = lambda kind=kind: [f"/{kind}s"]
        table[f"concepts.{kind}s_json"] = lambda kind=kind: [f"/{kind}s.json"]
        table[f"concepts.{kind}"] = lambda kind=kind: ([f"/{kind}s/{i}" for i in ctx.busiest(kind)]
                                                      + [long_id(f"/{kind}s/"), f"/{kind}s/{ctx.busiest(kind, 1)[0]}"
                                                         "?page=%C2%B2"])
        table[f"concepts.{kind}_json"] = lambda kind=kind: [f"/{kind}s/{ctx.busiest(kind, 1)[0]}.json"]
    return table


def time_request(client: Any, url: str, repeat: int) -> tuple[int, float]:
    times, status = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return status, statistics.median(times)


def run(store_path: Path, repeat: int, progress: Callable[[str], None] = lambda _m: None) -> tuple[float, list[Timed]]:
    """Time every route's worst candidate; returns the trivial page's median (ms) and one row per endpoint."""
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(store_path), "KB_PAGE_CACHE_MB": 0,
                      "KB_RATE_LIMITS": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    store = LadybugStore(store_path)
    try:
        table = candidates(Context(client, store))
        missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(table))
        if missing:
            raise SystemExit(f"no worst input for: {', '.join(missing)} (add them to bench/worst_inputs.py)")
        client.get(TRIVIAL)
        rows = []
        for endpoint in sorted(table):
            scouted = [(time_request(client, url, 1), url) for url in table[endpoint]()]
            (_status, _ms), worst = max(scouted, key=lambda found: found[0][1])
            status, median = time_request(client, worst, repeat)
            rows.append(Timed(endpoint, worst, status, median, {url: found[0] for found, url in scouted}))
            progress(f"{endpoint}: {median:.1f} ms ({status})")
        _status, trivial = time_request(client, TRIVIAL, max(repeat, 5))
        return trivial, rows
    finally:
        store.close()
        for name in ("kb_console", "kb_store"):
            if app.extensions.get(name) is not None:
                app.extensions[name].close()


def shown(url: str) -> str:
    return url if len(url) <= 70 else f"{url[:60]}… ({len(url):,} chars)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="content root (default: the repository)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store_path = Path(folder) / "store"
        rebuild(store_path, graph_rows(load_content(args.root).corpus))
        trivial, rows = run(store_path, args.repeat, progress=lambda m: print(m, file=sys.stderr))
    rows.sort(key=lambda row: row.median_ms, reverse=True)
    errors = [(url, status) for row in rows for url, status in row.statuses.items() if status >= 500]
    for url, status in errors:
        print(f"SERVER ERROR {status}: {shown(url)}", file=sys.stderr)
    if args.markdown:
        print(f"| route | worst input | status | median ms | ÷ trivial ({TRIVIAL}, {trivial:.1f} ms) |")
        print("|---|---|---:|---:|---:|")
        for row in rows:
            print(f"| `{row.endpoint}` | `{shown(row.url)}` | {row.status} | {row.median_ms:.1f} | "
                  f"{row.median_ms / trivial:.1f}× |")
    else:
        print(f"trivial page {TRIVIAL}: {trivial:.2f} ms (median of {max(args.repeat, 5)})")
        for row in rows:
            print(f"{row.median_ms / trivial:8.1f}x  {row.median_ms:8.1f} ms  {row.status}  {row.endpoint:32} "
                  f"{shown(row.url)}")
    if errors:
        raise SystemExit(f"{len(errors)} request(s) answered with a server error")


if __name__ == "__main__":
    main()
