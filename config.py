"""Settings: read once from the environment (and a `.env` file) with starlette's `Config`.

Every variable is listed in the README's configuration table and in docs/operations.md;
a bad value stops the process at start-up with a message naming the variable.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.config import Config

from audit import chain
from policies.ratelimit import Limits
from policies.tokens import KeyRing
from resolvers.deadlines import ClockRules
from resolvers.timelimits import OfficeHours
from schema.limits import QueryLimits

ROOT = Path(__file__).resolve().parent
JWT_VARIABLES = ("JWT_ALGORITHM", "JWT_SECRET", "JWT_PREVIOUS_SECRETS", "JWT_PRIVATE_KEY_FILE",
                 "JWT_PUBLIC_KEY_FILE", "JWT_PREVIOUS_PUBLIC_KEY_FILES")


@dataclass(frozen=True)
class Database:
    """Where the data lives and how long the service waits for it."""

    url: str
    # Server-side limit of one statement (PostgreSQL `statement_timeout`), seconds; 0: none.
    statement_timeout: float = 10.0
    # Client-side limits: a frozen server (no answer at all) must not hang a request.
    connect_timeout: float = 5.0
    command_timeout: float = 15.0
    pool_size: int = 10
    # What a 503 tells clients to wait before retrying.
    retry_after: int = 5
    # A streaming replica for reads that may lag (metrics, reports, audit search), and the
    # lag past which those reads go back to the primary.
    replica_url: str | None = None
    replica_max_lag: float = 30.0
    # LISTEN needs a session of its own: a direct connection, not a transaction-mode pooler.
    listen_url: str | None = None
    # Behind pgbouncer in transaction mode: no prepared-statement cache and no startup
    # parameters (set statement_timeout on the role instead; docs/deployment.md).
    pgbouncer: bool = False


@dataclass(frozen=True)
class Operations:
    """Metrics, logs, shutdown, subscriptions and the policy fallback (docs/operations.md)."""

    # /metrics is served to a scraper presenting this bearer token, or to these networks.
    metrics_token: str | None = field(default=None, repr=False)
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    log_level: str = "INFO"
    log_format: str = "json"  # or "text" for a person at a terminal
    # Seconds in-flight requests get to finish after SIGTERM before they are cancelled.
    shutdown_timeout: int = 20
    subscriptions_per_connection: int = 5
    subscriptions_per_user: int = 20
    # Seconds a socket may stay open without `connection_init`.
    ws_init_timeout: float = 10.0
    # How often an open subscription re-checks its token (revocation also ends it at once).
    subscription_recheck: float = 60.0
    # The periodic policy check kept as the fallback of notifications.
    policy_recheck: float = 1.0


@dataclass(frozen=True)
class Settings:
    database_url: str
    environment: str
    keys: KeyRing
    audit_key: bytes = chain.DEVELOPMENT_KEY
    limits: QueryLimits = field(default_factory=QueryLimits)
    rates: Limits = field(default_factory=Limits)
    redis_url: str | None = None
    cors_origins: tuple[str, ...] = ()
    scorecard_bands: tuple[tuple[str, float], ...] | None = None
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For / X-Request-Id count.
    trusted_proxies: tuple[str, ...] = ()
    database: Database | None = None
    # Identical refusals from one caller within this many seconds become one counted entry.
    audit_burst_seconds: float = 60.0
    # Office hours, the same-day cut-off and what supplements and payments do to the clock.
    clock: ClockRules = field(default_factory=ClockRules)
    operations: Operations = field(default_factory=Operations)

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def db(self) -> Database:
        return self.database or Database(self.database_url)

    @classmethod
    def from_env(cls, config: Config | None = None) -> Settings:
        """The settings of this process; `config` defaults to the environment and `.env`."""
        # Without a .env file, none is named: starlette would warn on stderr, outside the logs.
        config = config or Config(ROOT / ".env" if (ROOT / ".env").exists() else None)
        environment = config("APP_ENV", default="development")
        if environment not in ("development", "production"):
            raise SystemExit(f"APP_ENV must be development or production, not {environment!r}")
        production = environment == "production"
        url = config("DATABASE_URL", default=f"sqlite://{ROOT / 'var' / 'motcua.sqlite3'}")
        jwt = {name: config(name, default="") for name in JWT_VARIABLES}
        try:
            keys = KeyRing.from_env(jwt, production=production)
        except ValueError as problem:  # WeakSecret included: it names the variable
            raise SystemExit(str(problem)) from None
        return cls(
            database_url=url,
            environment=environment,
            keys=keys,
            audit_key=_audit_key(config("AUDIT_KEY", default=""), production),
            limits=QueryLimits(**_numbers(config, "LIMIT_", QueryLimits)),
            rates=Limits(**_numbers(config, "RATE_", Limits)),
            redis_url=config("REDIS_URL", default="") or None,
            cors_origins=_list(config("CORS_ORIGINS", default="")),
            scorecard_bands=_bands(config("SCORECARD_BANDS", default="")),
            trusted_proxies=_networks(config("TRUSTED_PROXIES", default=""), "TRUSTED_PROXIES"),
            database=_database(config, url),
            audit_burst_seconds=_number(config, "AUDIT_BURST_SECONDS", 60.0),
            clock=_clock(config),
            operations=_operations(config),
        )


def _database(config: Config, url: str) -> Database:
    numbers = _numbers(config, "DB_", Database, skip=("url", "replica_url", "listen_url", "pgbouncer"))
    replica = config("DATABASE_REPLICA_URL", default="") or None
    listen = config("DATABASE_LISTEN_URL", default="") or None
    for name, value in (("DATABASE_REPLICA_URL", replica), ("DATABASE_LISTEN_URL", listen)):
        if value and not value.startswith(("postgres://", "postgresql://")):
            raise SystemExit(f"{name} must be a postgres:// URL")
    return Database(url, replica_url=replica, listen_url=listen,
                    pgbouncer=_flag(config, "DB_PGBOUNCER"), **numbers)


def _flag(config: Config, name: str) -> bool:
    raw = config(name, default="0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no", ""):
        raise SystemExit(f"{name} must be 1 or 0, not {raw!r}")
    return raw in ("1", "true", "yes")


def _operations(config: Config) -> Operations:
    numbers = {name: _number(config, name.upper(), default) for name, default in (
        ("shutdown_timeout", 20), ("subscriptions_per_connection", 5),
        ("subscriptions_per_user", 20), ("ws_init_timeout", 10.0),
        ("subscription_recheck", 60.0), ("policy_recheck", 1.0))}
    if numbers["ws_init_timeout"] <= 0 or numbers["subscription_recheck"] <= 0:
        raise SystemExit("WS_INIT_TIMEOUT and SUBSCRIPTION_RECHECK must be positive")
    allow = config("METRICS_ALLOW", default=None)
    level = config("LOG_LEVEL", default="INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SystemExit(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    fmt = config("LOG_FORMAT", default="json").lower()
    if fmt not in ("json", "text"):
        raise SystemExit(f"LOG_FORMAT must be json or text, not {fmt!r}")
    token = config("METRICS_TOKEN", default="") or None
    if token is not None and len(token) < 16:
        raise SystemExit("METRICS_TOKEN must be at least 16 characters")
    return Operations(
        metrics_token=token, log_level=level, log_format=fmt,
        metrics_allow=Operations.metrics_allow if allow is None else _networks(allow, "METRICS_ALLOW"),
        **numbers)


def _number(config: Config, name: str, default: Any) -> Any:
    raw = config(name, default=None)
    if raw is None:
        return default
    try:
        value = type(default)(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} must not be negative")
    return value


def _numbers(config: Config, prefix: str, kind: type, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Overrides such as LIMIT_DEPTH=12 or RATE_PER_USER=1000 for a dataclass of numbers."""
    defaults = {name: f.default for name, f in kind.__dataclass_fields__.items()  # type: ignore[attr-defined]
                if name not in skip}
    values = {name: _number(config, prefix + name.upper(), default)
              for name, default in defaults.items()}
    return {k: v for k, v in values.items() if v != defaults[k]}


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _networks(raw: str, name: str) -> tuple[str, ...]:
    """TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16": addresses or networks, checked now."""
    items = _list(raw)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SystemExit(f"{name}: {item!r} is not an address or network") from None
    return items


