"""Procedures and units are kept by id in each process (resolvers/kept.py): a change through
the API shows at once, one announced by another process or a gap in the notification stream
at the next read, one behind the API's back within a second; a read inside a transaction is
not kept."""

from __future__ import annotations

from datetime import date

import pytest
from tortoise.transactions import in_transaction

from models import AdministrativeUnit, Procedure, notify
from models.procedures import OnlineLevel
from policies import SYSTEM
from resolvers import kept, loaders, lookups
from resolvers.publication import Publication, update_publication
from tests.hub import heard, settled
from tests.sqlcount import count_queries
from tests.units.helpers import apply
from tests.world import build_world


async def _name(procedure_id: int) -> str:
    return (await loaders.procedures([procedure_id]))[0].name


@pytest.fixture(autouse=True)
def within_a_second(monkeypatch):
    """Every read of a test within the same second, however slow the machine: what is kept
    is then kept until a test moves the clock on."""
    monkeypatch.setattr(kept, "monotonic", lambda: 1000.0)


@pytest.fixture
async def procedure(db):
    await build_world()
    row = await Procedure.get(code="1.001193")
    original = await _name(row.id)
    with count_queries() as statements:
        assert await _name(row.id) == original
    assert statements == []  # kept: the second read asks nothing
    # renamed behind the API's back (SQL by hand, another process's seed)
    await Procedure.filter(id=row.id).update(name="Tên mới")
    assert await _name(row.id) == original  # not seen yet
    return row


@pytest.mark.parametrize("kind", [kept.CATALOGUE_CHANGED, notify.GAP])
async def test_a_change_announced_by_another_process_or_a_gap_is_read_at_once(procedure, kind):
    await heard(kind)
    assert await _name(procedure.id) == "Tên mới"


async def test_other_announcements_keep_the_rows(procedure):
    await heard("dossier", {"code": "x"})
    assert await _name(procedure.id) != "Tên mới"


async def test_a_change_behind_the_apis_back_is_seen_within_the_recheck(procedure, monkeypatch):
    later = kept.monotonic() + kept.RECHECK_SECONDS
    monkeypatch.setattr(kept, "monotonic", lambda: later)
    assert await _name(procedure.id) == "Tên mới"


async def test_a_publication_through_the_api_shows_at_once(procedure):
    assert (await loaders.procedures([procedure.id]))[0].online_level != OnlineLevel.PARTIAL
    await update_publication(actor=SYSTEM, code=procedure.code,
                             facts=Publication(online_level=OnlineLevel.PARTIAL))
    await settled()
    assert (await loaders.procedures([procedure.id]))[0].online_level == OnlineLevel.PARTIAL


async def test_a_reorganisation_shows_at_once(db):
    await build_world()
    commune = await AdministrativeUnit.get(code="20341", valid_to=None)
    assert (await loaders.units([commune.id]))[0].valid_to is None
    await apply("old_code,new_code,effective_date,new_name\n"
                "20335,20335,2026-03-01,Phường Tam Kỳ\n20341,20335,2026-03-01,\n")
    await settled()
    assert (await loaders.units([commune.id]))[0].valid_to == date(2026, 3, 1)


async def test_a_read_inside_a_transaction_is_not_kept(db):
    await build_world()
    row = await Procedure.get(code="1.001193")

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack):
        async with in_transaction():
            await Procedure.filter(id=row.id).update(name="Chưa chắc")
            assert await _name(row.id) == "Chưa chắc"
            raise RolledBack
    assert await _name(row.id) == row.name  # the rolled-back name is gone


async def test_a_row_that_is_not_there_is_none_and_not_kept(db):
    await build_world()
    assert await loaders.procedures([10**9]) == [None]
    with count_queries() as statements:
        assert await loaders.procedures([10**9]) == [None]
    assert len(statements) == 1  # a missing id is asked again (it may be created meanwhile)


async def test_lookups_by_code_are_kept_and_follow_a_reorganisation(db):
    await build_world()
    before = await lookups.unit_by_code("20335", date(2026, 3, 1))
    with count_queries() as statements:
        assert (await lookups.unit_by_code("20335", date(2026, 3, 1))).id == before.id
        assert (await lookups.procedure_by_code("1.001193")).code == "1.001193"
        await lookups.procedure_by_code("1.001193")
    assert len(statements) == 1  # the procedure once; the unit was kept
    await apply("old_code,new_code,effective_date,new_name\n"
                "20335,20335,2026-03-01,Phường Tam Kỳ\n20341,20335,2026-03-01,\n")
    await settled()
    after = await lookups.unit_by_code("20335", date(2026, 3, 1))
    assert after.id != before.id and after.name == "Phường Tam Kỳ"  # the new version


async def test_inside_a_transaction_nothing_kept_is_used(db):
    await build_world()
    row = await Procedure.get(code="1.001193")
    assert (await lookups.procedure_by_code(row.code)).name == row.name  # now kept
    assert await _name(row.id) == row.name
    await Procedure.filter(id=row.id).update(name="Tên mới")  # behind the API's back
    async with in_transaction():  # the rows as they stand, not as kept
        assert (await lookups.procedure_by_code(row.code)).name == "Tên mới"
        assert await _name(row.id) == "Tên mới"
    assert (await lookups.procedure_by_code(row.code)).name == row.name  # still kept outside
