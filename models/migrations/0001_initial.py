from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.audit import AuditOutcome
from models.dossiers import ApplicantKind, Channel, DossierStatus, Timeliness
from models.procedures import OnlineLevel
from models.units import UnitLevel
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AdministrativeUnit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('name', fields.CharField(max_length=200)),
                ('level', fields.CharEnumField(description='PROVINCE: PROVINCE\nDISTRICT: DISTRICT\nCOMMUNE: COMMUNE', enum_type=UnitLevel, max_length=16)),
                ('parent', fields.ForeignKeyField('models.AdministrativeUnit', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('path', fields.CharField(unique=True, max_length=128)),
            ],
            options={'table': 'administrative_units', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A province, district or commune with its official statistical code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Agency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=255)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='agencies', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'agencies', 'app': 'models', 'pk_attr': 'id', 'table_description': "An office that receives and handles dossiers, e.g. a commune People's Committee."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_username', fields.CharField(null=True, max_length=150)),
                ('action', fields.CharField(max_length=64)),
                ('object_type', fields.CharField(null=True, max_length=64)),
                ('object_id', fields.CharField(null=True, max_length=64)),
                ('unit_path', fields.CharField(null=True, max_length=128)),
                ('outcome', fields.CharEnumField(description='ALLOWED: ALLOWED\nDENIED: DENIED\nERROR: ERROR', enum_type=AuditOutcome, max_length=16)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('operation_name', fields.CharField(null=True, max_length=128)),
                ('request_id', fields.CharField(null=True, max_length=64)),
                ('client_address', fields.CharField(null=True, max_length=64)),
                ('changes', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_entries', 'app': 'models', 'indexes': [Index(fields=['object_type', 'object_id', 'id'], name='audit_object'), Index(fields=['at', 'id'], name='audit_at')], 'pk_attr': 'id', 'table_description': 'Who did what to which object, with what outcome, and the changed fields old → new.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarOverride',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('is_working_day', fields.BooleanField()),
                ('note', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'calendar_overrides', 'app': 'models', 'pk_attr': 'day', 'table_description': 'A working-day swap announced after the `holidays` package was released.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DossierCodeCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='code_counters', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('last_sequence', fields.IntField(default=0)),
            ],
            options={'table': 'dossier_code_counters', 'app': 'models', 'unique_together': (('agency', 'day'),), 'pk_attr': 'id', 'table_description': "Last sequence number used for an agency's dossier codes on one day."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Procedure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=500)),
                ('field', fields.CharField(db_index=True, max_length=200)),
                ('level', fields.CharEnumField(description='PROVINCE: PROVINCE\nDISTRICT: DISTRICT\nCOMMUNE: COMMUNE', enum_type=UnitLevel, max_length=16)),
                ('processing_days', fields.IntField()),
                ('fee', fields.BigIntField(default=0)),
                ('online_level', fields.CharEnumField(default=OnlineLevel.NONE, description='FULL: FULL\nPARTIAL: PARTIAL\nNONE: NONE', enum_type=OnlineLevel, max_length=16)),
                ('documents', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('search_text', fields.CharField(default='', max_length=600)),
            ],
            options={'table': 'procedures', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A published procedure, e.g. `1.001193` birth registration.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Dossier',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=48)),
                ('procedure', fields.ForeignKeyField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='dossiers', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('models.AdministrativeUnit', source_field='unit_id', db_constraint=True, to_field='id', related_name='dossiers', on_delete=OnDelete.RESTRICT)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='dossiers', on_delete=OnDelete.RESTRICT)),
                ('unit_path', fields.CharField(max_length=128)),
                ('channel', fields.CharEnumField(description='IN_PERSON: IN_PERSON\nONLINE: ONLINE\nPOSTAL: POSTAL', enum_type=Channel, max_length=16)),
                ('status', fields.CharEnumField(description='NEW: NEW\nRECEIVED: RECEIVED\nNOT_ACCEPTED: NOT_ACCEPTED\nIN_PROCESSING: IN_PROCESSING\nSUPPLEMENT_REQUESTED: SUPPLEMENT_REQUESTED\nPAYMENT_REQUESTED: PAYMENT_REQUESTED\nWITHDRAWN: WITHDRAWN\nSTOPPED: STOPPED\nFINISHED: FINISHED\nRETURNED: RETURNED', enum_type=DossierStatus, max_length=24)),
                ('national_status_code', fields.SmallIntField()),
                ('applicant_name', fields.CharField(max_length=255)),
                ('applicant_kind', fields.CharEnumField(description='CITIZEN: CITIZEN\nORGANIZATION: ORGANIZATION', enum_type=ApplicantKind, max_length=16)),
                ('applicant_id_number', fields.CharField(null=True, max_length=32)),
                ('applicant_phone', fields.CharField(null=True, max_length=32)),
                ('applicant_address', fields.CharField(null=True, max_length=500)),
                ('search_text', fields.CharField(max_length=400)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('legal_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('returned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('timeliness', fields.CharEnumField(null=True, description='EARLY: EARLY\nON_TIME: ON_TIME\nLATE: LATE\nPENDING: PENDING\nOVERDUE: OVERDUE', enum_type=Timeliness, max_length=16)),
                ('supplement_count', fields.SmallIntField(default=0)),
                ('paused_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('extension_reason', fields.TextField(null=True, unique=False)),
                ('extended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('fee', fields.BigIntField(default=0)),
                ('paid_online', fields.BooleanField(default=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('components_digitized', fields.BooleanField(default=False)),
                ('result_electronic', fields.BooleanField(default=False)),
                ('idempotency_key', fields.CharField(null=True, unique=True, max_length=128)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'dossiers', 'app': 'models', 'indexes': [Index(fields=['unit_path', 'id'], name='dossier_unit_path_id'), Index(fields=['status', 'unit_path'], name='dossier_status_path'), Index(fields=['procedure_id', 'id'], name='dossier_procedure_id'), Index(fields=['received_at', 'id'], name='dossier_received_id'), Index(fields=['channel', 'id'], name='dossier_channel_id'), Index(fields=['ended_at', 'legal_due_at'], name='dossier_open_due')], 'pk_attr': 'id', 'table_description': 'One application filed by a citizen or business for one procedure.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DossierEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('action', fields.CharField(max_length=32)),
                ('from_status', fields.CharEnumField(null=True, description='NEW: NEW\nRECEIVED: RECEIVED\nNOT_ACCEPTED: NOT_ACCEPTED\nIN_PROCESSING: IN_PROCESSING\nSUPPLEMENT_REQUESTED: SUPPLEMENT_REQUESTED\nPAYMENT_REQUESTED: PAYMENT_REQUESTED\nWITHDRAWN: WITHDRAWN\nSTOPPED: STOPPED\nFINISHED: FINISHED\nRETURNED: RETURNED', enum_type=DossierStatus, max_length=24)),
                ('to_status', fields.CharEnumField(description='NEW: NEW\nRECEIVED: RECEIVED\nNOT_ACCEPTED: NOT_ACCEPTED\nIN_PROCESSING: IN_PROCESSING\nSUPPLEMENT_REQUESTED: SUPPLEMENT_REQUESTED\nPAYMENT_REQUESTED: PAYMENT_REQUESTED\nWITHDRAWN: WITHDRAWN\nSTOPPED: STOPPED\nFINISHED: FINISHED\nRETURNED: RETURNED', enum_type=DossierStatus, max_length=24)),
                ('actor_username', fields.CharField(max_length=150)),
                ('note', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'dossier_events', 'app': 'models', 'indexes': [Index(fields=['dossier_id', 'id'], name='dossier_event_dossier')], 'pk_attr': 'id', 'table_description': 'One transition of a dossier: who, when, from which status to which, and why.'},
            bases=['Model'],
        ),
    ]
