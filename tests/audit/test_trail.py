"""The audit trail: exact entries for a dossier's life, tamper detection, and inspectors' view."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise import connections

from audit import chain
from models import AuditEntry
from policies import SYSTEM, Actor, ActorKind, grants_of
from resolvers.dossiers import Applicant, Reception, receive_dossier
from resolvers.identity import create_user, grant_role
from tests.conftest import AUDIT_KEY
from tests.graphql import execute
from tests.world import applicant, build_world

ROOT = Path(__file__).resolve().parents[2]
RECEIVE = """mutation Receive($i: ReceiveDossierInput!) {
  receiveDossier(input: $i) { dossier { code } } }"""
MOVE = """mutation Move($c: String!, $a: DossierAction!) {
  transitionDossier(code: $c, action: $a) { dossier { status } } }"""
HISTORY = """query History($c: String!) { dossier(code: $c) {
  history { action outcome actor { username roles } changes } } }"""


async def user(username: str, role: str, unit: str) -> Actor:
    await create_user(actor=SYSTEM, username=username, password="mat-khau-12345",
                      display_name=username)
    await grant_role(actor=SYSTEM, username=username, role=role, unit_code=unit)
    return Actor(kind=ActorKind.USER, username=username, grants=grants_of(username))


@pytest.fixture
async def people(db):
    await build_world()
    return {
        "clerk": await user("lan", "CLERK", "20335"),
        "specialist": await user("thanh", "SPECIALIST", "502"),
        "leader": await user("hung", "LEADER", "502"),
        "inspector": await user("minh", "INSPECTOR", "49"),
        "neighbour": await user("hoa", "INSPECTOR", "503"),
    }


async def test_dossier_life_leaves_exactly_these_entries(people):
    start = await AuditEntry.all().count()
    received = await execute(RECEIVE, people["clerk"], i={
        "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
        "applicant": applicant()})
    code = received.data["receiveDossier"]["dossier"]["code"]
    steps = [("specialist", "START_PROCESSING"), ("clerk", "FINISH"), ("leader", "FINISH"),
             ("clerk", "RETURN_RESULT")]
    for who, action in steps:
        await execute(MOVE, people[who], c=code, a=action)
    entries = await AuditEntry.filter(id__gt=start).order_by("id")
    # A successful write is one entry (with its changes); a refused one is the operation's.
    assert [(e.actor_username, e.action, e.outcome.value, e.object_id, e.operation_name)
            for e in entries] == [
        ("lan", "dossier:receive", "ALLOWED", code, "Receive"),
        ("thanh", "dossier:START_PROCESSING", "ALLOWED", code, "Move"),
        ("lan", "dossier:FINISH", "DENIED", code, "Move"),  # a clerk may not FINISH
        ("hung", "dossier:FINISH", "ALLOWED", code, "Move"),
        ("lan", "dossier:RETURN_RESULT", "ALLOWED", code, "Move"),
    ]
    denied = entries[2]
    assert denied.reason == "not allowed to FINISH dossier" and denied.actor_roles == "CLERK@20335"
    receive = entries[0]
    assert receive.changes["applicant_id_number"] == [None, "***"]  # never in clear
    assert receive.changes["status"] == [None, "RECEIVED"]
    assert [k for k, (old, new) in receive.changes.items() if new is None] == []  # no empty noise
    assert entries[3].changes["status"] == ["IN_PROCESSING", "FINISHED"]
    history = await execute(HISTORY, people["inspector"], c=code)
    assert [(h["action"], h["outcome"]) for h in history.data["dossier"]["history"]] == [
        ("dossier:receive", "ALLOWED"), ("dossier:START_PROCESSING", "ALLOWED"),
        ("dossier:FINISH", "DENIED"), ("dossier:FINISH", "ALLOWED"),
        ("dossier:RETURN_RESULT", "ALLOWED")]  # the refused attempt is part of its history
    assert (await chain.verify()).ok


async def test_reads_are_recorded_too(people):
    await execute("{ dossiers { totalCount } }", people["inspector"])
    entry = await AuditEntry.all().order_by("-id").first()
    assert (entry.action, entry.outcome.value, entry.actor_username) == (
        "query:dossiers", "ALLOWED", "minh")


async def _trail(people, count: int = 6) -> list[AuditEntry]:
    for i in range(count):
        await receive_dossier(actor=people["clerk"], reception=Reception(
            procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
            applicant=Applicant(name=f"Người {i}")))
    return await AuditEntry.all().order_by("id")


async def _sql(statement: str) -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":  # a superuser bypassing the trigger
        statement = (f"ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_immutable; "
                     f"{statement}; ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_immutable")
    await conn.execute_script(statement)


TAMPERING = {
    "altered": "UPDATE audit_entries SET actor_username = 'someone' WHERE id = {third}",
    "deleted": "DELETE FROM audit_entries WHERE id = {third}",
    "inserted": "INSERT INTO audit_entries (seq, prev_hash, hash, at, actor_kind, action, outcome)"
                " VALUES (9999, 'x', 'y', '2026-01-01 00:00:00+00:00', 'USER', 'forged', 'ALLOWED')",
    "reordered": "UPDATE audit_entries SET seq = -seq WHERE id IN ({third}, {fourth}); "
                 "UPDATE audit_entries SET seq = CASE WHEN id = {third} THEN {fourth_seq} "
                 "ELSE {third_seq} END WHERE id IN ({third}, {fourth})",
    "tail removed": "DELETE FROM audit_entries WHERE id = {last}",
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
async def test_verify_finds_tampering(people, database_url, kind):
    rows = await _trail(people)
    assert (await chain.verify()).ok
    env = {**os.environ, "DATABASE_URL": database_url, "AUDIT_KEY": AUDIT_KEY.decode()}
    intact = subprocess.run([sys.executable, "app.py", "audit", "verify"], cwd=ROOT, text=True,
                            capture_output=True, timeout=60, env=env)
    assert intact.returncode == 0, intact.stdout + intact.stderr  # the same key verifies
    third, fourth = rows[2], rows[3]
    await _sql(TAMPERING[kind].format(third=third.id, fourth=fourth.id, last=rows[-1].id,
                                      third_seq=third.seq, fourth_seq=fourth.seq))
    result = await chain.verify()
    assert not result.ok
    expected_bad = {"altered": third.id, "deleted": fourth.id, "reordered": third.id,
                    "inserted": None, "tail removed": None}[kind]
    if kind == "inserted":
        assert result.first_bad_id == (await AuditEntry.get(action="forged")).id
    else:
        assert result.first_bad_id == expected_bad, result
    cli = subprocess.run([sys.executable, "app.py", "audit", "verify"], cwd=ROOT, text=True,
                         capture_output=True, timeout=60, env=env)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert f"(first bad entry id: {result.first_bad_id})" in cli.stderr
    other_key = subprocess.run([sys.executable, "app.py", "audit", "verify"], cwd=ROOT, text=True,
                               capture_output=True, timeout=60, env={**env, "AUDIT_KEY": "x" * 32})
    assert other_key.returncode == 1  # a chain sealed with another key never verifies


@pytest.mark.postgres_only
async def test_postgres_refuses_update_and_delete_of_audit_rows(people):
    rows = await _trail(people, count=1)
    conn = connections.get("default")
    for statement in (f"UPDATE audit_entries SET reason = 'x' WHERE id = {rows[0].id}",
                      f"DELETE FROM audit_entries WHERE id = {rows[0].id}"):
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            await conn.execute_script(statement)
    assert await AuditEntry.all().count() == len(rows)


@pytest.mark.postgres_only
async def test_fifty_concurrent_writers_keep_the_chain_valid(people):
    async def write(i: int) -> None:
        await receive_dossier(actor=people["clerk"], reception=Reception(
            procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
            applicant=Applicant(name=f"Người {i}")))

    before = await AuditEntry.all().count()
    await asyncio.gather(*(write(i) for i in range(50)))
    result = await chain.verify()
    assert result.ok, result
    assert result.checked == before + 50
    seqs = await AuditEntry.all().order_by("seq").values_list("seq", flat=True)
    assert seqs == list(range(1, len(seqs) + 1))


LOG = """query Log($f: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $f, first: $first, after: $after) {
    edges { node { id action actor { username } unitPath outcome } }
    pageInfo { hasNextPage endCursor } } }"""


async def test_audit_log_is_limited_to_the_inspectors_jurisdiction(people):
    await _trail(people, count=2)
    province = await execute(LOG, people["inspector"], f={"action": "dossier:receive"})
    neighbour = await execute(LOG, people["neighbour"], f={"action": "dossier:receive"})
    assert len(province.data["auditLog"]["edges"]) == 2
    assert neighbour.data["auditLog"]["edges"] == []
    clerk = await execute(LOG, people["clerk"])
    assert clerk.codes == ["FORBIDDEN"]


async def test_audit_log_pages_by_keyset_without_repeats(people):
    await _trail(people, count=5)
    seen, after = [], None
    while True:
        page = (await execute(LOG, people["inspector"], f={"actor": "lan"}, first=2,
                              after=after)).data["auditLog"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 5


async def test_verify_audit_trail_query(people):
    await _trail(people, count=2)
    result = await execute("{ verifyAuditTrail { ok checked firstBadId } }", people["inspector"])
    assert result.data["verifyAuditTrail"]["ok"] is True
    assert result.data["verifyAuditTrail"]["checked"] >= 2


async def test_no_entry_no_answer(people, monkeypatch):
    from audit import recorder

    async def broken(fields):
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr(recorder, "append", broken)
    result = await execute("{ dossiers { totalCount } }", people["inspector"])
    assert result.data is None
    assert result.codes == ["INTERNAL_SERVER_ERROR"]
    # and a write whose entry fails leaves no change behind
    failed = await execute(RECEIVE, people["clerk"], i={
        "procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
        "applicant": applicant()})
    assert failed.data is None
    from models import Dossier
    assert await Dossier.all().count() == 0
