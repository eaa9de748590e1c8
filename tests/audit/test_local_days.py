"""Plain dates are whole local days (Vietnam, UTC+7) in every audit filter and download."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from audit import recorder
from policies import SYSTEM
from resolvers import clock
from resolvers.identity import create_user, grant_role
from tests.world import at, build_world

LOG = """query($f: AuditFilter) { auditLog(filter: $f, first: 50) {
  edges { node { action at } } } }"""
LOGIN = 'mutation { login(username: "minh", password: "mat-khau-12345") { accessToken } }'
# Local times of three entries: the 20th just after midnight, late on the 20th, the 21st.
MOMENTS = {"early": "2026-11-20 00:30", "late": "2026-11-20 23:30", "next": "2026-11-21 00:10"}


@pytest.fixture
async def http(db, client_for, monkeypatch):
    await build_world()
    await create_user(actor=SYSTEM, username="minh", password="mat-khau-12345", display_name="Minh")
    await grant_role(actor=SYSTEM, username="minh", role="INSPECTOR", unit_code="49")
    for name, local in MOMENTS.items():
        monkeypatch.setattr(recorder, "now", lambda local=local: at(local).astimezone(UTC))
        await recorder.record(actor=SYSTEM, action=f"probe:{name}", unit_path="/49/")
    monkeypatch.setattr(recorder, "now", lambda: datetime.now(UTC))
    client = await client_for()
    token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
    client.headers["authorization"] = f"Bearer {token}"
    return client


async def probes(http, **flt) -> set[str]:
    body = (await http.post("/graphql", json={"query": LOG, "variables": {"f": flt}})).json()
    assert "errors" not in body, body
    return {e["node"]["action"] for e in body["data"]["auditLog"]["edges"]
            if e["node"]["action"].startswith("probe:")}


async def test_audit_log_plain_dates_are_whole_local_days(http):
    assert await probes(http, **{"from": "2026-11-20", "to": "2026-11-20"}) == {"probe:early",
                                                                                "probe:late"}
    assert await probes(http, **{"from": "2026-11-21", "to": "2026-11-21"}) == {"probe:next"}


async def test_audit_log_times_with_any_offset_mean_the_same_instant(http):
    local = await probes(http, **{"from": "2026-11-20T23:00:00+07:00"})
    utc = await probes(http, **{"from": "2026-11-20T16:00:00+00:00"})
    naive = await probes(http, **{"from": "2026-11-20T23:00:00"})  # no offset: local time
    assert local == utc == naive == {"probe:late", "probe:next"}


async def test_audit_export_plain_dates_are_whole_local_days(http):
    response = await http.get("/audit/export.csv", params={"from": "2026-11-20", "to": "2026-11-20"})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert {r["action"] for r in rows if r["action"].startswith("probe:")} == {"probe:early",
                                                                               "probe:late"}


async def test_weekly_report_defaults_to_the_local_day(http, monkeypatch):
    # 18:00 UTC on Thursday the 19th is already Friday the 20th in Vietnam
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 19, 18, 0, tzinfo=UTC))
    del http.headers["authorization"]  # issued at the real time: not yet valid at this one
    token = (await http.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
    response = await http.get("/reports/weekly.csv", params={"unitCode": "49"},
                              headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert "bao-cao-tuan-49-2026-11-20.csv" in response.headers["content-disposition"]
