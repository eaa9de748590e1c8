"""Archiving a month (PostgreSQL): its partition is detached after the whole chain verified,
the chain's start moves past it under the audit key's seal, and verification says so; what
leaves the database any other way is still found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from audit import chain
from models import AuditChainHead, AuditEntry, partitions
from models.errors import BadInput, Conflict, NotFound
from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers import audit_partitions
from resolvers.identity import create_user, grant_role
from tests.audit.conftest import NEEDS_POSTGRES, attached, mid_month, placement, seal, sql
from tests.audit.test_trail import _sql
from tests.graphql import execute
from tests.test_cli import run_cli
from tests.world import build_world

pytestmark = NEEDS_POSTGRES

NOW = partitions.month_of(datetime.now(UTC))
VERIFY = """query($e: String) { verifyAuditTrail(expected: $e) {
  ok checked firstBadId problem checkpoint archivedThrough } }"""


def month(offset: int) -> date:
    return partitions.add_months(NOW, offset)


async def three_months() -> list[AuditEntry]:
    """Two entries in each of the last two months (in their partitions) and in this one."""
    entries = [await seal(mid_month(month(n), day)) for n in (-2, -1) for day in (3, 4)]
    await audit_partitions.keep_partitions(actor=SYSTEM)  # their partitions, entries moved in
    return entries + [await seal(mid_month(month(0), day)) for day in (3, 4)]


async def test_archiving_the_oldest_month_keeps_the_trail_verifiable(partitioned):
    # given three months of entries, and a checkpoint an inspector kept
    entries = await three_months()
    kept = (await chain.verify()).checkpoints
    oldest = partitions.name_of(month(-2))
    # when the operator archives the oldest month
    answer = run_cli(partitioned, "audit", "archive", f"{month(-2):%Y-%m}")
    assert answer.returncode == 0, answer.stderr
    assert f"detached {oldest}: 2 entries (seq 1–2)" in answer.stdout
    assert f"pg_dump -Fc -t {oldest}" in answer.stdout
    # then its partition is detached, still there and still read-only
    assert oldest not in await attached()
    assert len(await sql(f"SELECT 1 FROM {oldest}")) == 2
    for statement in (f"UPDATE {oldest} SET reason = 'x'", f"DELETE FROM {oldest}"):
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            await sql(statement)
    # and the chain verifies from the sealed end of what was archived, saying so
    result = await chain.verify(expected=kept)
    assert result.ok and result.archived_through == entries[1].seq, result
    cli = run_cli(partitioned, "audit", "verify", "--expect", ",".join(map(str, kept)))
    assert cli.returncode == 0 and "seq 1–2 archived" in cli.stdout, cli.stdout + cli.stderr
    # and the archive is an entry of the trail, by system
    archive = await AuditEntry.get(action="audit:archive")
    assert (archive.actor_kind, archive.object_id) == ("SYSTEM", oldest)
    assert archive.changes == {"attached": [True, False], "entries": [2, None],
                               "archived_through": [0, entries[1].seq]}
    # and once the table is dumped and dropped, nothing changes for verification
    await sql(f"DROP TABLE {oldest}")
    assert (await chain.verify()).ok


async def test_inspectors_see_what_was_archived(partitioned):
    entries = await three_months()
    await build_world()
    await create_user(actor=SYSTEM, username="minh", password="mat-khau-12345", display_name="Minh")
    await grant_role(actor=SYSTEM, username="minh", role="INSPECTOR", unit_code="49")
    inspector = Actor(kind=ActorKind.USER, username="minh", grants=grants_of("minh"))
    before = (await execute(VERIFY, inspector)).data["verifyAuditTrail"]
    assert before["ok"] and before["archivedThrough"] is None
    await audit_partitions.archive_month(actor=SYSTEM, month=month(-2))
    after = (await execute(VERIFY, inspector)).data["verifyAuditTrail"]
    assert after["ok"] and after["archivedThrough"] == entries[1].seq, after


async def test_a_month_sealed_across_midnight_is_archived_whole(partitioned):
    # given an entry stamped before midnight that was sealed after one stamped after it (its
    # writer waited for the chain head): seq order and month order differ at the boundary
    first = await seal(mid_month(month(-1)))
    after_midnight = await seal(mid_month(month(0), 1).replace(hour=0, second=1))
    before_midnight = await seal(mid_month(month(0), 1).replace(hour=0) - timedelta(seconds=1))
    await audit_partitions.keep_partitions(actor=SYSTEM)
    where = await placement()
    assert where[before_midnight.id] == partitions.name_of(month(-1))
    assert where[after_midnight.id] == partitions.name_of(month(0))
    last = await seal(mid_month(month(0), 2))
    # when last month is archived
    done = await audit_partitions.archive_month(actor=SYSTEM, month=month(-1))
    # then the chain starts after `first`, steps over the late entry by its sealed hash, and
    # verifies to the end
    assert (done.entries, done.archived_through) == (2, first.seq)
    head = await AuditChainHead.get(id=1)
    assert head.base_loose == {str(before_midnight.seq): before_midnight.hash}
    result = await chain.verify()
    assert result.ok and result.checked == (await AuditEntry.all().order_by("-seq").first()).seq
    assert last.seq < result.checked  # the archive's own entry follows


async def test_moving_the_archived_start_without_the_key_is_seen(partitioned):
    entries = await three_months()
    await audit_partitions.archive_month(actor=SYSTEM, month=month(-2))
    # someone removes the next month by hand and moves the start past it, without the key
    await sql(f"ALTER TABLE audit_entries DETACH PARTITION {partitions.name_of(month(-1))}")
    await AuditChainHead.filter(id=1).update(base_seq=entries[3].seq, base_hash=entries[3].hash)
    result = await chain.verify()
    assert not result.ok and "archived start was altered" in result.problem
    # or puts the start back at the beginning
    await AuditChainHead.filter(id=1).update(base_seq=0, base_hash="", base_mac="", base_loose=None)
    result = await chain.verify()
    assert not result.ok and "missing before it" in result.problem


async def test_archive_refusals_change_nothing(partitioned):
    await three_months()
    names = await attached()
    with pytest.raises(BadInput, match="before the current one"):
        await audit_partitions.archive_month(actor=SYSTEM, month=month(0))
    with pytest.raises(Conflict, match="oldest month first"):
        await audit_partitions.archive_month(actor=SYSTEM, month=month(-1))
    with pytest.raises(NotFound):
        await audit_partitions.archive_month(actor=SYSTEM, month=month(-7))
    # an altered trail is never archived
    await _sql(f"UPDATE audit_entries SET reason = 'x' WHERE at < '{mid_month(month(-1)).isoformat()}'")
    with pytest.raises(Conflict, match="does not verify"):
        await audit_partitions.archive_month(actor=SYSTEM, month=month(-2))
    assert await attached() == names
    assert await AuditEntry.filter(action="audit:archive").count() == 0
    refused = run_cli(partitioned, "audit", "archive", f"{month(-1):%Y-%m}")
    assert refused.returncode == 2 and "oldest month first" in refused.stderr


async def test_entries_of_an_archived_month_cannot_be_kept_silently(partitioned):
    await three_months()
    await audit_partitions.archive_month(actor=SYSTEM, month=month(-2))
    # an entry stamped in the archived month (a clock set back) waits in the DEFAULT partition
    late = await seal(mid_month(month(-2), 20))
    assert (await placement())[late.id] == partitions.DEFAULT
    # and making its partition is refused while the archived table is there, naming it
    with pytest.raises(Conflict, match="detached"):
        await audit_partitions.keep_partitions(actor=SYSTEM)
    assert (await chain.verify()).ok  # the entry itself is in the chain


async def test_archiving_moves_the_start_of_every_lane(partitioned):
    """Workers seal into lanes of their own (audit/lanes.py): the archived month holds entries
    of each, and each lane's start moves past its own."""
    from audit import lanes

    # given lane 1 and two workers' lanes with entries in the month to archive, one of the
    # workers having written nothing since (its lane ends in that month)
    early = [await seal(mid_month(month(-2), 3)), await seal(mid_month(month(-1), 3))]
    assert await lanes.claim("host:1", actor=SYSTEM) == 2
    for n in (-2, -2, -1, 0):
        await seal(mid_month(month(n), 5))
    assert await lanes.claim("host:2", actor=SYSTEM) == 3
    await seal(mid_month(month(-2), 6))
    chain.configure(chain._Key.value)  # this process back in lane 1
    await audit_partitions.keep_partitions(actor=SYSTEM)
    kept = (await chain.verify()).checkpoints
    assert [(c.lane, c.seq) for c in kept][1:] == [(2, 4), (3, 1)]  # lane 1: partitions' too
    # when the oldest month is archived
    done = await audit_partitions.archive_month(actor=SYSTEM, month=month(-2))
    # then each lane starts after its last archived entry, and the whole chain verifies
    heads = {h.id: h.base_seq for h in await AuditChainHead.all()}
    assert heads == {1: early[0].seq, 2: 2, 3: 1}
    assert done.archived_through == early[0].seq + 2 + 1
    assert (done.entries, done.lanes, done.first_seq, done.last_seq) == (4, 3, 1, 1)
    result = await chain.verify(expected=kept)
    assert result.ok and result.archived_through == done.archived_through, result
    assert {(e.lane, e.seq) for e in await AuditEntry.filter(lane__gt=1)} == {(2, 3), (2, 4)}
