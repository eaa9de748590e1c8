"""The enforcer's decisions are remembered per policy revision: a change takes effect at once."""

from __future__ import annotations

from models import CasbinRule
from policies import store


async def test_a_removed_rule_is_no_longer_decided_true(db):
    # given a decision asked (and remembered) once
    assert store.decide("CLERK", "/49/", "dossier", "receive") is True
    # when the rule goes and the policy is reloaded, as every change does
    await CasbinRule.filter(ptype="p", v0="CLERK", v1="dossier", v2="receive").delete()
    await store.bump_revision()
    await store.load()
    # then the remembered decision is gone with it
    assert store.decide("CLERK", "/49/", "dossier", "receive") is False


async def test_an_added_rule_is_decided_true_after_the_reload(db):
    assert store.decide("CLERK", "/49/", "feedback", "handle_all") is False
    await CasbinRule.create(ptype="p", v0="CLERK", v1="feedback", v2="handle_all")
    await store.bump_revision()
    await store.load()
    assert store.decide("CLERK", "/49/", "feedback", "handle_all") is True


async def test_decisions_agree_with_the_enforcer(db):
    for role in ("CLERK", "SPECIALIST", "LEADER", "INSPECTOR", "ADMIN", "ANONYMOUS"):
        for obj, act in (("dossier", "read"), ("dossier", "receive"), ("audit", "read"),
                         ("metrics", "read"), ("policy", "write")):
            expected = bool(store.enforcer().enforce(role, "/49/", obj, act))
            assert store.decide(role, "/49/", obj, act) is expected, (role, obj, act)
