"""bench/scale.py's report: every goal of issue 29 with its figure at each N, from what a run kept.

A run that died half-way keeps its figures in its JSON file; its report shows them, and says of
every goal it did not reach that it was not measured and why.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import scale

#: What a run at N = 1,000 keeps when its Neo4j server failed after the embedded store's figures.
PARTIAL = {
    "n": 1000, "commit": "abc1234",
    "floor": {"files": 1173, "seconds": 0.6, "files_per_s": 1955.0, "cpu_s": 0.5, "files_per_cpu_s": 2346.0},
    "full_cold": 12.5, "full_cold_cpu_s": 9.2, "full_cold_tree_mb": 435.0, "rss_mb": 410.0,
    "reload": {"median": 0.21, "max": 0.29, "all": [0.21, 0.29]},
    "reload_unchanged": 0.05,
    "reload_cli": {"median": 1.2, "max": 1.6, "all": [1.2, 1.6]},
    "pages_ladybug": {
        "trivial route (baseline)": {"p50": 0.2, "p95": 0.4, "first": 2, "runs": 20, "statuses": [200]},
        "case": {"p50": 20.0, "p95": 34.0, "first": 100, "runs": 20, "statuses": [200]},
        "search": {"p50": 200.0, "p95": 417.0, "first": 300, "runs": 20, "statuses": [200]},
    },
    "comparable_ladybug": {"first_ms": 80.0, "p50": 1.0, "p95": 5.3},
    "neo4j_note": "Neo4j failed: Neo4jStartError: the server did not answer",
}


def report_of(tmp_path: Path, capsys, *results: dict, suite: str | None = None) -> str:
    path = tmp_path / "run.json"
    run = {"command": "python bench/scale.py --sizes 1000", "commit": "abc1234", "started": "2026-12-07 00:15 UTC",
           "load_start": "5.00 5.00 5.00", "environment": "vm: 2 cores"}
    path.write_text(json.dumps({"runs": [run], "results": list(results)}), encoding="utf-8")
    extra = []
    if suite is not None:
        (tmp_path / "ci.time").write_text(suite, encoding="utf-8")
        extra = ["--suite-time", str(tmp_path / "ci.time")]
    assert scale.main(["--report", str(path), *extra]) == 0
    return capsys.readouterr().out


def goal_row(report: str, goal: str) -> list[str]:
    """The cells of the goal table's row that starts with ``goal``."""
    rows = [line for line in report.splitlines() if line.startswith(f"| {goal}")]
    assert len(rows) == 1, (goal, rows)
    return [cell.strip() for cell in rows[0].strip("|").split("|")][1:]


def test_a_partial_run_reports_what_it_measured_and_why_the_rest_is_missing(tmp_path, capsys):
    report = report_of(tmp_path, capsys, PARTIAL)
    assert goal_row(report, "1. cold full load") == ["12.5 s (9 CPU s): **no**"]
    assert goal_row(report, "2. reload after one changed file") == ["0.29 s (median 0.21 s): yes"]
    assert goal_row(report, "2. `graph_loader.py load` after one change") == ["1.20 s (worst 1.60 s): **no**"]
    assert goal_row(report, "3. every page kind p95 under 100 ms, embedded") == [
        "417 ms (search); 1 of 2 kinds over: search 417: **no**"]
    assert goal_row(report, "3. every page kind p95 under 300 ms, Neo4j") == ["not measured: Neo4j failed"]
    assert goal_row(report, "4. first Neo4j sync") == ["not measured: Neo4j failed"]
    assert goal_row(report, "5. peak memory of a load") == ["435 MB: yes"]
    assert goal_row(report, "5. peak memory of the site") == ["not measured: not reached"]  # no web phase
    assert "did not finish" in report  # the run kept no end: it was stopped


def test_every_size_has_its_column_and_goal_6_is_read_from_the_ci_runs_time(tmp_path, capsys):
    measured = {**PARTIAL, "n": 10000, "neo4j_sync_s": 66.0, "neo4j_bare_s": 60.0,
                "neo4j_change_cli": {"median": 0.9, "max": 1.4, "all": [0.9, 0.8, 1.4]}, "neo4j_change_part_s": 0.12}
    del measured["neo4j_note"]
    report = report_of(tmp_path, capsys, measured, PARTIAL, suite="\nreal\t11m30.500s\nuser\t9m0.000s\n")
    assert goal_row(report, "goal (issue 29") == ["N = 1,000", "N = 10,000"]
    assert goal_row(report, "4. first Neo4j sync") == ["not measured: Neo4j failed", "1.10× (66.0 s / 60.0 s): yes"]
    assert goal_row(report, "4. `graph_loader.py load --neo4j` after one change") == [
        "not measured: Neo4j failed", "0.90 s (worst 1.40 s; Neo4j part 0.12 s): yes"]
    goal_6 = [line for line in report.splitlines() if line.startswith("6. `.ci/run` under 12 minutes: 11 min 30 s")]
    assert len(goal_6) == 1 and goal_6[0].endswith(": yes.")
    # The goals first, then every figure.
    assert report.index("| goal (issue 29") < report.index(goal_6[0]) < report.index("| N | floor files/s")


