"""Demo data: the reference catalogue (units, agencies, procedures) and synthetic dossiers.

`load_demo` is idempotent: reference rows are upserted by their codes and dossiers are only
topped up to the requested number, so running it twice changes nothing the second time.
Users are deliberately not created here: the `admin` user arrives with the identity module,
which owns the user model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise.transactions import in_transaction

from demo.generator import generate
from demo.procedures import PROCEDURES
from demo.units import UNITS
from models import AdministrativeUnit, Agency, Dossier, Procedure, UnitLevel, unit_path
from models.procedures import OnlineLevel, TimeUnit
from models.text import fold

_LEVEL_RANK = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}


async def load_demo(*, dossiers: int = 0, progress: Callable[[int], None] | None = None) -> str:
    """Upsert the demo catalogue, top dossiers up to at least `dossiers`, and report in one line."""
    async with in_transaction():
        units = await _upsert_units()
        agencies = await _upsert_agencies(units)
        procedures = await _upsert_procedures()
    existing = await Dossier.all().count()
    created = await generate(dossiers - existing, progress=progress) if dossiers > existing else 0
    return (
        f"demo data: {len(units)} units, {agencies} agencies, {procedures} procedures; "
        f"{created} dossiers generated, {existing + created} in all"
    )


async def _upsert_units() -> dict[str, AdministrativeUnit]:
    """Units by code, parents first so that each child's path can be derived."""
    existing = {unit.code: unit for unit in await AdministrativeUnit.all()}
    done: dict[str, AdministrativeUnit] = {}
    rows = sorted(UNITS, key=lambda row: _LEVEL_RANK[UnitLevel(row[2])])
    for code, name, level, parent_code in rows:
        parent = done[parent_code] if parent_code else None
        wanted: dict[str, Any] = {
            "name": name,
            "level": UnitLevel(level),
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
    """One People's Committee per unit, coded `UB<unit code>`."""
    existing = {agency.code: agency for agency in await Agency.all()}
    for unit in units.values():
        code = f"UB{unit.code}"
        wanted: dict[str, Any] = {"name": f"UBND {unit.name}", "unit_id": unit.id}
        agency = existing.get(code)
        if agency is None:
            await Agency.create(code=code, **wanted)
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
