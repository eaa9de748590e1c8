from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.procedures import TimeUnit
from tortoise import fields

from models import announcements, dialect


async def load_announcements(apps, schema_editor) -> None:
    """The announced days off and worked Saturdays of 2025-2027, once (models/announcements.py)."""
    await announcements.load(schema_editor.client)


# The policy rules this migration's features need (policies/policy.csv has them too). A new
# database gets the whole file from `migrate`'s seed; one upgraded in place gets these.
NEW_RULES = (("ANONYMOUS", "calendar", "read"), ("CLERK", "dossier", "GUIDE_SUPPLEMENT"),
             ("ADMIN", "calendar", "set"), ("ADMIN", "calendar", "clear"))


async def add_policy_rules(apps, schema_editor) -> None:
    client = schema_editor.client
    rows = await client.execute_query_dict("SELECT COUNT(*) AS n FROM casbin_rules WHERE ptype = 'p'")
    if not rows[0]["n"]:
        return  # a new database: the seed writes the whole policy after the migrations
    marks = ", ".join(dialect.marks(client, 3))
    for rule in NEW_RULES:
        await client.execute_query(
            f"INSERT INTO casbin_rules (ptype, v0, v1, v2) VALUES ('p', {marks}) "
            "ON CONFLICT (ptype, v0, v1, v2) DO NOTHING", list(rule))
    await client.execute_script("UPDATE policy_revision SET revision = revision + 1")


async def unload_announcements(apps, schema_editor) -> None:
    await schema_editor.client.execute_script("DELETE FROM calendar_overrides WHERE set_by = 'migration'")


class Migration(migrations.Migration):
    dependencies = [('models', '0010_security')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='CalendarOverride',
            options={'table': 'calendar_overrides', 'app': 'models', 'pk_attr': 'day', 'table_description': 'A day whose working status is set over the `holidays` package.'},
        ),
        ops.AddField(
            model_name='CalendarOverride',
            name='set_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='CalendarOverride',
            name='set_by',
            field=fields.CharField(default='', db_default='', max_length=150),
        ),
        ops.AddField(
            model_name='CalendarOverride',
            name='source',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Dossier',
            name='clock_started_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='time_amount',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Dossier',
            name='time_unit',
            field=fields.CharEnumField(null=True, description='WORKING_DAYS: WORKING_DAYS\nCALENDAR_DAYS: CALENDAR_DAYS\nWORKING_HOURS: WORKING_HOURS\nHOURS: HOURS\nSAME_DAY: SAME_DAY', enum_type=TimeUnit, max_length=16),
        ),
        ops.AddField(
            model_name='Procedure',
            name='channel_terms',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Procedure',
            name='payment_pauses_clock',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Procedure',
            name='time_unit',
            field=fields.CharEnumField(default=TimeUnit.WORKING_DAYS, description='WORKING_DAYS: WORKING_DAYS\nCALENDAR_DAYS: CALENDAR_DAYS\nWORKING_HOURS: WORKING_HOURS\nHOURS: HOURS\nSAME_DAY: SAME_DAY', db_default='WORKING_DAYS', enum_type=TimeUnit, max_length=16),
        ),
        ops.RunPython(load_announcements, unload_announcements),
        ops.RunPython(add_policy_rules, ops.RunPython.noop),
    ]
