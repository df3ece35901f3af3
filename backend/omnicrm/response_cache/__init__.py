"""Read-through response cache, invalidated by commits.

Hot read endpoints (customer and product lists and details) are declared with
:func:`cached_read`; their 200 answers (body and the headers the view set, such as
``X-Pagination``) are kept under a namespace *version*, a random token in one Redis hash. Any
committed change to a model registered for that namespace (:func:`register_cached_models`)
replaces the token after COMMIT (SQLAlchemy session events), so the next read misses and
rebuilds: no reader sees data older than the last commit it could have observed.

Where entries live (:mod:`.store`):

- in Redis (shared by every process), with a TTL that bounds staleness for writes made outside
  the ORM (psql, another application); ``RESPONSE_CACHE_TTL=0`` turns caching off;
- in a small per-process LRU in front of it (``RESPONSE_CACHE_LOCAL_ENTRIES``), so a hit costs
  no Redis read of its own.

The versions are read once per request. For a bearer token they ride the session check's one
Redis round trip: the auth domain offers that hook (``also_fetch_with_session_check``) and
``create_app`` hands it to :func:`install_response_cache`; this package knows nothing of
tokens, and the auth domain nothing of versions. Requests authenticated otherwise (API keys)
read the versions themselves (one more round trip).

Building an entry is single-flight per process (:mod:`.views`): when many requests miss the
same key at once, one builds it while the others wait for it, and an entry in the last
``REFRESH_AHEAD`` of its TTL is rebuilt by one request while the others are still served it.

:mod:`.replay` answers a repeated cached read in front of Flask, under the same checks
(``create_app`` installs it last, with the auth domain's token check). It stays because it
pays: ~135 µs of CPU per cached read instead of ~345 µs through Flask, and the API latency
target is met with it, not without it (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from omnicrm.core.redis import Command
from omnicrm.response_cache.invalidation import install_invalidation, register_cached_models
from omnicrm.response_cache.store import (
    LOCAL_ENTRIES,
    VERSIONS_COMMAND,
    LocalEntries,
    bump,
    remember_versions,
)
from omnicrm.response_cache.views import cached_read

__all__ = ["bump", "cached_read", "install_response_cache", "register_cached_models"]

# Registers a command to send in the per-request session check's Redis round trip, and what
# to do with its reply (called within the request).
FetchWithSessionCheck = Callable[[Flask, Command, Callable[[Any], None]], None]


def install_response_cache(
    app: Flask, fetch_with_session_check: FetchWithSessionCheck | None = None
) -> None:
    """Give ``app`` its per-process entries and invalidate on every commit of the process."""
    settings = app.extensions["omnicrm_settings"]
    app.extensions[LOCAL_ENTRIES] = LocalEntries(settings.response_cache_local_entries)
    install_invalidation()
    if fetch_with_session_check is not None and settings.response_cache_ttl > 0:
        fetch_with_session_check(app, VERSIONS_COMMAND, remember_versions)
