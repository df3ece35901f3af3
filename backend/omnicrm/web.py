"""Serve the built React app (frontend/dist) at ``/``; unknown non-API paths get index.html."""

from __future__ import annotations

import os
import re

from flask import Flask, Response, send_from_directory
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from omnicrm.core.auth import public
from omnicrm.settings import Settings

_API_PREFIXES = ("crm/", "socket.io/", "healthz", "readyz", "metrics")


class UiPath(PathConverter):
    """A path of the UI: anything outside the API's prefixes. API paths never reach the UI's
    route, so an unknown one is the API's 404 and a wrong method its 405 (Allow lists only
    what the API takes there)."""

    regex = "(?!" + "|".join(re.escape(p) for p in _API_PREFIXES) + ")" + PathConverter.regex


_MISSING = """<!doctype html><title>OmniCRM</title>
<h1>OmniCRM API is running</h1><p>The web UI is not built: run <code>make run</code>
(or <code>make ui</code>). API docs: <a href="/crm/docs/">/crm/docs/</a>.</p>"""


def register_spa(app: Flask, settings: Settings) -> None:
    dist = settings.frontend_dist

    @public
    def spa(path: str = "") -> Response:
        if not (dist / "index.html").exists():
            return Response(_MISSING, mimetype="text/html")
        # The path is made safe before the file system is asked anything: a path leaving the
        # UI folder is an unknown UI path (the app), whether or not such a file exists.
        file = safe_join(str(dist), path) if path else None
        if file is not None and os.path.isfile(file):
            response = send_from_directory(dist, path)
            if path.startswith("assets/"):
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        response = send_from_directory(dist, "index.html")
        response.headers["Cache-Control"] = "no-cache"
        return response

    app.add_url_rule("/", "spa_index", spa)
    app.url_map.converters["ui_path"] = UiPath
    app.add_url_rule("/<ui_path:path>", "spa", spa)
