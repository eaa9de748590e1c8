"""The government's announced days off and worked Saturdays for the civil service, as shipped
with the calendar (migration 0011 loads them once; the administrator owns the table after).

Each row names the document that announced it. The `holidays` package already knows most of
them; they are stored anyway so that the calendar does not depend on the package's version,
and because the package lacked the swap of 2 January 2026 (Công văn 12729/VPCP-KGVX).
Sources and how they were checked: docs/deadlines.md. Append-only: a later notice goes in a
new tuple loaded by a new migration, so a day an administrator cleared is never brought back.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models import dialect

TB_6150 = "Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024 (Bộ Lao động - Thương binh và Xã hội)"
CV_12729 = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 (Văn phòng Chính phủ)"
TB_9441 = "Thông báo 9441/TB-BNV ngày 16/10/2025 (Bộ Nội vụ)"
NQ_28 = "Nghị quyết 28/2026/QH16, Điều 2; Công văn 10065/VPCP-KGVX ngày 02/10/2026"
CV_10065 = "Công văn 10065/VPCP-KGVX ngày 02/10/2026 (Văn phòng Chính phủ)"


def _weekdays(first: date, last: date) -> list[date]:
    days = (first + timedelta(n) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5]


# (day, working, reason, source): only days whose status differs from a plain week matter.
ANNOUNCED_2025_2027: tuple[tuple[date, bool, str, str], ...] = (
    *((d, False, "Nghỉ Tết Ất Tỵ", TB_6150) for d in _weekdays(date(2025, 1, 27), date(2025, 1, 31))),
    (date(2025, 4, 26), True, "Làm bù cho ngày nghỉ thứ Sáu 02/5/2025", TB_6150),
    (date(2025, 5, 2), False, "Nghỉ hoán đổi dịp 30/4 - 1/5 (làm bù thứ Bảy 26/4/2025)", TB_6150),
    (date(2025, 9, 1), False, "Nghỉ Quốc khánh (ngày liền kề 2/9)", TB_6150),
    (date(2026, 1, 2), False, "Nghỉ hoán đổi dịp Tết Dương lịch (làm bù thứ Bảy 10/01/2026)",
     CV_12729),
    (date(2026, 1, 10), True, "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026", CV_12729),
    *((d, False, "Nghỉ Tết Bính Ngọ", TB_9441) for d in _weekdays(date(2026, 2, 16), date(2026, 2, 20))),
    (date(2026, 8, 22), True, "Làm bù cho ngày nghỉ thứ Hai 31/8/2026", TB_9441),
    (date(2026, 8, 31), False, "Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/8/2026)", TB_9441),
    (date(2026, 9, 1), False, "Nghỉ Quốc khánh (ngày liền kề 2/9)", TB_9441),
    (date(2026, 11, 24), False, "Ngày Văn hóa Việt Nam", NQ_28),
    *((d, False, "Nghỉ Tết Đinh Mùi (kể cả nghỉ bù mùng 1, mùng 2)", CV_10065)
      for d in _weekdays(date(2027, 2, 4), date(2027, 2, 10))),
    (date(2027, 9, 3), False, "Nghỉ Quốc khánh (ngày liền kề 2/9)", CV_10065),
)


async def load(client: Any, rows: tuple[tuple[date, bool, str, str], ...] = ANNOUNCED_2025_2027) -> None:
    """Insert the announced days that have no row yet (a connection client, as migrations and
    the test harness have it; a day already set by an administrator is left alone)."""
    marks = ", ".join(dialect.marks(client, 5))
    for day, working, reason, source in rows:
        await client.execute_query(
            "INSERT INTO calendar_overrides (day, is_working_day, note, source, set_by) "
            f"VALUES ({marks}) ON CONFLICT (day) DO NOTHING",
            [dialect.date_value(client, day), working, reason, source, "migration"])
