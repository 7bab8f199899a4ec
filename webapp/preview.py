"""A contributor's case page previewed before the file is valid: the site's case template, problems inline.

:func:`kb.contrib.preview.preview_case` builds the page's data from the file (without a store);
this module renders it with the site's own template and CSS into one self-contained HTML file,
which ``python graph_loader.py preview`` writes or opens.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

from flask import render_template
from markupsafe import Markup, escape

from kb.contrib.preview import TOKEN_RE, CasePreview, marker_html, timeline_years
from webapp.assets import FINGERPRINTED

__all__ = ["render_preview"]

_MARKER = re.compile(r'\s*<mark class="kb-problem[^"]*" id="problem-\d+">.*?</mark>', re.S)
_TOKEN_IN_ID = re.compile(r"-?kbproblemmark\d+x(?=[^\"<>]*\")")


def render_preview(preview: CasePreview) -> str:
    """The case page as a self-contained HTML file: the site's template, its CSS inlined, a banner of problems."""
    from webapp import create_app
    from webapp.render import prose_sections
    from webapp.views.cases import case_page_parts, split_prose
    from webapp.views.claims import with_figures

    app = create_app({"TESTING": True})
    data = preview.data
    # As webapp.views.cases.case shapes them: each figure under the claim it was written under.
    with_figures([*data["claims"], *data.get("reported", [])], [f for f in data["figures"] if f.get("concept")],
                 organisation=data["case"]["id"])
    shown = case_page_parts(data, preview.sectors, timeline_years(data["case"]))
    first, later = split_prose(prose_sections(preview.prose))
    with app.test_request_context(f"/cases/{data['case']['id']}"):
        # Citation tips repeat each source's title: without its problem markers (each is shown once).
        source_index = {s["id"]: {**s, "title": _without_markers(s.get("title"))}
                        for s in data.get("sources", []) if isinstance(s, dict) and s.get("id")}
        html = render_template("case.html", **data, **shown, body_html=_prose_html(preview, first),
                               later_html=_prose_html(preview, later) if later else "", json_url=None,
                               source_index=source_index)
    html = _inline_assets(html, Path(app.static_folder))
    html = html.replace("</head>", f"<style>{_PREVIEW_CSS}</style>\n</head>", 1)
    return re.sub(r"(<main\b[^>]*>)", lambda m: m.group(1) + _banner(preview), html, count=1)


def _prose_html(preview: CasePreview, markdown: str) -> Markup:
    """Prose rendered as the site renders it, each problem token replaced by its marker."""
    from webapp.render import render_markdown

    html = render_markdown(markdown, section_ids=True)
    # A heading's id is made from its text, problem tokens included: the site's id has none.
    html = _TOKEN_IN_ID.sub("", html)
    return Markup(TOKEN_RE.sub(lambda m: _place_token(preview, int(m.group(1))), html))


def _without_markers(value: object) -> object:
    if isinstance(value, Markup):
        return Markup(_MARKER.sub("", str(value)))
    return value


def _place_token(preview: CasePreview, number: int) -> str:
    preview.placed.add(number)
    return " " + marker_html(number, preview.problems[number - 1])


def _inline_assets(html: str, static: Path) -> str:
    """Put the site's CSS, script and icon into the page, so the file looks and works right opened on its own.

    Pages name them by fingerprinted URLs (:func:`webapp.assets.asset_url`): each is read from its real file.
    """
    def read(url_name: str) -> Path:
        match = FINGERPRINTED.match(url_name)
        path = static / (match["stem"] + match["ext"] if match else url_name)
        if not path.is_file():  # a template naming a file that is not there: as asset_url, fail loudly
            raise FileNotFoundError(f"preview: no static file for {url_name!r} in {static}")
        return path

    def style(match: re.Match) -> str:
        return f"<style>{read(match.group(1)).read_text(encoding='utf-8')}</style>"

    def script(match: re.Match) -> str:
        return f"<script>{read(match.group(1)).read_text(encoding='utf-8')}</script>"

    def embed(match: re.Match) -> str:
        path = read(match.group(1))
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f'href="data:{kind};base64,{base64.b64encode(path.read_bytes()).decode("ascii")}"'

    html = re.sub(r'<link rel="stylesheet" href="/static/([\w./-]+\.css)">', style, html)
    html = re.sub(r'<script src="/static/([\w./-]+\.js)"(?: defer)?></script>', script, html)
    return re.sub(r'(?<=<link rel="icon" )href="/static/([\w./-]+)"', embed, html)


def _banner(preview: CasePreview) -> str:
    problems = preview.problems
    errors, warnings = preview.errors, len(problems) - preview.errors
    if not problems:
        summary = "no problems: this is what readers will see once it is merged"
    else:
        summary = f"{errors} error(s), {warnings} warning(s), each marked ⚠ below where it belongs"
    items = []
    for n, problem in enumerate(problems, start=1):
        where = f"line {problem.line}, column {problem.col}"
        where_html = (Markup('<a href="#problem-{n}">{where}</a>').format(n=n, where=where)
                      if n in preview.placed else escape(where))
        items.append(Markup('<li class="{severity}">{where}: <strong>{severity}</strong>: {message}{hint}</li>').format(
            severity=problem.severity, where=where_html, message=problem.message,
            hint=Markup(' <span class="hint">({})</span>').format(problem.hint) if problem.hint else ""))
    state = "has-errors" if errors else "has-warnings" if warnings else "clean"
    return str(Markup('<section class="kb-preview {state}" aria-labelledby="kb-preview-title">'
                      '<h2 id="kb-preview-title">Preview of {path}: {summary}</h2>'
                      '<p>Not published: this page was made by <code>python graph_loader.py preview</code>. '
                      '{advice} <code>python graph_loader.py validate {path}</code>.</p>'
                      '<ol>{items}</ol></section>').format(state=state, path=preview.path, summary=summary,
                                                            advice="Fix the file, then run" if problems else
                                                            "Before you open a pull request, run",
                                                            items=Markup("").join(items)))


_PREVIEW_CSS = """
.kb-preview { border: 2px solid #2e7d32; background: #f1f8f1; padding: .75rem 1rem; margin: 0 0 1.5rem; }
.kb-preview.has-errors { border-color: #c62828; background: #fdf0f0; }
.kb-preview.has-warnings { border-color: #b26a00; background: #fff8e6; }
.kb-preview h2 { margin-top: 0; font-size: 1.1rem; }
.kb-preview .hint, mark.kb-problem .hint { color: #555; }
mark.kb-problem { display: inline-block; margin: .1rem .3rem; padding: 0 .35rem; font-size: .85em;
  background: #fde2e2; color: #7f1d1d; border-left: 3px solid #c62828; }
mark.kb-problem.warning { background: #fff1cc; color: #6b4400; border-left-color: #b26a00; }
"""


# --- helpers -----------------------------------------------------------------------------------
