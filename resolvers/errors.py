"""The failures the layers above may see, so that they need not know the storage underneath."""

from __future__ import annotations

from tortoise.exceptions import ValidationError

from models.errors import (
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from models.outage import is_outage


def is_unchecked_input(error: BaseException | None) -> bool:
    """A value the storage refused (too long for its column) that no use case checked first."""
    return isinstance(error, ValidationError)


__all__ = [
    "BadInput", "Conflict", "DomainError", "Forbidden", "NotFound", "RateLimited",
    "Unauthenticated", "is_outage", "is_unchecked_input",
]
