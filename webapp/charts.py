"""Charts drawn on the server as SVG: no script, no asset from elsewhere, readable without CSS.

Each function takes rows the views already have and returns the ``<svg>`` as markup.  Every chart
has a ``<title>`` and ``<desc>``; every mark that leads somewhere is a link with a label that says
what it is in words (so keyboard and screen-reader users reach the same pages); shapes and sizes
carry the meaning as well as colour; the page puts the same data beside it as a table or a list
(Our World in Data's "every chart has a table twin").  Text is at least 12 px: the charts are drawn
at their own pixel size and scroll inside their box rather than shrink.

Colours and fonts come from the site's style sheet through classes (the Content-Security-Policy
allows no inline style); geometry is in attributes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from kb import evidence

from .graph_drawing import band_graph, graph_drawing, graph_key, node_name
from .render import inline_text, timeline_anchor

__all__ = [
    "CHAR_WIDTH",
    "dot_matrix",
    "init_app",
    "mark_links",
    "pattern_bar",
    "ranked_bars",
    "size_chart",
    "text_width",
    "timeline_chart",
]

#: Average width of a character of the 13 px label font, for laying out labels (generous, so they never clip).
CHAR_WIDTH = 7.4
LABEL_SIZE = 13


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """An estimate of how wide ``text`` is at ``size`` px (a little wider than most fonts draw it)."""
    return len(text) * CHAR_WIDTH * size / LABEL_SIZE


def _grade_words(grade_id: str) -> str:
    return evidence.grade(grade_id).label.lower()


def dot_matrix(matrix: Mapping[str, Any], *, chart_id: str, title: str, verb: str, cell: int = 32) -> Markup:
    """Rows by columns, one dot per non-empty cell: its area is the number of organisations, its fill their
    evidence profile (a slice per grade as large as its share of the organisations, strongest first, clockwise
    from the top; a dashed red ring marks a cell with a contested claim).

    ``matrix`` is :func:`webapp.views.patterns.matrix_data`'s: ``rows`` and ``columns`` (id, name, cases)
    and ``cells`` (row, column, count, claims_url, evidence with median, contested and grades).
    """
    rows, columns = matrix["rows"], matrix["columns"]
    largest = max(matrix["largest_cell"], 1)
    left = max((text_width(f"{r['name']} ({r['cases']})") for r in rows), default=0) + 12
    top = max((text_width(c["name"]) for c in columns), default=0) * math.sqrt(0.5) + 24
    slant = math.sqrt(0.5)  # and room for each column's slanted label
    width = max([left + cell * len(columns) + 8]
                + [left + cell * (n + 0.5) + text_width(c["name"]) * slant + 16 for n, c in enumerate(columns)])
    height = top + cell * len(rows) + 8
    row_at = {r["id"]: n for n, r in enumerate(rows)}
    col_at = {c["id"]: n for n, c in enumerate(columns)}
    kind = matrix["column_kind"]
    out = [f'<svg class="chart dot-matrix" id="{escape(chart_id)}" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="group" aria-labelledby="{escape(chart_id)}-title '
           f'{escape(chart_id)}-desc">',
           f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
           f'<desc id="{escape(chart_id)}-desc">Practices in rows, {escape(kind)}s in columns. The bigger the dot, the '
           f'more organisations use the practice and {escape(verb)} the {escape(kind)}; its fill is split by how '
           f'strong their evidence is, the darker the stronger. Each dot links to the claims behind it.</desc>']
    for n, r in enumerate(rows):  # row guides and labels
        y = top + cell * n + cell / 2
        out.append(f'<line class="grid" x1="{left - 4:.0f}" x2="{left + cell * len(columns):.0f}" '
                   f'y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="row-label" x="{left - 8:.0f}" y="{y + 4.5:.1f}" text-anchor="end">'
                   f'{escape(r["name"])} <tspan class="count">({r["cases"]})</tspan></text>')
    for n, c in enumerate(columns):
        x = left + cell * n + cell / 2
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4:.0f}" '
                   f'y2="{top + cell * len(rows):.0f}"/>')
        out.append(f'<text class="col-label" transform="translate({x + 4:.1f} {top - 8:.0f}) rotate(-45)">'
                   f'{escape(c["name"])}</text>')
    radius_max = cell / 2 - 2
    for c in matrix["cells"]:
        x = left + cell * col_at[c["column"]] + cell / 2
        y = top + cell * row_at[c["row"]] + cell / 2
        radius = max(3.5, radius_max * math.sqrt(c["count"] / largest))
        ev = c.get("evidence") or {}
        median = ev.get("median", "")
        by_grade = ", ".join(f"{g['count']} {_grade_words(g['id'])}" for g in ev.get("grades", ()) if g["count"])
        contested = ev.get("contested", 0)
        label = (f"{c['count']} organisation{'s' if c['count'] != 1 else ''} using {c['row_name']} {verb} "
                 f"{c['column_name']}; evidence: {by_grade or 'not recorded'}"
                 f"{f'; {contested} contested' if contested else ''}. The claims behind it")
        out.append(f'<a href="{escape(c["claims_url"])}" aria-label="{escape(label)}">'
                   f'{_pie(x, y, radius, ev.get("grades") or [{"id": median, "count": 1}], contested)}</a>')
    out.append("</svg>")
    return Markup("".join(out))


def _pie(x: float, y: float, radius: float, grades: Sequence[Mapping[str, Any]], contested: int = 0) -> str:
    """A dot filled with its evidence profile: a slice per grade as large as its share, strongest first, clockwise
    from the top, inside a ring (one grade: the whole dot); a contested cell's ring is dashed."""
    parts = [g for g in grades if g["count"]]
    total = sum(g["count"] for g in parts)
    circle = f'cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"'
    ring = " contested" if contested else ""
    if len(parts) <= 1:
        return f'<circle class="dot ev-fill-{escape((parts[0]["id"] if parts else "") or "none")}{ring}" {circle}/>'
    slices, angle = [], -math.pi / 2
    for g in parts:
        sweep = 2 * math.pi * g["count"] / total
        start = (x + radius * math.cos(angle), y + radius * math.sin(angle))
        end = (x + radius * math.cos(angle + sweep), y + radius * math.sin(angle + sweep))
        slices.append(f'<path class="ev-fill-{escape(g["id"] or "none")}" d="M{x:.1f} {y:.1f}L{start[0]:.1f} '
                      f'{start[1]:.1f}A{radius:.1f} {radius:.1f} 0 {1 if sweep > math.pi else 0} 1 {end[0]:.1f} '
                      f'{end[1]:.1f}Z"/>')
        angle += sweep
    return "".join(slices) + f'<circle class="dot ring{ring}" {circle}/>'


