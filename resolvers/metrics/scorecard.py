"""The 766 scorecard (Decision 766/QĐ-TTg): six groups, 100 points, a colour band.

Each indicator scores `max × min(1, ratio / full_at)`: full points from the threshold
`full_at` (1.0 means "at 100 %"). An indicator with nothing to judge (no dossiers, no
complaints) scores full points: there was nothing to fail. Weights inside each group are
our reading of the published method; the group totals are the published ones. The colour
bands are not in the decision, so they are configuration (`configure()`, from app.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.metrics.measures import Measures


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    max_score: float
    full_at: float = 1.0


INDICATORS = (
    Indicator("procedures_published_on_time", "PUBLICITY", 4),
    Indicator("procedures_updated_on_time", "PUBLICITY", 4),
    Indicator("procedures_content_complete", "PUBLICITY", 4),
    Indicator("dossiers_synced_to_portal", "PUBLICITY", 6),
    Indicator("dossiers_resolved_on_time", "PROGRESS", 20),
    Indicator("procedures_online", "ONLINE_SERVICE", 6),
    Indicator("dossiers_filed_online", "ONLINE_SERVICE", 6, full_at=0.5),
    Indicator("procedures_payable_online", "ONLINE_PAYMENT", 5),
    Indicator("dossiers_paid_online", "ONLINE_PAYMENT", 5),
    Indicator("results_electronic", "DIGITISATION", 6),
    Indicator("components_digitized", "DIGITISATION", 6, full_at=0.8),
    Indicator("certified_copies_electronic", "DIGITISATION", 5, full_at=0.8),
    Indicator("digitized_data_reused", "DIGITISATION", 5, full_at=0.8),
    Indicator("complaints_handled_on_time", "SATISFACTION", 6),
    Indicator("complaint_handling_satisfaction", "SATISFACTION", 6),
    Indicator("dossier_handling_satisfaction", "SATISFACTION", 6),
)
GROUPS = ("PUBLICITY", "PROGRESS", "ONLINE_SERVICE", "ONLINE_PAYMENT", "DIGITISATION",
          "SATISFACTION")


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
    """Each indicator's (numerator, denominator)."""
    return {
        "procedures_published_on_time": (p.published_on_time, p.total),
        "procedures_updated_on_time": (p.updated_on_time, p.total),
        "procedures_content_complete": (p.content_complete, p.total),
        "dossiers_synced_to_portal": (m.synced_to_portal, m.received),
        "dossiers_resolved_on_time": (m.resolved_early + m.resolved_on_time, m.received),
        "procedures_online": (p.online, p.total),
        "dossiers_filed_online": (m.received_online, m.received),
        "procedures_payable_online": (p.payable_online, p.with_fee),
        "dossiers_paid_online": (m.paid_online, m.received_with_fee),
        "results_electronic": (m.results_electronic, m.resolved),
        "components_digitized": (m.components_digitized, m.received),
        "certified_copies_electronic": (m.certified_copies_electronic, m.received),
        "digitized_data_reused": (m.reused_digitized_data, m.received),
        "complaints_handled_on_time": (m.complaints_on_time, m.complaints_due),
        "complaint_handling_satisfaction": (m.complaints_satisfied, m.complaints_answered),
        "dossier_handling_satisfaction": (m.ratings_satisfied, m.ratings),
    }


@dataclass(frozen=True)
class IndicatorScore:
    key: str
    score: float
    max_score: float
    ratio: float | None


@dataclass(frozen=True)
class GroupScore:
    key: str
    score: float
    max_score: float
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True)
class Scorecard:
    total: float
    max_total: float
    band: str
    groups: tuple[GroupScore, ...]


def score(m: Measures, p: ProcedureFacts) -> Scorecard:
    """The scorecard of one unit and period."""
    values = ratios(m, p)
    scored: dict[str, list[IndicatorScore]] = {g: [] for g in GROUPS}
    for ind in INDICATORS:
        numerator, denominator = values[ind.key]
        ratio = None if denominator == 0 else numerator / denominator
        points = ind.max_score if ratio is None else ind.max_score * min(1.0, ratio / ind.full_at)
        scored[ind.group].append(IndicatorScore(ind.key, round(points, 2), ind.max_score, ratio))
    groups = tuple(GroupScore(g, round(sum(i.score for i in items), 2),
                              sum(i.max_score for i in items), tuple(items))
                   for g, items in scored.items())
    total = round(sum(g.score for g in groups), 2)
    return Scorecard(total, sum(g.max_score for g in groups), band(total), groups)
