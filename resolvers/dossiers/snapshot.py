"""A dossier's audited fields as plain values, for diffs in the audit trail."""

from __future__ import annotations

from typing import Any

from audit import MASKED_FIELDS
from models import Dossier

AUDITED = (
    "status", "national_status_code", "received_at", "time_amount", "time_unit",
    "clock_started_at", "legal_due_at", "due_at", "finished_at",
    "returned_at", "ended_at", "timeliness", "supplement_count", "paused_at",
    "extension_reason", "extended_at", "paid_online", "paid_at", "version", "processing_days",
    "result_electronic", "components_digitized", "certified_copies_electronic",
    "reused_digitized_data", "synced_to_portal_at",
    "applicant_name", "applicant_id_number", "applicant_phone", "applicant_address",
)


def snapshot(dossier: Dossier, *, masked: bool = False) -> dict[str, Any]:
    """Audited fields of a dossier; with `masked`, identifiers are replaced by ***."""
    values: dict[str, Any] = {}
    for name in AUDITED:
        value = getattr(dossier, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        if masked and name in MASKED_FIELDS and value is not None:
            value = "***"
        values[name] = value
    return values
