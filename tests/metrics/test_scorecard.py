"""The 766 scorecard through GraphQL: every indicator agrees with a brute-force recount from
the rows, units with nothing to judge do not outrank active ones, grades, method versions."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from models import Dossier, Feedback, FeedbackKind, Procedure
from models.metrics import Satisfaction
from policies import SYSTEM
from resolvers import clock
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.metrics import rollups
from resolvers.metrics.methods import GradeKey, indicator_keys, method_on
from tests.graphql import execute
from tests.metrics.recount import group_scores, indicators
from tests.metrics.test_measures import random_lives
from tests.world import at, build_world

SCORECARD = """query S($u: String, $f: Date!, $t: Date!) { metrics(unitCode: $u, from: $f, to: $t) {
  rank rankedAmong
  scorecard { total maxTotal grade gradeLabel band method
    groups { key label score maxScore judged
      indicators { key label score maxScore numerator denominator judged } }
    ranking { rank unit { code } total grade } }
} }"""
NOW = at("2026-07-15 10:00")
PERIODS = [(date(2026, 3, 1), date(2026, 6, 30)), (date(2026, 4, 10), date(2026, 5, 20)),
           (date(2026, 6, 1), date(2026, 12, 31))]  # the last ends in the future: judged today


async def random_facts(seed: int) -> None:
    """Flags no use case sets yet, complaints and ratings, and catalogue facts, at random,
    written through the models; the rollup is then rebuilt from the rows."""
    rng = random.Random(seed)
    for d in await Dossier.all():
        await Dossier.filter(id=d.id).update(
            synced_to_portal_at=d.received_at if d.received_at and rng.random() < 0.7 else None,
            paid_online=d.fee > 0 and rng.random() < 0.5, result_electronic=rng.random() < 0.5,
            certified_copies_electronic=rng.random() < 0.3, reused_digitized_data=rng.random() < 0.4)
    await rollups.rebuild()
    ended = await Dossier.filter(ended_at__isnull=False)
    for d in rng.sample(ended, k=min(len(ended), 12)):
        await Feedback.create(kind=FeedbackKind.RATING, unit_id=d.unit_id, unit_path=d.unit_path,
                              dossier_id=d.id, submitted_at=d.ended_at + timedelta(days=rng.randint(0, 3)),
                              satisfaction=rng.choice(list(Satisfaction)))
    dossiers = await Dossier.all()
    for i in range(15):
        d = rng.choice(dossiers)
        submitted = at("2026-03-01 08:00") + timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 9))
        handled = submitted + timedelta(days=rng.randint(1, 30)) if rng.random() < 0.7 else None
        await Feedback.create(
            kind=FeedbackKind.COMPLAINT, unit_id=d.unit_id, unit_path=d.unit_path,
            dossier_id=d.id if rng.random() < 0.5 else None, content=f"Phản ánh {i}",
            submitted_at=submitted, due_at=submitted + timedelta(days=21), handled_at=handled,
            satisfied=rng.choice([None, True, False]) if handled else None)
    for p in await Procedure.all():
        await Procedure.filter(id=p.id).update(
            published_on_time=rng.random() < 0.8, updated_on_time=rng.random() < 0.7,
            content_complete=rng.random() < 0.9, payable_online=rng.random() < 0.5)


@pytest.mark.parametrize("seed", [11, 12, 13])
async def test_every_indicator_agrees_with_a_recount_from_the_rows(db, monkeypatch, seed):
    world = await build_world()
    await random_lives(monkeypatch, seed, 40)
    await random_facts(seed)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    rows = await Dossier.all(), await Feedback.all(), await Procedure.all()
    leader = world.actor("tuan", ("LEADER", "49"))
    for code in ("49", "502", "20335", "503"):
        unit = world.units[code]
        for first, last in PERIODS:
            result = await execute(SCORECARD, leader, u=code, f=first.isoformat(), t=last.isoformat())
            assert result.errors == []
            card = result.data["metrics"]["scorecard"]
            expected = indicators(*rows, unit.path, unit.level, first, last, NOW)
            got = {i["key"]: (i["numerator"], i["denominator"]) for g in card["groups"]
                   for i in g["indicators"]}
            assert got == expected, (code, first, last)
            groups = group_scores(expected)
            for group in card["groups"]:
                assert group["score"] == pytest.approx(groups[group["key"]], abs=0.01), group["key"]
                assert group["judged"] == any(i["judged"] for i in group["indicators"])
            assert card["total"] == pytest.approx(sum(groups.values()), abs=0.05)
            assert (card["method"], card["maxTotal"]) == ("QD766_2024", 100)


async def active_dossier(unit: str, when: str, monkeypatch) -> None:
    """A dossier filed online, received and finished the same day: early, on record."""
    moment = at(when)
    monkeypatch.setattr(clock, "now", lambda: moment)
    d = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code=unit, channel="ONLINE",
        applicant=Applicant(name="Trần Thị Hoa"), components_digitized=True))
    for action in ("ACCEPT", "START_PROCESSING", "FINISH"):
        d = await transition_dossier(actor=SYSTEM, code=d.code, action=action, note="Xong")


async def test_a_unit_with_no_dossiers_does_not_outrank_one_with_a_perfect_record(db, monkeypatch):
    world = await build_world()
    for day in ("2026-03-02 08:00", "2026-03-03 08:00", "2026-03-04 08:00"):
        await active_dossier("20335", day, monkeypatch)
    await Dossier.all().update(synced_to_portal_at=at("2026-03-05 08:00"), result_electronic=True,
                               certified_copies_electronic=True, reused_digitized_data=True)
    await rollups.rebuild()
    monkeypatch.setattr(clock, "now", lambda: NOW)
    city = await execute(SCORECARD, world.actor("tuan", ("LEADER", "502")), u="502",
                         f="2026-03-01", t="2026-03-31")
    ranking = {r["unit"]["code"]: r for r in city.data["metrics"]["scorecard"]["ranking"]}
    assert (ranking["20335"]["rank"], ranking["20341"]["rank"]) == (1, 2)
    assert ranking["20341"]["total"] < ranking["20335"]["total"]
    # the idle ward: nothing judged in the dossier groups, so nothing scored there
    idle = await execute(SCORECARD, world.actor("an", ("LEADER", "20341")), u="20341",
                         f="2026-03-01", t="2026-03-31")
    groups = {g["key"]: g for g in idle.data["metrics"]["scorecard"]["groups"]}
    assert (groups["PROGRESS"]["judged"], groups["PROGRESS"]["score"]) == (False, 0)
    assert groups["PUBLICITY"]["judged"] is True  # the catalogue's facts still count
    # its own rank is shown to it, its neighbour's figures are not
    assert (idle.data["metrics"]["rank"], idle.data["metrics"]["rankedAmong"]) == (2, 2)
    assert idle.data["metrics"]["scorecard"]["ranking"] == []
    forbidden = await execute(SCORECARD, world.actor("an", ("LEADER", "20341")), u="20335",
                              f="2026-03-01", t="2026-03-31")
    assert forbidden.codes == ["FORBIDDEN"]


async def test_provinces_rank_among_the_roots_children(db, monkeypatch):
    world = await build_world()
    await active_dossier("20335", "2026-03-02 08:00", monkeypatch)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    result = await execute(SCORECARD, world.actor("tuan", ("LEADER", "49")), u="49",
                           f="2026-03-01", t="2026-03-31")
    assert (result.data["metrics"]["rank"], result.data["metrics"]["rankedAmong"]) == (1, 2)


@pytest.mark.parametrize(("total", "grade"), [
    (100, GradeKey.EXCELLENT), (90, GradeKey.EXCELLENT), (89.99, GradeKey.GOOD),
    (80, GradeKey.GOOD), (79.99, GradeKey.FAIR), (70, GradeKey.FAIR), (69.99, GradeKey.AVERAGE),
    (50, GradeKey.AVERAGE), (49.99, GradeKey.WEAK), (0, GradeKey.WEAK)])
def test_grades_at_their_thresholds(total, grade):
    for day in (date(2023, 5, 1), date(2026, 5, 1)):
        assert method_on(day).grade(total).key == grade


def test_the_method_is_the_one_in_force_on_the_periods_last_day():
    old, new = method_on(date(2023, 12, 31)), method_on(date(2024, 1, 1))
    assert (old.key, new.key) == ("QD766_2022", "QD766_2024")
    assert [g.key for g in old.groups] == ["PUBLICITY", "PROGRESS", "DIGITISATION",
                                           "ONLINE_SERVICE", "SATISFACTION"]
    assert {g.key: g.max_score for g in new.groups} == {
        "PUBLICITY": 18, "PROGRESS": 20, "ONLINE_SERVICE": 12, "ONLINE_PAYMENT": 10,
        "DIGITISATION": 22, "SATISFACTION": 18}
    assert old.max_total == new.max_total == 100
    # the split moved indicators between groups; their keys stayed the same
    assert indicator_keys(date(2023, 1, 1)).keys() == indicator_keys(date(2025, 1, 1)).keys()
    assert method_on(date(2020, 1, 1)).key == "QD766_2022"  # before any: the first


async def test_a_period_spanning_the_change_is_scored_by_the_method_of_its_last_day(db):
    world = await build_world()
    leader = world.actor("tuan", ("LEADER", "49"))
    for last, method, groups in (("2023-12-31", "QD766_2022", 5), ("2024-01-31", "QD766_2024", 6)):
        result = await execute(SCORECARD, leader, u="49", f="2023-12-01", t=last)
        card = result.data["metrics"]["scorecard"]
        assert (card["method"], len(card["groups"]), card["maxTotal"]) == (method, groups, 100)
    online = next(g for g in card["groups"] if g["key"] == "ONLINE_PAYMENT")
    assert online["label"] == "Thanh toán trực tuyến"
