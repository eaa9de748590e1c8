"""The 1 July 2025 reorganisation of the demo provinces, applied from its CSV by the command
line: the real current codes, the old tree kept as history, and a second run changing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from demo.seed import PLAN, load_demo
from models import AdministrativeUnit, AuditEntry, Dossier, Reorganization
from policies import SYSTEM
from resolvers import lookups
from resolvers.metrics import service
from resolvers.units import predecessors

ROOT = Path(__file__).resolve().parents[2]
BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "app.py", "units", "reorganize", *args], cwd=ROOT,
                          text=True, capture_output=True, timeout=300,
                          env={**os.environ, "DATABASE_URL": database_url})


async def _state() -> tuple:
    return (await AdministrativeUnit.all().count(), await Reorganization.all().count(),
            await AuditEntry.all().count(),
            sorted(await Dossier.all().values_list("unit_path", "unit_history")))


@pytest.fixture
async def old_tree(db):
    """The demo as a province that has not yet applied the change: every dossier on the old tree."""
    await load_demo(dossiers=300, reorganize_units=False)


async def test_cli_applies_the_2025_plan_once_and_a_second_run_changes_nothing(old_tree, database_url):
    first = _cli(database_url, str(PLAN), "--carry-grants")
    assert first.returncode == 0, first.stderr
    assert "Reorganisation effective 2025-07-01" in first.stdout
    after_first = await _state()

    second = _cli(database_url, str(PLAN), "--carry-grants")

    assert second.returncode == 0, second.stderr
    assert "already applied" in second.stdout
    assert await _state() == after_first
    entries = await AuditEntry.filter(action="unit:reorganize")
    assert len(entries) == 1 and entries[0].changes["effective_date"] == [None, "2025-07-01"]


async def test_cli_dry_run_prints_the_plan_and_changes_nothing(old_tree, database_url):
    before = await _state()

    result = _cli(database_url, str(PLAN), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "+ 20341 Phường Tam Kỳ (WARD) under 48" in result.stdout
    assert "÷ 32017 Phường 6 split into 32025, 32041" in result.stdout
    assert "dry run: nothing was changed" in result.stdout
    assert (await _state())[:2] == before[:2] and (await _state())[3] == before[3]


async def test_the_2025_tree_has_the_real_codes_and_keeps_the_old_one(db):
    await load_demo(dossiers=200)

    tam_ky = await lookups.unit_by_code("20341")
    an_my = await lookups.unit_by_code("20341", BEFORE)
    assert (tam_ky.name, tam_ky.path, tam_ky.valid_from) == ("Phường Tam Kỳ", "/48/20341/", AFTER)
    assert (an_my.name, an_my.path, an_my.valid_to) == ("Phường An Mỹ", "/49/502/20341/", AFTER)
    assert {u.name for u in (await predecessors([tam_ky.id]))[0]} == {
        "Phường An Mỹ", "Phường An Xuân", "Phường Trường Xuân"}
    da_nang = await lookups.unit_by_code("48")
    assert {u.name for u in (await predecessors([da_nang.id]))[0]} >= {
        "Tỉnh Quảng Nam", "Thành phố Đà Nẵng"}
    assert await lookups.unit_by_code("49") is None and await lookups.unit_by_code("502") is None
    hoang_sa = await lookups.unit_by_code("20333")
    assert (hoang_sa.kind, hoang_sa.level) == ("SPECIAL_ZONE", "COMMUNE")
    # The resolutions do not say which hamlets of a split commune went where: those dossiers
    # wait at the province for an administrator.
    waiting = await Dossier.filter(awaiting_assignment=True)
    assert waiting and {d.unit_path for d in waiting} == {"/96/"}


async def test_a_merged_communes_metrics_before_after_and_across_the_change(db):
    await load_demo(dossiers=400)
    first, last = date(2025, 1, 1), date(2025, 12, 31)

    before = await service.compute(actor=SYSTEM, unit_code="20341", first=first, last=BEFORE)
    after = await service.compute(actor=SYSTEM, unit_code="20341", first=AFTER, last=last)
    spanning = await service.compute(actor=SYSTEM, unit_code="20341", first=first, last=last)

    assert before.unit.name == "Phường An Mỹ" and after.unit.name == "Phường Tam Kỳ"
    # the year on the new tree: Tam Kỳ's own half-year plus what its three predecessors did
    merged = []
    for code in ("20341", "20347", "20353"):
        old = await service.compute(actor=SYSTEM, unit_code=code, first=first, last=BEFORE)
        merged.append(old.totals.received)
    assert spanning.totals.received == after.totals.received + sum(merged)
    assert before.totals.received == merged[0]
