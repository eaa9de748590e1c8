"""Receiving a dossier at the one-stop desk, online or through the post."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from audit import record
from models import Dossier, DossierEvent, Procedure, held
from models.dossiers import ApplicantKind, Channel, DossierStatus
from models.errors import BadInput, Conflict, NotFound
from models.text import fold
from policies import Actor
from resolvers import clock, lookups, notifications, validation
from resolvers.codes import next_code
from resolvers.deadlines import load_calendar
from resolvers.dossiers import timing
from resolvers.dossiers.desks import receiving_desk
from resolvers.dossiers.inputs import Applicant, Reception
from resolvers.dossiers.snapshot import snapshot
from resolvers.metrics import rollups
from resolvers.timelimits import terms

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


def fingerprint(reception: Reception) -> str:
    """SHA-256 of the whole (cleaned) reception input but its key: a retry must be the same
    request. Every field counts, including ones added later, because it hashes them all."""
    values = {k: v for k, v in dataclasses.asdict(reception).items() if k != "idempotency_key"}
    if reception.received_at is not None:
        values["received_at"] = clock.instant(reception.received_at).isoformat()
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _idempotent_replay(key: str, reception: Reception) -> Dossier | None:
    existing = await Dossier.get_or_none(idempotency_key=key)
    if existing is None:
        return None
    if existing.idempotency_fingerprint is None:  # received before fingerprints were kept
        procedure = await Procedure.get(id=existing.procedure_id)
        same = (procedure.code == reception.procedure_code
                and existing.applicant_name == reception.applicant.name)
    else:
        same = hmac.compare_digest(existing.idempotency_fingerprint, fingerprint(reception))
    if not same:
        raise Conflict("idempotencyKey was already used for a different dossier",
                       field="idempotencyKey")
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
    agency = await lookups.agency_of(desk.id)
    if agency is None:
        raise NotFound(f"unit {desk.code} has no receiving agency", field="deskCode")
    if received_at > now + FUTURE_TOLERANCE:
        raise BadInput("receivedAt must not be in the future", field="receivedAt")

    if scoped_key and (replay := await _idempotent_replay(scoped_key, reception)):
        return replay
    try:
        return await _create(actor, reception, unit, desk, agency, procedure, received_at,
                             scoped_key)
    except IntegrityError:
        # A concurrent retry with the same key won the race; its dossier is the answer.
        if scoped_key and (replay := await _idempotent_replay(scoped_key, reception)):
            return replay
        raise


def _accepted(reception: Reception) -> bool:
    online = Channel(reception.channel) is Channel.ONLINE
    if reception.received_by_postal_staff and online:
        raise BadInput("postal staff receive at a desk, not online", field="receivedByPostalStaff")
    if reception.accepted and online:
        raise BadInput("an online dossier is accepted by the desk after it arrives (ACCEPT), "
                       "not at submission", field="accepted")
    return not online if reception.accepted is None else reception.accepted


async def _create(actor, reception, unit, desk, agency, procedure, received_at, key) -> Dossier:
    # Online filings, and paper ones registered for checking, wait for the desk to accept them.
    accepted = _accepted(reception)
    status = DossierStatus.RECEIVED if accepted else DossierStatus.NEW
    # The channel's time limit and fee, fixed now (a later catalogue change moves nothing).
    channel_terms = terms(procedure, reception.channel)
    clock_fields = (timing.start(received_at, channel_terms.limit, await load_calendar())
                    if accepted else {})
    applicant = reception.applicant
    # The event, the rollups and the notification are held and reach PostgreSQL with the
    # audit's head lock (models/held.py).
    async with held.transaction() as conn:
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
            received_at=received_at if accepted else None,
            time_amount=channel_terms.limit.amount,
            time_unit=channel_terms.limit.unit,
            **clock_fields,
            fee=channel_terms.fee,
            components_digitized=(reception.channel == Channel.ONLINE
                                  if reception.components_digitized is None
                                  else reception.components_digitized),
            certified_copies_electronic=reception.certified_copies_electronic,
            reused_digitized_data=reception.reused_digitized_data,
            received_by_postal_staff=reception.received_by_postal_staff,
            idempotency_key=key,
            idempotency_fingerprint=fingerprint(reception) if key else None,
            using_db=conn,
        )
        await held.insert(DossierEvent, dossier_id=dossier.id, at=received_at, action="RECEIVE",
                          from_status=None, to_status=status, actor_username=actor.name)
        await rollups.apply_to(dossier, rollups.contribution(dossier))
        await notifications.announce(dossier, action="RECEIVE", from_status=None)
        await record(
            actor=actor,
            action="dossier:receive",
            object_type="Dossier",
            object_id=code,
            unit_path=unit.path,
            # What the dossier starts with: the fields that hold something (not two dozen nulls).
            changes={**{k: [None, v] for k, v in snapshot(dossier, masked=True).items()
                        if v is not None},
                     "desk": [None, desk.code],
                     **({"received_by_postal_staff": [None, True]}
                        if reception.received_by_postal_staff else {})},
        )
    return dossier
