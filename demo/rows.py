"""Synthetic dossiers as plain tuples: an applicant, a planned lifecycle, and its state at `now`.

Time is handled as integer epoch seconds and working days as positions in a list, so one
dossier costs a few dozen random draws; deadlines still come from `due_after` (cached per
reception day and length) and timeliness from `judge`, so the rows obey the app's rules.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from demo import inputs
from models.dossiers import Channel, DossierStatus
from resolvers.calendar import default_calendar
from resolvers.clock import local_date
from resolvers.codes import format_code
from resolvers.deadlines import judge
from resolvers.lifecycle import END_STATES, moves

if TYPE_CHECKING:  # the generator builds the timeline and imports this module
    from demo.generator import Timeline

DOSSIER_COLUMNS = (
    "id", "code", "procedure_id", "unit_id", "agency_id", "unit_path", "channel", "status",
    "national_status_code", "applicant_name", "applicant_kind", "applicant_id_number",
    "applicant_phone", "applicant_address", "search_text", "submitted_at", "received_at",
    "legal_due_at", "due_at", "finished_at", "returned_at", "ended_at", "timeliness",
    "supplement_count", "paused_at", "extension_reason", "extended_at", "fee", "paid_online",
    "paid_at", "components_digitized", "result_electronic", "idempotency_key", "version",
    "created_at", "updated_at", "certified_copies_electronic", "reused_digitized_data",
    "synced_to_portal_at", "processing_days",
    "received_unit_id", "unit_history", "desk_unit_id", "desk_path", "awaiting_assignment",
    *inputs.COLUMNS,
)
EVENT_COLUMNS = ("id", "dossier_id", "at", "action", "from_status", "to_status", "actor_username", "note")

# Plain strings, not enum members: asyncpg's COPY encoder and sqlite3 both want str.
NEW, RECEIVED, NOT_ACCEPTED, IN_PROCESSING, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED, WITHDRAWN, \
    STOPPED, FINISHED, RETURNED = (s.value for s in DossierStatus)
NATIONAL_CODE = {s.value: s.national_code for s in DossierStatus}
END = frozenset(s.value for s in END_STATES)
# The state machine itself, as plain strings: (status, action, received) → the next status.
# The generator plans lives by asking it, so it cannot drift from what the app allows.
NEXT = {(status.value, action.value, received): target.value
        for status in DossierStatus for received in (False, True)
        for action, target in moves(status, received).items()}
IN_PERSON, ONLINE, POSTAL = Channel.IN_PERSON.value, Channel.ONLINE.value, Channel.POSTAL.value

LEVEL_SHARE = {"COMMUNE": 0.62, "DISTRICT": 0.28, "PROVINCE": 0.10}
# How much more (or less) likely a procedure is per channel, by its online level; the
# channel itself is drawn first, so the overall shares stay at 55 / 40 / 5.
AFFINITY = {
    IN_PERSON: {"FULL": 0.5, "PARTIAL": 1.0, "NONE": 1.5},
    ONLINE: {"FULL": 3.0, "PARTIAL": 1.0, "NONE": 0.0},
    POSTAL: {"FULL": 1.0, "PARTIAL": 1.0, "NONE": 1.0},
}
PEAK_MONTHS = frozenset({3, 6, 9, 12})  # Quảng Nam's busiest months
P_REFUSE, P_ONE_SUPPLEMENT, P_TWO_SUPPLEMENTS, P_ABANDON = 0.07, 0.12, 0.015, 0.1
P_STOP, P_WITHDRAW, P_LATE, P_APOLOGY, P_UNCOLLECTED = 0.02, 0.02, 0.08, 0.4, 0.05
PORTAL, GATEWAY = "dvcqg", "thanh-toan-dvcqg"  # the national portal and its payment platform
# Decree 118 (from 1 July 2025): in-person and postal dossiers received at another public
# service centre of the province than the competent unit's own.
DECREE_118 = date(2025, 7, 1).toordinal()
P_OTHER_DESK = 0.08
REFUSALS = ("Hồ sơ không thuộc thẩm quyền giải quyết", "Thành phần hồ sơ không hợp lệ",
            "Thông tin kê khai không chính xác")
STOPS = ("Hồ sơ không đủ điều kiện giải quyết", "Người nộp không bổ sung hồ sơ theo yêu cầu")
APOLOGIES = ("Cần xác minh thêm thông tin tại địa phương", "Phải lấy ý kiến của cơ quan liên quan")
EPOCH = date(1970, 1, 1).toordinal()
OFFSET = 7 * 3600  # Vietnam is UTC+7 without daylight saving time
CLOSING = 17 * 3600

T = TypeVar("T")
# (name, kind, id number, phone, address, folded name)
Applicant = tuple[str, str, str | None, str | None, str, str]
# A planned transition: (epoch seconds, action, from status, to status, actor, note, argument);
# the argument is the pause length, the new due day (EXTEND) or paid online (CONFIRM_PAYMENT).
Event = tuple[int, str, str | None, str, str, str | None, int | bool]


class Weighted(Generic[T]):
    """A weighted choice by bisection on cumulative weights; zero weights are dropped."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items: list[T] = []
        self.cum: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                self.items.append(item)
                self.cum.append(total)
        self.total = total

    def pick(self, u: float) -> T:
        return self.items[bisect(self.cum, u * self.total, 0, len(self.cum) - 1)]


