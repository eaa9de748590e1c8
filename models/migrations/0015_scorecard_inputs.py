from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# The policy rules this migration's features need (policies/policy.csv has them too). A new
# database gets the whole file from `migrate`'s seed; one upgraded in place gets these.
NEW_RULES = (("LEADER", "dossier", "late_cause"), ("SPECIALIST", "dossier", "late_cause"),
             ("LEADER", "target", "set"), ("ADMIN", "target", "set"),
             ("ADMIN", "procedure", "publish"),
             ("ADMIN", "procedure", "delegate"))


async def add_policy_rules(apps, schema_editor) -> None:
    client = schema_editor.client
    rows = await client.execute_query_dict("SELECT COUNT(*) AS n FROM casbin_rules WHERE ptype = 'p'")
    if not rows[0]["n"]:
        return  # a new database: the seed writes the whole policy after the migrations
    # Constant rules written as literals: the same SQL on both dialects, no parameter marks.
    for role, obj, act in NEW_RULES:
        await client.execute_script(
            f"INSERT INTO casbin_rules (ptype, v0, v1, v2) VALUES ('p', '{role}', '{obj}', '{act}') "
            "ON CONFLICT (ptype, v0, v1, v2) DO NOTHING")
    await client.execute_script("UPDATE policy_revision SET revision = revision + 1")


class Migration(migrations.Migration):
    dependencies = [('models', '0014_scorecard')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProcedureDelegation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='delegations', on_delete=OnDelete.CASCADE)),
                ('procedure', fields.ForeignKeyField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='delegations', on_delete=OnDelete.CASCADE)),
                ('delegated_by', fields.CharField(max_length=255)),
                ('document', fields.CharField(default='', max_length=255)),
                ('set_by', fields.CharField(max_length=150)),
                ('set_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'procedure_delegations', 'app': 'models', 'unique_together': (('unit', 'procedure'),), 'pk_attr': 'id', 'table_description': 'A procedure a unit resolves under delegation (ủy quyền) from the authority competent'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UnitTarget',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('indicator', fields.CharField(max_length=64)),
                ('value', fields.FloatField()),
                ('set_by', fields.CharField(max_length=150)),
                ('set_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'unit_targets', 'app': 'models', 'unique_together': (('unit', 'year', 'indicator'),), 'pk_attr': 'id', 'table_description': "A unit's target for one year and one scorecard indicator, as a percentage (chỉ tiêu),"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Dossier',
            name='late_cause',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Dossier',
            name='late_cause_note',
            field=fields.CharField(null=True, max_length=1000),
        ),
        ops.AddField(
            model_name='Dossier',
            name='late_cause_set_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='late_cause_set_by',
            field=fields.CharField(null=True, max_length=150),
        ),
        ops.AddField(
            model_name='Dossier',
            name='received_by_postal_staff',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunPython(add_policy_rules, ops.RunPython.noop),
    ]
