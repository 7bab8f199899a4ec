"""No silent filters: a page's address may carry only the parameters the page reads.

Every parameter each page reads is declared once, in :data:`webapp.openapi.PARAMETERS` (by its JSON
twin's endpoint; the page and its twin read the same).  A parameter a page does not read would change
nothing while looking like a filter (``/cases?framework=…`` once listed every case), so it is refused:
400, naming the parameter and the ones the page takes.  A parameter that takes one value and
is given more than once is refused too.  Values are each page's business: unknown values are refused or
reported on the page by the page itself.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request

from .openapi import PARAMETERS


def declared(endpoint: str) -> list[dict]:
    """The parameters a page (or its JSON twin) reads, as documented."""
    twin = endpoint if endpoint.endswith("_json") else f"{endpoint}_json"
    return PARAMETERS.get(twin, PARAMETERS.get(endpoint, []))


def accepted(endpoint: str) -> list[str]:
    """The parameter names a page (or its JSON twin) reads, in the order documented."""
    return [p["name"] for p in declared(endpoint)]


def refuse_unknown_parameters() -> None:
    """Before a page's view: 400 for a query parameter the page does not read."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not hasattr(view, "kb_cached") or not request.args:
        return  # not a page of the site (static files, the console's own routes)
    names = accepted(request.endpoint)
    unknown = [name for name in dict.fromkeys(request.args) if name not in names]
    if unknown:
        takes = f"it takes: {', '.join(names)}" if names else "it takes none"
        listed = ", ".join(f"'{name}'" for name in unknown)
        abort(400, f"{request.path} does not read the parameter{'s' if len(unknown) > 1 else ''} {listed}; {takes}.")
    # A parameter of one value given twice: the page would read one and drop the other without a word.
    for parameter in declared(request.endpoint):
        values = request.args.getlist(parameter["name"])
        if len(values) > 1 and parameter["schema"].get("type") != "array":
            shown = ", ".join(f"'{value[:40]}'" for value in values[:5])
            abort(400, f"The parameter '{parameter['name']}' takes one value, not {len(values)} ({shown}); "
                       "give it once.")


def init_app(app: Flask) -> None:
    app.before_request(refuse_unknown_parameters)
