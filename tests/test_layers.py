"""The import contracts of `make lint` can fail: each rule is broken on purpose in a copy of
the code, and lint-imports must say so (a contract that cannot fail guards nothing)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("web", "schema", "demo", "resolvers", "policies", "audit", "models")
LINT = Path(sys.executable).with_name("lint-imports")

VIOLATIONS = {
    "a lower layer importing a higher one": (
        "models/text.py", "import resolvers.clock  # noqa\n", "Data flows one way"),
    "strawberry below the schema": (
        "resolvers/clock.py", "import strawberry  # noqa\n", "nothing knows GraphQL or HTTP"),
    "starlette below the schema": (
        "policies/actor.py", "import starlette.requests  # noqa\n", "nothing knows GraphQL or HTTP"),
    "the schema querying the ORM": (
        "schema/viewer.py", "from models import AdministrativeUnit  # noqa\n", "never the ORM itself"),
    "the schema importing tortoise": (
        "schema/catalogue.py", "import tortoise.queryset  # noqa\n", "never the ORM itself"),
}


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
                          cwd=tree, text=True, capture_output=True, timeout=120,
                          env={"PATH": str(LINT.parent), "PYTHONPATH": str(tree)})


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_contracts_hold_on_the_code_as_it_is(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_each_contract_fails_on_a_deliberate_violation(tree, rule):
    module, line, contract = VIOLATIONS[rule]
    target = tree / module
    original = target.read_text()
    target.write_text(original + line)
    try:
        result = lint(tree)
    finally:
        target.write_text(original)
    assert result.returncode != 0, result.stdout
    assert contract in result.stdout.split("Broken contracts")[-1], result.stdout
