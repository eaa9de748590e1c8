"""Opaque keyset cursors: base64 of `<kind>:<key>`, checked on the way back in."""

from __future__ import annotations

import base64
import binascii

from models.errors import BadInput


def encode(kind: str, key: int | str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def decode_int(cursor: str | None, *, kind: str, field: str = "after") -> int | None:
    """The integer key of a cursor of this kind, or BAD_USER_INPUT."""
    if cursor is None:
        return None
    try:
        prefix, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != kind:
            raise ValueError
        return int(key)
    except (ValueError, binascii.Error, UnicodeError):
        raise BadInput(f"{field} is not a valid cursor", field=field) from None


def decode_str(cursor: str | None, *, kind: str, field: str = "after") -> str | None:
    if cursor is None:
        return None
    try:
        prefix, _, key = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeError):
        raise BadInput(f"{field} is not a valid cursor", field=field) from None
    if prefix != kind:
        raise BadInput(f"{field} is not a valid cursor", field=field)
    return key
