"""kb.analysis: rarity weights, the case index, co-occurrence and centrality, matrices, comparable cases.

One class per function, tiny named inputs, as networkx's own tests do.
"""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb import analysis, evidence
from kb.analysis import (
    CaseQuery,
    alongside,
    build_index,
    centrality,
    comparable_cases,
    cooccurrence_graph,
    cross_matrix,
    index_for,
    most_connected,
    query_for_case,
    rank_comparable,
    rarity,
    top_pairs,
)


def claim(org: str, rel: str, concept: str, status: str | None = None) -> dict:
    return {"organisation": org, "type": rel, "concept": concept, "status": status}


def profile(case_id: str, country: str = "", sectors: tuple = (), size: str = "unknown") -> dict:
    return {"id": case_id, "name": case_id.title(), "country": country, "country_name": country,
            "sectors": list(sectors), "size_band": size}


#: Three care organisations and a shoe shop.  "teams" is common, "coaches" rare.
PROFILES = [profile("ada", "NL", ("home-care",), "1000-9999"), profile("bea", "NL", ("home-care",), "250-999"),
            profile("cor", "GB", ("mental-health",), "50-249"), profile("dan", "US", ("retail",), "10000+")]
CLAIMS = [
    claim("ada", "USES_PRACTICE", "teams"), claim("ada", "USES_PRACTICE", "coaches"),
    claim("ada", "FACED", "attrition", "contested"), claim("ada", "REPORTED", "wellbeing", "uncertain"),
    claim("bea", "USES_PRACTICE", "teams"), claim("bea", "FACED", "attrition"), claim("bea", "REPORTED", "wellbeing"),
    claim("cor", "USES_PRACTICE", "teams"), claim("cor", "USES_PRACTICE", "coaches"),
    claim("dan", "USES_FRAMEWORK", "holacracy"), claim("dan", "FACED", "attrition", "uncertain"),
]
SECTORS = [{"id": "health-care", "name": "Health care", "broader": None},
           {"id": "home-care", "name": "Home care", "broader": "health-care"},
           {"id": "mental-health", "name": "Mental health", "broader": "health-care"},
           {"id": "retail", "name": "Retail", "broader": None}]
CONCEPTS = [{"label": "Practice", "id": "teams", "name": "Self-managing teams"},
            {"label": "Practice", "id": "coaches", "name": "Coaches"},
            {"label": "Challenge", "id": "attrition", "name": "Staff attrition"},
            {"label": "Outcome", "id": "wellbeing", "name": "Staff well-being"},
            {"label": "Framework", "id": "holacracy", "name": "Holacracy"}]


@pytest.fixture
def index() -> analysis.CaseIndex:
    return build_index(PROFILES, CLAIMS, CONCEPTS, SECTORS, [{"framework": "holacracy", "practice": "teams"}])


class TestRarity:
    def test_everyone_has_it_is_worth_one_point(self):
        assert rarity(10, 10) == 1.0

    def test_rarer_is_worth_more(self):
        assert rarity(100, 1) > rarity(100, 10) > rarity(100, 90) > 1.0

    def test_two_decimals(self):
        assert rarity(4, 2) == pytest.approx(1.51)


class TestBuildIndex:
    def test_postings_list_the_cases_with_each_feature(self, index):
        assert index.cases_with("practice", "teams") == {"ada", "bea", "cor"}
        assert index.cases_with("sector", "home-care") == {"ada", "bea"}
        assert index.cases_with("country", "NL") == {"ada", "bea"}
        assert index.cases_with("size", "10000+") == {"dan"}
        assert index.cases_with("practice", "unknown") == frozenset()

    def test_unknown_size_is_not_indexed(self):
        index = build_index([profile("x")], [])
        assert not any(kind == "size" for kind, _value in index.postings)

    def test_two_claims_on_one_concept_keep_the_less_certain_status(self):
        index = build_index([profile("x")], [claim("x", "FACED", "attrition"),
                                             claim("x", "FACED", "attrition", "contested"),
                                             claim("x", "FACED", "attrition", "uncertain")])
        assert index.claims["x"]["challenge"] == {"attrition": "contested"}

    def test_claims_of_unknown_organisations_are_ignored(self):
        index = build_index([profile("x")], [claim("ghost", "USES_PRACTICE", "teams")])
        assert index.cases_with("practice", "teams") == frozenset()

    def test_vocabulary_names_and_includes(self, index):
        assert index.name("practice", "teams") == "Self-managing teams"
        assert index.name("practice", "nameless") == "nameless"
        assert index.includes == {"holacracy": ("teams",)}
        assert index.sector_name("home-care") == "Home care"


