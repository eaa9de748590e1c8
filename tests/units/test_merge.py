"""Merging communes: the tree as of any date, the dossiers' history and who may handle them."""

from __future__ import annotations

from datetime import date

import pytest

from models import AdministrativeUnit, AuditEntry, CasbinRule, Dossier, Feedback, Reorganization
from models.errors import Forbidden
from policies import ANONYMOUS
from resolvers.dossiers import get_dossier, transition_dossier
from resolvers.feedback import submit_complaint
from resolvers.lifecycle import DossierAction
from resolvers.metrics import service
from tests.graphql import execute
from tests.units.helpers import apply, as_logged_in, at_clock, official, receive
from tests.world import at, build_world

MERGE = """old_code,new_code,effective_date,new_name
20335,20335,2026-03-01,Phường Tam Kỳ
20341,20335,2026-03-01,
"""
REORGANIZE = """
mutation Reorganize($input: ReorganizeUnitsInput!) {
  reorganizeUnits(input: $input) {
    dryRun steps { effectiveDate alreadyApplied unitsEnded unitsCreated dossiersMoved lines
                   grantsRemoved grantsAdded }
  }
}
"""
TREE = """
query Tree($asOf: Date) {
  administrativeUnits(parentCode: "502", asOf: $asOf) {
    code name kind validFrom validTo predecessors { code name } successors { code name }
  }
}
"""
DOSSIER = """
query One($code: String!) {
  dossier(code: $code) {
    unit { code name validFrom } receivedUnit { code name validTo } desk { code name }
    handlingHistory { code name }
  }
}
"""
ROWS = [{"oldCode": "20335", "newCode": "20335", "effectiveDate": "2026-03-01",
         "newName": "Phường Tam Kỳ"},
        {"oldCode": "20341", "newCode": "20335", "effectiveDate": "2026-03-01"}]


@pytest.fixture
async def before(db, monkeypatch):
    """Two wards with a dossier each, received in February 2026."""
    world = await build_world()
    at_clock(monkeypatch, at("2026-02-10 09:00"))
    dossiers = {unit: await receive(unit) for unit in ("20335", "20341")}
    at_clock(monkeypatch, at("2026-03-10 09:00"))
    return world, dossiers


async def test_merge_through_graphql_creates_a_version_and_keeps_the_old_tree(before):
    world, _ = before
    admin = await official("quantri", "ADMIN", "49")

    result = await execute(REORGANIZE, admin, input={"rows": ROWS, "reference": "NQ thử"})

    assert result.errors == []
    step = result.data["reorganizeUnits"]["steps"][0]
    assert (step["effectiveDate"], step["unitsEnded"], step["unitsCreated"], step["dossiersMoved"]) == (
        "2026-03-01", 2, 1, 2)
    then = await execute(TREE, admin, asOf="2026-02-28")
    now = await execute(TREE, admin)
    assert [(u["code"], u["name"], u["validTo"]) for u in then.data["administrativeUnits"]] == [
        ("20335", "Phường An Mỹ", "2026-03-01"), ("20341", "Phường An Xuân", "2026-03-01")]
    merged = now.data["administrativeUnits"]
    assert [(u["code"], u["name"], u["kind"], u["validFrom"]) for u in merged] == [
        ("20335", "Phường Tam Kỳ", "WARD", "2026-03-01")]
    assert {p["name"] for p in merged[0]["predecessors"]} == {"Phường An Mỹ", "Phường An Xuân"}
    assert then.data["administrativeUnits"][1]["successors"] == [
        {"code": "20335", "name": "Phường Tam Kỳ"}]


async def test_merge_is_one_audited_operation_with_its_effective_date(before):
    await apply(MERGE, reference="NQ thử")

    entries = await AuditEntry.filter(action="unit:reorganize")
    assert len(entries) == 1
    assert entries[0].changes["effective_date"] == [None, "2026-03-01"]
    assert entries[0].changes["dossiers_moved"] == [None, 2]
    reorganization = await Reorganization.get()
    assert (reorganization.effective_date, reorganization.reference) == (date(2026, 3, 1), "NQ thử")


async def test_merge_keeps_the_received_unit_and_hands_the_dossier_to_the_successor(before):
    _, dossiers = before
    await apply(MERGE)
    clerk = await official("hoa", "CLERK", "20335")

    result = await execute(DOSSIER, clerk, code=dossiers["20341"].code)

    dossier = result.data["dossier"]
    assert dossier["unit"] == {"code": "20335", "name": "Phường Tam Kỳ", "validFrom": "2026-03-01"}
    assert dossier["receivedUnit"] == {"code": "20341", "name": "Phường An Xuân", "validTo": "2026-03-01"}
    assert dossier["desk"]["name"] == "Phường An Xuân"
    assert [u["name"] for u in dossier["handlingHistory"]] == ["Phường An Xuân", "Phường Tam Kỳ"]


