"""Provinces are separate jurisdictions: a province's ADMIN reaches its province and nothing
else; the policy and what belongs to no unit are the root's (a system-level ADMIN at `/`);
no policy edit makes personal data public."""

from __future__ import annotations

import pytest

from audit import record
from models import AuditEntry, CasbinRule, Dossier
from policies import ANONYMOUS, ROOT, SYSTEM, Actor, ActorKind, grants_of, store
from resolvers import audit_log
from resolvers.dossiers import Applicant, Reception, receive_dossier
from resolvers.identity import create_user, grant_role
from tests.graphql import execute
from tests.world import build_world

ADD_RULE = """mutation($r: String!, $o: String!, $a: String!) {
  addPolicyRule(role: $r, object: $o, action: $a) }"""
REMOVE_RULE = """mutation($r: String!, $o: String!, $a: String!) {
  removePolicyRule(role: $r, object: $o, action: $a) }"""
GRANT = """mutation($u: String!, $r: String!, $c: String!) {
  grantRole(username: $u, role: $r, unitCode: $c) }"""
REVOKE = """mutation($u: String!, $r: String!, $c: String!) {
  revokeRole(username: $u, role: $r, unitCode: $c) }"""
DOSSIERS = "{ dossiers { totalCount edges { node { code applicant { idNumber } } } } }"
DOSSIER = "query($c: String!) { dossier(code: $c) { code applicant { idNumber } } }"
ME = "{ me { username systemRoles roles { role unit { code } } } }"
LOG = "{ auditLog(first: 100) { edges { node { action unitPath actor { username } } } } }"
ID_NUMBER = "096190001234"


async def person(username: str, *grants: tuple[str, str]) -> Actor:
    await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                      display_name=username)
    for role, unit in grants:
        await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


@pytest.fixture
async def provinces(db):
    """Quảng Nam (49) and a second province (490, whose code starts like 49's), each with its
    own ADMIN; the system administrator at the root; a dossier of province 490."""
    await build_world()
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.004227", unit_code="490", channel="IN_PERSON",
        applicant=Applicant(name="Phạm Văn Dũng", id_number=ID_NUMBER)))
    return {
        "admin49": await person("admin.quangnam", ("ADMIN", "49")),
        "admin490": await person("admin.other", ("ADMIN", "490")),
        "root": await person("admin", ("ADMIN", ROOT)),
        "dossier": dossier,
    }


async def rules() -> list[tuple[str, str, str, str]]:
    return sorted(await CasbinRule.all().values_list("ptype", "v0", "v1", "v2"))


@pytest.mark.parametrize("action", ["read_pii", "read", "*"])
async def test_add_policy_rule_by_a_province_admin_is_forbidden(provinces, action):
    before = await rules()
    result = await execute(ADD_RULE, provinces["admin49"], r="ANONYMOUS", o="dossier", a=action)
    assert result.codes == ["FORBIDDEN"]
    assert await rules() == before
    # and nobody outside province 490 reads its applicant's ID number
    for reader in (ANONYMOUS, provinces["admin49"]):
        seen = await execute(DOSSIER, reader, c=provinces["dossier"].code)
        assert seen.data == {"dossier": None}


async def test_remove_policy_rule_by_a_province_admin_is_forbidden(provinces):
    before = await rules()
    result = await execute(REMOVE_RULE, provinces["admin49"], r="CLERK", o="dossier", a="read")
    assert result.codes == ["FORBIDDEN"]
    assert await rules() == before


@pytest.mark.parametrize(("obj", "action"), [
    ("dossier", "read"), ("dossier", "read_pii"), ("dossier", "*"), ("audit", "read"),
    ("feedback", "read"), ("metrics", "read"), ("policy", "edit"), ("role", "grant"),
])
async def test_no_one_makes_anonymous_callers_read_more_than_public_pages(provinces, obj, action):
    before = await rules()
    result = await execute(ADD_RULE, provinces["root"], r="ANONYMOUS", o=obj, a=action)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "action"
    assert await rules() == before


async def test_an_anonymous_rule_found_in_the_table_has_no_effect(provinces):
    # given rules written behind the API's back
    for action in ("read", "read_pii"):
        await CasbinRule.create(ptype="p", v0="ANONYMOUS", v1="dossier", v2=action)
    await store.bump_revision()
    await store.load()
    # then anonymous callers still read no dossier
    assert (await execute(DOSSIERS, ANONYMOUS)).data == {"dossiers": {"totalCount": 0, "edges": []}}
    assert (await execute(DOSSIER, ANONYMOUS, c=provinces["dossier"].code)).data == {"dossier": None}


