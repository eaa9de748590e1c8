"""Two administrators applying the same plan at once: it is applied once (PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

from models import AdministrativeUnit, AuditEntry, Reorganization
from models.errors import DomainError
from tests.units.helpers import apply, at_clock, receive
from tests.world import at, build_world

pytestmark = pytest.mark.postgres_only
MERGE = ("old_code,new_code,effective_date,new_name\n20335,20335,2026-03-01,Phường Tam Kỳ\n"
         "20341,20335,2026-03-01,\n")


async def test_the_same_plan_applied_concurrently_is_applied_once(db, monkeypatch):
    await build_world()
    at_clock(monkeypatch, at("2026-02-10 09:00"))
    await receive("20341")
    at_clock(monkeypatch, at("2026-03-10 09:00"))

    results = await asyncio.gather(*(apply(MERGE) for _ in range(4)), return_exceptions=True)

    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert unexpected == []
    assert sum(not isinstance(r, Exception) and not r[0].already_applied for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} <= {"CONFLICT", "BAD_USER_INPUT"}
    assert await Reorganization.all().count() == 1
    assert await AdministrativeUnit.filter(code="20335", valid_to__isnull=True).count() == 1
    assert await AuditEntry.filter(action="unit:reorganize").count() == 1
