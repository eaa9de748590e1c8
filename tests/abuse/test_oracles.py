"""Public mutations that ask for a proof answer every failure alike and limit failures per
object, so they are neither an oracle for ID numbers nor for what exists."""

from __future__ import annotations

from models import Feedback
from policies import SYSTEM
from resolvers import feedback
from resolvers.dossiers import Applicant, Reception, receive_dossier, transition_dossier
from resolvers.lifecycle import DossierAction as A

RATE = """mutation($c: String!, $n: String!) {
  rateDossier(dossierCode: $c, rating: 5, applicantIdNumber: $n) { feedback { rating } } }"""
VERDICT = """mutation($f: ID!, $s: String!) {
  recordComplaintSatisfaction(feedbackId: $f, satisfied: true, secret: $s) { feedback { id } } }"""
COMPLAIN = """mutation($u: String!, $d: String) {
  submitComplaint(unitCode: $u, content: "Hẹn nhiều lần", dossierCode: $d) { feedback { id } } }"""
ID_NUMBER = "049190001111"


async def dossier(unit: str = "20335", *, steps: tuple[A, ...] = (A.START_PROCESSING, A.FINISH)):
    row = await receive_dossier(actor=SYSTEM, reception=Reception(
        procedure_code="1.001193", unit_code=unit, channel="IN_PERSON",
        applicant=Applicant(name="Đỗ Thị Mai", id_number=ID_NUMBER)))
    for step in steps:
        row = await transition_dossier(actor=SYSTEM, code=row.code, action=step)
    return row


def answer(response) -> tuple:
    """What a caller learns from one answer: everything but where in the document."""
    body = response.json()
    return tuple((e["message"], tuple(sorted(e["extensions"].items()))) for e in body["errors"])


async def test_rate_dossier_answers_every_failure_alike(client_for):
    client = await client_for()
    unfinished = await dossier(steps=())
    finished = await dossier()
    rated = await dossier()
    await feedback.rate_dossier(actor=SYSTEM, dossier_code=rated.code, rating=4,
                                applicant_id_number=ID_NUMBER)
    tries = [(unfinished.code, "049190009999"), (unfinished.code, ID_NUMBER),
             (finished.code, "049190009999"), ("UB20335-260101-9999", ID_NUMBER),
             (rated.code, ID_NUMBER), (rated.code, "0")]
    answers = {answer(await client.post("/graphql", json={"query": RATE, "variables": {
        "c": code, "n": number}})) for code, number in tries}
    assert answers == {((feedback.RATING_REFUSED, (("code", "BAD_USER_INPUT"),
                                                   ("field", "applicantIdNumber"))),)}
    assert await Feedback.filter(kind="RATING").count() == 1


async def test_rate_dossier_failures_are_limited_per_dossier(client_for):
    # given a dossier whose applicant's ID number someone guesses, from many addresses
    client = await client_for(trusted_proxies=("127.0.0.1",))
    target, other = await dossier(), await dossier()
    guesses = [{"query": RATE, "variables": {"c": target.code, "n": f"04919000{i:04d}"}}
               for i in range(5)]
    first = await client.post("/graphql", json=guesses, headers={"x-forwarded-for": "203.0.113.1"})
    assert [r["errors"][0]["extensions"]["code"] for r in first.json()] == ["BAD_USER_INPUT"] * 5
    # then even the right number waits, from another address
    right = {"query": RATE, "variables": {"c": target.code, "n": ID_NUMBER}}
    limited = await client.post("/graphql", json=right, headers={"x-forwarded-for": "198.51.100.2"})
    error = limited.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["retryAfter"] >= 60
    assert await Feedback.filter(kind="RATING").count() == 0
    # another dossier is not affected
    fine = await client.post("/graphql", json={"query": RATE, "variables": {
        "c": other.code, "n": ID_NUMBER}})
    assert fine.json() == {"data": {"rateDossier": {"feedback": {"rating": 5}}}}


async def test_a_code_that_does_not_exist_is_limited_the_same(client_for):
    client = await client_for()
    guesses = [{"query": RATE, "variables": {"c": "UB20335-260101-0042", "n": f"0491900{i:05d}"}}
               for i in range(6)]
    response = await client.post("/graphql", json=guesses[:5])
    assert [r["errors"][0]["extensions"]["code"] for r in response.json()] == ["BAD_USER_INPUT"] * 5
    sixth = await client.post("/graphql", json=guesses[5])
    assert sixth.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_complaint_verdict_answers_every_failure_alike_and_is_limited(client_for, world):
    client = await client_for()
    complaint, secret = await feedback.submit_complaint(actor=SYSTEM, unit_code="20335",
                                                        content="Hẹn nhiều lần")
    rating = await feedback.rate_dossier(actor=SYSTEM, dossier_code=(await dossier()).code,
                                         rating=3, applicant_id_number=ID_NUMBER)
    tries = [(complaint.id, "doan-bua"), (rating.id, secret), (999_999, secret)]
    answers = {answer(await client.post("/graphql", json={"query": VERDICT, "variables": {
        "f": str(f), "s": s}})) for f, s in tries}
    assert answers == {((feedback.VERDICT_REFUSED, (("code", "BAD_USER_INPUT"),
                                                    ("field", "secret"))),)}
    for _ in range(4):
        await client.post("/graphql", json={"query": VERDICT, "variables": {
            "f": str(complaint.id), "s": "doan-bua"}})
    limited = await client.post("/graphql", json={"query": VERDICT, "variables": {
        "f": str(complaint.id), "s": secret}})
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert (await Feedback.get(id=complaint.id)).satisfied is None


async def test_a_complaints_dossier_missing_or_elsewhere_is_one_answer(client_for):
    client = await client_for()
    elsewhere = await dossier(unit="20341")
    missing = await client.post("/graphql", json={"query": COMPLAIN, "variables": {
        "u": "20335", "d": "UB20335-260101-0042"}})
    other = await client.post("/graphql", json={"query": COMPLAIN, "variables": {
        "u": "20335", "d": elsewhere.code}})
    assert [e["extensions"] for e in missing.json()["errors"]] == [
        e["extensions"] for e in other.json()["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": "dossierCode"}]
    assert await Feedback.all().count() == 0
