"""Sealing entries into a keyed hash chain, and verifying it.

Each entry's hash is HMAC-SHA256(key, previous hash + the entry's canonical fields). The
key is configuration, not data: someone who can rewrite the table still cannot forge a
chain that verifies. A writer locks the chain head only at the end of its transaction
(the audit entry is its last statement), so concurrent requests wait for each other only
for the commit, not for their whole duration.

The end of the chain is protected twice. The head row carries an HMAC of (last seq, last
hash), so removing the last entries and pointing the head at the new last one is seen
without a key. Only an old copy of the head row (a backup) could be put back; against that,
verification takes checkpoints kept outside the database: each verification gives one
(`<seq>:<hash>` of the last entry), and a later verification given it fails unless that
entry is still in the chain, unchanged (`app.py audit verify --expect/--anchors`,
`verifyAuditTrail(expected:)`).

The start of the chain moves when months are archived (their partitions detached, on
PostgreSQL): the head row then also seals the base, the last archived entry's seq and hash
(and the few archived entries sealed after it), and verification starts from there and says
so (`archived_through`). Removing entries any other way is still a gap.

The chain is kept in lanes (issue 15): each lane is a chain of its own with a head row of its
own (`audit_chain_head.id`), and an entry says which lane it is in. Lane 1 is the chain as
it was before lanes: console commands, background jobs outside the server and tests write
there. A serving process on PostgreSQL claims a lane for itself when it starts
(audit/lanes.py), so that its guess of where its lane ends is always right and no two
processes queue on one row; with a single head, two workers sealed after each other's entries
and sent their statements the long way (`--workers 2` was slower than one). A lane's claim
lasts LEASE and every seal in it renews it (audit/lanes.py); a lane whose holder stopped is
claimed by the next process that starts, and nothing depends on a lane having one writer
(the head's row lock still orders them). Lanes are numbered from 1 without gaps and never
removed, so that a missing lane's head shows; and opening a lane is an entry of lane 1
(LANE_OPENED), so that the last lane removed whole, with its head, shows too: lane 1 cannot
lose that entry unseen, and verification expects a head for every lane it names. The lane
is sealed into each entry and head (outside lane 1, whose seals are unchanged), so an entry
cannot be moved from one lane to another unseen.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from audit import grouping
from models import dialect, held, telemetry
from models.audit import AuditChainHead, AuditEntry

DEVELOPMENT_KEY = b"motcua-development-audit-key"
CHAINED = ("seq", "prev_hash", "at", "actor_kind", "actor_username", "actor_roles", "action",
           "object_type", "object_id", "unit_path", "outcome", "reason", "operation_name",
           "request_id", "client_address", "changes")


class _Key:
    value: bytes = DEVELOPMENT_KEY


def configure(key: bytes) -> None:
    """Set the HMAC key (app.py reads it from AUDIT_KEY). The process starts (again) with no
    guess of the chain's end: a tool or a test that turns to another database must not be
    taken for another process writing there."""
    _Key.value = key
    _Tip.forget()
    _Tip.lane = 1


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def digest(fields: dict[str, Any]) -> str:
    """The entry's hash over its chained fields (prev_hash included)."""
    values = [_canonical(fields.get(name)) for name in CHAINED]
    # `occurrences` arrived after entries existed: it is sealed only when it is not 1, so
    # entries sealed before it verify unchanged and a count cannot be altered unseen.
    if (fields.get("occurrences") or 1) != 1:
        values.append(["occurrences", fields["occurrences"]])
    if (fields.get("lane") or 1) != 1:  # lane 1's entries are sealed as before lanes
        values.append(["lane", fields["lane"]])
    payload = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                         default=str)
    return hmac.new(_Key.value, payload.encode(), hashlib.sha256).hexdigest()


