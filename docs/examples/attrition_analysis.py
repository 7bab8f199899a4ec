"""A short analysis with the notebook API: what goes with staff attrition?

Run it from the repository root:  python docs/examples/attrition_analysis.py

One import and one call give the whole graph as networkx; the rest is plain networkx and Python.
Every number printed can be traced back to a case file and line through the edges' evidence.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from anywhere, without installing
import kb


def organisations_facing(G: nx.MultiDiGraph, challenge: str) -> set[str]:
    """Organisations with a FACED edge to the challenge."""
    return {u for u, _, d in G.in_edges(f"Challenge:{challenge}", data=True) if d["type"] == "FACED"}


def practices_of(G: nx.MultiDiGraph, organisation: str) -> set[str]:
    return {v for _, v, d in G.out_edges(organisation, data=True) if d["type"] == "USES_PRACTICE"}


def main() -> dict:
    G = kb.load_graph()
    facing = organisations_facing(G, "staff-attrition")
    others = {n for n, d in G.nodes(data=True) if d["label"] == "Organisation"} - facing

    # How much more often is each practice used where attrition was reported than elsewhere?
    # (Add-one smoothing keeps tiny counts from producing huge ratios.)
    with_attrition = Counter(p for org in facing for p in practices_of(G, org))
    without = Counter(p for org in others for p in practices_of(G, org))
    lift = {p: ((with_attrition[p] + 1) / (len(facing) + 2)) / ((without[p] + 1) / (len(others) + 2))
            for p in with_attrition}

    # The evidence behind each attrition claim: file, line, sources, contested or not.
    evidence = [(u, d["file"], d["line"], d["status"] or "-", ", ".join(d["sources"]))
                for u, _, d in G.in_edges("Challenge:staff-attrition", data=True) if d["type"] == "FACED"]

    # Which practices are central in the practice co-occurrence network?
    cooccurrence = nx.Graph()
    for org in facing | others:
        practices = sorted(practices_of(G, org))
        for i, a in enumerate(practices):
            for b in practices[i + 1:]:
                weight = cooccurrence.get_edge_data(a, b, {"weight": 0})["weight"]
                cooccurrence.add_edge(a, b, weight=weight + 1)
    centrality = nx.degree_centrality(cooccurrence)

    print(f"{len(facing)} of {len(facing) + len(others)} organisations report staff attrition.\n")
    print("Practices used more often where attrition was reported:")
    for practice, value in sorted(lift.items(), key=lambda item: (-item[1], item[0]))[:8]:
        print(f"  {G.nodes[practice]['name']:<40} {with_attrition[practice]} of {len(facing)} vs "
              f"{without[practice]} of {len(others)} others, lift {value:.1f}")
    print("\nEvidence for each attrition claim:")
    for org, file, line, status, sources in sorted(evidence):
        print(f"  {G.nodes[org]['name']:<45} {file}:{line}  {status:<10} [{sources}]")
    print("\nMost connected practices (degree centrality):")
    for practice, value in sorted(centrality.items(), key=lambda item: (-item[1], item[0]))[:5]:
        print(f"  {G.nodes[practice]['name']:<45} {value:.2f}")
    return {"facing": facing, "lift": lift, "evidence": evidence, "centrality": centrality}


if __name__ == "__main__":
    main()
