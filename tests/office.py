"""A small office for the shape tests and the baseline's: 60 dossiers at Phường An Mỹ, a clerk,
a specialist there, a leader of Tam Kỳ and the province's inspector, each logged in over HTTP."""

from __future__ import annotations

import pytest

from benchmarks import scenarios
from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.graphql import execute
from tests.world import applicant

PASSWORD = "mat-khau-12345"
OFFICIALS = (("hung", "LEADER", "502"), ("minh", "INSPECTOR", "49"), ("thanh", "SPECIALIST", "20335"))
LOGIN = "mutation L($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"
DOSSIERS = 60


@pytest.fixture
async def office(province_with_clerk, client_for):
    """(http client, {username: authorization header}); every other dossier is in processing."""
    world = province_with_clerk
    for username, role, unit in OFFICIALS:
        await create_user(actor=SYSTEM, username=username, password=PASSWORD, display_name=username)
        await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    clerk = world.actor("lan", ("CLERK", "20335"))
    specialist = world.actor("thanh", ("SPECIALIST", "20335"))
    for i in range(DOSSIERS):
        received = await execute(scenarios.RECEIVE, clerk, input={
            "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
            "applicant": applicant(name=f"Người thứ {i}")})
        if i % 2:
            code = received.data["receiveDossier"]["dossier"]["code"]
            await execute(scenarios.TRANSITION, specialist, code=code, action="START_PROCESSING")
    http = await client_for()
    tokens = {}
    for username in ("lan", *(o[0] for o in OFFICIALS)):
        answer = await http.post("/graphql", json={"query": LOGIN, "variables": {"u": username,
                                                                                 "p": PASSWORD}})
        tokens[username] = {"authorization": f"Bearer {answer.json()['data']['login']['accessToken']}"}
    return http, tokens
