"""Dialect-specific SQL lives in one module (models/dialect.py): nothing else asks which
database it runs on, so a third dialect, or a difference found later, has one place to go."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "cli.py", "config.py", "audit", "demo", "models", "policies", "resolvers",
           "schema", "web", "benchmarks")
ASKING = re.compile(r"capabilities\s*\.\s*dialect")


def _asking(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1)
            if ASKING.search(line)]


def test_only_the_dialect_module_asks_which_database_it_is():
    found: list[str] = []
    for name in SOURCES:
        base = ROOT / name
        for path in ([base] if base.is_file() else sorted(base.rglob("*.py"))):
            if path == ROOT / "models" / "dialect.py" or "baseline" in path.parts:
                continue  # the baseline speaks asyncpg only
            found += _asking(path)
    assert found == []


def test_the_check_finds_a_branch_on_the_dialect():
    path = ROOT / "models" / "_probe_dialect.py"
    try:
        path.write_text('pg = conn.capabilities.dialect == "postgres"\n')
        assert _asking(path) == ["models/_probe_dialect.py:1"]
    finally:
        path.unlink()


async def test_a_list_of_ids_is_one_parameter_on_either_database(db):
    """`among` and `ids` select exactly the rows listed, with one statement text for any
    number of ids (the events of a list page, resolvers/loaders.py)."""
    from tortoise import connections

    from models import AdministrativeUnit, dialect
    from tests.world import build_world

    await build_world()
    conn = connections.get("default")
    units = await AdministrativeUnit.all().order_by("id")
    wanted = [units[0].id, units[2].id, units[-1].id, 10**9]  # one id that matches nothing
    sql = (f'SELECT id FROM "{AdministrativeUnit._meta.db_table}" '
           f'WHERE {dialect.among(conn, "id", 1)} ORDER BY id')
    rows = await conn.execute_query_dict(sql, [dialect.ids(conn, wanted)])
    assert [r["id"] for r in rows] == sorted(wanted[:3])
    assert await conn.execute_query_dict(sql, [dialect.ids(conn, [])]) == []
