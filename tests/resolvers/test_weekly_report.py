"""The Friday report: the week and the year to date per child unit, as XLSX and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from models import AuditEntry
from models.errors import BadInput, Forbidden
from policies import ANONYMOUS, SYSTEM
from resolvers import clock, feedback
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.lifecycle import DossierAction as A
from resolvers.metrics import service
from resolvers.metrics.report import HEADER, weekly_report
from tests.world import at, build_world

FRIDAY = date(2026, 3, 20)  # the week is Sat 14 – Fri 20 Mar 2026
COLUMN = {label: index for index, label in enumerate(HEADER)}
HEADER_ROW = 6  # title, unit, period, generation time, a blank line, then the labels


@pytest.fixture
def now(monkeypatch):
    def set_now(text: str) -> None:
        instant = at(text)
        monkeypatch.setattr(clock, "now", lambda: instant)

    return set_now


async def dossier(now, when: str, unit: str, procedure: str, channel: str = "IN_PERSON"):
    now(when)
    return await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code=procedure, unit_code=unit, channel=channel,
        applicant=Applicant(name="Phạm Thị Dung", id_number="049190005678")))


async def move(now, when: str, row, *actions: A):
    now(when)
    for action in actions:
        row = await transition_dossier(actor=SYSTEM, code=row.code, action=action)
    return row


@pytest.fixture
async def world(db, now):
    """Five dossiers of 2026 under province 49, two of them rated; the clock ends on Friday."""
    world = await build_world()
    # 20335 (under 502): received Mon 16 Mar, finished the same day → early, rated 5
    d1 = await dossier(now, "2026-03-16 09:00", "20335", "1.001193")
    d1 = await move(now, "2026-03-16 15:00", d1, A.START_PROCESSING, A.FINISH)
    await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=d1.code, rating=5,
                                applicant_id_number="049190005678")
    # 20335: filed online Tue 17 Mar, accepted then, due Wed 18 → open and overdue on Friday
    d2 = await dossier(now, "2026-03-17 08:00", "20335", "1.001193", channel="ONLINE")
    await move(now, "2026-03-17 09:00", d2, A.ACCEPT)
    # 20341 (under 502): by post on Tue 10 Mar, due Thu 12, finished Wed 18 Mar → late
    d3 = await dossier(now, "2026-03-10 09:00", "20341", "2.000908", channel="POSTAL")
    await move(now, "2026-03-10 10:00", d3, A.START_PROCESSING)
    await move(now, "2026-03-18 10:00", d3, A.FINISH)
    # 20401 (under 503): received Tue 10 Feb, finished Wed 11 Feb → on time, rated 2
    d4 = await dossier(now, "2026-02-10 09:00", "20401", "1.001193")
    d4 = await move(now, "2026-02-11 10:00", d4, A.START_PROCESSING, A.FINISH)
    await feedback.rate_dossier(actor=ANONYMOUS, dossier_code=d4.code, rating=2,
                                applicant_id_number="049190005678")
    # 502 itself: received Thu 19 Mar with a fee, due Tue 24 → open, not overdue
    await dossier(now, "2026-03-19 09:00", "502", "1.001612")
    now("2026-03-20 16:30")
    return world


def table(sheet) -> dict[str, tuple]:
    """Data rows by unit code (column A), below the label row; the unit's own row (its own
    dossiers, under its code too) as "<code>/own"."""
    return keyed(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))


def keyed(rows) -> dict[str, tuple]:
    table: dict[str, tuple] = {}
    for row in rows:
        table[f"{row[0]}/own" if str(row[1]).startswith("Tiếp nhận tại") else row[0]] = row
    return table


def cell(row: tuple, label: str):
    return row[COLUMN[label]]


async def test_weekly_report_xlsx_counts_the_week_and_the_year(world):
    leader = world.actor("tuan", ("LEADER", "49"))
    content, filename, media_type = await weekly_report(actor=leader, unit_code="49",
                                                        week_ending=FRIDAY, fmt="xlsx")
    assert filename == "bao-cao-tuan-49-2026-03-20.xlsx"
    assert media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Tuần", "Lũy kế năm"]
    week, year = book["Tuần"], book["Lũy kế năm"]
    assert week["B2"].value == "Tỉnh Quảng Nam (49)"
    assert week["B3"].value == "14/03/2026 – 20/03/2026"
    assert year["B3"].value == "01/01/2026 – 20/03/2026"
    assert week["B4"].value == "20/03/2026 16:30"
    assert [c.value for c in week[HEADER_ROW]] == list(HEADER)
    assert all(c.font.bold for c in week[HEADER_ROW])
    assert week.freeze_panes == f"C{HEADER_ROW + 1}"
    assert week.column_dimensions["B"].width == 32

    rows = table(week)
    assert list(rows) == ["49", "502", "503"]
    counts = ("Tiếp nhận", "Trực tuyến", "Trực tiếp", "Bưu chính công ích", "Đã giải quyết",
              "Trước hạn", "Đúng hạn", "Trễ hạn", "Đang giải quyết", "Quá hạn")
    assert [cell(rows["49"], c) for c in counts] == [3, 1, 2, 0, 2, 1, 0, 1, 2, 1]
    assert [cell(rows["502"], c) for c in counts] == [3, 1, 2, 0, 2, 1, 0, 1, 2, 1]
    assert [cell(rows["503"], c) for c in counts] == [0] * 10
    assert cell(rows["49"], "Tỷ lệ đúng hạn (%)") == 0.5
    assert cell(rows["49"], "Tỷ lệ trực tuyến (%)") == pytest.approx(1 / 3)
    assert cell(rows["49"], "Tỷ lệ thanh toán trực tuyến (%)") == 0  # 1 with a fee, paid at desk
    assert cell(rows["49"], "Số ngày giải quyết bình quân") == 3.0  # 0 and 6 working days
    assert cell(rows["49"], "Tỷ lệ hài lòng (%)") == 1.0
    assert cell(rows["503"], "Tỷ lệ đúng hạn (%)") is None
    assert cell(rows["49"], "Đơn vị") == "Tổng cộng — Tỉnh Quảng Nam"
    assert cell(rows["503"], "Đơn vị") == "Thành phố Hội An"
    rate_cell = week.cell(row=HEADER_ROW + 1, column=COLUMN["Tỷ lệ đúng hạn (%)"] + 1)
    assert rate_cell.number_format == "0.0%"

    rows = table(year)
    assert [cell(rows["49"], c) for c in counts] == [5, 1, 3, 1, 3, 1, 1, 1, 2, 1]
    assert [cell(rows["503"], c) for c in counts] == [1, 0, 1, 0, 1, 0, 1, 0, 0, 0]
    assert cell(rows["49"], "Tỷ lệ hài lòng (%)") == 0.5
    assert cell(rows["49"], "Số ngày giải quyết bình quân") == pytest.approx(7 / 3)

    # the scorecard columns agree with the metrics API for the same periods
    for sheet, first in ((week, date(2026, 3, 14)), (year, date(2026, 1, 1))):
        report = await service.compute(actor=leader, unit_code="49", first=first, last=FRIDAY)
        card = service.scorecard(report)
        cards = dict(service.ranking(report))
        rows = table(sheet)
        assert cell(rows["49"], "Điểm Bộ chỉ số 766") == card.total
        bands = {"GREEN": "Xanh", "YELLOW": "Vàng", "ORANGE": "Cam", "RED": "Đỏ"}
        assert cell(rows["49"], "Màu") == bands[card.band]
        assert cell(rows["49"], "Xếp loại") == card.grade.label
        for unit, child in cards.items():
            assert cell(rows[unit.code], "Điểm Bộ chỉ số 766") == child.total


async def test_weekly_report_export_is_audited(world):
    leader = world.actor("tuan", ("LEADER", "502"))
    _, filename, _ = await weekly_report(actor=leader, unit_code=None, week_ending=FRIDAY, fmt="csv")
    assert filename == "bao-cao-tuan-502-2026-03-20.csv"
    entry = await AuditEntry.get(action="report:weekly")
    assert (entry.actor_username, entry.object_type, entry.object_id, entry.unit_path) == (
        "tuan", "Report", filename, world.units["502"].path)
    assert entry.changes == {"period": [None, "2026-03-14..2026-03-20"], "format": [None, "csv"]}


async def test_weekly_report_csv_has_a_bom_and_both_sections(world):
    leader = world.actor("tuan", ("LEADER", "502"))
    content, filename, media_type = await weekly_report(actor=leader, unit_code="502",
                                                        week_ending=FRIDAY, fmt="csv")
    assert content.startswith(b"\xef\xbb\xbf")
    assert media_type == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    headers = [i for i, line in enumerate(lines) if line == list(HEADER)]
    assert len(headers) == 2
    assert lines[0][0].endswith("TUẦN") and lines[headers[1] - 4][0].endswith("LŨY KẾ NĂM")
    assert lines[1] == ["Đơn vị", "Thành phố Tam Kỳ (502)"]
    week = keyed(lines[headers[0] + 1:headers[1] - 5])
    year = keyed(lines[headers[1] + 1:])
    assert list(week) == ["502", "502/own", "20335", "20341"]
    # the city's own dossier (received at its desk) is its own row, without a score
    assert cell(week["502/own"], "Tiếp nhận") == "1" and cell(week["502/own"], "Xếp loại") == ""
    assert cell(week["502"], "Tiếp nhận") == "3"
    assert cell(week["20335"], "Tiếp nhận") == "2"
    assert cell(week["20341"], "Trễ hạn") == "1"
    assert cell(week["502"], "Tỷ lệ đúng hạn (%)") == "50.0"
    assert cell(week["502"], "Tỷ lệ trực tuyến (%)") == "33.3"
    assert cell(week["502"], "Số ngày giải quyết bình quân") == "3.00"
    assert cell(week["20341"], "Tỷ lệ hài lòng (%)") == ""
    assert (cell(year["502"], "Tiếp nhận"), cell(year["20341"], "Bưu chính công ích")) == ("4", "1")


@pytest.mark.parametrize("fmt", ["pdf", "XLSX", ""])
async def test_weekly_report_refuses_an_unknown_format(world, fmt):
    leader = world.actor("tuan", ("LEADER", "49"))
    with pytest.raises(BadInput) as error:
        await weekly_report(actor=leader, unit_code="49", week_ending=FRIDAY, fmt=fmt)
    assert error.value.field == "format"
    assert await AuditEntry.filter(action="report:weekly").count() == 0


async def test_weekly_report_outside_jurisdiction_is_forbidden(world):
    specialist = world.actor("lan", ("SPECIALIST", "20335"))  # no metrics:read
    neighbour = world.actor("an", ("LEADER", "503"))
    for actor, unit in ((specialist, "20335"), (neighbour, "502"), (ANONYMOUS, "49")):
        with pytest.raises(Forbidden):
            await weekly_report(actor=actor, unit_code=unit, week_ending=FRIDAY, fmt="xlsx")
    assert await AuditEntry.filter(action="report:weekly").count() == 0
