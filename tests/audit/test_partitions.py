"""The audit trail partitioned by month on PostgreSQL: entries land in their month's partition,
the chain verifies across partitions, no row of any partition can be changed or deleted (a
partition made after the migration included), tampering in an older month is found, and the
months ahead are made idempotently (by the command, at start-up), each one recorded."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

import cli
import config
from audit import chain
from models import AuditEntry, partitions
from policies import SYSTEM
from resolvers import audit_partitions, clock
from tests.audit.conftest import (
    NEEDS_POSTGRES,
    admin,
    attached,
    mid_month,
    placement,
    seal,
    server_url,
    sql,
)
from tests.audit.test_trail import _sql
from tests.conftest import AUDIT_KEY
from tests.test_cli import run_cli

pytestmark = NEEDS_POSTGRES

NOW = partitions.month_of(datetime.now(UTC))


def month(offset: int) -> date:
    return partitions.add_months(NOW, offset)


async def test_entries_land_in_their_months_partitions(partitioned):
    # given the partitions the migration made: this month and the next three
    assert await attached() == sorted([*(partitions.name_of(month(n)) for n in range(4)),
                                       partitions.DEFAULT])
    # when entries are written in three of those months, and one two months ago (no partition)
    entries = {n: await seal(mid_month(month(n))) for n in (0, 2, 1, -2)}
    # then each is in its month's partition, and the old one waits in the DEFAULT partition
    where = await placement()
    assert {n: where[e.id] for n, e in entries.items()} == {
        0: partitions.name_of(month(0)), 1: partitions.name_of(month(1)),
        2: partitions.name_of(month(2)), -2: partitions.DEFAULT}
    # until its month's partition is made, which moves it there, unchanged
    made = await audit_partitions.keep_partitions(actor=SYSTEM)
    assert made == [audit_partitions.Created(partitions.name_of(month(-2)), 1)]
    assert (await placement())[entries[-2].id] == partitions.name_of(month(-2))
    moved = await AuditEntry.get(id=entries[-2].id)
    assert (moved.seq, moved.hash, moved.at) == (entries[-2].seq, entries[-2].hash, entries[-2].at)
    assert await sql(f"SELECT COUNT(*) AS n FROM {partitions.DEFAULT}") == [{"n": 0}]
    # and the chain, sealed out of month order, verifies across the partitions
    result = await chain.verify()
    assert result.ok and result.checked == 5, result  # the four and the partition's entry


async def test_making_a_partition_is_recorded_as_system(partitioned):
    before = await AuditEntry.all().count()
    await seal(mid_month(month(9)))  # beyond the months made ahead
    made = await audit_partitions.keep_partitions(actor=SYSTEM, months=5)
    assert [m.name for m in made] == [partitions.name_of(month(n)) for n in (4, 5, 9)]
    entries = await AuditEntry.filter(action="audit:partition").order_by("id")
    assert [(e.actor_kind, e.actor_username, e.object_type, e.object_id) for e in entries] == [
        ("SYSTEM", "system", "AuditPartition", m.name) for m in made]
    low, high = partitions.bounds(month(9))
    assert entries[-1].changes == {"range": [None, f"{low} – {high}"], "moved_from_default": [None, 1]}
    assert await AuditEntry.all().count() == before + 1 + 3
    # a second run has nothing to do and records nothing
    assert await audit_partitions.keep_partitions(actor=SYSTEM, months=5) == []
    assert await AuditEntry.all().count() == before + 1 + 3
    assert (await chain.verify()).ok


async def test_update_and_delete_are_refused_on_every_partition(partitioned):
    # given a partition made after the migration, and an entry in every partition
    await audit_partitions.keep_partitions(actor=SYSTEM, months=6)
    for n in (*range(7), 30):  # 30: a month without a partition, so the DEFAULT one
        await seal(mid_month(month(n)))
    where = await placement()
    assert set(where.values()) == set(await attached())
    assert partitions.name_of(month(6)) in where.values()
    # when anyone tries to change or delete a row, through the table or the partition itself
    for entry_id, part in where.items():
        for table in ("audit_entries", part):
            for statement in (f"UPDATE {table} SET reason = 'x' WHERE id = {entry_id}",
                              f"UPDATE {table} SET at = at - interval '40 days' WHERE id = {entry_id}",
                              f"DELETE FROM {table} WHERE id = {entry_id}"):
                with pytest.raises(Exception, match="cannot be changed or deleted"):
                    await sql(statement)
    # then nothing changed
    assert await placement() == where
    assert (await chain.verify()).ok


async def test_tampering_inside_an_older_partition_is_found(partitioned):
    # given last month's entries in their partition, and this month's
    entries = [await seal(mid_month(month(-1), day)) for day in (10, 11, 12)]
    await audit_partitions.keep_partitions(actor=SYSTEM)
    entries += [await seal(mid_month(month(0), day)) for day in (10, 11, 12)]
    older = entries[1]
    assert (await placement())[older.id] == partitions.name_of(month(-1))
    # when an entry of last month is altered past the trigger (as a superuser could)
    await _sql(f"UPDATE {partitions.name_of(month(-1))} SET actor_username = 'someone' "
               f"WHERE id = {older.id}")
    # then verification names it, and so does the command
    result = await chain.verify()
    assert not result.ok and result.first_bad_id == older.id, result
    answer = run_cli(partitioned, "audit", "verify")
    assert answer.returncode == 1 and f"(first bad entry id: {older.id})" in answer.stderr


async def test_a_month_detached_by_hand_is_a_gap(partitioned):
    entries = [await seal(mid_month(month(n))) for n in (0, 1, 2)]
    await sql(f"ALTER TABLE audit_entries DETACH PARTITION {partitions.name_of(month(1))}")
    result = await chain.verify()
    assert not result.ok and result.first_bad_id == entries[2].id
    assert "missing before it" in result.problem


async def test_a_copied_entry_is_found_where_a_window_of_the_walk_ends(partitioned):
    # given a copy of entry 2 (same id: the partitioned table's key is (id, at)) in another month
    entries = [await seal(mid_month(month(0), day)) for day in (1, 2, 3, 4)]
    second = entries[1]
    columns = ", ".join(chain.COLUMNS)
    shifted = ", ".join("at + interval '31 days'" if c == "at" else c for c in chain.COLUMNS)
    await sql(f"INSERT INTO audit_entries (id, {columns}) SELECT id, {shifted} "
              f"FROM audit_entries WHERE id = {second.id}")
    assert len(await sql(f"SELECT 1 FROM audit_entries WHERE id = {second.id}")) == 2
    # when the chain is walked two ids at a time (the copy falls at the window's edge)
    result = await chain.verify(batch=2)
    # then the copy is named
    assert not result.ok and result.first_bad_id == second.id, result
    assert "outside the chain or out of order" in result.problem


async def test_partitions_command_is_idempotent_and_audited(partitioned):
    first = run_cli(partitioned, "audit", "partitions", "--months", "5")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[:2] == [f"made {partitions.name_of(month(4))}",
                                             f"made {partitions.name_of(month(5))}"]
    listed = [line.split()[0] for line in first.stdout.splitlines()[2:]]
    assert listed == [*(partitions.name_of(month(n)) for n in range(6)), partitions.DEFAULT]
    recorded = await AuditEntry.filter(action="audit:partition").count()
    again = run_cli(partitioned, "audit", "partitions", "--months", "5")
    assert again.returncode == 0 and "made" not in again.stdout
    assert [line.split()[0] for line in again.stdout.splitlines()] == listed
    assert (recorded, await AuditEntry.filter(action="audit:partition").count()) == (2, 2)
    refused = run_cli(partitioned, "audit", "partitions", "--months", "500")
    assert refused.returncode == 2 and "months must be between 0 and 120" in refused.stderr


async def test_processes_make_the_next_months_at_start_up(partitioned, monkeypatch):
    # given a process that starts five months from now
    later = datetime.now(UTC) + timedelta(days=155)
    monkeypatch.setattr(clock, "now", lambda: later)
    # when its upkeep runs (at once, then every period)
    async with audit_partitions.upkeep(period=3600):
        for _ in range(100):
            if partitions.name_of(partitions.add_months(partitions.month_of(later), 3)) in await attached():
                break
            await asyncio.sleep(0.05)
    # then its month and the next three exist
    names = await attached()
    for n in range(4):
        assert partitions.name_of(partitions.add_months(partitions.month_of(later), n)) in names


async def _fill_before_0013(url: str, months: tuple[int, ...]) -> list[dict]:
    """Sealed entries in the unpartitioned table of migration 0011, and their head, by SQL."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    rows, previous = [], ""
    try:
        for seq, n in enumerate(months, start=1):
            fields = dict(seq=seq, prev_hash=previous, at=mid_month(month(n)), actor_kind="USER",
                          actor_username="lan", actor_roles="CLERK@20335", action="dossier:receive",
                          object_type="Dossier", object_id=f"X-{seq}", unit_path="/49/502/20335/",
                          outcome="ALLOWED", reason=None, operation_name="Receive", request_id=None,
                          client_address=None, changes={"status": [None, "RECEIVED"]})
            fields["hash"] = previous = chain.digest(fields)
            # COLUMNS without `occurrences` (0009) and `lane` (0019): the table before them
            values = [json.dumps(fields[c]) if c == "changes" else fields[c] for c in chain.COLUMNS[:-2]]
            await conn.execute(f"INSERT INTO audit_entries ({', '.join(chain.COLUMNS[:-2])}) VALUES "
                               f"({', '.join(f'${i}' for i in range(1, len(values) + 1))})", *values)
            rows.append(fields)
        await conn.execute("INSERT INTO audit_chain_head (id, last_seq, last_hash, head_mac) "
                           "VALUES (1, $1, $2, $3)", len(rows), previous, chain.head_mac(len(rows), previous))
    finally:
        await conn.close()
    return rows