def ranked_bars(items: Sequence[Mapping[str, Any]], *, chart_id: str, title: str, unit: str) -> Markup:
    """A ranked bar chart as a list: each item's ``label`` (a link to ``url`` when given), its ``value``
    written out with ``unit``, and a bar as long as the value (the longest bar is the largest value).
    ``grades`` (a profile's grades: id and count, strongest first) stacks the bar by grade, with ``contested``
    of it marked by a dashed red line under its end and the same said in words; else ``median`` (a grade id)
    fills the bar like the dot matrix's dots."""
    largest = max((item["value"] for item in items), default=1) or 1
    out = [f'<ol class="chart ranked-bars" id="{escape(chart_id)}" aria-label="{escape(title)}">']
    for item in items:
        label = escape(item["label"])
        text = f'<a href="{escape(item["url"])}">{label}</a>' if item.get("url") else label
        share = 100 * item["value"] / largest
        words, marks = _bar_marks(item, share)
        out.append(f'<li><span class="bar-label">{text}</span> <span class="bar-value">{item["value"]:,} '
                   f'{escape(unit)}</span>{words}<svg class="bar{" profiled" if item.get("grades") else ""}" '
                   f'viewBox="0 0 100 {1.5 if item.get("grades") else 1}" preserveAspectRatio="none" '
                   f'aria-hidden="true" focusable="false">{marks}</svg></li>')
    out.append("</ol>")
    return Markup("".join(out))


