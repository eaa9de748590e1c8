"""The rows of a reorganisation plan, from a CSV file or the API, checked one by one.

A row says what one unit in force the day before `effective_date` becomes:
`old_code,new_code,effective_date[,new_name,new_parent_code,new_level,new_kind,dossier_rule,note]`.
An empty `new_code` abolishes the unit; an empty `old_code` creates one (a unit whose
predecessors are outside this system). Several rows with one `new_code` merge; several rows
with one `old_code` split it (`dossier_rule` says where its dossiers go: `default`, or
`address:Khóm 1|Khóm 2`). Errors name the line, so a bad file changes nothing and says where.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from models import UnitKind, UnitLevel
from models.errors import BadInput
from models.text import fold
from resolvers import validation

REQUIRED = ("old_code", "new_code", "effective_date")
OPTIONAL = ("new_name", "new_parent_code", "new_level", "new_kind", "dossier_rule", "note")
CODE = re.compile(r"^\d{1,16}$")
MAX_ROWS = 20_000  # the whole country is about 13,000 units
EARLIEST = date(1900, 1, 1)  # older history is not this system's


class PlanError(BadInput):
    """A plan refused as a whole; the message starts with the line at fault."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}", field=where)


@dataclass(frozen=True)
class PlanRow:
    where: str  # "line 7" in a file, "rows[6]" in the API
    old_code: str | None
    new_code: str | None
    effective_date: date
    new_name: str | None = None
    new_parent_code: str | None = None
    new_level: UnitLevel | None = None
    new_kind: UnitKind | None = None
    dossier_rule: str | None = None
    note: str | None = None

    def key(self) -> dict[str, str]:
        """The row as plain text, without where it came from (stored with the plan)."""
        values = asdict(self)
        values.pop("where")
        return {k: str(v) if v is not None else "" for k, v in values.items()}


def fingerprint(rows: Iterable[PlanRow]) -> str:
    """The same rows (in any order, notes aside) give the same fingerprint."""
    keys = sorted(json.dumps({k: v for k, v in row.key().items() if k != "note"}, sort_keys=True)
                  for row in rows)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def _code(value: str | None, where: str, column: str) -> str | None:
    if value is None or not value.strip():
        return None
    if not CODE.match(value.strip()):
        raise PlanError(where, f"{column} {value!r} is not a unit code (digits)")
    return value.strip()


def _enum(kind: type[UnitLevel] | type[UnitKind], value: str | None, where: str, column: str):
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip().upper())
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise PlanError(where, f"{column} {value!r} is not one of {allowed}") from None


def _text(value: str | None, where: str, column: str, max_length: int) -> str | None:
    try:
        return validation.text(value, field=column, max_length=max_length, required=False)
    except BadInput as error:
        raise PlanError(where, error.message) from None


def rule_terms(rule: str | None) -> tuple[str, ...] | None:
    """The folded address terms of an `address:` rule; None for `default` or no rule."""
    if rule is None or rule == "default":
        return None
    return tuple(fold(t) for t in rule.removeprefix("address:").split("|") if t.strip())


def make_row(where: str, values: dict[str, str | None]) -> PlanRow:
    """One row from its raw values, or PlanError naming `where`."""
    raw_date = (values.get("effective_date") or "").strip()
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        raise PlanError(where, f"effective_date {raw_date!r} is not a date (YYYY-MM-DD)") from None
    if day < EARLIEST:
        raise PlanError(where, f"effective_date must be on or after {EARLIEST}")
    row = PlanRow(
        where=where,
        old_code=_code(values.get("old_code"), where, "old_code"),
        new_code=_code(values.get("new_code"), where, "new_code"),
        effective_date=day,
        new_name=_text(values.get("new_name"), where, "new_name", 200),
        new_parent_code=_code(values.get("new_parent_code"), where, "new_parent_code"),
        new_level=_enum(UnitLevel, values.get("new_level"), where, "new_level"),
        new_kind=_enum(UnitKind, values.get("new_kind"), where, "new_kind"),
        dossier_rule=_text(values.get("dossier_rule"), where, "dossier_rule", 500),
        note=_text(values.get("note"), where, "note", 1000),
    )
    if row.old_code is None and row.new_code is None:
        raise PlanError(where, "old_code and new_code are both empty")
    if row.new_code is None and any((row.new_name, row.new_parent_code, row.new_level,
                                     row.new_kind, row.dossier_rule)):
        raise PlanError(where, "an abolished unit (empty new_code) takes no new_* values")
    rule = row.dossier_rule
    if rule is not None and rule != "default" and not (rule.startswith("address:") and rule_terms(rule)):
        raise PlanError(where, f"dossier_rule {rule!r} must be 'default' or 'address:TERM|TERM…'")
    if row.new_kind is not None and row.new_level is not None and row.new_kind.level is not row.new_level:
        raise PlanError(where, f"new_kind {row.new_kind.value} is not of level {row.new_level.value}")
    return row


def parse_csv(text: str) -> list[PlanRow]:
    """Rows of a CSV file with a header line; blank lines and lines starting with # are skipped."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise PlanError("line 1", f"missing column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise PlanError("line 1", f"unknown column(s) {', '.join(unknown)}")
    rows = []
    for values in reader:
        where = f"line {reader.line_num}"
        cells = {k.strip(): v for k, v in values.items() if k is not None}
        if None in values:
            raise PlanError(where, "more cells than columns")
        if not any((v or "").strip() for v in cells.values()):
            continue
        if (cells.get(header[0]) or "").lstrip().startswith("#"):
            continue
        rows.append(make_row(where, cells))
        if len(rows) > MAX_ROWS:
            raise PlanError(where, f"a plan holds at most {MAX_ROWS} rows")
    if not rows:
        raise PlanError("line 1", "the plan has no rows")
    return rows
