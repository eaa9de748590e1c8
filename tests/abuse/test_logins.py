"""Guessing passwords: spraying from one address backs off, each operation of a batch counts,
and a known official's failed logins stay in their province's part of the trail."""

from __future__ import annotations

from audit import bursts
from models import AuditEntry
from policies import SYSTEM, Actor, ActorKind, grants_of
from policies.ratelimit import Limits
from resolvers import audit_log
from resolvers.identity import create_user, grant_role

LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }'


def attempt(username: str, password: str = "Mua-thu-2026!") -> dict:
    return {"query": LOGIN, "variables": {"u": username, "p": password}}


def codes_of(response) -> list[str]:
    body = response.json()
    items = body if isinstance(body, list) else [body]
    return [e["extensions"]["code"] for item in items for e in item.get("errors", [])]


async def test_password_spraying_from_one_address_backs_off(client_for):
    # given one password tried on fifteen names from one address, five to a batch
    client = await client_for()
    answers = []
    for batch in range(3):
        response = await client.post("/graphql", json=[attempt(f"canbo{batch}{i}") for i in range(5)])
        answers += codes_of(response)
    # then ten are evaluated and the rest wait, whatever the name
    assert answers == ["UNAUTHENTICATED"] * 10 + ["RATE_LIMITED"] * 5
    right = await client.post("/graphql", json=attempt("lan", "mat-khau-12345"))
    assert codes_of(right) == ["RATE_LIMITED"]


async def test_spraying_from_one_address_leaves_other_addresses_alone(client_for, world):
    client = await client_for(trusted_proxies=("127.0.0.1",))
    for i in range(10):
        await client.post("/graphql", json=attempt(f"canbo{i}"),
                          headers={"x-forwarded-for": "203.0.113.7"})
    elsewhere = await client.post("/graphql", json=attempt("lan", "mat-khau-12345"),
                                  headers={"x-forwarded-for": "198.51.100.20"})
    assert "errors" not in elsewhere.json()


async def test_each_operation_of_a_batch_counts_against_the_rate_limit(client_for):
    client = await client_for(rates=Limits(per_address=7, per_user=100, window=60))
    first = await client.post("/graphql", json=[attempt(f"canbo{i}") for i in range(5)])
    assert first.status_code == 200 and codes_of(first) == ["UNAUTHENTICATED"] * 5
    second = await client.post("/graphql", json=[attempt(f"khac{i}") for i in range(5)])
    assert second.status_code == 429 and codes_of(second) == ["RATE_LIMITED"]
    await bursts.flush(everything=True)
    tried = await AuditEntry.filter(action="login").values_list("object_id", flat=True)
    assert sorted(tried) == [f"canbo{i}" for i in range(5)]  # the second batch never ran


async def test_a_known_officials_failed_login_is_in_their_unit(client_for, world):
    client = await client_for()
    known = await client.post("/graphql", json=attempt("lan"))
    unknown = await client.post("/graphql", json=attempt("khong.ai"))
    # the answers say nothing about whether the name exists
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json() == {"data": None, "errors": [{
        "message": "invalid username or password", "locations": [{"line": 1, "column": 38}],
        "path": ["login"], "extensions": {"code": "UNAUTHENTICATED"}}]}
    entries = {e.object_id: e for e in await AuditEntry.filter(action="login")}
    assert entries["lan"].unit_path == world.units["20335"].path
    assert entries["khong.ai"].unit_path is None
    # an inspector of another province does not read it; Quảng Nam's does, with the address
    for name, unit in (("thanh.tra.khac", "490"), ("thanh.tra.qn", "49")):
        await create_user(actor=SYSTEM, username=name, password="mat-khau-12345", display_name=name)
        await grant_role(actor=SYSTEM, username=name, role="INSPECTOR", unit_code=unit)
    other = Actor(kind=ActorKind.USER, username="thanh.tra.khac", grants=grants_of("thanh.tra.khac"))
    mine = Actor(kind=ActorKind.USER, username="thanh.tra.qn", grants=grants_of("thanh.tra.qn"))
    flt = audit_log.AuditFilter(action="login")
    assert (await audit_log.list_entries(actor=other, flt=flt)).items == []
    seen = (await audit_log.list_entries(actor=mine, flt=flt)).items
    assert [(e.object_id, e.client_address) for e in seen] == [("lan", "127.0.0.1")]
