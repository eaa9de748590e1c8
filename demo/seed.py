"""Demo data: the reference catalogue (units, agencies, procedures) and synthetic dossiers.

The units are loaded as a province has them today: the tree as it stood before 1 July 2025
(history), then the 2025 reorganisation applied through the same audited operation an
administrator uses (`reorganization_2025.csv`), which leaves Đà Nẵng, Thái Nguyên and Cà Mau
as they are now. Dossiers are generated on both sides of that day: those received before it
under the old tree (the reorganisation then carries them to their successors), the others
under the new one.

`load_demo` is idempotent: reference rows are upserted by their codes, the reorganisation is
applied once (a second run finds it applied), and dossiers are only topped up to the
requested number (after the reorganisation, on the current tree).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from demo.generator import generate
from demo.inputs import load_inputs
from demo.procedures import PROCEDURES
from demo.showcase import load_showcase
from demo.units import MERGED_PROVINCES, REORGANIZED_ON, UNITS
from models import (
    AdministrativeUnit,
    Agency,
    Dossier,
    Procedure,
    Reorganization,
    UnitLevel,
    kind_from_name,
    unit_path,
)
from models.procedures import OnlineLevel, TimeUnit
from models.text import fold
from policies import SYSTEM
from resolvers import clock
from resolvers.units import parse_csv, reorganize

PLAN = Path(__file__).with_name("reorganization_2025.csv")
REFERENCE = "NQ 202/2025/QH15; NQ 1659, 1683, 1655/NQ-UBTVQH15; QĐ 19/2025/QĐ-TTg"
_LEVEL_RANK = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
WINDOW = 730  # days of dossiers before the reference day (the generator's window)


async def load_demo(*, dossiers: int = 0, progress: Callable[[int], None] | None = None,
                    reorganize_units: bool = True) -> str:
    """Upsert the demo catalogue, apply the 2025 reorganisation, top dossiers up to at least
    `dossiers` (on both sides of it), and report in one line. `reorganize_units=False` keeps
    the old tree for every dossier (a province applying the change late: benchmarks)."""
    applied = await _reorganized()
    async with in_transaction():
        units = await _upsert_units() if not applied else {}
        await _upsert_agencies(units)
        procedures = await _upsert_procedures()
    if not applied:
        await load_showcase()  # first of their days at their desks: codes that never change
    existing = await Dossier.all().count()
    wanted = max(dossiers - existing, 0)
    created, steps = 0, ""
    if not applied:
        before = wanted if not reorganize_units else round(wanted * _share_before())
        created += await generate(before, as_of=_day_before(), progress=progress,
                                  until=date.fromisoformat(REORGANIZED_ON) if reorganize_units else None)
        if reorganize_units:
            steps = await _apply_plan()
    if applied or reorganize_units:
        created += await generate(wanted - created, since=date.fromisoformat(REORGANIZED_ON),
                                  progress=progress)
    await load_inputs(await load_showcase())  # targets, publication facts, delegations
    total = await AdministrativeUnit.all().count()
    return (f"demo data: {total} unit versions, {procedures} procedures; {steps}"
            f"{created} dossiers generated, {existing + created} in all")


async def _reorganized() -> bool:
    return await Reorganization.filter(effective_date=date.fromisoformat(REORGANIZED_ON)).exists()


def _day_before() -> date:
    return date.fromisoformat(REORGANIZED_ON) - timedelta(days=1)


def _share_before() -> float:
    """The part of the generator's window (the 730 days before today) before the change."""
    today = clock.local_date(clock.now())
    start = today - timedelta(days=WINDOW)
    before = (date.fromisoformat(REORGANIZED_ON) - start).days
    return min(max(before / WINDOW, 0.0), 1.0)


async def _apply_plan() -> str:
    reports = await reorganize(actor=SYSTEM, rows=parse_csv(PLAN.read_text(encoding="utf-8")),
                               carry_grants=True, reference=REFERENCE)
    counts = reports[0].counts
    return (f"reorganised on {REORGANIZED_ON} ({counts.get('units_ended', 0)} versions ended, "
            f"{counts.get('units_created', 0)} begun, {counts.get('dossiers_moved', 0)} dossiers "
            "carried); ")


async def _upsert_units() -> dict[str, AdministrativeUnit]:
    """The pre-2025 units by code (versions in force since before our records), parents first
    so that each child's path can be derived."""
    existing = {u.code: u for u in await AdministrativeUnit.filter(valid_from__isnull=True)}
    done: dict[str, AdministrativeUnit] = {}
    rows = sorted((*MERGED_PROVINCES, *UNITS), key=lambda row: _LEVEL_RANK[UnitLevel(row[2])])
    for code, name, level, parent_code in rows:
        parent = done[parent_code] if parent_code else None
        wanted: dict[str, Any] = {
            "name": name,
            "level": UnitLevel(level),
            "kind": kind_from_name(name, UnitLevel(level)),
            "parent_id": parent.id if parent else None,
            "path": unit_path(parent.path if parent else None, code),
        }
        unit = existing.get(code)
        if unit is None:
            unit = await AdministrativeUnit.create(code=code, **wanted)
        elif _differs(unit, wanted):
            moved = unit.path != wanted["path"]
            await unit.update_from_dict(wanted).save()
            if moved:  # dossiers carry a copy of the path for jurisdiction filters
                await Dossier.filter(unit_id=unit.id).update(unit_path=unit.path)
        done[code] = unit
    return done


async def _upsert_agencies(units: dict[str, AdministrativeUnit]) -> int:
    """One People's Committee per unit version, coded `UB<unit code>` (not for the provinces
    merged in 2025 that the demo keeps without their districts: none of their dossiers is here)."""
    existing = {(a.unit_id, a.code): a for a in await Agency.all()}
    outside = {code for code, *_ in MERGED_PROVINCES}
    for unit in units.values():
        if unit.code in outside:
            continue
        code = f"UB{unit.code}"
        wanted: dict[str, Any] = {"name": f"UBND {unit.name}"}
        agency = existing.get((unit.id, code))
        if agency is None:
            await Agency.create(code=code, unit_id=unit.id, **wanted)
        elif _differs(agency, wanted):
            await agency.update_from_dict(wanted).save()
    return len(units)


async def _upsert_procedures() -> int:
    """The demo procedure catalogue, keyed by procedure code."""
    existing = {procedure.code: procedure for procedure in await Procedure.all()}
    for item in PROCEDURES:
        code, name = str(item["code"]), str(item["name"])
        wanted: dict[str, Any] = {
            "name": name,
            "field": item["field"],
            "level": UnitLevel(str(item["level"])),
            "processing_days": item["processing_days"],
            "time_unit": TimeUnit(str(item.get("time_unit", "WORKING_DAYS"))),
            "fee": item["fee"],
            "channel_terms": item.get("channel_terms"),
            "payment_pauses_clock": bool(item.get("payment_pauses_clock", False)),
            "online_level": OnlineLevel(str(item["online_level"])),
            # Fees of procedures offered online can be paid through the portal.
            "payable_online": bool(item["fee"]) and str(item["online_level"]) != "NONE",
            "documents": list(item["documents"]),  # type: ignore[call-overload]
            "search_text": fold(f"{code} {name}"),
        }
        procedure = existing.get(code)
        if procedure is None:
            await Procedure.create(code=code, **wanted)
        elif _differs(procedure, wanted):
            await procedure.update_from_dict(wanted).save()
    return len(PROCEDURES)


def _differs(row: Any, wanted: dict[str, Any]) -> bool:
    return any(getattr(row, key) != value for key, value in wanted.items())
