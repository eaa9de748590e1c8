"""Cells of exported spreadsheets (the audit CSV, the weekly report as CSV and XLSX) that a
spreadsheet program could take for a formula are written as text.

Data in these files comes from callers: a login name, a request id, a reason, a unit name.
A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP, "CSV
Injection"), or `|` and `%` (DDE and macro forms), possibly after blanks, would be evaluated
on opening; so would the full-width forms some input methods type. Such a cell is prefixed
with `'`, which spreadsheet programs read as "this is text". Numbers stay numbers.
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r\n|%＝＋－＠")


def neutral(value: object) -> object:
    """`value` as it may go into a spreadsheet cell: text that could be a formula gets `'`."""
    if isinstance(value, str) and value and (value[0] in TRIGGERS or value.lstrip()[:1] in TRIGGERS):
        return "'" + value
    return value
