"""Reading dossiers: filters, search, pagination, jurisdiction, tracking and query counts."""

from __future__ import annotations

import pytest

from models.dossiers import DossierStatus
from policies import ANONYMOUS, ROOT, Actor, ActorKind, Grant
from resolvers import kept
from tests.graphql import execute
from tests.sqlcount import count_queries
from tests.world import applicant, build_world

RECEIVE = """
mutation R($input: ReceiveDossierInput!) { receiveDossier(input: $input) { dossier { code } } }
"""
LIST = """
query List($filter: DossierFilter, $first: Int, $after: String) {
  dossiers(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { code applicant { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
NESTED = """
query Nested($first: Int) {
  dossiers(first: $first) {
    edges { node { code procedure { code name } unit { code name parent { code } }
                   events { action actor { username } } } }
  }
}
"""
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đặng Đức Em"]


@pytest.fixture
async def world(db):
    world = await build_world()
    for i, (unit, name) in enumerate([("20335", n) for n in NAMES] + [("20341", "Ngô Văn Giang")]):
        clerk = world.actor("clerk", ("CLERK", unit))
        channel = "ONLINE" if i % 2 else "IN_PERSON"
        result = await execute(RECEIVE, clerk, input={
            "procedureCode": "1.001193", "unitCode": unit, "channel": channel,
            "applicant": applicant(name=name)})
        assert result.errors == []
    return world


def names(result) -> list[str]:
    return [e["node"]["applicant"]["name"] for e in result.data["dossiers"]["edges"]]


async def test_dossiers_search_ignores_diacritics_and_case(world):
    leader = world.actor("lead", ("LEADER", "49"))
    result = await execute(LIST, leader, filter={"search": "nguyen van an"})
    assert names(result) == ["Nguyễn Văn An"]
    result = await execute(LIST, leader, filter={"search": "ĐẶNG"})
    assert names(result) == ["Đặng Đức Em"]


async def test_dossiers_search_treats_like_metacharacters_literally(world):
    leader = world.actor("lead", ("LEADER", "49"))
    for term in ("%", "_", "\\", "' OR 1=1 --"):
        result = await execute(LIST, leader, filter={"search": term})
        assert result.errors == [] and names(result) == [], term


async def test_dossiers_each_caller_sees_exactly_their_subtree(world):
    ward = await execute(LIST, world.actor("c", ("CLERK", "20335")))
    city = await execute(LIST, world.actor("l", ("LEADER", "502")))
    other = await execute(LIST, world.actor("i", ("INSPECTOR", "503")))
    trap = await execute(LIST, world.actor("t", ("INSPECTOR", "490")))  # /490/ is not /49/
    assert ward.data["dossiers"]["totalCount"] == 5
    assert "Ngô Văn Giang" not in names(ward)
    assert city.data["dossiers"]["totalCount"] == 6
    assert other.data["dossiers"]["totalCount"] == 0
    assert trap.data["dossiers"]["totalCount"] == 0


async def test_dossiers_unit_filter_cannot_widen_the_jurisdiction(world):
    clerk = world.actor("c", ("CLERK", "20335"))
    result = await execute(LIST, clerk, filter={"unitCode": "49"})
    assert result.data["dossiers"]["totalCount"] == 5
    result = await execute(LIST, clerk, filter={"unitCode": "20341"})
    assert result.data["dossiers"]["totalCount"] == 0


async def test_dossiers_filters_combine(world):
    leader = world.actor("lead", ("LEADER", "49"))
    online = await execute(LIST, leader, filter={"channel": "ONLINE"})
    assert online.data["dossiers"]["totalCount"] == 3
    new = await execute(LIST, leader, filter={"status": ["NEW"], "unitCode": "20335"})
    assert new.data["dossiers"]["totalCount"] == 2
    unknown = await execute(LIST, leader, filter={"procedureCode": "0.000000"})
    assert unknown.codes == ["BAD_USER_INPUT"]
    assert unknown.errors[0]["extensions"]["field"] == "filter.procedureCode"
    overdue = await execute(LIST, leader, filter={"overdue": True})
    assert overdue.data["dossiers"]["totalCount"] == 0


async def test_dossiers_paginate_without_gaps_or_repeats(world):
    leader = world.actor("lead", ("LEADER", "49"))
    seen, after = [], None
    while True:
        result = await execute(LIST, leader, first=4, after=after)
        page = result.data["dossiers"]
        seen += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 6


@pytest.mark.parametrize(("variables", "field"), [
    ({"first": -1}, "first"), ({"first": 0}, "first"), ({"first": 101}, "first"),
    ({"after": "not-a-cursor"}, "after"), ({"first": 2**31 - 1}, "first"),
])
async def test_dossiers_bad_paging_is_refused(world, variables, field):
    result = await execute(LIST, world.actor("lead", ("LEADER", "49")), **variables)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field


async def test_dossiers_nested_fields_cost_a_constant_number_of_queries(world):
    leader = world.actor("lead", ("LEADER", "49"))
    kept.forget_catalogue()  # both read their procedures and units (resolvers/kept.py)
    with count_queries() as small:
        await execute(NESTED, leader, first=1)
    kept.forget_catalogue()
    with count_queries() as large:
        result = await execute(NESTED, leader, first=6)
    assert len(result.data["dossiers"]["edges"]) == 6
    assert len(large) == len(small), large


async def test_dossier_outside_jurisdiction_reads_as_null(world):
    code = (await execute(LIST, world.actor("l", ("LEADER", "49")), first=1)).data[
        "dossiers"]["edges"][0]["node"]["code"]
    query = "query($c: String!) { dossier(code: $c) { code } }"
    assert (await execute(query, world.actor("l", ("LEADER", "502")), c=code)).data["dossier"]
    assert (await execute(query, world.actor("i", ("INSPECTOR", "503")), c=code)).data == {
        "dossier": None}
    assert (await execute(query, ANONYMOUS, c=code)).data == {"dossier": None}


async def test_track_dossier_is_public_and_has_no_personal_data(world):
    code = (await execute(LIST, world.actor("l", ("LEADER", "49")), first=1)).data[
        "dossiers"]["edges"][0]["node"]["code"]
    query = "query($c: String!) { trackDossier(code: $c) { code status procedure { name } } }"
    result = await execute(query, ANONYMOUS, c=code)
    assert result.data["trackDossier"]["code"] == code
    probe = await execute("query($c: String!) { trackDossier(code: $c) { applicant { name } } }",
                          ANONYMOUS, c=code)
    assert probe.codes == ["BAD_USER_INPUT"]  # the type has no such field


async def test_anonymous_cannot_list_dossiers(world):
    result = await execute(LIST, ANONYMOUS)
    assert result.data["dossiers"]["totalCount"] == 0


async def test_inspector_sees_identifiers_masked(world):
    inspector = world.actor("i", ("INSPECTOR", "49"))
    query = "{ dossiers(first: 1) { edges { node { applicant { idNumber phone address } } } } }"
    node = (await execute(query, inspector)).data["dossiers"]["edges"][0]["node"]
    assert node["applicant"] == {"idNumber": "*********234", "phone": "*******456",
                                 "address": "***"}


def _every_field(type_name: str) -> str:
    """A selection of every argument-free field of a type (objects by their own leaves, one
    level down), built from the schema: a field added later is read too."""
    from graphql import get_named_type, is_leaf_type, is_non_null_type

    from schema import schema as built

    graphql_type = built._schema.type_map[type_name]
    parts = []
    for name, field in graphql_type.fields.items():
        if any(is_non_null_type(a.type) for a in field.args.values()):
            continue  # a required argument: not an every-field read
        inner = get_named_type(field.type)
        if is_leaf_type(inner):
            parts.append(name)
        elif hasattr(inner, "fields"):
            leaves = [n for n, f in inner.fields.items()
                      if is_leaf_type(get_named_type(f.type)) and not f.args]
            parts.append(f"{name} {{ {' '.join(leaves) or '__typename'} }}")
    return " ".join(parts)


async def test_every_dossier_field_reads_the_same_in_a_list_and_alone(world):
    """Fields are computed on their first read (schema/dossiers.py Dossier.of): each one,
    in a page and by code, answers without error and the same."""
    admin = world.actor("an", ("ADMIN", "49"))
    fields = _every_field("Dossier")
    listed = await execute(f"{{ dossiers(first: 3) {{ edges {{ node {{ {fields} }} }} }} }}", admin)
    assert listed.errors == []
    nodes = [e["node"] for e in listed.data["dossiers"]["edges"]]
    assert len(nodes) == 3 and all(n["allowedActions"] and n["applicant"]["name"] for n in nodes)
    for node in nodes:
        alone = await execute(f"query($c: String!) {{ dossier(code: $c) {{ {fields} }} }}", admin,
                              c=node["code"])
        assert alone.errors == [] and alone.data["dossier"] == node


async def test_every_procedure_field_reads_the_same_under_a_dossier_and_alone(world):
    """A procedure made for a page computes its terms on first read (schema/deferred.py):
    every field under a dossier answers as the catalogue's own procedure query does."""
    admin = world.actor("an", ("ADMIN", "49"))
    fields = _every_field("Procedure").replace("channels { channel fee }",
                                               "channels { channel fee processingTime { label } }")
    listed = await execute(f"{{ dossiers(first: 2) {{ edges {{ node {{ procedure {{ {fields} }} }} }} }} }}",
                           admin)
    assert listed.errors == []
    for edge in listed.data["dossiers"]["edges"]:
        procedure = edge["node"]["procedure"]
        alone = await execute(f"query($c: String!) {{ procedure(code: $c) {{ {fields} }} }}", admin,
                              c=procedure["code"])
        assert alone.errors == [] and alone.data["procedure"] == procedure
        assert procedure["processingTime"]["label"] and len(procedure["channels"]) == 3


EVERY_STATUS = [s.value for s in DossierStatus]


async def _all_pages(actor, flt) -> list[tuple]:
    pages, after = [], None
    while True:
        result = await execute(LIST, actor, filter=flt, first=2, after=after)
        assert result.errors == [], result.errors
        page = result.data["dossiers"]
        pages.append((page["totalCount"], page["edges"], page["pageInfo"]["hasNextPage"]))
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("grants", [
    [("CLERK", "20335")], [("LEADER", "502")], [("LEADER", "49")], [("INSPECTOR", "503")],
    [("INSPECTOR", "490")], [("CLERK", "20335"), ("CLERK", "20341")], "root"])
async def test_the_unfiltered_list_reads_as_the_filtered_one(world, grants):
    # The list without a filter has a statement of its own (models/rows.py `newest`); a
    # filter that keeps every dossier goes through the ORM: the same pages, cursors, counts.
    actor = world.actor("x", *grants) if grants != "root" else Actor(
        kind=ActorKind.USER, username="quantri", grants=(Grant("ADMIN", ROOT, ROOT),))
    assert await _all_pages(actor, None) == await _all_pages(actor, {"status": EVERY_STATUS})