def _bands(raw: str) -> tuple[tuple[str, float], ...] | None:
    """SCORECARD_BANDS="GREEN:80,YELLOW:65,ORANGE:50,RED:0": colour and lowest total."""
    if not raw:
        return None
    try:
        pairs = [item.split(":") for item in raw.split(",") if item.strip()]
        return tuple((name.strip().upper(), float(lowest)) for name, lowest in pairs)
    except ValueError:
        raise SystemExit(f"SCORECARD_BANDS must look like GREEN:80,YELLOW:65,RED:0, not {raw!r}") from None


def _clock(config: Config) -> ClockRules:
    """OFFICE_HOURS, SAME_DAY_CUTOFF, SUPPLEMENT_CLOCK and PAYMENT_CLOCK (docs/deadlines.md)."""
    defaults = ClockRules()
    periods = config("OFFICE_HOURS", default="")
    cutoff = config("SAME_DAY_CUTOFF", default="")
    office = defaults.office
    if periods or cutoff:
        try:
            office = OfficeHours.parse(
                periods or ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in office.periods),
                cutoff or f"{office.same_day_cutoff:%H:%M}")
        except ValueError as problem:
            raise SystemExit(f"OFFICE_HOURS / SAME_DAY_CUTOFF: {problem}") from None
    return ClockRules(office=office,
                      supplement=_choice(config, "SUPPLEMENT_CLOCK", defaults.supplement),
                      payment=_choice(config, "PAYMENT_CLOCK", defaults.payment))


