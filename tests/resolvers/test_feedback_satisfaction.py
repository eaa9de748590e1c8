"""Ratings on the national portal's three levels: the new argument, the old 1–5 one mapped,
the stored ratings migrated (0014), and what the scorecard counts."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from tortoise import connections

from models import Feedback, FeedbackKind
from models.metrics import Satisfaction, satisfaction_of_rating
from policies import ANONYMOUS
from resolvers.metrics import service
from tests.graphql import execute
from tests.resolvers.test_feedback import APPLICANT_ID, ended_dossier, now, world  # noqa: F401

RATE = """mutation R($c: String!, $n: String!, $s: Satisfaction, $r: Int) {
  rateDossier(dossierCode: $c, applicantIdNumber: $n, satisfaction: $s, rating: $r) {
    feedback { kind satisfaction rating } } }"""
MIGRATION = importlib.import_module("models.migrations.0014_scorecard")


async def test_an_applicant_rates_on_three_levels(world, now):  # noqa: F811
    dossier = await ended_dossier(now, "2026-03-02 09:00")
    result = await execute(RATE, ANONYMOUS, c=dossier.code, n=APPLICANT_ID, s="VERY_SATISFIED")
    assert result.errors == []
    assert result.data["rateDossier"]["feedback"] == {
        "kind": "RATING", "satisfaction": "VERY_SATISFIED", "rating": None}


@pytest.mark.parametrize(("rating", "level"), [(5, "VERY_SATISFIED"), (4, "SATISFIED"),
                                               (3, "NOT_SATISFIED"), (1, "NOT_SATISFIED")])
async def test_an_old_client_still_rates_from_1_to_5(world, now, rating, level):  # noqa: F811
    dossier = await ended_dossier(now, "2026-03-02 09:00")
    result = await execute(RATE, ANONYMOUS, c=dossier.code, n=APPLICANT_ID, r=rating)
    assert result.data["rateDossier"]["feedback"] == {
        "kind": "RATING", "satisfaction": level, "rating": rating}


@pytest.mark.parametrize(("given", "field"), [({"s": "SATISFIED", "r": 4}, "satisfaction"),
                                              ({}, "satisfaction"), ({"r": 6}, "rating")])
async def test_a_rating_needs_one_verdict(world, now, given, field):  # noqa: F811
    dossier = await ended_dossier(now, "2026-03-02 09:00")
    result = await execute(RATE, ANONYMOUS, c=dossier.code, n=APPLICANT_ID, **given)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert await Feedback.filter(kind="RATING").count() == 0  # nothing half-written


async def test_the_migration_maps_stored_ratings_5_4_and_1_to_3(world, now):  # noqa: F811
    for rating in range(1, 6):
        dossier = await ended_dossier(now, f"2026-03-0{rating} 09:00")
        await Feedback.create(kind=FeedbackKind.RATING, unit_id=dossier.unit_id,
                              unit_path=dossier.unit_path, dossier_id=dossier.id,
                              submitted_at=dossier.ended_at, rating=rating)
    await connections.get("default").execute_script(MIGRATION.SATISFACTION_FROM_RATING)
    levels = {f.rating: f.satisfaction for f in await Feedback.all()}
    assert levels == {5: Satisfaction.VERY_SATISFIED, 4: Satisfaction.SATISFIED,
                      3: Satisfaction.NOT_SATISFIED, 2: Satisfaction.NOT_SATISFIED,
                      1: Satisfaction.NOT_SATISFIED}
    assert all(satisfaction_of_rating(r) == level for r, level in levels.items())


async def test_the_scorecard_counts_the_not_satisfied(world, now):  # noqa: F811
    for when, level in (("2026-03-02 09:00", "SATISFIED"), ("2026-03-03 09:00", "NOT_SATISFIED"),
                        ("2026-03-04 09:00", "VERY_SATISFIED"), ("2026-03-05 09:00", None)):
        dossier = await ended_dossier(now, when)
        if level:
            await execute(RATE, ANONYMOUS, c=dossier.code, n=APPLICANT_ID, s=level)
    report = await service.compute(actor=world.actor("tuan", ("LEADER", "502")), unit_code="502",
                                   first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert (report.totals.ratings, report.totals.ratings_satisfied) == (3, 2)
    indicator = {i.key: i for g in service.scorecard(report).groups for i in g.indicators}
    # (dossiers − those rated not satisfied) / dossiers: the unrated one is not held against it
    satisfaction = indicator["dossier_handling_satisfaction"]
    assert (satisfaction.numerator, satisfaction.denominator) == (3, 4)


async def test_a_row_written_with_only_an_old_rating_counts_by_its_level(world, now):  # noqa: F811
    for when, rating in (("2026-03-02 09:00", 5), ("2026-03-03 09:00", 2)):
        dossier = await ended_dossier(now, when)
        await Feedback.create(kind=FeedbackKind.RATING, unit_id=dossier.unit_id,
                              unit_path=dossier.unit_path, dossier_id=dossier.id,
                              submitted_at=dossier.ended_at, rating=rating)
    report = await service.compute(actor=world.actor("tuan", ("LEADER", "502")), unit_code="502",
                                   first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert (report.totals.ratings, report.totals.ratings_satisfied,
            report.totals.dossiers_unsatisfied) == (2, 1, 1)
