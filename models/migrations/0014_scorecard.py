from tortoise import migrations
from tortoise.migrations import operations as ops
import importlib
from models import dialect
from models.metrics import Satisfaction
from tortoise import fields

# The scorecard as a versioned method (docs/scorecard.md):
# - two rollup counters from which the progress group judges dossiers still open at the end
#   of a period (fallen_due, fallen_due_ended; models/metrics.py), filled here by rebuilding
#   both rollup tables from the dossiers with the same definition `rollups.rebuild()` uses;
# - a rating's satisfaction on the national portal's three levels, the stored 1–5 ratings
#   mapped 5 → VERY_SATISFIED, 4 → SATISFIED, 1–3 → NOT_SATISFIED (their `rating` is kept).
SATISFACTION_FROM_RATING = (
    "UPDATE feedback SET satisfaction = CASE WHEN rating >= 5 THEN 'VERY_SATISFIED' "
    "WHEN rating = 4 THEN 'SATISFIED' ELSE 'NOT_SATISFIED' END "
    "WHERE kind = 'RATING' AND rating IS NOT NULL AND satisfaction IS NULL")


async def map_ratings(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(SATISFACTION_FROM_RATING)


async def forget_levels(apps, schema_editor) -> None:
    """Down: ratings given on three levels only get the 1–5 value their level maps from."""
    await schema_editor.client.execute_script(
        "UPDATE feedback SET rating = CASE satisfaction WHEN 'VERY_SATISFIED' THEN 5 "
        "WHEN 'SATISFIED' THEN 4 ELSE 2 END WHERE kind = 'RATING' AND rating IS NULL")


async def rebuild_rollups(apps, schema_editor) -> None:
    # By name: migrations sit below the resolvers, whose module holds the one definition.
    # That definition is today's: a later migration that adds a rollup counter must make this
    # step use the counters of 0014 (every fresh test database runs it, so it would fail at once).
    rollup_sql = importlib.import_module("resolvers.metrics.rollup_sql")
    client = schema_editor.client
    # A maintenance step: at a million dossiers it outlasts a request's limit.
    await dialect.set_local(client, dialect.NO_STATEMENT_TIMEOUT)
    for statement in rollup_sql.rebuild_sql(client):
        await client.execute_query(statement)


async def nothing(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [('models', '0013_audit_partitions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='UnitDailyStats',
            name='fallen_due',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='UnitDailyStats',
            name='fallen_due_ended',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='UnitProcedureMonthlyStats',
            name='fallen_due',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='UnitProcedureMonthlyStats',
            name='fallen_due_ended',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Feedback',
            name='satisfaction',
            field=fields.CharEnumField(description='VERY_SATISFIED: VERY_SATISFIED\nSATISFIED: SATISFIED\nNOT_SATISFIED: NOT_SATISFIED', enum_type=Satisfaction, null=True, max_length=16),
        ),
        ops.RunPython(map_ratings, forget_levels),
        ops.RunPython(rebuild_rollups, nothing),
    ]
