"""The site's settings: name, default, help.  Read from ``KB_<NAME>`` environment variables.

Unknown or mistyped values fail at start-up, with the setting's help in the message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import click

__all__ = ["SETTINGS", "Setting", "SettingsError", "from_environment"]


class SettingsError(click.ClickException, ValueError):
    """A setting has a value the site cannot use.

    A :class:`click.ClickException`, so that ``flask run`` (and every ``flask`` command) prints it as
    one line, ``Error: ...``, and exits with status 1 instead of a traceback.
    """

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    def parse(self, raw: str) -> Any:
        if isinstance(self.default, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise SettingsError(f"KB_{self.name}={raw!r}: expected true or false ({self.help})")
            return raw.lower() in ("1", "true", "yes")
        if isinstance(self.default, int):
            try:
                return int(raw)
            except ValueError:
                raise SettingsError(f"KB_{self.name}={raw!r}: expected a whole number ({self.help})") from None
        if self.choices and raw not in self.choices:
            raise SettingsError(f"KB_{self.name}={raw!r}: use one of {', '.join(self.choices)} ({self.help})")
        return raw


SETTINGS = [
    Setting("STORE", "ladybug", "graph store the site reads: ladybug (embedded) or neo4j", ("ladybug", "neo4j")),
    Setting("STORE_PATH", "", "folder of the embedded store (default .kb/store in the repository)"),
    Setting("PAGE_SIZE", 20, "cases per page in lists"),
    Setting("PAGE_CACHE_MB", 64, "memory per worker for rendered pages, kept per version of the graph (0: off)"),
    Setting("NEO4J_TIMEOUT_MS", 800, "with KB_STORE=neo4j: how long connecting to Neo4j may take before a 503 "
            "(raise it for a distant server on a slow link)"),
    Setting("QUERY_TIMEOUT_MS", 5000, "time limit of one console query, in milliseconds"),
    Setting("QUERY_ROW_CAP", 1000, "most rows a console query returns"),
    Setting("QUERY_BYTE_CAP", 4 * 1024 * 1024, "largest console result, in bytes of JSON"),
    Setting("CONSOLE_WORKERS", 2, "console worker processes per site process"),
    Setting("CONSOLE_MEMORY_MB", 1024, "memory one console query may take, in MB"),
    Setting("CONSOLE_SANDBOX", "required", "refuse console queries where the kernel cannot confine them "
            "(required), or run them with what it can enforce (optional)", ("required", "optional")),
    Setting("MAX_REQUEST_BYTES", 64 * 1024, "largest request body the site accepts"),
    Setting("CONSOLE_RATE_LIMIT", "30 per minute", "how many console queries one client may run"),
    Setting("PAGE_RATE_LIMIT", "120 per minute", "how many requests one client may make to the pages whose work "
            "grows with the request (search, compare, filters, graph, patterns, exports)"),
    Setting("RATE_LIMIT_STORAGE", "", "where rate limits are counted, shared by the server's processes "
            "(default: sqlite file ratelimits.sqlite beside the store folder; or redis://host:6379)"),
    Setting("RATE_LIMITS", True, "enforce rate limits (turn off only for benchmarks on loopback)"),
    Setting("REPOSITORY_URL", "", "web address of the repository's files, e.g. https://github.com/ORG/REPO/blob/main; "
                                  "links to files the site does not show go there (unset: shown as text)"),
    Setting("PUBLIC_URL", "", "the site's address as visitors see it, e.g. https://kb.example.org (canonical links, "
                              "link previews, JSON-LD); unset: the address of each request"),
    Setting("PROXIES", 0, "how many reverse proxies in front of the site are trusted to say who the client is "
                          "(X-Forwarded-For, -Proto, -Host, -Prefix); 1 behind one nginx or Caddy"),
    Setting("TRUSTED_HOSTS", "localhost,127.0.0.1", "host names the site answers to, comma-separated (others get "
            "400, so that a forged Host header changes no link); set it to the public name(s) in production"),
    Setting("DEVELOPMENT", False, "allow Flask's debug mode (never on a public site)"),
    Setting("ACCESSIBILITY_CONTACT", "", "where people report accessibility problems, an email or web address "
            "(shown on /accessibility; without it, the page points to the project's issue tracker)"),
]


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings as Flask config keys (``KB_STORE`` ...), defaults overridden by the environment."""
    environ = os.environ if environ is None else environ
    config = {}
    for setting in SETTINGS:
        raw = environ.get(f"KB_{setting.name}")
        config[f"KB_{setting.name}"] = setting.default if raw in (None, "") else setting.parse(raw)
    return config
