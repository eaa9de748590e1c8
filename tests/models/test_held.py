"""Writes held for the statement that must answer (models/held.py), on either database.

On PostgreSQL the held writes reach the server inside the audit head's lock statement (or one
statement before the commit); on SQLite they run at once. Either way the outcome is the same:
what a failed guard carried is rolled back, and nothing held is lost at the commit.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from audit import record
from models import AuditEntry, Dossier, DossierEvent, dialect, held
from models.dossiers import DossierStatus
from models.errors import Conflict
from policies import SYSTEM
from resolvers.dossiers import Applicant, Reception, receive_dossier
from tests.sqlcount import count_queries
from tests.world import build_world


@pytest.fixture
async def dossier(db):
    await build_world()
    received = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Võ Thị Hạnh")))
    return await Dossier.get(code=received.code)


async def _change(dossier: Dossier, version: int, *, note: str) -> None:
    """A change as a transition makes it: guarded update, event, audit entry (the carrier)."""
    async with held.transaction():
        await held.update(Dossier, {"id": dossier.id, "version": version},
                          {"applicant_name": "Võ Thị Hạnh (đổi)"}, increment=("version",),
                          guard=Conflict("stale"))
        await held.insert(DossierEvent, dossier_id=dossier.id, at=dossier.received_at,
                          action="NOTE", from_status=dossier.status, to_status=dossier.status,
                          actor_username="system", note=note)
        await record(actor=SYSTEM, action="dossier:note", object_type="Dossier",
                     object_id=dossier.code, unit_path=dossier.unit_path)


async def test_a_change_lands_whole(dossier):
    entries = await AuditEntry.all().count()
    await _change(dossier, dossier.version, note="một")
    row = await Dossier.get(id=dossier.id)
    assert (row.version, row.applicant_name) == (dossier.version + 1, "Võ Thị Hạnh (đổi)")
    event = await DossierEvent.filter(dossier_id=dossier.id, action="NOTE").get()
    # each value stored as the ORM stores it: the enum member and the instant come back equal
    assert (event.note, event.to_status, event.at) == ("một", dossier.status, dossier.received_at)
    assert await AuditEntry.all().count() == entries + 1


@pytest.mark.parametrize("inside", [True, False])
async def test_an_update_stores_each_value_as_the_orm_does(dossier, inside):
    # inside a block (PostgreSQL): the statement built once per shape; outside: the ORM's
    at = datetime(2026, 3, 2, 23, 59, 59, tzinfo=timezone(timedelta(hours=7)))
    values = {"status": DossierStatus.FINISHED, "finished_at": at, "paid_online": True,
              "extension_reason": None}
    if inside:
        async with held.transaction(alone=True):
            await held.update(Dossier, {"id": dossier.id, "version": dossier.version}, values,
                              increment=("version", "supplement_count"), guard=Conflict("stale"))
            await record(actor=SYSTEM, action="dossier:note", object_type="Dossier",
                         object_id=dossier.code, unit_path=dossier.unit_path)
    else:
        await held.update(Dossier, {"id": dossier.id, "version": dossier.version}, values,
                          increment=("version", "supplement_count"), guard=Conflict("stale"))
    row = await Dossier.get(id=dossier.id)
    assert {name: getattr(row, name) for name in values} == values
    assert (row.version, row.supplement_count) == (dossier.version + 1,
                                                   dossier.supplement_count + 1)
    with pytest.raises(Conflict):  # the version it read is gone: nothing changes
        await held.update(Dossier, {"id": dossier.id, "version": dossier.version},
                          {"paid_online": False}, guard=Conflict("stale"))
    assert (await Dossier.get(id=dossier.id)).paid_online is True


async def test_a_failed_guard_rolls_back_everything_carried(dossier):
    entries = await AuditEntry.all().count()
    with pytest.raises(Conflict):
        await _change(dossier, dossier.version + 7, note="cũ")  # a version nobody holds
    row = await Dossier.get(id=dossier.id)
    assert (row.version, row.applicant_name) == (dossier.version, dossier.applicant_name)
    assert not await DossierEvent.filter(dossier_id=dossier.id, action="NOTE").exists()
    assert await AuditEntry.all().count() == entries


@pytest.mark.postgres_only
async def test_held_writes_ride_on_the_head_lock(dossier):
    await _change(dossier, dossier.version, note="một")  # the process learns the chain's end
    with count_queries() as statements:
        await _change(dossier, dossier.version + 1, note="hai")
    # the head's lock carrying the update and the event, and sealing the entry (audit/chain.py
    # chains it after the head this process expects): one statement, not four
    assert len(statements) == 1, statements
    assert statements[0].startswith("WITH held0 AS (UPDATE"), statements
    assert "held1 AS (INSERT INTO \"dossier_events\"" in statements[0]


@pytest.mark.parametrize("alone", [False, True])
async def test_what_nothing_carried_is_sent_before_the_commit(dossier, alone):
    async with held.transaction(alone=alone):
        await held.insert(DossierEvent, dossier_id=dossier.id, at=dossier.received_at,
                          action="NOTE", from_status=None, to_status=dossier.status,
                          actor_username="system", note=None)
    assert await DossierEvent.filter(dossier_id=dossier.id, action="NOTE").count() == 1


@pytest.mark.parametrize("alone", [False, True])
async def test_an_unanswered_guard_at_the_end_still_refuses(dossier, alone):
    # alone: the one statement sent at the end commits by itself, so it must abort whole
    with pytest.raises(Conflict):
        async with held.transaction(alone=alone):
            await held.update(Dossier, {"id": dossier.id, "version": 99}, {"version": 100},
                              guard=Conflict("stale"))
            await held.insert(DossierEvent, dossier_id=dossier.id, at=dossier.received_at,
                              action="NOTE", from_status=None, to_status=dossier.status,
                              actor_username="system", note=None)
    assert not await DossierEvent.filter(dossier_id=dossier.id, action="NOTE").exists()


async def test_an_error_inside_the_block_sends_nothing_held(dossier):
    with pytest.raises(RuntimeError):
        async with held.transaction():
            await held.insert(DossierEvent, dossier_id=dossier.id, at=dossier.received_at,
                              action="NOTE", from_status=None, to_status=dossier.status,
                              actor_username="system", note=None)
            raise RuntimeError("the use case failed")
    assert not await DossierEvent.filter(dossier_id=dossier.id, action="NOTE").exists()


async def test_another_transaction_neither_holds_nor_carries_the_blocks_writes(dossier):
    # A task started inside the block copies its context: its own transaction must send its
    # writes itself, and must not carry (and so commit or lose) the block's.
    async def elsewhere() -> None:
        async with in_transaction():
            assert held.take(connections.get("default")).writes == []
            await held.insert(DossierEvent, dossier_id=dossier.id, at=dossier.received_at,
                              action="OTHER", from_status=None, to_status=dossier.status,
                              actor_username="system", note=None)

    async with held.transaction() as conn:
        await held.insert(DossierEvent, dossier_id=dossier.id, at=dossier.received_at,
                          action="NOTE", from_status=None, to_status=dossier.status,
                          actor_username="system", note=None)
        await asyncio.create_task(elsewhere())
        if dialect.is_postgres(conn):
            assert len(held._mine(conn).writes) == 1  # still the block's own
    assert await DossierEvent.filter(dossier_id=dossier.id, action="OTHER").count() == 1
    assert await DossierEvent.filter(dossier_id=dossier.id, action="NOTE").count() == 1


def test_marks_move_after_what_is_carried_before():
    assert held.renumber("a = $1 AND b = $12 OR c = $2", 3) == "a = $4 AND b = $15 OR c = $5"


async def test_outside_a_block_a_guard_is_checked_at_once(dossier):
    mark = dialect.mark(connections.get("default"), 1)
    with pytest.raises(Conflict):
        await held.execute(f"UPDATE dossiers SET version = version WHERE id = {mark}", [-1],
                           guard=Conflict("none"))
    await held.execute(f"UPDATE dossiers SET version = version WHERE id = {mark}", [dossier.id],
                       guard=Conflict("none"))
