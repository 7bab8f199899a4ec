"""Static files under fingerprinted names, so that browsers may keep them for a year.

Templates name a static file through one helper, ``asset_url('style.css')``, which gives
``/static/style.<10 hex digits of its content's hash>.css``.  The static view serves that name with
``Cache-Control: public, max-age=31536000, immutable``: when the file changes, so does its name, and
every page links the new one.  The plain name (``/static/style.css``) still works, revalidated on
each use (``no-cache`` with an ETag), and so does a fingerprint that is no longer current (a page
kept from before a deploy), the same way, rather than a 404 or a year of the wrong file.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory, url_for

__all__ = ["FINGERPRINTED", "YEAR_SECONDS", "asset_url", "fingerprint", "init_app"]

YEAR_SECONDS = 365 * 24 * 3600
#: ``name.<hash>.ext``: the hash is the first 10 hex digits of the file's SHA-256.
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")

_hashes: dict[Path, tuple[int, int, str]] = {}  # file -> (mtime_ns, size, hash): recomputed when it changes
_lock = threading.Lock()


def fingerprint(path: Path) -> str:
    """The first 10 hex digits of the file's SHA-256 (kept until the file's time or size changes)."""
    stat = path.stat()
    with _lock:
        known = _hashes.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    with _lock:
        _hashes[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def asset_url(filename: str) -> str:
    """The fingerprinted URL of a file in the site's static folder."""
    folder = Path(current_app.static_folder or "")
    path = folder / filename
    if not path.is_file():  # a template naming a file that is not there: fail loudly while developing
        raise FileNotFoundError(f"asset_url: no static file {filename!r} in {folder}")
    stem, dot, ext = filename.rpartition(".")
    name = f"{stem}.{fingerprint(path)}.{ext}" if dot else f"{filename}.{fingerprint(path)}"
    return url_for("static", filename=name)


def init_app(app: Flask) -> None:
    """Give templates ``asset_url`` and serve fingerprinted names from the static folder."""
    app.add_template_global(asset_url)
    plain_view = app.view_functions["static"]

    def static(filename: str) -> Response:
        match = FINGERPRINTED.match(filename)
        if match:
            real = match["stem"] + match["ext"]
            path = Path(app.static_folder or "") / real
            if path.is_file():
                if fingerprint(path) == match["hash"]:
                    response = send_from_directory(app.static_folder, real, max_age=YEAR_SECONDS)
                    response.cache_control.public = True
                    response.cache_control.immutable = True
                    return response
                return plain_view(filename=real)  # an older fingerprint: the current file, revalidated
        return plain_view(filename=filename)

    app.view_functions["static"] = static