@dataclass(frozen=True, slots=True)
class Site:
    """A unit that receives dossiers, with its agency and what addresses there look like."""

    unit_id: int
    level: str
    path: str
    agency_id: int
    agency_code: str
    id_prefix: str
    tax_prefix: str
    places: tuple[tuple[str, str], ...]  # (address tail, village word or "" where streets)
    province: str = ""  # the province's path: desks receive for units of their province


@dataclass(frozen=True, slots=True)
class Proc:
    id: int
    level: str
    days: int
    fee: int
    online_level: str
    documents: tuple[str, ...]


def _office(u: float) -> int:
    """Seconds after local midnight within office hours: 7:30-11:30 and 13:30-17:00."""
    if u < 0.6:
        return 27000 + int(u / 0.6 * 14400)
    return 48600 + int((u - 0.6) / 0.4 * 12600)


def step(t: int, action: str, before: str, actor: str, note: str | None, arg: Any) -> Event:
    """One planned move; the status it leads to is the state machine's answer (NEXT), so a
    plan the app would refuse raises KeyError here instead of landing in the data."""
    return (t, action, before, NEXT[(before, action, before != NEW)], actor, note, arg)


class DossierFactory:
    """Builds dossier rows and their event rows; `counters` holds the last code sequences."""

    def __init__(self, rng: random.Random, timeline: Timeline, sites: Sequence[Site],
                 procedures: Sequence[Proc], counters: dict[tuple[str, int], int],
                 days: Sequence[int], now: datetime, applicant: Callable[[Site], Applicant]) -> None:
        self.rnd = rng.random
        self.calendar = default_calendar()
        self.tl = timeline
        self.counters = counters
        self.touched: dict[tuple[str, int], int] = {}
        self.now = int(now.timestamp())
        self.applicant = applicant
        self.menus: dict[tuple[str, str], Weighted[Proc]] = {}
        for level in LEVEL_SHARE:
            ranked = [p for p in procedures if p.level == level]
            for channel, affinity in AFFINITY.items():
                # Catalogue order stands for popularity: a gentle Zipf curve over it.
                menu = Weighted([(p, affinity[p.online_level] / (rank + 1) ** 0.7)
                                 for rank, p in enumerate(ranked)])
                if menu.items:
                    self.menus[level, channel] = menu
        served = [s for s in sites if (s.level, IN_PERSON) in self.menus]
        sizes = [0.4 + 1.6 * rng.random() for _ in served]
        level_size = {lv: sum(z for s, z in zip(served, sizes, strict=True) if s.level == lv)
                      for lv in LEVEL_SHARE}
        self.sites = Weighted([(s, LEVEL_SHARE[s.level] * z / level_size[s.level])
                               for s, z in zip(served, sizes, strict=True)])
        # Public service centres: the province's and the communes'.
        self.desks: dict[str, list[Site]] = {}
        for s in sites:
            if s.level != "DISTRICT":
                self.desks.setdefault(s.province, []).append(s)
        if not self.sites.items:
            raise ValueError("no unit has an agency and procedures of its level")
        # Some offices are slower than others: a per-site lateness between 0.3x and 1.7x.
        self.late = {s.unit_id: P_LATE * (0.3 + 1.4 * rng.random()) for s in served}
        self.days = Weighted([(pos, _day_weight(timeline.ordinals[pos], i / len(days)))
                              for i, pos in enumerate(days)])

    def build(self, dossier_id: int, event_id: int, events: list[tuple[Any, ...]]) -> tuple[tuple, int]:
        """One dossier row; its events are appended to `events`. Returns the row and next event id."""
        rnd = self.rnd
        site = self.sites.pick(rnd())
        u = rnd()
        channel = IN_PERSON if u < 0.55 else ONLINE if u < 0.95 else POSTAL
        menu = self.menus.get((site.level, channel))
        if menu is None:
            channel, menu = IN_PERSON, self.menus[site.level, IN_PERSON]
        proc = menu.pick(rnd())
        pos = self.days.pick(rnd())
        desk = site
        if (channel != ONLINE and self.tl.ordinals[pos] >= DECREE_118 and rnd() < P_OTHER_DESK
                and len(self.desks.get(site.province, ())) > 1):
            choices = self.desks[site.province]
            desk = choices[int(rnd() * len(choices))]
        plan, submitted, due, electronic = self._plan(site, desk, proc, channel == ONLINE, pos)
        return self._row(dossier_id, event_id, events, site, desk, proc, channel, plan, submitted,
                         due, electronic)

    def take_touched(self) -> dict[tuple[str, int], int]:
        """Code counters raised since the last call, as {(agency code, day ordinal): last sequence}."""
        touched, self.touched = self.touched, {}
        return touched

    def _later(self, pos: int, after: int) -> int:
        """An instant on working day `pos`, in office hours and after `after` (minutes later if need be)."""
        rnd = self.rnd
        return max(self.tl.start[pos] + _office(rnd()), after + 60 + int(rnd() * 1800))

    def _plan(self, site: Site, front: Site, proc: Proc, online: bool,
              pos: int) -> tuple[list[Event], int, int, bool]:
        """The whole life the dossier would have; `_row` keeps what happened before now. The
        receiving desk (`front`) receives and returns; the handling unit does the rest."""
        rnd, later = self.rnd, self._later
        desk, officer = f"motcua.{site.agency_code.lower()}", f"chuyenvien.{site.agency_code.lower()}"
        receiver = f"motcua.{front.agency_code.lower()}"
        t = self.tl.start[pos] + _office(rnd())
        if online:
            submitted = t - int(rnd() * 50400)  # filed online, often the evening before
            plan: list[Event] = [(submitted, "RECEIVE", None, NEW, PORTAL, None, 0)]
            u = rnd()
            pos += 0 if u < 0.55 else 1 if u < 0.9 else 2
            accepted = later(pos, t)
            if accepted > self.tl.start[pos] + CLOSING:  # too late today: the desk accepts tomorrow
                pos += 1
                accepted = later(pos, t)
            t = accepted
            if rnd() < P_REFUSE:
                plan.append(step(t, "REFUSE", NEW, desk, REFUSALS[int(rnd() * 3)], 0))
                return plan, submitted, -1, False
            plan.append(step(t, "ACCEPT", NEW, desk, None, 0))
        else:
            submitted = t
            plan = [(t, "RECEIVE", None, RECEIVED, receiver, None, 0)]
        due = legal = self.tl.due(pos, proc.days)
        pos = min(pos + (rnd() < 0.3), legal)
        t = later(pos, t)
        plan.append(step(t, "START_PROCESSING", RECEIVED, officer, None, 0))
        u = rnd()
        for _ in range(2 if u < P_TWO_SUPPLEMENTS else 1 if u < P_ONE_SUPPLEMENT else 0):
            pos += int(rnd() * max(1, legal - pos))
            t = later(pos, t)
            missing = proc.documents[int(rnd() * len(proc.documents))] if proc.documents else "giấy tờ"
            plan.append(step(t, "REQUEST_SUPPLEMENT", IN_PROCESSING, officer,
                         f"Đề nghị bổ sung: {missing}", 0))
            pause = 1 + int(rnd() * 8)
            pos += pause
            legal += pause
            t = later(pos, t)
            if rnd() < P_ABANDON:
                plan.append(step(t, "WITHDRAW", SUPPLEMENT_REQUESTED, desk,
                             "Công dân xin rút hồ sơ", pause))
                return plan, submitted, due, False
            plan.append(step(t, "SUPPLEMENT", SUPPLEMENT_REQUESTED, desk, None, pause))
        if proc.fee and rnd() < (0.9 if online else 0.3):
            t = later(pos, t)
            plan.append(step(t, "REQUEST_PAYMENT", IN_PROCESSING, officer, None, 0))
            pos += rnd() < 0.4
            t = later(pos, t)
            gateway = online and rnd() < 0.85
            plan.append(step(t, "CONFIRM_PAYMENT", PAYMENT_REQUESTED, GATEWAY if gateway else desk,
                             None, gateway))
        u = rnd()
        if u < P_STOP + P_WITHDRAW:
            pos += int(rnd() * max(1, legal - pos + 1))
            t = later(pos, t)
            if u < P_STOP:
                plan.append(step(t, "STOP", IN_PROCESSING, officer, STOPS[int(rnd() * 2)], 0))
            else:
                plan.append(step(t, "WITHDRAW", IN_PROCESSING, desk, "Công dân xin rút hồ sơ", 0))
            return plan, submitted, due, False
        if rnd() < self.late[site.unit_id] or legal < pos:
            finish = max(pos, legal + 1 + int(rnd() * (2 + proc.days // 3)))
            if legal >= pos and rnd() < P_APOLOGY:  # an apology letter before the deadline
                t = later(pos + int(rnd() * (legal - pos + 1)), t)
                plan.append((t, "EXTEND", IN_PROCESSING, IN_PROCESSING, officer,
                             APOLOGIES[int(rnd() * 2)], finish + int(rnd() * 3)))
        else:
            finish = pos + int(rnd() * (legal - pos + 1))
        t = later(finish, t)
        plan.append(step(t, "FINISH", IN_PROCESSING, officer, None, 0))
        electronic = rnd() < (0.7 if online else 0.12)
        if rnd() >= P_UNCOLLECTED:
            t = later(finish if electronic else finish + int(rnd() * 5), t)
            plan.append(step(t, "RETURN_RESULT", FINISHED, receiver, None, 0))
        return plan, submitted, due, electronic

    def _row(self, dossier_id: int, event_id: int, events: list, site: Site, desk: Site,
             proc: Proc, channel: str, plan: list[Event], submitted: int, due_pos: int,
             electronic: bool) -> tuple[tuple, int]:
        """Replay the plan up to now, as the app's transitions would have set the fields."""
        now, eod, fromts = self.now, self.tl.end_of_day, datetime.fromtimestamp
        status = ""
        received = paused = paid = ended = finished = returned = extended = None
        legal = due = -1
        supplements, paid_online, reason, last, kept = 0, False, None, submitted, 0
        for t, action, before, after, actor, note, arg in plan:
            if t > now:
                break
            events.append((event_id + kept, dossier_id, fromts(t, UTC), action, before, after, actor, note))
            kept += 1
            status, last = after, t
            if after == RECEIVED:  # received at the desk, or accepted from the portal
                received, legal, due = t, due_pos, due_pos
            elif action == "REQUEST_SUPPLEMENT":
                supplements += 1
                paused = t
            elif arg and (action == "SUPPLEMENT" or action == "WITHDRAW"):
                paused = None  # the pause ends: both deadlines move by its working days
                legal += arg
                due += arg
            elif action == "CONFIRM_PAYMENT":
                paid, paid_online = t, bool(arg)  # arg is already a bool here
            elif action == "EXTEND":
                extended, due, reason = t, arg, note
            elif action == "RETURN_RESULT":
                returned = t
            if after in END and ended is None:
                ended = t
                finished = t if after == FINISHED else None
        applicant = self.applicant(site)
        code = self._code(desk, submitted)  # the receiving desk's agency (Decree 118 Art. 28)
        dt = _stamp
        legal_due = eod[legal] if legal >= 0 else None
        timeliness = judge(fromts(ended, UTC), legal_due, supplements).value if ended else None
        return (
            dossier_id, code, proc.id, site.unit_id, desk.agency_id, site.path, channel, status,
            NATIONAL_CODE[status], applicant[0], applicant[1], applicant[2], applicant[3], applicant[4],
            f"{code.lower()} {applicant[5]}", fromts(submitted, UTC), dt(received), legal_due,
            eod[due] if due >= 0 else None, dt(finished), dt(returned), dt(ended), timeliness,
            supplements, dt(paused) if status == SUPPLEMENT_REQUESTED else None, reason, dt(extended),
            proc.fee, paid_online, dt(paid),
            channel == ONLINE or self.rnd() < (0.3 if channel == IN_PERSON else 0.15),
            electronic and (status == FINISHED or status == RETURNED), None, kept,
            fromts(submitted, UTC), fromts(last, UTC),
            *self._scorecard_facts(channel, received, ended),
            site.unit_id, str(site.unit_id), desk.unit_id, desk.path, False,
            *inputs.facts(dossier_id, channel, desk.level, timeliness, ended),
        ), event_id + kept

    def _scorecard_facts(self, channel: str, received: int | None, ended: int | None) -> tuple:
        """Certified copies, re-used data, portal sync and processing days (766 indicators)."""
        online = channel == ONLINE
        rnd = self.rnd
        processing = None
        if received is not None and ended is not None:
            processing = self.calendar.working_days_between(
                local_date(datetime.fromtimestamp(received, UTC)),
                local_date(datetime.fromtimestamp(ended, UTC)))
        synced = _stamp(received + 600) if received is not None and rnd() < 0.93 else None
        return (rnd() < (0.35 if online else 0.12), rnd() < (0.3 if online else 0.05), synced,
                processing)

    def _code(self, site: Site, submitted: int) -> str:
        """The code `resolvers.codes` would give on the local day of submission."""
        day = (submitted + OFFSET) // 86400 + EPOCH
        # By the office's code, not its row: after a reorganisation an ended office and its
        # successor share a code, and codes are unique per code and day.
        key = (site.agency_code, day)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = self.touched[key] = seq
        return format_code(site.agency_code, date.fromordinal(day), seq)


def _stamp(t: int | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, UTC)


def _day_weight(ordinal: int, age: float) -> float:
    """More dossiers in the peak months, and slowly more over the two years (age 0 → 1)."""
    month = date.fromordinal(ordinal).month
    return (1.35 if month in PEAK_MONTHS else 1.0) * (0.85 + 0.3 * age)
