"""Browser-facing security headers on every answer: the UI's, the API's and the docs'.

The API answers JSON only, so its policy forbids everything a browser could load or frame from
it. The UI's allows its own scripts and styles (Mantine writes inline styles), images from
itself and ``data:``/``blob:`` URLs, and connections back to its own origin (the API and
Socket.IO). Swagger UI's page starts itself with one inline script. No page may be framed.
When Stripe is configured (a publishable key), the UI's policy also lets Stripe.js in: its
script, its frames (card fields, 3-D Secure) and its API — the origins Stripe documents.
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
STRIPE_UI_POLICY = (
    "default-src 'self'; script-src 'self' https://js.stripe.com https://*.js.stripe.com; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' https://api.stripe.com; "
    "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PREFIX = "/crm/docs/"


def policy_for(path: str, mimetype: str | None, *, stripe: bool = False) -> str:
    """The Content-Security-Policy for an answer to ``path`` of type ``mimetype``."""
    if path.startswith(DOCS_PREFIX):
        return DOCS_POLICY
    if mimetype == "text/html" and not path.startswith("/crm/"):
        return STRIPE_UI_POLICY if stripe else UI_POLICY
    return API_POLICY


def apply_security_headers(
    headers: Headers, path: str, mimetype: str | None, *, stripe: bool = False
) -> None:
    """Set the security headers an answer lacks (a view may set its own)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Content-Security-Policy", policy_for(path, mimetype, stripe=stripe))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
