"""`dossiers(orderBy:)`: received, due and code, both directions, paged with keyset cursors
that hold the sort key and the id; dossiers without the key (not yet received) sort as if it
were the largest; a cursor of another order is refused by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.graphql import execute
from tests.world import applicant, build_world

RECEIVE = """mutation($input: ReceiveDossierInput!) { receiveDossier(input: $input) {
  dossier { code } } }"""
LIST = """query($first: Int, $after: String, $order: DossierOrder) {
  dossiers(first: $first, after: $after, orderBy: $order) {
    edges { cursor node { code receivedAt dueAt } } pageInfo { hasNextPage endCursor } } }"""
KEYS = {"RECEIVED": "receivedAt", "DUE": "dueAt", "CODE": "code"}


@pytest.fixture
async def world(db):
    world = await build_world()
    clerk = world.actor("lan", ("CLERK", "20335"))
    now = datetime.now(UTC).replace(microsecond=0)
    # Receptions at times that repeat (ties broken by id), and two not yet received (online).
    for i, hours in enumerate((30, 5, 30, 100, 5, 52, 30)):
        result = await execute(RECEIVE, clerk, input={
            "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
            "applicant": applicant(name=f"Người {i}"),
            "receivedAt": (now - timedelta(hours=hours)).isoformat()})
        assert result.errors == [], result.errors
    for i in range(2):
        result = await execute(RECEIVE, clerk, input={
            "procedureCode": "1.001193", "unitCode": "20335", "channel": "ONLINE",
            "applicant": applicant(name=f"Trực tuyến {i}")})
        assert result.errors == [], result.errors
    return world, clerk


def _expected(nodes: list[dict], field: str, descending: bool) -> list[str]:
    """The order the API promises: by the key (missing = largest), then by reception order."""
    key = KEYS[field]

    def sort_key(node: dict) -> tuple:
        value = node[key]
        parsed = datetime.fromisoformat(value) if value and key != "code" else value
        return (value is None, parsed if value is not None else 0, node["id"])

    return [n["code"] for n in sorted(nodes, key=sort_key, reverse=descending)]


async def _all_pages(clerk, order: dict, size: int) -> list[str]:
    codes, after = [], None
    while True:
        result = await execute(LIST, clerk, first=size, after=after, order=order)
        assert result.errors == [], result.errors
        page = result.data["dossiers"]
        codes += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return codes
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("field", ["RECEIVED", "DUE", "CODE"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_pages_follow_the_order_without_gaps_or_repeats(world, field, direction):
    _, clerk = world
    # the newest-first list gives each dossier's id order (newest = highest id)
    newest = await execute(LIST, clerk, first=100)
    nodes = [e["node"] for e in newest.data["dossiers"]["edges"]]
    for rank, node in enumerate(reversed(nodes)):
        node["id"] = rank
    assert sum(1 for n in nodes if n["receivedAt"] is None) == 2
    expected = _expected(nodes, field, direction == "DESC")
    # when paging by 1, 2, 3 (cursors land on ties and on the dossiers without the key)
    for size in (1, 2, 3, 100):
        assert await _all_pages(clerk, {"field": field, "direction": direction}, size) == expected


async def test_direction_defaults_to_descending(world):
    _, clerk = world
    desc = await _all_pages(clerk, {"field": "RECEIVED", "direction": "DESC"}, 100)
    assert await _all_pages(clerk, {"field": "RECEIVED"}, 100) == desc


async def test_a_cursor_of_another_order_is_refused_by_name(world):
    _, clerk = world
    page = await execute(LIST, clerk, first=2, order={"field": "DUE", "direction": "ASC"})
    cursor = page.data["dossiers"]["pageInfo"]["endCursor"]
    for order in ({"field": "DUE", "direction": "DESC"}, {"field": "RECEIVED"}, None):
        result = await execute(LIST, clerk, first=2, after=cursor, order=order)
        assert result.codes == ["BAD_USER_INPUT"], result.errors
        assert result.errors[0]["extensions"]["field"] == "after"
        assert "another order" in result.errors[0]["message"]
    newest = await execute(LIST, clerk, first=2)
    result = await execute(LIST, clerk, first=2, order={"field": "CODE"},
                           after=newest.data["dossiers"]["pageInfo"]["endCursor"])
    assert result.codes == ["BAD_USER_INPUT"] and "another order" in result.errors[0]["message"]


async def test_a_forged_cursor_is_refused(world):
    import base64

    _, clerk = world
    forged = base64.urlsafe_b64encode(b"dossier.received_at.desc:not-a-time|12").decode()
    result = await execute(LIST, clerk, first=2, after=forged, order={"field": "RECEIVED"})
    assert result.codes == ["BAD_USER_INPUT"] and result.errors[0]["extensions"]["field"] == "after"