def head_mac(seq: int, last_hash: str, lane: int = 1) -> str:
    """The head row's seal: only the key's holder can point the head at an entry."""
    sealed = f"head:{seq}:{last_hash}" if lane == 1 else f"head:{lane}:{seq}:{last_hash}"
    return hmac.new(_Key.value, sealed.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Base:
    """Where the chain in the database starts: every entry up to `seq` was archived, the last
    with hash `hash`, and so were the entries of `loose` ({seq: hash}), sealed after it."""

    seq: int = 0
    hash: str = ""
    loose: dict[int, str] = field(default_factory=dict)
    lane: int = 1

    def seal(self) -> str:
        loose = json.dumps(sorted(self.loose.items()), separators=(",", ":"))
        lane = "" if self.lane == 1 else f"{self.lane}:"
        return hmac.new(_Key.value, f"base:{lane}{self.seq}:{self.hash}:{loose}".encode(),
                        hashlib.sha256).hexdigest()


def base_of(head: AuditChainHead | None) -> Base | None:
    """The head's base, or None when its seal does not match (someone moved the start)."""
    lane = head.id if head is not None else 1
    if head is None or (not head.base_seq and not head.base_hash and not head.base_loose
                        and not head.base_mac):
        return Base(lane=lane)
    base = Base(head.base_seq, head.base_hash,
                {int(k): v for k, v in (head.base_loose or {}).items()}, lane)
    return base if hmac.compare_digest(head.base_mac, base.seal()) else None


async def set_base(base: Base) -> None:
    """Move a lane's start (archiving), inside the caller's transaction holding its head."""
    await AuditChainHead.filter(id=base.lane).update(
        base_seq=base.seq, base_hash=base.hash, base_mac=base.seal(),
        base_loose={str(k): v for k, v in sorted(base.loose.items())} or None)


async def ensure_head() -> None:
    """Create the chain head row once (migrate and test setup call this), sealed. A head from
    before the seal existed is sealed here once (`app.py migrate` after the upgrade), and so is
    the head of an empty chain (nothing to protect; tests reset it with their own key)."""
    head, _ = await AuditChainHead.get_or_create(id=1, defaults={
        "last_seq": 0, "last_hash": "", "head_mac": head_mac(0, "")})
    if not head.head_mac or head.last_seq == 0:
        await AuditChainHead.filter(id=1).update(head_mac=head_mac(head.last_seq, head.last_hash))


LANE_OPENED = "audit:lane"  # the action of lane 1's entry that opens a lane (object_id: it)
LEASE_SECONDS = 900  # how long a lane stays claimed after its holder's last seal or renewal
LEASE = f"{LEASE_SECONDS} seconds"
COLUMNS = ("seq", "prev_hash", "hash", *CHAINED[2:], "occurrences", "lane")


def _renewed(lane: int) -> str:
    """What a seal in `lane` adds to the head's update: lane 1 is nobody's to claim."""
    return "" if lane == 1 else f", held_until = now() + interval '{LEASE}'"


def seal_sql(count: int, lane: int = 1) -> str:
    """PostgreSQL: insert `count` entries and move the head in one round trip (the entries'
    columns in COLUMNS order, then the head's last_seq, last_hash and head_mac)."""
    width = len(COLUMNS)
    rows = ", ".join(
        "(" + ", ".join(f"${n * width + i}::jsonb" if c == "changes" else f"${n * width + i}"
                        for i, c in enumerate(COLUMNS, 1)) + ")"
        for n in range(count))
    last = count * width
    return (f"WITH entry AS (INSERT INTO audit_entries ({', '.join(COLUMNS)}) VALUES {rows} "
            "RETURNING id) "
            f"UPDATE audit_chain_head SET last_seq = ${last + 1}, last_hash = ${last + 2}, "
            f"head_mac = ${last + 3}{_renewed(lane)} WHERE id = {lane} "
            "RETURNING (SELECT count(*) FROM entry) AS n")


LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE"
# Every lane's head, in one order (archiving and partition upkeep: writers hold one each).
LOCK_LANES = "SELECT id FROM audit_chain_head ORDER BY id FOR UPDATE"


# Selected by a statement whose commit need not wait for the disk flush (entries of their own:
# a lost entry of a read is not a lost change); local to the statement's transaction.
RELAX = ", set_config('synchronous_commit', 'off', true)"


def lock_sql(carried: held.Carried, *, relaxed: bool = False, lane: int = 1) -> str:
    """Lock `lane`'s head carrying held writes (with none and lane 1: LOCK_HEAD); `relaxed`:
    the transaction's commit need not wait for the disk flush."""
    relax = RELAX if relaxed else ""
    return (f"{carried.with_()}SELECT last_seq, last_hash{relax}{carried.reads} "
            f"FROM audit_chain_head WHERE id = {lane}{carried.guards} FOR UPDATE")


async def append(fields: dict[str, Any]) -> None:
    """Insert one sealed entry; inside the caller's transaction it commits with the write."""
    conn = connections.get("default")
    if isinstance(conn, TransactionalDBClient) or held.alone(conn):
        await _seal(conn, fields)  # no savepoint: the caller's transaction is enough
        return
    if dialect.is_postgres(conn):  # entries of their own commit in groups (audit/grouping.py)
        await grouping.append(fields)
        return
    async with in_transaction() as conn:
        await _seal(conn, fields)


async def _seal(conn: BaseDBAsyncClient, fields: dict[str, Any]) -> None:
    # The row lock on the head is held until commit: writers queue here, at their very end.
    if not dialect.is_postgres(conn):
        head = await AuditChainHead.select_for_update().get(id=1)
        fields = {**fields, "seq": head.last_seq + 1, "prev_hash": head.last_hash}
        fields["hash"] = digest(fields)
        await AuditEntry.create(**fields)
        await AuditChainHead.filter(id=1).update(last_seq=fields["seq"], last_hash=fields["hash"],
                                                 head_mac=head_mac(fields["seq"], fields["hash"]))
        return
    await seal_postgres(conn, [fields])


FORGIVEN_AFTER = 64
MOST_NEEDED = 64


class _Tip:
    """The end of this process's lane after its last entry (sealed, or being sealed): where
    its next entry is chained speculatively (`seal_postgres`). Only a guess: the statement
    that writes the entry checks it against the locked head.

    The process's guessing statements take turns (`turn()`): each is sent once the one before
    it has answered, so PostgreSQL sees them in the order they were chained. Only writers
    that hold no row lock of their own while they wait take a turn (a transition's one
    statement, a held block, the reads' group commit); a plain transaction that finds the
    turn taken seals after the head as locked instead, as the turn's holder may be waiting
    for one of its rows. (Sent together,
    one overtaking another at the head's lock made every guess chained after it wrong: 949
    right against 5,335 wrong at c=16.) A guess is made only while it is `trusted`: after a
    wrong one (another process wrote), entries are sealed after the head as locked until
    seals find the head where this process left it 1, 2, 4, … times in a row (back to once
    after FORGIVEN_AFTER in a row), so two busy workers do not keep sending statements that
    abort, while one worker that another writer interrupts now and then (a tool, a job)
    soon guesses again."""

    lane: int = 1  # the lane this process seals into (audit/lanes.py)
    at: tuple[int, str] | None = None
    streak: int = 0  # seals in a row that found the head where this process left it
    needed: int = 1  # the streak that makes guessing trusted (doubles after a wrong guess)
    turns: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    @classmethod
    def forget(cls) -> None:
        cls.at, cls.streak, cls.needed = None, 0, 1

    @classmethod
    def guess(cls) -> tuple[int, str] | None:
        return cls.at if cls.streak >= cls.needed else None

    @classmethod
    def trusted(cls) -> bool:
        return cls.guess() is not None

    @classmethod
    def right(cls) -> None:
        """A seal found the head where this process left it."""
        cls.streak += 1
        if cls.streak >= FORGIVEN_AFTER:  # a long quiet run: the next wrong guess costs little
            cls.needed = 1

    @classmethod
    def sealed_after_lock(cls, locked: tuple[int, str], end: tuple[int, str]) -> None:
        """Entries were chained after the head as locked: guessing is trusted again once
        `needed` seals in a row found it where this process's last entry left it."""
        if locked == cls.at:
            cls.right()
        else:
            cls.streak = 0
        cls.at = end

    @classmethod
    def wrong(cls, expected: tuple[int, str], chained: tuple[int, str]) -> None:
        """Another process wrote: stop guessing, for longer each time it happens again."""
        if cls.at == chained:
            cls.at = expected
        cls.streak, cls.needed = 0, min(cls.needed * 2, MOST_NEEDED)

    @classmethod
    def refused(cls, expected: tuple[int, str], chained: tuple[int, str]) -> None:
        """The entries will not exist (a guard failed, the statement or its transaction
        failed): the chain is where it was."""
        if cls.at == chained:
            cls.at = expected


def lane() -> int:
    """The lane this process seals into."""
    return _Tip.lane


def seal_into(lane: int) -> None:
    """Seal this process's next entries into `lane` (audit/lanes.py), with no guess of where
    it ends yet."""
    _Tip.forget()
    _Tip.lane = lane


def turn() -> asyncio.Lock:
    """This event loop's turn for a guessing statement (one per loop: tests run several)."""
    loop = asyncio.get_running_loop()
    lock = _Tip.turns.get(loop)
    if lock is None:
        _Tip.turns = {other: k for other, k in _Tip.turns.items() if not other.is_closed()}
        lock = _Tip.turns[loop] = asyncio.Lock()
    return lock


def _chained(entries: list[dict[str, Any]], seq: int, previous: str) -> tuple[list[Any], int, str]:
    """The entries' bound values chained after (seq, previous) in this process's lane, and
    the new end."""
    values: list[Any] = []
    lane = _Tip.lane
    for fields in entries:
        seq += 1
        sealed = {**fields, "seq": seq, "prev_hash": previous, "lane": lane}
        sealed["hash"] = previous = digest(sealed)
        sealed.setdefault("occurrences", 1)
        values += [stored(name, sealed.get(name)) for name in COLUMNS]
    return values, seq, previous


_CASTS = {"seq": "bigint", "at": "timestamptz", "changes": "jsonb", "occurrences": "integer",
          "lane": "smallint"}


def _sealing_with(carried: held.Carried, count: int) -> str:
    """The WITH clause that locks the head (carrying the held writes), inserts `count`
    entries chained after the head this process expects and moves the head, only if the
    locked head is the one expected. Parameters after the carried ones: the entries'
    COLUMNS, the expected last_seq and last_hash, then the new last_seq, last_hash and
    head_mac. Its CTEs: head (as locked), entry (the ids inserted)."""
    width, first, lane = len(COLUMNS), len(carried.params), _Tip.lane
    columns = ", ".join(COLUMNS)
    rows = ", ".join(
        "(" + ", ".join(f"${first + n * width + i}::{_CASTS.get(c, 'text')}"
                        for i, c in enumerate(COLUMNS, 1)) + ")"
        for n in range(count))
    k = first + count * width
    return carried.with_(
        f"head AS (SELECT last_seq, last_hash FROM audit_chain_head WHERE id = {lane}"
        f"{carried.guards} FOR UPDATE)",
        f"entry AS (INSERT INTO audit_entries ({columns}) SELECT v.* FROM (VALUES {rows}) "
        f"AS v({columns}), head WHERE head.last_seq = ${k + 1} AND head.last_hash = ${k + 2} "
        "RETURNING id)",
        f"moved AS (UPDATE audit_chain_head SET last_seq = ${k + 3}, last_hash = ${k + 4}, "
        f"head_mac = ${k + 5}{_renewed(lane)} WHERE id = {lane} AND EXISTS (SELECT 1 FROM entry))",
    )


def speculative_sql(carried: held.Carried, count: int) -> str:
    """Seal `count` entries after the expected head in the caller's transaction; it answers
    with the head as locked and how many entries it inserted (none: the guess was wrong)."""
    return (f"{_sealing_with(carried, count)}SELECT last_seq, last_hash{carried.reads}, "
            "(SELECT count(*) FROM entry) AS sealed FROM head")


def alone_sql(carried: held.Carried, count: int, *, relaxed: bool = False) -> str:
    """The same as a statement committed by itself: it aborts (motcua_expect) unless every
    guarded write changed a row and the entries were sealed. `relaxed`: its commit need not
    wait for the disk flush (a setting local to the statement's own transaction)."""
    relax = RELAX if relaxed else ""
    return (f"{_sealing_with(carried, count)}SELECT motcua_expect({carried.guarded}, "
            f"(SELECT count(*) FROM entry) = {count}) AS sealed{relax}{carried.reads}")


async def seal_postgres(conn: BaseDBAsyncClient, entries: list[dict[str, Any]]) -> None:
    """Chain and insert `entries` in order inside `conn`'s transaction (PostgreSQL). Raw SQL
    on the hot path: an entry is written on every request (see benchmarks/); entries of their
    own (reads, refusals) take `seal_own` instead.

    The head's row lock is held until commit, so every writer of the lane (of this process)
    queues here, at its very end, and the time from taking the lock to the commit bounds how
    many writes a second the process makes (issue 15). The entries are therefore chained after the
    head this process expects (`_Tip`) and written by the statement that takes the lock:
    once granted, PostgreSQL inserts and moves the head at once, and the writer's next round
    trip is its commit. When the head was elsewhere, the statement inserts nothing and
    answers the head as locked; the entries are chained after it and sent as before. The
    statement also carries the writes the transaction held back (models/held.py: a
    dossier's event, rollups and notification), so they cost no round trip. In a block
    held `alone` (a transition) there is no transaction: see `_seal_alone`."""
    carried = held.take(conn)
    if carried.alone:
        await _seal_alone(conn, carried, entries)
        return
    if not carried.in_block and turn().locked():
        # A plain transaction may hold row locks that the statement of the turn's holder
        # waits for: waiting for the turn here could never end. Lock, then seal after the
        # head (the holder's guess is then wrong, and it seals the long way).
        rows = await conn.execute_query_dict(lock_sql(carried, lane=_Tip.lane), carried.params)
    else:
        async with turn():
            expected = _Tip.guess()
            if expected is None:  # nothing to speculate on: lock, then seal after the head
                rows = await conn.execute_query_dict(lock_sql(carried, lane=_Tip.lane), carried.params)
            else:
                values, seq, last = _chained(entries, *expected)
                _Tip.at = (seq, last)  # the next writer of this process chains after these
                try:
                    rows = await conn.execute_query_dict(
                        speculative_sql(carried, len(entries)),
                        [*carried.params, *values, *expected, seq, last, head_mac(seq, last, _Tip.lane)])
                except Exception:
                    _Tip.refused(expected, (seq, last))  # the transaction will not commit them
                    raise
                if rows and rows[0]["sealed"]:
                    telemetry.AUDIT_GUESSES.labels(outcome="right").inc()
                    _Tip.right()
                    return
                telemetry.AUDIT_GUESSES.labels(outcome="wrong" if rows else "refused").inc()
                (_Tip.wrong if rows else _Tip.refused)(expected, (seq, last))
    if not rows:
        raise carried.failure()  # a guarded write changed nothing: roll it all back
    await _seal_after(conn, rows[0], entries)


async def _seal_after(conn: BaseDBAsyncClient, locked: dict[str, Any],
                      entries: list[dict[str, Any]]) -> None:
    """Chain the entries after the head as locked, insert them and move the head."""
    head = (locked["last_seq"], locked["last_hash"])
    values, seq, last = _chained(entries, *head)
    _Tip.sealed_after_lock(head, (seq, last))
    await conn.execute_query_dict(seal_sql(len(entries), _Tip.lane),
                                  [*values, seq, last, head_mac(seq, last, _Tip.lane)])


async def seal_own(entries: list[dict[str, Any]]) -> None:
    """Entries of their own (a batch of reads' and refusals' entries, audit/grouping.py) as
    one statement committed by itself, its commit not waiting for the disk flush: no BEGIN
    or COMMIT of their own (PostgreSQL)."""
    await _seal_alone(connections.get("default"), held.Carried(alone=True), entries,
                      relaxed=True)


async def _seal_alone(conn: BaseDBAsyncClient, carried: held.Carried,
                      entries: list[dict[str, Any]], *, relaxed: bool = False) -> None:
    """The carried writes and the entries as one statement committed by itself (a held
    block `alone`, models/held.py): no transaction, and the head's lock is held only while
    PostgreSQL runs the statement. It aborts whole (motcua_expect) when a guarded write
    changed nothing (the caller's error is raised) or the head was not where this process
    expected it; then, as when there is nothing to guess from, the carried writes and the
    entries are sent in a transaction of their own (lock, then seal after the head)."""
    async with turn():
        expected = _Tip.guess()
        if expected is not None:
            values, seq, last = _chained(entries, *expected)
            _Tip.at = (seq, last)
            try:
                await conn.execute_query_dict(
                    alone_sql(carried, len(entries), relaxed=relaxed),
                    [*carried.params, *values, *expected, seq, last, head_mac(seq, last, _Tip.lane)])
                telemetry.AUDIT_GUESSES.labels(outcome="right").inc()
                _Tip.right()
                return
            except Exception as error:
                reason = held.refusal(error)
                if reason is None:  # the statement aborted whole: the chain is where it was
                    _Tip.refused(expected, (seq, last))
                    raise
                refused = reason == held.GUARD_FAILED
                telemetry.AUDIT_GUESSES.labels(outcome="refused" if refused else "wrong").inc()
                (_Tip.refused if refused else _Tip.wrong)(expected, (seq, last))
                if refused:
                    raise carried.failure() from None
    async with in_transaction() as tx:
        rows = await tx.execute_query_dict(lock_sql(carried, relaxed=relaxed, lane=_Tip.lane),
                                           carried.params)
        if not rows:
            raise carried.failure()
        await _seal_after(tx, rows[0], entries)


def stored(name: str, value: Any) -> Any:
    """A chained field's value as the raw statements bind it."""
    if name == "changes":
        return None if value is None else json.dumps(value, separators=(",", ":"), default=str)
    return value.value if hasattr(value, "value") else value


@dataclass(frozen=True)
class Checkpoint:
    """An entry as a verification saw it, for an inspector to keep: `<seq>:<hash>` in lane
    1, `<lane>/<seq>:<hash>` in another. A verification gives one per lane, joined by commas
    (`parse_all`); a trail that was never written in more than one lane gives `<seq>:<hash>`
    as before lanes."""

    seq: int
    hash: str
    lane: int = 1

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """`123:<64 hex digits>` or `2/123:<64 hex digits>`, or ValueError."""
        lane, slash, rest = text.strip().rpartition("/")
        seq, _, digest_ = rest.partition(":")
        if not (seq.isdigit() and 0 < len(seq) <= 18 and len(digest_) == 64
                and all(c in "0123456789abcdef" for c in digest_)
                and (not slash or (lane.isdigit() and 0 < len(lane) <= 4 and int(lane) > 0))):
            raise ValueError("a checkpoint looks like 1234:<64 hexadecimal digits> "
                             "(2/1234:<…> in lane 2), several joined by commas")
        return cls(int(seq), digest_, int(lane) if slash else 1)

    @classmethod
    def parse_all(cls, text: str) -> tuple[Checkpoint, ...]:
        """The checkpoints of one verification, joined by commas."""
        return tuple(cls.parse(part) for part in text.split(","))

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}" if self.lane == 1 else f"{self.lane}/{self.seq}:{self.hash}"


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int  # entries in the chain's lanes up to where the walk got, archived included
    first_bad_id: int | None
    problem: str | None = None
    # The last entry of each lane checked, when the chain is intact.
    checkpoints: tuple[Checkpoint, ...] = ()
    archived_through: int = 0  # entries archived (every lane's); the walk began after them

    @property
    def checkpoint(self) -> str | None:
        """What to keep from this verification (one lane's checkpoint, or several)."""
        return ",".join(map(str, self.checkpoints)) or None


