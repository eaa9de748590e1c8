"""Entries chained after the head this process expects (audit/chain.py `seal_postgres`).

The guess saves the round trip between taking the head's lock and writing the entry; it is
checked by the statement itself, so a wrong guess (another process moved the head, a writer
before it rolled back) costs a second statement and never a broken chain.
"""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from audit import chain, record
from models import AuditChainHead, AuditEntry, Dossier, DossierEvent, held, notify
from models.errors import Conflict
from policies import SYSTEM
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.lifecycle import DossierAction as A
from tests.sqlcount import count_queries
from tests.world import build_world

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db):
    built = await build_world()
    # Another test's database left its own head behind: two entries sealed after the head as
    # locked, the second finding it where the first left it, make guessing trusted again.
    await _entry("warm")
    await _entry("warm")
    assert chain._Tip.trusted()
    return built


async def _entry(action: str) -> list[str]:
    with count_queries() as statements:
        async with in_transaction():
            await record(actor=SYSTEM, action=action, object_type="Test", object_id=action)
    return statements


async def _chain_is_whole() -> None:
    result = await chain.verify()
    assert result.ok, result
    seqs = await AuditEntry.all().order_by("seq").values_list("seq", flat=True)
    assert seqs == list(range(1, len(seqs) + 1))
    head = await AuditChainHead.get(id=1)
    assert head.last_seq == seqs[-1]


async def test_a_right_guess_seals_with_the_lock(world):
    assert len(await _entry("second")) == 1
    await _chain_is_whole()


async def test_a_wrong_guess_falls_back_and_the_chain_stays_whole(world):
    chain._Tip.at = (chain._Tip.at[0] + 5, "f" * 64)  # as if another process wrote since
    statements = await _entry("second")
    assert len(statements) == 2, statements  # the speculative one inserted nothing
    head = await AuditChainHead.get(id=1)
    assert chain._Tip.at == (head.last_seq, head.last_hash)
    assert not chain._Tip.trusted()  # another process writes: no more guesses for now
    # sealed after the head as locked, which is found where this process left it twice in a
    # row (once before the first wrong guess; twice as many after each further one)
    assert [len(await _entry(name)) for name in ("third", "fourth")] == [2, 2]
    assert chain._Tip.trusted()
    assert len(await _entry("fifth")) == 1  # guessing again
    chain._Tip.at = (chain._Tip.at[0] + 1, "e" * 64)  # wrong again: four clean locks now
    assert [len(await _entry(str(i))) for i in range(5)] == [2, 2, 2, 2, 2]
    assert len(await _entry("after")) == 1
    await _chain_is_whole()


async def test_another_process_moving_the_head_is_not_overwritten(world):
    await _entry("first")
    guess = chain._Tip.at
    await _entry("elsewhere")  # as another process would: this one's guess is one behind
    chain._Tip.at = guess
    assert len(await _entry("second")) == 2
    await _chain_is_whole()
    actions = await AuditEntry.all().order_by("seq").values_list("action", flat=True)
    assert actions[-3:] == ["first", "elsewhere", "second"]


async def _own(action: str) -> list[str]:
    """An entry of its own (a read's), through the group commit."""
    with count_queries() as statements:
        await record(actor=SYSTEM, action=action, object_type="Test", object_id=action)
    return statements


async def test_entries_of_their_own_are_one_statement_and_survive_a_wrong_guess(world):
    # a right guess: the entry is one statement committed by itself
    assert len(await _own("read")) == 1
    # another process sealed since: the statement aborts whole, and the entry is sealed after
    # the head as locked, in a transaction of its own
    chain._Tip.at = (chain._Tip.at[0] + 3, "d" * 64)
    assert len(await _own("read after another")) == 3  # aborted, lock, seal
    await _chain_is_whole()
    actions = await AuditEntry.all().order_by("seq").values_list("action", flat=True)
    assert actions[-2:] == ["read", "read after another"]


async def _stale_change(dossier_id: int) -> None:
    async with held.transaction():
        await held.update(Dossier, {"id": dossier_id, "version": 99}, {"version": 100},
                          guard=Conflict("stale"))
        await record(actor=SYSTEM, action="stale", object_type="Dossier", object_id="x")


async def test_a_failed_guard_rewinds_the_guess(world):
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Võ Thị Hạnh")))
    before = chain._Tip.at
    with pytest.raises(Conflict):
        await _stale_change(dossier.id)
    assert chain._Tip.at == before
    assert not await AuditEntry.filter(action="stale").exists()
    assert len(await _entry("after")) == 1
    await _chain_is_whole()


async def test_concurrent_writers_queue_on_guesses_and_keep_the_chain(world):
    async def write(i: int) -> None:
        await receive_dossier(actor=SYSTEM, reception=Reception(
            procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
            applicant=Applicant(name=f"Người {i}")))

    await write(0)
    with count_queries() as statements:
        await asyncio.gather(*(write(i) for i in range(1, 31)))
    await _chain_is_whole()
    sealing = [s for s in statements if "audit_chain_head" in s]
    # each writer chained after the one before it in this process: nearly all seal at once
    # (one statement each; a wrong guess adds a second)
    assert 30 <= len(sealing) < 36, len(sealing)


