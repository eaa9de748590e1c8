"""Citizens' feedback ("phản ánh, kiến nghị"): complaints handled within 15 working days,
and ratings of how a dossier was handled. Both feed the satisfaction group of the scorecard.

The public mutations that need a proof (the applicant's ID number to rate a dossier, the
complaint's secret to judge its answer) give one answer to every failure, so that a guess
learns nothing but "no", and count each failure against the object (policies.proofs): an ID
number cannot be found by trying them on one dossier.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from audit import diff, record
from models import Dossier, Feedback, FeedbackKind
from models import Feedback as FeedbackRow
from models.dossiers import DossierStatus
from models.errors import BadInput, NotFound, RateLimited
from models.metrics import Satisfaction, satisfaction_of_rating
from models.scope import scoped
from policies import Actor, allows, authorize, jurisdiction
from policies.proofs import ProofBackoff
from resolvers import clock, lookups, validation
from resolvers.deadlines import due_after, load_calendar
from resolvers.pagination import Page, keyset

CURSOR_KIND = "feedback"
# Decree 61/2018: a complaint is answered within 15 working days of its reception.
COMPLAINT_WORKING_DAYS = 15
MAX_CONTENT = 5000
ENDED = (DossierStatus.FINISHED, DossierStatus.RETURNED)
# The one answer to a failed rating, whatever failed: no such dossier, not the applicant's ID
# number, not ended yet, rated already. Different answers would tell a right ID number from a
# wrong one.
RATING_REFUSED = ("no dossier with this code and applicant ID number is finished or returned "
                  "and waiting for its rating")
VERDICT_REFUSED = "no complaint with this id and secret"


@dataclass(frozen=True, slots=True)
class FeedbackView:
    """A feedback row as one caller may see it: its texts only for officials who may read
    feedback at its unit (ids are sequential and the public mutations echo the row)."""

    row: Feedback
    content: str | None
    response: str | None
    dossier_code: str | None


async def present(actor: Actor, rows: list[Feedback]) -> list[FeedbackView]:
    """Views of `rows` for `actor`: one scope check and one query for the dossier codes."""
    scope = jurisdiction(actor, "feedback", "read")
    codes = await dossier_codes(rows)
    return [FeedbackView(r, r.content if scope.covers(r.unit_path) else None,
                         r.response if scope.covers(r.unit_path) else None,
                         codes.get(r.dossier_id) if r.dossier_id is not None else None)
            for r in rows]


def parse_id(value: str | int) -> int:
    """A feedback id from the API (a GraphQL ID is a string)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 2 ** 63:  # beyond a BIGINT the database itself would fail
        raise BadInput("feedbackId is not a valid id", field="feedbackId")
    return number


def _facts(row: Feedback) -> dict[str, Any]:
    """What the audit trail keeps of a feedback: never the texts themselves, only their length."""
    return {
        "kind": row.kind, "dossier_id": row.dossier_id, "rating": row.rating,
        "satisfaction": row.satisfaction,
        "due_at": row.due_at, "handled_at": row.handled_at, "satisfied": row.satisfied,
        "content_length": len(row.content or ""),
        "response_length": None if row.response is None else len(row.response),
    }


async def _audit(actor: Actor, verb: str, row: Feedback, before: dict[str, Any]) -> None:
    await record(actor=actor, action=f"feedback:{verb}", object_type="Feedback",
                 object_id=str(row.id), unit_path=row.unit_path, changes=diff(before, _facts(row)))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def submit_complaint(
    *, actor: Actor, unit_code: str, content: str, dossier_code: str | None = None,
) -> tuple[Feedback, str]:
    """Record a complaint about a unit (and maybe one of its dossiers), due in 15 working days.
    Returns the row and a secret, shown to the complainant once, that proves it is theirs."""
    text = validation.text(content, field="content", max_length=MAX_CONTENT) or ""
    unit = await lookups.unit_by_code(unit_code)
    if unit is None:
        raise BadInput(f"unknown unit {unit_code!r}", field="unitCode")
    authorize(actor, "feedback", "submit", unit.path)
    dossier_id = None
    if dossier_code is not None:
        dossier = await lookups.dossier_by_code(dossier_code)
        # One message for "missing" and "elsewhere": the caller may be anonymous.
        if dossier is None or not dossier.unit_path.startswith(unit.path):
            raise BadInput(f"no dossier {dossier_code!r} at unit {unit.code}", field="dossierCode")
        dossier_id = dossier.id
    now = clock.now()
    due = due_after(now, COMPLAINT_WORKING_DAYS, await load_calendar())
    secret = secrets.token_urlsafe(16)
    async with in_transaction():
        row = await Feedback.create(
            kind=FeedbackKind.COMPLAINT, unit_id=unit.id, unit_path=unit.path,
            received_unit_id=unit.id, dossier_id=dossier_id, content=text, submitted_at=now,
            due_at=due,
            secret_hash=_digest(secret),
        )
        await _audit(actor, "submit", row, {})
    return row, secret