@dataclass
class _Lane:
    """How far verification got in one lane: its last good entry and its hash."""

    base: Base
    seq: int = 0
    hash: str = ""

    def __post_init__(self) -> None:
        self.seq, self.hash = self.base.seq, self.base.hash

    def skip_archived(self) -> None:
        """Step over archived entries sealed after the base (their hashes are in the seal)."""
        while self.seq + 1 in self.base.loose:
            self.seq += 1
            self.hash = self.base.loose[self.seq]


@dataclass
class _Walk:
    """How far verification got: each lane's state, and the last id read."""

    lanes: dict[int, _Lane]
    last_id: int = 0
    bad: Verification | None = None
    opened: dict[int, int] = field(default_factory=dict)  # lane → the entry that opened it

    @property
    def checked(self) -> int:
        return sum(lane.seq for lane in self.lanes.values())

    @property
    def archived(self) -> int:
        return sum(lane.base.seq for lane in self.lanes.values())

    def fail(self, entry_id: int | None, problem: str) -> Verification:
        self.bad = Verification(False, self.checked, entry_id, problem,
                                archived_through=self.archived)
        return self.bad


def _named(lane: int) -> str:
    return "the chain" if lane == 1 else f"lane {lane} of the chain"


def _head(lane: int) -> str:
    return "the chain head" if lane == 1 else f"the head of lane {lane}"


