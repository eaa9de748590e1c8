"""For migrations: SQL that only PostgreSQL runs (operator-class and trigram indexes, triggers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.migrations import operations as ops

from models.dialect import is_postgres


def only_on_postgres(statements: tuple[str, ...]) -> Callable[[Any, Any], Awaitable[None]]:
    """A RunPython body executing `statements` on PostgreSQL and nothing elsewhere."""

    async def run(apps: Any, schema_editor: Any) -> None:
        if not is_postgres(schema_editor.client):
            return
        for statement in statements:
            await schema_editor.client.execute_script(statement)

    return run


def postgres_sql(up: tuple[str, ...], down: tuple[str, ...]) -> ops.RunPython:
    """A reversible migration step that runs only on PostgreSQL."""
    return ops.RunPython(only_on_postgres(up), only_on_postgres(down))


# The indexes every jurisdiction filter uses (the dossier lists, counts and desks).
JURISDICTION_INDEXES = ("dossier_unit_path_pattern", "dossier_unit_path_id", "dossier_status_path",
                        "dossier_desk_path_pattern", "dossier_desk_path_id", "dossier_open_path")


async def reindex_concurrently(client: Any, names: tuple[str, ...] = JURISDICTION_INDEXES) -> None:
    """Rebuild indexes without blocking writers (PostgreSQL; outside a transaction). After a
    reorganisation has rewritten most rows of a table, its indexes are half empty pages."""
    if not is_postgres(client):
        return
    for name in names:
        await client.execute_script(f"REINDEX INDEX CONCURRENTLY {name}")
