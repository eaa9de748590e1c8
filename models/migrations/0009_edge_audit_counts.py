from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_procedure_monthly')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEntry',
            name='occurrences',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Dossier',
            name='idempotency_fingerprint',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
