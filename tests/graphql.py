"""Executing GraphQL documents as a given caller, through the real schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies import Actor
from schema import schema
from schema.context import Context


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]

    @property
    def codes(self) -> list[str]:
        return [e["extensions"]["code"] for e in self.errors]


async def execute(document: str, actor: Actor, **variables: Any) -> Result:
    result = await schema.execute(document, variable_values=variables,
                                  context_value=Context(actor=actor))
    errors = [e.formatted for e in result.errors or []]
    return Result(data=result.data, errors=errors)
