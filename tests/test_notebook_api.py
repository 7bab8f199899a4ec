"""The notebook API: one import, one call, and the documented analysis runs."""

from __future__ import annotations

import runpy
import subprocess
import sys

import networkx as nx

import kb

from .conftest import REPO


def test_one_call_gives_a_networkx_graph() -> None:
    G = kb.load_graph()
    assert isinstance(G, nx.MultiDiGraph)
    edge = next(d for _, v, d in G.out_edges("Organisation:zappos", data=True) if v == "Challenge:staff-attrition")
    assert {"detail", "sources", "status", "file", "line"} <= set(edge)


def test_the_documented_analysis_runs_and_traces_its_evidence() -> None:
    result = subprocess.run([sys.executable, "docs/examples/attrition_analysis.py"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "organisations report staff attrition" in result.stdout
    assert "cases/zappos.md:" in result.stdout


def test_analysis_results_match_the_graph() -> None:
    results = runpy.run_path(str(REPO / "docs/examples/attrition_analysis.py"))["main"]()
    assert "Organisation:zappos" in results["facing"]
    assert all(file.startswith("cases/") for _, file, _, _, _ in results["evidence"])