def _label(lane: int, seq: int) -> str:
    """A checkpoint named in a problem: its seq (in lane 1), `lane/seq` elsewhere."""
    return str(seq) if lane == 1 else f"{lane}/{seq}"


async def _heads(state: _Walk | None = None) -> tuple[dict[int, AuditChainHead], str | None]:
    """Every lane's head, and what is wrong with them: a lane's head missing (lanes are
    numbered from 1 without gaps and never removed), or its base's seal not matching. Lanes
    that appeared since `state` began are added to it (a process that started meanwhile)."""
    heads = {head.id: head for head in await AuditChainHead.all()}
    for lane in range(1, max(heads, default=1) + 1):
        if lane not in heads and (lane > 1 or heads):
            return heads, f"the head of lane {lane} was removed: its entries may have been too"
    for lane, head in heads.items():
        base = base_of(head)
        if base is None:
            return heads, (f"{_named(lane)}'s archived start was altered (its seal does not "
                           "match): entries may have been removed from its beginning")
        if state is not None and lane not in state.lanes:
            state.lanes[lane] = _Lane(base)
    return heads, None


async def _window(state: _Walk, batch: int) -> list[AuditEntry]:
    """The entries with ids in the next `batch` ids, copies of one id included: ids are unique
    by the sequence, not by a constraint on PostgreSQL (the partitioned table's key is (id,
    at)), so a window without LIMIT is what guarantees that a copied entry is read."""
    while True:
        rows = await AuditEntry.filter(id__gt=state.last_id, id__lte=state.last_id + batch
                                       ).order_by("id", "lane", "seq")
        if rows:
            return list(rows)
        following = await AuditEntry.filter(id__gt=state.last_id).order_by("id").first()
        if following is None:
            return []
        state.last_id = following.id - 1  # ids skipped by rolled-back writers