def _bar_marks(item: Mapping[str, Any], share: float) -> tuple[str, str]:
    """A ranked bar's shapes (one filled bar, or one segment per grade and a contested line) and, for a
    stacked bar, the same in words for screen readers."""
    grades = [g for g in item.get("grades") or () if g["count"]]
    if not grades:
        fill = f"ev-fill-{escape(item['median'])}" if item.get("median") else "bar-plain"
        return "", f'<rect class="{fill}" x="0" y="0" width="{share:.1f}" height="1"/>'
    total = sum(g["count"] for g in grades)
    shapes, at = [], 0.0
    for g in grades:
        width = share * g["count"] / total
        shapes.append(f'<rect class="ev-fill-{escape(g["id"] or "none")}" x="{at:.2f}" y="0" '
                      f'width="{width:.2f}" height="1"/>')
        at += width
    contested = item.get("contested") or 0
    if contested:
        width = share * contested / total
        shapes.append(f'<line class="contested-line" x1="{share - width:.2f}" x2="{share:.2f}" y1="1.3" y2="1.3"/>')
    said = ", ".join(f"{g['count']} {_grade_words(g['id'])}" for g in grades)
    words = (f'<span class="visually-hidden">; evidence: {escape(said)}'
             f'{f"; {contested} contested" if contested else ""}</span>')
    return words, "".join(shapes)


#: Each kind of timeline mark's shape (an SVG path around 0,0), so that no mark is told by colour alone.
_MARK_SHAPES = {
    "founded": "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0Z",  # an open circle (the fill is white)
    "adopted": "M-6 0a6 6 0 1 0 12 0a6 6 0 1 0-12 0Z",  # a filled circle
    "scaled-back": "M-6-4H6L0 6Z",  # a triangle pointing down
    "abandoned": "M-5-5 5 5M5-5-5 5",  # a cross (stroked)
    "pilot-ended": "M0-6 6 0 0 6-6 0Z",  # a diamond
    "never-completed": "M0-6 6 0 0 6-6 0Z",
    "entry": "M-1.5-7h3v14h-3Z",  # a tick
}


