"""PostgreSQL uses an index for every dossier list filter and every audit filter (checked with
EXPLAIN on 60k rows), on each of the audit trail's monthly partitions."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections

from models.partitions import LOCAL_TZ
from policies import Actor, ActorKind, Grant
from resolvers.audit_log import AuditFilter, AuditOutcome
from resolvers.dossiers import DossierFilter
from resolvers.dossiers.queries import _filtered
from tests.world import build_world

pytestmark = pytest.mark.postgres_only

FILL = """
INSERT INTO dossiers (code, procedure_id, unit_id, agency_id, unit_path, desk_path, channel, status,
  national_status_code, applicant_name, applicant_kind, search_text, submitted_at, received_at,
  legal_due_at, due_at, ended_at, supplement_count, fee, paid_online, components_digitized,
  result_electronic, version, created_at, updated_at)
SELECT 'X-' || g, 1, u.id, a.id, u.path, u.path,
  (ARRAY['IN_PERSON','ONLINE','POSTAL'])[1 + g % 3],
  CASE WHEN g % 10 = 0 THEN 'IN_PROCESSING' ELSE 'RETURNED' END, 4,
  'Người ' || g, 'CITIZEN', 'x-' || g || ' nguoi so ' || md5(g::text),
  now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval,
  now() - ((g - 3000) || ' minutes')::interval, now() - ((g - 3000) || ' minutes')::interval,
  CASE WHEN g % 10 = 0 THEN NULL ELSE now() END, 0, 0, false, false, false, 1, now(), now()
FROM generate_series(1, 60000) g
JOIN administrative_units u ON u.code = (ARRAY['20335','20341','20401','502','503'])[1 + g % 5]
JOIN agencies a ON a.unit_id = u.id
"""


@pytest.fixture
async def filled(db):
    world = await build_world()
    conn = connections.get("default")
    await conn.execute_script(FILL)
    await conn.execute_script("ANALYZE dossiers")
    return world


async def plan(world, flt: DossierFilter, *, unit: str = "49", count: bool = False) -> str:
    unit_row = world.units[unit]
    actor = Actor(kind=ActorKind.USER, username="l",
                  grants=(Grant(role="LEADER", unit_code=unit, unit_path=unit_row.path),))
    query = await _filtered(actor, flt)
    sql = (query.count() if count else query.order_by("-id").limit(21)).sql(params_inline=True)
    _, rows = await connections.get("default").execute_query("EXPLAIN " + sql)
    return "\n".join(r["QUERY PLAN"] for r in rows)


FROM, TO = datetime.now(UTC) - timedelta(hours=2), datetime.now(UTC) - timedelta(hours=1)
COUNTS = [
    (DossierFilter(), "20335", "dossier_unit_path_pattern"),
    (DossierFilter(received_from=FROM, received_to=TO), "49", "dossier_received_id"),
    (DossierFilter(search="nguoi so 4242"), "49", "dossier_search_trgm"),
    (DossierFilter(overdue=True), "49", "dossier_open_due"),
    (DossierFilter(status=("IN_PROCESSING",)), "49", "dossier_status_path"),
    (DossierFilter(desk_code="20335"), "20335", "dossier_desk_path_pattern"),
]
# Pages (newest first, 51 rows) and the index that must serve them ("" = any, no sequential
# scan). Today the jurisdiction alone, overdue, channel, status and procedure pages walk the
# primary key backwards with a filter: fine while matches are dense among recent dossiers,
# not for a small commune's page at a million rows. The COUNTs of a channel or procedure
# filter over a province are sequential scans (not asserted): issue 15's targets.
PAGES = [(DossierFilter(), ""), (DossierFilter(search="nguoi so 4242"), "dossier_search_trgm"),
         (DossierFilter(overdue=True), ""), (DossierFilter(channel="POSTAL"), ""),
         (DossierFilter(status=("IN_PROCESSING",)), ""), (DossierFilter(procedure_code="1.001193"), ""),
         (DossierFilter(received_from=FROM, received_to=TO), "dossier_received_id")]


async def test_every_filter_uses_an_index(filled):
    # one fill for all cases: loading 60k rows is the slow part
    for flt, unit, index in COUNTS:
        explained = await plan(filled, flt, unit=unit, count=True)
        assert index in explained, (flt, explained)
    for flt, index in PAGES:
        for unit in ("20335", "502", "49"):  # a commune clerk, a district leader, the province
            explained = await plan(filled, flt, unit=unit)
            assert "Seq Scan on dossiers" not in explained, (flt, unit, explained)
            assert index in explained, (flt, unit, explained)


async def test_the_live_counters_of_metrics_read_only_the_open_dossiers_index(filled):
    # given the dossiers' pages marked all-visible, as autovacuum leaves them
    from resolvers.metrics.measures import in_progress_sql

    conn = connections.get("default")
    await conn.execute_script("VACUUM dossiers")
    for unit in ("20335", "502", "49"):
        path = filled.units[unit].path.replace("'", "''")
        # when a unit's metrics count its dossiers in progress and overdue
        sql = in_progress_sql(f"'{path}%'", "now()")
        _, rows = await conn.execute_query("EXPLAIN " + sql)
        explained = "\n".join(r["QUERY PLAN"] for r in rows)
        # then PostgreSQL reads the open dossiers under the path from the index alone
        assert "Index Only Scan using dossier_open_path" in explained, (unit, explained)


AUDIT_FILL = """
INSERT INTO audit_entries (at, actor_kind, actor_username, actor_roles, action, object_type,
  object_id, unit_path, outcome, operation_name, occurrences)
