"""Abolishing the district level and splitting a unit: the tree, the dossiers and the grants."""

from __future__ import annotations

import pytest

from models import AdministrativeUnit, AuditEntry, Dossier, DossierEvent
from models.errors import BadInput, Forbidden
from resolvers.dossiers import get_dossier, list_dossiers
from resolvers.dossiers.inputs import DossierFilter
from resolvers.units import assign_dossier
from tests.graphql import execute
from tests.units.helpers import apply, as_logged_in, at_clock, official, receive
from tests.world import at, build_world

ABOLISH_DISTRICTS = """old_code,new_code,effective_date
502,,2026-03-01
503,,2026-03-01
"""
SPLIT = """old_code,new_code,effective_date,new_name,dossier_rule
20401,20401,2026-03-01,Phường Hội An,address:Khóm 1|Khóm 2
20401,20402,2026-03-01,Phường Hội An Đông,default
"""
SPLIT_WITHOUT_RULE = """old_code,new_code,effective_date,new_name
20401,20401,2026-03-01,Phường Hội An
20401,20402,2026-03-01,Phường Hội An Đông
"""
PROVINCE_TREE = """
query Tree($asOf: Date) {
  administrativeUnits(parentCode: "49", asOf: $asOf) { code kind children { code } }
}
"""
ASSIGN = """
mutation Assign($code: String!, $unit: String!) {
  assignDossier(code: $code, unitCode: $unit) { dossier { unit { code } awaitingAssignment } }
}
"""


@pytest.fixture
async def world(db, monkeypatch):
    world = await build_world()
    at_clock(monkeypatch, at("2026-02-10 09:00"))
    return world


async def test_abolishing_the_district_level_moves_communes_under_the_province(world, monkeypatch):
    district = await receive("502")
    ward = await receive("20335")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    admin = await official("quantri", "ADMIN", "49")

    await apply(ABOLISH_DISTRICTS)

    before = await execute(PROVINCE_TREE, admin, asOf="2026-02-28")
    after = await execute(PROVINCE_TREE, admin)
    assert [(u["code"], len(u["children"])) for u in before.data["administrativeUnits"]] == [
        ("502", 2), ("503", 1)]
    assert sorted(u["code"] for u in after.data["administrativeUnits"]) == ["20335", "20341", "20401"]
    assert {u["kind"] for u in after.data["administrativeUnits"]} == {"WARD"}
    # the district's own dossier passes to the province; the ward's follows its ward
    moved = {d.code: d for d in await Dossier.all()}
    assert moved[district.code].unit_path == "/49/"
    assert moved[ward.code].unit_path == "/49/20335/"
    assert (await AdministrativeUnit.get(id=moved[district.code].received_unit_id)).code == "502"


async def test_abolishing_the_district_level_drops_district_grants_and_keeps_the_province(world, monkeypatch):
    dossier = await receive("20335")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    await official("lanh.dao", "LEADER", "502")
    await official("tinh", "LEADER", "49")

    reports = await apply(ABOLISH_DISTRICTS, carry_grants=True)

    # an abolished unit's grants are never carried up to the province (a wider reach)
    assert reports[0].grants_removed == ["lanh.dao LEADER@/49/502/"]
    assert reports[0].grants_added == []
    assert await get_dossier(actor=as_logged_in("lanh.dao"), code=dossier.code) is None
    assert await get_dossier(actor=as_logged_in("tinh"), code=dossier.code) is not None


async def test_split_sends_each_dossier_where_the_rule_says(world, monkeypatch):
    first = await receive("20401", address="12 Khóm 1, Minh An")
    other = await receive("20401", address="Tổ 4, Minh An", finish=True)
    at_clock(monkeypatch, at("2026-03-10 09:00"))

    reports = await apply(SPLIT)

    rows = {d.code: d for d in await Dossier.all()}
    assert rows[first.code].unit_path == rows[first.code].desk_path == "/49/503/20401/"
    assert rows[other.code].unit_path == rows[other.code].desk_path == "/49/503/20402/"
    assert not any(d.awaiting_assignment for d in rows.values())
    assert reports[0].counts["dossiers_moved"] == 2
    clerk = await official("dong", "CLERK", "20402")
    assert [v.row.code for v in (await list_dossiers(actor=clerk)).items] == [other.code]


