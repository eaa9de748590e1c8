"""An inconsistent plan is refused as a whole, naming the line at fault, and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import AdministrativeUnit, AuditEntry, Dossier, Reorganization
from models.errors import BadInput
from tests.units.helpers import apply, at_clock, receive
from tests.world import at, build_world

ROOT = Path(__file__).resolve().parents[2]
MERGE = "old_code,new_code,effective_date\n20341,20335,2026-03-01\n"
BAD_PLANS = [
    ("old_code,new_code,effective_date\n20335,20335,2026-03-01\n99999,20335,2026-03-01\n",
     "line 3: unknown unit 99999 on 2026-02-28"),
    ("old_code,new_code,effective_date,new_parent_code\n502,502,2026-03-01,503\n"
     "503,503,2026-03-01,502\n", "cycle: 502 → 503 → 502"),
    ("old_code,new_code,effective_date\n20335,20335,2026-13-01\n",
     "line 2: effective_date '2026-13-01' is not a date (YYYY-MM-DD)"),
    ("old_code,new_code,effective_date,colour\n20335,20335,2026-03-01,red\n",
     "line 1: unknown column(s) colour"),
    ("old_code,new_code\n20335,20335\n", "line 1: missing column(s) effective_date"),
    ("old_code,new_code,effective_date,new_parent_code\n20335,20335,2026-03-01,20401\n",
     "line 2: 20335 (COMMUNE) cannot lie under 20401 (COMMUNE)"),
    ("old_code,new_code,effective_date\n20335,20335,2099-01-01\n",
     "line 2: effective_date 2099-01-01 is in the future"),
    ("old_code,new_code,effective_date\n20335,,2026-03-01\n20335,20341,2026-03-01\n",
     "line 3: unit 20335 is abolished on line 2 and cannot also have a successor"),
    ("old_code,new_code,effective_date,dossier_rule\n20335,20335,2026-03-01,default\n",
     "line 2: dossier_rule applies only when a unit is split"),
    ("old_code,new_code,effective_date\n49,,2026-03-01\n",
     "line 2: 49 is abolished with no parent to take over: give 502 a row with its new_parent_code"),
    ("old_code,new_code,effective_date\n490,,2026-03-01\n",
     "line 2: 490 is abolished with 1 dossiers and no parent to take them over"),
]


@pytest.fixture
async def world(db, monkeypatch):
    world = await build_world()
    at_clock(monkeypatch, at("2026-02-10 09:00"))
    await receive("20335")
    await receive("49")
    await receive("490")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    return world


async def _state() -> tuple:
    return (await AdministrativeUnit.filter(valid_to__isnull=True).count(),
            await AdministrativeUnit.all().count(), await Reorganization.all().count(),
            sorted(await Dossier.all().values_list("unit_path", flat=True)))


@pytest.mark.parametrize(("plan", "message"), BAD_PLANS)
async def test_reorganize_an_inconsistent_plan_is_refused_and_changes_nothing(world, plan, message):
    before = await _state()

    with pytest.raises(BadInput) as refused:
        await apply(plan)

    assert message in refused.value.message
    assert await _state() == before


async def test_reorganize_a_date_before_an_earlier_reorganisation_of_the_unit_is_refused(world):
    await apply(MERGE)
    before = await _state()

    with pytest.raises(BadInput) as refused:
        await apply("old_code,new_code,effective_date,new_name\n20341,20341,2026-02-15,Phường Mới\n")

    assert refused.value.message == ("line 2: unit 20341 (Phường An Xuân) was already changed on "
                                     "2026-03-01; a change effective 2026-02-15 would come before it")
    assert await _state() == before


async def test_reorganize_a_unit_that_begins_after_the_date_is_refused(world):
    await apply(MERGE)

    with pytest.raises(BadInput) as refused:
        await apply("old_code,new_code,effective_date\n20335,20335,2026-02-20\n")

    assert "already changed on 2026-03-01" in refused.value.message


async def test_reorganize_later_step_failing_undoes_the_earlier_step(world):
    before = await _state()
    plan = MERGE + "99999,20335,2026-03-05\n"

    with pytest.raises(BadInput, match="line 3: unknown unit 99999"):
        await apply(plan)

    assert await _state() == before
    assert await AuditEntry.filter(action="unit:reorganize").count() == 0


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "app.py", "units", "reorganize", *args], cwd=ROOT,
                          text=True, capture_output=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url})


async def test_cli_reorganize_bad_csv_names_the_line_and_changes_nothing(world, database_url, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(MERGE + "20401,20335,2026-03-01\n20401,,2026-13-01\n", encoding="utf-8")
    before = await _state()

    result = _cli(database_url, str(plan))

    assert result.returncode == 2
    assert "line 4: effective_date '2026-13-01' is not a date" in result.stderr
    assert "nothing was changed" in result.stderr
    assert await _state() == before
