"""The content coverage report: which sectors, countries, kinds, outcomes and evidence grades the cases cover.

``python graph_loader.py coverage --output docs/content-coverage.md`` writes it.  The report is a
pure function of the content (no dates, stable order), so the committed copy can be checked for
being current (``tests/test_coverage.py``): a case added without regenerating the report fails
that test, with the command to run.

Only claims a case makes about its own organisation (scope ``self``) are counted for its evidence,
as everywhere else in the analysis; claims about organisations it supported or inspired, or about
self-managing organisations in general, are left out.

>>> _table(["Sector", "Cases"], [["Home care", 2], ["Retail", 0]])
['| Sector | Cases |', '|---|---:|', '| Home care | 2 |', '| Retail | 0 |']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.check.vocabulary import Sector, country_name
from kb.evidence import DEFAULT_SCOPE, GRADES
from kb.graph.model import Corpus, Organisation
from kb.load import load_content
from kb.problems import KbError

#: The command that regenerates the committed report (quoted in its header and in test failures).
REGENERATE = "python graph_loader.py coverage --output docs/content-coverage.md"

#: What became of self-management in a case (the schema's ``model_status``), in the report's order.
MODEL_STATUSES = ("ongoing", "scaled-back", "abandoned", "pilot-ended", "never-completed", "unknown")
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class CaseRow:
    """What the report says about one case."""

    id: str
    name: str
    kind: str
    country: str
    sectors: tuple[str, ...]
    status: str
    model_status: str
    grades: dict[str, int]  # grade id -> number of claims about the organisation itself

    @property
    def own_claims(self) -> int:
        return sum(self.grades.values())

    @property
    def strongest(self) -> str:
        """The best grade any of its own claims reaches ("none" without claims)."""
        return next((g.id for g in GRADES if self.grades.get(g.id)), "none")


def case_rows(corpus: Corpus, front_matter: dict[str, dict]) -> list[CaseRow]:
    """One row per case, in name order; ``front_matter`` maps a case id to its front matter."""
    return [_row(org, front_matter.get(org.id, {}))
            for org in sorted(corpus.organisations.values(), key=lambda o: (o.name.casefold(), o.id))]


def _row(org: Organisation, data: dict) -> CaseRow:
    counts = Counter(claim.evidence for claim in org.claims if claim.scope == DEFAULT_SCOPE)
    return CaseRow(org.id, org.name, org.kind, org.country, tuple(org.sectors), org.status,
                   data.get("model_status") or NOT_RECORDED, {g.id: counts.get(g.id, 0) for g in GRADES})


def render(rows: Sequence[CaseRow], sectors: dict[str, Sector]) -> str:
    """The report as Markdown.  ``sectors`` is the whole controlled list, so empty sectors show."""
    lines = [
        "# Content coverage",
        "",
        f"Generated from `cases/` by `{REGENERATE}`; do not edit by hand",
        "(`tests/test_coverage.py` fails when this file is out of date). It shows where the",
        "knowledge base is thin: sectors with no case, countries and kinds of organisation with few,",
        "how many cases record what became of self-management, and how strong the evidence is.",
        "Evidence counts only the claims a case makes about its own organisation.",
        "",
        f"**{len(rows)} cases**, {sum(r.own_claims for r in rows)} claims about the organisations themselves.",
        "",
        "## By sector",
        "",
        "A case may be in several sectors. The last column also counts the cases filed under a",
        "narrower sector of that one (home care under health care). Sectors with no case are gaps.",
        "",
    ]
    by_sector = Counter(s for r in rows for s in r.sectors)
    lines += _table(["Sector", "Id", "Cases", "Cases with narrower sectors"],
                    [[sector.name, f"`{sid}`", by_sector.get(sid, 0), _with_narrower(rows, sectors, sid)]
                     for sid, sector in sectors.items()])
    empty = [f"`{sid}`" for sid in sectors if not _with_narrower(rows, sectors, sid)]
    lines += ["", f"Sectors with no case: {', '.join(empty) if empty else 'none'}.", ""]

    lines += ["## By country", ""]
    by_country = Counter(r.country for r in rows)
    lines += _table(["Country", "Code", "Cases"],
                    [[country_name(code), code, n] for code, n in _by_count(by_country)])

    lines += ["", "## By kind of organisation", ""]
    lines += _table(["Kind", "Cases"], [[kind, n] for kind, n in _by_count(Counter(r.kind for r in rows))])

    lines += ["", "## By status", "", "Whether the organisation still exists (`status`):", ""]
    lines += _table(["Status", "Cases"], [[s, n] for s, n in _by_count(Counter(r.status for r in rows))])
    lines += ["", "What became of self-management there (`model_status`):", ""]
    by_model = Counter(r.model_status for r in rows)
    lines += _table(["Model status", "Cases"],
                    [[s, by_model.get(s, 0)] for s in (*MODEL_STATUSES, NOT_RECORDED)])

    lines += ["", "## By evidence grade", "",
              "Claims about the organisations themselves, by grade, and the cases whose strongest",
              "such claim reaches each grade:", ""]
    strongest = Counter(r.strongest for r in rows)
    lines += _table(["Grade", "Claims", "Cases (strongest grade)"],
                    [[f"{g.label} (`{g.id}`)", sum(r.grades[g.id] for r in rows), strongest.get(g.id, 0)]
                     for g in GRADES])

    lines += ["", "## Every case", ""]
    lines += _table(
        ["Case", "Kind", "Country", "Sectors", "Status", "Model status", *(f"`{g.id}`" for g in GRADES)],
        [[f"[{r.name}](../cases/{r.id}.md)", r.kind, r.country, ", ".join(r.sectors), r.status, r.model_status,
          *(r.grades[g.id] for g in GRADES)] for r in rows])
    return "\n".join(lines) + "\n"


def coverage_markdown(root: Path) -> str:
    """Load and check the content below ``root``, then render its coverage report."""
    result = load_content(root)
    if not result.ok or result.corpus is None:
        raise KbError("the content has errors; run `python graph_loader.py validate` and fix them first")
    front_matter = {doc.data.get("id", ""): doc.data for doc in result.documents if doc.role == "case"}
    return render(case_rows(result.corpus, front_matter), result.corpus.vocabulary.sectors)


def _with_narrower(rows: Sequence[CaseRow], sectors: dict[str, Sector], sector_id: str) -> int:
    """Cases in this sector or in any sector below it (``broader`` chains)."""
    return sum(1 for r in rows if any(_is_within(s, sector_id, sectors) for s in r.sectors))


def _is_within(sector_id: str, ancestor: str, sectors: dict[str, Sector]) -> bool:
    seen: set[str] = set()
    while sector_id and sector_id not in seen:  # a cycle is the validator's to report, not to loop on
        if sector_id == ancestor:
            return True
        seen.add(sector_id)
        sector_id = sectors[sector_id].broader if sector_id in sectors else ""
    return False


def _by_count(counts: Counter) -> list[tuple[str, int]]:
    """Most first, then by name, so the order does not depend on file order."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A GitHub Markdown table; columns whose header is a count are right-aligned."""
    numeric = [i for i, _ in enumerate(header) if i > 0 and _is_count(header[i])]
    rule = "|" + "|".join("---:" if i in numeric else "---" for i in range(len(header))) + "|"
    return [_row_line(header), rule, *(_row_line(row) for row in rows)]


def _is_count(title: str) -> bool:
    return title.startswith(("Cases", "Claims")) or title.startswith("`")


def _row_line(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
