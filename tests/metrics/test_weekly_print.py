"""The weekly XLSX prints: landscape, one page wide, labels on every page, the grade and
band cells in the band's colour; and `weekEnding` outside 2018 … this week is refused."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from models import AuditEntry
from models.errors import BadInput
from resolvers.metrics import service
from resolvers.metrics.report import BAND_FILLS, HEADER, weekly_report
from tests.resolvers.test_weekly_report import FRIDAY, HEADER_ROW, now, world  # noqa: F401

COLUMN = {label: index + 1 for index, label in enumerate(HEADER)}


async def test_the_weekly_xlsx_is_ready_to_print(world):  # noqa: F811
    leader = world.actor("tuan", ("LEADER", "49"))
    content, _, _ = await weekly_report(actor=leader, unit_code="49", week_ending=FRIDAY, fmt="xlsx")
    book = load_workbook(io.BytesIO(content))
    report = await service.compute(actor=leader, unit_code="49", first=date(2026, 3, 14),
                                   last=FRIDAY)
    card = service.scorecard(report)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert sheet.freeze_panes == f"C{HEADER_ROW + 1}"
        labels = sheet[HEADER_ROW]
        assert [c.value for c in labels] == list(HEADER)
        assert all(c.font.bold and c.alignment.wrap_text for c in labels)
        assert sheet.row_dimensions[HEADER_ROW].height >= 45  # room for three wrapped lines
        widths = [sheet.column_dimensions[c.column_letter].width for c in labels]
        assert all(8 <= w <= 32 for w in widths)
    week = book["Tuần"]
    totals = HEADER_ROW + 1
    assert week.cell(totals, COLUMN["Điểm Bộ chỉ số 766"]).value == card.total
    assert week.cell(totals, COLUMN["Xếp loại"]).value == card.grade.label
    for label in ("Điểm Bộ chỉ số 766", "Xếp loại", "Màu"):
        fill = week.cell(totals, COLUMN[label]).fill
        assert fill.fill_type == "solid" and fill.fgColor.rgb.endswith(BAND_FILLS[card.band])
    assert week.cell(totals, COLUMN["Tiếp nhận"]).fill.fill_type is None  # only the score cells


@pytest.mark.parametrize("day", [date(2017, 12, 31), date(2026, 3, 30), date(2027, 1, 1)])
async def test_week_ending_outside_2018_to_this_week_is_refused(world, day):  # noqa: F811
    leader = world.actor("tuan", ("LEADER", "49"))  # the clock: Friday 20 Mar 2026
    with pytest.raises(BadInput) as error:
        await weekly_report(actor=leader, unit_code="49", week_ending=day, fmt="xlsx")
    assert error.value.field == "weekEnding"
    assert str(error.value) == "weekEnding must be between 2018-01-01 and 2026-03-22"
    assert await AuditEntry.filter(action="report:weekly").count() == 0


@pytest.mark.parametrize("day", [date(2018, 1, 1), date(2026, 3, 22)])
async def test_week_ending_at_the_edges_is_accepted(world, day):  # noqa: F811
    leader = world.actor("tuan", ("LEADER", "49"))
    _, filename, _ = await weekly_report(actor=leader, unit_code="49", week_ending=day, fmt="csv")
    assert filename.endswith(f"{day.isoformat()}.csv")
