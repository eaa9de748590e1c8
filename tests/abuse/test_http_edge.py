"""Production mode, the HTTP edge, rate limits and the login back-off."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from audit import bursts
from models import AuditEntry, Dossier
from policies import SYSTEM
from policies.ratelimit import Limits
from resolvers.identity import issue_partner_token
from schema.limits import QueryLimits

LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }'
CATALOGUE = "{ procedures(first: 2) { edges { node { code } } } }"
RIGHT = {"query": LOGIN, "variables": {"u": "lan", "p": "mat-khau-12345"}}


def codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


async def test_production_hides_introspection_suggestions_and_graphiql(client_for):
    client = await client_for(production=True)
    introspection = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert set(codes(introspection)) == {"BAD_USER_INPUT"}
    assert "introspection" in introspection.text.lower()
    typo = await client.post("/graphql", json={"query": "{ procedur(code: \"x\") { code } }"})
    assert "Did you mean" not in typo.text
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in page.text.lower()


async def test_development_keeps_suggestions(client_for):
    client = await client_for()
    typo = await client.post("/graphql", json={"query": "{ procedur(code: \"x\") { code } }"})
    assert "Did you mean" in typo.text


async def test_production_sends_security_headers(client_for):
    client = await client_for(production=True)
    response = await client.post("/graphql", json={"query": CATALOGUE})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "max-age" in response.headers["strict-transport-security"]


async def test_cors_allows_only_the_listed_origins(client_for):
    client = await client_for(production=True)
    preflight = {"access-control-request-method": "POST",
                 "access-control-request-headers": "authorization,content-type"}
    good = await client.options("/graphql", headers={"origin": "https://motcua.quangnam.gov.vn",
                                                    **preflight})
    assert good.headers["access-control-allow-origin"] == "https://motcua.quangnam.gov.vn"
    bad = await client.options("/graphql", headers={"origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in bad.headers


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain",
                                          "multipart/form-data; boundary=x"])
async def test_non_json_posts_are_refused(client_for, content_type):
    client = await client_for()
    response = await client.post("/graphql", content=b"query={procedures{edges{node{code}}}}",
                                 headers={"content-type": content_type})
    assert response.status_code == 415 and codes(response) == ["BAD_USER_INPUT"]


async def test_mutation_over_get_is_refused(client_for):
    client = await client_for()
    response = await client.get("/graphql", params={"query": "mutation { logout }"})
    assert response.status_code in (400, 405)
    assert await AuditEntry.filter(action="logout").count() == 0


async def test_body_over_the_limit_is_refused(client_for):
    client = await client_for(limits=QueryLimits(body_bytes=10_000))
    response = await client.post("/graphql", json={"query": CATALOGUE, "variables": {"x": "a" * 20_000}})
    assert response.status_code == 413


@pytest.mark.parametrize("body", [b"\xff\xfe\x00garbage", b"[1, 2]", b"\"just a string\"", b"{"])
async def test_malformed_bodies_get_clear_errors(client_for, body):
    client = await client_for()
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and codes(response) == ["BAD_USER_INPUT"]


async def test_anonymous_flood_is_limited_by_address(client_for):
    client = await client_for(rates=Limits(per_address=5, per_user=100, window=60))
    answers = [await client.post("/graphql", json={"query": CATALOGUE}) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429, 429]
    assert codes(answers[-1]) == ["RATE_LIMITED"] and int(answers[-1].headers["retry-after"]) >= 1


async def test_service_answers_a_user_while_an_address_floods(client_for):
    client = await client_for(rates=Limits(per_address=3, per_user=100, window=60))
    login = await client.post("/graphql", json=RIGHT)
    token = login.json()["data"]["login"]["accessToken"]
    flood = await asyncio.gather(*(client.post("/graphql", json={"query": "{ __typename " + "x" * 0 + "}"})
                                   for _ in range(30)))
    assert sum(r.status_code == 429 for r in flood) >= 25
    mine = await client.post("/graphql", json={"query": "{ me { username } }"},
                             headers={"authorization": f"Bearer {token}"})
    assert mine.json() == {"data": {"me": {"username": "lan"}}}


async def test_failed_logins_back_off(client_for):
    client = await client_for()
    wrong = {"query": LOGIN, "variables": {"u": "lan", "p": "sai-mat-khau"}}
    answers = [await client.post("/graphql", json=wrong) for _ in range(6)]
    assert [codes(a)[0] for a in answers] == ["UNAUTHENTICATED"] * 5 + ["RATE_LIMITED"]
    right = await client.post("/graphql", json=RIGHT)
    assert codes(right) == ["RATE_LIMITED"]  # even the right password waits out the back-off
    await bursts.flush(everything=True)
    refused = await AuditEntry.filter(action="login", object_id="lan", outcome="DENIED")
    assert sum(e.occurrences for e in refused if "too many failed" in e.reason) == 2
    assert sum(e.occurrences for e in refused if "invalid username" in e.reason) == 5
    assert len(refused) == 4  # two bursts: each its first entry and one with the count


async def test_partner_limited_to_persisted_operations(client_for, world):
    allowed = "query Track($c: String!) { trackDossier(code: $c) { status } }"
    issued = await issue_partner_token(
        actor=SYSTEM, partner_name="Cổng DVC quốc gia", scopes=["dossier:read"], unit_code="49",
        expires_in_days=30, allowed_operations=[hashlib.sha256(allowed.encode()).hexdigest()])
    client = await client_for()
    headers = {"authorization": f"Bearer {issued.token}"}
    ok = await client.post("/graphql", json={"query": allowed, "variables": {"c": "X"}}, headers=headers)
    assert ok.json() == {"data": {"trackDossier": None}}
    other = await client.post("/graphql", json={"query": "{ dossiers { totalCount } }"}, headers=headers)
    assert other.status_code == 403 and codes(other) == ["FORBIDDEN"]
    over_get = await client.get("/graphql", params={"query": "{ dossiers { totalCount } }"},
                                headers=headers)
    assert over_get.status_code == 403
    assert await Dossier.all().count() == 0
