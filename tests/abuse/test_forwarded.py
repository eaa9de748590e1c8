"""X-Forwarded-For is believed only from configured proxies: a client cannot pick its own
address to dodge per-address limits or to forge `clientAddress` in the audit trail."""

from __future__ import annotations

import uvicorn

import cli
from audit import bursts
from models import AuditEntry
from policies.ratelimit import Limits
from tests.conftest import settings

CATALOGUE = {"query": "query Catalogue { procedures(first: 1) { edges { cursor } } }"}
SPOOFED = ("203.0.113.1", "203.0.113.2", "203.0.113.3")


async def _three(client) -> list[int]:
    return [(await client.post("/graphql", json=CATALOGUE, headers={"x-forwarded-for": a})).status_code
            for a in SPOOFED]


async def test_forwarded_for_is_ignored_by_default(client_for):
    client = await client_for(rates=Limits(per_address=2, window=60))
    assert await _three(client) == [200, 200, 429]  # one address, whatever the header says
    await bursts.flush(everything=True)
    seen = await AuditEntry.filter(action="query:procedures").values_list("client_address", flat=True)
    assert set(seen) == {"127.0.0.1"}
    refused = await AuditEntry.get(action="http:429")
    assert refused.client_address == "127.0.0.1"


async def test_forwarded_for_is_ignored_from_a_peer_that_is_not_a_configured_proxy(client_for):
    client = await client_for(rates=Limits(per_address=2, window=60), trusted_proxies=("10.0.0.5",))
    assert await _three(client) == [200, 200, 429]
    assert set(await AuditEntry.filter(actor_kind="ANONYMOUS").values_list(
        "client_address", flat=True)) == {"127.0.0.1"}


async def test_forwarded_for_is_honoured_from_a_configured_proxy(client_for):
    client = await client_for(rates=Limits(per_address=2, window=60),
                              trusted_proxies=("127.0.0.0/8",))
    assert await _three(client) == [200, 200, 200]  # three clients behind the proxy
    seen = await AuditEntry.filter(action="query:procedures").values_list("client_address", flat=True)
    assert sorted(seen) == list(SPOOFED)


def test_serve_never_lets_uvicorn_trust_forwarded_headers(monkeypatch):
    captured: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    cli.serve(cli.parser().parse_args(["serve", "--host", "127.0.0.1", "--port", "8000"]), settings())
    # uvicorn's default believes X-Forwarded-For from 127.0.0.1; ours only from TRUSTED_PROXIES
    assert captured["proxy_headers"] is False
