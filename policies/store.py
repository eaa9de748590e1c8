"""The Casbin enforcer and its rules, kept in the database and reloaded when they change.

Rules live in `casbin_rules` (a small adapter of our own: the published tortoise adapter
mishandles bulk adds and filtered removal). Every change bumps `policy_revision` in the
same transaction, and announces it (`models.notify`): every process reloads as soon as the
notification arrives, and also checks the revision at most once a second (`RECHECK_SECONDS`,
POLICY_RECHECK) as the fallback for a notification missed.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import casbin
from casbin import util
from tortoise.expressions import F

from models import notify
from models.identity import CasbinRule, PolicyRevision

HERE = Path(__file__).parent
MODEL = str(HERE / "model.conf")
RECHECK_SECONDS = 1.0


def build(rules: list[tuple[str, str, str, str]]) -> casbin.Enforcer:
    """An in-memory enforcer holding exactly these rules (ptype, v0, v1, v2)."""
    enforcer = casbin.Enforcer(MODEL)
    enforcer.add_named_domain_matching_func("g", util.key_match)
    policies = [[v0, v1, v2] for ptype, v0, v1, v2 in rules if ptype == "p"]
    groupings = [[v0, v1, v2] for ptype, v0, v1, v2 in rules if ptype == "g"]
    if policies:
        enforcer.add_policies(policies)
    if groupings:
        enforcer.add_named_grouping_policies("g", groupings)
    return enforcer


def csv_rules() -> list[tuple[str, str, str, str]]:
    """The default `p` rules of policy.csv."""
    rows: list[tuple[str, str, str, str]] = []
    with open(HERE / "policy.csv", newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle, skipinitialspace=True):
            if row and not row[0].startswith("#"):
                rows.append((row[0], row[1], row[2], row[3] if len(row) > 3 else ""))
    return rows


class _State:
    enforcer: casbin.Enforcer = build(csv_rules())  # until the database is read
    revision: int = -1
    checked_at: float = 0.0
    # Decisions of the enforcer in force, kept with it: swapping the enforcer (a new policy
    # revision) swaps them too. pycasbin re-evaluates its matcher on every call (~30 % of a
    # write path's CPU, issue 15), and a process asks the same few questions all day.
    decisions: dict[tuple[str, str, str, str], bool] = {}
    grants: dict[str, list[list[str]]] = {}
    # Counts the policies put in force in this process (never repeats, unlike a revision
    # number read from a database that another test, or a restored backup, may share).
    generation: int = 0


DECISIONS_MAX = 100_000  # roles × units × objects × actions asked; a bound against a runaway


def _swap(new: casbin.Enforcer) -> None:
    """Put `new` in force with empty caches, in one assignment readers can see."""
    _State.decisions, _State.grants = {}, {}
    _State.enforcer = new
    _State.generation += 1


def configure(*, recheck_seconds: float) -> None:
    """How often the fallback check asks for the revision (POLICY_RECHECK)."""
    global RECHECK_SECONDS
    RECHECK_SECONDS = recheck_seconds


def enforcer() -> casbin.Enforcer:
    """The enforcer in force in this process."""
    return _State.enforcer


def decide(subject: str, domain: str, obj: str, act: str) -> bool:
    """`enforcer().enforce(...)`, remembered until the policy changes."""
    decisions, key = _State.decisions, (subject, domain, obj, act)
    found = decisions.get(key)
    if found is None:
        found = bool(_State.enforcer.enforce(subject, domain, obj, act))
        if len(decisions) >= DECISIONS_MAX:
            decisions.clear()
        decisions[key] = found
    return found


def groupings_of(username: str) -> list[list[str]]:
    """The `g` rules of `username` (subject, role, domain), remembered until the policy changes."""
    found = _State.grants.get(username)
    if found is None:
        found = _State.enforcer.get_filtered_named_grouping_policy("g", 0, username)
        if len(_State.grants) >= DECISIONS_MAX:
            _State.grants.clear()
        _State.grants[username] = found
    return found


async def load() -> None:
    """Read every rule from the database and swap the enforcer in one assignment."""
    row = await PolicyRevision.get_or_none(id=1)
    rules = [(r.ptype, r.v0, r.v1, r.v2) for r in await CasbinRule.all().order_by("id")]
    _swap(build(rules))
    _State.revision = row.revision if row else 0
    _State.checked_at = time.monotonic()


async def refresh(*, force: bool = False) -> None:
    """Reload when another process changed the policy (checked at most once a second)."""
    if not force and time.monotonic() - _State.checked_at < RECHECK_SECONDS:
        return
    row = await PolicyRevision.get_or_none(id=1)
    _State.checked_at = time.monotonic()
    if (row.revision if row else 0) != _State.revision:
        await load()


def generation() -> int:
    """Which policy this process holds: it changes with every load (every revision, every
    start). Caches of what follows from the policy and the unit tree key on it
    (resolvers/units/history.py)."""
    return _State.generation


async def bump_revision() -> None:
    """Mark the policy changed; call inside the transaction that changed it. One atomic
    `revision = revision + 1` in SQL: a read-then-write would lose concurrent bumps."""
    await PolicyRevision.get_or_create(id=1, defaults={"revision": 0})
    await PolicyRevision.filter(id=1).update(revision=F("revision") + 1)
    await notify.publish("policy")


async def _announced(event: notify.Event) -> None:
    if event.remote or event.kind == notify.GAP:  # this process's own changes reload at once
        await refresh(force=True)


notify.hub.on("policy", _announced)


async def seed_from_csv() -> int:
    """Insert the default policy when the database has no `p` rules yet; returns rows added."""
    if await CasbinRule.filter(ptype="p").exists():
        return 0
    rules = csv_rules()
    await CasbinRule.bulk_create([CasbinRule(ptype=p, v0=a, v1=b, v2=c) for p, a, b, c in rules])
    await bump_revision()
    return len(rules)
