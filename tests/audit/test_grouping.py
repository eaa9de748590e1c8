"""Group commit of entries of their own (PostgreSQL): concurrent reads share a transaction,
the chain stays whole and verifiable, and each caller returns only once its entry is in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from audit import chain
from models import AuditEntry
from models.audit import AuditOutcome
from tests.sqlcount import count_queries

pytestmark = pytest.mark.postgres_only


def _entry(i: int) -> dict:
    return dict(at=datetime.now(UTC), actor_kind="USER", actor_username=f"u{i}",
                actor_roles="INSPECTOR@49", action="query:dossiers", object_type=None,
                object_id=None, unit_path="/49/", outcome=AuditOutcome.ALLOWED, reason=None,
                operation_name="Test", request_id=None, client_address=None, changes=None)


async def _one(i: int) -> int:
    await chain.append(_entry(i))
    # when append returns, the entry is committed and visible to anyone
    return await AuditEntry.filter(actor_username=f"u{i}").count()


async def test_concurrent_entries_share_transactions_and_keep_the_chain(db):
    before = await AuditEntry.all().count()
    with count_queries() as statements:
        seen = await asyncio.gather(*(_one(i) for i in range(30)))
    assert seen == [1] * 30
    locks = [s for s in statements if "FROM audit_chain_head WHERE id = 1 FOR UPDATE" in s]
    assert len(locks) < 30, len(locks)  # fewer transactions than entries
    seqs = [e.seq for e in await AuditEntry.all().order_by("seq")]
    assert len(seqs) == before + 30 and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert (await chain.verify()).ok


async def test_a_tampered_entry_of_a_batch_is_found(db):
    await asyncio.gather(*(chain.append(_entry(i)) for i in range(10)))
    victim = await AuditEntry.filter(actor_username="u5").first()
    assert victim is not None
    # altered past the trigger (as a superuser could)
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL session_replication_role = replica")
        await conn.execute_query("UPDATE audit_entries SET action = 'query:tampered' WHERE id = $1",
                                 [victim.id])
    verification = await chain.verify()
    assert not verification.ok and verification.first_bad_id == victim.id
