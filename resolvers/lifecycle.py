"""The dossier lifecycle as one explicit state machine.

Statuses and actions are those of API.md; each status maps onto the national portal's
TrangThaiHoSo code. End states (processing over) are NOT_ACCEPTED, WITHDRAWN, STOPPED,
FINISHED and RETURNED; a FINISHED dossier still moves on to RETURNED.

Each action is taken by a side (Decree 118 Art. 20): the handling unit processes the dossier;
the desk that received it, when another, returns the result it receives back (`SIDES`).
"""

from __future__ import annotations

from enum import StrEnum

from models.dossiers import DossierStatus as S
from models.errors import BadInput


class DossierAction(StrEnum):
    ACCEPT = "ACCEPT"
    REFUSE = "REFUSE"
    START_PROCESSING = "START_PROCESSING"
    REQUEST_SUPPLEMENT = "REQUEST_SUPPLEMENT"
    SUPPLEMENT = "SUPPLEMENT"
    REQUEST_PAYMENT = "REQUEST_PAYMENT"
    CONFIRM_PAYMENT = "CONFIRM_PAYMENT"
    FINISH = "FINISH"
    STOP = "STOP"
    WITHDRAW = "WITHDRAW"
    RETURN_RESULT = "RETURN_RESULT"


A = DossierAction


class Side(StrEnum):
    HANDLING = "HANDLING"  # the unit competent to resolve the dossier
    DESK = "DESK"  # the one-stop desk that received it (any centre of the province)


# Who may take each action; an action not listed is the handling unit's alone.
SIDES: dict[DossierAction, frozenset[Side]] = {
    A.RETURN_RESULT: frozenset({Side.HANDLING, Side.DESK}),
}


def sides_of(action: DossierAction) -> frozenset[Side]:
    return SIDES.get(action, frozenset({Side.HANDLING}))

TRANSITIONS: dict[S, dict[DossierAction, S]] = {
    # Filed online, waiting for the one-stop desk to accept it.
    S.NEW: {A.ACCEPT: S.RECEIVED, A.REFUSE: S.NOT_ACCEPTED, A.WITHDRAW: S.WITHDRAWN},
    S.RECEIVED: {
        A.START_PROCESSING: S.IN_PROCESSING,
        A.REQUEST_SUPPLEMENT: S.SUPPLEMENT_REQUESTED,
        A.WITHDRAW: S.WITHDRAWN,
        A.STOP: S.STOPPED,
    },
    S.IN_PROCESSING: {
        A.REQUEST_SUPPLEMENT: S.SUPPLEMENT_REQUESTED,
        A.REQUEST_PAYMENT: S.PAYMENT_REQUESTED,
        A.FINISH: S.FINISHED,
        A.STOP: S.STOPPED,
        A.WITHDRAW: S.WITHDRAWN,
    },
    # The clock is stopped here until the applicant brings the missing papers.
    S.SUPPLEMENT_REQUESTED: {
        A.SUPPLEMENT: S.IN_PROCESSING,
        A.WITHDRAW: S.WITHDRAWN,
        A.STOP: S.STOPPED,
    },
    S.PAYMENT_REQUESTED: {
        A.CONFIRM_PAYMENT: S.IN_PROCESSING,
        A.WITHDRAW: S.WITHDRAWN,
        A.STOP: S.STOPPED,
    },
    S.FINISHED: {A.RETURN_RESULT: S.RETURNED},
    S.NOT_ACCEPTED: {},
    S.WITHDRAWN: {},
    S.STOPPED: {},
    S.RETURNED: {},
}

# The first of these reached ends processing for the scorecard.
END_STATES = frozenset({S.NOT_ACCEPTED, S.WITHDRAWN, S.STOPPED, S.FINISHED, S.RETURNED})
# Statuses whose dossiers still count as open (in progress / possibly overdue).
OPEN_STATES = frozenset(set(S) - END_STATES - {S.NEW})


def allowed_actions(status: S) -> list[DossierAction]:
    return list(TRANSITIONS[status])


def next_status(status: S, action: DossierAction) -> S:
    """The status after `action`, or BAD_USER_INPUT naming the status and what is allowed."""
    try:
        return TRANSITIONS[status][action]
    except KeyError:
        allowed = ", ".join(a.value for a in allowed_actions(status)) or "none (final status)"
        raise BadInput(
            f"cannot {action.value} a dossier in status {status.value}; allowed: {allowed}",
            field="action",
            status=status.value,
            allowed=[a.value for a in allowed_actions(status)],
        ) from None
