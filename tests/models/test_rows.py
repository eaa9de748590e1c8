"""Reads by fixed statements (models/rows.py) give the ORM's own models, on either database."""

from __future__ import annotations

import pytest

from models import AdministrativeUnit, Dossier, Procedure
from models.making import fetch
from models.rows import Rows
from models.scope import Scope
from policies import SYSTEM
from resolvers.dossiers import Applicant, Reception, receive_dossier
from tests.world import build_world

SHOWN = Rows(Dossier, joined={"procedure": Procedure, "unit": AdministrativeUnit,
                              "received_unit": AdministrativeUnit, "desk_unit": AdministrativeUnit})


def _values(row) -> dict:  # noqa: ANN001
    """Everything the ORM set on a model it read: field values and its own state flags."""
    assert set(vars(row)) >= set(row._meta.fields_db_projection)
    # with each value's type: a status left as text would equal its enum member
    return {name: (type(value).__name__, value) for name, value in vars(row).items()}


@pytest.fixture
async def dossier(db):
    world = await build_world()
    received = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Võ Thị Hạnh", phone="0905123456")))
    return world, await Dossier.get(code=received.code)


async def test_rows_by_ids_are_the_orm_models(dossier):
    wanted = sorted(p.id for p in await Procedure.all())[:2] + [10**9]
    read = {p.id: p for p in await Rows(Procedure).by_ids(wanted)}
    assert sorted(read) == wanted[:2]  # an id that matches nothing is left out
    for procedure in await Procedure.filter(id__in=wanted[:2]):
        assert _values(read[procedure.id]) == _values(procedure)
    assert await Rows(Procedure).by_ids([]) == []


async def test_one_joined_brings_the_rows_its_relations_name(dossier):
    world, orm = dossier
    found = await SHOWN.one_joined("code", orm.code)
    assert found is not None
    row, related = found
    assert _values(row) == _values(orm)
    procedure = await Procedure.get(id=orm.procedure_id)
    units = {u.id: u for u in await AdministrativeUnit.filter(
        id__in=[i for i in (orm.unit_id, orm.received_unit_id, orm.desk_unit_id) if i])}
    assert {(type(r).__name__, r.id) for r in related} == (
        {("Procedure", procedure.id)} | {("AdministrativeUnit", i) for i in units})
    for r in related:
        expected = procedure if isinstance(r, Procedure) else units[r.id]
        assert _values(r) == _values(expected)


async def test_a_relation_with_no_row_is_left_out(dossier):
    _, orm = dossier
    await Dossier.filter(id=orm.id).update(received_unit_id=None, desk_unit_id=None)
    row, related = await SHOWN.one_joined("code", orm.code)
    assert row.received_unit_id is None and row.desk_unit_id is None
    assert sorted(type(r).__name__ for r in related) == ["AdministrativeUnit", "Procedure"]


@pytest.mark.parametrize("prefixes, seen", [
    (None, True),  # everywhere
    ((), False),  # nowhere
    (("/49/",), True),
    (("/49/502/20335/",), True),
    (("/49/502/20341/", "/49/503/"), False),
    (("/490/",), False),  # a longer code is not under the shorter one
    (("/4_/",), False),  # LIKE's metacharacters are taken literally
    (("/%",), False),
    (("/49/503/", "/49/502/"), True),
])
async def test_one_within_a_scope(dossier, prefixes, seen):
    _, orm = dossier
    assert orm.unit_path.startswith("/49/502/20335/")
    scope = Scope(prefixes)
    assert (await Rows(Dossier).one("code", orm.code, scope) is not None) is seen
    assert (await SHOWN.one_joined("code", orm.code, scope) is not None) is seen
    assert scope.covers(orm.unit_path) is seen  # the same answer as the scope's own test


async def test_a_plain_list_is_made_as_the_orm_makes_it(dossier):
    _, orm = dossier
    await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="2.000908", unit_code="20341", channel="ONLINE",
        applicant=Applicant(name="Lê Văn Tám")))
    query = Dossier.all().order_by("-id").limit(5)
    made, read = await fetch(query), await query
    assert len(made) == len(read) == 2
    assert [_values(m) for m in made] == [_values(r) for r in read]
    # anything but a plain list is left to the ORM (the same answer either way)
    assert [vars(m) for m in await fetch(Dossier.all().only("id", "code"))] == \
        [vars(r) for r in await Dossier.all().only("id", "code")]


async def test_an_unknown_value_is_none(dossier):
    assert await Rows(Dossier).one("code", "KHONG-CO") is None
    assert await SHOWN.one_joined("code", "KHONG-CO") is None


@pytest.mark.parametrize("prefix", ["/49/", "/49/502/", "/490/", "/4_/", "/49/5%"])
async def test_versions_in_force_under_a_path_are_the_orms(db, prefix):
    """A subtree as it stood on a day: the same versions, made as the ORM makes them, as
    `valid_on(day)` with `path__startswith` (the ends of a version's validity included)."""
    from datetime import date

    from models import valid_on

    world = await build_world()
    district = world.units["502"]
    ended = await AdministrativeUnit.create(code="29999", name="Xã cũ", level="COMMUNE",
                                            parent=district, path=f"{district.path}29999/",
                                            valid_to=date(2025, 7, 1))
    begun = await AdministrativeUnit.create(code="29998", name="Xã mới", level="COMMUNE",
                                            parent=district, path=f"{district.path}29998/",
                                            valid_from=date(2025, 7, 1))
    await AdministrativeUnit.create(code="49099", name="Bẫy", level="DISTRICT",
                                    path="/490/49099/", valid_from=date(2020, 1, 1))
    for day in (date(2025, 6, 30), date(2025, 7, 1), date(2026, 1, 1)):
        read = {u.id: u for u in await Rows(AdministrativeUnit).in_force_under("path", prefix, day)}
        orm = {u.id: u for u in await AdministrativeUnit.filter(valid_on(day), path__startswith=prefix)}
        assert sorted(read) == sorted(orm)
        assert [_values(read[i]) for i in sorted(read)] == [_values(orm[i]) for i in sorted(orm)]
        if prefix == "/49/502/":
            before = day < date(2025, 7, 1)  # the day the one ended and the other began
            assert (ended.id in read, begun.id in read) == (before, not before)
