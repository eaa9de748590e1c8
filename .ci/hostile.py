"""Hostile requests against a live server, beyond what schemathesis derives from the schema:
fragment tricks, variable and JSON edge cases, Unicode, odd headers and bodies. Every answer
must come within a second, without HTTP 5xx and without INTERNAL_SERVER_ERROR.

    python .ci/hostile.py http://127.0.0.1:8000 [--token ACCESS_TOKEN]

Exits 1 listing each failure. Run by .ci/fuzz, anonymous and as the demo administrator.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

SLOW = 1.0  # seconds: an idle server answers everything within this
GIVE_UP = 10.0  # seconds: no answer by then is a failure; the server is then probed


@dataclass
class Case:
    name: str
    body: bytes | None = None  # raw POST body (JSON unless `content_type` says otherwise)
    params: dict[str, str] | None = None  # GET /graphql?…
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    path: str = "/graphql"


def post(name: str, query: Any = None, variables: Any = None, **extra: Any) -> Case:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    payload.update(extra.pop("payload", {}))
    return Case(name, body=json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"),
                **extra)


def fragments() -> Iterator[Case]:
    leaf = "procedures(first: 100) { edges { node { code name documents } } }"
    # "Billion laughs": each level spreads the one below ten times.
    levels = [f"fragment F0 on Query {{ {leaf} }}"]
    for i in range(1, 9):
        levels.append(f"fragment F{i} on Query {{ " + " ".join(f"...F{i - 1}" for _ in range(10)) + " }")
    wide = "fragment W on Query { " + " ".join(f"a{i}: __typename" for i in range(25)) + " }"
    yield post("one fragment spread many times", "{ " + "...W " * 500 + "} " + wide)
    yield post("fragment cycle", "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    yield post("self-spreading fragment", "{ ...A } fragment A on Query { __typename ...A }")
    yield post("undefined fragment", "{ ...Nope }")
    yield post("fragment on a wrong type", "{ ...P } fragment P on Procedure { code }")
    yield post("unused fragments", "{ __typename } " + " ".join(
        f"fragment U{i} on Query {{ __typename }}" for i in range(300)))
    yield post("deep inline fragments", "{ " + "... on Query { " * 200 + "__typename" + " }" * 201)
    yield post("nested fragments through lists", "{ ...D } fragment D on Query { dossiers(first: 100) "
               "{ edges { node { events { actor { username } } procedure { ...P } } } } } "
               "fragment P on Procedure { code documents }")
    yield post("directive on fragment with a missing variable",
               "{ ...A @include(if: $x) } fragment A on Query { __typename }")
    yield post("many operations, one chosen", " ".join(f"query Q{i} {{ __typename }}" for i in range(500)),
               payload={"operationName": "Q499"})
    yield post("operation name that does not exist", "query A { __typename }",
               payload={"operationName": "B"})
    # Last: a server that cannot refuse it stays busy, and every later case would time out.
    yield post("fragment explosion", "query { ...F8 } " + " ".join(levels))


def documents() -> Iterator[Case]:
    yield post("deeply nested selections", "{ " + "me { " * 3000 + "username" + " }" * 3001)
    yield post("deeply nested list literal", "{ procedure(code: " + "[" * 5000 + "]" * 5000 + ") { code } }")
    yield post("deeply nested object literal", "{ dossiers(filter: " + "{a: " * 3000 + "1"
               + "}" * 3000 + ") { totalCount } }")
    yield post("ten thousand aliases", "{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }")
    yield post("a field repeated", "{ " + "__typename " * 20_000 + "}")
    yield post("many directives", "{ __typename " + "@skip(if: false) " * 5000 + "}")
    yield post("huge string literal", '{ procedure(code: "' + "x" * 900_000 + '") { code } }')
    yield post("huge int literal", "{ procedures(first: " + "9" * 5000 + ") { totalCount } }")
    yield post("huge float literal", "{ procedures(first: 1e308000) { totalCount } }")
    yield post("block string with escapes", '{ procedure(code: """' + '\\"""' * 1000 + '""") { code } }')
    yield post("unterminated string", '{ procedure(code: "x) { code } }')
    yield post("null byte in a document", "{ __typename \u0000 }")
    yield post("BOM and odd whitespace", "\ufeff{\u2028__typename\u00a0}")
    yield post("non-ASCII field name", "{ thủTục { mã } }")
    yield post("empty document", "")
    yield post("comment only", "# nothing here")
    yield post("query is not a string", 42)
    yield post("query is an object", {"query": "{ __typename }"})
    yield post("no query at all", None)
    yield post("subscription", "subscription { __typename }")
    yield post("introspection of every type, deep", "{ __schema { types { fields { type { ofType { "
               "ofType { ofType { ofType { name } } } } } } } }")


