"""motcua: the composition root — settings, the Starlette app, the ORM, and the CLI.

    python app.py migrate | seed --demo [--dossiers N] | serve [--host H --port P --workers W]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from policies import ANONYMOUS, Actor
from schema import schema
from schema.context import Context

ROOT = Path(__file__).resolve().parent
load_dotenv(ROOT / ".env")


@dataclass(frozen=True)
class Settings:
    database_url: str
    environment: str

    @classmethod
    def from_env(cls) -> Settings:
        default_db = f"sqlite://{ROOT / 'var' / 'motcua.sqlite3'}"
        return cls(
            database_url=os.environ.get("DATABASE_URL", default_db),
            environment=os.environ.get("APP_ENV", "development"),
        )

    @property
    def production(self) -> bool:
        return self.environment == "production"


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


async def authenticate(request: Request) -> Actor:
    """The caller of an HTTP request; anonymous without an Authorization header."""
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    client = request.client.host if request.client else None
    return Actor(kind=ANONYMOUS.kind, request_id=request_id, client_address=client)


class GraphQLApp(GraphQL):
    async def get_context(self, request: Any, response: Any = None) -> Context:
        return Context(actor=await authenticate(request), request=request, response=response)


def create_app(settings: Settings | None = None, *, register_orm: bool = True) -> Starlette:
    """The ASGI application; tests pass `register_orm=False` and manage the ORM themselves."""
    settings = settings or Settings.from_env()
    graphql = GraphQLApp(schema, graphql_ide=None if settings.production else "graphiql")

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not register_orm:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            yield

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health", health),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def migrate(database_url: str) -> None:
    """Apply every pending migration to the database."""
    from tortoise.migrations.api import migrate as run_migrations

    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


async def seed(database_url: str, *, demo: bool, dossiers: int) -> None:
    from resolvers.demo.seed import load_demo

    await Tortoise.init(config=tortoise_config(database_url))
    try:
        if demo:
            report = await load_demo(dossiers=dossiers)
            print(report)
    finally:
        await Tortoise.close_connections()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply migrations to DATABASE_URL")
    seed_cmd = commands.add_parser("seed", help="load demo data (idempotent)")
    seed_cmd.add_argument("--demo", action="store_true")
    seed_cmd.add_argument("--dossiers", type=int, default=0)
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
    elif args.command == "serve":
        import uvicorn

        uvicorn.run("app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
