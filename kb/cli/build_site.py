"""``build-site``: the whole site as plain files for a static host (webapp/static_site.py does the work)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from kb.content.files import REPO_ROOT
from kb.load import load_embedded

__all__ = ["build_site_command"]


@click.command("build-site")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the site into (emptied first).")
@click.option("--base-url", default="/", show_default=True, metavar="URL",
              help="Where the site will be served: a path (/repo/) or a full address "
                   "(https://org.github.io/repo/, which also gives canonical links and previews their host).")
@click.option("--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Read this embedded store instead of loading the content into a temporary one.")
@click.option("--jobs", type=click.IntRange(min=1), default=min(4, os.cpu_count() or 1), show_default="CPUs, at most 4",
              help="Processes rendering pages at once.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="KB_ROOT", default=REPO_ROOT,
              show_default="the repository", help="Folder holding cases/, concepts/ and vocabulary/ (env KB_ROOT).")
def build_site_command(output: Path, base_url: str, store_path: Path | None, jobs: int, root: Path) -> None:
    """Write every page and its JSON twin as plain files for GitHub Pages or any static host.

    \b
    Examples:
      python graph_loader.py build-site --output public/
      python graph_loader.py build-site --output public/ --base-url https://org.github.io/repo/
      python -m http.server --directory public 8000    # then open http://127.0.0.1:8000/
    """
    from webapp import create_app
    from webapp.static_site import build_site

    with tempfile.TemporaryDirectory(prefix="kb-site-") as scratch:
        if store_path is None:
            store_path = Path(scratch) / "store"
            loaded = load_embedded(root, store_path, full=True)
            if not loaded.ok:
                for problem in loaded.problems:
                    click.echo(str(problem), err=True)
                sys.exit(1)
        app = create_app({"KB_STORE_PATH": str(store_path), "KB_PAGE_CACHE_MB": 0, "KB_RATE_LIMITS": False,
                          "KB_CONSOLE_SANDBOX": "optional"})
        try:
            report = build_site(app, output, base_url, jobs=jobs)
        finally:
            for name in ("kb_console", "kb_store"):
                if app.extensions.get(name) is not None:
                    app.extensions[name].close()
    for url, status in sorted(report.failed.items()):
        click.echo(f"warning: {url} answered {status}; links to it were left as they are", err=True)
    click.echo(f"wrote {output}: {report.summary()}")