async def _wait_for_proofs(proofs: ProofBackoff | None, kind: str, name: str, field: str) -> None:
    if proofs is not None and (wait := await proofs.check(kind, name)) > 0:
        seconds = max(1, round(wait))
        raise RateLimited(f"too many failed attempts on this {kind}; retry in {seconds} s",
                          field=field, retryAfter=seconds)


async def _proof_failed(proofs: ProofBackoff | None, kind: str, name: str, message: str,
                        field: str, audit: dict[str, Any]) -> BadInput:
    if proofs is not None:
        await proofs.failed(kind, name)
    return BadInput(message, field=field, audit=audit)


def _level(rating: int | None, satisfaction: Satisfaction | str | None) -> Satisfaction:
    """The three-level verdict, given as such or as an old client's 1–5 rating."""
    if rating is not None and satisfaction is not None:
        raise BadInput("give satisfaction or rating, not both", field="satisfaction")
    if rating is not None:
        if not 1 <= rating <= 5:
            raise BadInput("rating must be between 1 and 5", field="rating")
        return satisfaction_of_rating(rating)
    if satisfaction is None:
        raise BadInput("satisfaction is required", field="satisfaction")
    try:
        return Satisfaction(satisfaction)
    except ValueError:
        raise BadInput("satisfaction must be VERY_SATISFIED, SATISFIED or NOT_SATISFIED",
                       field="satisfaction") from None


async def rate_dossier(
    *, actor: Actor, dossier_code: str, applicant_id_number: str, rating: int | None = None,
    satisfaction: Satisfaction | str | None = None, proofs: ProofBackoff | None = None,
) -> Feedback:
    """The applicant's verdict on an ended dossier, once per dossier: very satisfied,
    satisfied or not satisfied (an old client's 1–5 `rating` maps to a level, 5 → very
    satisfied, 4 → satisfied, 1–3 → not satisfied). The applicant's ID number proves the
    verdict is theirs: codes can be guessed, and it counts in the 766 scorecard. Every
    failure is the same answer (RATING_REFUSED) and counts against the code; `proofs`
    limits the failures per code."""
    level = _level(rating, satisfaction)
    authorize(actor, "feedback", "rate")
    await _wait_for_proofs(proofs, "dossier", dossier_code, "dossierCode")
    dossier = await lookups.dossier_by_code(dossier_code)
    known = (dossier.applicant_id_number or "") if dossier else ""
    given = applicant_id_number.strip()[:64]
    # compare_digest either way, so a missing dossier takes as long as a wrong number
    matches = hmac.compare_digest((known or "\0").encode(), given.encode()) and bool(known)
    hint = {"action": "feedback:rate", "object_type": "Dossier", "object_id": dossier_code[:64],
            "unit_path": dossier.unit_path if dossier else None}
    if (dossier is None or not matches or not allows(actor, "feedback", "rate", dossier.unit_path)
            or DossierStatus(dossier.status) not in ENDED):
        raise await _proof_failed(proofs, "dossier", dossier_code, RATING_REFUSED,
                                  "applicantIdNumber", hint)
    async with in_transaction():
        # Locking the dossier row serialises two raters of the same dossier (PostgreSQL;
        # SQLite runs one write transaction at a time anyway).
        await Dossier.select_for_update().get(id=dossier.id)
        if await Feedback.exists(dossier_id=dossier.id, kind=FeedbackKind.RATING):
            raise await _proof_failed(proofs, "dossier", dossier_code, RATING_REFUSED,
                                      "applicantIdNumber", hint)
        row = await Feedback.create(
            kind=FeedbackKind.RATING, unit_id=dossier.unit_id, unit_path=dossier.unit_path,
            received_unit_id=dossier.unit_id, dossier_id=dossier.id, submitted_at=clock.now(),
            rating=rating, satisfaction=level,
        )
        await _audit(actor, "rate", row, {})
    return row