async def test_the_system_admin_edits_the_policy_and_the_edit_is_the_roots(provinces):
    result = await execute(ADD_RULE, provinces["root"], r="INSPECTOR", o="feedback", a="handle")
    assert result.errors == [] and result.data == {"addPolicyRule": True}
    assert ("p", "INSPECTOR", "feedback", "handle") in await rules()
    entry = await AuditEntry.get(action="policy:add")
    assert (entry.actor_username, entry.unit_path) == ("admin", ROOT)


async def test_role_names_in_policy_rules_are_upper_case(provinces):
    result = await execute(ADD_RULE, provinces["root"], r="lan", o="dossier", a="read")
    assert result.codes == ["BAD_USER_INPUT"] and result.errors[0]["extensions"]["field"] == "role"


async def test_granting_at_the_root_needs_a_grant_at_the_root(provinces):
    await create_user(actor=SYSTEM, username="hoa", password="mat-khau-12345", display_name="Hoa")
    refused = await execute(GRANT, provinces["admin49"], u="hoa", r="ADMIN", c=ROOT)
    assert refused.codes == ["FORBIDDEN"]
    assert grants_of("hoa") == ()
    granted = await execute(GRANT, provinces["root"], u="hoa", r="INSPECTOR", c=ROOT)
    assert granted.errors == []
    hoa = Actor(kind=ActorKind.USER, username="hoa", grants=grants_of("hoa"))
    assert (await execute(ME, hoa)).data == {"me": {"username": "hoa", "systemRoles": ["INSPECTOR"],
                                                    "roles": []}}
    entry = await AuditEntry.get(action="role:grant", object_id="hoa")
    assert (entry.unit_path, entry.changes) == (ROOT, {"role": [None, "INSPECTOR@/"]})


async def test_a_province_admin_grants_and_revokes_only_in_its_province(provinces):
    await person("hoa", ("CLERK", "490"))
    before = await rules()
    assert (await execute(GRANT, provinces["admin49"], u="hoa", r="ADMIN", c="490")).codes == [
        "FORBIDDEN"]
    assert (await execute(REVOKE, provinces["admin49"], u="hoa", r="CLERK", c="490")).codes == [
        "FORBIDDEN"]
    assert await rules() == before
    assert (await execute(GRANT, provinces["admin49"], u="hoa", r="CLERK", c="502")).errors == []


async def test_a_province_admin_reads_only_its_province(provinces):
    mine = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
        applicant=Applicant(name="Lê Thị Hà", id_number="049190009999")))
    listed = await execute(DOSSIERS, provinces["admin49"])
    assert [e["node"]["code"] for e in listed.data["dossiers"]["edges"]] == [mine.code]
    assert await Dossier.all().count() == 2


async def test_entries_of_no_unit_are_only_the_roots(provinces):
    # given an anonymous read, a failed login of an unknown name and the root's own entry
    await record(actor=ANONYMOUS, action="query:procedures")
    await record(actor=ANONYMOUS, action="login", object_type="User", object_id="nobody",
                 reason="invalid username or password")
    inspector49 = await person("minh", ("INSPECTOR", "49"))
    inspector_root = await person("vuong", ("INSPECTOR", ROOT))
    province = await audit_log.list_entries(actor=inspector49, first=100)
    assert {e.unit_path for e in province.items} <= {
        p for p in await AuditEntry.all().values_list("unit_path", flat=True)
        if p and p.startswith("/49/")}
    assert not any(e.unit_path is None or e.unit_path == ROOT or e.unit_path.startswith("/490/")
                   for e in province.items)
    everything = await audit_log.list_entries(actor=inspector_root, first=100)
    assert len(everything.items) == await AuditEntry.all().count()


async def test_a_dossiers_history_shows_only_entries_in_the_callers_view(provinces):
    # given someone of province 49 trying the code of a dossier of province 490
    code = provinces["dossier"].code
    await record(actor=provinces["admin49"], action="dossier:FINISH", object_type="Dossier",
                 object_id=code, reason="not allowed")
    inspector = await person("thu", ("INSPECTOR", "490"))
    history = await audit_log.dossier_history(actor=inspector, code=code,
                                              unit_path=provinces["dossier"].unit_path)
    assert [e.action for e in history] == ["dossier:receive"]
    assert all(e.unit_path.startswith("/490/") for e in history)
