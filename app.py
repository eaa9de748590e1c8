"""motcua: the composition root — settings, the Starlette app, the ORM, and the CLI.

    python app.py migrate | seed --demo [--dossiers N] | serve [--host H --port P --workers W]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from audit import chain
from policies import SYSTEM, store
from policies.ratelimit import Limits, LoginBackoff, limiter_from_url
from policies.tokens import KeyRing
from resolvers import identity
from resolvers.metrics import scorecard
from schema import build_schema, downloads
from schema.http import Edge, GraphQLEndpoint
from schema.limits import QueryLimits

ROOT = Path(__file__).resolve().parent
load_dotenv(ROOT / ".env")


@dataclass(frozen=True)
class Settings:
    database_url: str
    environment: str
    keys: KeyRing
    audit_key: bytes = chain.DEVELOPMENT_KEY
    limits: QueryLimits = field(default_factory=QueryLimits)
    rates: Limits = field(default_factory=Limits)
    redis_url: str | None = None
    cors_origins: tuple[str, ...] = ()
    scorecard_bands: tuple[tuple[str, float], ...] | None = None

    @classmethod
    def from_env(cls) -> Settings:
        default_db = f"sqlite://{ROOT / 'var' / 'motcua.sqlite3'}"
        environment = os.environ.get("APP_ENV", "development")
        if environment not in ("development", "production"):
            raise SystemExit(f"APP_ENV must be development or production, not {environment!r}")
        return cls(
            database_url=os.environ.get("DATABASE_URL", default_db),
            environment=environment,
            # Refuses a weak or default JWT secret in production (policies/tokens.py).
            keys=KeyRing.from_env(os.environ, production=environment == "production"),
            audit_key=_audit_key(environment),
            limits=QueryLimits(**_numbers("LIMIT_", QueryLimits)),
            rates=Limits(**_numbers("RATE_", Limits)),
            redis_url=os.environ.get("REDIS_URL") or None,
            cors_origins=tuple(o.strip() for o in os.environ.get("CORS_ORIGINS", "").split(",")
                               if o.strip()),
            scorecard_bands=_bands(os.environ.get("SCORECARD_BANDS")),
        )

    @property
    def production(self) -> bool:
        return self.environment == "production"


def _numbers(prefix: str, kind: type) -> dict[str, Any]:
    """Overrides such as LIMIT_DEPTH=12 or RATE_PER_USER=1000 for a dataclass of numbers."""
    values: dict[str, Any] = {}
    for name in kind.__dataclass_fields__:
        raw = os.environ.get(prefix + name.upper())
        if raw is not None:
            try:
                values[name] = type(getattr(kind(), name))(raw)
            except ValueError:
                raise SystemExit(f"{prefix + name.upper()} must be a number, not {raw!r}") from None
    return values


def _bands(raw: str | None) -> tuple[tuple[str, float], ...] | None:
    """SCORECARD_BANDS="GREEN:80,YELLOW:65,ORANGE:50,RED:0": colour and lowest total."""
    if not raw:
        return None
    try:
        pairs = [item.split(":") for item in raw.split(",") if item.strip()]
        return tuple((name.strip().upper(), float(lowest)) for name, lowest in pairs)
    except ValueError:
        raise SystemExit(f"SCORECARD_BANDS must look like GREEN:80,YELLOW:65,RED:0, not {raw!r}") from None


def _audit_key(environment: str) -> bytes:
    """The HMAC key of the audit chain; production needs a real one (32+ bytes)."""
    key = os.environ.get("AUDIT_KEY", "").encode()
    if environment == "production" and (len(key) < 32 or key == chain.DEVELOPMENT_KEY):
        raise SystemExit("AUDIT_KEY must be set to a secret of at least 32 bytes in production")
    return key or chain.DEVELOPMENT_KEY


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The ORM configuration: one app, `models`, with its built-in migrations."""
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": ["models"],
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
PRODUCTION_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    # No page is served in production (GraphiQL is off), so nothing may load or frame.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app, self.headers = app, [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings | None = None, *, register_orm: bool = True) -> Starlette:
    """The ASGI application; tests pass `register_orm=False` and manage the ORM themselves."""
    settings = settings or Settings.from_env()
    chain.configure(settings.audit_key)
    if settings.scorecard_bands:
        scorecard.configure(list(settings.scorecard_bands))
    limiter = limiter_from_url(settings.redis_url)
    edge = Edge(keys=settings.keys, limits=settings.limits, rates=settings.rates, limiter=limiter,
                backoff=LoginBackoff(limiter))
    graphql = GraphQLEndpoint(build_schema(settings.limits, production=settings.production),
                              graphql_ide=None if settings.production else "graphiql", edge=edge)

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            if not register_orm:
                yield
                return
            async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
                await store.load()
                yield
        finally:
            await limiter.close()

    routes = [
        # No WebSocket route: there are no subscriptions, and operations over a socket would
        # bypass the HTTP edge (limits, rate, persisted operations).
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/audit/export.csv", partial(downloads.audit_csv, edge=edge), methods=["GET"]),
        Route("/reports/weekly.{format:str}", partial(downloads.weekly, edge=edge), methods=["GET"]),
        Route("/health", health),
    ]
    headers = SECURITY_HEADERS | (PRODUCTION_HEADERS if settings.production else {})
    middleware = [
        Middleware(SecurityHeaders, headers=headers),
        Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                   allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"],
                   max_age=600),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


