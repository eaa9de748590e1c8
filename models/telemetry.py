"""Prometheus metrics that the lower layers count (the audit trail, the database pool, the
notification listener, the replica). Defined once, here at the bottom of the one-way flow;
`web/metrics.py` defines the request-level ones and serves them all at `/metrics`.

Under `serve --workers N` the values live in files under PROMETHEUS_MULTIPROC_DIR and are
added up over the workers at each scrape; each gauge says how (`multiprocess_mode`).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

AUDIT_ENTRIES = Counter(
    "motcua_audit_entries", "Audit entries sealed into the chain (an entry of a write that "
    "then rolled back is counted too), by outcome", ["outcome"])
AUDIT_GUESSES = Counter(
    "motcua_audit_head_guesses", "Seals that chained their entries after the head this "
    "process expected, by outcome: right; wrong (sent again after the head as it was: many "
    "mean other processes or reordered writers in between); refused (a compare-and-set "
    "carried with it changed nothing)", ["outcome"])
DB_POOL = Gauge(
    "motcua_db_pool_connections", "Connections of a database pool by state (in_use, idle, "
    "max), summed over live workers", ["pool", "state"], multiprocess_mode="livesum")
DB_POOL_WAIT = Histogram(
    "motcua_db_pool_wait_seconds", "Time a query waited for a pooled connection", ["pool"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
REPLICA_UP = Gauge(
    "motcua_db_replica_up", "1 while the read replica answers within its lag limit (lowest "
    "over workers); 0 sends every read to the primary", multiprocess_mode="livemin")
REPLICA_LAG = Gauge(
    "motcua_db_replica_lag_seconds", "How far the read replica's replay is behind (highest "
    "over workers)", multiprocess_mode="livemax")
NOTIFY_UP = Gauge(
    "motcua_notify_listener_up", "1 while this process LISTENs for change notifications "
    "(lowest over workers)", multiprocess_mode="livemin")
NOTIFY_RECONNECTS = Counter(
    "motcua_notify_reconnects", "Times the notification listener reconnected (each one a "
    "possible gap announced to subscribers)")
NOTIFY_EVENTS = Counter(
    "motcua_notify_events", "Change notifications delivered in a process, by kind and origin "
    "(local: this process; remote: another, through PostgreSQL)", ["kind", "origin"])
