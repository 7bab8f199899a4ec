"""The Flask site: ``create_app()`` is the application factory.

Run it with ``flask --app webapp run`` (see the README).  Configuration comes
from ``KB_*`` environment variables (``webapp.settings``) or a test mapping.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import (
    assets,
    badges,
    bounds,
    charts,
    delivery,
    errors,
    formatting,
    metadata,
    openapi,
    pagecache,
    params,
    security,
    store,
    structured_data,
)
from .settings import from_environment
from .views import (
    browse,
    cases,
    compare,
    concepts,
    evidence,
    graph,
    lessons,
    links,
    patterns,
    report,
    research,
    search,
    sources,
    timeline,
)

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the site: settings from the environment, then ``test_config`` on top."""
    app = Flask(__name__)
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.update(test_config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["KB_MAX_REQUEST_BYTES"]
    delivery.init_app(app)  # first: its after-request steps (ETags, compression) run last
    bounds.init_app(app)  # before any other step looks at the request
    params.init_app(app)  # a parameter no page reads is refused before any work
    store.init_app(app)
    errors.init_app(app)
    badges.init_app(app)
    charts.init_app(app)
    formatting.init_app(app)
    security.init_app(app)
    pagecache.init_app(app)  # after security: cached pages are stored without, and served with, its headers
    assets.init_app(app)
    metadata.init_app(app)
    structured_data.init_app(app)
    # One blueprint per kind of page (as Datasette has one view module per page kind).
    for view in (browse, cases, compare, concepts, evidence, graph, lessons, patterns, report, research, search,
                 sources, timeline):
        app.register_blueprint(view.bp)
    app.register_blueprint(openapi.bp)
    app.add_template_global(links.case_url)
    app.add_template_global(links.source_page_url)
    security.limit_pages(app)
    return app
