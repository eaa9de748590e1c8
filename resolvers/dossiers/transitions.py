"""Moving a dossier through its lifecycle, and the apology letter that extends it once."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from audit import diff, record
from models import Dossier, DossierEvent, Procedure, held
from models.dossiers import DossierStatus
from models.errors import BadInput, Conflict, NotFound
from policies import Actor, ActorKind, authorize
from resolvers import clock, lookups, notifications, validation
from resolvers.calendar import WorkingCalendar
from resolvers.deadlines import judge, load_calendar
from resolvers.dossiers import timing
from resolvers.dossiers.desks import authorize_action, may_see
from resolvers.dossiers.snapshot import snapshot
from resolvers.lifecycle import END_STATES, NEEDS_REASON, DossierAction, next_status
from resolvers.metrics import rollups
from resolvers.timelimits import end_of_day

A = DossierAction


async def load_for_write(actor: Actor, code: str) -> Dossier:
    """The dossier, or NOT_FOUND when it does not exist or lies outside the caller's reach
    (the handling unit's, or the receiving desk's)."""
    return _reachable(actor, code, await lookups.dossier_by_code(code))


async def load_with_procedure(actor: Actor, code: str) -> tuple[Dossier, Procedure]:
    """As `load_for_write`, with the dossier's procedure read by the same statement (a step
    that counts time needs it; which step does is known only once the dossier is)."""
    found = await lookups.dossier_with_procedure(code)
    _reachable(actor, code, found[0] if found else None)
    assert found is not None
    return found


def _reachable(actor: Actor, code: str, dossier: Dossier | None) -> Dossier:
    if dossier is None or not may_see(actor, dossier):
        raise NotFound(f"dossier {code!r} not found", field="code")
    return dossier


def _counts_time(dossier: Dossier, action: DossierAction, target: DossierStatus) -> bool:
    """Whether the action counts days or reads the time limit (the branches of `_effects`
    that use the calendar or the procedure): most steps of a path (START_PROCESSING,
    RETURN_RESULT after FINISH, a supplement request) do neither, and skip reading them."""
    return (action in (A.ACCEPT, A.SUPPLEMENT, A.REQUEST_PAYMENT, A.CONFIRM_PAYMENT)
            or (target in END_STATES and dossier.ended_at is None))


def _effects(
    dossier: Dossier, action: DossierAction, target: DossierStatus, actor: Actor,
    at: datetime, cal: WorkingCalendar | None, procedure: Procedure | None,
) -> dict[str, Any]:
    """The fields an action changes besides status and version. `cal` and `procedure` are
    given whenever `_counts_time` says the action needs them."""
    changes: dict[str, Any] = {}
    if action is A.REQUEST_SUPPLEMENT:
        changes.update(supplement_count=dossier.supplement_count + 1, paused_at=at)
    elif action is A.RETURN_RESULT:
        changes["returned_at"] = at
    if not _counts_time(dossier, action, target):
        return changes
    assert cal is not None and procedure is not None
    received = dossier.received_at is not None
    limit = timing.limit_of(dossier, procedure)
    if action is A.ACCEPT:
        changes.update(received_at=at, **timing.start(at, limit, cal))  # the clock starts now
    elif action is A.SUPPLEMENT and received:
        changes.update(timing.after_supplement(dossier, at, limit, cal))
    elif action is A.REQUEST_PAYMENT and timing.payment_stops_clock(procedure):
        changes["paused_at"] = at
    elif action is A.CONFIRM_PAYMENT:
        # Confirmed by a payment gateway (a partner) means paid online; by a clerk, at the desk.
        changes.update(paid_at=at, paid_online=actor.kind is ActorKind.PARTNER,
                       **timing.resume(dossier, at, limit, cal))
    if target in END_STATES and dossier.ended_at is None:
        # Ending while the clock is stopped: the stop is not counted (the complete dossier
        # never came back, so nothing restarts).
        changes.update(timing.resume(dossier, at, limit, cal))
        legal_due = changes.get("legal_due_at", dossier.legal_due_at)
        changes.update(ended_at=at, timeliness=judge(at, legal_due, dossier.supplement_count))
        received_at = changes.get("received_at", dossier.received_at)
        if received_at is not None:
            changes["processing_days"] = cal.working_days_between(
                clock.local_date(received_at), clock.local_date(at))
        if target is DossierStatus.FINISHED:
            changes["finished_at"] = at
    return changes


async def _apply(
    dossier: Dossier, actor: Actor, action: str, changes: dict[str, Any], note: str | None,
    target: DossierStatus | None = None,
) -> Dossier:
    """Compare-and-set on `version`: of two concurrent writers exactly one succeeds."""
    before = snapshot(dossier)
    status = target or DossierStatus(dossier.status)
    fields = {**changes, "status": status, "national_status_code": status.national_code}
    at = clock.now()
    conflict = Conflict(f"dossier {dossier.code} was changed by someone else; reload and retry",
                        field="expectedVersion")
    # The update, the event, the rollups and the notification are held, and reach PostgreSQL
    # in the statement that seals the audit entry; on PostgreSQL that one statement commits
    # by itself (no BEGIN or COMMIT, and the chain head is locked only while it runs:
    # models/held.py, audit/chain.py). Was 8 statements in a transaction.
    async with held.transaction(alone=True):
        await held.update(Dossier, {"id": dossier.id, "version": dossier.version},
                          clock.stored({**fields, "updated_at": at}), increment=("version",),
                          guard=conflict)
        await held.insert(
            DossierEvent, dossier_id=dossier.id, at=at, action=action,
            from_status=dossier.status, to_status=status, actor_username=actor.name, note=note,
        )
        # The row as the UPDATE left it, without reading it back (one round trip less).
        fresh = copy.copy(dossier)
        for name, value in clock.stored({**fields, "updated_at": at}).items():
            setattr(fresh, name, value)
        fresh.version = dossier.version + 1
        await rollups.apply_to(fresh, rollups.delta(rollups.contribution(dossier),
                                                    rollups.contribution(fresh)))
        await notifications.announce(fresh, action=action, from_status=str(dossier.status))
        await record(  # last: its head lock carries what was held, and answers for the guard
            actor=actor, action=f"dossier:{action}", object_type="Dossier",
            object_id=dossier.code, unit_path=dossier.unit_path,
            changes=diff(before, snapshot(fresh)),
        )
    return fresh


def _check_version(dossier: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != dossier.version:
        raise Conflict(
            f"dossier {dossier.code} is at version {dossier.version}, not {expected_version}",
            field="expectedVersion",
        )


async def transition_dossier(
    *, actor: Actor, code: str, action: DossierAction, note: str | None = None,
    expected_version: int | None = None, result_electronic: bool | None = None,
) -> Dossier:
    """Apply one lifecycle action, or refuse it naming the status and the allowed actions."""
    action = DossierAction(action)
    note = validation.text(note, field="note", max_length=2000, required=False)
    dossier, procedure = await load_with_procedure(actor, code)
    authorize_action(actor, dossier, action)
    _check_version(dossier, expected_version)
    target = next_status(DossierStatus(dossier.status), action, dossier.received_at is not None)
    if action in NEEDS_REASON and not note:
        raise BadInput(f"{action.value} needs the reason written to the applicant in `note`",
                       field="note")
    cal = await load_calendar() if _counts_time(dossier, action, target) else None
    changes = _effects(dossier, action, target, actor, clock.now(), cal, procedure)
    if result_electronic is not None:
        if action is not A.FINISH:
            raise BadInput("resultElectronic is given with FINISH only", field="resultElectronic")
        changes["result_electronic"] = result_electronic
    return await _apply(dossier, actor, action.value, changes, note, target)


async def record_portal_sync(*, actor: Actor, code: str) -> Dossier:
    """Mark a dossier as synchronised to the national portal (the first time counts; a
    repeat changes nothing and returns the dossier as it is)."""
    dossier = await load_for_write(actor, code)
    authorize(actor, "dossier", "sync", dossier.unit_path, object_id=dossier.code)
    if dossier.synced_to_portal_at is not None:
        return dossier
    return await _apply(dossier, actor, "PORTAL_SYNC", {"synced_to_portal_at": clock.now()}, None)


async def extend_dossier(
    *, actor: Actor, code: str, new_due_at: datetime, reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Issue the apology letter: a new appointment, once per dossier, with its reason, at the
    latest the day before the appointment and not while a supplement is outstanding (Decree
    118/2025/NĐ-CP Art. 19(6))."""
    reason_text = validation.text(reason, field="reason", max_length=2000)
    dossier = await load_for_write(actor, code)
    authorize(actor, "dossier", "extend", dossier.unit_path, object_id=dossier.code)
    _check_version(dossier, expected_version)
    if dossier.extended_at is not None:
        raise BadInput(
            f"dossier {code} was already extended on {dossier.extended_at:%Y-%m-%d}; "
            "the new appointment is set once",
            field="code",
        )
    if dossier.ended_at is not None or dossier.due_at is None:
        raise BadInput(
            f"only a dossier in processing can be extended; it is {dossier.status}", field="code"
        )
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        raise BadInput(
            "no apology letter while a supplement is outstanding: the clock waits for the "
            "complete dossier, and the time is counted again when it is back", field="code")
    due_day = clock.local_date(dossier.due_at)
    if clock.local_date(clock.now()) >= due_day:
        raise BadInput(
            f"the apology letter is due at the latest the day before the appointment {due_day} "
            "(Decree 118/2025/NĐ-CP Art. 19(6)); that day has passed", field="code")
    if new_due_at.tzinfo is None:
        raise BadInput("newDueAt must carry a time zone offset", field="newDueAt")
    cal = await load_calendar()
    new_day = clock.local_date(new_due_at)
    if new_day <= due_day:
        raise BadInput(
            f"newDueAt must be after the current appointment {due_day}",
            field="newDueAt",
        )
    if not cal.is_working_day(new_day):
        raise BadInput(f"newDueAt {new_day} is not a working day", field="newDueAt")
    changes = {"due_at": end_of_day(new_day), "extension_reason": reason_text,
               "extended_at": clock.now()}
    return await _apply(dossier, actor, "EXTEND", changes, reason_text)