async def handle_complaint(*, actor: Actor, feedback_id: int, response: str) -> Feedback:
    """An official's answer to a complaint, given once."""
    answer = validation.text(response, field="response", max_length=MAX_CONTENT) or ""
    row = await Feedback.get_or_none(id=feedback_id)
    # Like a dossier, feedback outside the caller's reach reads as not found.
    if row is None or not allows(actor, "feedback", "read", row.unit_path):
        raise NotFound(f"feedback {feedback_id} not found", field="feedbackId")
    if row.kind != FeedbackKind.COMPLAINT:
        raise BadInput(f"feedback {feedback_id} is a rating, not a complaint", field="feedbackId")
    authorize(actor, "feedback", "handle", row.unit_path)
    before = _facts(row)
    async with in_transaction():
        # Compare-and-set: of two officials answering at once, exactly one succeeds.
        updated = await Feedback.filter(id=row.id, handled_at__isnull=True).update(
            **clock.stored({"handled_at": clock.now(), "response": answer}))
        if updated != 1:
            raise BadInput(f"complaint {feedback_id} has already been handled", field="feedbackId")
        row = await Feedback.get(id=row.id)
        await _audit(actor, "handle", row, before)
    return row


async def record_complaint_satisfaction(
    *, actor: Actor, feedback_id: int, satisfied: bool, secret: str,
    proofs: ProofBackoff | None = None,
) -> Feedback:
    """The citizen's verdict on how a complaint was handled: once, after the answer, with the
    secret given at submission (ids are sequential; the verdict counts in the scorecard).
    Until the secret is proven every failure is one answer (VERDICT_REFUSED); after it, the
    complainant is told what is wrong."""
    authorize(actor, "feedback", "rate")
    await _wait_for_proofs(proofs, "complaint", str(feedback_id), "feedbackId")
    row = await Feedback.get_or_none(id=feedback_id)
    proven = (row is not None and row.kind == FeedbackKind.COMPLAINT and bool(row.secret_hash)
              and hmac.compare_digest(row.secret_hash or "", _digest(secret[:200]))
              and allows(actor, "feedback", "rate", row.unit_path))
    if row is None or not proven:
        raise await _proof_failed(proofs, "complaint", str(feedback_id), VERDICT_REFUSED, "secret", {
            "action": "feedback:satisfaction", "object_type": "Feedback",
            "object_id": str(feedback_id), "unit_path": row.unit_path if row else None})
    if row.handled_at is None:
        raise BadInput(f"complaint {feedback_id} has not been answered yet", field="feedbackId")
    before = _facts(row)
    async with in_transaction():
        updated = await Feedback.filter(
            id=row.id, handled_at__isnull=False, satisfied__isnull=True).update(satisfied=satisfied)
        if updated != 1:
            raise BadInput(f"complaint {feedback_id} already has a verdict", field="feedbackId")
        row = await Feedback.get(id=row.id)
        await _audit(actor, "satisfaction", row, before)
    return row


async def list_feedback(
    *, actor: Actor, unit_code: str | None = None, kind: FeedbackKind | None = None,
    open_only: bool = False, first: int | None = None, after: str | None = None,
) -> Page[FeedbackView]:
    """Feedback in the caller's jurisdiction, newest first; `open_only`: unanswered complaints."""
    scope = jurisdiction(actor, "feedback", "read")
    if unit_code is not None:
        unit = await lookups.unit_by_code(unit_code)
        if unit is None:
            raise BadInput(f"unknown unit {unit_code!r}", field="filter.unitCode")
        scope = scope.narrow(unit.path)
    query = scoped(Feedback.all(), scope)
    if kind is not None:
        query = query.filter(kind=kind)
    if open_only:
        query = query.filter(kind=FeedbackKind.COMPLAINT, handled_at__isnull=True)
    page = await keyset(query, kind=CURSOR_KIND, key="id", descending=True, first=first,
                        after=after)
    views = await present(actor, page.items)
    return page.map(lambda _: views)


async def dossier_codes(rows: list[Feedback]) -> dict[int, str]:
    """The codes of the dossiers these rows are about, in one query."""
    ids = {r.dossier_id for r in rows if r.dossier_id is not None}
    if not ids:
        return {}
    return dict(await Dossier.filter(id__in=list(ids)).values_list("id", "code"))


__all__ = ["FeedbackKind", "FeedbackRow", "Satisfaction", "FeedbackView", "handle_complaint", "list_feedback",
           "parse_id", "present", "rate_dossier", "record_complaint_satisfaction",
           "submit_complaint"]
