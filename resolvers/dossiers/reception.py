"""Receiving a dossier at the one-stop desk, online or through the post."""

from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from audit import record
from models import Agency, Dossier, DossierEvent, Procedure
from models.dossiers import ApplicantKind, Channel, DossierStatus
from models.errors import BadInput, Conflict, NotFound
from models.text import fold
from policies import Actor
from resolvers import clock, lookups, validation
from resolvers.codes import next_code
from resolvers.deadlines import due_after, load_calendar
from resolvers.dossiers.desks import receiving_desk
from resolvers.dossiers.inputs import Applicant, Reception
from resolvers.dossiers.snapshot import snapshot
from resolvers.metrics import rollups

# A paper dossier may be entered late, but not dated in the future (clock skew allowed).
FUTURE_TOLERANCE = timedelta(minutes=5)
ID_LENGTHS = {ApplicantKind.CITIZEN: (9, 12), ApplicantKind.ORGANIZATION: (10, 13)}


def _clean_applicant(applicant: Applicant) -> Applicant:
    prefix = "applicant."
    return Applicant(
        name=validation.text(applicant.name, field=prefix + "name", max_length=255) or "",
        kind=applicant.kind,
        # CCCD has 12 digits, the old CMND 9; tax codes have 10 or 13.
        id_number=validation.digits(
            applicant.id_number, field=prefix + "idNumber", lengths=ID_LENGTHS[applicant.kind]
        ),
        phone=validation.phone(applicant.phone, field=prefix + "phone"),
        address=validation.text(
            applicant.address, field=prefix + "address", max_length=500, required=False
        ),
    )


async def _idempotent_replay(actor: Actor, key: str, reception: Reception) -> Dossier | None:
    existing = await Dossier.get_or_none(idempotency_key=key)
    if existing is None:
        return None
    procedure = await Procedure.get(id=existing.procedure_id)
    if procedure.code != reception.procedure_code or existing.applicant_name != reception.applicant.name:
        raise Conflict("idempotencyKey was already used for a different dossier", field="idempotencyKey")
    return existing


async def receive_dossier(*, actor: Actor, reception: Reception) -> Dossier:
    """Record a new dossier; a retry with the same idempotency key returns the first one."""
    applicant = _clean_applicant(reception.applicant)
    key = validation.text(
        reception.idempotency_key, field="idempotencyKey", max_length=100, required=False
    )
    # Keys are per caller, so two partners cannot collide or probe each other's keys.
    scoped_key = f"{actor.name}:{key}" if key else None
    reception = Reception(**{**reception.__dict__, "applicant": applicant})

    unit = await lookups.unit_by_code(reception.unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {reception.unit_code!r}", field="unitCode")
    now = clock.now()
    received_at = reception.received_at or now
    if received_at.tzinfo is None:
        raise BadInput("receivedAt must carry a time zone offset", field="receivedAt")
    desk = await receiving_desk(actor=actor, desk_code=reception.desk_code, unit=unit,
                                received_day=clock.local_date(received_at))
    procedure = await lookups.procedure_by_code(reception.procedure_code)
    if procedure is None:
        raise BadInput(f"unknown procedure {reception.procedure_code!r}", field="procedureCode")
    if procedure.level != unit.level:
        raise BadInput(
            f"procedure {procedure.code} is handled at {procedure.level.value} level, "
            f"not by a {unit.level.value} unit",
            field="procedureCode",
        )
    # The receiving desk's agency: its code starts the dossier code (Decree 118 Art. 28(2)(a)).
    agency = await Agency.filter(unit_id=desk.id).order_by("id").first()
    if agency is None:
        raise NotFound(f"unit {desk.code} has no receiving agency", field="deskCode")
    if received_at > now + FUTURE_TOLERANCE:
        raise BadInput("receivedAt must not be in the future", field="receivedAt")

    if scoped_key and (replay := await _idempotent_replay(actor, scoped_key, reception)):
        return replay
    try:
        return await _create(actor, reception, unit, desk, agency, procedure, received_at,
                             scoped_key)
    except IntegrityError:
        # A concurrent retry with the same key won the race; its dossier is the answer.
        if scoped_key and (replay := await _idempotent_replay(actor, scoped_key, reception)):
            return replay
        raise


async def _create(actor, reception, unit, desk, agency, procedure, received_at, key) -> Dossier:
    online = Channel(reception.channel) is Channel.ONLINE
    # Online filings wait for the desk to accept them; the clock starts then.
    status = DossierStatus.NEW if online else DossierStatus.RECEIVED
    due = None if online else due_after(received_at, procedure.processing_days, await load_calendar())
    applicant = reception.applicant
    async with in_transaction() as conn:
        code = await next_code(
            conn, agency_id=agency.id, agency_code=agency.code, day=clock.local_date(received_at)
        )
        dossier = await Dossier.create(
            code=code,
            procedure_id=procedure.id,
            unit_id=unit.id,
            agency_id=agency.id,
            unit_path=unit.path,
            received_unit_id=unit.id,
            unit_history=str(unit.id),
            desk_unit_id=desk.id,
            desk_path=desk.path,
            channel=reception.channel,
            status=status,
            national_status_code=status.national_code,
            applicant_name=applicant.name,
            applicant_kind=applicant.kind,
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone,
            applicant_address=applicant.address,
            search_text=fold(f"{code} {applicant.name}"),
            submitted_at=received_at,
            received_at=None if online else received_at,
            legal_due_at=due,
            due_at=due,
            fee=procedure.fee,
            components_digitized=(online if reception.components_digitized is None
                                  else reception.components_digitized),
            certified_copies_electronic=reception.certified_copies_electronic,
            reused_digitized_data=reception.reused_digitized_data,
            idempotency_key=key,
            using_db=conn,
        )
        await DossierEvent.create(
            dossier_id=dossier.id,
            at=received_at,
            action="RECEIVE",
            from_status=None,
            to_status=status,
            actor_username=actor.name,
            using_db=conn,
        )
        await rollups.apply_to(dossier, rollups.contribution(dossier))
        await record(
            actor=actor,
            action="dossier:receive",
            object_type="Dossier",
            object_id=code,
            unit_path=unit.path,
            changes={**{k: [None, v] for k, v in snapshot(dossier, masked=True).items()},
                     "desk": [None, desk.code]},
        )
    return dossier
