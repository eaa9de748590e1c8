"""The bench's database: seeded once, reused while it holds enough, and what the bench picks
from it (units, users, codes) — chosen from the data, never hard-coded, so a new demo
catalogue (other provinces, other codes) needs no change here.

The database (default `motcua_bench`) is kept between runs; drop it with
`make bench BENCH_ARGS=--drop` or `psql -c 'DROP DATABASE motcua_bench'`.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

# Not secrets: they guard a throwaway benchmark database only.
JWT_SECRET = "motcua-bench-jwt-secret-not-for-production-0123456789"
AUDIT_KEY = "motcua-bench-audit-key-not-for-production-0123456789"
PASSWORD = "bench-officer-password"
USERS = {"clerk": "bench.clerk", "specialist": "bench.specialist", "leader": "bench.leader",
         "inspector": "bench.inspector"}
TRAIL_ACTORS = 200  # synthetic officials of the seeded trail: officer.000 … officer.199
TOKEN_LIFETIME = timedelta(hours=12)  # longer than any run: an access token lasts 15 minutes


@dataclass
class Dataset:
    url: str
    dossiers: int
    audit_entries: int
    commune: dict  # code, path (the clerk's and the specialist's unit)
    district: dict  # the commune's parent (the leader's unit)
    province: dict  # the commune's root (the inspector's unit)
    procedure: str  # a procedure of the commune's level, for the write path
    codes: list[str]  # dossiers of the commune, for (b)
    trail_actor: str  # whose entries (e) lists
    year: int  # the province-year of (c)
    tokens: dict[str, str] = field(default_factory=dict)  # role → "Bearer …"

    def headers(self, role: str) -> dict[str, str]:
        return {"authorization": self.tokens[role]}

    def prefix(self, role: str) -> str:
        return {"clerk": self.commune, "specialist": self.commune, "leader": self.district,
                "inspector": self.province}[role]["path"]


async def _admin(server: str, sql: str) -> object:
    conn = await asyncpg.connect(f"{server}/postgres".replace("postgres://", "postgresql://", 1))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


# Rows every write updates: the audit chain's head (every request), the day's code counter
# and rollup rows. Each update leaves a dead version behind; on a server with autovacuum off
# (this machine's) they pile up within minutes and every write slows down (measured: (d) 84
# → 63 paths/s after ten minutes of load). Vacuumed before each cell, for every system alike.
HOT_TABLES = ("audit_chain_head", "dossier_code_counters", "unit_daily_stats",
              "unit_procedure_monthly_stats")


async def settle(url: str) -> None:
    """Vacuum the rows every write updates (see HOT_TABLES)."""
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f"VACUUM {', '.join(HOT_TABLES)}")
    finally:
        await conn.close()


async def drop(server: str, name: str) -> None:
    await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def ensure(server: str, name: str, *, dossiers: int, audit_entries: int,
                 log=print) -> Dataset:  # noqa: ANN001
    """Create, migrate and top up the database, then pick what the bench needs."""
    import cli
    import config
    from audit import chain
    from policies import store

    if not await _admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        await _admin(server, f'CREATE DATABASE "{name}"')
        log(f"created database {name}")
    url = f"{server}/{name}"
    # No statement timeout while migrating or seeding: on a million rows, adding an index or
    # rebuilding them after a bulk load takes minutes on a busy machine (the app's 10 s would
    # cancel it half-way).
    unbounded = config.Database(url, statement_timeout=0, command_timeout=3600)
    await cli.migrate(unbounded)
    chain.configure(AUDIT_KEY.encode())
    from tortoise import Tortoise

    await Tortoise.init(config=config.tortoise_config(unbounded))
    try:
        await store.load()
        changed = await _top_up(url, dossiers, audit_entries, log)
        data = await _pick(url, dossiers, audit_entries)
        await _users(data)
        await store.load()
        await _tokens(data)
        if changed:
            from tortoise import connections

            # As autovacuum does after a bulk load (PostgreSQL 13+ vacuums on inserts): the
            # visibility map lets index-only scans skip the heap (migration 0018).
            await connections.get("default").execute_script("VACUUM (ANALYZE)")
    finally:
        await Tortoise.close_connections()
    return data


async def _top_up(url: str, dossiers: int, audit_entries: int, log) -> bool:  # noqa: ANN001
    from demo.seed import load_demo
    from models import AuditEntry, Dossier

    changed = False
    have = await Dossier.all().count()
    if have < dossiers:
        log(f"seeding {dossiers - have:,} dossiers (about 80 s per million on a quiet machine)…")
        started, shown = time.perf_counter(), [time.perf_counter()]

        def progress(done: int) -> None:
            if time.perf_counter() - shown[0] >= 15:
                log(f"  {done:,} dossiers, {time.perf_counter() - started:.0f} s")
                shown[0] = time.perf_counter()

        log("  " + await load_demo(dossiers=dossiers, progress=progress))
        log(f"  in {time.perf_counter() - started:.0f} s")
        changed = True
    have = await AuditEntry.all().count()
    if have < audit_entries:
        started = time.perf_counter()
        await _seed_trail(url, audit_entries - have)
        log(f"sealed {audit_entries - have:,} audit entries in {time.perf_counter() - started:.0f} s")
        changed = True
    return changed


async def _seed_trail(url: str, count: int) -> None:
    """Synthetic entries sealed into the chain after its head (so `audit verify` still holds),
    written by COPY in one transaction: officials reading and moving dossiers over a year."""
    from audit.chain import COLUMNS, digest, head_mac

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        units = [r["path"] for r in await conn.fetch("SELECT path FROM administrative_units ORDER BY path")]
        codes = [r["code"] for r in await conn.fetch(
            "SELECT code FROM dossiers ORDER BY id DESC LIMIT 5000")] or ["none"]
        rng = random.Random(15)
        async with conn.transaction():  # the head moves once, at the end
            head = await conn.fetchrow(
                "SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
            seq, previous = head["last_seq"], head["last_hash"]
            start, step = datetime.now(UTC) - timedelta(days=365), timedelta(days=365) / count
            await _month_partitions(conn, start)
            rows = []
            for i in range(count):
                seq += 1
                actor, write, code = rng.randrange(TRAIL_ACTORS), rng.random() < 0.3, rng.choice(codes)
                path = units[actor % len(units)]
                fields = dict(
                    seq=seq, prev_hash=previous, at=start + step * i, actor_kind="USER",
                    actor_username=f"officer.{actor:03d}",
                    actor_roles="CLERK@" + path.strip("/").split("/")[-1],
                    action="dossier:ACCEPT" if write else "query:dossiers",
                    object_type="Dossier" if write else None, object_id=code if write else None,
                    unit_path=path, outcome="ALLOWED", reason=None, operation_name="Bench",
                    request_id=f"{rng.getrandbits(128):032x}", client_address="10.0.0.1",
                    changes={"status": ["NEW", "RECEIVED"]} if write else None)
                fields["hash"] = previous = digest(fields)
                fields["occurrences"], fields["lane"] = 1, 1  # lane 1: the chain console commands write
                rows.append(tuple(json.dumps(fields[c]) if c == "changes" and fields[c] is not None
                                  else fields[c] for c in COLUMNS))
            await conn.copy_records_to_table("audit_entries", records=rows, columns=list(COLUMNS))
            await conn.execute("UPDATE audit_chain_head SET last_seq = $1, last_hash = $2, head_mac = $3 "
                               "WHERE id = 1", seq, previous, head_mac(seq, previous))
    finally:
        await conn.close()


async def _month_partitions(conn: asyncpg.Connection, start: datetime) -> None:
    """The trail's monthly partitions from `start` on (PostgreSQL after migration 0013), so that
    the year's entries go to their months rather than to the DEFAULT partition."""
    from models import partitions

    kind = await conn.fetchval("SELECT relkind::text FROM pg_class WHERE oid = to_regclass('audit_entries')")
    month = partitions.month_of(start)
    while kind == "p" and month <= partitions.month_of(datetime.now(UTC)):
        await conn.execute(partitions.create_sql(month))
        month = partitions.add_months(month, 1)


