"""The pages the app serves itself: the inspector console (in production too) and GraphiQL
(development only), each with its own Content-Security-Policy, from this server's files only."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from graphql import parse, validate

from schema import schema
from tests.graphql import execute
from tests.world import build_world
from web import ide
from web.assets import PAGE_CSP

HTML = {"accept": "text/html"}


async def test_console_is_served_in_production_with_its_own_policy(db, client_for):
    client = await client_for(production=True)
    page = await client.get("/console/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    # the page's policy replaces the production default (default-src 'none'), not added to it
    assert page.headers.get_list("content-security-policy") == [PAGE_CSP]
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert page.headers["x-frame-options"] == "DENY"
    assert '<script type="module" src="app.js"></script>' in page.text
    assert "<script>" not in page.text  # nothing inline for the policy to allow
    script = await client.get("/console/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert (await client.get("/console/console.css")).headers["content-type"].startswith("text/css")


async def test_console_default_policy_stays_on_json(db, client_for):
    client = await client_for(production=True)
    answer = await client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert answer.headers["cache-control"] == "no-store"


async def test_console_file_unchanged_is_not_sent_again(db, client_for):
    client = await client_for()
    first = await client.get("/console/app.js")
    again = await client.get("/console/app.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_console_paths_outside_its_folder_are_not_found(db, client_for):
    client = await client_for()
    for path in ("/console/%2e%2e/assets.py", "/console/..%2fassets.py", "/console/..%2f..%2fapp.py",
                 "/console/%2fetc%2fpasswd", "/console/nothing.js", "/console/a%00b"):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_graphiql_is_off_in_production(db, client_for):
    client = await client_for(production=True)
    page = await client.get("/graphql", headers=HTML)
    assert "GraphiQL" not in page.text
    assert (await client.get("/graphiql/page.js")).status_code == 404


async def test_graphiql_loads_only_this_servers_files(db, client_for):
    client = await client_for()
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200 and page.headers.get_list("content-security-policy") == [PAGE_CSP]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(("/graphiql/", "/console/", "data:")) for s in sources), sources
    for source, integrity in re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', page.text):
        served = await client.get(source)
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        digest = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert integrity == f"sha384-{digest}", source


async def test_graphiql_examples_are_in_the_page_and_valid(db):
    examples = ide.examples()
    assert [e.name for e in examples][:2] == ["01-catalogue", "02-track-dossier"]
    for example in examples:
        assert validate(schema._schema, parse(example.query)) == [], example.name
        if example.variables:
            assert isinstance(json.loads(example.variables), dict), example.name
    block = ide.GraphiQLPage().html.split('id="examples">')[1].split("</script>")[0]
    assert [e["query"] for e in json.loads(block)] == [e.query for e in examples]


async def test_graphiql_first_example_runs_for_anyone(db):
    await build_world()
    from policies import Actor, ActorKind

    result = await execute(ide.examples()[0].query, Actor(kind=ActorKind.ANONYMOUS))
    assert result.errors == []
    assert result.data["administrativeUnits"][0]["code"] == "49"
