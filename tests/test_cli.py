"""The loader CLI as a contributor and a researcher use it: exit codes and what it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
from click.testing import CliRunner

from kb import load_graph
from kb.cli.main import main
from kb.store.ladybug import LadybugStore, current_generation

from .conftest import REPO


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def break_file(root: Path) -> None:
    path = root / "cases" / "alpha-care.md"
    path.write_text(path.read_text().replace("kind: nonprofit", "kind: charitee").replace("[src: report-b]", ""))


def test_validate_passes_on_valid_content(mini_root: Path) -> None:
    code, _, err = run("validate", "--root", str(mini_root))
    assert code == 0
    assert "0 error(s)" in err


def test_validate_reports_located_errors_and_exits_1(mini_root: Path) -> None:
    break_file(mini_root)
    code, out, err = run("validate", "--root", str(mini_root))
    assert code == 1
    lines = out.splitlines()
    assert "cases/alpha-care.md:5:7: error: kind: 'charitee' is not allowed (did you mean 'charity'?)" in lines
    assert any(line.startswith("cases/alpha-care.md:38:1: error: practices bullet cites no source") for line in lines)
    assert "error(s)" in err


def test_validate_json_has_the_same_problems(mini_root: Path) -> None:
    break_file(mini_root)
    code, out, _ = run("validate", "--root", str(mini_root), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    first = report["problems"][0]
    assert set(first) >= {"path", "line", "col", "message", "hint", "severity"}
    assert {(p["line"], p["col"]) for p in report["problems"]} >= {(5, 7), (38, 1)}


def test_validate_unknown_path_is_a_usage_error(mini_root: Path) -> None:
    code, _, err = run("validate", "--root", str(mini_root), "cases/nope.md")
    assert code == 2 and "no such file" in err


def test_load_prints_counts_and_writes_the_store(mini_root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, out, _ = run("load", "--root", str(mini_root), "--store", str(store))
    assert code == 0
    assert "Organisation" in out and "USES_PRACTICE" in out
    assert "nodes:" in out and "relationships:" in out
    assert len(LadybugStore(store).query("organisations")) == 2


def test_refused_load_keeps_the_previous_store(mini_root: Path, mini_store: Path) -> None:
    before = current_generation(mini_store)
    break_file(mini_root)
    code, out, err = run("load", "--root", str(mini_root), "--store", str(mini_store))
    assert code == 1
    assert "store was left unchanged" in err
    assert "cases/alpha-care.md:5:7" in out
    assert current_generation(mini_store) == before
    assert len(LadybugStore(mini_store).query("organisations")) == 2


def test_export_graphml_round_trips(mini_root: Path, tmp_path: Path) -> None:
    output = tmp_path / "graph.graphml"
    code, _, _ = run("export", "--root", str(mini_root), "--format", "graphml", "--output", str(output))
    assert code == 0
    exported = nx.read_graphml(output, force_multigraph=True)
    graph = load_graph(mini_root)
    assert set(exported.nodes) == set(graph.nodes)
    assert exported.number_of_edges() == graph.number_of_edges()
    edge = next(d for _, v, d in exported.edges(data=True) if v == "Challenge:staff-attrition"
                and d.get("status") == "contested")
    assert edge["sources"] == "report-a;report-b" and edge["file"] == "cases/alpha-care.md"


def test_export_json_and_csv(mini_root: Path, tmp_path: Path) -> None:
    code, _, _ = run("export", "--root", str(mini_root), "--format", "json", "--output", str(tmp_path / "g.json"))
    data = json.loads((tmp_path / "g.json").read_text())
    assert code == 0 and any(n["id"] == "Organisation:alpha-care" for n in data["nodes"])
    code, _, _ = run("export", "--root", str(mini_root), "--format", "csv", "--output", str(tmp_path / "csv"))
    header = (tmp_path / "csv" / "edges.csv").read_text().splitlines()[0]
    assert code == 0 and header.startswith("start,end,type,detail")


def test_every_command_has_help_with_an_example() -> None:
    for command in ("validate", "load", "export"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example" in out and "python graph_loader.py" in out


def test_graph_loader_script_runs() -> None:
    result = subprocess.run([sys.executable, "graph_loader.py", "--help"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0 and "validate" in result.stdout


def test_validate_a_file_outside_the_content_folders(mini_root: Path) -> None:
    stray = mini_root / "notes.md"
    stray.write_text("# notes\n")
    code, out, _ = run("validate", "--root", str(mini_root), str(stray))
    assert code == 1 and "notes.md:1:1: error: not in a content folder" in out
