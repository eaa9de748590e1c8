"""Indexes for issue 15 and 16: the audit trail by action and by outcome (on every monthly
partition, PostgreSQL), and dossiers by due date (orderBy: DUE)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0015_scorecard_inputs')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['action', 'id'], name='audit_action'),
        ),
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['outcome', 'id'], name='audit_outcome'),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['due_at', 'id'], name='dossier_due_id'),
        ),
    ]
