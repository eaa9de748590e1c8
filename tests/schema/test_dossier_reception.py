"""Receiving dossiers: idempotency, dossier codes, and bad input refused field by field."""

from __future__ import annotations

import pytest

from models import AuditEntry, Dossier, DossierEvent
from tests.graphql import execute
from tests.world import applicant, build_world

RECEIVE = """
mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) { dossier { code status applicant { name idNumber phone } } }
}
"""


@pytest.fixture
async def world(db):
    return await build_world()


def reception(**overrides):
    return {"procedureCode": "1.001193", "unitCode": "20335", "channel": "IN_PERSON",
            "applicant": applicant()} | overrides


async def test_receive_retry_with_same_key_returns_the_same_dossier(world):
    clerk = world.actor("clerk", ("CLERK", "20335"))
    first = await execute(RECEIVE, clerk, input=reception(idempotencyKey="retry-1"))
    again = await execute(RECEIVE, clerk, input=reception(idempotencyKey="retry-1"))
    assert first.errors == [] and again.errors == []
    assert first.data == again.data
    assert await Dossier.all().count() == 1
    assert await DossierEvent.all().count() == 1
    assert await AuditEntry.filter(action="dossier:receive").count() == 1


@pytest.mark.parametrize("changed", [
    {"unitCode": "20341"},  # another ward: a different dossier, not a retry
    {"applicant": applicant(idNumber="049090009999")},
    {"applicant": applicant(phone="0912000111")},
    {"applicant": applicant(address="1 Trần Phú, Hội An")},
    {"channel": "POSTAL"},
    {"receivedAt": "2026-01-05T09:00:00+07:00"},
    {"digitizedComponents": True},
    {"electronicCertifiedCopies": True},
])
async def test_receive_same_key_with_any_field_changed_is_a_conflict(world, changed):
    clerk = world.actor("clerk", ("CLERK", "502"))
    first = await execute(RECEIVE, clerk, input=reception(idempotencyKey="k"))
    again = await execute(RECEIVE, clerk, input=reception(idempotencyKey="k") | changed)
    assert first.errors == [] and again.codes == ["CONFLICT"]
    assert again.errors[0]["extensions"]["field"] == "idempotencyKey"
    assert await Dossier.all().count() == 1


async def test_receive_retry_written_differently_is_still_a_retry(world):
    """Fingerprints are taken of the cleaned input: spacing and Unicode forms do not count."""
    clerk = world.actor("clerk", ("CLERK", "20335"))
    first = await execute(RECEIVE, clerk, input=reception(idempotencyKey="k"))
    decomposed = applicant(name="Nguye\u0302\u0303n Va\u0306n An", phone="0905 123 456")
    again = await execute(RECEIVE, clerk, input=reception(idempotencyKey="k", applicant=decomposed))
    assert again.errors == [] and again.data == first.data
    assert await Dossier.all().count() == 1


async def test_receive_same_key_for_another_dossier_is_a_conflict(world):
    clerk = world.actor("clerk", ("CLERK", "20335"))
    await execute(RECEIVE, clerk, input=reception(idempotencyKey="k"))
    other = await execute(RECEIVE, clerk, input=reception(
        idempotencyKey="k", applicant=applicant(name="Phạm Thị Hoa")))
    assert other.codes == ["CONFLICT"]
    assert await Dossier.all().count() == 1


async def test_receive_codes_count_per_agency_and_day(world):
    clerk = world.actor("clerk", ("CLERK", "502"))
    codes = []
    for unit in ("20335", "20335", "20341"):  # each received at the unit's own desk
        result = await execute(RECEIVE, clerk, input=reception(unitCode=unit, deskCode=unit))
        codes.append(result.data["receiveDossier"]["dossier"]["code"])
    assert [c.split("-")[0] + "-" + c.split("-")[2] for c in codes] == [
        "UB20335-0001", "UB20335-0002", "UB20341-0001"]


