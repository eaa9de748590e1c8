"""Tortoise models; the `models` app. Query helpers take a jurisdiction scope."""

from __future__ import annotations

from models.audit import AuditChainHead, AuditEntry, AuditOutcome
from models.dossiers import (
    ApplicantKind,
    CalendarOverride,
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierStatus,
    Timeliness,
)
from models.identity import CasbinRule, PartnerToken, PolicyRevision, Session, User
from models.metrics import (
    ROLLUP_COUNTERS,
    Feedback,
    FeedbackKind,
    UnitDailyStats,
    UnitProcedureMonthlyStats,
)
from models.procedures import OnlineLevel, Procedure, TimeUnit
from models.targets import LateCause, ProcedureDelegation, UnitTarget
from models.units import (
    AdministrativeUnit,
    Agency,
    Reorganization,
    SuccessionKind,
    UnitKind,
    UnitLevel,
    UnitSuccession,
    kind_from_name,
    unit_path,
    valid_on,
)

__all__ = [
    "AdministrativeUnit",
    "AuditChainHead",
    "AuditEntry",
    "AuditOutcome",
    "Agency",
    "ApplicantKind",
    "CalendarOverride",
    "Channel",
    "Dossier",
    "DossierCodeCounter",
    "DossierEvent",
    "DossierStatus",
    "Feedback",
    "FeedbackKind",
    "CasbinRule",
    "OnlineLevel",
    "PartnerToken",
    "PolicyRevision",
    "Session",
    "User",
    "Procedure",
    "ProcedureDelegation",
    "LateCause",
    "UnitTarget",
    "ROLLUP_COUNTERS",
    "TimeUnit",
    "Reorganization",
    "SuccessionKind",
    "Timeliness",
    "UnitDailyStats",
    "UnitKind",
    "UnitLevel",
    "UnitProcedureMonthlyStats",
    "UnitSuccession",
    "kind_from_name",
    "unit_path",
    "valid_on",
]
