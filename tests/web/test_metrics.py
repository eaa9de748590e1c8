"""`/metrics`: Prometheus text that prometheus-client's parser reads, counting requests by
operation and outcome, GraphQL error codes and audit entries; served to allowed networks or
the scrape token only, behind the edge."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config import Operations
from models import AuditEntry
from tests.world import build_world
from web import metrics

CATALOGUE = "query Catalogue { procedures(first: 1) { edges { node { code } } } }"
FORBIDDEN = "query Desk { verifyAuditTrail { ok } }"


@pytest.fixture
async def client(db, client_for):
    await build_world()
    return await client_for()


async def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    answer = await client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(values, name: str, **labels: str) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_requests_errors_and_audit_entries(client):
    before = await scrape(client)
    for _ in range(3):
        assert (await client.post("/graphql", json={"query": CATALOGUE})).status_code == 200
    denied = await client.post("/graphql", json={"query": FORBIDDEN})
    assert denied.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    after = await scrape(client)
    ok = dict(route="/graphql", operation="Catalogue", outcome="OK")
    assert value(after, "motcua_requests_total", **ok) - value(before, "motcua_requests_total", **ok) == 3
    refused = dict(route="/graphql", operation="Desk", outcome="FORBIDDEN")
    assert value(after, "motcua_requests_total", **refused) - value(before, "motcua_requests_total",
                                                                    **refused) == 1
    assert value(after, "motcua_graphql_errors_total", code="FORBIDDEN") - \
        value(before, "motcua_graphql_errors_total", code="FORBIDDEN") == 1
    count = dict(route="/graphql", operation="Catalogue")
    assert value(after, "motcua_request_duration_seconds_count", **count) - \
        value(before, "motcua_request_duration_seconds_count", **count) == 3
    written = value(after, "motcua_audit_entries_total", outcome="ALLOWED") - \
        value(before, "motcua_audit_entries_total", outcome="ALLOWED")
    assert written == 3 == await AuditEntry.filter(outcome="ALLOWED").count()


async def test_rate_limit_refusals_are_counted(client_for, db):
    from policies.ratelimit import Limits

    client = await client_for(rates=Limits(per_address=1, per_user=100, window=60))
    before = await scrape(client)  # this scrape is the one request allowed
    assert (await client.post("/graphql", json={"query": CATALOGUE})).status_code == 429
    after = await scrape(await client_for())
    assert value(after, "motcua_rate_limited_total", caller="address") - \
        value(before, "motcua_rate_limited_total", caller="address") == 1


async def test_metrics_are_refused_outside_the_allowed_networks(client_for, db):
    client = await client_for(operations=Operations(metrics_allow=("10.20.0.0/16",)))
    refused = await client.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await AuditEntry.exists(action="http:403", object_id="/metrics")


async def test_metrics_token_opens_metrics_and_nothing_else(client_for, db):
    token = "scrape-" + "x" * 24
    client = await client_for(operations=Operations(metrics_allow=(), metrics_token=token))
    assert (await client.get("/metrics")).status_code == 403
    assert (await client.get("/metrics", headers={"authorization": "Bearer wrong-token"})).status_code == 401
    await scrape(client, authorization=f"Bearer {token}")
    desk = await client.post("/graphql", json={"query": FORBIDDEN},
                             headers={"authorization": f"Bearer {token}"})
    assert desk.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # an anonymous caller


async def test_operation_names_from_clients_are_bounded(client, monkeypatch):
    monkeypatch.setattr(metrics, "MAX_OPERATIONS", len(metrics._Names.seen))
    await client.post("/graphql", json={"query": "query Never1 { procedures(first: 1) { totalCount } }"})
    await client.post("/graphql", json={"query": "query Never2 { procedures(first: 1) { totalCount } }"})
    after = await scrape(client)
    names = {dict(labels).get("operation") for (name, labels) in after if name == "motcua_requests_total"}
    assert "_other" in names and not {"Never1", "Never2"} & names
