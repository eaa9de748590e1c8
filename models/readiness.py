"""Whether this process can serve: the database answers, its migrations are all applied,
and the audit chain's head is readable (no answer may go out without an entry)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tortoise import connections

MIGRATIONS = Path(__file__).parent / "migrations"


def expected_migrations() -> set[str]:
    return {p.stem for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py")}


@dataclass(frozen=True)
class Readiness:
    ready: bool
    checks: dict[str, str]


async def readiness() -> Readiness:
    """Ask the database three things; a failure to answer raises (the caller times it out)."""
    conn = connections.get("default")
    checks: dict[str, str] = {}
    await conn.execute_query("SELECT 1")
    checks["database"] = "ok"
    rows = await conn.execute_query_dict(
        "SELECT name FROM tortoise_migrations WHERE app = 'models'")
    missing = sorted(expected_migrations() - {r["name"] for r in rows})
    checks["migrations"] = "ok" if not missing else f"not applied: {', '.join(missing)}"
    head = await conn.execute_query_dict("SELECT last_seq FROM audit_chain_head WHERE id = 1")
    checks["audit_chain"] = "ok" if head else "no chain head (run migrate)"
    return Readiness(all(v == "ok" for v in checks.values()), checks)
