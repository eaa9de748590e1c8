"""The working calendar an administrator keeps: list, set and clear days, audited, with the
days `migrate` loads; deadlines already set do not move, later ones follow."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime

import pytest

import cli
from models import AuditEntry, CalendarOverride, Dossier, Procedure
from policies import ANONYMOUS, ROOT, Actor, ActorKind, Grant
from resolvers import clock
from tests.graphql import execute
from tests.world import applicant, at, build_world

LIST = """query L($f: Date, $t: Date) { calendarOverrides(from: $f, to: $t) {
  date working reason source setAt } }"""
SET = """mutation S($d: Date!, $w: Boolean!, $r: String!, $s: String) {
  setCalendarDay(date: $d, working: $w, reason: $r, source: $s) { date working reason source } }"""
CLEAR = """mutation C($d: Date!) { clearCalendarDay(date: $d) }"""
RECEIVE = """mutation R($input: ReceiveDossierInput!) { receiveDossier(input: $input) {
  dossier { code dueAt } } }"""


@pytest.fixture
async def world(db):
    return await build_world()


def admin(world):
    """The system administrator: one national calendar is kept at the root."""
    return Actor(kind=ActorKind.USER, username="quantri", grants=(Grant("ADMIN", ROOT, ROOT),))


async def due_day(world, when: str) -> tuple[str, str]:
    clerk = world.actor("lan", ("CLERK", "502"))
    result = await execute(RECEIVE, clerk, input={
        "procedureCode": "1.001612", "unitCode": "502", "channel": "IN_PERSON",
        "applicant": applicant(), "receivedAt": at(when).isoformat()})
    assert result.errors == []
    dossier = result.data["receiveDossier"]["dossier"]
    local = datetime.fromisoformat(dossier["dueAt"]).astimezone(clock.LOCAL_TZ)
    return dossier["code"], local.date().isoformat()


async def test_anyone_reads_the_announced_days_with_their_documents(world):
    result = await execute(LIST, ANONYMOUS, f="2026-01-01", t="2026-01-31")
    assert result.errors == []
    assert result.data["calendarOverrides"] == [
        {"date": "2026-01-02", "working": False, "setAt": None,
         "reason": "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01/2026)",
         "source": "Công văn 12729/VPCP-KGVX ngày 25/12/2025 (Văn phòng Chính phủ)"},
        {"date": "2026-01-10", "working": True, "setAt": None,
         "reason": "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026",
         "source": "Công văn 12729/VPCP-KGVX ngày 25/12/2025 (Văn phòng Chính phủ)"}]
    everything = await execute(LIST, ANONYMOUS)
    days = {d["date"]: d["working"] for d in everything.data["calendarOverrides"]}
    assert days["2025-04-26"] is True and days["2025-05-02"] is False  # TB 6150
    assert days["2026-08-22"] is True and days["2026-08-31"] is False  # TB 9441
    assert days["2026-11-24"] is False  # Ngày Văn hóa Việt Nam, NQ 28/2026/QH16


async def test_set_a_day_off_changes_later_deadlines_only(world, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: at("2026-02-27 09:00"))
    before_code, before_due = await due_day(world, "2026-02-27 09:00")  # Fri + 3 → Wed 4 Mar
    assert before_due == "2026-03-04"
    # when the administrator declares Monday 2 March 2026 a day off (a typhoon, say)
    result = await execute(SET, admin(world), d="2026-03-02", w=False, r="Nghỉ do bão số 3",
                           s="Quyết định 123/QĐ-UBND")
    assert result.errors == []
    assert result.data["setCalendarDay"] == {"date": "2026-03-02", "working": False,
                                             "reason": "Nghỉ do bão số 3",
                                             "source": "Quyết định 123/QĐ-UBND"}
    # then the change is on the trail with its values, the open dossier keeps its appointment
    entry = await AuditEntry.get(action="calendar:set")
    assert (entry.actor_username, entry.object_type, entry.object_id) == (
        "quantri", "CalendarDay", "2026-03-02")
    assert entry.changes == {"working": [None, False], "reason": [None, "Nghỉ do bão số 3"],
                             "source": [None, "Quyết định 123/QĐ-UBND"]}
    kept = await Dossier.get(code=before_code)
    assert clock.local_date(kept.due_at).isoformat() == "2026-03-04"
    # and a dossier received now counts without Monday: Tue 3, Wed 4, Thu 5
    _, after_due = await due_day(world, "2026-02-27 09:00")
    assert after_due == "2026-03-05"


async def test_override_takes_away_a_holiday_the_package_adds(world, monkeypatch):
    # Ngày Văn hóa Việt Nam 2026 is a day off (NQ 28/2026/QH16); a province that must work it
    # (a thought experiment) can say so, and the day counts again
    monkeypatch.setattr(clock, "now", lambda: at("2026-11-23 09:00"))
    _, due = await due_day(world, "2026-11-23 09:00")  # Mon + 3: Wed 25, Thu 26, Fri 27
    assert due == "2026-11-27"
    result = await execute(SET, admin(world), d="2026-11-24", w=True, r="Thử: làm việc")
    assert result.errors == []
    entry = await AuditEntry.get(action="calendar:set")
    assert entry.changes["working"] == [False, True]
    _, due = await due_day(world, "2026-11-23 09:00")
    assert due == "2026-11-26"


async def test_clear_gives_the_day_back_to_the_package(world, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: at("2026-01-05 09:00"))
    await Procedure.filter(code="1.001612").update(processing_days=5)
    _, due = await due_day(world, "2026-01-05 09:00")
    assert due == "2026-01-10"  # Công văn 12729/VPCP-KGVX: Saturday 10 January is worked
    result = await execute(CLEAR, admin(world), d="2026-01-10")
    assert result.errors == [] and result.data["clearCalendarDay"] is True
    assert not await CalendarOverride.exists(day="2026-01-10")
    entry = await AuditEntry.get(action="calendar:clear")
    assert entry.changes["working"] == [True, None]
    # with Sat 10 Jan no longer worked (but Fri 2 Jan still off): Mon 5 + 5 → Mon 12
    _, due = await due_day(world, "2026-01-05 09:00")
    assert due == "2026-01-12"


async def test_clear_a_day_never_set_is_not_found(world):
    result = await execute(CLEAR, admin(world), d="2026-03-03")
    assert result.codes == ["NOT_FOUND"]
    assert await AuditEntry.filter(action="calendar:clear").count() == 0


@pytest.mark.parametrize("role", ["CLERK", "LEADER", "INSPECTOR", "ADMIN"])
async def test_only_the_system_administrator_changes_the_calendar(world, role):
    """A province's ADMIN included: the calendar is the country's, like the policy."""
    someone = world.actor("ai", (role, "49"))
    count = await CalendarOverride.all().count()
    result = await execute(SET, someone, d="2026-03-02", w=False, r="Không được")
    assert result.codes == ["FORBIDDEN"]
    cleared = await execute(CLEAR, someone, d="2026-01-02")
    assert cleared.codes == ["FORBIDDEN"]
    assert await CalendarOverride.all().count() == count
    assert await CalendarOverride.exists(day="2026-01-02")
    denied = await AuditEntry.filter(action__in=["calendar:set", "calendar:clear"]).order_by("id")
    assert [(e.action, e.outcome.value) for e in denied] == [("calendar:set", "DENIED"),
                                                            ("calendar:clear", "DENIED")]


@pytest.mark.parametrize(("variables", "field"), [
    ({"d": "1999-12-31", "w": False, "r": "Xa quá"}, "date"),
    ({"d": "2026-03-02", "w": False, "r": "   "}, "reason"),
    ({"d": "2026-03-02", "w": False, "r": "Lý do", "s": "x" * 256}, "source"),
])
async def test_bad_input_names_the_field_and_writes_nothing(world, variables, field):
    result = await execute(SET, admin(world), **variables)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert not await CalendarOverride.exists(day="2026-03-02")
    assert await AuditEntry.filter(action="calendar:set").count() == 0


@pytest.mark.skipif(os.environ.get("MOTCUA_TEST_BACKEND", "sqlite") != "sqlite",
                    reason="the command line on a database of its own; one dialect is enough")
@pytest.mark.filterwarnings("ignore:Config file .* not found")  # no .env file in the checkout
def test_command_line_sets_lists_and_clears_audited_as_system(sqlite_template, tmp_path,
                                                              monkeypatch, capsys):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)  # as `app.py migrate` leaves it
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{path}")

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    code, listed, _ = run("calendar", "list", "--from", "2026-01-01", "--to", "2026-01-31")
    assert code == 0 and "2026-01-02  off" in listed and "12729/VPCP-KGVX" in listed
    assert run("calendar", "set", "2026-03-02", "--off", "--reason", "Nghỉ do bão",
               "--source", "Quyết định 123/QĐ-UBND")[0] == 0
    assert run("calendar", "clear", "2026-01-10")[0] == 0
    code, _, error = run("calendar", "clear", "2026-01-10")
    assert code == 2 and "no calendar override on 2026-01-10" in error
    with sqlite3.connect(path) as conn:
        days = dict(conn.execute("SELECT day, is_working_day FROM calendar_overrides"))
        entries = conn.execute("SELECT actor_username, action, object_id FROM audit_entries "
                               "ORDER BY seq").fetchall()
    assert days["2026-03-02"] == 0 and "2026-01-10" not in days
    assert entries == [("system", "calendar:set", "2026-03-02"),
                       ("system", "calendar:clear", "2026-01-10")]
    assert run("audit", "verify")[0] == 0