def variables() -> Iterator[Case]:
    find = "query($c: String!) { procedure(code: $c) { code } }"
    page = "query($n: Int) { procedures(first: $n) { totalCount } }"
    dossiers = "query($f: DossierFilter) { dossiers(filter: $f) { totalCount } }"
    verdict = ("mutation($id: ID!) { recordComplaintSatisfaction(feedbackId: $id, satisfied: true, "
               'secret: "x") { feedback { id } } }')
    receive = "mutation($i: ReceiveDossierInput!) { receiveDossier(input: $i) { dossier { code } } }"
    yield post("variables not an object", find, ["a", "b"])
    yield post("variables a string", find, "c=1")
    yield post("null for a non-null variable", find, {"c": None})
    yield post("object for a string", find, {"c": {"a": 1}})
    yield post("list for a string", find, {"c": ["1.001193"]})
    yield post("string with NUL", find, {"c": "1.001\u0000193"})
    yield post("lone surrogate", find, {"c": "\ud800"})
    yield post("right-to-left override", find, {"c": "\u202e391100.1"})
    yield post("zero-width joiners", find, {"c": "1.001\u200d193\u200b"})
    yield post("combining marks pile", find, {"c": "a" + "\u0301" * 10_000})
    yield post("emoji and astral planes", find, {"c": "🏛️📄" * 1000 + "\U0010ffff"})
    yield post("a megabyte-ish string", find, {"c": "x" * 900_000})
    yield post("int beyond 64 bits", page, {"n": 2 ** 70})
    yield post("negative page", page, {"n": -1})
    yield post("float for an int", page, {"n": 1.5})
    yield post("NaN for an int", page, payload={"variables": {"n": float("nan")}})
    yield Case("Infinity in JSON", body=b'{"query": "query($n: Int) { procedures(first: $n) '
                                        b'{ totalCount } }", "variables": {"n": Infinity}}')
    yield post("boolean for an int", page, {"n": True})
    yield post("unknown variables", find, {"c": "x", "extra": [1, 2, 3]})
    yield post("undeclared variable used", "{ procedure(code: $c) { code } }", {"c": "x"})
    yield post("impossible dates", dossiers, {"f": {"receivedFrom": "2026-02-30"}})
    yield post("far dates", dossiers, {"f": {"receivedFrom": "+275760-09-13T00:00:00Z",
                                            "receivedTo": "0000-01-01"}})
    yield post("offset beyond a day", dossiers, {"f": {"receivedFrom": "2026-01-01T00:00:00+25:00"}})
    yield post("enum typo in a list", dossiers, {"f": {"status": ["RECIEVED", None, 3]}})
    yield post("filter with ten thousand statuses", dossiers, {"f": {"status": ["NEW"] * 10_000}})
    yield post("LIKE metacharacters", dossiers, {"f": {"search": "%_\\%" * 30}})
    yield post("ID as huge number", verdict, {"id": "9" * 400})
    yield post("ID as float text", verdict, {"id": "1e309"})
    yield post("ID as number", verdict, {"id": 12})
    yield post("input with unknown and missing fields", receive, {"i": {"x": 1}})
    yield post("input with huge nesting", receive, {"i": {"applicant": {"name": [[[["a"]]]]}}})
    yield Case("variables nested beyond the JSON parser's depth",
               body=b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"1"
               + b"]" * 100_000 + b"}}")
    yield post("cursor garbage", "query($a: String) { procedures(after: $a) { totalCount } }",
               {"a": "\u0000' OR 1=1 --"})
    yield post("cursor base64 of JSON", "query($a: String) { dossiers(after: $a) { totalCount } }",
               {"a": "eyJ0IjogImRvc3NpZXIiLCAiayI6IHsiJGd0IjogMX19"})


