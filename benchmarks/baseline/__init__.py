"""The hand-written baseline of `make bench`: motcua's SQL with nothing in between.

A small Starlette + asyncpg app that answers the bench's documents (benchmarks/scenarios.py,
chosen by `operationName`; the query text is not parsed) with the same statements motcua
sends and byte-identical JSON, built by hand (tests/benchmarks/test_baseline.py checks both).
It does the same work: verifies the JWT and looks the session up, decides jurisdiction from
the policy rules (reloaded when `policy_revision` moves, checked at most once a second),
masks personal data, judges timeliness, computes deadlines on the working calendar
(`resolvers.calendar`, a pure module), keeps the rollups and writes the chained audit entry
of every request. What it leaves out: the edge's rate limits and size checks (in memory),
GraphQL parsing and validation, and any statement motcua does not send.

The statements, per request (the session lookup first, then):
- Page: the page of dossiers in jurisdiction (`unit_path LIKE prefix`, `ORDER BY id DESC
  LIMIT 51`), its procedures, units and events (`IN (...)`), then the read's audit entry:
  BEGIN, SET LOCAL synchronous_commit TO off, lock the chain head, insert and move the head
  (one statement), COMMIT.
- One: the dossier by code in jurisdiction, its procedure, unit, events, the audit entry.
- Audit: the page of entries (`(unit_path LIKE prefix OR unit_path IS NULL) AND
  actor_username = $2 ORDER BY id DESC LIMIT 51`), the audit entry.
- Metrics: the unit by code, the daily rollup summed per unit, the open dossiers per unit,
  the feedback per unit, the units of the subtree, all procedures, the audit entry.
- Receive: unit, procedure, agency, calendar overrides, then in one transaction the code
  counter, the dossier, its event, the daily and monthly rollups, the chained entry.
- Transition: the dossier by code, its procedure, calendar overrides, then in one
  transaction the compare-and-set update, the event, the dossier read back, the rollups
  when its contribution changed, the chained entry.

Unlike motcua it holds one pooled connection for the whole request (motcua takes one per
statement outside transactions); that is the point of a baseline: what the SQL allows.
"""
