"""Lanes of the audit chain (audit/chain.py): each serving process seals into a head of its
own, and verification walks every lane, catching what it caught in one chain.

Two processes are played here by one: `lanes.claim` with another holder's name switches the
lane this process seals into, as the other process would have."""

from __future__ import annotations

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from audit import chain, lanes, record
from models import AuditChainHead, AuditEntry
from policies import SYSTEM

pytestmark = pytest.mark.postgres_only


async def _entries(action: str, count: int) -> None:
    for n in range(count):
        await record(actor=SYSTEM, action=action, object_type="Test", object_id=f"{action}-{n}")
        async with in_transaction():  # a write's entry (sealed in its transaction) too
            await record(actor=SYSTEM, action=action, object_type="Test", object_id=f"{action}+{n}")


async def _sql(statement: str, *params: object) -> list[dict]:
    return await connections.get("default").execute_query_dict(statement, list(params))


async def _tamper(statement: str) -> None:
    """Change entries as a superuser can, past the trigger that keeps them unchanged."""
    await connections.get("default").execute_script(
        "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_immutable; "
        f"{statement}; ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_immutable")


@pytest.fixture
async def three_lanes(db):
    """Lane 1 written by a console command, lanes 2 and 3 by two serving processes."""
    await _entries("console", 2)
    assert await lanes.claim("host:101", actor=SYSTEM) == 2
    await _entries("worker-a", 3)
    assert await lanes.claim("host:202", actor=SYSTEM) == 3
    await _entries("worker-b", 2)
    yield
    chain.configure(chain._Key.value)  # back to lane 1 for whatever runs next


async def test_each_process_chains_its_entries_in_a_lane_of_its_own(three_lanes):
    by_lane: dict[int, list[int]] = {}
    for lane, seq in await AuditEntry.all().order_by("id").values_list("lane", "seq"):
        by_lane.setdefault(lane, []).append(seq)
    # lane 1: the console's four, and one entry for each lane opened
    assert by_lane == {1: [1, 2, 3, 4, 5, 6], 2: [1, 2, 3, 4, 5, 6], 3: [1, 2, 3, 4]}
    opened = await AuditEntry.filter(action=chain.LANE_OPENED).order_by("id")
    assert [(e.lane, e.object_id, e.actor_kind) for e in opened] == [(1, "2", "SYSTEM"),
                                                                      (1, "3", "SYSTEM")]
    heads = {h.id: h for h in await AuditChainHead.all()}
    assert (heads[2].holder, heads[3].holder) == ("host:101", "host:202")
    assert heads[1].holder is None and heads[3].held_until > heads[2].held_until
    result = await chain.verify()
    assert result.ok and result.checked == 16, result
    assert [(c.lane, c.seq) for c in result.checkpoints] == [(1, 6), (2, 6), (3, 4)]
    assert result.checkpoint is not None and result.checkpoint.count(",") == 2
    assert chain.Checkpoint.parse_all(result.checkpoint) == result.checkpoints


async def test_a_lane_is_claimed_again_once_its_holder_is_gone(three_lanes):
    # given lane 2's holder stopped sealing long ago, and lane 3's is alive
    await _sql("UPDATE audit_chain_head SET held_until = now() - interval '1 minute' WHERE id = 2")
    # then a process that starts takes lane 2 over, and one more opens lane 4
    assert await lanes.claim("host:303", actor=SYSTEM) == 2
    await _entries("worker-c", 1)
    assert await lanes.claim("host:404", actor=SYSTEM) == 4
    # a lane taken over is not opened again: only the new one is recorded
    opened = await AuditEntry.filter(action=chain.LANE_OPENED).values_list("object_id", flat=True)
    assert sorted(opened) == ["2", "3", "4"]
    # and the lane it took over goes on from where the last holder left it
    seqs = await AuditEntry.filter(lane=2).order_by("id").values_list("seq", flat=True)
    assert seqs == list(range(1, 9))
    assert (await chain.verify()).ok


async def test_a_checkpoint_catches_each_lane_cut_short(three_lanes):
    kept = (await chain.verify()).checkpoint
    assert kept is not None
    # when lane 2's last entry is removed and its head put back one entry earlier (an old
    # backup of the head row)
    last = await AuditEntry.filter(lane=2).order_by("-seq").first()
    before = await AuditEntry.get(lane=2, seq=last.seq - 1)
    await _tamper(f"DELETE FROM audit_entries WHERE id = {last.id}")
    await AuditChainHead.filter(id=2).update(
        last_seq=before.seq, last_hash=before.hash,
        head_mac=chain.head_mac(before.seq, before.hash, 2))
    assert (await chain.verify()).ok  # nothing in the database shows it
    result = await chain.verify(expected=chain.Checkpoint.parse_all(kept))
    assert not result.ok and "lane 2 ends at seq 5, before checkpoint 2/6" in result.problem


