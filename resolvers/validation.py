"""Checks on user input that name the offending field."""

from __future__ import annotations

import re
import unicodedata

from models.errors import BadInput

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_DIGITS = re.compile(r"^\d+$")


def text(
    value: str | None, *, field: str, max_length: int, required: bool = True, min_length: int = 1
) -> str | None:
    """NFC-normalised, stripped text without control characters, within length bounds."""
    if value is None:
        if required:
            raise BadInput(f"{field} is required", field=field)
        return None
    # Vietnamese typed on different keyboards arrives composed or decomposed.
    cleaned = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned):
        # Cf: invisible format characters, including bidi overrides that make text lie.
        raise BadInput(f"{field} must not contain control characters", field=field)
    if len(cleaned) > max_length:
        raise BadInput(f"{field} must be at most {max_length} characters", field=field)
    if len(cleaned) < min_length:
        if not required and not cleaned:
            return None
        raise BadInput(f"{field} must not be empty", field=field)
    return cleaned


def digits(value: str | None, *, field: str, lengths: tuple[int, ...]) -> str | None:
    """A string of digits of one of the allowed lengths (ID numbers, tax codes)."""
    cleaned = text(value, field=field, max_length=32, required=False)
    if cleaned is None:
        return None
    if not _DIGITS.match(cleaned) or len(cleaned) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        raise BadInput(f"{field} must be {allowed} digits", field=field)
    return cleaned


def phone(value: str | None, *, field: str) -> str | None:
    """A Vietnamese phone number: 0xxxxxxxxx or +84xxxxxxxxx, spaces and dots allowed."""
    cleaned = text(value, field=field, max_length=32, required=False)
    if cleaned is None:
        return None
    compact = re.sub(r"[ .\-]", "", cleaned)
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    if not _DIGITS.match(compact) or not 10 <= len(compact) <= 11 or compact[0] != "0":
        raise BadInput(f"{field} must be a Vietnamese phone number", field=field)
    return compact


def page_size(first: int | None, *, field: str = "first") -> int:
    """A page size between 1 and MAX_PAGE_SIZE (default DEFAULT_PAGE_SIZE)."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > MAX_PAGE_SIZE:
        raise BadInput(f"{field} must be between 1 and {MAX_PAGE_SIZE}", field=field)
    return first
