"""Structured logs: one JSON line per request with its id, operation, caller, unit, outcome and
duration, and none of the applicant's personal data, even for requests that carried it."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime

import pytest

from policies import SYSTEM
from resolvers.identity import create_user, grant_role
from tests.world import applicant, build_world
from web.logs import JsonFormatter, redact

ID_NUMBER, PHONE, ADDRESS = "049090001234", "0905123456", "12 Phan Châu Trinh"
RECEIVE = """mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) { dossier { code applicant { idNumber phone address } } } }"""
LOGIN = 'mutation Login { login(username: "lan", password: "mat-khau-12345") { accessToken } }'


@pytest.fixture
def captured():
    """Everything logged, formatted as the server formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


async def test_each_request_is_one_json_line_without_personal_data(db, client_for, captured):
    await build_world()
    await create_user(actor=SYSTEM, username="lan", password="mat-khau-12345", display_name="Lan")
    await grant_role(actor=SYSTEM, username="lan", role="CLERK", unit_code="20335")
    client = await client_for()
    token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]["accessToken"]
    received = await client.post("/graphql", json={"query": RECEIVE, "variables": {"input": {
        "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
        "applicant": applicant(idNumber=ID_NUMBER, phone=PHONE, address=ADDRESS + ", An Mỹ")}}},
        headers={"authorization": f"Bearer {token}", "x-request-id": "not-trusted"})
    assert received.json()["data"]["receiveDossier"]["dossier"]["applicant"]["idNumber"] == ID_NUMBER
    await client.get("/graphql", params={"query": f'{{ trackDossier(code: "{PHONE}") {{ status }} }}'})
    await client.post("/graphql", json={"query": RECEIVE, "variables": {"input": {"applicant": {
        "name": "x", "idNumber": ID_NUMBER}}}})  # invalid: the error must not echo it either
    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    requests = [line for line in lines if line["logger"] == "motcua.request"]
    assert len(requests) == 4
    receive = requests[1]
    assert receive["request_id"] == received.headers["x-request-id"]
    assert {k: receive[k] for k in ("operation", "operation_type", "actor", "actor_kind", "unit",
                                    "outcome", "status", "route", "method")} == {
        "operation": "Receive", "operation_type": "mutation", "actor": "lan", "actor_kind": "USER",
        "unit": "20335", "outcome": "OK", "status": 200, "route": "/graphql", "method": "POST"}
    assert receive["duration_ms"] > 0
    assert requests[3]["outcome"] == "BAD_USER_INPUT" and requests[3]["actor"] == "anonymous"
    for secret in (ID_NUMBER, PHONE, ADDRESS, "Nguyễn Văn An"):
        assert secret not in text


def test_digit_runs_like_id_and_phone_numbers_are_redacted():
    assert redact('Key (applicant_id_number)=(049090001234) already exists') == \
        "Key (applicant_id_number)=([redacted]) already exists"
    assert redact("gọi 0905 123 456 hoặc +84 905-123-456") == "gọi [redacted] hoặc [redacted]"
    kept = "request 1f2e3d took 12 ms at 2026-11-20T09:30:00 from 127.0.0.1, dossier UB20335-260302-0001"
    assert redact(kept) == kept


def test_a_line_holds_what_orjson_cannot_write():
    """Lines are written by orjson; a value it refuses (an integer beyond 64 bits, a key that is
    not a string) still makes a JSON line, through the standard library."""
    record = logging.LogRecord("motcua.test", logging.INFO, __file__, 1, "odd", None, None)
    record.fields = {"count": 2**70, 7: "seven", "when": datetime(2026, 11, 29, tzinfo=UTC)}
    line = json.loads(JsonFormatter().format(record))
    assert (line["count"], line["7"], line["message"]) == (2**70, "seven", "odd")
    assert line["when"].startswith("2026-11-29")
