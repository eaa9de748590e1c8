"""PostgreSQL uses an index for every dossier list filter (checked with EXPLAIN on 60k rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections

from policies import Actor, ActorKind, Grant
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
PAGES = [DossierFilter(), DossierFilter(search="nguoi so 4242"), DossierFilter(overdue=True),
         DossierFilter(channel="POSTAL"), DossierFilter(status=("IN_PROCESSING",)),
         DossierFilter(procedure_code="1.001193"), DossierFilter(received_from=FROM, received_to=TO)]


async def test_every_filter_uses_an_index(filled):
    # one fill for all cases: loading 60k rows is the slow part
    for flt, unit, index in COUNTS:
        explained = await plan(filled, flt, unit=unit, count=True)
        assert index in explained, (flt, explained)
    for flt in PAGES:
        explained = await plan(filled, flt, unit="20335")
        assert "Seq Scan on dossiers" not in explained, (flt, explained)
