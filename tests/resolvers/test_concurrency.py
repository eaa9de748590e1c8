"""Concurrent writers: one transition wins, codes stay unique, retries create one dossier.

Meaningful on PostgreSQL (a pool of real connections racing); on SQLite tortoise runs
one connection per process, so these pass trivially there and are marked postgres_only.
"""

from __future__ import annotations

import asyncio

import pytest

from models import Dossier, DossierEvent
from models.errors import DomainError
from policies import SYSTEM
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier, transitions
from resolvers.lifecycle import DossierAction as A
from tests.world import build_world

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db):
    return await build_world()


def reception(key: str | None = None, name: str = "Võ Thị Hạnh") -> Reception:
    return Reception(procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
                     applicant=Applicant(name=name), idempotency_key=key)


async def outcomes(coroutines) -> tuple[list, list[str]]:
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert unexpected == []
    wins = [r for r in results if not isinstance(r, Exception)]
    return wins, [r.code for r in results if isinstance(r, DomainError)]


async def test_concurrent_transitions_of_one_dossier_exactly_one_wins(world, monkeypatch):
    dossier = await receive_dossier(actor=SYSTEM, reception=reception())
    # Every writer reads the dossier before any of them writes: the race is certain, not left
    # to timing (a transition that reads nothing else between its read and its write leaves
    # too short a window to show a conflict every time).
    writers = 20
    all_read = asyncio.Barrier(writers)
    load = transitions.load_with_procedure

    async def load_then_wait(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        row = await load(*args, **kwargs)
        await all_read.wait()
        return row

    monkeypatch.setattr(transitions, "load_with_procedure", load_then_wait)
    wins, refusals = await outcomes(
        transition_dossier(actor=SYSTEM, code=dossier.code, action=action, note="Lý do")
        for action in [A.START_PROCESSING, A.WITHDRAW, A.STOP, A.REQUEST_SUPPLEMENT] * 5
    )
    assert len(wins) == 1
    # All read version 1 in RECEIVED, where each action is allowed: the compare-and-set
    # refuses the other 19.
    assert refusals == ["CONFLICT"] * 19
    row = await Dossier.get(id=dossier.id)
    assert row.version == 2 and row.status == wins[0].status
    assert await DossierEvent.filter(dossier_id=dossier.id).count() == 2


async def test_concurrent_receptions_get_unique_consecutive_codes(world):
    wins, refusals = await outcomes(
        receive_dossier(actor=SYSTEM, reception=reception(name=f"Người nộp {i}")) for i in range(30)
    )
    assert refusals == []
    sequences = sorted(int(d.code.rsplit("-", 1)[1]) for d in wins)
    assert sequences == list(range(1, 31))


async def test_concurrent_retries_with_one_key_create_one_dossier(world):
    wins, refusals = await outcomes(
        receive_dossier(actor=SYSTEM, reception=reception(key="same")) for _ in range(10)
    )
    assert refusals == []
    assert {d.code for d in wins} == {wins[0].code}
    assert await Dossier.all().count() == 1


async def test_concurrent_grants_each_move_the_policy_revision(world):
    """Other processes reload the policy when its revision moves: every change must move it."""
    from models import PolicyRevision
    from resolvers.identity import create_user, grant_role

    names = [f"can.bo{i:02d}" for i in range(12)]
    for name in names:
        await create_user(actor=SYSTEM, username=name, password="mat-khau-12345", display_name=name)
    before = (await PolicyRevision.get(id=1)).revision
    wins, refusals = await outcomes(
        grant_role(actor=SYSTEM, username=name, role="CLERK", unit_code="20335") for name in names)
    assert refusals == [] and len(wins) == 12
    assert (await PolicyRevision.get(id=1)).revision == before + 12
