"""Time filters mean instants, whatever offset the caller writes them in (SQLite stores
times as text: a filter in +07:00 compared as text against UTC would find nothing), and a
plain date means the whole local day. Every datetime the use cases store is UTC."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tortoise import connections
from tortoise.fields import DatetimeField

from demo.seed import load_demo
from models import AuditEntry, Dossier, DossierEvent, Feedback, PartnerToken, Session, User
from policies import ROOT, SYSTEM, Actor, ActorKind, grants_of
from resolvers import feedback, identity
from resolvers.dossiers import (
    Applicant,
    Reception,
    extend_dossier,
    receive_dossier,
    transition_dossier,
)
from resolvers.identity import create_user, grant_role
from resolvers.lifecycle import DossierAction as A
from tests.conftest import BACKEND, KEYS
from tests.graphql import execute
from tests.world import at, build_world

HANOI = timezone(timedelta(hours=7))
# PostgreSQL stores instants (timestamptz); SQLite stores text, which must all be UTC.
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite stores datetimes as text")
LOG = """query($f: AuditFilter) { auditLog(filter: $f, first: 100) { edges { node { id } } } }"""
DOSSIERS = """query($f: DossierFilter) { dossiers(filter: $f, first: 100) {
  edges { node { code } } } }"""
LOGIN = 'mutation { login(username: "vuong", password: "mat-khau-12345") { accessToken } }'


@pytest.fixture
async def inspector(db) -> Actor:
    await build_world()
    await create_user(actor=SYSTEM, username="vuong", password="mat-khau-12345", display_name="V")
    await grant_role(actor=SYSTEM, username="vuong", role="INSPECTOR", unit_code=ROOT)
    await grant_role(actor=SYSTEM, username="vuong", role="CLERK", unit_code="49")
    return Actor(kind=ActorKind.USER, username="vuong", grants=grants_of("vuong"))


def written(instant: datetime, offset: timezone) -> str:
    return instant.astimezone(offset).isoformat()


async def ids(actor: Actor, **flt: str) -> list[int]:
    """The console operator's entries matching `flt` (the inspector's own reads add more)."""
    result = await execute(LOG, actor, f={"actor": "system", **flt})
    assert result.errors == [], result.errors
    return sorted(int(e["node"]["id"]) for e in result.data["auditLog"]["edges"])


async def test_audit_log_time_filters_mean_the_same_instant_in_any_offset(inspector):
    entries = await AuditEntry.filter(actor_username="system").order_by("id")
    middle = entries[len(entries) // 2]
    expected_from = [e.id for e in entries if e.at >= middle.at]
    expected_to = [e.id for e in entries if e.at < middle.at]
    for offset in (UTC, HANOI, timezone(timedelta(hours=-5))):
        assert await ids(inspector, **{"from": written(middle.at, offset)}) == expected_from
        assert await ids(inspector, to=written(middle.at, offset)) == expected_to


async def test_audit_log_plain_dates_are_whole_local_days(inspector):
    today = datetime.now(UTC).astimezone(HANOI).date()
    everything = await ids(inspector)
    assert await ids(inspector, **{"from": today.isoformat(), "to": today.isoformat()}) == everything
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert await ids(inspector, **{"from": tomorrow}) == []


async def test_audit_export_time_filters_in_any_offset(inspector, client_for):
    client = await client_for()
    token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"]
    headers = {"authorization": f"Bearer {token['accessToken']}"}
    first = await AuditEntry.filter(action="role:grant").order_by("id").first()
    rows = {}
    for offset in (UTC, HANOI):
        response = await client.get("/audit/export.csv", headers=headers, params={
            "from": written(first.at, offset), "action": "role:grant"})
        assert response.status_code == 200
        rows[offset] = [r["id"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert rows[UTC] == rows[HANOI] == [
        str(i) for i in await AuditEntry.filter(action="role:grant").order_by("id")
        .values_list("id", flat=True)]


async def test_dossier_reception_filters_in_any_offset(inspector):
    # received at 06:30 and 23:30 local time on 2 March 2026, and 00:30 on 3 March
    codes = []
    for when in ("2026-03-02 06:30", "2026-03-02 23:30", "2026-03-03 00:30"):
        dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
            procedure_code="1.001193", unit_code="20335", channel="IN_PERSON",
            applicant=Applicant(name="Lê Văn Tám"), received_at=at(when)))
        codes.append(dossier.code)

    async def found(**flt: str) -> list[str]:
        result = await execute(DOSSIERS, inspector, f=flt)
        assert result.errors == [], result.errors
        return sorted(e["node"]["code"] for e in result.data["dossiers"]["edges"])

    evening = at("2026-03-02 23:00")
    for offset in (UTC, HANOI, timezone(timedelta(hours=9))):
        assert await found(receivedFrom=written(evening, offset)) == sorted(codes[1:])
        assert await found(receivedTo=written(evening, offset)) == codes[:1]
    assert await found(receivedFrom="2026-03-02", receivedTo="2026-03-02") == sorted(codes[:2])
    assert await found(receivedFrom="2026-03-03") == codes[2:]


async def _offsets(models: tuple) -> set[tuple[str, str, str]]:
    """(model, column, offset) of every stored datetime text (SQLite)."""
    conn = connections.get("default")
    offsets = set()
    for model in models:
        columns = [f.source_field or name for name, f in model._meta.fields_map.items()
                   if isinstance(f, DatetimeField)]
        for column in columns:
            rows = await conn.execute_query_dict(
                f'SELECT "{column}" AS v FROM "{model._meta.db_table}" WHERE "{column}" IS NOT NULL')
            offsets |= {(model.__name__, column, r["v"][-6:]) for r in rows}
    return offsets


@sqlite_only
async def test_generated_demo_dossiers_store_utc(db):
    await load_demo(dossiers=60)
    offsets = await _offsets((Dossier, DossierEvent))
    assert {o for o in offsets if o[2] != "+00:00"} == set() and len(offsets) > 5


@sqlite_only
async def test_every_stored_datetime_is_utc(inspector):
    # given a life that touches every table with a time: sessions, tokens, dossiers and their
    # events, extensions, supplements, feedback, the trail
    await identity.login(actor=SYSTEM, ring=KEYS, username="vuong", password="mat-khau-12345")
    issued = await identity.issue_partner_token(actor=SYSTEM, partner_name="P", unit_code="49",
                                                scopes=["dossier:read"], expires_in_days=30)
    await identity.revoke_partner_token(actor=SYSTEM, token_id=issued.token_id)
    dossier = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code="20335", channel="ONLINE",
        applicant=Applicant(name="Lê Văn Tám", id_number="049190001234"),
        received_at=at("2026-03-02 23:30")))
    for step in (A.ACCEPT, A.START_PROCESSING, A.REQUEST_SUPPLEMENT, A.SUPPLEMENT):
        dossier = await transition_dossier(actor=SYSTEM, code=dossier.code, action=step,
                                           note="Bổ sung giấy tờ")
    await extend_dossier(actor=SYSTEM, code=dossier.code, new_due_at=datetime.now(HANOI)
                         + timedelta(days=30), reason="Cần xác minh")
    await transition_dossier(actor=SYSTEM, code=dossier.code, action=A.FINISH)
    row, _ = await feedback.submit_complaint(actor=SYSTEM, unit_code="20335", content="Chậm")
    await feedback.handle_complaint(actor=SYSTEM, feedback_id=row.id, response="Đã xử lý")
    await feedback.rate_dossier(actor=SYSTEM, dossier_code=dossier.code, rating=5,
                                applicant_id_number="049190001234")
    # then every datetime column of every row is UTC text
    offsets = await _offsets((AuditEntry, Dossier, DossierEvent, Feedback, PartnerToken, Session,
                              User))
    assert {o for o in offsets if o[2] != "+00:00"} == set()
    assert len(offsets) > 15