async def test_split_without_a_rule_leaves_no_dossier_without_a_handler(world, monkeypatch):
    waiting = await receive("20401")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    district = await official("hoian", "CLERK", "503")

    await apply(SPLIT_WITHOUT_RULE)

    row = await Dossier.get(id=waiting.id)
    assert row.awaiting_assignment and row.unit_path == "/49/503/"  # held by the district
    page = await list_dossiers(actor=as_logged_in("hoian"), flt=DossierFilter(awaiting_assignment=True))
    assert [v.row.code for v in page.items] == [waiting.code]
    assert district.grants[0].unit_path == "/49/503/"


async def test_assign_dossier_gives_it_to_a_successor_of_the_split(world, monkeypatch):
    waiting = await receive("20401")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    await apply(SPLIT_WITHOUT_RULE)
    admin = await official("quantri", "ADMIN", "49")

    result = await execute(ASSIGN, admin, code=waiting.code, unit="20402")

    assert result.errors == []
    assert result.data["assignDossier"]["dossier"] == {"unit": {"code": "20402"},
                                                       "awaitingAssignment": False}
    assert await DossierEvent.filter(dossier_id=waiting.id, action="ASSIGN").count() == 1
    assert await AuditEntry.filter(action="dossier:assign", object_id=waiting.code).count() == 1


async def test_assign_dossier_to_a_unit_that_is_not_a_successor_is_refused(world, monkeypatch):
    waiting = await receive("20401")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    await apply(SPLIT_WITHOUT_RULE)
    admin = await official("quantri", "ADMIN", "49")

    with pytest.raises(BadInput) as refused:
        await assign_dossier(actor=admin, code=waiting.code, unit_code="20335")

    assert refused.value.field == "unitCode"
    assert (await Dossier.get(id=waiting.id)).awaiting_assignment


async def test_assign_dossier_by_a_clerk_is_forbidden(world, monkeypatch):
    waiting = await receive("20401")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    await apply(SPLIT_WITHOUT_RULE)
    clerk = await official("hoian", "CLERK", "503")

    with pytest.raises(Forbidden):
        await assign_dossier(actor=clerk, code=waiting.code, unit_code="20402")

    assert (await Dossier.get(id=waiting.id)).awaiting_assignment


async def test_move_a_commune_under_another_district_carries_its_dossiers_and_grants(world, monkeypatch):
    dossier = await receive("20401")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    await official("minhan", "CLERK", "20401")

    reports = await apply("old_code,new_code,effective_date,new_parent_code\n"
                          "20401,20401,2026-03-01,502\n", carry_grants=True)

    assert (await Dossier.get(id=dossier.id)).unit_path == "/49/502/20401/"
    assert reports[0].grants_added == ["minhan CLERK@/49/502/20401/"]
    assert await get_dossier(actor=as_logged_in("minhan"), code=dossier.code) is not None


async def test_rename_keeps_the_path_and_the_grants(world, monkeypatch):
    await receive("20335")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    await official("hoa", "CLERK", "20335")

    reports = await apply("old_code,new_code,effective_date,new_name\n"
                          "20335,20335,2026-03-01,Phường Tân Thạnh\n")

    renamed = await AdministrativeUnit.get(code="20335", valid_to__isnull=True)
    assert (renamed.name, renamed.path) == ("Phường Tân Thạnh", "/49/502/20335/")
    assert reports[0].grants_removed == [] and as_logged_in("hoa").grants[0].unit_path == renamed.path


async def test_recode_gives_the_unit_a_new_code_and_keeps_the_old_one_as_history(world, monkeypatch):
    dossier = await receive("20335")
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    admin = await official("quantri", "ADMIN", "49")

    await apply("old_code,new_code,effective_date\n20335,20399,2026-03-01\n")

    unit = """query U($code: String!, $asOf: Date) {
      administrativeUnit(code: $code, asOf: $asOf) { name successors { code } predecessors { code } } }"""
    old = await execute(unit, admin, code="20335", asOf="2026-02-28")
    gone = await execute(unit, admin, code="20335")
    new = await execute(unit, admin, code="20399")
    assert old.data["administrativeUnit"]["successors"] == [{"code": "20399"}]
    assert gone.data["administrativeUnit"] is None
    assert new.data["administrativeUnit"] == {"name": "Phường An Mỹ", "successors": [],
                                              "predecessors": [{"code": "20335"}]}
    assert (await Dossier.get(id=dossier.id)).unit_path == "/49/502/20399/"