async def test_the_last_lane_removed_whole_shows(three_lanes):
    kept = (await chain.verify()).checkpoint
    # when the last lane's entries and its head are removed (what an old backup would lack)
    await _tamper("DELETE FROM audit_entries WHERE lane = 3")
    await AuditChainHead.filter(id=3).delete()
    # then lane 1's sealed entry that opened it names what went
    opening = await AuditEntry.get(action=chain.LANE_OPENED, object_id="3")
    result = await chain.verify()
    assert not result.ok and f"lane 3, opened by entry {opening.id}, is gone" in result.problem
    # and so does a checkpoint kept before
    result = await chain.verify(expected=chain.Checkpoint.parse_all(kept))
    assert not result.ok and "lane 3, which is gone" in result.problem


async def test_a_lane_in_the_middle_removed_shows_without_a_checkpoint(three_lanes):
    await _tamper("DELETE FROM audit_entries WHERE lane = 2")
    await AuditChainHead.filter(id=2).delete()
    result = await chain.verify()
    assert not result.ok and "head of lane 2 was removed" in result.problem


@pytest.mark.parametrize("tamper", ["moved", "altered", "reordered", "head"])
async def test_tampering_in_a_lane_is_named(three_lanes, tamper):
    third = await AuditEntry.get(lane=2, seq=3)
    if tamper == "moved":  # into another lane, renumbered to fit there
        await _tamper(f"UPDATE audit_entries SET lane = 3, seq = 5 WHERE id = {third.id}")
    elif tamper == "altered":
        await _tamper(f"UPDATE audit_entries SET reason = 'nothing' WHERE id = {third.id}")
    elif tamper == "reordered":
        await _tamper(f"UPDATE audit_entries SET seq = 4 WHERE id = {third.id}")
    else:  # the head moved back without the key
        await AuditChainHead.filter(id=2).update(last_seq=2)
    result = await chain.verify()
    assert not result.ok, result
    if tamper == "head":
        assert "head of lane 2 was altered" in result.problem
    else:
        assert result.first_bad_id is not None and result.first_bad_id <= third.id + 1


async def test_an_entry_sealed_in_lane_1_verifies_as_before_lanes(db):
    """Lane 1's entries and head are sealed as before lanes: a trail written before the
    upgrade verifies, and a checkpoint kept then is still read."""
    await _entries("before", 2)
    entry = await AuditEntry.get(seq=4)
    fields = {name: getattr(entry, name) for name in (*chain.CHAINED, "occurrences")}
    assert chain.digest(fields) == entry.hash == chain.digest({**fields, "lane": 1})
    assert chain.digest({**fields, "lane": 2}) != entry.hash
    result = await chain.verify(expected=(chain.Checkpoint.parse(f"4:{entry.hash}"),))
    assert result.ok and result.checkpoint == f"4:{entry.hash}"


@pytest.mark.parametrize("text", ["2/", "0/4:" + "a" * 64, "x/4:" + "a" * 64,
                                  "4:" + "a" * 64 + ",", "2/4:" + "A" * 64])
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(ValueError, match="checkpoint looks like"):
        chain.Checkpoint.parse_all(text)


async def test_an_idle_process_keeps_its_lane_and_one_taken_over_is_left(three_lanes):
    # given this process holds lane 3 and has sealed nothing for a while
    await _sql("UPDATE audit_chain_head SET held_until = now() + interval '1 second' WHERE id = 3")
    # when it renews, its claim runs for the whole lease again
    assert await lanes.renew("host:202", actor=SYSTEM) == 3
    left = await _sql("SELECT held_until - now() AS left FROM audit_chain_head WHERE id = 3")
    assert left[0]["left"].total_seconds() > chain.LEASE_SECONDS - 60
    # and when another process took the lane over meanwhile, it claims another one
    await _sql("UPDATE audit_chain_head SET holder = 'elsewhere:9' WHERE id = 3")
    assert await lanes.renew("host:202", actor=SYSTEM) == 4
    await _entries("after", 1)
    assert await AuditEntry.filter(lane=4).count() == 2
    assert (await chain.verify()).ok


async def test_a_process_that_stops_gives_its_lane_back(db):
    async with lanes.owned(actor=SYSTEM, period=3600) as lane:
        assert lane == 2 and chain.lane() == 2
        await _entries("serving", 1)
    # then the lane is free at once, and this process writes no more there
    assert chain.lane() == 1
    rows = await _sql("SELECT held_until FROM audit_chain_head WHERE id = 2")
    assert rows[0]["held_until"] is None
    assert await lanes.claim("host:next", actor=SYSTEM) == 2  # a restart takes it over, no new lane
    assert await AuditEntry.filter(lane=2).count() == 2
    assert (await chain.verify()).ok
