"""Which reads may be answered by the read replica (models/replica.py): the use cases'
results that tolerate the replica's lag of a second or so, and never a read that must see
a write just made (those stay on the primary by default).

Lag-tolerant: metrics and the 766 scorecard, the weekly report, audit search and the
audit export. Everything else, including every write, every read inside a transaction,
authentication and the audit entry of the read itself, uses the primary.

`one_connection()`: the edge runs each HTTP request in it, so that the request's statements
share one connection of each pool (models/pgclient.py).
"""

from __future__ import annotations

from models.pgclient import one_connection
from models.replica import reads_from_replica, serving

__all__ = ["one_connection", "reads_from_replica", "serving"]
