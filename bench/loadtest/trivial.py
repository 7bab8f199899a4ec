"""The baseline of the load test: a Flask app whose one route returns "ok".

Served by gunicorn with the same settings as the site (``bench/scale.py``), it measures what the
server, the load generator and the machine cost without the knowledge base.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/ok")
def ok() -> str:
    return "ok"
