"""A partner token can do no more than whoever issued it, at the token's unit."""

from __future__ import annotations

import pytest

from models import AuditEntry, PartnerToken
from policies import ROOT, SYSTEM, Actor, ActorKind, grants_of
from resolvers.identity import create_user, grant_role
from tests.graphql import execute
from tests.world import build_world

ISSUE = """mutation($i: IssuePartnerTokenInput!) { issuePartnerToken(input: $i) { tokenId } }"""


async def person(username: str, *grants: tuple[str, str]) -> Actor:
    await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                      display_name=username)
    for role, unit in grants:
        await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


def issue(scopes: list[str], unit: str = "502") -> dict:
    return {"partnerName": "Bưu điện tỉnh", "scopes": scopes, "unitCode": unit, "expiresInDays": 30}


@pytest.fixture
async def admins(db):
    await build_world()
    return {
        "province": await person("admin.quangnam", ("ADMIN", "49")),
        "root": await person("admin", ("ADMIN", ROOT)),
        "desk": await person("truong.motcua", ("ADMIN", "49"), ("CLERK", "502")),
    }


@pytest.mark.parametrize("who", ["province", "root"])
@pytest.mark.parametrize("scopes", [["dossier:read_pii"], ["dossier:read", "dossier:read_pii"],
                                    ["dossier:receive"], ["payment:confirm"]])
async def test_scopes_beyond_the_issuers_rights_are_forbidden(admins, who, scopes):
    result = await execute(ISSUE, admins[who], i=issue(scopes))
    assert result.codes == ["FORBIDDEN"]
    assert result.errors[0]["extensions"]["field"] == "scopes"
    assert await PartnerToken.all().count() == 0
    assert await AuditEntry.filter(action="partner_token:issue", outcome="ALLOWED").count() == 0


async def test_scopes_the_issuer_holds_are_issued(admins):
    result = await execute(ISSUE, admins["province"], i=issue(["dossier:read", "metrics:read"]))
    assert result.errors == []
    token = await PartnerToken.get()
    assert (token.scopes, token.created_by) == (["dossier:read", "metrics:read"], "admin.quangnam")


async def test_a_scope_held_in_one_unit_is_not_delegated_in_another(admins):
    at_home = await execute(ISSUE, admins["desk"], i=issue(["dossier:receive", "dossier:read_pii"],
                                                          unit="20335"))
    assert at_home.errors == []
    elsewhere = await execute(ISSUE, admins["desk"], i=issue(["dossier:receive"], unit="503"))
    assert elsewhere.codes == ["FORBIDDEN"]
    assert await PartnerToken.all().count() == 1


async def test_the_console_operator_issues_any_scope(admins):
    result = await execute(ISSUE, SYSTEM, i=issue(["dossier:read_pii", "dossier:receive"]))
    assert result.errors == []