SELECT now() - ((60000 - g) || ' seconds')::interval, 'USER', 'user' || (g % 200), 'CLERK@20335',
  CASE WHEN g % 500 = 7 THEN 'policy:add'
       ELSE (ARRAY['query:dossiers','dossier:receive','dossier:FINISH','login'])[1 + g % 4] END,
  CASE WHEN g % 4 IN (1, 2) THEN 'Dossier' END,
  CASE WHEN g % 4 IN (1, 2) THEN 'X-' || (g / 4) END,
  (ARRAY['/49/502/20335/','/49/502/20341/','/49/503/20401/','/49/502/','/49/'])[1 + g % 5],
  CASE WHEN g % 50 = 0 THEN 'DENIED' ELSE 'ALLOWED' END, 'Op', 1
FROM generate_series(1, 60000) g
"""


@pytest.fixture
async def audited(db):
    world = await build_world()
    conn = connections.get("default")
    await conn.execute_script(AUDIT_FILL)
    await conn.execute_script("ANALYZE audit_entries")
    return world


async def audit_plan(world, flt: AuditFilter, unit: str) -> str:
    from resolvers.audit_log import _filtered as audit_filtered

    actor = world.actor("thanh.tra", ("INSPECTOR", unit))
    sql = (await audit_filtered(actor, flt)).order_by("-id").limit(51).sql(params_inline=True)
    _, rows = await connections.get("default").execute_query("EXPLAIN " + sql)
    return "\n".join(r["QUERY PLAN"] for r in rows)


AT = datetime.now(UTC) - timedelta(hours=12)
# (filter, the inspector's unit, the index that must serve the page; "" = any index, no
# sequential scan). Where matches are dense among recent entries (a common action, the
# province's own entries) walking the primary key backwards is the cheapest plan and stays
# cheap as the trail grows; where they are rare or old, an index of their own (issue 15, (e):
# p50 not growing with the trail).
AUDIT_PAGES = [
    (AuditFilter(actor="user7"), "49", "audit_actor"),
    (AuditFilter(object_type="Dossier", object_id="X-4242"), "49", "audit_object"),
    (AuditFilter(action="dossier:FINISH"), "49", ""),
    (AuditFilter(action="policy:add"), "49", "audit_action"),
    (AuditFilter(unit_code="20341"), "49", ""),
    (AuditFilter(outcome=AuditOutcome.DENIED), "49", "audit_outcome"),
    # At 60k entries the planner walks the partition's primary key (id, at) backwards with
    # the range as its index condition; the month's partition bounds it (test below).
    (AuditFilter(at_from=AT, at_to=AT + timedelta(minutes=10)), "49", ""),
    (AuditFilter(), "20335", ""),
]


# The trail is partitioned by month (migration 0013): an index declared on audit_entries is
# one index per partition, named by PostgreSQL (audit_entries_2026_11_actor_username_id_idx).
PARTITION_INDEXES = """
SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::regclass
"""


async def partition_indexes(index: str) -> set[str]:
    """The index `index` of audit_entries as it exists on each partition."""
    rows = await connections.get("default").execute_query_dict(PARTITION_INDEXES, [index])
    return {row["name"] for row in rows}


async def test_every_audit_filter_uses_an_index(audited):
    rows = await connections.get("default").execute_query_dict(
        "SELECT DISTINCT tableoid::regclass::text AS name FROM audit_entries")
    filled = {row["name"] for row in rows}
    for flt, unit, index in AUDIT_PAGES:
        explained = await audit_plan(audited, flt, unit)
        # No partition holding entries is read whole; an empty one may be (it costs nothing:
        # after ANALYZE the planner knows it has no page).
        assert not [name for name in filled if f"Seq Scan on {name} " in explained], (flt, explained)
        if index:
            assert any(name in explained for name in await partition_indexes(index)), (flt, explained)


# The audit search sends the jurisdiction as one text[] of prefixes, so every inspector's
# search of one shape is the same statement with the same plan: PostgreSQL keeps a generic plan
# instead of planning each execution anew (issue 15, (e): at 300,000 entries planning two
# `LIKE $n` of a merged province took 1.3 ms, running the plan 0.2 ms).
async def searched(actor, flt: AuditFilter) -> tuple[str, list]:
    from resolvers.audit_log import _filtered as audit_filtered

    query = (await audit_filtered(actor, flt)).order_by("-id").limit(51)
    query._make_query()
    return query.query.get_parameterized_sql()


async def test_the_audit_search_is_one_statement_whatever_the_scope(audited):
    commune = audited.actor("a", ("INSPECTOR", "20335"))
    two_districts = audited.actor("b", ("INSPECTOR", "502"), ("INSPECTOR", "503"))
    for flt in (AuditFilter(actor="user7"), AuditFilter(object_type="Dossier", object_id="X-1"),
                AuditFilter()):
        (sql_one, params_one), (sql_two, params_two) = [await searched(a, flt)
                                                        for a in (commune, two_districts)]
        assert sql_one == sql_two, (sql_one, sql_two)
        assert "LIKE ANY((SELECT $1::text[])::text[])" in sql_one
        assert params_one[0] == ["/49/502/20335/%"]
        assert params_two[0] == ["/49/502/%", "/49/503/%"]


def literal(value: object) -> str:
    """A test's own parameter as SQL text (EXECUTE takes no bound parameters)."""
    if isinstance(value, list):
        return "ARRAY[" + ",".join(map(literal, value)) + "]"
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


