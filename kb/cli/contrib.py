"""Commands for contributors: new-case, diff, preview (registered on the main CLI).

See CONTRIBUTING.md for a walk through all three.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import webbrowser
from pathlib import Path

import click

from kb.check.validate import schema_for
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.content.files import REPO_ROOT, ContentLayout
from kb.contrib.newcase import NewCaseError, write_new_case

_ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), envvar="KB_ROOT", default=REPO_ROOT,
    show_default="the repository", help="Folder holding cases/, concepts/ and vocabulary/ (env KB_ROOT).")
_KINDS = schema_for("case").schema["properties"]["kind"]["enum"]


@click.command("new-case", short_help="Start a case file from the template.")
@click.argument("name")
@click.option("--country", metavar="CODE", help="ISO 3166-1 alpha-2 code, e.g. NL, GB, US.")
@click.option("--sector", "sectors", metavar="ID", multiple=True,
              help="A sector id from vocabulary/sectors.yaml (repeat for several).")
@click.option("--kind", type=click.Choice(_KINDS), help="The kind of organisation.")
@click.option("--id", "case_id", metavar="ID", help="The id and file name, if not the name as a slug.")
@_ROOT_OPTION
def new_case(name: str, country: str | None, sectors: tuple[str, ...], kind: str | None, case_id: str | None,
             root: Path) -> None:
    """Write cases/<id>.md from the template, with TODO wherever you must write something.

    The id is NAME as a slug (accents become plain letters). An existing file is never overwritten.
    The new file does not validate until every TODO is replaced: validate lists each one.

    \b
    Example:
      python graph_loader.py new-case "Precision Nutrition" --country CA --kind company --sector consulting
    """
    country = _checked_country(country)
    _check_sectors(sectors, root)
    try:
        path = write_new_case(ContentLayout(root).cases, name, case_id, country=country, sectors=sectors, kind=kind)
    except NewCaseError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    shown = ContentLayout(root).display(path)
    click.echo(f"wrote {shown}")
    click.echo("next: replace every TODO (see CONTRIBUTING.md), then check it with")
    click.echo(f"  python graph_loader.py validate {shown}")
    click.echo(f"  python graph_loader.py preview {shown}")


def _checked_country(country: str | None) -> str | None:
    if country is None:
        return None
    code = country.strip().upper()
    if len(code) != 2 or not Vocabulary({}).has_country(code):
        hint = " (the United Kingdom is GB)" if code == "UK" else ""
        raise click.BadParameter(f"{country!r} is not an ISO 3166-1 alpha-2 code{hint}", param_hint="--country")
    return code


def _check_sectors(sectors: tuple[str, ...], root: Path) -> None:
    known = load_vocabulary(ContentLayout(root).vocabulary).sectors
    unknown = [s for s in sectors if s not in known]
    if unknown:
        raise click.BadParameter(f"unknown sector {', '.join(map(repr, unknown))}; known: {', '.join(known)}",
                                 param_hint="--sector")


@click.command("diff", short_help="What your change does to the graph.")
@click.argument("base", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="markdown is ready to post on a pull request.")
@_ROOT_OPTION
def diff(base: str | None, fmt: str, root: Path) -> None:
    """Show what the working tree's changes do to the graph, compared with a git revision.

    BASE defaults to the merge base with main (else HEAD). Lists organisations, concepts, sources,
    relationships and figures added, removed or changed (with the changed properties), and claims
    left without a source. Files with errors are left out of the graph and listed.

    \b
    Examples:
      python graph_loader.py diff
      python graph_loader.py diff origin/main --format markdown > graph-diff.md
    """
    # Imported here: every command, validate included, loads this module (pre-commit runs it often).
    from kb.contrib.diff import DiffError, diff_against_revision
    from kb.contrib.diff_report import to_markdown, to_text

    try:
        result = diff_against_revision(root, base)
    except DiffError as err:
        raise click.ClickException(str(err)) from err
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(to_markdown(result) if fmt == "markdown" else to_text(result), nl=False)


@click.command("preview", short_help="A case page as the site shows it, problems inline.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: a new file in the temporary folder).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@_ROOT_OPTION
def preview(file: Path, output: Path | None, open_browser: bool, root: Path) -> None:
    """Render one case page as the site will, with its problems marked where they are.

    Works before the file is valid: a banner lists every problem with its line, a marker sits
    next to each item a problem is about, and everything that can be shown is shown.

    \b
    Examples:
      python graph_loader.py preview cases/precision-nutrition.md --open
      python graph_loader.py preview my-draft.md --output draft.html
    """
    from kb.contrib.preview import PreviewError, preview_case
    from webapp.preview import render_preview

    try:
        result = preview_case(file, root)
    except PreviewError as err:
        raise click.ClickException(str(err)) from err
    html = render_preview(result)
    if output is None:
        handle, name = tempfile.mkstemp(prefix=f"kb-preview-{file.stem}-", suffix=".html")
        os.close(handle)
        output = Path(name)
    output.write_text(html, encoding="utf-8")
    warnings = len(result.problems) - result.errors
    click.echo(f"wrote {output}: {result.errors} error(s), {warnings} warning(s) shown on the page")
    if open_browser:
        webbrowser.open(output.resolve().as_uri())


COMMANDS: list[click.Command] = [new_case, diff, preview]
