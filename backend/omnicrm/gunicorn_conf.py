"""gunicorn settings shared by every OmniCRM server: ``omnicrm run`` and ``bench/api_latency.py``.

Also usable directly: ``gunicorn -c python:omnicrm.gunicorn_conf 'omnicrm:create_app()'``.
Only names gunicorn knows are read from this module.
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Move what loading the app allocated out of the garbage collector's sight.

    Loading builds a large, permanent object graph (mappers, schemas, the OpenAPI document,
    every module). Left alone, each full collection walks all of it while holding the GIL:
    ~170 ms on a 2-vCPU VM, during which every request in the worker waits. Frozen objects
    are never collected (they live as long as the worker anyway); later garbage still is.
    """
    gc.collect()
    gc.freeze()
