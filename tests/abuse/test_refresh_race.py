"""Racing a refresh token: of five rotations of one token (a batch, or concurrent requests)
exactly one gets a new pair, and the reuse ends the session."""

from __future__ import annotations

import asyncio

import pytest

from audit import bursts
from models import AuditEntry, Session
from models.errors import Unauthenticated
from policies import ANONYMOUS
from resolvers import identity
from tests.conftest import KEYS

LOGIN = """mutation { login(username: "lan", password: "mat-khau-12345") {
  accessToken refreshToken } }"""
REFRESH = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }"


async def test_a_batch_of_five_rotations_issues_one_pair_and_ends_the_session(client_for):
    client = await client_for()
    pair = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]
    batch = [{"query": REFRESH, "variables": {"t": pair["refreshToken"]}}] * 5
    answers = (await client.post("/graphql", json=batch)).json()
    issued = [a["data"]["refreshToken"] for a in answers if a.get("data")]
    assert len(issued) == 1
    assert [a["errors"][0]["extensions"]["code"] for a in answers if a.get("errors")] == [
        "UNAUTHENTICATED"] * 4
    # the reuse revoked the session: the one pair issued is dead too
    me = await client.post("/graphql", json={"query": "{ me { username } }"},
                           headers={"authorization": f"Bearer {issued[0]['accessToken']}"})
    assert me.status_code == 401
    assert (await Session.get()).revoked_at is not None
    await bursts.flush(everything=True)
    assert await AuditEntry.filter(action="token:refresh", outcome="ALLOWED").count() == 1
    assert await AuditEntry.filter(action="session:revoke").count() == 1


@pytest.mark.postgres_only
async def test_concurrent_rotations_issue_one_pair_and_end_the_session(world):
    pair = await identity.login(actor=ANONYMOUS, ring=KEYS, username="lan", password="mat-khau-12345")

    async def rotate():
        try:
            return await identity.refresh(actor=ANONYMOUS, ring=KEYS, token=pair.refresh_token)
        except Unauthenticated as refused:
            return refused

    results = await asyncio.gather(*(rotate() for _ in range(5)))
    assert sum(not isinstance(r, Unauthenticated) for r in results) == 1
    assert (await Session.get()).revoked_at is not None
    assert await AuditEntry.filter(action="token:refresh", outcome="ALLOWED").count() == 1
    assert await AuditEntry.filter(action="session:revoke").count() == 1