async def test_the_audit_searchs_generic_plan_uses_the_filters_index(audited):
    two_districts = audited.actor("b", ("INSPECTOR", "502"), ("INSPECTOR", "503"))
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "SELECT DISTINCT tableoid::regclass::text AS name FROM audit_entries")
    filled = {row["name"] for row in rows}
    for flt, index in ((AuditFilter(actor="user7"), "audit_actor"),
                       (AuditFilter(object_type="Dossier", object_id="X-4242"), "audit_object")):
        sql, params = await searched(two_districts, flt)
        async with conn.acquire_connection() as raw:  # one session: PREPARE lives in it
            await raw.execute("SET plan_cache_mode = force_generic_plan")
            await raw.execute(f"PREPARE search AS {sql}")
            try:
                rows = await raw.fetch(f"EXPLAIN EXECUTE search({', '.join(map(literal, params))})")
            finally:
                await raw.execute("DEALLOCATE search; RESET plan_cache_mode")
        explained = "\n".join(r[0] for r in rows)
        # the generic plan, not one made for these values (the patterns are the InitPlan's)
        assert re.search(r"\$[1-9]", explained), explained
        assert any(name in explained for name in await partition_indexes(index)), explained
        # no partition holding entries is read whole (empty ones may be, as above)
        assert not [name for name in filled if f"Seq Scan on {name} " in explained], explained