async def _pick(url: str, dossiers: int, audit_entries: int) -> Dataset:
    from tortoise import connections

    conn = connections.get("default")

    async def one(sql: str, *args: object) -> dict:
        rows = await conn.execute_query_dict(sql, list(args))
        if not rows:
            raise SystemExit(f"the bench database holds nothing for: {sql}")
        return rows[0]

    # The commune with the most dossiers; its parent; its root.
    busiest = await one(
        "SELECT u.id, u.code, u.path, u.parent_id, u.level FROM administrative_units u JOIN ("
        "SELECT unit_id, COUNT(*) AS n FROM dossiers GROUP BY unit_id) d ON d.unit_id = u.id "
        "WHERE u.level = 'COMMUNE' ORDER BY d.n DESC, u.code LIMIT 1")
    parent = await one("SELECT id, code, path FROM administrative_units WHERE id = $1",
                       busiest["parent_id"])
    root = await one("SELECT id, code, path FROM administrative_units WHERE path = $1",
                     "/" + busiest["path"].strip("/").split("/")[0] + "/")
    procedure = await one("SELECT code FROM procedures WHERE level = $1 ORDER BY code LIMIT 1",
                          busiest["level"])
    codes = [r["code"] for r in await conn.execute_query_dict(
        "SELECT code FROM dossiers WHERE unit_id = $1 ORDER BY random() LIMIT 200", [busiest["id"]])]
    actor = await one("SELECT actor_username FROM audit_entries WHERE actor_username LIKE 'officer.%' "
                      "AND unit_path LIKE $1 GROUP BY actor_username ORDER BY COUNT(*) DESC LIMIT 1",
                      root["path"] + "%")
    return Dataset(
        url=url, dossiers=dossiers, audit_entries=audit_entries,
        commune={"code": busiest["code"], "path": busiest["path"]},
        district={"code": parent["code"], "path": parent["path"]},
        province={"code": root["code"], "path": root["path"]},
        procedure=procedure["code"], codes=codes, trail_actor=actor["actor_username"],
        year=date.today().year - 1)