def _choice(config: Config, name: str, default: Any) -> Any:
    """One member of the default's enumeration, by name (any case)."""
    raw = config(name, default="").strip().upper()
    members = type(default).__members__
    if raw and raw not in members:
        raise SystemExit(f"{name} must be one of {', '.join(members)}, not {raw!r}")
    return members[raw] if raw else default


def _audit_key(raw: str, production: bool) -> bytes:
    """The HMAC key of the audit chain; production needs a real one (32+ bytes)."""
    key = raw.encode()
    if production and (len(key) < 32 or key == chain.DEVELOPMENT_KEY):
        raise SystemExit("AUDIT_KEY must be set to a secret of at least 32 bytes in production")
    return key or chain.DEVELOPMENT_KEY


def tortoise_config(database: Database | str) -> dict[str, Any]:
    """The ORM configuration: one app, `models`, with its built-in migrations and the
    database's timeouts (PostgreSQL: statement timeout on the server, connect and command
    timeouts in the driver, so that neither a slow query nor a frozen server hangs)."""
    if isinstance(database, str):
        database = Database(database)
    url = database.url
    connection: str | dict[str, Any] = url
    connections = {"default": connection}
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    elif url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        connections["default"] = _postgres(url, database)
    return {
        "connections": connections,
        # Reads marked lag-tolerant go to the replica while it is healthy. The replica is not
        # one of the ORM's configured connections (then every `in_transaction()` would have to
        # name its database): models.replica attaches it (replica_connection below).
        "routers": ["models.replica.ReadRouter"] if database.replica_url else [],
        "apps": {
            "models": {
                "models": ["models"],
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def replica_connection(database: Database) -> dict[str, Any] | None:
    """The read replica's connection settings (the primary's timeouts), or None."""
    return _postgres(database.replica_url, database) if database.replica_url else None


def _postgres(url: str, database: Database) -> dict[str, Any]:
    """One PostgreSQL connection of the ORM: the measured pool (models/pgclient.py) and the
    database's timeouts."""
    from tortoise.backends.base.config_generator import expand_db_url

    connection = expand_db_url(url.replace("postgresql://", "postgres://", 1))
    connection["engine"] = "models.pgclient"
    credentials = connection["credentials"]
    settings = credentials.setdefault("server_settings", {})
    if database.pgbouncer:
        # Transaction pooling: a prepared statement or a startup parameter would belong to
        # a server connection the next transaction may not get.
        credentials.setdefault("statement_cache_size", 0)
    elif database.statement_timeout:
        settings.setdefault("statement_timeout", str(int(database.statement_timeout * 1000)))
    credentials.setdefault("timeout", database.connect_timeout)
    credentials.setdefault("command_timeout", database.command_timeout)
    credentials.setdefault("maxsize", database.pool_size)
    return connection
