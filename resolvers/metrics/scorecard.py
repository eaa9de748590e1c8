"""The 766 scorecard (Decision 766/QĐ-TTg): the method in force on the period's last day
(methods.py), 100 points, an official grade and a configurable colour band.

Each indicator scores `max × min(1, ratio / full_at)`. The method does not say what an
indicator with nothing to judge (no dossiers, no complaints) scores, so it is left out and
its group rescaled over the indicators judged; a group with nothing judged at all scores
nothing, so a unit without dossiers never outranks one with a perfect record. The colour
bands are not in the decision, so they are configuration (`configure()`, from app.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from resolvers.metrics.measures import Measures
from resolvers.metrics.methods import Grade, Method, indicator_keys, method_on


class _Bands:
    # (band, lowest total) from best to worst; the last band catches everything below.
    thresholds: tuple[tuple[str, float], ...] = (("GREEN", 80.0), ("YELLOW", 65.0),
                                                 ("ORANGE", 50.0), ("RED", 0.0))


def configure(thresholds: list[tuple[str, float]]) -> None:
    """Set the colour bands, e.g. [("GREEN", 80), ("YELLOW", 65), ("ORANGE", 50), ("RED", 0)]."""
    _Bands.thresholds = tuple(sorted(thresholds, key=lambda b: -b[1]))


def band(total: float) -> str:
    for name, lowest in _Bands.thresholds:
        if total >= lowest:
            return name
    return _Bands.thresholds[-1][0]


@dataclass(frozen=True)
class ProcedureFacts:
    """Catalogue facts of the procedures that apply in a unit's territory."""

    total: int = 0
    published_on_time: int = 0
    updated_on_time: int = 0
    content_complete: int = 0
    online: int = 0
    with_fee: int = 0
    payable_online: int = 0


def ratios(m: Measures, p: ProcedureFacts) -> dict[str, tuple[int, int]]:
    """Each indicator's (numerator, denominator), over the sets docs/scorecard.md gives."""
    # Progress, as provincial systems compute it: of the dossiers to be resolved in the
    # period (resolved in it, or still open at its end), those resolved early or on time
    # and those open but not past their deadline.
    open_on_time = m.open_at_end - m.open_overdue_at_end
    return {
        "procedures_published_on_time": (p.published_on_time, p.total),
        "procedures_updated_on_time": (p.updated_on_time, p.total),
        "procedures_content_complete": (p.content_complete, p.total),
        "dossiers_synced_to_portal": (m.synced_to_portal, m.received),
        "dossiers_resolved_on_time": (m.resolved_early + m.resolved_on_time + open_on_time,
                                      m.resolved + m.open_at_end),
        "procedures_online": (p.online, p.total),
        "dossiers_filed_online": (m.received_online, m.received),
        "procedures_payable_online": (p.payable_online, p.with_fee),
        "dossiers_paid_online": (m.paid_online, m.received_with_fee),
        "results_electronic": (m.results_electronic, m.resolved),
        "components_digitized": (m.components_digitized, m.received),
        "certified_copies_electronic": (m.certified_copies_electronic, m.received),
        "digitized_data_reused": (m.reused_digitized_data, m.received),
        "complaints_handled_on_time": (m.complaints_on_time, m.complaints_due),
        # (complaints − those answered late or judged unsatisfactory) / complaints
        "complaint_handling_satisfaction": (m.complaints_handled - m.complaints_handled_badly,
                                            m.complaints_handled),
        # (dossiers − those rated not satisfied or complained about) / dossiers
        "dossier_handling_satisfaction": (max(0, m.resolved - m.dossiers_unsatisfied),
                                          m.resolved),
    }


@dataclass(frozen=True)
class IndicatorScore:
    key: str
    label: str
    score: float
    max_score: float
    numerator: int
    denominator: int

    @property
    def judged(self) -> bool:
        return self.denominator > 0

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class GroupScore:
    key: str
    label: str
    score: float
    max_score: float
    judged: bool
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True)
class Scorecard:
    total: float
    max_total: float
    grade: Grade
    band: str
    method: Method
    groups: tuple[GroupScore, ...]


def score(m: Measures, p: ProcedureFacts, on: date) -> Scorecard:
    """The scorecard of one unit for a period ending on `on`."""
    method = method_on(on)
    values = ratios(m, p)
    groups = []
    for group in method.groups:
        items, earned, weight = [], 0.0, 0.0
        for ind in group.indicators:
            numerator, denominator = values[ind.key]
            points = ind.max_score * min(1.0, numerator / denominator / ind.full_at) \
                if denominator else 0.0
            items.append(IndicatorScore(ind.key, ind.label, round(points, 2), ind.max_score,
                                        numerator, denominator))
            if denominator:  # judged: it counts; else it is left out of the group
                earned, weight = earned + points, weight + ind.max_score
        # the group rescaled over the indicators judged; nothing judged, nothing scored
        group_points = group.max_score * earned / weight if weight else 0.0
        groups.append(GroupScore(group.key, group.label, round(group_points, 2),
                                 group.max_score, weight > 0, tuple(items)))
    total = round(sum(g.score for g in groups), 2)
    return Scorecard(total, method.max_total, method.grade(total), band(total), method,
                     tuple(groups))


__all__ = ["ProcedureFacts", "Scorecard", "band", "configure", "indicator_keys", "score"]
