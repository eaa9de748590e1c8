"""motcua's composition root: the settings, the Starlette app behind its edge, and the ORM.

    python app.py migrate | seed --demo [--dossiers N] | serve | audit verify | partners …

(the commands are in cli.py; the settings in config.py; the edge in web/edge.py)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from tortoise.contrib.starlette import RegisterTortoise

from audit import bursts, chain, lanes
from config import Settings, replica_connection, tortoise_config
from policies import SYSTEM, store
from policies.proofs import ProofBackoff
from policies.ratelimit import LoginBackoff, limiter_from_url
from resolvers import audit_partitions, deadlines, notifications, scaleout
from resolvers.metrics import scorecard
from schema import build_schema
from web import assets, downloads, health, metrics
from web.edge import Edge, ForwardedFor, TrustedProxies, error_body
from web.gate import Gate
from web.graphql import GraphQLEndpoint
from web.observe import Observe
from web.subscriptions import SubscriptionEndpoint

log = logging.getLogger("motcua")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
PRODUCTION_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    # The default for every response; the console's pages set their own (web/assets.py).
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
FLUSH_SECONDS = 5.0
# A request allocates thousands of short-lived objects (GraphQL results, ORM rows): with
# the default 700 the young generation was collected several times per request and the
# cyclic collector took about a quarter of the CPU (issue 15). 10,000 rather than a higher
# value: at 50,000 a page cost more CPU, not less (11.1–11.6 against 9.8–9.9 ms in-process
# for a leader's page; one dossier 2.8–3.1 against 2.7–2.9), each collection paused 20–34 ms,
# and the young objects waiting for it raised the resident size under load.
GC_GEN0_THRESHOLD = 10_000


def _tune_gc() -> None:
    """Move everything built at start-up (modules, schema, enforcer) out of the collector's
    sight, so that collections walk only what requests allocate, and collect less often."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


async def _http_error(_: Request, exc: Exception) -> Response:
    """The router's own answers (unknown path, wrong method) as JSON, like every other error."""
    status = getattr(exc, "status_code", 500)
    code = "NOT_FOUND" if status == 404 else "BAD_USER_INPUT"
    return Response(error_body(code, getattr(exc, "detail", "error")), status_code=status,
                    media_type="application/json", headers=getattr(exc, "headers", None))


@contextlib.asynccontextmanager
async def _flushing() -> AsyncIterator[None]:
    """Write the counts of refusal bursts as their windows end, and all of them at exit."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await bursts.flush()
            except Exception:  # the database may be down; the counts wait for the next round
                log.warning("could not write refusal counts yet", exc_info=True)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(Exception):
            await bursts.flush(everything=True)


def create_app(settings: Settings | None = None, *, register_orm: bool = True) -> Starlette:
    """The ASGI application; tests pass `register_orm=False` and manage the ORM themselves."""
    settings = settings or Settings.from_env()
    chain.configure(settings.audit_key)
    bursts.configure(window=settings.audit_burst_seconds)
    deadlines.configure(settings.clock)
    if settings.scorecard_bands:
        scorecard.configure(list(settings.scorecard_bands))
    ops = settings.operations
    store.configure(recheck_seconds=ops.policy_recheck)
    notifications.configure(per_connection=ops.subscriptions_per_connection,
                            per_user=ops.subscriptions_per_user)
    limiter = limiter_from_url(settings.redis_url)
    gate = Gate(keys=settings.keys, limits=settings.limits, rates=settings.rates, limiter=limiter,
                backoff=LoginBackoff(limiter), proofs=ProofBackoff(limiter),
                scrape_token=ops.metrics_token)
    retry_after = settings.db.retry_after
    schema = build_schema(settings.limits, production=settings.production)
    graphql = GraphQLEndpoint(schema, graphql_ide=None if settings.production else "graphiql", gate=gate,
                              retry_after=retry_after, allow_queries_via_get=True)
    subscriptions = SubscriptionEndpoint(
        schema, gate=gate, retry_after=retry_after, init_timeout=ops.ws_init_timeout,
        recheck=ops.subscription_recheck, per_connection=ops.subscriptions_per_connection,
        allowed_origins=settings.cors_origins)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            if not register_orm:
                yield
                return
            # lanes.owned: a lane of the audit chain of this process's own (PostgreSQL), before
            # anything here writes an entry. upkeep: the audit trail's next months' partitions
            # (PostgreSQL), now and every 6 h.
            async with RegisterTortoise(app, config=tortoise_config(settings.db)), \
                    lanes.owned(actor=SYSTEM), _flushing(), \
                    audit_partitions.upkeep(), \
                    scaleout.running(url=settings.db.url, listen_url=settings.db.listen_url,
                                     replica=replica_connection(settings.db),
                                     replica_max_lag=settings.db.replica_max_lag,
                                     connect_timeout=settings.db.connect_timeout):
                await store.load()
                _tune_gc()
                yield
        finally:
            await limiter.close()
            metrics.mark_worker_gone()

    # Every route is behind the edge by being here; nothing is mounted around it.
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", subscriptions),
        Route("/audit/export.csv", downloads.LagTolerant(downloads.audit_csv), methods=["GET"],
              name="audit_csv"),
        Route("/reports/weekly.{format:str}", downloads.LagTolerant(downloads.weekly),
              methods=["GET"], name="weekly"),
        Route("/healthz", health.alive, methods=["GET"]),
        Route("/readyz", health.ready, methods=["GET"]),
        Route("/health", health.ready, methods=["GET"]),
        Route("/metrics", metrics.endpoint(metrics.Scrapers(ops.metrics_allow)), methods=["GET"]),
        # The inspector console (web/console/), served in production too.
        Route("/console/{file:path}", assets.console(), methods=["GET"]),
    ]
    if not settings.production:  # GraphiQL's page script and vendored, pinned assets
        routes.append(Route("/graphiql/{asset:path}", assets.graphiql(), methods=["GET"]))
    headers = SECURITY_HEADERS | (PRODUCTION_HEADERS if settings.production else {})
    middleware = []
    if settings.trusted_proxies:
        # X-Forwarded-For is believed only from these peers (never from anyone by default).
        middleware.append(Middleware(ForwardedFor, trusted_hosts=list(settings.trusted_proxies)))
    middleware += [
        # Times every request and writes its log line and metrics when it ends.
        Middleware(Observe),
        # Outside the edge, so that refusals carry CORS headers a browser can read.
        Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                   allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"],
                   expose_headers=["X-Request-Id", "Retry-After"], max_age=600),
        Middleware(Edge, gate=gate, headers=headers, retry_after=retry_after,
                   proxies=TrustedProxies.of(settings.trusted_proxies)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware,
                    exception_handlers={HTTPException: _http_error})
    app.state.retry_after = retry_after
    return app


def main(argv: list[str] | None = None) -> int:
    from cli import main as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
