"""The command line: `python app.py <command>` (see `--help`).

Commands that change access (partner tokens) run the same audited use cases as the API, as
the console operator `system`; demo data refuses to load in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace

from tortoise import Tortoise, connections

from audit import chain
from config import Database, Settings, tortoise_config
from models.errors import DomainError
from models.postgres import reindex_concurrently
from policies import SYSTEM, store
from resolvers import identity


@contextlib.asynccontextmanager
async def orm(database: Database | str) -> AsyncIterator[None]:
    """The ORM on `database` for one command, closed after it (aiosqlite hangs otherwise)."""
    await Tortoise.init(config=tortoise_config(database))
    try:
        yield
    finally:
        await Tortoise.close_connections()


MAINTENANCE_SECONDS = 3600.0
REINDEX_AFTER = 10_000  # dossiers moved by a reorganisation


def maintenance(database: Database | str) -> Database:
    """The database for console work (seeding, reorganising a province): a request's time
    limits would cut statements that rewrite a million rows."""
    base = Database(database) if isinstance(database, str) else database
    return replace(base, statement_timeout=0, command_timeout=MAINTENANCE_SECONDS)


async def migrate(database: Database | str) -> None:
    """Apply every pending migration, then seed the default policy and the chain head once."""
    from tortoise.migrations.api import migrate as run_migrations

    try:
        await run_migrations(config=tortoise_config(database))
    finally:
        await Tortoise.close_connections()
    async with orm(database):
        await store.seed_from_csv()
        await chain.ensure_head()


async def seed(database: Database | str, *, demo: bool, dossiers: int) -> None:
    """Load the demo data (idempotent)."""
    from demo.seed import load_demo
    from demo.users import load_demo_users

    async with orm(maintenance(database)):
        if demo:
            await store.load()
            print(await load_demo(dossiers=dossiers))
            print(await load_demo_users())


async def verify_audit(settings: Settings) -> int:
    """`audit verify`: 0 when the chain is intact, 1 naming the first bad entry."""
    chain.configure(settings.audit_key)
    async with orm(settings.db):
        result = await chain.verify()
    if result.ok:
        print(f"audit trail intact: {result.checked} entries checked")
        return 0
    print(f"audit trail broken after {result.checked} good entries: {result.problem} "
          f"(first bad entry id: {result.first_bad_id})", file=sys.stderr)
    return 1


async def partner_command(settings: Settings, args: argparse.Namespace) -> int:
    """Issue or revoke a partner token as the console operator (audited as `system`)."""
    chain.configure(settings.audit_key)
    async with orm(settings.db):
        await store.load()
        try:
            if args.partner_command == "issue":
                issued = await identity.issue_partner_token(
                    actor=SYSTEM, partner_name=args.name, unit_code=args.unit,
                    scopes=[s.strip() for s in args.scopes.split(",") if s.strip()],
                    expires_in_days=args.days)
                print(f"token id: {issued.token_id}\ntoken (shown once): {issued.token}")
            else:
                await identity.revoke_partner_token(actor=SYSTEM, token_id=args.token_id)
                print(f"revoked {args.token_id}")
        except DomainError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
    return 0


async def units_command(settings: Settings, args: argparse.Namespace) -> int:
    """`units reorganize FILE.csv`: apply (or dry-run) a plan as the console operator."""
    from resolvers.units import parse_csv, reorganize

    chain.configure(settings.audit_key)
    try:
        with open(args.file, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        print(f"error: {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    async with orm(maintenance(settings.db)):
        await store.load()
        try:
            reports = await reorganize(actor=SYSTEM, rows=parse_csv(text), dry_run=args.dry_run,
                                       carry_grants=args.carry_grants, reference=args.reference)
        except DomainError as error:
            print(f"error: {args.file}: {error.message}; nothing was changed", file=sys.stderr)
            return 2
        for report in reports:
            print("\n".join(report.lines))
        if args.dry_run:
            print("dry run: nothing was changed")
        elif sum(r.counts.get("dossiers_moved", 0) for r in reports) >= REINDEX_AFTER:
            # Most rows were rewritten: give the jurisdiction filters their compact indexes back.
            started = time.perf_counter()
            await reindex_concurrently(connections.get("default"))
            print(f"jurisdiction indexes rebuilt in {time.perf_counter() - started:.1f} s")
    return 0


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    # proxy_headers off: X-Forwarded-For is believed only from TRUSTED_PROXIES (app.py).
    uvicorn.run("app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, proxy_headers=False, server_header=False)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="app.py", description="motcua: the one-stop GraphQL API")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply migrations to DATABASE_URL")
    seed_cmd = commands.add_parser("seed", help="load demo data (idempotent; not in production)")
    seed_cmd.add_argument("--demo", action="store_true")
    seed_cmd.add_argument("--dossiers", type=int, default=0)
    partners = commands.add_parser("partners", help="partner tokens").add_subparsers(
        dest="partner_command", required=True)
    issue_cmd = partners.add_parser("issue", help="issue a token (the secret is printed once)")
    issue_cmd.add_argument("--name", required=True)
    issue_cmd.add_argument("--scopes", required=True, help="comma-separated, e.g. dossier:read")
    issue_cmd.add_argument("--unit", required=True, help="unit code of the jurisdiction")
    issue_cmd.add_argument("--days", type=int, default=90)
    revoke_cmd = partners.add_parser("revoke", help="revoke a token by its id")
    revoke_cmd.add_argument("token_id")
    audit_cmd = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True)
    audit_cmd.add_parser("verify", help="check the hash chain; exit 1 naming the first bad entry")
    units_cmd = commands.add_parser("units", help="administrative units").add_subparsers(
        dest="units_command", required=True)
    reorganize_cmd = units_cmd.add_parser(
        "reorganize", help="apply a reorganisation plan (CSV: old_code,new_code,effective_date"
                           "[,new_name,new_parent_code,new_level,new_kind,dossier_rule,note])")
    reorganize_cmd.add_argument("file")
    reorganize_cmd.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    reorganize_cmd.add_argument("--carry-grants", action="store_true",
                                help="grant the officials of ended units the same roles at their successors")
    reorganize_cmd.add_argument("--reference", default=None, help="the legal basis, e.g. NQ 1659/NQ-UBTVQH15")
    serve_cmd = commands.add_parser("serve", help="serve the API")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    return root


def main(argv: list[str] | None = None) -> int:
    commands = parser()
    args = commands.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "migrate":
        asyncio.run(migrate(settings.db))
    elif args.command == "seed":
        if args.dossiers < 0:
            commands.error("--dossiers must not be negative")
        if args.demo and settings.production:
            print("error: demo data (with known passwords) is never loaded in production",
                  file=sys.stderr)
            return 2
        chain.configure(settings.audit_key)
        asyncio.run(seed(settings.db, demo=args.demo, dossiers=args.dossiers))
    elif args.command == "audit":
        return asyncio.run(verify_audit(settings))
    elif args.command == "partners":
        return asyncio.run(partner_command(settings, args))
    elif args.command == "units":
        return asyncio.run(units_command(settings, args))
    elif args.command == "serve":
        serve(args)
    return 0
