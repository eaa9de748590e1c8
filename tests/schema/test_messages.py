"""Error messages in Vietnamese or English by Accept-Language; the codes never change."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from schema.messages import language, translate

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {"BadInput", "NotFound", "Conflict", "Forbidden", "Unauthenticated", "RateLimited",
          "DomainError", "Refusal"}
LIST = "query($f: DossierFilter) { dossiers(filter: $f) { totalCount } }"


@pytest.mark.parametrize(("header", "expected"), [
    (None, "en"), ("", "en"), ("vi", "vi"), ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
    ("en-US,en;q=0.9,vi;q=0.8", "en"), ("fr,vi;q=0.5", "vi"), ("fr, de", "en"),
    ("vi;q=0.2,en;q=0.9", "en"), ("vi;q=abc", "vi"), ("*", "en"),
])
def test_language_is_the_supported_one_preferred_most(header, expected):
    assert language(header) == expected


def _raised_messages() -> list[tuple[str, str]]:
    """Every message a use case, the guard or the edge raises, with sample values for its
    varying parts (a digit, which every shape's groups accept)."""
    found = []
    for folder in ("resolvers", "policies", "models", "web", "schema"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS
                        and node.args):
                    continue
                first = node.args[-1] if getattr(node.func, "id", "") == "Refusal" else node.args[0]
                if getattr(node.func, "id", "") == "Refusal":
                    first = node.args[2] if len(node.args) > 2 else first
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((f"{path.name}:{node.lineno}", first.value))
                elif isinstance(first, ast.JoinedStr):
                    sample = "".join(p.value if isinstance(p, ast.Constant) else "7"
                                     for p in first.values)
                    found.append((f"{path.name}:{node.lineno}", sample))
    return found


def test_every_raised_message_has_its_vietnamese_wording():
    missing = [(where, text) for where, text in _raised_messages()
               if translate(text, "vi") == text]
    assert missing == []


async def test_graphql_errors_answer_in_the_language_asked(province_with_clerk, client_for):
    client = await client_for()
    token = (await client.post("/graphql", json={"query": 'mutation { login(username: "lan", '
                               'password: "mat-khau-12345") { accessToken } }'})).json()
    headers = {"authorization": f"Bearer {token['data']['login']['accessToken']}"}
    body = {"query": LIST, "variables": {"f": {"unitCode": "99999"}}}
    english = (await client.post("/graphql", json=body, headers=headers)).json()["errors"][0]
    vietnamese = (await client.post("/graphql", json=body, headers={
        **headers, "accept-language": "vi-VN,vi;q=0.9"})).json()["errors"][0]
    assert english["message"] == "unknown unit '99999'"
    assert vietnamese["message"] == "không có đơn vị '99999'"
    assert english["extensions"] == vietnamese["extensions"] == {
        "code": "BAD_USER_INPUT", "field": "filter.unitCode"}


async def test_refusals_at_the_edge_answer_in_the_language_asked(client_for, db):
    client = await client_for()
    refused = await client.post("/graphql", json={"query": "{ me { username } }"},
                                headers={"authorization": "Bearer x.y.z", "accept-language": "vi"})
    assert refused.status_code == 401
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == "token sai định dạng"
