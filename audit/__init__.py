"""The audit trail: who did what, where, with what outcome — one entry per action.

Who writes an entry (one writer for each, never two):

1. A use case (resolvers/) records each change it commits, inside the change's own
   transaction, with the fields old → new: the entry commits with the change or not at
   all. Downloads (the audit export, the weekly report) are use cases too and record
   their read the same way. A use case never records its own refusal: it raises a
   DomainError and lets the layer above record it.
2. The GraphQL extension (schema/audit.py) records what happened to an operation that
   reached the schema: one entry per query operation (its read, or its first failure),
   one per failed root field of a mutation (the use case's transaction was rolled back,
   so nothing else records it), and refusals before execution (unparsable documents,
   validation, limits). A mutation whose fields all succeeded was recorded by its use
   cases; the extension adds nothing.
3. The HTTP edge (web/edge.py) records what it refuses before any route runs or what a
   non-GraphQL route raises: a bad token (401), a body too large (413) or not JSON (415),
   a malformed or oversized batch, a refused persisted operation, a rate limit (429), a
   route's own refusal (403 on a download).

Refusals and failures (2 and 3) go through `refusals.bursts`: the edge rate-limits first,
then identical refusals from one caller within a window are one entry plus one counted
entry, so refused traffic cannot grow the trail without limit.
"""

from __future__ import annotations

from audit.recorder import MASKED_FIELDS, diff, record, start_request
from audit.refusals import bursts

__all__ = ["MASKED_FIELDS", "bursts", "diff", "record", "start_request"]
