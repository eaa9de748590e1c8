"""Verification while others write: entries sealed after the walk began are not a tampering."""

from __future__ import annotations

from audit import chain, record
from models import AuditChainHead
from policies import SYSTEM


async def test_verify_accepts_entries_sealed_after_it_read_the_head(db, monkeypatch):
    for n in range(3):
        await record(actor=SYSTEM, action="test:before", object_id=str(n))
    head_when_verify_started = await AuditChainHead.get(id=1)
    # two requests are recorded while verification walks the chain (the console asks for the
    # chain's state and its first page at once)
    for n in range(2):
        await record(actor=SYSTEM, action="test:during", object_id=str(n))

    async def stale_head(**_):
        return head_when_verify_started

    monkeypatch.setattr(AuditChainHead, "get_or_none", stale_head)
    result = await chain.verify()
    assert (result.ok, result.checked, result.problem) == (True, 5, None)


async def test_verify_still_names_entries_cut_from_the_end(db):
    for n in range(3):
        await record(actor=SYSTEM, action="test:before", object_id=str(n))
    head = await AuditChainHead.get(id=1)
    head.last_seq += 2  # the head says two more entries were sealed than the table holds
    await head.save()
    result = await chain.verify()
    assert (result.ok, result.problem) == (False, "the last 2 entries were removed")
