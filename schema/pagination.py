"""Relay pagination pieces shared by the connections."""

from __future__ import annotations

from typing import Optional

import strawberry


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: Optional[str]
