"""PostgreSQL-only indexes: prefix scans on unit paths and diacritic-free substring search.

A default btree index is not used for `LIKE 'prefix%'` under a non-C collation, so the
jurisdiction prefix needs `varchar_pattern_ops`; `%term%` search needs trigrams. SQLite
uses the plain indexes of 0001 (its LIKE prefix optimisation needs no operator class).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.postgres import postgres_sql

POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS dossier_unit_path_pattern "
    "ON dossiers (unit_path varchar_pattern_ops, id)",
    "CREATE INDEX IF NOT EXISTS dossier_search_trgm ON dossiers USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS unit_path_pattern "
    "ON administrative_units (path varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS procedure_search_trgm "
    "ON procedures USING gin (search_text gin_trgm_ops)",
)
POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS procedure_search_trgm",
    "DROP INDEX IF EXISTS unit_path_pattern",
    "DROP INDEX IF EXISTS dossier_search_trgm",
    "DROP INDEX IF EXISTS dossier_unit_path_pattern",
)



class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [postgres_sql(POSTGRES_UP, POSTGRES_DOWN)]