async def _walk(state: _Walk, expected: dict[tuple[int, int], str], batch: int) -> int:
    """Check the entries after `state.last_id`, each in its lane; returns how many were read
    (stops at the first bad one, in `state.bad`)."""
    read = 0
    while rows := await _window(state, batch):
        for row in rows:
            read += 1
            lane = state.lanes.get(row.lane)
            if lane is None:  # a lane claimed after the heads were read, or one without a head
                _, problem = await _heads(state)
                lane = state.lanes.get(row.lane)
                if problem or lane is None:
                    state.fail(row.id, problem or f"entry {row.id} is in lane {row.lane}, "
                               "which has no head")
                    return read
            lane.skip_archived()
            fields = {name: getattr(row, name) for name in (*CHAINED, "occurrences", "lane")}
            if row.seq is None or row.seq != lane.seq + 1:
                problem = "an entry is missing before it" if (row.seq or 0) > lane.seq + 1 else (
                    "it is outside the chain or out of order")
                state.fail(row.id, f"entry {row.id}: {problem}")
                return read
            if row.prev_hash != lane.hash or row.hash != digest(fields):
                state.fail(row.id, f"entry {row.id} was altered")
                return read
            kept = expected.get((row.lane, row.seq))
            if kept is not None and kept != row.hash:
                state.fail(row.id, f"entry {row.id} is not the one checkpoint "
                           f"{_label(row.lane, row.seq)} saw")
                return read
            opens = row.object_id if row.lane == 1 and row.action == LANE_OPENED else None
            if opens is not None and opens.isdigit():
                state.opened[int(opens)] = row.id  # sealed: its lane must have a head
            lane.seq, lane.hash = row.seq, row.hash
        state.last_id = rows[-1].id
    return read


