"""The requests of `make bench`, one document per scenario, shared with the shape tests.

motcua and the hand-written baseline answer the same documents; PostGraphile gets the
equivalent query in its own naming over the same tables (same rows, same columns; it has
no computed `timeliness` or masking, so it returns the columns they are computed from).

(a) a page of 50 dossiers with procedure, unit and events — as a commune clerk, a district
    leader and a province inspector (newest first, in each one's jurisdiction);
(b) one dossier by its code, with applicant, procedure, unit and events;
(c) a province's metrics for a year with the breakdown by district (child units);
(d) one complete path: receive → START_PROCESSING → FINISH → RETURN_RESULT (RETURNED);
(e) the audit trail filtered by actor, a page of 50, as the province inspector.
"""

from __future__ import annotations

PAGE = """query Page($first: Int!) {
  dossiers(first: $first) {
    edges { cursor node {
      code status channel receivedAt dueAt timeliness applicant { name }
      procedure { code name } unit { code name }
      events { at action fromStatus toStatus actor { username } note } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

ONE = """query One($code: String!) {
  dossier(code: $code) {
    code status nationalStatusCode channel receivedAt dueAt legalDueAt finishedAt returnedAt
    timeliness fee paidOnline version
    applicant { name kind idNumber phone address }
    procedure { code name processingDays } unit { code name }
    events { at action fromStatus toStatus actor { username } note }
  }
}"""

MEASURES = """received resolved resolvedEarly resolvedOnTime resolvedLate onTimeRate inProgress
    overdue onlineRate digitizationRate averageProcessingDays"""
METRICS = f"""query Metrics($unit: String!, $from: Date!, $to: Date!) {{
  metrics(unitCode: $unit, from: $from, to: $to) {{
    unit {{ code }} {MEASURES}
    breakdown(by: UNIT) {{ key label metrics {{ {MEASURES} }} }}
  }}
}}"""

AUDIT = """query Audit($actor: String!, $first: Int!) {
  auditLog(filter: {actor: $actor}, first: $first) {
    edges { cursor node { id at action outcome objectType objectId operationName
                          actor { kind username } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

RECEIVE = """mutation Receive($input: ReceiveDossierInput!) {
  receiveDossier(input: $input) { dossier { code status version dueAt timeliness } }
}"""
TRANSITION = """mutation Transition($code: String!, $action: DossierAction!) {
  transitionDossier(code: $code, action: $action) { dossier { code status version timeliness } }
}"""
# The steps of (d) after the clerk's reception, and who takes each.
STEPS = (("specialist", "START_PROCESSING"), ("leader", "FINISH"), ("clerk", "RETURN_RESULT"))


def body(query: str, name: str, **variables: object) -> dict:
    return {"query": query, "operationName": name, "variables": variables}


def page(first: int = 50) -> dict:
    return body(PAGE, "Page", first=first)


def one(code: str) -> dict:
    return body(ONE, "One", code=code)


def metrics(unit: str, first: str, last: str) -> dict:
    return body(METRICS, "Metrics", unit=unit, **{"from": first, "to": last})


def audit(actor: str, first: int = 50) -> dict:
    return body(AUDIT, "Audit", actor=actor, first=first)


def receive(procedure: str, unit: str, name: str = "Nguyễn Văn Bình") -> dict:
    return body(RECEIVE, "Receive", input={
        "procedureCode": procedure, "unitCode": unit, "channel": "IN_PERSON",
        "applicant": {"name": name, "idNumber": "049090001234", "phone": "0905123456"}})


def transition(code: str, action: str) -> dict:
    return body(TRANSITION, "Transition", code=code, action=action)


# PostGraphile 4 (with postgraphile-plugin-connection-filter for the jurisdiction prefix).
PG_PAGE = """query Page($prefix: String!, $first: Int!) {
  allDossiers(first: $first, orderBy: ID_DESC, filter: {unitPath: {startsWith: $prefix}}) {
    edges { cursor node {
      code status channel receivedAt dueAt timeliness legalDueAt pausedAt applicantName
      procedureByProcedureId { code name } administrativeUnitByUnitId { code name }
      dossierEventsByDossierId(orderBy: ID_ASC) {
        nodes { at action fromStatus toStatus actorUsername note } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PG_ONE = """query One($code: String!) {
  dossierByCode(code: $code) {
    code status nationalStatusCode channel receivedAt dueAt legalDueAt finishedAt returnedAt
    timeliness pausedAt fee paidOnline version unitPath
    applicantName applicantKind applicantIdNumber applicantPhone applicantAddress
    procedureByProcedureId { code name processingDays } administrativeUnitByUnitId { code name }
    dossierEventsByDossierId(orderBy: ID_ASC) {
      nodes { at action fromStatus toStatus actorUsername note } }
  }
}"""
PG_AUDIT = """query Audit($actor: String!, $prefix: String!, $first: Int!) {
  allAuditEntries(first: $first, orderBy: ID_DESC, filter: {actorUsername: {equalTo: $actor},
      or: [{unitPath: {startsWith: $prefix}}, {unitPath: {isNull: true}}]}) {
    edges { cursor node { id at action outcome objectType objectId operationName
                          actorKind actorUsername } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def pg_page(prefix: str, first: int = 50) -> dict:
    return body(PG_PAGE, "Page", prefix=prefix, first=first)


def pg_one(code: str) -> dict:
    return body(PG_ONE, "One", code=code)


def pg_audit(actor: str, prefix: str, first: int = 50) -> dict:
    return body(PG_AUDIT, "Audit", actor=actor, prefix=prefix, first=first)
