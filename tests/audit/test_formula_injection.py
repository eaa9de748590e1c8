"""Exported spreadsheets carry no formulas: whatever a caller typed (a login name, a request
id, a unit's name) is text in the audit CSV and in the weekly report, CSV and XLSX."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from models import AdministrativeUnit, AuditEntry
from policies import ROOT, SYSTEM
from resolvers.cells import TRIGGERS
from resolvers.identity import create_user, grant_role
from resolvers.metrics.report import weekly_report
from tests.world import build_world

LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }'
# Formula, DDE and their disguises (OWASP CSV Injection), as login names
HOSTILE = ["=1+2", "+SUM(1,2)", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "|calc", "%0A=1",
           "\t=1+2", "\r=1+2", " =1+2", "＝1+2", '"=1+2"']


def formula_like(cell: str) -> bool:
    """What a spreadsheet could evaluate: a trigger first, or after blanks."""
    return bool(cell) and (cell[0] in TRIGGERS or cell.lstrip()[:1] in TRIGGERS)


@pytest.fixture
async def http(client_for):
    await build_world()
    await create_user(actor=SYSTEM, username="vuong", password="mat-khau-12345",
                      display_name="Vương")
    await grant_role(actor=SYSTEM, username="vuong", role="INSPECTOR", unit_code=ROOT)
    return await client_for(trusted_proxies=("127.0.0.1",))


async def login(http, username: str, password: str = "mat-khau-12345", **headers: str):
    return await http.post("/graphql", json={"query": LOGIN, "variables": {
        "u": username, "p": password}}, headers=headers)


async def test_audit_export_writes_hostile_names_as_text(http):
    for i, name in enumerate(HOSTILE):  # from many addresses: one would soon have to wait
        await login(http, name, "sai", **{"x-forwarded-for": f"203.0.113.{i}"})
    token = (await login(http, "vuong")).json()["data"]["login"]["accessToken"]
    response = await http.get("/audit/export.csv", params={"action": "login"},
                              headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if formula_like(c)] == []
    object_ids = {row[rows[0].index("object_id")] for row in rows[1:]}
    assert {"'" + name for name in HOSTILE if formula_like(name)} <= object_ids


@pytest.mark.parametrize("given", ["=HYPERLINK(\"http://x\")", "-1+1", "@x", "a b", "x" * 65, "é1".encode()])
async def test_a_malformed_request_id_is_replaced(http, given):
    response = await http.post("/graphql", json={"query": "{ procedures(first: 1) { edges { cursor } } }"},
                               headers={"x-request-id": given})
    kept = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", kept)  # a fresh id of our own
    entry = await AuditEntry.filter(action="query:procedures").order_by("-id").first()
    assert entry.request_id == kept


async def test_a_well_formed_request_id_is_kept_only_from_a_trusted_proxy(http, client_for):
    given = "lb-7f3a.2026:0001"
    trusted = await http.post("/graphql", json={"query": "{ __typename }"},
                              headers={"x-request-id": given})
    assert trusted.headers["x-request-id"] == given
    direct = await client_for()  # no trusted proxies: the peer is the client itself
    answer = await direct.post("/graphql", json={"query": "{ __typename }"},
                               headers={"x-request-id": given})
    assert answer.headers["x-request-id"] != given


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_weekly_report_writes_hostile_unit_names_as_text(db, fmt):
    await build_world()
    await AdministrativeUnit.filter(code="20335").update(name="=HYPERLINK(\"http://x\",\"An Mỹ\")")
    await AdministrativeUnit.filter(code="20341").update(name="\t@SUM(1+1)*cmd|' /C calc'!A0")
    content, _, _ = await weekly_report(actor=SYSTEM, unit_code="502", week_ending=None, fmt=fmt)
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
        assert "'=HYPERLINK(\"http://x\",\"An Mỹ\")" in cells
    else:
        book = load_workbook(io.BytesIO(content))
        found = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in found)
        cells = [cell.value for cell in found if isinstance(cell.value, str)]
        assert "'=HYPERLINK(\"http://x\",\"An Mỹ\")" in cells
    assert [c for c in cells if formula_like(c)] == []
