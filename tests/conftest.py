"""Test harness. One pytest process tests one database: SQLite by default, PostgreSQL
with `MOTCUA_TEST_BACKEND=postgres` and TEST_DATABASE_URL (tortoise keeps per-model SQL
state in the model classes, so one process cannot alternate dialects; `make test` runs
the suite once per backend). Migrations run once per session into a database of this
run's own (a unique name, dropped at the end); each test starts from empty tables."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from tortoise.context import TortoiseContext

import app as application
import cli
import config
from audit import bursts, chain
from models import announcements
from policies import store, tokens
from resolvers import deadlines, kept

# Shared fixtures that live in modules of their own.
pytest_plugins = ("tests.office",)

TABLES = (
    "sessions", "partner_tokens", "users", "casbin_rules", "policy_revision", "audit_entries",
    "audit_chain_head", "feedback", "unit_daily_stats", "unit_procedure_monthly_stats",
    "dossier_events", "dossiers", "dossier_code_counters",
    "calendar_overrides", "agencies", "procedures", "unit_successions", "reorganizations",
    "administrative_units", "unit_targets", "procedure_delegations",
)


BACKEND = os.environ.get("MOTCUA_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"MOTCUA_TEST_BACKEND must be sqlite or postgres, not {BACKEND!r}")
if BACKEND == "postgres" and not os.environ.get("TEST_DATABASE_URL"):
    raise pytest.UsageError("MOTCUA_TEST_BACKEND=postgres needs TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"motcua test database: {BACKEND}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if BACKEND == "postgres":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (real concurrency); set MOTCUA_TEST_BACKEND")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests hash hundreds of passwords: use argon2id with minimal cost (the hash records
    its parameters, so verification is unchanged; production keeps the library defaults)."""
    from argon2 import PasswordHasher

    from resolvers.identity import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    # Unknown names are checked against this one: cheap too (login tests try many names).
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("motcua-no-such-user"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    asyncio.run(cli.migrate(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    import asyncpg

    base = os.environ["TEST_DATABASE_URL"].rstrip("/")
    server, _, _ = base.rpartition("/")
    name = f"motcua_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"{server}/{name}"
    try:
        asyncio.run(cli.migrate(url))
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if BACKEND == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite://{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[TortoiseContext]:
    """An initialised ORM on a migrated, empty database."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=config.tortoise_config(database_url))
        if database_url.startswith("postgres"):
            conn = ctx.connections.get("default")
            await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
            # The announced days migration 0011 loads (SQLite copies them with the template).
            await announcements.load(conn)
        # The default policy, as `app.py migrate` seeds it, and a fresh in-memory enforcer.
        await store.seed_from_csv()
        await store.load()
        await chain.ensure_head()
        chain.configure(AUDIT_KEY)  # the app of an earlier test may have set another
        bursts.reset()  # no burst of an earlier test (and database) is still counting
        deadlines.forget_calendar()  # the overrides an earlier test's database held
        kept.forget_catalogue()  # the procedures and units of an earlier test's database
        bursts.configure(window=60.0)
        yield ctx


KEYS = tokens.KeyRing.from_env({"JWT_SECRET": "a" * 48}, production=False)
AUDIT_KEY = b"test-audit-key-" + b"k" * 24


def settings(production: bool = False, **overrides) -> config.Settings:
    """The app's settings for tests: a fixed key ring and audit key, the given overrides."""
    values = dict(database_url="unused", environment="production" if production else "development",
                  keys=KEYS, audit_key=AUDIT_KEY, cors_origins=("https://motcua.quangnam.gov.vn",))
    return config.Settings(**(values | overrides))


@pytest.fixture
async def client_for(db):
    """Make HTTP clients on the real app (the ORM is the test's own); closed at the end."""
    clients: list[httpx.AsyncClient] = []

    async def make(**options) -> httpx.AsyncClient:
        asgi = application.create_app(settings(**options), register_orm=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://test")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def province_with_clerk(db):
    """The small test province (tests/world.py) with one clerk, `lan` / `mat-khau-12345`,
    at Phường An Mỹ (20335)."""
    from policies import SYSTEM
    from resolvers.identity import create_user, grant_role
    from tests.world import build_world

    world = await build_world()
    await create_user(actor=SYSTEM, username="lan", password="mat-khau-12345", display_name="Lan")
    await grant_role(actor=SYSTEM, username="lan", role="CLERK", unit_code="20335")
    return world
