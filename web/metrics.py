"""Prometheus metrics of the HTTP and WebSocket traffic, and the `/metrics` route.

What is counted (the lower layers' own metrics are in models/telemetry.py):

- `motcua_requests_total{route, operation, outcome}`: one per request, or per GraphQL
  operation when a request carried several (a batch); `outcome` is `OK` or the first error
  code (`FORBIDDEN`, `RATE_LIMITED`, `SERVICE_UNAVAILABLE`, …).
- `motcua_request_duration_seconds{route, operation}`: latency histogram.
- `motcua_graphql_errors_total{code}`: every GraphQL error by its `extensions.code`.
- `motcua_rate_limited_total{caller}`: refusals by a rate limit (caller: user, partner,
  address), at the edge and on login back-off.
- `motcua_websocket_connections`, `motcua_subscriptions` (gauges) and
  `motcua_subscription_updates_total`.

Operation names come from clients, so a process keeps at most `MAX_OPERATIONS` distinct
names and counts the rest as `_other`: a client cannot grow the metrics without limit.

`/metrics` is behind the edge like every route. It is served to callers on the networks in
METRICS_ALLOW (default: this machine only) or presenting METRICS_TOKEN as a bearer token;
anyone else gets 403 (recorded like every refusal). It never touches the database, so it
keeps answering while the database is down, when it matters most. Under `serve --workers N`
(PROMETHEUS_MULTIPROC_DIR set) every scrape adds up the files of all workers.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

from web.edge import Refusal

MAX_OPERATIONS = 200
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

REQUESTS = Counter("motcua_requests", "Requests (GraphQL operations) by route, operation and "
                   "outcome (OK or the first error code)", ["route", "operation", "outcome"])
DURATION = Histogram("motcua_request_duration_seconds", "Time to answer a request (a "
                     "subscription: how long it stayed open)", ["route", "operation"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
GRAPHQL_ERRORS = Counter("motcua_graphql_errors", "GraphQL errors by extensions.code", ["code"])
RATE_LIMITED = Counter("motcua_rate_limited", "Requests refused by a rate limit, by the kind "
                       "of caller limited (user, partner, address)", ["caller"])
CONNECTIONS = Gauge("motcua_websocket_connections", "Open WebSocket connections (summed over "
                    "workers)", multiprocess_mode="livesum")
SUBSCRIPTIONS = Gauge("motcua_subscriptions", "Open GraphQL subscriptions (summed over "
                      "workers)", multiprocess_mode="livesum")
UPDATES = Counter("motcua_subscription_updates", "Updates sent to subscribers, by kind", ["kind"])


class _Names:
    seen: set[str] = set()


_SERIES: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def request_series(route: str, operation: str, outcome: str) -> tuple[Any, Any]:
    """REQUESTS' and DURATION's series for a request, looked up once per label set:
    prometheus-client's `labels()` checks its arguments and takes a lock on every call (a
    few µs each, twice per request). Bounded as the labels are: routes are the app's,
    operations `operation_label`'s, outcomes the API's error codes."""
    key = (route, operation, outcome)
    found = _SERIES.get(key)
    if found is None:
        found = _SERIES[key] = (REQUESTS.labels(route=route, operation=operation, outcome=outcome),
                                DURATION.labels(route=route, operation=operation))
    return found


def operation_label(name: str | None, kind: str | None = None) -> str:
    """A bounded label for a client-chosen operation name."""
    if not name:
        return f"_anonymous_{kind}" if kind else "_none"
    if not NAME.match(name):
        return "_invalid"
    if name not in _Names.seen:
        if len(_Names.seen) >= MAX_OPERATIONS:
            return "_other"
        _Names.seen.add(name)
    return name


def registry() -> CollectorRegistry:
    """The registry to scrape: this process's, or all workers' under multi-process mode."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected


class Scrapers:
    """Who may read /metrics: these networks, or a caller presenting the scrape token (the
    edge turns a matching bearer token into an anonymous caller marked as the scraper)."""

    def __init__(self, allow: tuple[str, ...]) -> None:
        self.networks = tuple(ipaddress.ip_network(n, strict=False) for n in allow)

    def admits(self, request: Request) -> bool:
        actor = getattr(request.state, "actor", None)
        if actor is not None and actor.extra.get("scraper"):
            return True
        host = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def endpoint(scrapers: Scrapers):  # noqa: ANN201  (a Starlette endpoint)
    async def metrics(request: Request) -> Response:
        if not scrapers.admits(request):
            raise Refusal(403, "FORBIDDEN", "metrics are served to the configured scrapers only")
        return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)

    return metrics


def mark_worker_gone() -> None:
    """At a worker's exit: its live gauges stop counting (multi-process mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())