async def test_the_migration_partitions_a_populated_trail():
    name = f"motcua_upgrade_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = server_url(name)
    try:
        # given a province's trail at migration 0011: entries of five months, out of month order
        await migrate(config=config.tortoise_config(url), target="models.0011_clock")
        await Tortoise.close_connections()
        chain.configure(AUDIT_KEY)
        filled = await _fill_before_0013(url, (-14, -3, -3, -1, 0, -1, 0))
        # when it upgrades in place
        await cli.migrate(url)
        async with TortoiseContext() as ctx:
            await ctx.init(config=config.tortoise_config(url))
            # then every entry is in its month's partition, unchanged
            where = await placement()
            stored = {e.seq: e for e in await AuditEntry.all()}
            for seq, fields in enumerate(filled, start=1):
                entry = stored[seq]
                assert where[entry.id] == partitions.name_of(partitions.month_of(fields["at"]))
                assert (entry.hash, entry.prev_hash, entry.at) == (
                    fields["hash"], fields["prev_hash"], fields["at"])
            assert await attached() == sorted({partitions.DEFAULT, *where.values(),
                                               *(partitions.name_of(month(n)) for n in range(4))})
            # and every partition has every index and the trigger
            for index in ("audit_entries_pkey", "audit_object", "audit_at", "audit_actor", "audit_unit_path",
                          "audit_unit_path_pattern", "audit_seq"):
                assert len(await sql("SELECT 1 FROM pg_inherits WHERE inhparent = $1::regclass", index)) == \
                    len(await attached()), index
            triggers = await sql("SELECT tgrelid::regclass::text AS t FROM pg_trigger "
                                 "WHERE tgname = 'audit_entries_immutable'")
            assert {t["t"] for t in triggers} == {"audit_entries", *await attached()}
            with pytest.raises(Exception, match="cannot be changed or deleted"):
                await sql(f"DELETE FROM audit_entries WHERE id = {stored[1].id}")
            # and the chain verifies, and goes on in this month's partition with the next id
            assert (await chain.verify()).checked == len(filled)
            entry = await seal(datetime.now(UTC))
            assert entry.id == max(e.id for e in stored.values()) + 1
            assert (await placement())[entry.id] == partitions.name_of(month(0))
            assert (await chain.verify()).ok
    finally:
        await Tortoise.close_connections()
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_the_orm_writes_and_reads_entries_of_any_month(partitioned):
    entry = await AuditEntry.create(at=mid_month(month(2)), actor_kind="SYSTEM", action="test:orm",
                                    outcome="ALLOWED")
    assert (await placement())[entry.id] == partitions.name_of(month(2))
    assert (await AuditEntry.get(id=entry.id)).action == "test:orm"
    assert await AuditEntry.filter(at__gte=mid_month(month(1))).values_list("id", flat=True) == [entry.id]


async def test_workers_starting_together_make_each_partition_once(partitioned):
    # given entries waiting in the DEFAULT partition, and eight processes' upkeep at once
    waiting = [await seal(mid_month(month(-1), day)) for day in (1, 2, 3)]
    made = await asyncio.gather(*(audit_partitions.keep_partitions(actor=SYSTEM, months=5)
                                  for _ in range(8)))
    # then each partition was made by one of them, recorded once, with the entries moved once
    names = sorted(m.name for batch in made for m in batch)
    assert names == sorted(partitions.name_of(month(n)) for n in (-1, 4, 5))
    assert await AuditEntry.filter(action="audit:partition").count() == 3
    assert {(await placement())[e.id] for e in waiting} == {partitions.name_of(month(-1))}
    assert (await chain.verify()).ok