class TestCooccurrenceGraph:
    def test_weights_count_the_cases_with_both(self):
        G = cooccurrence_graph({"c1": ["a", "b"], "c2": ["a", "b", "c"], "c3": ["c"]})
        assert dict(G["a"]) == {"b": {"weight": 2, "cases": ["c1", "c2"]}, "c": {"weight": 1, "cases": ["c2"]}}
        assert G.nodes["c"]["cases"] == ["c2", "c3"]

    def test_item_alone_in_its_cases_is_an_isolated_node(self):
        G = cooccurrence_graph({"c1": ["solo"], "c2": ["a", "b"]})
        assert G.degree("solo") == 0 and G.number_of_edges() == 1

    def test_duplicates_within_a_case_count_once_and_make_no_self_loop(self):
        G = cooccurrence_graph({"c1": ["a", "a", "b"]})
        assert G["a"]["b"]["weight"] == 1 and nx.number_of_selfloops(G) == 0

    def test_empty(self):
        assert cooccurrence_graph({}).number_of_nodes() == 0

    def test_same_graph_whatever_the_input_order(self):
        one = cooccurrence_graph({"c1": ["b", "a"], "c2": ["c", "a"]})
        two = cooccurrence_graph({"c2": ["a", "c"], "c1": ["a", "b"]})
        assert list(one.nodes) == list(two.nodes) and list(one.edges(data=True)) == list(two.edges(data=True))


class TestCentrality:
    def test_star_hub_bridges_everything(self):
        scores = centrality(nx.star_graph(3))
        assert scores[0]["betweenness"] == 1.0 and scores[0]["degree"] == 3
        assert {scores[leaf]["betweenness"] for leaf in (1, 2, 3)} == {0.0}
        assert scores[0]["eigenvector"] > scores[1]["eigenvector"]

    def test_path_middle_node(self):
        scores = centrality(nx.path_graph(["a", "b", "c"]))
        assert scores["b"]["betweenness"] == 1.0 and scores["a"]["betweenness"] == 0.0

    def test_strength_sums_weights(self):
        G = nx.Graph()
        G.add_edge("a", "b", weight=3)
        G.add_edge("a", "c", weight=1)
        scores = centrality(G)
        assert (scores["a"]["degree"], scores["a"]["strength"]) == (2, 4)

    def test_symmetric_triangle_scores_alike(self):
        scores = centrality(nx.complete_graph(["x", "y", "z"]))
        assert scores["x"] == scores["y"] == scores["z"]
        assert scores["x"]["eigenvector"] == pytest.approx(0.577, abs=1e-3)

    def test_empty_graph(self):
        assert centrality(nx.Graph()) == {}


class TestMostConnected:
    def test_ordered_by_co_occurrences_with_partners(self, index):
        rows = most_connected(index)
        assert [(r["id"], r["cases"], r["degree"], r["strength"]) for r in rows] == [
            ("coaches", 2, 1, 2), ("teams", 3, 1, 2)]  # equal strength and degree: by name
        assert rows[1]["partners"] == [{"id": "coaches", "name": "Coaches", "cases": 2}]


class TestCrossMatrix:
    def test_cells_hold_the_cases_with_both(self, index):
        matrix = cross_matrix(index, "practice", "challenge")
        assert matrix.cells == {("teams", "attrition"): ("ada", "bea"), ("coaches", "attrition"): ("ada",)}
        assert matrix.rows == ("teams", "coaches")  # most used first
        assert matrix.cols == ("attrition",)

    def test_concepts_without_any_cell_are_left_out(self, index):
        matrix = cross_matrix(index, "practice", "outcome")
        assert matrix.rows == ("teams", "coaches") and matrix.cases("coaches", "wellbeing") == ("ada",)
        assert "holacracy" not in matrix.rows

    def test_same_kind_has_no_diagonal(self, index):
        matrix = cross_matrix(index, "practice", "practice")
        assert ("teams", "teams") not in matrix.cells and matrix.cases("teams", "coaches") == ("ada", "cor")


