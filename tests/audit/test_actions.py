"""`auditActions`: the action vocabulary an inspector can filter by, within jurisdiction."""

from __future__ import annotations

import pytest

from audit import record
from models import AuditEntry
from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers.identity import create_user, grant_role
from tests.graphql import execute
from tests.world import build_world

ACTIONS = "{ auditActions }"


async def user(username: str, role: str, unit: str) -> Actor:
    await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                      display_name=username)
    await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


@pytest.fixture
async def people(db):
    world = await build_world()
    # Entries at Tam Kỳ's commune, at Hội An, and one tied to no unit.
    for action, unit in (("dossier:receive", "20335"), ("dossier:FINISH", "20335"),
                         ("dossier:receive", "20335"), ("feedback:answer", "20401")):
        await record(actor=SYSTEM, action=action, object_type="Dossier", object_id="X",
                     unit_path=world.units[unit].path)
    await record(actor=SYSTEM, action="auth:login_failed", object_type="User")
    return {"province": await user("minh", "INSPECTOR", "49"),
            "tamky": await user("hoa", "INSPECTOR", "502"),
            "clerk": await user("lan", "CLERK", "20335")}


async def test_audit_actions_lists_each_action_once_sorted(people):
    # the province's entries (role:grant among them); unit-less ones belong to the root
    recorded = set(await AuditEntry.filter(unit_path__startswith="/49/").values_list(
        "action", flat=True))
    result = await execute(ACTIONS, people["province"])
    assert result.errors == []
    actions = result.data["auditActions"]
    assert actions == sorted(recorded)
    assert {"dossier:receive", "dossier:FINISH", "feedback:answer"} <= set(actions)
    assert "auth:login_failed" not in actions and "user:create" not in actions
    system = await user("root.inspector", "INSPECTOR", "/")
    everything = (await execute(ACTIONS, system)).data["auditActions"]
    assert "auth:login_failed" in everything and set(actions) < set(everything)


async def test_audit_actions_stays_within_jurisdiction(people):
    result = await execute(ACTIONS, people["tamky"])
    # Tam Kỳ's own and its commune's actions (the grants to hoa and lan among them), not
    # Hội An's nor the unit-less entries that only the root's auditors see
    assert result.data["auditActions"] == ["dossier:FINISH", "dossier:receive", "role:grant"]


async def test_audit_actions_refused_without_audit_read(people):
    before = await AuditEntry.all().count()
    result = await execute(ACTIONS, people["clerk"])
    assert result.data is None and result.codes == ["FORBIDDEN"]
    # the refusal is recorded, and nothing is listed
    denied = await AuditEntry.filter(id__gt=before).get()
    assert (denied.action, denied.outcome.value) == ("query:auditActions", "DENIED")
