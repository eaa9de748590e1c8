"""Dossier use cases: reception, lifecycle transitions, extension and reads."""

from __future__ import annotations

from resolvers.dossiers.inputs import Applicant, DossierFilter, Reception
from resolvers.dossiers.queries import (
    DossierPage,
    cursor_of,
    get_dossier,
    list_dossiers,
    track_dossier,
)
from resolvers.dossiers.reception import receive_dossier
from resolvers.dossiers.transitions import extend_dossier, record_portal_sync, transition_dossier

__all__ = [
    "Applicant",
    "DossierFilter",
    "DossierPage",
    "Reception",
    "cursor_of",
    "extend_dossier",
    "get_dossier",
    "list_dossiers",
    "receive_dossier",
    "record_portal_sync",
    "track_dossier",
    "transition_dossier",
]
