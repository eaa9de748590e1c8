"""Domain errors. They live in the lowest layer so every layer can raise them;
schema/errors.py maps each to its GraphQL `extensions.code`."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure that the caller should see, with a stable code."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class BadInput(DomainError):
    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class RateLimited(DomainError):
    code = "RATE_LIMITED"