async def test_a_custom_plan_of_the_audit_search_cannot_see_the_prefixes(audited):
    """PostgreSQL keeps a generic plan only when its custom plans are no cheaper. With the
    prefixes hidden from the planner (models/scope.py: the array through a scalar subquery) a
    custom plan estimates the search's rows as the generic plan does, so PostgreSQL settles
    on the generic one; with the array bound bare a custom plan saw a province's prefix
    match every row, costed the generic plan dearer, and every search was planned anew."""
    province = audited.actor("c", ("INSPECTOR", "49"))
    sql, params = await searched(province, AuditFilter(actor="user7"))
    rows = []
    async with connections.get("default").acquire_connection() as raw:
        for mode in ("force_custom_plan", "force_generic_plan"):
            await raw.execute(f"SET plan_cache_mode = {mode}")
            await raw.execute(f"PREPARE search AS {sql}")
            try:
                plan = await raw.fetchval(
                    f"EXPLAIN (FORMAT JSON) EXECUTE search({', '.join(map(literal, params))})")
            finally:
                await raw.execute("DEALLOCATE search; RESET plan_cache_mode")
            scan = next(p for p in json.loads(plan)[0]["Plan"]["Plans"]
                        if p.get("Parent Relationship") != "InitPlan")
            rows.append(scan["Plan Rows"])  # what the filters are estimated to leave
    assert rows[0] == rows[1], rows


async def test_a_time_range_reads_only_its_months_partition(audited):
    # given entries in the current month's partition, and the months around it
    month = datetime.now(UTC).astimezone(LOCAL_TZ).replace(day=15, hour=12)
    for when in (month - timedelta(days=31), month + timedelta(days=31)):
        await connections.get("default").execute_script(
            "INSERT INTO audit_entries (at, actor_kind, action, outcome) "
            f"VALUES ('{when.isoformat()}', 'USER', 'query:dossiers', 'ALLOWED')")
    # when an inspector asks for one hour of this month
    explained = await audit_plan(audited, AuditFilter(at_from=month, at_to=month + timedelta(hours=1)),
                                 "49")
    # then PostgreSQL plans for that month's partition alone
    scanned = set(re.findall(r" on (audit_entries_\w+)", explained))
    assert scanned == {f"audit_entries_{month:%Y_%m}"}, explained



ORDERS = [("RECEIVED", "DESC", "dossier_received_id"), ("RECEIVED", "ASC", "dossier_received_id"),
          ("DUE", "DESC", "dossier_due_id"), ("DUE", "ASC", "dossier_due_id"),
          ("CODE", "ASC", "dossiers_code_key"), ("CODE", "DESC", "dossiers_code_key")]


async def test_every_dossier_order_uses_an_index(filled):
    from resolvers.dossiers.queries import (
        ORDER_COLUMNS,
        DossierOrderField,
        SortDirection,
    )
    from resolvers.ordering import _ordered

    actor = Actor(kind=ActorKind.USER, username="l", grants=(
        Grant(role="LEADER", unit_code="49", unit_path=filled.units["49"].path),))
    for field, direction, index in ORDERS:
        column, unique = ORDER_COLUMNS[DossierOrderField(field)]
        query = _ordered(await _filtered(actor, DossierFilter()), column,
                         SortDirection(direction) is SortDirection.DESC, unique)
        sql = query.limit(51).sql(params_inline=True)
        _, rows = await connections.get("default").execute_query("EXPLAIN " + sql)
        explained = "\n".join(r["QUERY PLAN"] for r in rows)
        assert "Seq Scan on dossiers" not in explained and index in explained, (field, explained)


async def test_the_unfiltered_page_uses_an_index(filled):
    # the list every official opens has a statement of its own (models/rows.py `newest`)
    from models.scope import Scope
    from resolvers import lookups

    conn = connections.get("default")
    for unit in ("20335", "502", "49"):
        for below in (None, 10**9):
            scope = Scope((filled.units[unit].path,))
            assert await lookups.DOSSIERS.newest(scope, below, 51)
            key = (True, "newest", "unit_path", 1, below is None)
            values = [filled.units[unit].path + "%", *([below] if below else []), 51]
            _, rows = await conn.execute_query("EXPLAIN " + lookups.DOSSIERS._texts[key], values)
            explained = "\n".join(r["QUERY PLAN"] for r in rows)
            assert "Seq Scan on dossiers" not in explained, (unit, explained)
