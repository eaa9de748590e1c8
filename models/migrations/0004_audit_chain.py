from tortoise import migrations
from tortoise.migrations import operations as ops

from models.postgres import postgres_sql
from tortoise import fields
from tortoise.indexes import Index

# On PostgreSQL the application cannot change or remove audit rows: a trigger refuses it
# (a superuser can still disable the trigger, which is why the chain is verified too).
POSTGRES_UP = (
    """CREATE OR REPLACE FUNCTION audit_entries_immutable() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'audit entries cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_immutable()""",
    "CREATE INDEX IF NOT EXISTS audit_unit_path_pattern "
    "ON audit_entries (unit_path varchar_pattern_ops, id)",
)
POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS audit_unit_path_pattern",
    "DROP TRIGGER IF EXISTS audit_entries_immutable ON audit_entries",
    "DROP FUNCTION IF EXISTS audit_entries_immutable()",
)



class Migration(migrations.Migration):
    dependencies = [('models', '0003_identity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_seq', fields.BigIntField(default=0)),
                ('last_hash', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'audit_chain_head', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The last sealed entry: locked briefly by each writer, at the end of its transaction.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='actor_roles',
            field=fields.CharField(null=True, max_length=500),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='prev_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='seq',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['actor_username', 'id'], name='audit_actor'),
        ),
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['unit_path', 'id'], name='audit_unit_path'),
        ),
        postgres_sql(POSTGRES_UP, POSTGRES_DOWN),
    ]