async def test_merge_lets_the_successors_officers_handle_the_predecessors_dossiers(before):
    _, dossiers = before
    specialist = await official("binh", "SPECIALIST", "20335")
    await apply(MERGE)

    moved = await transition_dossier(actor=as_logged_in("binh"), code=dossiers["20341"].code,
                                     action=DossierAction.START_PROCESSING)

    assert moved.status == "IN_PROCESSING"
    assert specialist.grants[0].unit_path == "/49/502/20335/"  # the merged ward kept the path


async def test_merge_removes_the_grants_of_the_dissolved_unit(before):
    _, dossiers = before
    await official("lan", "CLERK", "20341")
    await apply(MERGE)

    clerk = as_logged_in("lan")

    assert clerk.grants == ()
    assert await get_dossier(actor=clerk, code=dossiers["20341"].code) is None
    assert not await CasbinRule.filter(v0="lan").exists()


async def test_merge_carries_grants_when_the_plan_says_so(before):
    _, dossiers = before
    await official("lan", "CLERK", "20341")

    reports = await apply(MERGE, carry_grants=True)

    assert reports[0].grants_removed == ["lan CLERK@/49/502/20341/"]
    assert reports[0].grants_added == ["lan CLERK@/49/502/20335/"]
    assert await get_dossier(actor=as_logged_in("lan"), code=dossiers["20341"].code) is not None


async def test_merge_dry_run_reports_the_plan_and_changes_nothing(before):
    admin = await official("quantri", "ADMIN", "49")
    units_before = await AdministrativeUnit.all().count()

    result = await execute(REORGANIZE, admin, input={"rows": ROWS, "dryRun": True})

    step = result.data["reorganizeUnits"]["steps"][0]
    assert result.data["reorganizeUnits"]["dryRun"] is True and step["dossiersMoved"] == 2
    assert any("Phường Tam Kỳ" in line for line in step["lines"])
    assert await AdministrativeUnit.all().count() == units_before
    assert await Reorganization.all().count() == 0
    assert {d.unit_path for d in await Dossier.all()} == {"/49/502/20335/", "/49/502/20341/"}
    assert await AuditEntry.filter(action="unit:plan").count() == 1


async def test_merge_applied_twice_changes_nothing_the_second_time(before):
    await apply(MERGE)
    counts = (await AdministrativeUnit.all().count(), await AuditEntry.all().count())

    again = await apply(MERGE)

    assert again[0].already_applied
    assert (await AdministrativeUnit.all().count(), await AuditEntry.all().count()) == counts


async def test_reorganize_by_a_clerk_is_forbidden_and_changes_nothing(before):
    clerk = await official("lan", "CLERK", "502")

    result = await execute(REORGANIZE, clerk, input={"rows": ROWS})

    assert result.codes == ["FORBIDDEN"]
    assert await Reorganization.all().count() == 0
    assert await AdministrativeUnit.filter(valid_to__isnull=False).count() == 0


async def test_reorganize_by_an_admin_of_another_province_is_forbidden(before):
    admin = await official("quantri", "ADMIN", "490")

    result = await execute(REORGANIZE, admin, input={"rows": ROWS})

    assert result.codes == ["FORBIDDEN"]
    assert await Reorganization.all().count() == 0


async def test_merge_moves_feedback_and_keeps_what_it_was_about(before):

    complaint, _ = await submit_complaint(actor=ANONYMOUS, unit_code="20341", content="Chậm trả kết quả")
    await apply(MERGE)

    row = await Feedback.get(id=complaint.id)
    assert row.unit_path == "/49/502/20335/"
    assert (await AdministrativeUnit.get(id=row.received_unit_id)).name == "Phường An Xuân"


async def test_successors_officials_read_the_old_units_metrics_and_others_do_not(before):
    await apply(MERGE)
    leader = await official("truong", "LEADER", "20335")
    neighbour = await official("hoian", "LEADER", "503")

    old = await service.compute(actor=leader, unit_code="20341", first=date(2026, 2, 1),
                                last=date(2026, 2, 28))

    assert (old.unit.name, old.totals.received) == ("Phường An Xuân", 1)
    with pytest.raises(Forbidden):
        await service.compute(actor=neighbour, unit_code="20341", first=date(2026, 2, 1),
                              last=date(2026, 2, 28))


async def test_history_a_grant_reaches_follows_a_reorganisation_at_once(before):
    """with_history is remembered per policy revision: a reorganisation that moves no grant
    still bumps it, so the merged ward's path is reached by the next reading, in this process
    as in every other."""
    from models.scope import Scope
    from resolvers.units.history import with_history

    old = {u.code: u.path for u in await AdministrativeUnit.filter(code__in=["20335", "20341"])}
    scope = Scope.of([old["20335"]])
    assert not (await with_history(scope)).covers(old["20341"])  # remembered now
    assert not await CasbinRule.filter(v2=f"{old['20341']}*").exists()  # no grant moves
    await apply(MERGE)
    merged = await AdministrativeUnit.get(code="20335", valid_to__isnull=True)
    after = await with_history(Scope.of([merged.path]))
    assert after.covers(old["20341"]) and after.covers(old["20335"])
