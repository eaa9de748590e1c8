"""The scorecard's inputs in the demo data: postal-staff receptions and late causes on the
generated dossiers, and targets, publication facts and delegations through the use cases.

Every choice is a function of the dossier's id, the procedure's code or a fixed list, never of
a random stream or of today, so the same seed gives the same facts on any day (the targets are
for the current year, which is the one thing that moves)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import Dossier, Procedure
from policies import SYSTEM
from resolvers import clock, publication, targets
from resolvers.dossiers.late import LateCause, set_late_cause

# Columns the generator adds to each dossier row (demo/rows.py, DOSSIER_COLUMNS).
COLUMNS = ("received_by_postal_staff", "late_cause", "late_cause_note", "late_cause_set_by",
           "late_cause_set_at")
# Share of in-person dossiers received by Vietnam Post staff, by the desk's level: the
# provincial public service centre handed most of its counters to them (Quảng Nam: 1,158
# procedures); some district desks did, communes rarely.
POSTAL_STAFF = {"PROVINCE": 0.6, "DISTRICT": 0.15, "COMMUNE": 0.03}
NOTES = {
    "SUBJECTIVE": ("Công chức thụ lý chậm thẩm định", "Chậm trình ký do lãnh đạo đi công tác"),
    "OBJECTIVE": ("Chờ ý kiến của cơ quan phối hợp (liên thông)",
                  "Phải xác minh thực địa do hồ sơ phức tạp", "Lỗi đường truyền hệ thống một cửa"),
}


def _share(dossier_id: int, salt: int) -> float:
    """A number in [0, 1) fixed by the dossier's id (Knuth's multiplicative hash)."""
    return ((dossier_id * 2654435761 + salt * 40503) % 2**32) / 2**32


def facts(dossier_id: int, channel: str, desk_level: str, timeliness: str | None,
          ended: int | None) -> tuple:
    """The generator's values for COLUMNS: 85 % of late dossiers have a cause, two in three of
    them objective (chủ quan / khách quan), recorded by the unit's leader the next day."""
    postal = channel == "IN_PERSON" and _share(dossier_id, 1) < POSTAL_STAFF.get(desk_level, 0)
    if timeliness != "LATE" or ended is None or _share(dossier_id, 2) >= 0.85:
        return (postal, None, None, None, None)
    cause = "OBJECTIVE" if _share(dossier_id, 3) < 0.67 else "SUBJECTIVE"
    notes = NOTES[cause]
    note = notes[int(_share(dossier_id, 4) * len(notes))]
    return (postal, cause, note, "lanh-dao-demo", datetime.fromtimestamp(ended, UTC) + timedelta(days=1))


# (unit code, indicator, target %): the seeds' targets. Bạch Thông digitises 40 % of its
# results at district level and 35 % at commune level, 20 % of dossiers with electronic
# certified copies, 90 % satisfied; Đà Nẵng and Cà Mau aim at their published rates.
CURRENT_TARGETS = (
    ("19", "results_electronic", 40.0), ("02014", "results_electronic", 35.0),
    ("02014", "certified_copies_electronic", 20.0), ("02014", "dossier_handling_satisfaction", 90.0),
    ("48", "dossiers_resolved_on_time", 95.0), ("48", "dossiers_filed_online", 50.0),
    ("96", "components_digitized", 60.0),
)
TARGETS_2024 = (("063", "results_electronic", 40.0), ("02014", "results_electronic", 35.0))
# Procedures whose publication the demo records as late or incomplete: the last digit of the
# code decides, so the catalogue has a few of each, the same on every load.
LATE_PUBLISHED, LATE_UPDATED, INCOMPLETE = "7", "3", "9"
# Procedures of Đà Nẵng's departments resolved under the city's delegation (ủy quyền).
DELEGATED_BY = "Ủy ban nhân dân thành phố Đà Nẵng"
DELEGATION_DOCUMENT = "Quyết định ủy quyền giải quyết thủ tục hành chính (dữ liệu mẫu)"


async def load_inputs(showcase: list[str]) -> None:
    """Targets, publication facts, delegations and a late cause on a showcase dossier, through
    the audited use cases (a repeat changes nothing)."""
    year = clock.local_date(clock.now()).year
    for code, indicator, value in CURRENT_TARGETS:
        await targets.set_unit_target(actor=SYSTEM, unit_code=code, year=year,
                                      indicator=indicator, value=value)
    for code, indicator, value in TARGETS_2024:
        await targets.set_unit_target(actor=SYSTEM, unit_code=code, year=2024,
                                      indicator=indicator, value=value)
    for procedure in await Procedure.all().order_by("code"):
        last = procedure.code[-1]
        await publication.update_publication(actor=SYSTEM, code=procedure.code,
                                             facts=publication.Publication(
            published_on_time=last != LATE_PUBLISHED, updated_on_time=last != LATE_UPDATED,
            content_complete=last != INCOMPLETE))
    province_level = await Procedure.filter(level="PROVINCE").order_by("code").limit(3)
    for procedure in province_level:
        await publication.set_delegation(actor=SYSTEM, unit_code="48", procedure_code=procedure.code,
                                         delegated=True, delegated_by=DELEGATED_BY,
                                         document=DELEGATION_DOCUMENT)
    # The showcase's paper dossier of Phường An Mỹ (2024) was never finished: overdue.
    first = await Dossier.get_or_none(code=showcase[0]) if showcase else None
    if first is not None and first.late_cause is None:
        await set_late_cause(actor=SYSTEM, code=first.code, cause=LateCause.OBJECTIVE,
                             note="Chờ xác minh thông tin hộ tịch tại nơi đăng ký trước đây")
