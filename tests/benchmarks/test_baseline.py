"""The hand-written baseline of `make bench` answers exactly as motcua does (same bytes), and
its writes leave the same trail and rollups behind (PostgreSQL only: it speaks asyncpg)."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from audit import chain
from benchmarks import scenarios
from benchmarks.baseline.app import create_app
from models import AuditEntry
from resolvers.metrics import rollups
from tests.conftest import AUDIT_KEY, KEYS

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def both(office, database_url):
    """motcua and the baseline on the same database, with the same tokens."""
    motcua, tokens = office
    app = create_app(database_url, jwt_secret=KEYS.current.signing_key, audit_key=AUDIT_KEY,
                     pool_size=2)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as baseline:
            yield motcua, baseline, tokens


async def _same(both, user: str, request: dict) -> str:
    motcua, baseline, tokens = both
    expected = await motcua.post("/graphql", json=request, headers=tokens[user])
    answer = await baseline.post("/graphql", json=request, headers=tokens[user])
    assert expected.status_code == answer.status_code == 200
    assert "errors" not in expected.json(), expected.text
    assert answer.text == expected.text
    return answer.text


@pytest.mark.parametrize("user", ["lan", "hung", "minh"])
async def test_baseline_answers_a_page_as_motcua(both, user):
    await _same(both, user, scenarios.page())
    await _same(both, user, scenarios.page(first=7))


async def test_baseline_answers_one_dossier_as_motcua_masked_or_not(both):
    motcua, _, tokens = both
    codes = [e["node"]["code"] for e in (await motcua.post(
        "/graphql", json=scenarios.page(first=3), headers=tokens["lan"])).json()["data"]["dossiers"]["edges"]]
    for code in codes:
        assert '"idNumber":"049090001234"' in await _same(both, "lan", scenarios.one(code))
        assert '"idNumber":"*********234"' in await _same(both, "minh", scenarios.one(code))
    assert await _same(both, "lan", scenarios.one("UB00000-000000-0000")) == '{"data":{"dossier":null}}'


async def test_baseline_answers_the_audit_trail_and_metrics_as_motcua(both):
    await _same(both, "minh", scenarios.audit("thanh"))
    await _same(both, "minh", scenarios.audit("nobody"))
    year = date.today().year
    text = await _same(both, "minh", scenarios.metrics("49", f"{year}-01-01", f"{year}-12-31"))
    assert '"key":"502"' in text


def _normal(entry: AuditEntry, code: str) -> tuple:
    times = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d")
    changes = times.sub("T", str(entry.changes)).replace(code, "CODE")
    return entry.action, entry.object_type, entry.unit_path, entry.actor_roles, changes


async def test_baseline_writes_the_same_path_trail_and_rollups(both):
    motcua, baseline, tokens = both
    users = {"clerk": "lan", "specialist": "thanh", "leader": "hung"}
    trails, answers = [], []
    for http in (motcua, baseline):
        first = (await AuditEntry.all().order_by("-id").first()).id
        received = await http.post("/graphql", json=scenarios.receive("1.001193", "20335"),
                                   headers=tokens["lan"])
        code = received.json()["data"]["receiveDossier"]["dossier"]["code"]
        texts = [received.text.replace(code, "CODE")]
        for role, action in scenarios.STEPS:
            answer = await http.post("/graphql", json=scenarios.transition(code, action),
                                     headers=tokens[users[role]])
            texts.append(answer.text.replace(code, "CODE"))
        answers.append(texts)
        trails.append([_normal(e, code) for e in await AuditEntry.filter(id__gt=first).order_by("id")])
    assert answers[0] == answers[1]
    assert trails[0] == trails[1] and len(trails[0]) == 4
    assert (await chain.verify()).ok  # the baseline's entries are sealed into the same chain
    kept = sorted(await _stats())
    await rollups.rebuild()
    assert sorted(await _stats()) == kept  # both kept the rollups exact


async def _stats() -> list[tuple]:
    from tortoise import connections

    counters = ", ".join(rollups.ROLLUP_COUNTERS)
    rows = await connections.get("default").execute_query_dict(
        f"SELECT unit_id, 0 AS procedure_id, day, {counters} FROM unit_daily_stats UNION ALL "
        f"SELECT unit_id, procedure_id, month, {counters} FROM unit_procedure_monthly_stats")
    return [tuple(r.values()) for r in rows]
