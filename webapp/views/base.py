"""Every page has a JSON twin at the same path plus ``.json``, built from one dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

__all__ = ["page_route", "respond"]


def page_route(bp: Blueprint, rule: str, cache: bool = True, **options: Any) -> Callable:
    """Register ``rule`` and ``rule.json`` for one view, which receives ``fmt``.

    ``cache``: the page depends only on its URL and the graph, so ``webapp.pagecache`` may keep it.
    """

    def decorator(view: Callable) -> Callable:
        view.kb_cached = cache
        bp.add_url_rule(rule, view_func=view, defaults={"fmt": "html"}, **options)
        bp.add_url_rule(f"{rule.rstrip('/') or ''}.json" if rule != "/" else "/index.json",
                        view_func=view, defaults={"fmt": "json"}, endpoint=f"{view.__name__}_json", **options)
        return view

    return decorator


def respond(fmt: str, template: str, data: dict[str, Any], **html_only: Any) -> Response | str:
    """JSON of ``data`` for ``fmt == 'json'``; otherwise the template with ``data`` (and HTML-only extras)."""
    if fmt == "json":
        return jsonify({"ok": True, **data})
    json_url = _json_url()
    html = render_template(template, **data, **html_only, json_url=json_url)
    response = Response(html, mimetype="text/html")
    response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return response


def _json_url() -> str:
    path = request.path.rstrip("/") or "/index"
    query = request.query_string.decode("utf-8")
    return f"{path}.json" + (f"?{query}" if query else "")