BAD_INPUTS = [
    (reception(procedureCode="9.999999"), "procedureCode", "unknown procedure '9.999999'"),
    (reception(unitCode="00000"), "unitCode", "unknown unit '00000'"),
    (reception(procedureCode="1.004227"), "procedureCode",
     "procedure 1.004227 is handled at PROVINCE level, not by a COMMUNE unit"),
    (reception(applicant=applicant(name="")), "applicant.name", "applicant.name must not be empty"),
    (reception(applicant=applicant(name="x" * 10_000_000)), "applicant.name",
     "applicant.name must be at most 255 characters"),
    (reception(applicant=applicant(name="An\x00")), "applicant.name",
     "applicant.name must not contain control characters"),
    (reception(applicant=applicant(idNumber="12ab")), "applicant.idNumber",
     "applicant.idNumber must be 9 or 12 digits"),
    (reception(applicant=applicant(phone="12345")), "applicant.phone",
     "applicant.phone must be a Vietnamese phone number"),
    (reception(receivedAt="2999-01-01T00:00:00+07:00"), "receivedAt",
     "receivedAt must not be in the future"),
    (reception(idempotencyKey="k" * 101), "idempotencyKey",
     "idempotencyKey must be at most 100 characters"),
]


@pytest.mark.parametrize(("payload", "field", "message"), BAD_INPUTS)
async def test_receive_bad_input_names_the_field_and_writes_nothing(world, payload, field, message):
    clerk = world.actor("clerk", ("CLERK", "20335"))
    result = await execute(RECEIVE, clerk, input=payload)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert result.errors[0]["message"] == message
    assert await Dossier.all().count() == 0
    # the attempt is on the trail as a failed operation, and no reception was recorded
    assert await AuditEntry.filter(action="dossier:receive").count() == 0
    attempt = await AuditEntry.get(action="mutation:receiveDossier")
    assert (attempt.outcome, attempt.reason) == ("ERROR", message)


@pytest.mark.parametrize(("payload", "fragment"), [
    (reception(channel="FAX"), "Value 'FAX' does not exist in 'Channel' enum"),
    (reception(receivedAt="yesterday"), "receivedAt"),
    ({"unitCode": "20335"}, "procedureCode"),
])
async def test_receive_malformed_values_are_refused_by_the_schema(world, payload, fragment):
    clerk = world.actor("clerk", ("CLERK", "20335"))
    result = await execute(RECEIVE, clerk, input=payload)
    assert set(result.codes) == {"BAD_USER_INPUT"}
    assert any(fragment in e["message"] for e in result.errors)
    assert await Dossier.all().count() == 0


async def test_receive_by_a_role_without_reception_is_forbidden(world):
    inspector = world.actor("tra", ("INSPECTOR", "49"))
    result = await execute(RECEIVE, inspector, input=reception())
    assert result.codes == ["FORBIDDEN"]
    assert await Dossier.all().count() == 0


async def test_receive_at_a_desk_outside_the_clerks_unit_is_forbidden(world):
    clerk = world.actor("clerk", ("CLERK", "20341"))
    result = await execute(RECEIVE, clerk, input=reception(unitCode="20335", deskCode="20335"))
    assert result.codes == ["FORBIDDEN"]
    assert await Dossier.all().count() == 0


async def test_receive_for_a_unit_of_another_province_is_forbidden(world):
    clerk = world.actor("clerk", ("CLERK", "490"))
    result = await execute(RECEIVE, clerk, input=reception(unitCode="20335"))
    assert result.codes == ["FORBIDDEN"]
    assert result.errors[0]["extensions"]["field"] == "deskCode"
    assert await Dossier.all().count() == 0


async def test_receive_normalises_decomposed_vietnamese_to_nfc(world):
    import unicodedata

    clerk = world.actor("clerk", ("CLERK", "20335"))
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    result = await execute(RECEIVE, clerk, input=reception(applicant=applicant(name=decomposed)))
    assert result.data["receiveDossier"]["dossier"]["applicant"]["name"] == "Nguyễn Văn An"
