"""An HTTP client on the real app, in development or production mode, with small limits."""

from __future__ import annotations

import httpx
import pytest

import app as application
from policies import SYSTEM, tokens
from policies.ratelimit import Limits
from resolvers.identity import create_user, grant_role
from schema.limits import QueryLimits
from tests.world import build_world

KEYS = tokens.KeyRing.from_env({"JWT_SECRET": "a" * 48}, production=False)


def settings(production: bool = False, **overrides) -> application.Settings:
    values = dict(database_url="unused", environment="production" if production else "development",
                  keys=KEYS, audit_key=b"k" * 32, cors_origins=("https://motcua.quangnam.gov.vn",))
    return application.Settings(**(values | overrides))


@pytest.fixture
async def world(db):
    world = await build_world()
    await create_user(actor=SYSTEM, username="lan", password="mat-khau-12345", display_name="Lan")
    await grant_role(actor=SYSTEM, username="lan", role="CLERK", unit_code="20335")
    return world


@pytest.fixture
async def client_for(world):
    clients: list[httpx.AsyncClient] = []

    async def make(**options) -> httpx.AsyncClient:
        asgi = application.create_app(settings(**options), register_orm=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://test")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


__all__ = ["KEYS", "Limits", "QueryLimits", "settings"]
