"""Browser-facing security headers on every answer: the UI's, the API's and the docs'.

The API answers JSON only, so its policy forbids everything a browser could load or frame from
it. The UI's allows its own scripts and styles (Mantine writes inline styles), images from
itself and ``data:``/``blob:`` URLs, and connections back to its own origin (the API and
Socket.IO). Swagger UI's page starts itself with one inline script. No page may be framed.
deploy/nginx.conf sends the UI's policy when nginx serves the built app.
"""

from __future__ import annotations

from werkzeug.datastructures import Headers

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
UI_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PREFIX = "/crm/docs/"


def policy_for(path: str, mimetype: str | None) -> str:
    """The Content-Security-Policy for an answer to ``path`` of type ``mimetype``."""
    if path.startswith(DOCS_PREFIX):
        return DOCS_POLICY
    if mimetype == "text/html" and not path.startswith("/crm/"):
        return UI_POLICY
    return API_POLICY


def apply_security_headers(headers: Headers, path: str, mimetype: str | None) -> None:
    """Set the security headers an answer lacks (a view may set its own)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Content-Security-Policy", policy_for(path, mimetype))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
