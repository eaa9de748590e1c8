"""The audit trail: recording and diffing (sealing and verification: issue 4)."""

from __future__ import annotations

from audit.recorder import MASKED_FIELDS, diff, record, start_request

__all__ = ["MASKED_FIELDS", "diff", "record", "start_request"]