class TestAlongside:
    def test_counts_shares_and_doubt(self, index):
        rows = alongside(index, "practice", "teams", "challenge")
        assert rows == [{"id": "attrition", "name": "Staff attrition", "count": 2, "share": 0.67,
                         "cases": ["ada", "bea"], "contested": 1, "uncertain": 0}]

    def test_same_kind_leaves_out_the_concept_itself(self, index):
        assert [r["id"] for r in alongside(index, "practice", "coaches", "practice")] == ["teams"]

    def test_agrees_with_the_cooccurrence_graph(self, index):
        G = analysis.practice_graph(index)
        for row in alongside(index, "practice", "teams", "practice"):
            assert row["count"] == G["teams"][row["id"]]["weight"]

    def test_concept_nobody_has(self, index):
        assert alongside(index, "practice", "nobody", "outcome") == []


class TestTopPairs:
    def test_most_frequent_column_per_row(self, index):
        pairs = top_pairs(index, cross_matrix(index, "practice", "challenge"))
        assert pairs == [{"row": "teams", "row_name": "Self-managing teams", "row_cases": 3, "col": "attrition",
                          "col_name": "Staff attrition", "count": 2, "share": 0.67, "cases": ["ada", "bea"]}]

    def test_min_cases(self, index):
        matrix = cross_matrix(index, "practice", "challenge")
        assert [p["row"] for p in top_pairs(index, matrix, min_cases=1)] == ["teams", "coaches"]
        assert top_pairs(index, matrix, min_cases=3) == []


class TestRankComparable:
    def test_reasons_add_up_to_the_score(self, index):
        for case in index.profiles:
            for match in rank_comparable(index, query_for_case(index, case), exclude={case}):
                assert match["score"] == pytest.approx(sum(r["points"] for r in match["reasons"]))
                assert match["score"] == pytest.approx(sum(match["subtotals"].values()))

    def test_explains_each_component(self, index):
        [bea] = [m for m in rank_comparable(index, query_for_case(index, "ada")) if m["id"] == "bea"]
        # By hand, each kind its own budget, times 0.5 (not graded): teams is had by 3 of 4 cases (rarity
        # 1 + ln(5/4) = 1.22), coaches by 2 (1 + ln(5/3) = 1.51), so teams takes 1.22 / 2.73 of the 2 practice
        # points: 0.45; attrition is ada's only challenge (all 3 points: 1.5), wellbeing its only outcome (all
        # 2 points: 1.0).  Then the same sector 3, the same country 2 and a neighbouring size band 0.5.
        assert [(r["component"], r["id"], r["points"]) for r in bea["reasons"]] == [
            ("practice", "teams", 0.45), ("challenge", "attrition", 1.5), ("outcome", "wellbeing", 1.0),
            ("sector", "home-care", 3.0), ("country", "NL", 2.0),
            ("size", "250-999", 0.5)]
        assert bea["split"] == {"context": 5.5, "practices": 0.45, "challenges": 1.5, "outcomes": 1.0}
        assert bea["reasons"][0]["why"] == ("shared practice; 3 of 4 cases have it; evidence: grade not recorded "
                                            "(yours: grade not recorded); weight 0.5")
        assert bea["reasons"][0]["cases_with"] == 3 and bea["reasons"][3]["cases_with"] is None

    def test_rare_shared_practice_outweighs_a_common_one(self, index):
        ranked = rank_comparable(index, CaseQuery(practices=frozenset({"coaches"})))
        assert [m["id"] for m in ranked] == ["ada", "cor"]
        ranked = rank_comparable(index, CaseQuery(practices=frozenset({"teams", "coaches"})))
        points = {r["id"]: r["points"] for r in ranked[0]["reasons"]}
        assert points["coaches"] > points["teams"]
        assert [m["id"] for m in ranked] == ["ada", "cor", "bea"]

    def test_shared_concepts_together_are_worth_at_most_the_budget(self, index):
        for case in index.profiles:
            query = query_for_case(index, case)
            for match in rank_comparable(index, query):
                for group, budget in (("frameworks", 5), ("practices", 2), ("challenges", 3), ("outcomes", 2)):
                    assert match["subtotals"][group] <= budget + 0.01

    def test_related_sector_scores_less_than_the_same(self, index):
        ranked = rank_comparable(index, CaseQuery(sectors=frozenset({"home-care"})))
        # Same sector 3 points; mental health is two steps away (up to health care, down again): 2 / 2.
        assert [(m["id"], m["score"]) for m in ranked] == [("ada", 3.0), ("bea", 3.0),
                                                           ("cor", 1.0)]
        assert ranked[2]["reasons"][0]["why"] == "related kind of service: Mental health (under Health care)"

    def test_a_broader_sector_is_the_same_kind_of_service(self, index):
        ranked = rank_comparable(index, CaseQuery(sectors=frozenset({"health-care"})))
        # One step down from health care: the whole 2 points.
        assert [(m["id"], m["score"]) for m in ranked] == [("ada", 2.0), ("bea", 2.0), ("cor", 2.0)]

    def test_size_same_and_neighbouring_band(self, index):
        ranked = rank_comparable(index, CaseQuery(size_band="250-999"))
        assert [(m["id"], m["score"]) for m in ranked] == [("bea", 1.0), ("ada", 0.5),
                                                           ("cor", 0.5)]

    def test_cases_sharing_nothing_are_not_listed(self, index):
        assert [m["id"] for m in rank_comparable(index, CaseQuery(country="US"))] == ["dan"]
        assert rank_comparable(index, CaseQuery()) == []

    def test_exclude_and_limit(self, index):
        query = query_for_case(index, "ada")
        assert "ada" not in [m["id"] for m in rank_comparable(index, query, exclude={"ada"})]
        assert len(rank_comparable(index, query, limit=1)) == 1

    def test_ties_broken_by_name(self, index):
        ranked = rank_comparable(index, CaseQuery(country="NL"))
        assert [m["name"] for m in ranked] == ["Ada", "Bea"]