def bodies_and_headers() -> Iterator[Case]:
    ok = json.dumps({"query": "{ __typename }"}).encode()
    yield Case("empty batch", body=b"[]")
    yield Case("batch of six", body=json.dumps([{"query": "{ __typename }"}] * 6).encode())
    yield Case("batch of non-objects", body=b"[1, \"x\", null]")
    yield Case("batch nested", body=json.dumps([[{"query": "{ __typename }"}]]).encode())
    yield Case("invalid UTF-8", body=b'{"query": "{ __typename \xff\xfe }"}')
    yield Case("UTF-16 body", body='{"query": "{ __typename }"}'.encode("utf-16"))
    yield Case("trailing garbage", body=ok + b"}}}")
    yield Case("duplicate keys", body=b'{"query": "{ __typename }", "query": 1}')
    yield Case("JSON charset oddity", body=ok, content_type="application/json; charset=latin-9")
    yield Case("form post", body=b"query=%7B__typename%7D", content_type="application/x-www-form-urlencoded")
    yield Case("body too large", body=b'{"query": "' + b"x" * 1_100_000 + b'"}')
    for value in ("Bearer", "Bearer " + "a" * 10_000, "Bearer a.b.c", "Bearer mcp_", "Bearer mcp_x.",
                  "Bearer mcp_" + "z" * 500 + ".y", "Basic YWRtaW46ZGVtby1hZG1pbg==",
                  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "bearer  \t x"):
        yield Case(f"Authorization {value[:24]!r}", body=ok, headers={"authorization": value})
    yield Case("Authorization non-ASCII", body=ok, headers={"authorization": "Bearer tôken".encode()})
    yield Case("X-Request-Id formula", body=ok, headers={"x-request-id": "=cmd|' /C calc'!A0"})
    yield Case("X-Request-Id huge", body=ok, headers={"x-request-id": "r" * 8000})
    yield Case("X-Forwarded-For garbage", body=ok, headers={"x-forwarded-for": "::::, 999.1.1.1, <x>"})
    yield Case("X-Forwarded-For long chain", body=ok, headers={"x-forwarded-for": ", ".join(
        f"10.0.{i // 256}.{i % 256}" for i in range(2000))})
    yield Case("GET huge query", params={"query": "{ " + "__typename " * 3000 + "}"})
    yield Case("GET mutation", params={"query": "mutation { logout }"})
    yield Case("GET without query", params={})
    yield Case("GET variables not JSON", params={"query": "query($c: String!) { procedure(code: $c) "
                                                          "{ code } }", "variables": "{nope"})
    yield Case("export with odd dates", path="/audit/export.csv",
               params={"from": "2026-13-45", "to": "\u0000", "outcome": "MAYBE"})
    yield Case("weekly report with odd unit", path="/reports/weekly.xlsx",
               params={"unitCode": "=1+2", "weekEnding": "9999-12-31"})
    yield Case("unknown path", path="/graphql/../../etc/passwd", params={})


def _send(client: httpx.Client, case: Case, auth: dict[str, str]) -> httpx.Response:
    headers = {**auth, **case.headers}
    if case.body is not None:
        return client.post(case.path, content=case.body,
                           headers={"content-type": case.content_type, **headers})
    return client.get(case.path, params=case.params, headers=headers)


def _alive(client: httpx.Client) -> bool:
    try:
        return client.get("/health", timeout=GIVE_UP).status_code == 200
    except httpx.HTTPError:
        return False


def run(base: str, token: str | None, skip: list[str], verbose: bool) -> list[str]:
    """Send every case; a failure is a 5xx, INTERNAL_SERVER_ERROR, or an answer later than
    SLOW. A case left unanswered after GIVE_UP stops the run if the server stays busy."""
    failures = []
    auth = {"authorization": f"Bearer {token}"} if token else {}
    cases = [c for c in (*fragments(), *documents(), *variables(), *bodies_and_headers())
             if not any(s in c.name for s in skip)]
    # the fragment explosion goes last of all (see fragments())
    cases.sort(key=lambda c: c.name == "fragment explosion")
    sent = 0
    with httpx.Client(base_url=base, timeout=GIVE_UP) as client:
        if token and not (client.post("/graphql", json={"query": "{ me { username } }"},
                                      headers=auth).json().get("data") or {}).get("me"):
            return ["the token is not accepted: every case would only test the 401"]
        for case in cases:
            sent += 1
            started = time.perf_counter()
            try:
                response = _send(client, case, auth)
            except httpx.HTTPError as error:
                failures.append(f"{case.name}: no answer within {GIVE_UP:.0f} s "
                                f"({type(error).__name__})")
                if not _alive(client):
                    failures.append(f"the server stopped answering after {case.name!r}; "
                                    f"{len(cases) - sent} cases not sent")
                    break
                continue
            elapsed = time.perf_counter() - started
            if verbose:
                print(f"{elapsed:6.3f} s  {response.status_code}  {case.name}")
            if response.status_code >= 500:
                failures.append(f"{case.name}: HTTP {response.status_code} {response.text[:200]}")
            elif "INTERNAL_SERVER_ERROR" in response.text:
                failures.append(f"{case.name}: INTERNAL_SERVER_ERROR {response.text[:200]}")
            if elapsed > SLOW:
                failures.append(f"{case.name}: answered in {elapsed:.2f} s")
    print(f"hostile requests: {sent} sent{' with a token' if token else ''}, "
          f"{len(failures)} failures")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", help="an access token to send with every request")
    parser.add_argument("--skip", action="append", default=[], help="skip cases whose name has this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each case's time")
    args = parser.parse_args()
    failures = run(args.base.rstrip("/"), args.token, args.skip, args.verbose)
    for failure in failures:
        print("  " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
