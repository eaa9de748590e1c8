"""The catalogue shows each procedure's time limit with its unit, and time and fee per channel;
`processingDays` and `fee` stay the in-person values (API.md)."""

from __future__ import annotations

from models import Procedure
from policies import ANONYMOUS
from tests.graphql import execute
from tests.world import build_world

QUERY = """query P($code: String!) { procedure(code: $code) {
  processingDays fee paymentPausesClock processingTime { amount unit label }
  channels { channel fee processingTime { amount unit } } } }"""


async def read(code: str) -> dict:
    result = await execute(QUERY, ANONYMOUS, code=code)
    assert result.errors == []
    return result.data["procedure"]


async def test_a_procedure_without_differences_is_the_same_on_every_channel(db):
    await build_world()
    procedure = await read("1.001612")
    assert (procedure["processingDays"], procedure["fee"]) == (3, 100000)
    assert procedure["processingTime"] == {"amount": 3, "unit": "WORKING_DAYS",
                                           "label": "03 ngày làm việc"}
    assert procedure["channels"] == [
        {"channel": c, "fee": 100000, "processingTime": {"amount": 3, "unit": "WORKING_DAYS"}}
        for c in ("IN_PERSON", "ONLINE", "POSTAL")]
    assert procedure["paymentPausesClock"] is False


async def test_channel_terms_and_units_show_in_the_catalogue(db):
    await build_world()
    # temporary residence: 15,000 đ in person, 7,000 đ online (TT 75/2022/TT-BTC)
    await Procedure.filter(code="1.001612").update(
        fee=15000, channel_terms={"ONLINE": {"fee": 7000}, "POSTAL": {"amount": 30,
                                                                      "unit": "CALENDAR_DAYS"}})
    await Procedure.filter(code="1.001193").update(processing_days=0, time_unit="SAME_DAY",
                                                   payment_pauses_clock=True)
    residence = await read("1.001612")
    assert [(c["channel"], c["fee"], c["processingTime"]) for c in residence["channels"]] == [
        ("IN_PERSON", 15000, {"amount": 3, "unit": "WORKING_DAYS"}),
        ("ONLINE", 7000, {"amount": 3, "unit": "WORKING_DAYS"}),
        ("POSTAL", 15000, {"amount": 30, "unit": "CALENDAR_DAYS"})]
    assert residence["fee"] == 15000  # the in-person fee
    birth = await read("1.001193")
    assert birth["processingDays"] == 0 and birth["paymentPausesClock"] is True
    assert birth["processingTime"]["unit"] == "SAME_DAY"
    assert birth["processingTime"]["label"].startswith("Trong ngày")
