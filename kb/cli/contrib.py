"""Commands for contributors: new-case, diff, preview (registered on the main CLI).

See CONTRIBUTING.md for a walk through all three.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import textwrap
import webbrowser
from pathlib import Path

import click

from kb.check.contributor_rules import country_hint
from kb.check.duplicates import matches_for
from kb.check.schema_check import schema_document
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.content.files import REPO_ROOT, ContentLayout
from kb.contrib.newcase import NewCaseError, case_id_for, existing_organisations, write_new_case
from kb.kinds import CONCEPT_FOLDERS

_ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), envvar="KB_ROOT", default=REPO_ROOT,
    show_default="the repository", help="Folder holding cases/, concepts/ and vocabulary/ (env KB_ROOT).")
_KINDS = schema_document("case")["properties"]["kind"]["enum"]


@click.command("new-case", short_help="Start a case file from the template.")
@click.argument("name")
@click.option("--country", metavar="CODE", help="ISO 3166-1 alpha-2 code, e.g. NL, GB, US.")
@click.option("--sector", "sectors", metavar="ID", multiple=True,
              help="A sector id from vocabulary/sectors.yaml (repeat for several).")
@click.option("--kind", type=click.Choice(_KINDS), help="The kind of organisation.")
@click.option("--id", "case_id", metavar="ID", help="The id and file name, if not the name as a slug.")
@click.option("--website", metavar="URL", help="The organisation's website (also checked against existing cases).")
@click.option("--not-a-duplicate", "not_duplicate", is_flag=True,
              help="Write the file even though an existing case has a similar name (a different organisation).")
@_ROOT_OPTION
def new_case(name: str, country: str | None, sectors: tuple[str, ...], kind: str | None, case_id: str | None,
             website: str | None, not_duplicate: bool, root: Path) -> None:
    """Write cases/<id>.md from the template, with TODO wherever you must write something.

    The id is NAME as a slug (accents become plain letters). An existing file is never overwritten,
    and a name (or website) that an existing case already has, as its name or an alias, is refused
    with the file to edit instead. The new file does not validate until every TODO is replaced:
    validate lists each one.

    \b
    Example:
      python graph_loader.py new-case "Precision Nutrition" --country CA --kind company --sector consulting
    """
    country = _checked_country(country)
    _check_sectors(sectors, root)
    if not (ContentLayout(root).cases / f"{case_id or case_id_for(name)}.md").exists():
        _refuse_duplicate(name, website or "", root, not_duplicate)  # (an existing file has its own message)
    try:
        path = write_new_case(ContentLayout(root).cases, name, case_id, country=country, sectors=sectors, kind=kind,
                              website=website)
    except NewCaseError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    shown = ContentLayout(root).display(path)
    click.echo(f"wrote {shown}")
    click.echo("next: replace every TODO (see CONTRIBUTING.md), then check it with")
    click.echo(f"  python graph_loader.py validate {shown}")
    click.echo(f"  python graph_loader.py preview {shown}")


def _refuse_duplicate(name: str, website: str, root: Path, allowed: bool) -> None:
    """Stop when the organisation seems to have a case already (by name, alias or website)."""
    matches = matches_for(name, existing_organisations(ContentLayout(root)), website)
    if not matches:
        return
    exact = [m for m in matches if m.exact]
    if allowed and not exact:
        return
    click.echo(f"error: {name!r} may already be in the knowledge base:", err=True)
    for match in matches[:5]:
        click.echo(f"  {match.describe()}", err=True)
    if exact:
        click.echo(f"edit {exact[0].organisation.path} instead (add a name to its aliases: if it is missing)",
                   err=True)
    else:
        click.echo("if it is the same organisation, edit that file; if it is a different one, run again "
                   "with --not-a-duplicate", err=True)
    sys.exit(1)


def _checked_country(country: str | None) -> str | None:
    if country is None:
        return None
    code = country.strip().upper()
    if len(code) != 2 or not Vocabulary({}).has_country(code):
        raise click.BadParameter(f"{country!r} is not an ISO 3166-1 alpha-2 code ({country_hint(country)})",
                                 param_hint="--country")
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


@click.command("concepts", short_help="List concept ids with their definitions.")
@click.option("--kind", type=click.Choice(list(CONCEPT_FOLDERS)), help="Only concepts of this kind.")
@click.option("--search", "words", metavar="WORDS",
              help="Only concepts whose id, name, aliases or definition contain these words.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_ROOT_OPTION
def concepts(kind: str | None, words: str | None, fmt: str, root: Path) -> None:
    """List the practices, challenges, outcomes and frameworks a case can link to.

    Each with its id (the file name to link to), name, definition, aliases and broader concept, so
    you can pick the right id without opening folders. A link to a concept is written
    [Name](../concepts/<kind>s/<id>.md).

    \b
    Examples:
      python graph_loader.py concepts --kind challenge
      python graph_loader.py concepts --search "staff turnover"
    """
    from kb.contrib.concept_list import closest_concepts, list_concepts, search_concepts

    found = list_concepts(ContentLayout(root), kind)
    shown = search_concepts(found, words) if words else found
    if fmt == "json":
        click.echo(json.dumps([c.to_dict() for c in shown], indent=2, ensure_ascii=False))
        return
    if not shown:
        near = closest_concepts(found, words or "")
        hint = f"; closest: {', '.join(f'{c.id} ({c.kind})' for c in near)}" if near else ""
        click.echo(f"no {kind or 'concept'} matches {words!r}{hint}", err=True)
        sys.exit(1)
    width = shutil.get_terminal_size((100, 20)).columns
    for concept in shown:
        click.echo(f"{concept.kind:<10} {concept.id}  ({concept.name})")
        for line in textwrap.wrap(concept.definition, width=max(width - 11, 40)):
            click.echo(f"{'':<11}{line}")
        extras = [f"aliases: {', '.join(concept.aliases)}"] if concept.aliases else []
        extras += [f"broader: {concept.broader}"] if concept.broader else []
        if extras:
            click.echo(f"{'':<11}{'; '.join(extras)}")
    click.echo(f"{len(shown)} concept(s); link as [Name](../concepts/<kind>s/<id>.md)", err=True)


@click.command("coverage", short_help="The content coverage report (sectors, countries, grades...).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (default: print it).")
@_ROOT_OPTION
def coverage(output: Path | None, root: Path) -> None:
    """Count the cases by sector, country, kind, status, model status and evidence grade.

    The report is Markdown with no dates, so the committed docs/content-coverage.md changes only
    when the content does; regenerate it whenever you add or change a case.

    \b
    Examples:
      python graph_loader.py coverage
      python graph_loader.py coverage --output docs/content-coverage.md
    """
    from kb.contrib.coverage import coverage_markdown
    from kb.problems import KbError

    try:
        report = coverage_markdown(root)
    except KbError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    if output is None:
        click.echo(report, nl=False)
        return
    output.write_text(report, encoding="utf-8")
    click.echo(f"wrote {output}")


COMMANDS: list[click.Command] = [new_case, diff, preview, concepts, coverage]
