"""Text folding for search: Vietnamese without diacritics, case-insensitive."""

from __future__ import annotations

import unicodedata

# "đ" is a letter of its own, not "d" plus a combining mark, so NFD leaves it alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case ASCII-ish form used for diacritic-insensitive search."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())