async def migrate(database_url: str) -> None:
    """Apply every pending migration to the database."""
    from tortoise.migrations.api import migrate as run_migrations

    try:
        await run_migrations(config=tortoise_config(database_url))
        await Tortoise.close_connections()
        await Tortoise.init(config=tortoise_config(database_url))
        await store.seed_from_csv()  # the default policy, once
        await chain.ensure_head()
    finally:
        await Tortoise.close_connections()


async def seed(database_url: str, *, demo: bool, dossiers: int) -> None:
    from resolvers.demo.seed import load_demo

    await Tortoise.init(config=tortoise_config(database_url))
    try:
        if demo:
            from resolvers.demo.users import load_demo_users

            await store.load()
            print(await load_demo(dossiers=dossiers))
            print(await load_demo_users())
    finally:
        await Tortoise.close_connections()


async def verify_audit(settings: Settings) -> int:
    """`audit verify`: 0 when the chain is intact, 1 naming the first bad entry."""
    chain.configure(settings.audit_key)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        result = await chain.verify()
    finally:
        await Tortoise.close_connections()
    if result.ok:
        print(f"audit trail intact: {result.checked} entries checked")
        return 0
    print(f"audit trail broken after {result.checked} good entries: {result.problem} "
          f"(first bad entry id: {result.first_bad_id})", file=sys.stderr)
    return 1


async def partner_command(database_url: str, args: argparse.Namespace) -> int:
    """Issue or revoke a partner token as the console operator (audited as `system`)."""
    from models.errors import DomainError

    chain.configure(Settings.from_env().audit_key)
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        await store.load()
        if args.partner_command == "issue":
            issued = await identity.issue_partner_token(
                actor=SYSTEM, partner_name=args.name, unit_code=args.unit,
                scopes=[s.strip() for s in args.scopes.split(",") if s.strip()],
                expires_in_days=args.days)
            print(f"token id: {issued.token_id}\ntoken (shown once): {issued.token}")
        else:
            await identity.revoke_partner_token(actor=SYSTEM, token_id=args.token_id)
            print(f"revoked {args.token_id}")
        return 0
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    finally:
        await Tortoise.close_connections()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply migrations to DATABASE_URL")
    seed_cmd = commands.add_parser("seed", help="load demo data (idempotent)")
    seed_cmd.add_argument("--demo", action="store_true")
    seed_cmd.add_argument("--dossiers", type=int, default=0)
    partners = commands.add_parser("partners", help="partner tokens").add_subparsers(
        dest="partner_command", required=True)
    issue_cmd = partners.add_parser("issue", help="issue a token (the secret is printed once)")
    issue_cmd.add_argument("--name", required=True)
    issue_cmd.add_argument("--scopes", required=True, help="comma-separated, e.g. dossier:read")
    issue_cmd.add_argument("--unit", required=True, help="unit code of the jurisdiction")
    issue_cmd.add_argument("--days", type=int, default=90)
    audit_cmd = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True)
    audit_cmd.add_parser("verify", help="check the hash chain; exit 1 naming the first bad entry")
    revoke_cmd = partners.add_parser("revoke", help="revoke a token by its id")
    revoke_cmd.add_argument("token_id")
    serve_cmd = commands.add_parser("serve", help="serve the API")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "migrate":
        asyncio.run(migrate(settings.database_url))
    elif args.command == "seed":
        if args.dossiers < 0:
            parser.error("--dossiers must not be negative")
        asyncio.run(seed(settings.database_url, demo=args.demo, dossiers=args.dossiers))
    elif args.command == "audit":
        return asyncio.run(verify_audit(settings))
    elif args.command == "partners":
        return asyncio.run(partner_command(settings.database_url, args))
    elif args.command == "serve":
        import uvicorn

        uvicorn.run("app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
