"""Tokens that outlive what they name: a deleted user's access and refresh tokens get 401."""

from __future__ import annotations

from tortoise import connections

from models import User
from policies import SYSTEM
from resolvers.identity import issue_partner_token

LOGIN = """mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) { accessToken refreshToken } }"""
REFRESH = "mutation($t: String!) { refreshToken(token: $t) { accessToken } }"
ME = "{ me { username } }"


async def _login(client) -> dict:
    body = (await client.post("/graphql", json={"query": LOGIN, "variables": {
        "u": "lan", "p": "mat-khau-12345"}})).json()
    return body["data"]["login"]


async def _delete_user_row(username: str) -> None:
    """As an operator might, straight in the database and without the cascade (the sqlite3
    shell has foreign keys off by default; on PostgreSQL, with the triggers disabled)."""
    user = await User.get(username=username)
    await _sql_without_foreign_keys(f"DELETE FROM users WHERE id = {user.id}")


async def _sql_without_foreign_keys(statements: str) -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"SET session_replication_role = replica; {statements}; "
                                  "SET session_replication_role = DEFAULT")
    else:
        await conn.execute_script(f"PRAGMA foreign_keys = OFF; {statements}; PRAGMA foreign_keys = ON")


async def test_access_token_of_a_deleted_user_gets_401(client_for):
    client = await client_for()
    pair = await _login(client)
    await _delete_user_row("lan")
    response = await client.post("/graphql", json={"query": ME},
                                 headers={"authorization": f"Bearer {pair['accessToken']}"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_refresh_token_of_a_deleted_user_gets_unauthenticated(client_for):
    client = await client_for()
    pair = await _login(client)
    await _delete_user_row("lan")
    response = await client.post("/graphql", json={"query": REFRESH,
                                                   "variables": {"t": pair["refreshToken"]}})
    assert response.status_code == 200
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]


async def test_partner_token_whose_unit_row_vanished_gets_401(client_for, world):
    issued = await issue_partner_token(actor=SYSTEM, partner_name="Bưu điện", unit_code="20341",
                                       scopes=["dossier:read"], expires_in_days=30)
    await _sql_without_foreign_keys(
        f"DELETE FROM agencies WHERE unit_id = {world.units['20341'].id}; "
        f"DELETE FROM administrative_units WHERE id = {world.units['20341'].id}")
    client = await client_for()
    response = await client.post("/graphql", json={"query": "{ dossiers { totalCount } }"},
                                 headers={"authorization": f"Bearer {issued.token}"})
    assert response.status_code == 401
