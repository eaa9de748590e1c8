"""The weekly report over HTTP: the API's token, jurisdiction and audit."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from models import AuditEntry
from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.world import build_world

LOGIN = 'mutation { login(username: "hung", password: "mat-khau-12345") { accessToken } }'


@pytest.fixture
async def http(client_for):
    await build_world()
    await create_user(actor=SYSTEM, username="hung", password="mat-khau-12345", display_name="Hùng")
    await grant_role(actor=SYSTEM, username="hung", role="LEADER", unit_code="502")
    client = await client_for()
    token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]
    client.headers["authorization"] = f"Bearer {token['accessToken']}"
    return client


async def test_leader_downloads_the_weekly_xlsx(http):
    response = await http.get("/reports/weekly.xlsx", params={"unitCode": "502",
                                                              "weekEnding": "2026-11-20"})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Tuần", "Lũy kế năm"]
    assert await AuditEntry.filter(action="report:weekly", actor_username="hung").count() == 1


async def test_weekly_report_outside_jurisdiction_is_forbidden_and_audited(http):
    response = await http.get("/reports/weekly.csv", params={"unitCode": "503"})
    assert response.status_code == 403
    denied = await AuditEntry.get(action="report:weekly")
    assert denied.outcome == "DENIED"


async def test_weekly_report_refuses_an_unknown_format_and_a_bad_date(http):
    assert (await http.get("/reports/weekly.pdf", params={"unitCode": "502"})).status_code == 400
    bad = await http.get("/reports/weekly.csv", params={"unitCode": "502", "weekEnding": "thứ sáu"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