def test_resume_keeps_the_sizes_measured_in_full_and_measures_the_rest(tmp_path, monkeypatch, capsys):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"runs": [], "results": [{**PARTIAL, "complete": True},
                                                        {**PARTIAL, "n": 10000}]}), encoding="utf-8")
    measured = []

    def measure(n, args, result, save):
        measured.append(n)
        result.update(full_cold=50.0, complete=True)
        save()

    monkeypatch.setattr(scale, "measure", measure)
    assert scale.main(["--sizes", "1000", "10000", "--json", str(path), "--resume"]) == 0
    assert measured == [10000]  # 1,000 was complete; 10,000 had stopped half-way, so it is measured again
    kept = json.loads(path.read_text(encoding="utf-8"))["results"]
    assert [(r["n"], r["full_cold"]) for r in kept] == [(1000, 12.5), (10000, 50.0)]
    assert goal_row(capsys.readouterr().out, "1. cold full load") == ["12.5 s (9 CPU s): **no**",
                                                                       "50.0 s (0 CPU s): **no**"]


def test_goal_6_reads_the_wall_time_a_ci_script_wrote_and_says_when_the_run_failed(tmp_path, capsys):
    report = report_of(tmp_path, capsys, PARTIAL, suite="start 00:34:59\nexit 1 wall 1154 s end 00:54:13\n")
    assert "6. `.ci/run` under 12 minutes: 19 min 14 s (" in report
    assert "the run failed, exit 1): **no**." in report


def test_a_page_kind_over_its_limit_is_reported_as_over_it_with_where_its_time_went(tmp_path, capsys):
    slow = {**PARTIAL, "n": 100000}
    slow["pages_ladybug"] = {**PARTIAL["pages_ladybug"], "sources": {
        "over_s": 120.0, "profile": ["80% kb/analysis/sources.py:40 source_rows", "20% kb/store/x.py:9 run"]}}
    report = report_of(tmp_path, capsys, slow)
    assert goal_row(report, "3. every page kind p95 under 100 ms, embedded") == [
        "over 120 s (sources); 2 of 3 kinds over: sources over 120 s, search 417: **no**"]
    assert goal_row(report, "3. the slowest first request of a page kind after a load") == ["over 120 s (sources)"]
    every_kind = scale.details([slow])  # the tables below the goal table
    assert "| sources | over 120 s | – | – | – | – | – | – | – |" in every_kind
    assert ("- page sources (embedded), over 120 s: 80% kb/analysis/sources.py:40 source_rows; "
            "20% kb/store/x.py:9 run") in every_kind


