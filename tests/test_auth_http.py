"""Identity over HTTP: login, refresh rotation, logout, partner tokens, and every bad token → 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from models import AuditEntry, Dossier, PartnerToken
from policies import SYSTEM, tokens
from resolvers import clock
from resolvers.identity import create_user, grant_role
from tests.world import applicant, build_world

KEYS = tokens.KeyRing.from_env({"JWT_SECRET": "t" * 48}, production=False)
LOGIN = """mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) { accessToken refreshToken expiresAt } }"""
ME = "{ me { username kind roles { role unit { code } } } }"


@pytest.fixture
async def client(client_for):
    await build_world()
    await create_user(actor=SYSTEM, username="lan", password="mat-khau-du-dai", display_name="Lan")
    await grant_role(actor=SYSTEM, username="lan", role="CLERK", unit_code="20335")
    await create_user(actor=SYSTEM, username="admin", password="demo-admin-pw", display_name="A")
    await grant_role(actor=SYSTEM, username="admin", role="ADMIN", unit_code="49")
    return await client_for(keys=KEYS)


async def gql(http, query, token=None, **variables):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def login(http, username="lan", password="mat-khau-du-dai"):
    body = (await gql(http, LOGIN, u=username, p=password)).json()
    assert "errors" not in body, body
    return body["data"]["login"]


async def test_login_then_me_shows_roles(client):
    pair = await login(client)
    body = (await gql(client, ME, pair["accessToken"])).json()
    assert body["data"]["me"] == {"username": "lan", "kind": "USER",
                                  "roles": [{"role": "CLERK", "unit": {"code": "20335"}}]}


async def test_login_with_wrong_password_is_refused_and_audited(client):
    body = (await gql(client, LOGIN, u="lan", p="sai-mat-khau")).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"] is None
    entry = await AuditEntry.get(action="login", outcome="DENIED")
    assert entry.object_id == "lan" and "sai-mat-khau" not in json.dumps(entry.changes)


async def test_logout_revokes_access_and_refresh(client):
    pair = await login(client)
    assert (await gql(client, "mutation { logout }", pair["accessToken"])).json() == {
        "data": {"logout": True}}
    assert (await gql(client, ME, pair["accessToken"])).status_code == 401
    again = (await gql(client, "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
                       t=pair["refreshToken"])).json()
    assert again["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_refresh_rotates_and_reuse_revokes_the_session(client):
    pair = await login(client)
    refresh = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }"
    new = (await gql(client, refresh, t=pair["refreshToken"])).json()["data"]["refreshToken"]
    assert (await gql(client, ME, new["accessToken"])).status_code == 200
    reuse = (await gql(client, refresh, t=pair["refreshToken"])).json()
    assert reuse["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # the thief's reuse ended the session: the legitimate new tokens die too
    assert (await gql(client, ME, new["accessToken"])).status_code == 401


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides):
    now = int(clock.now().timestamp())
    return {"iss": "motcua", "aud": "motcua-api", "sub": "lan", "iat": now, "nbf": now,
            "exp": now + 600, "jti": "x" * 32, "typ": "access", "fam": "nosuch"} | overrides


def _rsa_public_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


async def _revoked_token(http) -> str:
    pair = await login(http)
    await gql(http, "mutation { logout }", pair["accessToken"])
    return pair["accessToken"]


async def _token(http, kind: str) -> str:
    kid = KEYS.current.kid
    if kind == "revoked":
        return await _revoked_token(http)
    if kind == "forged":
        return jwt.encode(_claims(), "f" * 48, algorithm="HS256", headers={"kid": kid})
    if kind == "alg-none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(_claims())}."
    if kind == "confusion":
        # an RS256 public key used as an HS256 secret (signed by hand: jose refuses to)
        signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(_claims())}"
        mac = hmac.new(_rsa_public_pem().encode(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    lifetime, now = timedelta(minutes=5), clock.now()
    ring = KEYS
    if kind == "expired":
        now -= timedelta(hours=1)
    elif kind == "not-yet-valid":
        now += timedelta(hours=1)
    elif kind in ("wrong-audience", "wrong-issuer"):
        field = {"wrong-audience": "audience", "wrong-issuer": "issuer"}[kind]
        ring = tokens.KeyRing(current=KEYS.current, **{field: "someone-else"})
    token, _ = tokens.issue(ring, subject="lan", token_type="access", lifetime=lifetime,
                            family="nosuch", now=now)
    return token


@pytest.mark.parametrize("kind", ["forged", "expired", "not-yet-valid", "wrong-audience",
                                  "wrong-issuer", "alg-none", "confusion", "revoked"])
async def test_bad_token_gets_http_401(client, kind):
    response = await gql(client, ME, await _token(client, kind))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer not.a.jwt", "Bearer mcp_x.y"])
async def test_malformed_authorization_gets_http_401(client, header):
    response = await client.post("/graphql", json={"query": ME}, headers={"authorization": header})
    assert response.status_code == 401


ISSUE = """mutation($i: IssuePartnerTokenInput!) { issuePartnerToken(input: $i) { token tokenId } }"""
RECEIVE = """mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"""


async def test_partner_token_works_within_scope_and_dies_on_revocation(client):
    # an administrator who also runs the province's desks may delegate receiving dossiers
    await grant_role(actor=SYSTEM, username="admin", role="CLERK", unit_code="49")
    admin = (await login(client, "admin", "demo-admin-pw"))["accessToken"]
    issued = (await gql(client, ISSUE, admin, i={
        "partnerName": "Bưu điện tỉnh Quảng Nam", "scopes": ["dossier:receive"],
        "unitCode": "502", "expiresInDays": 30})).json()["data"]["issuePartnerToken"]
    token = issued["token"]
    stored = await PartnerToken.get(id=issued["tokenId"])
    assert token.split(".", 1)[1] not in stored.secret_hash  # only the hash is kept
    reception = {"procedureCode": "1.001193", "unitCode": "20335", "channel": "POSTAL",
                 "applicant": applicant()}
    ok = (await gql(client, RECEIVE, token, i=reception)).json()
    assert "errors" not in ok, ok
    assert (await PartnerToken.get(id=issued["tokenId"])).last_used_at is not None
    outside = (await gql(client, RECEIVE, token, i=reception | {"unitCode": "20401"})).json()
    assert outside["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    reads = (await gql(client, "{ dossiers { totalCount } }", token)).json()
    assert reads["data"]["dossiers"]["totalCount"] == 0  # no dossier:read scope
    await gql(client, "mutation($t: String!) { revokePartnerToken(tokenId: $t) }", admin,
              t=issued["tokenId"])
    assert (await gql(client, RECEIVE, token, i=reception)).status_code == 401
    assert await Dossier.all().count() == 1


async def test_clerk_cannot_issue_partner_tokens_or_grant_roles(client):
    clerk = (await login(client))["accessToken"]
    issued = (await gql(client, ISSUE, clerk, i={
        "partnerName": "X", "scopes": ["dossier:read"], "unitCode": "20335"})).json()
    assert issued["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    grant = (await gql(client, 'mutation { grantRole(username: "lan", role: "ADMIN", '
                               'unitCode: "20335") }', clerk)).json()
    assert grant["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await PartnerToken.all().count() == 0
    assert (await gql(client, ME, clerk)).json()["data"]["me"]["roles"] == [
        {"role": "CLERK", "unit": {"code": "20335"}}]
