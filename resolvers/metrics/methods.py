"""The 766 scorecard's method, one table per version (docs/scorecard.md cites the source of
each row and marks what is our interpretation).

A version is chosen by the last day of the period scored, as the tree of units is: a period
spanning a change of method is scored by the version in force on its last day. Keys are
English and stable (targets and clients store them); labels are the official Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class GradeKey(StrEnum):
    EXCELLENT = "EXCELLENT"  # xuất sắc
    GOOD = "GOOD"  # tốt
    FAIR = "FAIR"  # khá
    AVERAGE = "AVERAGE"  # trung bình
    WEAK = "WEAK"  # yếu


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    max_score: float
    # full points from this ratio on (1.0: at 100 %); points are max × min(1, ratio / full_at)
    full_at: float = 1.0


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    indicators: tuple[Indicator, ...]

    @property
    def max_score(self) -> float:
        return sum(i.max_score for i in self.indicators)


@dataclass(frozen=True)
class Grade:
    key: GradeKey
    label: str
    lowest: float  # the lowest total of the grade


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    effective_from: date
    groups: tuple[Group, ...]
    grades: tuple[Grade, ...]  # best first; the last catches everything below

    @property
    def max_total(self) -> float:
        return sum(g.max_score for g in self.groups)

    def grade(self, total: float) -> Grade:
        for grade in self.grades:
            if total >= grade.lowest:
                return grade
        return self.grades[-1]


PUBLICITY = Group("PUBLICITY", "Công khai, minh bạch", (
    Indicator("procedures_published_on_time", "Tỷ lệ TTHC được công bố, công khai đúng hạn", 4),
    Indicator("procedures_updated_on_time", "Tỷ lệ TTHC được cập nhật, công khai đúng hạn", 4),
    Indicator("procedures_content_complete", "Tỷ lệ TTHC công khai đầy đủ nội dung", 4),
    Indicator("dossiers_synced_to_portal",
              "Tỷ lệ hồ sơ được đồng bộ, công khai trên Cổng Dịch vụ công quốc gia", 6),
))
PROGRESS = Group("PROGRESS", "Tiến độ, kết quả giải quyết", (
    Indicator("dossiers_resolved_on_time", "Tỷ lệ hồ sơ xử lý đúng hạn", 20),
))
ONLINE = (
    Indicator("procedures_online", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", 6),
    Indicator("dossiers_filed_online", "Tỷ lệ hồ sơ nộp trực tuyến", 6, full_at=0.5),
)
PAYMENT = (
    Indicator("procedures_payable_online",
              "Tỷ lệ TTHC có phí, lệ phí cung cấp thanh toán trực tuyến", 5),
    Indicator("dossiers_paid_online", "Tỷ lệ hồ sơ thanh toán trực tuyến", 5),
)
DIGITISATION = Group("DIGITISATION", "Số hóa hồ sơ", (
    Indicator("results_electronic", "Tỷ lệ cấp kết quả giải quyết TTHC điện tử", 6),
    Indicator("components_digitized", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", 6,
              full_at=0.8),
    Indicator("certified_copies_electronic", "Tỷ lệ chứng thực bản sao điện tử", 5, full_at=0.8),
    Indicator("digitized_data_reused", "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
              5, full_at=0.8),
))
SATISFACTION = Group("SATISFACTION", "Mức độ hài lòng", (
    Indicator("complaints_handled_on_time", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", 6),
    Indicator("complaint_handling_satisfaction", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
              6),
    Indicator("dossier_handling_satisfaction", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
              6),
))
# Grades: the portal publishes units as Xuất sắc / Tốt / Khá / Trung bình / Yếu (docs cite
# where); the thresholds are our reading, consistent with the published examples.
GRADES = (Grade(GradeKey.EXCELLENT, "Xuất sắc", 90.0), Grade(GradeKey.GOOD, "Tốt", 80.0),
          Grade(GradeKey.FAIR, "Khá", 70.0), Grade(GradeKey.AVERAGE, "Trung bình", 50.0),
          Grade(GradeKey.WEAK, "Yếu", 0.0))

METHODS = (
    # Decision 766/QĐ-TTg of 23 June 2022, in operation on the national portal from 1 August
    # 2022: five groups, the online group holding online service and online payment (22).
    Method("QD766_2022", "Quyết định 766/QĐ-TTg (2022)", date(2022, 6, 23), (
        PUBLICITY, PROGRESS, DIGITISATION,
        Group("ONLINE_SERVICE", "Cung cấp dịch vụ trực tuyến", ONLINE + PAYMENT),
        SATISFACTION), GRADES),
    # The 2024 revision: online payment scored as a group of its own (12 + 10 points). The
    # date is our reading (docs/scorecard.md): the stored sources do not give it.
    Method("QD766_2024", "Quyết định 766/QĐ-TTg (điều chỉnh 2024)", date(2024, 1, 1), (
        PUBLICITY, PROGRESS,
        Group("ONLINE_SERVICE", "Dịch vụ công trực tuyến", ONLINE),
        Group("ONLINE_PAYMENT", "Thanh toán trực tuyến", PAYMENT),
        DIGITISATION, SATISFACTION), GRADES),
)


def method_on(day: date) -> Method:
    """The version in force on `day` (the first one for days before any)."""
    chosen = METHODS[0]
    for method in METHODS:
        if method.effective_from <= day:
            chosen = method
    return chosen


def indicator_keys(on: date) -> dict[str, str]:
    """The indicators of the method in force on a day: key → official label, in order."""
    return {i.key: i.label for g in method_on(on).groups for i in g.indicators}


__all__ = ["GRADES", "METHODS", "Grade", "GradeKey", "Group", "Indicator", "Method", "indicator_keys",
           "method_on"]
