"""`reorganize`: apply a plan, all or nothing, one audited operation per effective date.

The same code serves the dry run: the plan is applied inside the transaction, reported, and
rolled back, so what a dry run prints is exactly what applying would do. A step whose rows
were already applied (same fingerprint) is skipped: running a plan twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from audit import record
from models import AdministrativeUnit, Agency, Reorganization, SuccessionKind, UnitSuccession, dialect
from models.errors import BadInput, Conflict
from policies import Actor, authorize, store
from resolvers import clock, validation
from resolvers.kept import announce_catalogue_change
from resolvers.units import grants
from resolvers.units.moves import Moved, move_records
from resolvers.units.plan import build_step
from resolvers.units.report import describe
from resolvers.units.rows import PlanError, PlanRow, fingerprint
from resolvers.units.step import NewVersion, Step


@dataclass
class StepReport:
    """What one step did (or, in a dry run, would do)."""

    effective_date: date
    reorganization_id: int | None
    already_applied: bool
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    grants_removed: list[str] = field(default_factory=list)
    grants_added: list[str] = field(default_factory=list)


class _DryRun(Exception):
    pass


def _authorize(actor: Actor, step: Step) -> None:
    """The caller must be allowed to reorganise every unit the step ends or creates."""
    for path in sorted({u.path for u in step.closed.values()} | {v.path for v in step.created}):
        authorize(actor, "unit", "reorganize", path, object_id=path)


async def _create(step: Step) -> None:
    for version in step.created:
        parent = version.parent.row if isinstance(version.parent, NewVersion) else version.parent
        version.row = await AdministrativeUnit.create(
            code=version.code, name=version.name, level=version.level, kind=version.kind,
            parent_id=parent.id if parent is not None else None, path=version.path,
            valid_from=step.day)
        agency = await Agency.create(code=f"UB{version.code}", name=f"UBND {version.name}",
                                     unit_id=version.row.id)
        await _carry_code_counters(agency, step)


async def _carry_code_counters(agency: Agency, step: Step) -> None:
    """A new office with the code of an ended one continues its daily sequences, every day's
    (a dossier entered late, on a day before the change, must not take a code already handed
    out: codes are unique per office code and day, whichever row of `agencies` holds it)."""
    from tortoise import connections

    conn = connections.get("default")
    marks = dialect.marks(conn, 2)
    await conn.execute_query(
        "INSERT INTO dossier_code_counters (agency_id, day, last_sequence) "
        f"SELECT CAST({marks[0]} AS INTEGER), c.day, MAX(c.last_sequence) FROM dossier_code_counters c "
        f"JOIN agencies a ON a.id = c.agency_id WHERE a.code = {marks[1]} GROUP BY c.day",
        [agency.id, agency.code])


async def _successions(step: Step, reorganization: Reorganization) -> None:
    links = []
    for version in step.created:
        assert version.row is not None
        links += [UnitSuccession(reorganization_id=reorganization.id, predecessor_id=old.id,
                                 successor_id=version.row.id, kind=kind)
                  for old, kind in version.predecessors]
    for old_id in step.abolished:
        holder = step.holders.get(old_id)
        row = holder.row if isinstance(holder, NewVersion) else holder
        if row is not None:
            links.append(UnitSuccession(reorganization_id=reorganization.id, predecessor_id=old_id,
                                        successor_id=row.id, kind=SuccessionKind.ABSORBED))
    if links:
        await UnitSuccession.bulk_create(links)


def _home(step: Step) -> str | None:
    """The one province a step changes (its trail entry sits there), or None for several."""
    provinces = {"/" + v.path.strip("/").split("/")[0] + "/" for v in step.created}
    provinces |= {"/" + u.path.strip("/").split("/")[0] + "/" for u in step.closed.values()}
    if len(provinces) != 1:
        return None
    return min((v.path for v in step.created if v.path.count("/") == 2), default=provinces.pop())


async def _apply(actor: Actor, step: Step, *, carry_grants: bool, reference: str) -> StepReport:
    _authorize(actor, step)
    reorganization = await Reorganization.create(
        effective_date=step.day, reference=reference, fingerprint=step.fingerprint,
        rows=[row.key() for row in step.rows], carry_grants=carry_grants, applied_by=actor.name,
        applied_at=clock.now())
    # Ended first: the units in force have distinct codes and paths (partial unique indexes).
    await AdministrativeUnit.filter(id__in=list(step.closed)).update(valid_to=step.day)
    try:
        await _create(step)
    except IntegrityError as error:
        raise PlanError("plan", f"a new unit collides with one in force: {error}") from None
    await _successions(step, reorganization)
    moved: Moved = await move_records(step, carry_tokens=carry_grants)
    changes = await grants.rehome(step, carry_grants)
    # What every grant reaches changed even when no rule did: the history of its units
    # (history.with_history, remembered per policy in force). Every process reloads.
    await store.bump_revision()
    counts = {"units_ended": len(step.closed), "units_created": len(step.created),
              "dossiers_moved": moved.total, "open_dossiers_moved": sum(moved.open.values()),
              "dossiers_awaiting_assignment": moved.awaiting, "feedback_moved": moved.feedback,
              "partner_tokens_moved": moved.tokens}
    reorganization.summary = counts
    await reorganization.save(update_fields=["summary"])
    await record(actor=actor, action="unit:reorganize", object_type="Reorganization",
                 object_id=str(reorganization.id), unit_path=_home(step), changes={
                     "effective_date": [None, step.day.isoformat()],
                     "reference": [None, reference], "fingerprint": [None, step.fingerprint],
                     "rows": [None, len(step.rows)], **{k: [None, v] for k, v in counts.items()},
                     "grants_removed": [None, changes.removed], "grants_added": [None, changes.added]})
    return StepReport(effective_date=step.day, reorganization_id=reorganization.id,
                      already_applied=False, lines=describe(step, moved, changes), counts=counts,
                      grants_removed=changes.removed, grants_added=changes.added)


def _by_date(rows: list[PlanRow]) -> dict[date, list[PlanRow]]:
    steps: dict[date, list[PlanRow]] = defaultdict(list)
    today = clock.local_date(clock.now())
    for row in rows:
        if row.effective_date > today:
            raise PlanError(row.where, f"effective_date {row.effective_date} is in the future; "
                                       "apply the plan on or after that day")
        steps[row.effective_date].append(row)
    return dict(sorted(steps.items()))


async def reorganize(
    *, actor: Actor, rows: list[PlanRow], carry_grants: bool = False, reference: str | None = None,
    dry_run: bool = False,
) -> list[StepReport]:
    """Apply the plan (rows of one or more effective dates, in date order), all or nothing."""
    authorize(actor, "unit", "reorganize")
    if not rows:
        raise BadInput("the plan has no rows", field="rows")
    note = validation.text(reference, field="reference", max_length=255, required=False) or ""
    reports: list[StepReport] = []
    try:
        async with in_transaction() as conn:
            # Carrying a province's dossiers (a million rows, every index of the table)
            # outlasts the statement timeout of ordinary requests.
            await dialect.set_local(conn, dialect.NO_STATEMENT_TIMEOUT)
            for day, day_rows in _by_date(rows).items():
                done = await Reorganization.get_or_none(fingerprint=fingerprint(day_rows))
                if done is not None:
                    reports.append(StepReport(day, done.id, True, [
                        f"Reorganisation effective {day}: already applied as #{done.id} on "
                        f"{clock.local_date(done.applied_at)}; nothing to do."]))
                    continue
                step = await build_step(day, day_rows)
                reports.append(await _apply(actor, step, carry_grants=carry_grants, reference=note))
                await announce_catalogue_change()  # versions ended and begun (resolvers/kept.py)
            if dry_run:
                raise _DryRun
    except IntegrityError:
        # Another reorganisation of the same units committed meanwhile (same fingerprint, or
        # a code or path now taken): nothing of this one was applied.
        raise Conflict("the units changed while the plan was applied; nothing was changed, "
                       "run the plan again", field="rows") from None
    except _DryRun:
        # A plan read, not a change: its own entry, outside the rolled-back transaction.
        await record(actor=actor, action="unit:plan", object_type="Reorganization",
                     changes={"dry_run": [None, [r.effective_date.isoformat() for r in reports]]})
        return reports
    if any(not r.already_applied for r in reports):
        await store.load()
    return reports
