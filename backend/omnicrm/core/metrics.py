"""Prometheus metrics: request latency by endpoint, status counts, DB pool gauges."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

REQUEST_LATENCY = Histogram(
    "omnicrm_http_request_duration_seconds",
    "HTTP request latency by endpoint",
    ["method", "endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_COUNT = Counter(
    "omnicrm_http_requests_total", "HTTP responses by status", ["method", "endpoint", "status"]
)

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()

# (method, endpoint, status) -> its latency and count series. ``labels()`` validates and locks
# on every call; the series are fixed once created, and there are as many keys as routes,
# methods and statuses, so they are looked up once and kept.
_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one answered request and record its latency."""
    key = (method, endpoint, status)
    series = _series.get(key)
    if series is None:
        series = (
            REQUEST_LATENCY.labels(method, endpoint),
            REQUEST_COUNT.labels(method, endpoint, str(status)),
        )
        _series[key] = series
    series[0].observe(seconds)
    series[1].inc()


class _PoolCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        size = GaugeMetricFamily("omnicrm_db_pool_size", "Configured DB pool size", labels=["db"])
        out = GaugeMetricFamily(
            "omnicrm_db_pool_checked_out", "DB connections in use", labels=["db"]
        )
        for engine in list(_engines):
            pool: Any = engine.pool
            name = engine.url.get_backend_name()
            size.add_metric([name], float(pool.size()) if hasattr(pool, "size") else 0.0)
            out.add_metric([name], float(pool.checkedout()) if hasattr(pool, "checkedout") else 0.0)
        yield size
        yield out


REGISTRY.register(_PoolCollector())


def watch_engine(engine: Engine) -> None:
    _engines.add(engine)