def graded(org: str, rel: str, concept: str, evidence: str | None = None, scope: str | None = None,
           status: str | None = None) -> dict:
    return {**claim(org, rel, concept, status), "evidence": evidence, "scope": scope}


class TestEvidenceAndScope:
    def test_stronger_evidence_earns_more_points(self):
        index = build_index([profile("q"), profile("strong"), profile("weak")],
                            [graded("strong", "USES_PRACTICE", "teams", "evaluated"),
                             graded("weak", "USES_PRACTICE", "teams", "impression")])
        ranked = rank_comparable(index, CaseQuery(practices=frozenset({"teams"})))
        # The practice budget is 2 points (CONCEPT_BUDGETS), all of it for the one shared practice,
        # times the evidence weight: 1.0 for an evaluation, 0.25 for an impression.
        assert [(m["id"], m["score"]) for m in ranked] == [("strong", 2.0),
                                                           ("weak", 0.5)]
        reason = ranked[0]["reasons"][0]
        assert (reason["grade"], reason["grade_label"], reason["weight"]) == ("evaluated", "Independent evaluation", 1.0)
        assert "evidence: independent evaluation" in reason["why"]

    def test_a_shared_concept_weighs_as_the_weaker_sides_evidence(self):
        index = build_index([profile("a"), profile("b")],
                            [graded("a", "USES_PRACTICE", "teams", "impression"),
                             graded("b", "USES_PRACTICE", "teams", "evaluated")])
        [match] = rank_comparable(index, query_for_case(index, "a"), exclude={"a"})
        assert match["reasons"][0]["weight"] == 0.25 and match["reasons"][0]["query_grade"] == "impression"

    def test_two_claims_on_one_concept_count_with_the_best_grade(self):
        index = build_index([profile("x")], [graded("x", "FACED", "attrition", "impression"),
                                             graded("x", "FACED", "attrition", "reported")])
        assert index.grade("x", "challenge", "attrition") == "reported"

    def test_claims_about_others_or_in_general_never_score(self):
        rows = [graded("home", "USES_PRACTICE", "teams", "reported"),
                graded("home", "FACED", "attrition", "reported"),
                graded("helper", "FACED", "attrition", "evaluated", scope="supported"),
                graded("helper", "USES_PRACTICE", "teams", "evaluated", scope="general")]
        index = build_index([profile("home"), profile("helper")], rows)
        assert index.claims["helper"] == {"practice": {}, "framework": {}, "challenge": {}, "outcome": {}}
        assert index.cases_with("challenge", "attrition") == {"home"}
        assert rank_comparable(index, query_for_case(index, "home"), exclude={"home"}) == []
        assert analysis.explain_match(index, query_for_case(index, "home"), "helper")["reasons"] == []
        # Kept, and counted when a reader asks for every scope.
        assert len(index.claim_rows) == 4
        assert index.restricted("all").cases_with("challenge", "attrition") == {"home", "helper"}
        assert index.restricted("self") is index

    def test_restricted_to_a_minimum_grade(self):
        index = build_index([profile("a"), profile("b"), profile("c")],
                            [graded("a", "REPORTED", "wellbeing", "evaluated"),
                             graded("b", "REPORTED", "wellbeing", "own-account"),
                             graded("c", "REPORTED", "wellbeing", None)])
        assert index.restricted(min_grade="reported").cases_with("outcome", "wellbeing") == {"a"}
        assert index.restricted(min_grade="own-account").cases_with("outcome", "wellbeing") == {"a", "b"}
        assert index.cases_with("outcome", "wellbeing") == {"a", "b", "c"}  # an unrecorded grade passes "any"