def test_an_item_over_its_limit_ends_the_phase_with_where_the_time_went_and_the_next_start_skips_it(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "phase.py"
    script.write_text(f"""
import sys, time
sys.path.insert(0, {str(Path(scale.__file__).parent.parent)!r})
from pathlib import Path
from bench.scale import Figures, Watchdog

def slow_page():
    time.sleep(5)

out = Figures(Path({str(tmp_path / 'queries.json')!r}))
watchdog = Watchdog(out, limit_s=0.8)
for kind in ("home", "sources"):
    if watchdog.has("pages_ladybug", kind):
        continue
    with watchdog.item("pages_ladybug", kind):
        if kind == "sources":
            slow_page()
    watchdog.record("pages_ladybug", kind, {{"p95": 1.0}})
print("done")
""", encoding="utf-8")
    first = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert first.returncode == scale.OVER_LIMIT, first.stderr
    kept = json.loads((tmp_path / "queries.json").read_text(encoding="utf-8"))
    assert kept["pages_ladybug"]["home"] == {"p95": 1.0}
    assert kept["pages_ladybug"]["sources"]["over_s"] == 0.8
    assert kept["pages_ladybug"]["sources"]["profile"] == ["100% phase.py:8 slow_page"]  # the sleep in it
    assert "running" not in kept
    again = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert (again.returncode, again.stdout) == (0, "done\n")  # both kinds were kept: nothing measured again


def test_a_phase_over_its_limit_is_stopped_its_figures_kept_and_the_report_says_so(tmp_path, monkeypatch):
    import argparse
    import time

    phase = tmp_path / "phase.py"  # a phase that measures one figure, then hangs (as a page taking hours would)
    phase.write_text("""
import json, signal, sys, time
work = sys.argv[sys.argv.index("--work") + 1]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
open(work + "/queries.json", "w").write(json.dumps({"ladybug": {"organisation": {"p50": 1.0, "p95": 2.0}},
                                                    "running": {"key": "pages_ladybug"}}))
time.sleep(60)
""", encoding="utf-8")
    monkeypatch.setattr(scale, "__file__", str(phase))
    args = argparse.Namespace(duration=5, connections=16, neo4j_rounds=1, item_limit=120.0, skip_neo4j=True,
                              neo4j_max_n=None)
    begin = time.monotonic()
    figures = scale.run_phase("queries", 100000, tmp_path, args, limit_s=2.0, why_limit="--phase-limit queries=2")
    assert time.monotonic() - begin < 30
    assert figures == {"ladybug": {"organisation": {"p50": 1.0, "p95": 2.0}}, "queries_over_s": 2.0,
                       "queries_note": "the queries phase ran over 2 s (--phase-limit queries=2); it was stopped "
                                       "and its figures so far are kept"}


def test_neo4j_up_to_a_size_and_phases_the_runs_end_left_out_are_reported_with_why(tmp_path, monkeypatch, capsys):
    import time

    started, end = [], time.strftime("%H:%M", time.gmtime(time.time() + 7200))

    def run_phase(phase, n, work, args, limit_s=None, why_limit=""):
        started.append((n, phase, limit_s is not None))
        if phase != "queries":  # the time kept for the queries phase is not the earlier phases'
            assert why_limit == f"--end-by {end} UTC, 600 s kept for the queries phase", why_limit
            assert 7200 - 660 < limit_s <= 7200 - 600
        if (n, phase) == (100000, "load"):
            args.end_by = time.time() - 1  # the 100,000-case load ends after the run's end
            return {"full_cold": 900.0, "full_cold_cpu_s": 1100.0, "rss_mb": 2100.0}
        return {"load": {"full_cold": 12.5}, "queries": {"pages_ladybug": PARTIAL["pages_ladybug"],
                                                         "urls": {"case": [], "search": []}}}.get(phase, {})

    monkeypatch.setattr(scale, "prepare_content", lambda n, content: "made")
    monkeypatch.setattr(scale, "run_phase", run_phase)
    path = tmp_path / "run.json"
    assert scale.main(["--sizes", "1000", "100000", "--neo4j-max-n", "1000", "--end-by", end,
                       "--reserve", "queries=600", "--json", str(path), "--skip-web"]) == 0
    assert [(n, phase) for n, phase, _ in started] == [(1000, "check"), (1000, "load"), (1000, "queries"),
                                                       (100000, "check"), (100000, "load")]
    assert all(limited for *_, limited in started)  # every phase had the time left as its limit
    report = capsys.readouterr().out
    assert goal_row(report, "4. first Neo4j sync")[1] == (
        "not measured: Neo4j measured up to 1,000 cases in this run (--neo4j-max-n 1000)")
    row = goal_row(report, "3. every page kind p95 under 300 ms, Neo4j")
    assert row[1] == "not measured: Neo4j measured up to 1,000 cases in this run (--neo4j-max-n 1000)"
    row = goal_row(report, "3. every page kind p95 under 100 ms, embedded")
    assert row[0] == "417 ms (search); 1 of 2 kinds over: search 417: **no**"
    assert row[1].startswith("not measured: the run's end came first (--end-by ")  # (the end moved in the fake)
    assert goal_row(report, "1. cold full load")[1] == "900.0 s (1100 CPU s): **no**"
    assert "above 20,000 cases the previous floor" in report  # what is left out at 100,000, and why


def test_page_kinds_a_stopped_phase_did_not_reach_are_not_judged(tmp_path, capsys):
    stopped = {**PARTIAL, "n": 100000, "urls": {"case": [], "search": [], "sources": [], "lessons": []},
               "pages_ladybug": {**PARTIAL["pages_ladybug"], "search": {"p50": 20.0, "p95": 40.0, "first": 9}},
               "queries_note": "the queries phase ran over 900 s (--phase-limit queries=900); it was stopped"}
    report = report_of(tmp_path, capsys, stopped)
    assert goal_row(report, "3. every page kind p95 under 100 ms, embedded") == [
        "40 ms (search); 0 of 2 kinds over; 2 more not measured (the queries phase ran over 900 s "
        "(--phase-limit queries=900))"]  # neither yes nor no


def test_a_query_taking_over_ten_seconds_is_timed_fewer_than_three_times_and_the_table_says_so():
    import time

    now = time.perf_counter()
    assert scale.more_samples([400.0], now - 0.4, budget_s=1.5, most=20)  # fast: on to three and more
    assert scale.more_samples([400.0, 400.0, 400.0], now - 1.2, budget_s=1.5, most=20)
    assert not scale.more_samples([400.0] * 4, now - 1.6, budget_s=1.5, most=20)
    assert scale.more_samples([6000.0], now - 6.0, budget_s=1.5, most=20)  # two of 6 s: 12 s in all
    assert not scale.more_samples([6000.0, 6000.0], now - 12.0, budget_s=1.5, most=20)
    table = scale.queries_table({"n": 100000, "ladybug": {"sources": {"p50": 12000.0, "p95": 12000.0, "runs": 1},
                                                          "source": {"p50": 0.2, "p95": 1.8, "runs": 20}}})
    assert "| sources | 12000.0 | 12000.0 (1 run) | – | – |" in table
    assert "| source | 0.2 | 1.8 | – | – |" in table


def test_above_20000_cases_the_page_kinds_are_timed_before_the_named_queries(tmp_path, monkeypatch):
    import kb.store.ladybug

    class Store:
        def close(self):
            pass

    order = []
    monkeypatch.setattr(kb.store.ladybug, "LadybugStore", lambda path: Store())
    monkeypatch.setattr(scale, "time_queries", lambda store, watchdog, key: order.append("named queries"))
    monkeypatch.setattr(scale, "time_comparable", lambda store: order.append("comparable") or {"p95": 1.0})
    monkeypatch.setattr(scale, "page_urls", lambda store, rng: {"case": ["/cases/a"]})
    monkeypatch.setattr(scale, "time_pages", lambda config, urls, watchdog, key: order.append("page kinds"))
    for pages_first in (False, True):
        out = scale.Figures(tmp_path / f"queries-{pages_first}.json")
        scale.queries_phase(tmp_path, tmp_path / "store", out, "skipped (--skip-neo4j)", 1,
                            scale.Watchdog(out, 120.0), pages_first=pages_first)
    assert order == ["named queries", "comparable", "page kinds", "page kinds", "named queries", "comparable"]


def test_the_page_cache_warm_up_goes_on_until_the_cached_rate_settles():
    # Case pages at 10,000 cases: the first runs mostly render pages for the first time; a 15 s warm-up (three
    # runs) stopped while a worker still rendered its share, and the measured run caught the rest of the fill.
    rates = iter([75, 150, 1200, 3200, 3300, 3250, 3300])
    asked = []

    def run(seconds):
        asked.append(seconds)
        rps = next(rates)
        return {"rps": rps, "requests": rps * seconds}

    runs = scale.warm_page_cache(run, 500, least_s=15, most_s=60)
    assert [r["rps"] for r in runs] == [75, 150, 1200, 3200, 3300]
    assert asked == [scale.WARM_RUN_S] * 5


def test_a_page_cache_warm_up_stops_at_its_limit_when_pages_are_slow_and_at_least_s_when_fast():
    slow = scale.warm_page_cache(lambda seconds: {"rps": 8.0, "requests": 40}, 500, least_s=15, most_s=60)
    assert len(slow) == 60 // scale.WARM_RUN_S  # 100,000 cases: not settled, and web_phase says so
    assert not scale.warm_enough(slow, 500)
    # An all-first-render start as flat as a settled rate is not taken for one (too few requests yet).
    flat = iter([75, 76, 75, 1500, 3200, 3300])
    assert len(scale.warm_page_cache(lambda s: {"rps": (r := next(flat)), "requests": 5 * r}, 500, 15, 60)) == 6
    # A cache full from the first run (few cases): 15 s, as the single run before.
    fast = scale.warm_page_cache(lambda seconds: {"rps": 3000.0, "requests": 15000}, 500, least_s=15, most_s=60)
    assert len(fast) == 3