def _year_ticks(first: int, last: int) -> list[int]:
    step = 10 if last - first > 30 else 5 if last - first > 10 else 1
    return list(range((first // step) * step + (step if first % step else 0), last + 1, step))


def timeline_chart(rows: Sequence[Mapping[str, Any]], span: tuple[int, int], *, chart_id: str, title: str,
                   names: bool = True, fit: float = 960, earliest: int = 1960) -> Markup:
    """One row per organisation along the years: founded (open circle), adopted (filled circle), scaled back
    (triangle), abandoned (cross), pilot ended (diamond), each entry of its Timeline (a tick); a bar joins
    adoption to the end of the model (or to the last year shown while it goes on).  Every mark links to
    where the case page says it (:func:`mark_links`) and says what happened when.
    ``names``: a label per row.
    The axis starts at ``earliest`` at the latest: a milestone before it sits at the start, its year
    written beside it; an entry before it is left to the list.  The years share what ``fit`` (px) leaves
    beside the names, between 6 and 12 px a year."""
    first, last = max(span[0], earliest) - 1, span[1] + 1
    left = (max((text_width(r["name"]) for r in rows), default=0) + 16) if names else 12
    row_height = 28
    top = 26
    year_width = min(12.0, max(6.0, (fit - left - 16) / max(last - first, 1)))
    width = left + (last - first) * year_width + 16
    height = top + row_height * len(rows) + 6

    def x_of(year: float) -> float:
        return left + (year - first) * year_width

    out = [f'<svg class="chart timeline" id="{escape(chart_id)}" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="group" aria-labelledby="{escape(chart_id)}-title">',
           f'<title id="{escape(chart_id)}-title">{escape(title)}</title>']
    for year in _year_ticks(first + 1, last - 1):
        out.append(f'<line class="grid" x1="{x_of(year):.1f}" x2="{x_of(year):.1f}" y1="{top - 6}" y2="{height - 4}"/>'
                   f'<text class="axis" x="{x_of(year):.1f}" y="{top - 10}" text-anchor="middle">{year}</text>')
    for n, row in enumerate(rows):
        y = top + row_height * n + row_height / 2
        case_url = f"/cases/{row['id']}"
        if names:
            out.append(f'<a href="{escape(case_url)}"><text class="row-label" x="{left - 10:.0f}" y="{y + 4.5:.1f}" '
                       f'text-anchor="end">{escape(row["name"])}</text></a>')
        marks = row["marks"]
        out.extend(_adoption_span(row, marks, first, last, x_of, y))
        early_years: set[int] = set()  # years written beside the axis's start, once each
        links = dict(zip(map(id, marks), mark_links(row), strict=True))
        for mark in sorted(marks, key=lambda m: m["kind"] != "entry"):  # ticks first, milestones on top
            early = mark["year"] <= first
            if early and mark["kind"] == "entry":
                continue
            what = f"{mark['label']}" + (f": {inline_text(mark['text'])}" if mark.get("text") else "")
            label = f"{row['name']}, {mark['year']}: {what}"
            url = links[id(mark)]
            out.append(f'<a href="{escape(url)}" aria-label="{escape(label)}">'
                       f'<path class="mark mark-{escape(mark["kind"])}" transform="translate('
                       f'{x_of(max(mark["year"], first)):.1f} {y:.1f})" '
                       f'd="{_MARK_SHAPES.get(mark["kind"], _MARK_SHAPES["entry"])}"/></a>')
            if early and mark["year"] not in early_years:
                early_years.add(mark["year"])
                out.append(f'<text class="axis early" x="{x_of(first) + 9:.1f}" y="{y - 7:.1f}">{mark["year"]}</text>')
    out.append("</svg>")
    return Markup("".join(out))


#: Where a milestone is said on a case page: the year in its summary card (case.html's Years).
_MILESTONE_ANCHORS = {"founded": "year-founded", "adopted": "year-adopted"}


def mark_links(row: Mapping[str, Any]) -> list[str]:
    """Where each of a timeline row's marks (in their order) is said on its case page: a milestone at its year in
    the summary card, an entry at its own bullet of the Timeline (:func:`webapp.render.timeline_anchor`, counted
    per year in the same order); ``mark.url`` when a mark has one."""
    case_url = f"/cases/{row['id']}"
    seen: dict[int, int] = {}
    links = []
    for mark in row["marks"]:
        if mark.get("url"):
            links.append(mark["url"])
        elif mark["kind"] == "entry":
            seen[mark["year"]] = seen.get(mark["year"], 0) + 1
            links.append(f"{case_url}#{timeline_anchor(mark['year'], seen[mark['year']])}")
        else:
            links.append(f"{case_url}#{_MILESTONE_ANCHORS.get(mark['kind'], 'year-ended')}")
    return links


def _adoption_span(row: Mapping[str, Any], marks: Sequence[Mapping[str, Any]], first: int, last: int,
                   x_of: Any, y: float) -> list[str]:
    """The bar from adoption to the end of the model (thin after it was scaled back); none before adoption."""
    adopted = next((m["year"] for m in marks if m["kind"] == "adopted"), None)
    if adopted is None:
        return []
    ended = next((m["year"] for m in marks if m["kind"] in ("abandoned", "pilot-ended", "never-completed")), None)
    scaled = next((m["year"] for m in marks if m["kind"] == "scaled-back"), None)
    end = ended or (last - 1 if row.get("model_status") in ("ongoing", "scaled-back", None, "") else adopted)
    lines = [f'<line class="span" x1="{x_of(max(adopted, first)):.1f}" x2="{x_of(scaled or end):.1f}" '
             f'y1="{y:.1f}" y2="{y:.1f}"/>']
    if scaled and end > scaled:
        lines.append(f'<line class="span thin" x1="{x_of(scaled):.1f}" x2="{x_of(end):.1f}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>')
    return lines


def size_chart(series: Mapping[str, Any], *, chart_id: str, title: str, width: int = 300, height: int = 120) -> Markup:
    """A small line chart of one organisation's size over the years (``points``: year, value), its first and
    last values written at the ends of the line with the unit, and the first and last year below."""
    points = series["points"]
    unit = series.get("unit") or series.get("measure") or ""
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    low, high = 0.0, max(values) or 1.0
    left, right, top, bottom = 8, width - 8, 26, height - 22
    first, last = min(years), max(years)

    def x_of(year: int) -> float:
        return left + (year - first) / max(last - first, 1) * (right - left)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    def number(value: float) -> str:
        return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"

    path = " ".join(f"{'M' if n == 0 else 'L'}{x_of(y):.1f} {y_of(v):.1f}" for n, (y, v) in enumerate(points))
    described = f"{title}: " + "; ".join(f"{y}: {number(v)} {unit}" for y, v in points)
    out = [f'<svg class="chart size-chart" id="{escape(chart_id)}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(described)}">',
           f'<title>{escape(described)}</title>',
           f'<line class="axis-line" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>',
           f'<path class="series" d="{path}"/>']
    for y, v in points:
        out.append(f'<circle class="point" cx="{x_of(y):.1f}" cy="{y_of(v):.1f}" r="3.5"/>')
    out.append(f'<text class="value" x="{left}" y="14">{escape(number(values[0]))} {escape(unit)}</text>'
               f'<text class="value" x="{right}" y="14" text-anchor="end">{escape(number(values[-1]))} '
               f'{escape(unit)}</text>'
               f'<text class="axis" x="{left}" y="{height - 6}">{first}</text>'
               f'<text class="axis" x="{right}" y="{height - 6}" text-anchor="end">{last}</text></svg>')
    return Markup("".join(out))


def pattern_bar(cell: Mapping[str, Any]) -> dict[str, Any]:
    """A cell of a patterns matrix as a ranked bar: "<practice> with <challenge>", its count, and its evidence
    profile (organisations by the grade of their claim, how many contested)."""
    evidence = cell.get("evidence") or {}
    return {"label": f"{cell['row_name']} with {cell['column_name']}", "value": cell["count"],
            "url": cell["claims_url"], "median": evidence.get("median", ""), "grades": evidence.get("grades") or [],
            "contested": evidence.get("contested", 0)}


def analytics_bar(row: Mapping[str, Any]) -> dict[str, Any]:
    """A practice -> outcome row of /analytics as a ranked bar, leading to the claims behind it."""
    return {"label": f"{row['practice_name']} with {row['name']}", "value": row["count"], "url": row["claims_url"]}


def result_bar(row: Sequence[Any]) -> dict[str, Any]:
    """A two-column console result row (label, number) as a ranked bar."""
    return {"label": str(row[0]), "value": row[1]}


def init_app(app: Any) -> None:
    """Give templates the chart functions, and the ``pattern_bar`` filter."""
    app.jinja_env.globals.update(dot_matrix=dot_matrix, ranked_bars=ranked_bars, timeline_chart=timeline_chart,
                                 size_chart=size_chart, band_graph=band_graph, node_name=node_name,
                                 graph_drawing=graph_drawing, graph_key=graph_key, mark_links=mark_links)
    app.add_template_filter(pattern_bar)
    app.add_template_filter(result_bar)
    app.add_template_filter(analytics_bar)
