"""The command line: ``python graph_loader.py COMMAND``.  Run with ``--help`` for the list."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb.content.files import REPO_ROOT, ContentLayout
from kb.export import EXPORT_FORMATS, write_export
from kb.graph.rows import to_networkx
from kb.load import check_paths, content_rows, load_content, load_embedded
from kb.problems import KbError, Problem
from kb.store import default_store_path

#: What ``--neo4j`` means when given without a URI: take it from NEO4J_URI.
NEO4J_FROM_ENVIRONMENT = "$NEO4J_URI"

ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), envvar="KB_ROOT", default=REPO_ROOT,
    show_default="the repository", help="Folder holding cases/, concepts/ and vocabulary/ (env KB_ROOT).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build and check the knowledge graph of self-managing organisations.

    \b
    Examples:
      python graph_loader.py validate
      python graph_loader.py load
      python graph_loader.py export --format graphml --output graph.graphml
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json prints the same problems machine-readably.")
@click.option("--strict", is_flag=True,
              help="Warnings fail too (exit 1): the bar the repository's content is held to, as in CI.")
@click.option("--watch", is_flag=True,
              help="Keep running: check again each time a content file is saved, and print the problems.")
@ROOT_OPTION
def validate(paths: tuple[Path, ...], fmt: str, strict: bool, watch: bool, root: Path) -> None:
    """Check case and concept files; report every problem as path:line:col.

    With PATHS, report only problems in those files or folders (the whole content is still read,
    because references cross files). Exits 1 if there is any error (with --strict, any warning).
    With --watch it runs until stopped (Ctrl-C), checking again on every save: keep it open in a
    terminal (or as the VS Code task in .vscode/tasks.json) to see located problems as you write.

    \b
    Examples:
      python graph_loader.py validate cases/buurtzorg.md
      python graph_loader.py validate --strict
      python graph_loader.py validate --watch cases/my-case.md
    """
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.BadParameter(f"no such file or folder: {', '.join(map(str, missing))}", param_hint="PATHS")
    if watch:
        if fmt != "text":
            raise click.BadParameter("--watch prints text only", param_hint="--format")
        _watch(root, list(paths), strict)
        return
    problems = check_paths(root, list(paths))
    errors, warnings, notes = _counts(problems)
    failed = bool(errors) or (strict and bool(warnings))
    if fmt == "json":
        click.echo(json.dumps({"ok": not failed, "errors": errors, "warnings": warnings, "notes": notes,
                               "problems": [p.to_dict() for p in problems]}, indent=2))
    else:
        _print_problems(problems)
        click.echo(_summary(problems), err=True)
    sys.exit(1 if failed else 0)


def _counts(problems: list[Problem]) -> tuple[int, int, int]:
    errors = sum(p.is_error for p in problems)
    warnings = sum(p.is_warning for p in problems)
    return errors, warnings, len(problems) - errors - warnings


def _summary(problems: list[Problem]) -> str:
    errors, warnings, notes = _counts(problems)
    return f"{errors} error(s), {warnings} warning(s)" + (f", {notes} note(s)" if notes else "")


def _watch(root: Path, paths: list[Path], strict: bool) -> None:
    """Validate now and after every change under the content folders, until interrupted."""
    import time

    from watchfiles import watch

    layout = ContentLayout(root)
    folders = [folder for folder in (layout.cases, layout.concepts, layout.vocabulary) if folder.is_dir()]

    def check(reason: str) -> str:
        """Print the problems; return the verdict line, printed once the watcher sees changes again."""
        problems = check_paths(root, paths)
        errors, warnings, _notes = _counts(problems)
        click.echo(f"--- {time.strftime('%H:%M:%S')} {reason}")
        _print_problems(problems)
        verdict = "fails" if errors or (strict and warnings) else "passes"
        return f"{_summary(problems)}: {verdict}; watching for changes (Ctrl-C to stop)"

    waiting = check("validating")
    try:
        # A timeout yields an empty set: the watcher is listening, so "watching" is true when it is printed
        # (an editor's save right after it is seen).
        for changes in watch(*folders, debounce=300, rust_timeout=100, yield_on_timeout=True):
            if changes:
                changed = sorted({layout.display(Path(path)) for _change, path in changes})
                waiting = check(f"changed: {', '.join(changed[:3])}{' …' if len(changed) > 3 else ''}")
            elif waiting:
                click.echo(waiting)
                waiting = ""
    except KeyboardInterrupt:
        pass


@main.command()
@ROOT_OPTION
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Embedded store folder (default: $KB_STORE_PATH or .kb/store).")
@click.option("--neo4j", "neo4j_uri", is_flag=False, flag_value=NEO4J_FROM_ENVIRONMENT, default=None,
              metavar="[URI]", help="Sync the graph to a Neo4j server instead (URI, or $NEO4J_URI when left out); "
              "login and database from NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE.")
@click.option("--full", is_flag=True, help="Rebuild the embedded store from every file, ignoring what is cached.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def load(root: Path, store_path: Path | None, neo4j_uri: str | None, full: bool, quiet: bool) -> None:
    """Validate the content, then update the embedded store atomically (or sync it to Neo4j).

    If validation fails or the build breaks, the previous store is left as it was.  Files are
    parsed again only when their content changed (the cache is in the store folder), and when
    only a few case files changed the embedded store is updated rather than rebuilt; --full
    rebuilds it.  With --neo4j the embedded store is loaded first, then the graph in Neo4j is
    changed in one transaction to match the files: only what differs is written, and nothing the
    project did not create is touched; after a first sync only the changed cases are compared.

    \b
    Examples:
      python graph_loader.py load
      python graph_loader.py load --full
      python graph_loader.py load --neo4j bolt://localhost:7687
      NEO4J_URI=neo4j+s://xxxx.databases.neo4j.io NEO4J_USERNAME=neo4j NEO4J_PASSWORD=... \\
        python graph_loader.py load --neo4j
    """
    if neo4j_uri is None:
        _load_embedded(root, store_path or default_store_path(root), full, quiet)
        return
    uri = None if neo4j_uri == NEO4J_FROM_ENVIRONMENT else neo4j_uri
    _load_neo4j(root, store_path or default_store_path(root), uri, quiet)


def _refuse(problems: list[Problem], errors: int) -> None:
    _print_problems(problems)
    click.echo(f"load refused: {errors} error(s); the store was left unchanged", err=True)
    sys.exit(1)


def _load_embedded(root: Path, store_path: Path, full: bool, quiet: bool) -> None:
    """Bring the embedded store up to date: incrementally when only a few case files changed."""
    try:
        load = load_embedded(root, store_path, full=full, progress=None if quiet else _file_progress)
    except KbError as err:
        click.echo(f"error: {err}; the previous store is unchanged", err=True)
        sys.exit(1)
    if not load.ok:
        _refuse(load.problems, len(load.errors))
    if quiet:
        return
    if load.mode == "full":
        click.echo(f"loaded {load.files} files into {load.generation.parent} ({load.seconds:.1f} s)")
    else:
        what = ", ".join(f"{len(names)} {verb}" for verb, names in
                         (("changed", load.changed), ("added", load.added), ("deleted", load.deleted)) if names)
        click.echo(f"{load.files} files, {what or 'none changed'}: "
                   f"{'updated ' + str(load.generation.parent) if load.mode == 'incremental' else 'store unchanged'}"
                   f" ({load.seconds:.2f} s)")
    _print_counts("nodes", load.nodes)
    _print_counts("relationships", load.rels)
    if load.warnings:
        click.echo(f"{len(load.warnings)} warning(s); run validate to see them", err=True)


def _load_neo4j(root: Path, store_path: Path, uri: str | None, quiet: bool) -> None:
    """Validate and load the embedded store, then sync Neo4j: only what changed since the last sync there."""
    from kb.load.neo4j import sync_to_neo4j
    from kb.store.neo4j_settings import Neo4jSettings

    try:
        settings = Neo4jSettings.from_environment(uri=uri)
        load, report = sync_to_neo4j(root, store_path, settings, progress=None if quiet else _file_progress)
    except KbError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    if report is None:
        _refuse(load.problems, len(load.errors))
    if quiet:
        return
    click.echo(f"{report.summary()} ({report.seconds:.1f} s)")
    click.echo(f"loaded {load.files} files into Neo4j at {settings.uri} (database '{settings.database}')")
    _print_counts("nodes", load.nodes)
    _print_counts("relationships", load.rels)
    if load.warnings:
        click.echo(f"{len(load.warnings)} warning(s); run validate to see them", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="Output format.")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="File to write (a folder for csv: nodes.csv and edges.csv; for datapackage: the package).")
@click.option("--base-uri", envvar="KB_PUBLIC_URL", default="", metavar="URI",
              help="turtle, datapackage: base of the RDF node URIs, e.g. the site's address "
                   "https://kb.example.org/ (env KB_PUBLIC_URL; default a urn: base).")
@ROOT_OPTION
def export(fmt: str, output: Path, base_uri: str, root: Path) -> None:
    """Export the graph with provenance on every relationship.

    \b
    Examples:
      python graph_loader.py export --format graphml --output graph.graphml   # Gephi, yEd
      python graph_loader.py export --format json --output graph.json         # node-link JSON
      python graph_loader.py export --format csv --output graph-csv/          # nodes.csv, edges.csv
      python graph_loader.py export --format turtle --output graph.ttl --base-uri https://kb.example.org/
      python graph_loader.py export --format datapackage --output release/    # Frictionless Data Package
    """
    result = load_content(root)
    if not result.ok:
        _print_problems(result.problems)
        sys.exit(1)
    graph = to_networkx(content_rows(result))
    for path in write_export(graph, fmt, output, root=root, base_uri=base_uri):
        click.echo(f"wrote {path}")


def _file_progress(files: list) -> object:
    """A progress bar over the files, shown for large loads only."""
    from tqdm import tqdm  # only a full load shows one: a reload after one change does without its import

    return tqdm(files, desc="parsing", unit="file", disable=len(files) < 500, file=sys.stderr, leave=False)


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem))


def _print_counts(title: str, counts: dict[str, int]) -> None:
    click.echo(f"{title}: {sum(counts.values())}")
    for name, count in sorted(counts.items()):
        click.echo(f"  {name:<18} {count:>6}")


def _register_commands() -> None:
    """Commands for contributors live in their own module."""
    from kb.cli.build_site import build_site_command
    from kb.cli.contrib import COMMANDS

    for command in [*COMMANDS, build_site_command]:
        main.add_command(command)


_register_commands()
