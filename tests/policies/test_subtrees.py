"""A commune clerk, a district leader and a province inspector each see exactly their
subtree — in `dossiers`, `dossier`, `totalCount` and `metrics` alike."""

from __future__ import annotations

from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers import clock
from resolvers.dossiers import Applicant, Reception, receive_dossier
from resolvers.identity import create_user, grant_role
from tests.graphql import execute
from tests.world import build_world

PLACES = {"20335": "1.001193", "20341": "1.001193", "20401": "1.001193", "502": "1.001612",
          "503": "1.001612", "49": "1.004227"}
LIST = "{ dossiers(first: 100) { totalCount edges { node { code } } } }"
ONE = "query($c: String!) { dossier(code: $c) { code } }"
METRICS = "query($u: String!, $d: Date!) { metrics(unitCode: $u, from: $d, to: $d) { received } }"


async def person(username: str, role: str, unit: str) -> Actor:
    await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                      display_name=username)
    await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


async def test_each_official_sees_exactly_their_subtree(db):
    world = await build_world()
    codes_at: dict[str, str] = {}
    for unit, procedure in PLACES.items():
        dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
            procedure_code=procedure, unit_code=unit, channel="IN_PERSON",
            applicant=Applicant(name="Lý Thị Sen")))
        codes_at[unit] = dossier.code
    today = clock.local_date(clock.now()).isoformat()
    officials = {
        ("clerk", "CLERK", "20335"): {"20335"},
        ("leader", "LEADER", "502"): {"502", "20335", "20341"},
        ("inspector", "INSPECTOR", "49"): set(PLACES),
    }
    for (username, role, unit), subtree in officials.items():
        actor = await person(username, role, unit)
        listed = (await execute(LIST, actor)).data["dossiers"]
        assert {e["node"]["code"] for e in listed["edges"]} == {codes_at[u] for u in subtree}
        assert listed["totalCount"] == len(subtree)
        for place, code in codes_at.items():
            seen = (await execute(ONE, actor, c=code)).data["dossier"]
            assert (seen is not None) == (place in subtree), (username, place)
        metrics = await execute(METRICS, actor, u=unit, d=today)
        assert metrics.data["metrics"]["received"] == len(subtree), username
        outside = "503" if unit != "49" else None
        if outside:
            refused = await execute(METRICS, actor, u=outside, d=today)
            assert refused.codes == ["FORBIDDEN"]
    assert world.units["49"].path == "/49/"