class TestContextFirst:
    """A home-care organisation's nearest cases are care organisations, not firms sharing generic practices."""

    GENERIC = ("teams", "meetings", "transparency")

    @pytest.fixture
    def index(self):
        profiles = [{**profile("home", "GB", ("home-care",), "50-249"), "kind": "charity"},
                    {**profile("nurses", "NL", ("home-care",), "1000-9999"), "kind": "nonprofit"},
                    {**profile("clinic", "DE", ("mental-health",), "250-999"), "kind": "company"},
                    {**profile("software", "US", ("technology",), "50-249"), "kind": "company"},
                    {**profile("shop", "GB", ("retail",), "1000-9999"), "kind": "company"}]
        rows = [graded("home", "USES_PRACTICE", p, "reported") for p in self.GENERIC]
        rows += [graded("home", "USES_PRACTICE", "rota", "own-account"),
                 graded("nurses", "USES_PRACTICE", "rota", "own-account")]
        rows += [graded(firm, "USES_PRACTICE", p, "evaluated") for firm in ("software", "shop") for p in self.GENERIC]
        sectors = [*SECTORS, {"id": "technology", "name": "Technology", "broader": None}]
        return build_index(profiles, rows, sector_rows=sectors)

    def test_the_same_sector_care_organisation_comes_first(self, index):
        # nurses: same sector 3 + the shared rota practice (own account on both sides); shop: same country 2
        # + three shared practices; software: the three practices alone; clinic: a sector three steps away
        # (home care -> social care -> health and social care -> health care -> mental health is farther)
        # and nothing shared. What organisations did now counts beside context (issue 25).
        ranked = [(m["id"], m["score"]) for m in rank_comparable(index, query_for_case(index, "home"), exclude={"home"})]
        assert ranked == [("nurses", 3.79), ("shop", 3.08), ("software", 2.08), ("clinic", 1.5)]

    def test_same_kind_and_ownership_family(self, index):
        ranked = {m["id"]: m for m in rank_comparable(index, CaseQuery(kind="charity"))}
        assert set(ranked) == {"home", "nurses"}
        assert ranked["home"]["subtotals"]["kind"] == 0.75
        assert ranked["nurses"]["subtotals"]["kind"] == 0.5
        assert ranked["nurses"]["reasons"][0]["why"] == "also a non-profit organisation: nonprofit (yours: charity)"


def _naive_ranking(index, query, limit, exclude):
    """Score every case one by one: what rank_comparable must agree with."""
    scored = [analysis.explain_match(index, query, case) for case in index.profiles if case not in exclude]
    scored = [m for m in scored if m["reasons"]]
    return [(m["id"], m["score"]) for m in sorted(scored, key=lambda m: (-m["score"], m["name"], m["id"]))[:limit]]