def _head_problem(state: _Walk, heads: dict[int, AuditChainHead]) -> tuple[str | None, bool]:
    """What is wrong with the heads against the walk, and whether some lane's head is ahead
    of it (entries being appended, or its last entries removed)."""
    ahead = False
    for number, lane in sorted(state.lanes.items()):
        lane.skip_archived()
        head = heads.get(number)
        last_seq, last_hash, mac = (head.last_seq, head.last_hash, head.head_mac) if head else (0, "", "")
        if not hmac.compare_digest(mac, head_mac(last_seq, last_hash, number)):
            return (f"{_head(number)} was altered (its seal does not match): "
                    "entries after it may have been removed"), False
        if last_seq < lane.seq:  # an older head put back: what followed it was removed, then?
            return (f"{_head(number)} points at entry seq {last_seq}, before the "
                    f"last entry (seq {lane.seq}): an old head was restored"), False
        ahead = ahead or last_seq > lane.seq
    return None, ahead


async def verify(*, expected: tuple[Checkpoint, ...] = (), batch: int = 2000,
                 max_rounds: int = 50) -> Verification:
    """Walk the chain's entries in order, each in its lane; name the first entry that was
    altered, removed or inserted, and check that each lane ends where its sealed head says
    and contains every `expected` checkpoint. Entries appended while it runs are walked too:
    the heads are read after each walk, until they agree. Each lane's walk starts at its
    sealed base (archived months); a checkpoint within what was archived is not checked
    (its entry left the database)."""
    state = _Walk({})
    heads, problem = await _heads(state)
    state.lanes.setdefault(1, _Lane(Base()))  # a trail with no head yet: an empty lane 1
    if problem:
        return state.fail(None, problem)
    wanted: dict[tuple[int, int], str] = {}
    for kept in expected:
        lane = state.lanes.get(kept.lane)
        if lane is None:
            return state.fail(None, f"checkpoint {_label(kept.lane, kept.seq)} is in lane "
                              f"{kept.lane}, which is gone: "
                              "its entries were removed")
        base = lane.base
        sealed = {base.seq: base.hash, **base.loose}  # archived checkpoints still checkable
        if kept.seq in sealed:
            if sealed[kept.seq] != kept.hash:
                return state.fail(None, f"checkpoint {_label(kept.lane, kept.seq)} is not the "
                                  "entry that was archived")
        elif kept.seq > base.seq:
            wanted[(kept.lane, kept.seq)] = kept.hash
    stalled = 0
    for _ in range(max_rounds):
        read = await _walk(state, wanted, batch)
        if state.bad is not None:
            return state.bad
        heads, problem = await _heads(state)
        if problem is None:
            problem, ahead = _head_problem(state, heads)
        if problem:
            return state.fail(None, problem)
        if not ahead:
            break
        # A head is ahead: entries are being appended (walk them), or the last were removed.
        stalled = stalled + 1 if read == 0 else 0
        if stalled >= 2:
            removed = {n: heads[n].last_seq - lane.seq for n, lane in state.lanes.items()
                       if n in heads and heads[n].last_seq > lane.seq}
            number, count = min(removed.items())
            return state.fail(None, f"the last {count} entries"
                              + ("" if number == 1 else f" of lane {number}") + " were removed")
    else:
        return state.fail(None, "the trail kept growing while it was verified; verify again")
    gone = sorted(n for n in state.opened if n not in heads)
    if gone:
        return state.fail(None, f"lane {gone[0]}, opened by entry {state.opened[gone[0]]}, is "
                          "gone with its head: its entries were removed")
    for number, lane in sorted(state.lanes.items()):
        head = heads.get(number)
        if (head.last_hash if head else "") != lane.hash:
            return state.fail(None, f"{_head(number)} does not match the last entry"
                              + ("" if number == 1 else " of its lane"))
    missing = sorted((n, seq) for n, seq in wanted if seq > state.lanes[n].seq)
    if missing:
        number, seq = missing[0]
        where = "the chain ends" if number == 1 else f"lane {number} ends"
        return state.fail(None, f"{where} at seq {state.lanes[number].seq}, before checkpoint "
                          f"{_label(number, seq)}: entries were removed")
    return Verification(True, state.checked, None, archived_through=state.archived,
                        checkpoints=tuple(Checkpoint(lane.seq, lane.hash, number)
                                          for number, lane in sorted(state.lanes.items())
                                          if lane.seq))
