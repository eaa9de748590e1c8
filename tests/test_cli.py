"""The command line changes access only through the audited use cases, as `system`, and never
loads demo accounts (known passwords) in production."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from audit import chain
from demo.seed import load_demo
from demo.users import ACCOUNTS, load_demo_users
from models import AdministrativeUnit, AuditEntry, CasbinRule, PartnerToken, User
from policies import ROOT, grants_of, store
from tests.world import build_world

ROOT_DIR = Path(__file__).resolve().parents[1]
PRODUCTION = {"APP_ENV": "production", "JWT_SECRET": "p" * 48}


def run_cli(database_url: str, *args: str, stdin: str | None = None,
            **env: str) -> subprocess.CompletedProcess[str]:
    """`app.py ARGS` on the test's database, sealing the trail with the test's audit key."""
    variables = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development",
                 "AUDIT_KEY": chain._Key.value.decode(), **env}
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT_DIR, text=True, input=stdin,
                          capture_output=True, timeout=120, env=variables)


async def test_seed_demo_in_production_exits_non_zero_and_changes_nothing(db, database_url):
    before = await AuditEntry.all().count()
    result = run_cli(database_url, "seed", "--demo", **PRODUCTION, AUDIT_KEY="q" * 40)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "never loaded in production" in result.stderr
    assert (await User.all().count(), await AdministrativeUnit.all().count()) == (0, 0)
    assert await CasbinRule.filter(ptype="g").count() == 0
    assert await AuditEntry.all().count() == before


async def test_seeding_demo_users_records_every_account_and_grant(db):
    await load_demo()
    await load_demo_users()
    usernames = {a[0] for a in ACCOUNTS}
    created = await AuditEntry.filter(action="user:create").values_list("object_id", "actor_kind")
    assert sorted(created) == sorted((name, "SYSTEM") for name in usernames)
    granted = await AuditEntry.filter(action="role:grant").values_list("object_id", "changes")
    assert sorted((name, changes["role"][1]) for name, changes in granted) == sorted(
        (name, f"{role}@{unit}") for name, _, role, unit in ACCOUNTS)
    assert (await chain.verify()).ok
    # the system administrator is ADMIN at the root; each province has its own ADMIN
    assert [(g.role, g.unit_path) for g in grants_of("admin")] == [("ADMIN", ROOT)]
    assert [g.unit_code for g in grants_of("admin.quangnam")] == ["48"]  # Đà Nẵng, since 2025


async def test_partner_tokens_from_the_console_are_audited(db, database_url):
    await build_world()
    issued = run_cli(database_url, "partners", "issue", "--name", "Bưu điện tỉnh",
                     "--scopes", "dossier:receive,dossier:return", "--unit", "502", "--days", "30")
    assert issued.returncode == 0, issued.stderr
    token = await PartnerToken.get()
    revoked = run_cli(database_url, "partners", "revoke", token.id)
    assert revoked.returncode == 0, revoked.stderr
    entries = await AuditEntry.filter(object_type="PartnerToken").order_by("id")
    assert [(e.action, e.actor_kind, e.actor_username, e.object_id, e.unit_path) for e in entries] == [
        ("partner_token:issue", "SYSTEM", "system", token.id, "/49/502/"),
        ("partner_token:revoke", "SYSTEM", "system", token.id, "/49/502/")]
    assert (await PartnerToken.get(id=token.id)).revoked_at is not None


async def test_the_first_system_administrator_comes_from_the_console(db, database_url, monkeypatch):
    await build_world()
    monkeypatch.setattr(chain._Key, "value", b"c" * 40)  # a production-strength key
    created = run_cli(database_url, "users", "create", "quantri", "--display-name", "Quản trị",
                      "--password-stdin", stdin="mat-khau-rat-dai-2026\n", **PRODUCTION)
    assert created.returncode == 0, created.stderr
    granted = run_cli(database_url, "roles", "grant", "quantri", "ADMIN", ROOT, **PRODUCTION)
    assert granted.returncode == 0, granted.stderr
    refused = run_cli(database_url, "roles", "grant", "quantri", "NOSUCHROLE", "49")
    assert refused.returncode == 2 and "unknown role" in refused.stderr
    await store.load()
    assert [(g.role, g.unit_path) for g in grants_of("quantri")] == [("ADMIN", ROOT)]
    entries = await AuditEntry.filter(object_id="quantri").order_by("id")
    assert [(e.action, e.actor_username, e.unit_path) for e in entries] == [
        ("user:create", "system", None), ("role:grant", "system", ROOT)]
    assert entries[0].changes["password"] == [None, "***"]
    assert (await chain.verify()).ok


@pytest.mark.postgres_only
async def test_migrate_creates_a_missing_postgres_database(db, database_url):
    import asyncpg

    name = f"motcua_cli_{uuid.uuid4().hex[:8]}"
    url = database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        result = run_cli(url, "migrate")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "created the database" in result.stdout
        again = run_cli(url, "migrate")
        assert again.returncode == 0 and "created the database" not in again.stdout
    finally:
        admin = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_migrate_without_a_server_says_so_in_one_line():
    result = run_cli("postgres://postgres@127.0.0.1:9/nothing", "migrate")
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot reach the database")
    assert "Traceback" not in result.stderr