async def _users(data: Dataset) -> None:
    """The bench's officials, granted exactly the bench's roles (a new pick revokes old grants)."""
    from models import User
    from policies import SYSTEM, grants_of
    from resolvers.identity import create_user, grant_role, revoke_role

    wanted = {"clerk": ("CLERK", data.commune), "specialist": ("SPECIALIST", data.commune),
              "leader": ("LEADER", data.district), "inspector": ("INSPECTOR", data.province)}
    for role, username in USERS.items():
        name, unit = wanted[role]
        if not await User.exists(username=username):
            await create_user(actor=SYSTEM, username=username, password=PASSWORD, display_name=username)
        held = grants_of(username)
        for grant in held:
            if (grant.role, grant.unit_code) != (name, unit["code"]):
                await revoke_role(actor=SYSTEM, username=username, role=grant.role,
                                  unit_code=grant.unit_code)
        if not any((g.role, g.unit_code) == (name, unit["code"]) for g in held):
            await grant_role(actor=SYSTEM, username=username, role=name, unit_code=unit["code"])


async def _tokens(data: Dataset) -> None:
    """Log each official in (a real session) and sign an access token of the same session
    that outlives the run."""
    from jose import jwt

    from policies import ANONYMOUS, tokens
    from resolvers.identity import login

    ring = tokens.KeyRing.from_env({"JWT_SECRET": JWT_SECRET}, production=True)
    for role, username in USERS.items():
        pair = await login(actor=ANONYMOUS, ring=ring, username=username, password=PASSWORD)
        family = jwt.get_unverified_claims(pair.access_token)["fam"]
        token, _ = tokens.issue(ring, subject=username, token_type="access",
                                lifetime=TOKEN_LIFETIME, family=family)
        data.tokens[role] = f"Bearer {token}"


if __name__ == "__main__":  # a quick look: python -m benchmarks.dataset [dossiers]
    import sys

    print(asyncio.run(ensure("postgres://postgres@127.0.0.1:5432", "motcua_bench_small",
                             dossiers=int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
                             audit_entries=30_000)))
