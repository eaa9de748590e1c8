"""Structured logs: one JSON object per line on stderr, for the process and for uvicorn.

Each request (and each WebSocket connection, when it closes) is one line from the logger
`motcua.request` with its fields beside the message: request id, route, method, status,
operation names and type, the caller's id (user name, `partner:<id>`, or `anonymous`) and
home unit code, the outcome (OK or the first error code) and the duration. Nothing from the
request's body, variables or query string is logged, so no applicant's name, ID number,
phone or address reaches the log; the client address is in the audit trail, not here.

As a second line of defence, messages and tracebacks are scrubbed of digit runs that look
like ID numbers or phone numbers (a driver's error can quote a value).
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import re
from datetime import UTC, datetime
from typing import Any

import orjson

# 9 or more digits, alone or in groups (0905 123 456, +84 905-123-456): ID and phone numbers.
_NUMBER = re.compile(r"(?<![\w.:/-])\+?\d(?:[ .-]?\d){8,}(?![\w])")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _NUMBER.sub(REDACTED, text)


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "pid", …fields}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "pid": os.getpid(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        try:  # orjson: one line per request, several times faster than json.dumps
            return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:  # what orjson cannot write (an integer beyond 64 bits): no line lost
            return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal (LOG_FORMAT=text): the same fields, scrubbed the same way."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        suffix = " " + " ".join(f"{k}={v}" for k, v in fields.items()) if isinstance(fields, dict) else ""
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {redact(record.getMessage())}"
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line + suffix


def config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the app and uvicorn (uvicorn applies it in each
    worker); uvicorn's access log is off: `motcua.request` replaces it."""
    formatter = "web.logs.JsonFormatter" if fmt == "json" else "web.logs.TextFormatter"
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": {"()": formatter}},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # The ORM logs every statement with its values at DEBUG: never below INFO.
            "tortoise": {"handlers": [], "level": max(logging.INFO, logging.getLevelName(level)),
                         "propagate": True},
        },
    }


def configure(level: str = "INFO", fmt: str = "json") -> None:
    logging.config.dictConfig(config(level, fmt))
