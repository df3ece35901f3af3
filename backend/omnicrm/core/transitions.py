"""State-transition endpoints: ``POST /<id>/<action>`` moves one object along its state machine.

Contracts, services and inventory items each expose their moves the same way: a small body (a
reason, a customer), one use case, the object back, 404 when it does not exist and 409 when the
move is not allowed from its state. :func:`transition_view` writes that view once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask.views import MethodView
from marshmallow import Schema

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.db import request_session


def transition_view(
    blp: Blueprint,
    rule: str,
    *,
    name: str,
    summary: str,
    permission: str,
    action: Callable[..., Any],
    body: type[Schema],
    response: type[Schema],
    errors: Mapping[int, str],
) -> type[MethodView]:
    """Register ``POST rule`` on ``blp``: require ``permission``, load ``body``, return
    ``action(session, **path_arguments, **body)`` dumped with ``response``.

    ``summary`` is the OpenAPI summary, ``errors`` documents the other answers (status →
    description), and ``name`` names the view class, hence the endpoint ``<blueprint>.<name>``
    that metrics and logs report.
    """

    def post(self: MethodView, data: dict[str, Any], **path: Any) -> Any:
        return action(request_session(), **path, **data)

    post.__doc__ = summary
    # Decorated bottom-up, as the same stack of decorators written over ``post`` would be.
    for status, description in reversed(list(errors.items())):
        post = blp.alt_response(status, description=description)(post)
    post = blp.response(200, response)(post)
    post = blp.arguments(body)(post)
    post = require_permission(permission)(post)
    view = type(name, (MethodView,), {"post": post, "__module__": blp.import_name})
    blp.route(rule)(view)
    return view
