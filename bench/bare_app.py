"""The framework's ceiling for bench/api_latency.py: Flask answering with OmniCRM's own bodies.

Serves, from memory, the JSON bodies (and X-Pagination headers) captured from the real API, at
the same paths: no auth, no database, no Redis, no middleware. Each response is serialised with
Flask's JSON provider per request, as any Flask view must, so the gap to OmniCRM is what our
stack (auth, session, queries, schemas, logging, metrics) costs on top of Flask + gunicorn.

    BENCH_FIXTURES=/path/fixtures.json gunicorn --pythonpath bench 'bare_app:create_app()'
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify


def create_app() -> Flask:
    fixtures = json.loads(Path(os.environ["BENCH_FIXTURES"]).read_text())
    app = Flask("bare_app")
    for index, route in enumerate(fixtures["routes"]):
        app.add_url_rule(route["path"], f"route_{index}", _view(route["body"], route["headers"]))
    return app


def _view(body: Any, headers: dict[str, str]) -> Any:
    def view() -> Response:
        response = jsonify(body)
        response.headers.update(headers)
        return response

    return view
