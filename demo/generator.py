"""Bulk synthetic dossiers: rows built as tuples, written by COPY (PostgreSQL) or executemany.

Ids are assigned here, after the current maximum, so events can point at their dossier
before either is written. Each batch commits on its own; the code counters are raised once at
the end to the highest sequence used per agency and day, so live receptions never collide.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from demo import people
from demo.rows import (
    DOSSIER_COLUMNS,
    EPOCH,
    EVENT_COLUMNS,
    OFFSET,
    Applicant,
    DossierFactory,
    Proc,
    Site,
    Weighted,
)
from models import dialect
from models.dossiers import ApplicantKind
from models.text import fold
from resolvers import clock
from resolvers.calendar import WorkingCalendar
from resolvers.clock import LOCAL_TZ, local_date
from resolvers.deadlines import due_after, end_of_day, load_calendar
from resolvers.metrics import rollups

BATCH = {"postgres": 25_000, "sqlite": 5_000}
# A client-side limit for rebuilding indexes, far above a request's.
MAINTENANCE_SECONDS = 3600.0
# Below this many rows into an empty table, keeping indexes and foreign keys beats rebuilding them.
REBUILD_MIN = 100_000
BULK_TABLES = ("dossiers", "dossier_events")
# Tax codes start with the province's tax-office code (Quảng Nam 40, Bắc Kạn 47, Cà Mau 20);
# for the provinces of today the demo keeps the code of the predecessor it draws people from.
TAX_PREFIX = {"49": "40", "06": "47", "96": "20", "48": "40", "19": "47"}
# Most people of the demo's places were born in the former provinces (the CCCD's first digits).
ID_PREFIX = {**people.PROVINCE_ID_PREFIX, "48": "049", "19": "006"}
HAMLET = {"96": "Ấp"}
# Entries of people.STREETS that are hamlets or quarters, not streets: no house number.
QUARTERS = ("Thôn ", "Ấp ", "Khóm ", "Tổ ", "Bản ")
COUNTERS_PG = (
    "INSERT INTO dossier_code_counters (agency_id, day, last_sequence) "
    "SELECT * FROM unnest($1::int[], $2::date[], $3::int[]) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last_sequence = "
    "GREATEST(dossier_code_counters.last_sequence, EXCLUDED.last_sequence)"
)
COUNTERS_SQLITE = (
    "INSERT INTO dossier_code_counters (agency_id, day, last_sequence) VALUES (?, ?, ?) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last_sequence = "
    "MAX(dossier_code_counters.last_sequence, excluded.last_sequence)"
)


async def generate(count: int, *, seed: int = 766, reference: date | None = None,
                   progress: Callable[[int], None] | None = None, as_of: date | None = None,
                   since: date | None = None, until: date | None = None) -> int:
    """Insert `count` synthetic dossiers received over the 24 months before `reference` (today),
    within [since, until) if given, at the units in force on `as_of` (default: today)."""
    if count <= 0:
        return 0
    conn = get_connection("default")
    postgres = dialect.is_postgres(conn)  # COPY on PostgreSQL, batched INSERTs on SQLite
    factory, first_id, event_id = await _factory(conn, seed, reference, as_of, since, until)
    # Into an empty table, a bulk load is faster without the indexes and foreign keys.
    restore = await _set_aside(conn) if postgres and first_id == 1 and count >= REBUILD_MIN else []
    try:
        return await _load(factory, _copy if postgres else _insert, first_id, event_id, count,
                           BATCH["postgres" if postgres else "sqlite"], progress)
    finally:
        # Once for every code handed out, even after a failed batch: a gap in a sequence is harmless.
        offices = await _offices(conn)
        counters = [(a, date.fromordinal(d), s) for (code, d), s in factory.take_touched().items()
                    for a in offices.get(code, ())]
        if counters:
            async with in_transaction() as tx:
                if postgres:
                    await tx.execute_query(COUNTERS_PG, [list(c) for c in zip(*counters, strict=True)])
                else:
                    # tortoise types the rows as lists; sqlite3 takes any sequence, tuples too.
                    await tx.execute_many(COUNTERS_SQLITE, counters)  # type: ignore[arg-type]
        if restore:
            await _restore(conn, restore)
        if postgres:
            for table in BULK_TABLES:  # COPY with explicit ids leaves the sequences behind
                await conn.execute_script(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            await conn.execute_script("ANALYZE dossiers, dossier_events, dossier_code_counters")
        # The metrics rollup, from the same definitions the live path keeps incrementally.
        await rollups.rebuild()
        if postgres:
            await conn.execute_script("ANALYZE unit_daily_stats")


async def _offices(conn: BaseDBAsyncClient) -> dict[str, list[int]]:
    """Agency rows by office code (an ended office and its successor share one)."""
    offices: dict[str, list[int]] = {}
    for row in await conn.execute_query_dict("SELECT id, code FROM agencies ORDER BY id"):
        offices.setdefault(row["code"], []).append(row["id"])
    return offices


async def _factory(
    conn: BaseDBAsyncClient, seed: int, reference: date | None, as_of: date | None,
    since: date | None, until: date | None,
) -> tuple[DossierFactory, int, int]:
    """The row factory for this database, and the first free dossier and event ids."""
    now = clock.now()
    if reference is None:
        reference = clock.local_date(now)
    else:  # as of the end of the reference day, but never in the future
        now = min(now, end_of_day(reference))
    sites, procedures = await _catalogue(conn, as_of or clock.local_date(now))
    if not sites or not procedures:
        raise ValueError("no units with agencies or no procedures: load the demo catalogue first")
    first_id = await _next_id(conn, "dossiers")
    existing = await conn.execute_query_dict(
        "SELECT a.code AS code, c.day AS day, MAX(c.last_sequence) AS last_sequence "
        "FROM dossier_code_counters c JOIN agencies a ON a.id = c.agency_id GROUP BY a.code, c.day")
    counters = {(r["code"], _ordinal(r["day"])): r["last_sequence"] for r in existing}
    longest = max(p.days for p in procedures)
    timeline = Timeline(await load_calendar(), reference - timedelta(days=740),
                        reference + timedelta(days=2 * longest + 400))
    # Received before the reference day (and before today, should the reference be later).
    window = range(max((reference - timedelta(days=730)).toordinal(),
                       since.toordinal() if since else 0),
                   min(reference, clock.local_date(now), until or reference).toordinal())
    days = [pos for pos, ordinal in enumerate(timeline.ordinals) if ordinal in window]
    # Seeded by where the run starts, so a top-up does not repeat the first run's applicants.
    rng = random.Random(seed + first_id - 1)
    factory = DossierFactory(rng, timeline, sites, procedures, counters, days, now,
                             Applicants(rng, reference.year).draw)
    return factory, first_id, await _next_id(conn, "dossier_events")


async def _load(factory: DossierFactory, write: Callable[..., Awaitable[None]], first_id: int,
                event_id: int, count: int, batch: int, progress: Callable[[int], None] | None) -> int:
    """Write each batch while the next one is built in a thread, so Python and the database overlap."""
    done = 0
    pending: tuple[list, list, int] | None = _batch(factory, first_id, min(batch, count), event_id)
    while pending is not None:
        rows, events, event_id = pending
        following = min(batch, count - done - len(rows))
        building = (asyncio.to_thread(_batch, factory, first_id + done + len(rows), following, event_id)
                    if following > 0 else _nothing())
        # Both run to the end before an error is raised, so no thread outlives the load.
        outcomes = await asyncio.gather(write(rows, events), building, return_exceptions=True)
        written, built = outcomes  # two steps: mypy cannot type the pair unpacked from the await
        if isinstance(written, BaseException):
            raise written
        if isinstance(built, BaseException):
            raise built
        pending = built
        done += len(rows)
        if progress is not None:
            progress(done)
    return done


def _batch(factory: DossierFactory, first: int, size: int, event_id: int) -> tuple[list, list, int]:
    """`size` dossiers from id `first`, their events, and the next free event id."""
    rows: list[tuple] = []
    events: list[tuple] = []
    build = factory.build
    for dossier_id in range(first, first + size):
        row, event_id = build(dossier_id, event_id, events)
        rows.append(row)
    return rows, events, event_id


async def _nothing() -> None:
    return None


async def _copy(rows: list[tuple], events: list[tuple]) -> None:
    async with in_transaction() as tx, tx.acquire_connection() as raw:
        # A lost batch after a crash is harmless for demo data; waiting for each flush is not.
        await raw.execute("SET LOCAL synchronous_commit = off")
        await raw.copy_records_to_table("dossiers", records=rows, columns=DOSSIER_COLUMNS)
        await raw.copy_records_to_table("dossier_events", records=events, columns=EVENT_COLUMNS)


async def _insert(rows: list[tuple], events: list[tuple]) -> None:
    async with in_transaction() as tx:
        # tortoise types the rows as lists; sqlite3 takes any sequence, tuples too.
        await tx.execute_many(_insert_sql("dossiers", DOSSIER_COLUMNS), rows)  # type: ignore[arg-type]
        await tx.execute_many(_insert_sql("dossier_events", EVENT_COLUMNS), events)  # type: ignore[arg-type]


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


async def _next_id(conn: BaseDBAsyncClient, table: str) -> int:
    rows = await conn.execute_query_dict(f"SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {table}")
    return int(rows[0]["next"])


def _ordinal(day: Any) -> int:
    return (day if isinstance(day, date) else date.fromisoformat(day)).toordinal()


async def _catalogue(conn: BaseDBAsyncClient, as_of: date) -> tuple[list[Site], list[Proc]]:
    """Units in force on `as_of` that have an agency (the first one, as reception picks it),
    and the procedures."""
    mark = dialect.marks(conn, 2)
    units = await conn.execute_query_dict(
        "SELECT id, code, name, level, path FROM administrative_units WHERE (valid_from IS NULL "
        f"OR valid_from <= {mark[0]}) AND (valid_to IS NULL OR valid_to > {mark[1]}) ORDER BY id",
        [as_of, as_of])
    agencies: dict[int, dict] = {}
    for row in await conn.execute_query_dict("SELECT id, code, unit_id FROM agencies ORDER BY id"):
        agencies.setdefault(row["unit_id"], row)
    names = {u["code"]: u["name"] for u in units}

    def tail(path: str) -> str:
        return ", ".join(names[code] for code in reversed(path.strip("/").split("/")))

    # Villages are "ấp" in the south, "thôn" elsewhere; wards and towns have streets instead.
    communes = [(u["path"], tail(u["path"]), HAMLET.get(u["path"].split("/")[1], "Thôn")
                 if u["name"].startswith("Xã ") else "") for u in units if u["level"] == "COMMUNE"]
    sites = []
    for unit in units:
        agency = agencies.get(unit["id"])
        if agency is None:
            continue
        places = tuple((t, hamlet) for path, t, hamlet in communes if path.startswith(unit["path"]))
        province = unit["path"].strip("/").split("/")[0]
        sites.append(Site(
            unit_id=unit["id"], level=unit["level"], path=unit["path"], agency_id=agency["id"],
            agency_code=agency["code"], id_prefix=ID_PREFIX.get(province, province.zfill(3)),
            tax_prefix=TAX_PREFIX.get(province, "01"), places=places or ((tail(unit["path"]), ""),),
            province=f"/{province}/",
        ))
    procedures = [
        Proc(id=p["id"], level=p["level"], days=p["processing_days"], fee=p["fee"],
             online_level=p["online_level"], documents=tuple(_json(p["documents"]) or ()))
        for p in await conn.execute_query_dict(
            "SELECT id, level, processing_days, fee, online_level, documents FROM procedures ORDER BY id")
    ]
    return sites, procedures


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


async def _set_aside(conn: BaseDBAsyncClient) -> list[str]:
    """Drop the bulk tables' non-unique indexes and foreign keys; returns what restores them."""
    tables = [list(BULK_TABLES)]
    indexes = await conn.execute_query_dict(
        "SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relname = ANY($1::text[]) AND pg_table_is_visible(t.oid) AND NOT x.indisunique", tables)
    keys = await conn.execute_query_dict(
        "SELECT c.conname AS name, t.relname AS table, pg_get_constraintdef(c.oid) AS definition "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE c.contype = 'f' AND t.relname = ANY($1::text[]) AND pg_table_is_visible(t.oid)", tables)
    for key in keys:
        await conn.execute_script(f'ALTER TABLE "{key["table"]}" DROP CONSTRAINT "{key["name"]}"')
    for index in indexes:
        await conn.execute_script(f'DROP INDEX "{index["name"]}"')
    return [index["definition"] for index in indexes] + [
        f'ALTER TABLE "{key["table"]}" ADD CONSTRAINT "{key["name"]}" {key["definition"]}' for key in keys]


async def _restore(conn: BaseDBAsyncClient, statements: list[str]) -> None:
    """Rebuild on two connections: the trigram index alone takes about as long as all the rest."""
    slow = [s for s in statements if " gin " in s.lower()]
    # B-trees first; checking the foreign keys once afterwards is one join per key.
    rest = sorted((s for s in statements if s not in slow), key=lambda s: s.startswith("ALTER"))

    async def run(group: list[str]) -> None:
        async with conn.acquire_connection() as raw:
            # Rebuilding an index of a million rows outlasts the statement timeout of requests.
            await raw.execute("SET maintenance_work_mem = '512MB'; SET statement_timeout = 0")
            for statement in group:
                await raw.execute(statement, timeout=MAINTENANCE_SECONDS)
            await raw.execute("RESET maintenance_work_mem; RESET statement_timeout")

    await asyncio.gather(run(slow), run(rest))


class Timeline:
    """Working days around the reference date as positions, with their local midnights."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.ordinals = [o for o in range(first.toordinal(), last.toordinal() + 1)
                         if calendar.is_working_day(date.fromordinal(o))]
        self.position = {o: i for i, o in enumerate(self.ordinals)}
        self.start = [(o - EPOCH) * 86400 - OFFSET for o in self.ordinals]
        self.end_of_day = [end_of_day(date.fromordinal(o)).astimezone(UTC) for o in self.ordinals]
        self._due: dict[tuple[int, int], int] = {}

    def due(self, pos: int, days: int) -> int:
        """Position of the deadline for a reception on day `pos`, via the app's `due_after`."""
        key = (pos, days)
        found = self._due.get(key)
        if found is None:
            noon = datetime.combine(date.fromordinal(self.ordinals[pos]), time(12), LOCAL_TZ)
            deadline = due_after(noon, days, self.calendar)
            found = self._due[key] = self.position[local_date(deadline).toordinal()]
        return found


class Applicants:
    """Fictitious applicants: people with CCCD numbers and, one in ten, organisations."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rnd = rng.random
        self.year = year
        self.families = Weighted([((n, fold(n)), w) for n, w in people.FAMILY_NAMES])
        # Folded per name part: fold() works word by word, so the parts join up exactly.
        self.middle = {male: [(n, fold(n)) for n in names] for male, names in
                       ((True, people.MIDDLE_NAMES_MALE), (False, people.MIDDLE_NAMES_FEMALE))}
        self.given = {male: [(n, fold(n)) for n in names] for male, names in
                      ((True, people.GIVEN_NAMES_MALE), (False, people.GIVEN_NAMES_FEMALE))}
        self.businesses = [(n, fold(n)) for n in people.BUSINESS_NAMES]
        self.prefixes = tuple(people.PROVINCE_ID_PREFIX.values())
        self.streets = people.STREETS

    def draw(self, site: Site) -> Applicant:
        rnd = self.rnd
        if rnd() < 0.1:
            name, folded = self.businesses[int(rnd() * len(self.businesses))]
            kind = ApplicantKind.ORGANIZATION.value
            id_number = f"{site.tax_prefix}{int(rnd() * 1e8):08d}"
        else:
            male = rnd() < 0.5
            family, family_f = self.families.pick(rnd())
            middle, middle_f = _one(self.middle[male], rnd())
            given, given_f = _one(self.given[male], rnd())
            name, folded = f"{family} {middle} {given}", f"{family_f} {middle_f} {given_f}"
            kind = ApplicantKind.CITIZEN.value
            born = self.year - 18 - int(rnd() * 62)
            century = 2000 if born >= 2000 else 1900
            digit = people.CCCD_GENDER_CENTURY_DIGIT["MALE" if male else "FEMALE", century]
            prefix = site.id_prefix if rnd() < 0.9 else _one(self.prefixes, rnd())
            id_number = f"{prefix}{digit}{born % 100:02d}{int(rnd() * 1e6):06d}"
        phone = f"{_one(people.PHONE_PREFIXES, rnd())}{int(rnd() * 1e7):07d}" if rnd() < 0.92 else None
        place, hamlet = _one(site.places, rnd())
        street = _one(self.streets, rnd())
        if hamlet and rnd() < 0.7:
            address = f"{hamlet} {1 + int(rnd() * 12)}, {place}"
        elif street.startswith(QUARTERS):
            address = f"{street}, {place}"
        else:
            address = f"{1 + int(rnd() * 300)} {street}, {place}"
        return name, kind, id_number, phone, address, folded


def _one(items: Sequence[Any], u: float) -> Any:
    return items[int(u * len(items))]
