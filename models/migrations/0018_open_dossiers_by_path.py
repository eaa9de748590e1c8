"""PostgreSQL: the dossiers in progress by jurisdiction, for the live counters of metrics.

Every metrics request over units in force counts the dossiers in progress and those overdue
under the unit's path (resolvers/metrics/measures.py). That read went through
`dossier_open_due` to every open dossier of the system and then to the heap, to keep the
province's: 15.7 ms at a million dossiers, the heaviest statement of issue 15's (c). This
index holds only dossiers received and not ended, by path, with the columns the count
reads, so the count is an index-only scan of the province's open dossiers (0.8 ms there,
once vacuum has marked the pages all-visible). SQLite counts as before.
"""

from tortoise import migrations

from models.postgres import postgres_sql

POSTGRES_UP = (
    "CREATE INDEX IF NOT EXISTS dossier_open_path ON dossiers (unit_path varchar_pattern_ops) "
    "INCLUDE (unit_id, paused_at, legal_due_at) WHERE ended_at IS NULL AND received_at IS NOT NULL",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS dossier_open_path",)


class Migration(migrations.Migration):
    dependencies = [('models', '0017_write_statement')]

    initial = False

    operations = [postgres_sql(POSTGRES_UP, POSTGRES_DOWN)]
