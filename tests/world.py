"""A small province for tests: units, agencies, procedures and the people who act on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import AdministrativeUnit, Agency, Procedure, unit_path
from models.procedures import OnlineLevel
from models.units import UnitKind, UnitLevel
from policies import Actor, ActorKind, Grant

# (code, name, level, parent)
UNITS = (
    ("49", "Tỉnh Quảng Nam", UnitLevel.PROVINCE, None),
    ("502", "Thành phố Tam Kỳ", UnitLevel.DISTRICT, "49"),
    ("20335", "Phường An Mỹ", UnitLevel.COMMUNE, "502"),
    ("20341", "Phường An Xuân", UnitLevel.COMMUNE, "502"),
    ("503", "Thành phố Hội An", UnitLevel.DISTRICT, "49"),
    ("20401", "Phường Minh An", UnitLevel.COMMUNE, "503"),
    ("490", "Đơn vị thử tiền tố", UnitLevel.PROVINCE, None),  # a prefix trap for /49/
)
KINDS = {"49": UnitKind.PROVINCE, "502": UnitKind.PROVINCIAL_CITY, "503": UnitKind.PROVINCIAL_CITY,
         "490": UnitKind.PROVINCE}
PROCEDURES = (
    ("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", UnitLevel.COMMUNE, 1, 0, OnlineLevel.FULL),
    ("2.000908", "Thủ tục chứng thực bản sao từ bản chính", "Chứng thực", UnitLevel.COMMUNE, 2,
     2000, OnlineLevel.PARTIAL),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh",
     UnitLevel.DISTRICT, 3, 100000, OnlineLevel.FULL),
    ("1.004227", "Cấp giấy phép xây dựng", "Xây dựng", UnitLevel.PROVINCE, 15, 150000,
     OnlineLevel.PARTIAL),
)


@dataclass
class World:
    units: dict[str, AdministrativeUnit]

    def grant(self, username: str, role: str, unit_code: str) -> Actor:
        unit = self.units[unit_code]
        return Actor(kind=ActorKind.USER, username=username,
                     grants=(Grant(role=role, unit_code=unit.code, unit_path=unit.path),))

    def actor(self, username: str, *grants: tuple[str, str]) -> Actor:
        return Actor(kind=ActorKind.USER, username=username, grants=tuple(
            Grant(role=r, unit_code=c, unit_path=self.units[c].path) for r, c in grants))


async def build_world() -> World:
    units: dict[str, AdministrativeUnit] = {}
    for code, name, level, parent in UNITS:
        parent_row = units.get(parent) if parent else None
        unit = await AdministrativeUnit.create(
            code=code, name=name, level=level, kind=KINDS.get(code, UnitKind.WARD), parent=parent_row,
            path=unit_path(parent_row.path if parent_row else None, code),
        )
        units[code] = unit
        await Agency.create(code=f"UB{code}", name=f"UBND {name}", unit=unit)
    for code, name, field, level, days, fee, online in PROCEDURES:
        await Procedure.create(code=code, name=name, field=field, level=level,
                               processing_days=days, fee=fee, online_level=online,
                               search_text=code + " " + name.lower())
    return World(units=units)


def applicant(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Nguyễn Văn An", "kind": "CITIZEN", "idNumber": "049090001234",
            "phone": "0905123456", "address": "12 Phan Châu Trinh, An Mỹ, Tam Kỳ"}
    return data | overrides


def at(text: str) -> datetime:
    """A local (UTC+7) time, written as in the office: '2026-02-13 09:00'."""
    return datetime.fromisoformat(text + "+07:00")