# A transition's write is one statement committed by itself (held.transaction(alone=True)):
# a wrong guess or a refused compare-and-set must leave nothing of it behind.

async def _received(world) -> Dossier:  # noqa: ANN001
    return await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Võ Thị Hạnh")))


async def _trace(code: str) -> tuple[int, int, int]:
    dossier = await Dossier.get(code=code)
    events = await DossierEvent.filter(dossier_id=dossier.id).count()
    entries = await AuditEntry.filter(object_id=code).count()
    return dossier.version, events, entries


async def test_a_transition_after_a_wrong_guess_lands_once(world):
    dossier = await _received(world)
    version, events, entries = await _trace(dossier.code)
    chain._Tip.at = (chain._Tip.at[0] + 3, "0" * 64)  # another process wrote meanwhile
    inbox = notify.hub.open({"dossier"})
    try:
        with count_queries() as statements:
            moved = await transition_dossier(actor=SYSTEM, code=dossier.code,
                                             action=A.START_PROCESSING)
        # the statement that guessed aborted whole; the transaction sent it again and sealed
        assert [s.split(" ")[0] for s in statements][-3:] == ["WITH", "WITH", "WITH"], statements
        assert await _trace(dossier.code) == (version + 1, events + 1, entries + 1)
        assert moved.version == version + 1
        assert inbox.queue.qsize() == 1  # announced once, after the commit
    finally:
        notify.hub.close(inbox)
    await _chain_is_whole()
    head = await AuditChainHead.get(id=1)
    assert chain._Tip.at == (head.last_seq, head.last_hash)


async def test_a_refused_transition_leaves_nothing_and_announces_nothing(world, monkeypatch):
    dossier = await _received(world)
    before = await _trace(dossier.code)
    stale = await Dossier.get(id=dossier.id)
    await transition_dossier(actor=SYSTEM, code=dossier.code, action=A.START_PROCESSING)
    # A writer that read the dossier before that change: its compare-and-set finds nothing.
    from resolvers.dossiers import transitions

    async def read_stale(actor, code):  # noqa: ANN001, ANN202
        return stale, (await transitions.lookups.dossier_with_procedure(code))[1]

    monkeypatch.setattr(transitions, "load_with_procedure", read_stale)
    tip = chain._Tip.at
    inbox = notify.hub.open({"dossier"})
    try:
        with pytest.raises(Conflict):
            await transition_dossier(actor=SYSTEM, code=dossier.code, action=A.WITHDRAW,
                                     note="Người nộp rút hồ sơ")
        assert inbox.queue.qsize() == 0
    finally:
        notify.hub.close(inbox)
    assert await _trace(dossier.code) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert chain._Tip.at == tip
    await _chain_is_whole()


async def test_a_long_quiet_run_forgives_the_wrong_guesses(world, monkeypatch):
    # Another writer now and then (the bench's baseline between motcua's runs, a nightly job)
    # must not leave a worker that never guesses again.
    monkeypatch.setattr(chain, "FORGIVEN_AFTER", 3)
    chain._Tip.at = (chain._Tip.at[0] + 1, "d" * 64)
    await _entry("interrupted")
    assert chain._Tip.needed == 2 and not chain._Tip.trusted()
    chain._Tip.needed = 16  # as after four such interruptions
    assert [len(await _entry(str(i))) for i in range(3)] == [2, 2, 2]
    assert chain._Tip.needed == 1 and chain._Tip.trusted()
    assert len(await _entry("guessing")) == 1
    await _chain_is_whole()


async def test_a_transition_waits_for_a_counter_row_before_it_takes_the_head(world):
    # A transaction that changes a counter row and seals at its end (a reception, a
    # reorganisation) locks the row, then the head. A transition's one statement must take
    # them in the same order: were its held writes run after its head lock (PostgreSQL runs
    # a data-modifying CTE nobody reads at the very end), the two would deadlock, and after
    # a second one of them would fail.
    from collections import Counter

    from resolvers import clock
    from resolvers.metrics import rollups

    dossier = await _received(world)
    await transition_dossier(actor=SYSTEM, code=dossier.code, action=A.START_PROCESSING)
    row = await Dossier.get(id=dossier.id)
    today = clock.local_date(clock.now())
    holding, go_on = asyncio.Event(), asyncio.Event()

    async def counting_then_sealing() -> None:
        async with in_transaction():
            await rollups.apply(units=[(row.unit_id, row.unit_path)],
                                procedure_id=row.procedure_id,
                                changes={today: Counter(results_electronic=1)})
            holding.set()
            await go_on.wait()
            await record(actor=SYSTEM, action="test:count", object_type="Test", object_id="x")

    other = asyncio.create_task(counting_then_sealing())
    await holding.wait()
    finishing = asyncio.create_task(
        transition_dossier(actor=SYSTEM, code=dossier.code, action=A.FINISH))
    await asyncio.sleep(0.3)  # the transition's statement is waiting for the counter row
    go_on.set()
    await asyncio.wait_for(asyncio.gather(other, finishing), timeout=10)
    assert (await Dossier.get(id=dossier.id)).status == "FINISHED"
    assert await AuditEntry.filter(action="test:count").count() == 1
    await _chain_is_whole()
