"""The command line: `python app.py <command>` (see `--help`).

Commands that change access (users, role grants, partner tokens) or the working calendar
run the same audited use cases as the API, as the console operator `system`; demo data
refuses to load in production. The console is how a deployment gets its first system administrator:

    app.py users create admin --display-name "Quản trị hệ thống"   # asks for the password
    app.py roles grant admin ADMIN /                              # ADMIN at the root
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from tortoise import Tortoise, connections

from audit import chain
from config import Database, Settings, tortoise_config
from models.errors import DomainError
from models.postgres import reindex_concurrently
from policies import SYSTEM, store
from resolvers import audit_partitions, calendar_admin, deadlines, identity


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


async def create_database(database: Database | str) -> bool:
    """Create a PostgreSQL database that does not exist yet (a newcomer's first `make run`);
    True when it was created. SQLite files are created by the driver."""
    import asyncpg

    url = database if isinstance(database, str) else database.url
    if not url.startswith(("postgres://", "postgresql://")):
        return False
    dsn = url.replace("postgres://", "postgresql://", 1)
    try:
        connection = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        server, _, name = dsn.rpartition("/")
        name = name.split("?")[0]
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", name):
            raise SystemExit(f"error: cannot create a database named {name!r}; create it "
                             "yourself") from None
        admin = await asyncpg.connect(f"{server}/postgres")
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return True
    await connection.close()
    return False


async def migrate(database: Database | str) -> None:
    """Apply every pending migration, then seed the default policy and the chain head once."""
    from tortoise.migrations.api import migrate as run_migrations

    if await create_database(database):
        print("created the database: it did not exist")
    try:
        await run_migrations(config=tortoise_config(database))
    finally:
        await Tortoise.close_connections()
    async with orm(database):
        await store.seed_from_csv()
        await chain.ensure_head()
        await audit_partitions.keep_partitions(actor=SYSTEM)  # the months ahead (PostgreSQL)


async def seed(database: Database | str, *, demo: bool, dossiers: int) -> None:
    """Load the demo data (idempotent)."""
    from demo.seed import load_demo
    from demo.showcase import load_showcase
    from demo.users import load_demo_users

    def progress(done: int) -> None:  # a long seed says how far it is
        print(f"  {done:,} of {dossiers:,} dossiers …", flush=True)

    async with orm(maintenance(database)):
        if demo:
            await store.load()
            print(await load_demo(dossiers=dossiers, progress=progress if dossiers >= 10_000 else None))
            print(await load_demo_users())
            codes = await load_showcase()
            print("tracking codes to try (trackDossier, anonymous): " + ", ".join(codes))


async def verify_audit(settings: Settings, args: argparse.Namespace) -> int:
    """`audit verify`: 0 when the chain is intact (and holds every expected checkpoint), 1
    naming the first bad entry, 2 for a malformed checkpoint. With `--anchors FILE`, the
    checkpoints in FILE (one per line) are expected and the new one is appended to it: run
    from cron with FILE on another machine or write-once storage, it anchors the trail
    outside the database."""
    chain.configure(settings.audit_key)
    try:
        lines = [*args.expect, *_anchor_lines(args.anchors)]
        expected = tuple(c for line in lines for c in chain.Checkpoint.parse_all(line))
    except (ValueError, OSError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    async with orm(settings.db):
        result = await chain.verify(expected=expected)
    if not result.ok:
        print(f"audit trail broken after {result.checked} good entries: {result.problem} "
              f"(first bad entry id: {result.first_bad_id})", file=sys.stderr)
        return 1
    archived = result.archived_through
    print(f"audit trail intact: {result.checked - archived} entries checked"
          + (f", {len(expected)} checkpoints found" if expected else "")
          + ((f"; seq 1–{archived} archived" if len(result.checkpoints) <= 1 else
              f"; {archived} entries archived") + " (detached months, verified before they left)"
             if archived else ""))
    if result.checkpoint:
        print(f"checkpoint: {result.checkpoint}")
        if args.anchors:
            with open(args.anchors, "a", encoding="utf-8") as anchors:
                anchors.write(f"{result.checkpoint}\n")
    return 0


async def partitions_command(settings: Settings, args: argparse.Namespace) -> int:
    """`audit partitions`: make the months ahead (recorded as `system` when one is made) and
    list them; `audit archive YYYY-MM`: detach the oldest month for archiving."""
    chain.configure(settings.audit_key)
    async with orm(settings.db):
        try:
            if args.audit_command == "archive":
                done = await audit_partitions.archive_month(actor=SYSTEM, month=args.month)
                where = (f"seq {done.first_seq}–{done.last_seq}" if done.lanes <= 1 else
                         f"{done.lanes} lanes; lane 1 seq {done.first_seq}–{done.last_seq}")
                start = (f"seq {done.archived_through}" if done.lanes <= 1 else
                         "each lane's last archived entry")
                print(f"detached {done.name}: {done.entries} entries ({where}); the chain now "
                      f"starts after {start}\n"
                      f"archive it, then drop it:  pg_dump -Fc -t {done.name} -f {done.name}.dump"
                      f"  &&  psql -c 'DROP TABLE {done.name}'")
                return 0
            for made in await audit_partitions.keep_partitions(actor=SYSTEM, months=args.months,
                                                               patient=True):
                print(f"made {made.name}" + (f" ({made.moved} entries moved in)" if made.moved else ""))
            listed = await audit_partitions.list_partitions(actor=SYSTEM)
        except DomainError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
    if not listed:
        print("this database keeps the audit trail in one table (SQLite): no partitions")
    for part in listed:
        rows = "?" if part.rows is None else f"{part.rows:,}"
        state = ("" if part.attached else "  DETACHED: archive it (pg_dump), then DROP TABLE")
        print(f"{part.name:<24} {part.month:%Y-%m} (UTC+7)  ~{rows} entries{state}" if part.month
              else f"{part.name:<24} other months    {rows} entries (should be 0)")
    return 0


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month (YYYY-MM)") from None


def _anchor_lines(path: str | None) -> list[str]:
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as anchors:
            return [line.split("#")[0].strip() for line in anchors if line.split("#")[0].strip()]
    except FileNotFoundError:
        return []  # the first run starts the file


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


async def calendar_command(settings: Settings, args: argparse.Namespace) -> int:
    """List, set or clear days of the working calendar (changes audited as `system`)."""
    chain.configure(settings.audit_key)
    async with orm(settings.db):
        await store.load()
        try:
            if args.calendar_command == "list":
                days = await calendar_admin.list_overrides(actor=SYSTEM, first=args.first,
                                                           last=args.last)
                for d in days:
                    print(f"{d.day.isoformat()}  {'working' if d.working else 'off    '}  "
                          f"{d.reason}  [{d.source or '-'}]")
            elif args.calendar_command == "set":
                day = await calendar_admin.set_calendar_day(
                    actor=SYSTEM, day=args.date, working=args.working, reason=args.reason,
                    source=args.source)
                print(f"{day.day.isoformat()} is now {'a working day' if day.working else 'a day off'}")
            else:
                await calendar_admin.clear_calendar_day(actor=SYSTEM, day=args.date)
                print(f"{args.date.isoformat()} follows the holiday package again")
        except DomainError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
    return 0


def _password(args: argparse.Namespace) -> str:
    """The new user's password: one line on stdin (--password-stdin) or typed twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


async def access_command(settings: Settings, args: argparse.Namespace) -> int:
    """`users create` and `roles grant|revoke` as the console operator (audited as `system`)."""
    chain.configure(settings.audit_key)
    password = _password(args) if args.command == "users" else ""
    async with orm(settings.db):
        await store.load()
        try:
            if args.command == "users":
                await identity.create_user(actor=SYSTEM, username=args.username, password=password,
                                           display_name=args.display_name or args.username)
                print(f"created user {args.username}")
            else:
                change = identity.grant_role if args.roles_command == "grant" else identity.revoke_role
                await change(actor=SYSTEM, username=args.username, role=args.role, unit_code=args.unit)
                print(f"{args.roles_command}: {args.role} at {args.unit} for {args.username}")
        except DomainError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


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


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from web import logs, serving, supervise

    ops = settings.operations
    workers, warning = serving.worker_count(args.workers, oversubscribe=args.oversubscribe)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if workers > 1:
        _metrics_folder()
    # proxy_headers off: X-Forwarded-For is believed only from TRUSTED_PROXIES (app.py).
    # On SIGTERM uvicorn stops accepting, closes sockets with 1012, lets in-flight requests
    # finish within SHUTDOWN_TIMEOUT, then runs the app's shutdown (docs/operations.md).
    # http: TCP_NODELAY on the workers' sockets too (web/serving.py).
    arguments = dict(app="app:create_app", factory=True, host=args.host, port=args.port,
                     workers=workers, proxy_headers=False, server_header=False,
                     http=serving.PROTOCOL,
                     log_config=logs.config(ops.log_level, ops.log_format), access_log=False,
                     timeout_graceful_shutdown=ops.shutdown_timeout,
                     ws_max_size=settings.limits.body_bytes)
    if workers > 1:  # the supervisor needs none of what this process imported
        supervise.become(arguments)
    uvicorn.run(**arguments)


def _metrics_folder() -> None:
    """Several workers share their metrics through files (prometheus-client's multi-process
    mode): PROMETHEUS_MULTIPROC_DIR, or a fresh temporary folder; emptied at start, since
    files of an earlier run would be added to this one's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="motcua-metrics-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


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
    users = commands.add_parser("users", help="official accounts").add_subparsers(
        dest="users_command", required=True)
    create_cmd = users.add_parser("create", help="create an account (the password is asked for)")
    create_cmd.add_argument("username")
    create_cmd.add_argument("--display-name", default="")
    create_cmd.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of stdin")
    roles = commands.add_parser("roles", help="role grants").add_subparsers(
        dest="roles_command", required=True)
    for verb in ("grant", "revoke"):
        role_cmd = roles.add_parser(verb, help=f"{verb} a role at a unit and every unit below it")
        role_cmd.add_argument("username")
        role_cmd.add_argument("role", help="e.g. ADMIN, CLERK, INSPECTOR")
        role_cmd.add_argument("unit", help="unit code, or / for the root (system-level)")
    audit_cmd = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", required=True)
    verify_cmd = audit_cmd.add_parser("verify", help="check the hash chain; exit 1 naming the "
                                      "first bad entry; prints a checkpoint to keep")
    verify_cmd.add_argument("--expect", action="append", default=[], metavar="SEQ:HASH",
                            help="a checkpoint from an earlier run that must still be in the chain")
    verify_cmd.add_argument("--anchors", metavar="FILE",
                            help="expect every checkpoint in FILE, then append the new one")
    parts_cmd = audit_cmd.add_parser("partitions", help="make the monthly partitions ahead "
                                      "(PostgreSQL) and list them")
    parts_cmd.add_argument("--months", type=int, default=audit_partitions.AHEAD_MONTHS,
                           help="months after the current one (default %(default)s)")
    archive_cmd = audit_cmd.add_parser("archive", help="detach the oldest month's partition for "
                                       "archiving (docs/operations.md, Retention)")
    archive_cmd.add_argument("month", type=_month, help="YYYY-MM")
    calendar = commands.add_parser("calendar", help="the working calendar's overrides").add_subparsers(
        dest="calendar_command", required=True)
    list_cmd = calendar.add_parser("list", help="the days set over the holiday package")
    list_cmd.add_argument("--from", dest="first", type=_date)
    list_cmd.add_argument("--to", dest="last", type=_date)
    set_cmd = calendar.add_parser("set", help="make a day a working day or a day off")
    set_cmd.add_argument("date", type=_date)
    status = set_cmd.add_mutually_exclusive_group(required=True)
    status.add_argument("--working", dest="working", action="store_true")
    status.add_argument("--off", dest="working", action="store_false")
    set_cmd.add_argument("--reason", required=True)
    set_cmd.add_argument("--source", help="the announcing document, e.g. 12729/VPCP-KGVX")
    clear_cmd = calendar.add_parser("clear", help="give a day back to the holiday package")
    clear_cmd.add_argument("date", type=_date)
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
    serve_cmd.add_argument("--workers", type=int, default=1,
                           help="worker processes; at most one per CPU this process may use "
                                "(affinity, cgroup quota) unless --oversubscribe")
    serve_cmd.add_argument("--oversubscribe", action="store_true",
                           help="start every worker asked for, even more than the CPUs")
    return root


def main(argv: list[str] | None = None) -> int:
    commands = parser()
    args = commands.parse_args(argv)
    settings = Settings.from_env()
    deadlines.configure(settings.clock)
    if args.command == "migrate":
        chain.configure(settings.audit_key)  # migrate seals the chain head with the key
        try:
            asyncio.run(migrate(settings.db))
        except OSError as error:  # no server there: say so in one line, not a traceback
            print(f"error: cannot reach the database ({error.strerror or error}); is it running, "
                  "and is DATABASE_URL right?", file=sys.stderr)
            return 2
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
        run = verify_audit if args.audit_command == "verify" else partitions_command
        return asyncio.run(run(settings, args))
    elif args.command == "partners":
        return asyncio.run(partner_command(settings, args))
    elif args.command == "calendar":
        return asyncio.run(calendar_command(settings, args))
    elif args.command in ("users", "roles"):
        return asyncio.run(access_command(settings, args))
    elif args.command == "units":
        return asyncio.run(units_command(settings, args))
    elif args.command == "serve":
        if args.workers < 1:
            commands.error("--workers must be at least 1")
        serve(args, settings)
    return 0
