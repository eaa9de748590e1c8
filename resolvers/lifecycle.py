"""The dossier lifecycle as one explicit state machine, in two phases.

Before acceptance (no clock: Decree 118/2025/NĐ-CP Art. 17(3)) the one-stop desk checks the
dossier, for every channel (Art. 17(1) in person and by post, 17(2) online): it accepts it
(the Giấy tiếp nhận, the clock starts), refuses it with a reason (Phiếu từ chối, status 3), or
guides the applicant to supplement it in one go (Phiếu yêu cầu bổ sung, status 5, no clock),
after which the dossier comes back to the desk (SUPPLEMENT) or is accepted at once (ACCEPT).
After acceptance the competent agency processes it; its supplement request (Art. 19(5)) and a
payment request stop or restart the clock as resolvers/deadlines.py says.

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
    # The desk's guidance to complete a dossier before accepting it (no clock, no count).
    GUIDE_SUPPLEMENT = "GUIDE_SUPPLEMENT"
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

# Before acceptance: the desk's moves on a dossier that has no clock yet.
INTAKE: dict[S, dict[DossierAction, S]] = {
    # Filed online, or registered at the desk for checking (`accepted: false`).
    S.NEW: {A.ACCEPT: S.RECEIVED, A.REFUSE: S.NOT_ACCEPTED,
            A.GUIDE_SUPPLEMENT: S.SUPPLEMENT_REQUESTED, A.WITHDRAW: S.WITHDRAWN},
    # Waiting for the applicant's papers; they come back to the desk, or are accepted there.
    S.SUPPLEMENT_REQUESTED: {A.ACCEPT: S.RECEIVED, A.SUPPLEMENT: S.NEW, A.REFUSE: S.NOT_ACCEPTED,
                             A.WITHDRAW: S.WITHDRAWN},
}


class Side(StrEnum):
    HANDLING = "HANDLING"  # the unit competent to resolve the dossier
    DESK = "DESK"  # the one-stop desk that received it (any centre of the province)


# Who may take each action; an action not listed is the handling unit's alone. The desk that
# received a dossier checks it before acceptance (Art. 17: accept, refuse, guide a supplement)
# and returns the result it receives back (Art. 20).
_BOTH = frozenset({Side.HANDLING, Side.DESK})
SIDES: dict[DossierAction, frozenset[Side]] = {
    A.ACCEPT: _BOTH, A.REFUSE: _BOTH, A.GUIDE_SUPPLEMENT: _BOTH, A.RETURN_RESULT: _BOTH,
}


def sides_of(action: DossierAction) -> frozenset[Side]:
    return SIDES.get(action, frozenset({Side.HANDLING}))


# After acceptance: the clock runs (or is stopped by a supplement or payment request).
TRANSITIONS: dict[S, dict[DossierAction, S]] = {
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
    # The complete dossier is back: the clock restarts (or resumes) and processing goes on.
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
    S.NEW: INTAKE[S.NEW],  # never received: the desk's moves
    S.NOT_ACCEPTED: {},
    S.WITHDRAWN: {},
    S.STOPPED: {},
    S.RETURNED: {},
}

# The first of these reached ends processing for the scorecard.
END_STATES = frozenset({S.NOT_ACCEPTED, S.WITHDRAWN, S.STOPPED, S.FINISHED, S.RETURNED})
# Statuses whose dossiers still count as open (in progress / possibly overdue).
OPEN_STATES = frozenset(set(S) - END_STATES - {S.NEW})
# A written reason goes with these (Decree 118 Art. 17(1)(c), 17(2)(a), 19(5)).
NEEDS_REASON = frozenset({A.REFUSE, A.GUIDE_SUPPLEMENT, A.REQUEST_SUPPLEMENT})


def moves(status: S, received: bool) -> dict[DossierAction, S]:
    """The actions open to a dossier in `status`, before or after acceptance (`received`)."""
    if not received and status in INTAKE:
        return INTAKE[status]
    return TRANSITIONS[status]


def allowed_actions(status: S, received: bool = True) -> list[DossierAction]:
    return list(moves(status, received))


def next_status(status: S, action: DossierAction, received: bool = True) -> S:
    """The status after `action`, or BAD_USER_INPUT naming the status and what is allowed."""
    table = moves(status, received)
    if action in table:
        return table[action]
    allowed = [a.value for a in table]
    phase = "" if received or status not in INTAKE else " (not yet accepted)"
    raise BadInput(
        f"cannot {action.value} a dossier in status {status.value}{phase}; allowed: "
        f"{', '.join(allowed) or 'none (final status)'}",
        field="action", status=status.value, allowed=allowed,
    )
