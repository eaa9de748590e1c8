"""Dossier use cases: reception, lifecycle transitions, extension and reads."""

from __future__ import annotations

from models import Dossier as DossierRow
from models.dossiers import ApplicantKind, Channel, DossierStatus, Timeliness
from resolvers.dossiers.inputs import Applicant, DossierFilter, Reception
from resolvers.dossiers.queries import get_dossier, list_dossiers, track_dossier
from resolvers.dossiers.reception import receive_dossier
from resolvers.dossiers.transitions import extend_dossier, record_portal_sync, transition_dossier
from resolvers.dossiers.views import ApplicantView, DossierEvent, DossierView, present
from resolvers.lifecycle import DossierAction
from resolvers.metrics.rollups import history_of as handled_by

__all__ = [
    "Applicant",
    "ApplicantKind",
    "ApplicantView",
    "Channel",
    "DossierAction",
    "DossierEvent",
    "DossierFilter",
    "DossierRow",
    "DossierStatus",
    "DossierView",
    "Reception",
    "Timeliness",
    "extend_dossier",
    "handled_by",
    "get_dossier",
    "list_dossiers",
    "present",
    "receive_dossier",
    "record_portal_sync",
    "track_dossier",
    "transition_dossier",
]
