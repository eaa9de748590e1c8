"""The weekly report that provinces send every Friday: the week and the year to date, per
child unit, as XLSX or CSV. Permission and jurisdiction are those of `service.compute`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from audit import record
from models.errors import BadInput
from policies import Actor
from resolvers import clock
from resolvers.cells import neutral
from resolvers.metrics import service
from resolvers.metrics.measures import Measures
from resolvers.metrics.scorecard import Scorecard

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
BANDS = {"GREEN": "Xanh", "YELLOW": "Vàng", "ORANGE": "Cam", "RED": "Đỏ"}
# The fill of a band's cells (Excel's light "good / neutral / bad" tones); a band configured
# under another name is left unfilled.
BAND_FILLS = {"GREEN": "C6EFCE", "YELLOW": "FFEB9C", "ORANGE": "F8CBAD", "RED": "FFC7CE"}
COUNT, PERCENT, DECIMAL, TEXT = "count", "percent", "decimal", "text"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str
    value: Callable[[Measures], int | float | None]
    width: int = 12


COLUMNS = (
    Column("Tiếp nhận", COUNT, lambda m: m.received),
    Column("Trực tuyến", COUNT, lambda m: m.by_channel["ONLINE"]),
    Column("Trực tiếp", COUNT, lambda m: m.by_channel["IN_PERSON"]),
    Column("Bưu chính công ích", COUNT, lambda m: m.by_channel["POSTAL"], 14),
    Column("Đã giải quyết", COUNT, lambda m: m.resolved, 14),
    Column("Trước hạn", COUNT, lambda m: m.resolved_early),
    Column("Đúng hạn", COUNT, lambda m: m.resolved_on_time),
    Column("Trễ hạn", COUNT, lambda m: m.resolved_late),
    Column("Tỷ lệ đúng hạn (%)", PERCENT, lambda m: m.on_time_rate, 14),
    Column("Đang giải quyết", COUNT, lambda m: m.in_progress, 14),
    Column("Quá hạn", COUNT, lambda m: m.overdue),
    Column("Tỷ lệ trực tuyến (%)", PERCENT, lambda m: m.online_rate, 14),
    Column("Tỷ lệ thanh toán trực tuyến (%)", PERCENT, lambda m: m.online_payment_rate, 18),
    Column("Tỷ lệ số hóa (%)", PERCENT, lambda m: m.digitization_rate, 14),
    Column("Số ngày giải quyết bình quân", DECIMAL, lambda m: m.average_processing_days, 16),
    Column("Tỷ lệ hài lòng (%)", PERCENT, lambda m: m.satisfaction_rate, 14),
)
HEADER = ("Mã đơn vị", "Đơn vị", *(c.label for c in COLUMNS), "Điểm Bộ chỉ số 766", "Xếp loại",
          "Màu")
SCORE_WIDTHS = (14, 12, 8)
FORMATS = {PERCENT: "0.0%", DECIMAL: "0.00", COUNT: "0"}


@dataclass(frozen=True)
class Section:
    """One period of the report: its title, dates and rows (the totals row first)."""

    title: str
    first: date
    last: date
    rows: list[tuple[str, str, Measures, Scorecard | None]]


async def _section(actor: Actor, unit_code: str | None, title: str, first: date,
                   last: date) -> tuple[service.MetricsReport, Section]:
    report = await service.compute(actor=actor, unit_code=unit_code, first=first, last=last)
    cards: dict[str, Scorecard | None] = {unit.code: card for unit, card in service.ranking(report)}
    rows: list[tuple[str, str, Measures, Scorecard | None]] = [
        (report.unit.code, f"Tổng cộng — {report.unit.name}", report.totals,
         service.scorecard(report))]
    own, *children = await service.breakdown(report, service.BreakdownBy.UNIT)
    if any(own[2].counts.values()):  # the unit's own dossiers: a row without a score (not a unit of its own)
        rows.append((own[0], OWN_ROW.format(name=report.unit.name), own[2], None))
    for code, label, measures in children:
        rows.append((code, label, measures, cards.get(code)))
    return report, Section(title, first, last, rows)


OWN_ROW = "Tiếp nhận tại {name}"


def _values(code: str, label: str, m: Measures, card: Scorecard | None) -> list[object]:
    # Unit codes and names are data: never let a spreadsheet read one as a formula.
    score = (card.total, card.grade.label, BANDS.get(card.band, card.band)) if card else \
        (None, None, None)
    return [neutral(v) for v in (code, label, *(c.value(m) for c in COLUMNS), *score)]


def _preamble(report: service.MetricsReport, section: Section, at: datetime) -> list[list[object]]:
    return [[neutral(cell) for cell in line] for line in _lines(report, section, at)]


def _lines(report: service.MetricsReport, section: Section, at: datetime) -> list[list[str]]:
    return [
        [f"BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH — {section.title.upper()}"],
        ["Đơn vị", f"{report.unit.name} ({report.unit.code})"],
        ["Kỳ báo cáo", f"{section.first:%d/%m/%Y} – {section.last:%d/%m/%Y}"],
        ["Thời điểm lập", f"{at:%d/%m/%Y %H:%M}"],
    ]


def _xlsx(report: service.MetricsReport, sections: list[Section], at: datetime) -> bytes:
    # openpyxl (about 5 MB resident) is loaded with the first spreadsheet asked for, so a
    # worker that never exports one does not hold it (issue 15: RSS per worker).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for section in sections:
        sheet = book.create_sheet(section.title)
        for line in _preamble(report, section, at):
            sheet.append(line)
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
        sheet.append(list(HEADER))
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        # Wrapped labels need the room: spreadsheets do not grow a row for wrapped text when
        # they open a file, so the labels would spill over the first rows when printed.
        sheet.row_dimensions[header_row].height = HEADER_HEIGHT
        # Scrolling keeps the column labels and the unit names in sight.
        sheet.freeze_panes = f"C{header_row + 1}"
        for i, row in enumerate(section.rows):
            sheet.append(_values(*row))
            cells = sheet[sheet.max_row]
            for column, cell in zip(COLUMNS, cells[2:], strict=False):
                cell.number_format = FORMATS.get(column.kind, "General")
            cells[len(COLUMNS) + 2].number_format = "0.00"
            card = row[3]
            if card is not None and card.band in BAND_FILLS:
                for cell in cells[len(COLUMNS) + 2:]:
                    cell.fill = PatternFill("solid", fgColor=BAND_FILLS[card.band])
            if i == 0:
                for cell in cells:
                    cell.font = bold
        widths = (12, 32, *(c.width for c in COLUMNS), *SCORE_WIDTHS)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        _printable(sheet, header_row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_HEIGHT = 48  # points: three lines of 11-point text


def _printable(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, one page wide (as many pages long as it takes), the column labels on
    every printed page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_options.horizontalCentered = True


def _csv_value(value: object, kind: str) -> object:
    if value is None:
        return ""
    if kind == PERCENT:
        return f"{float(value) * 100:.1f}"  # type: ignore[arg-type]
    if kind == DECIMAL:
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    return value


def _csv(report: service.MetricsReport, sections: list[Section], at: datetime) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    kinds = (TEXT, TEXT, *(c.kind for c in COLUMNS), DECIMAL, TEXT, TEXT)
    for number, section in enumerate(sections):
        if number:
            writer.writerow([])
        writer.writerows(_preamble(report, section, at))
        writer.writerow(HEADER)
        for row in section.rows:
            writer.writerow([_csv_value(v, k) for v, k in zip(_values(*row), kinds, strict=True)])
    # The BOM makes Excel read the file as UTF-8, so Vietnamese letters survive.
    return buffer.getvalue().encode("utf-8-sig")


# Reports start with the one-stop systems' records (2018, Decree 61/2018) and end with the
# current week (Monday to Sunday): a later week has nothing to report yet.
EARLIEST_WEEK_ENDING = date(2018, 1, 1)


def _week_ending(value: date | datetime | None) -> date:
    """The last day of the reported week: a plain date, by default today in Vietnam."""
    today = clock.local_date(clock.now())
    if value is None:
        return today
    if isinstance(value, datetime) and not isinstance(value, clock.WholeDay):
        raise BadInput("weekEnding must be a date (YYYY-MM-DD)", field="weekEnding")
    day = value.date() if isinstance(value, datetime) else value
    this_sunday = today + timedelta(days=6 - today.weekday())
    if not EARLIEST_WEEK_ENDING <= day <= this_sunday:
        raise BadInput(f"weekEnding must be between {EARLIEST_WEEK_ENDING} and {this_sunday}",
                       field="weekEnding")
    return day


async def weekly_report(
    *, actor: Actor, unit_code: str | None, week_ending: date | datetime | None, fmt: str,
) -> tuple[bytes, str, str]:
    """The week ending on `week_ending` and the year to it: (content, filename, media type)."""
    if fmt not in MEDIA_TYPES:
        raise BadInput("format must be xlsx or csv", field="format")
    last = _week_ending(week_ending)
    report, week = await _section(actor, unit_code, "Tuần", last - timedelta(days=6),
                                  last)
    _, year = await _section(actor, report.unit.code, "Lũy kế năm", date(last.year, 1, 1),
                             last)
    at = clock.now().astimezone(clock.LOCAL_TZ)
    build = _xlsx if fmt == "xlsx" else _csv
    content = build(report, [week, year], at)
    filename = f"bao-cao-tuan-{report.unit.code}-{last.isoformat()}.{fmt}"
    await record(actor=actor, action="report:weekly", object_type="Report", object_id=filename[:64],
                 unit_path=report.unit.path,
                 changes={"period": [None, f"{week.first.isoformat()}..{week.last.isoformat()}"],
                          "format": [None, fmt]})
    return content, filename, MEDIA_TYPES[fmt]