_IDS = st.sampled_from(["p1", "p2", "p3", "p4"])
_GRADES = st.sampled_from([*evidence.GRADE_IDS, None])
_KINDS = st.sampled_from(["company", "charity", "nonprofit", "programme", "network", ""])
_CASES = st.lists(st.tuples(st.sampled_from(["NL", "GB", "US", ""]),
                            st.lists(st.sampled_from(["home-care", "mental-health", "retail", "health-care"]),
                                     max_size=2),
                            st.sampled_from([*analysis.SIZE_ORDER, "unknown"]),
                            st.dictionaries(_IDS, _GRADES), st.sets(st.sampled_from(["c1", "c2"])), _KINDS,
                            st.sampled_from(["self", None, "supported", "general"])),
                  min_size=1, max_size=25)


class TestRankingAgreesWithScoringEveryCase:
    @settings(max_examples=150, deadline=None)
    @given(cases=_CASES, practices=st.sets(_IDS), challenges=st.sets(st.sampled_from(["c1", "c2", "c3"])),
           country=st.sampled_from(["NL", "US", ""]), sectors=st.sets(st.sampled_from(["home-care", "retail"])),
           size=st.sampled_from([*analysis.SIZE_ORDER, ""]), limit=st.integers(1, 6), exclude_first=st.booleans(),
           kind=_KINDS, as_case=st.booleans())
    def test_same_cases_same_order(self, cases, practices, challenges, country, sectors, size, limit, exclude_first,
                                   kind, as_case):
        profiles = [{**profile(f"case-{i}", c, tuple(sec), band), "name": f"N{i % 4}", "kind": kind}
                    for i, (c, sec, band, _p, _c, kind, _s) in enumerate(cases)]  # names repeat: ties by id
        claims = [graded(f"case-{i}", "USES_PRACTICE", p, g) for i, (*_, ps, _cs, _k, _s) in enumerate(cases)
                  for p, g in ps.items()]
        claims += [graded(f"case-{i}", "FACED", c, scope=s) for i, (*_, cs, _k, s) in enumerate(cases) for c in cs]
        index = build_index(profiles, claims, sector_rows=SECTORS)
        query = CaseQuery(practices=frozenset(practices), challenges=frozenset(challenges),
                          sectors=frozenset(sectors), country=country, size_band=size, kind=kind)
        if as_case:
            query = query_for_case(index, "case-0")
        exclude = {"case-0"} if exclude_first else set()
        ranked = rank_comparable(index, query, limit=limit, exclude=exclude)
        assert [(m["id"], m["score"]) for m in ranked] == _naive_ranking(index, query, limit, exclude)


class FakeStore:
    """Answers the explore extracts from fixed rows, names a version and counts how often it was asked."""

    def __init__(self, version: str = "v1"):
        self.rows = {"explore_profiles": PROFILES, "explore_claim_rows": CLAIMS, "explore_reported_claim_rows": [],
                     "explore_concepts": CONCEPTS, "explore_sectors": SECTORS, "explore_includes": [],
                     "explore_relations": []}
        self.asked: list[str] = []
        self.graph_version = version

    def version(self) -> str:
        return self.graph_version

    def query(self, name: str, **params):
        self.asked.append(name)
        return self.rows[name]

    def stream(self, name: str, **params):
        return iter(self.query(name, **params))


class TestIndexFor:
    def test_the_index_is_built_once_per_version_of_the_graph(self):
        store = FakeStore("g1")
        first = index_for(store)
        assert index_for(store) is first and store.asked.count("explore_profiles") == 1
        store.graph_version = "g2"
        second = index_for(store)
        assert second is not first and store.asked.count("explore_profiles") == 2
        assert index_for(store) is second and store.asked.count("explore_profiles") == 2

    def test_a_new_version_rebuilds_at_once_however_recent_the_index(self):
        """No timer: the version alone decides (a sync that changes a grade is seen on the next request)."""
        store = FakeStore("before")
        first = index_for(store)
        store.rows["explore_profiles"] = PROFILES[:1]
        store.graph_version = "after"
        assert list(index_for(store).profiles) == ["ada"]
        assert list(first.profiles) == ["ada", "bea", "cor", "dan"]


class TestComparableCases:
    def test_ranks_other_cases(self):
        matches = comparable_cases(FakeStore("g"), "ada", limit=2)
        assert [m["id"] for m in matches] == ["bea", "cor"]

    def test_unknown_case_has_none(self):
        assert comparable_cases(FakeStore("g"), "nobody") == []
