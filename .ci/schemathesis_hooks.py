"""A schemathesis check for our contract: a GraphQL error is an answer (FORBIDDEN,
NOT_FOUND, BAD_USER_INPUT …); only HTTP 5xx or INTERNAL_SERVER_ERROR is a server error.
(Schemathesis' own GraphQL check counts every resolver error as a server failure.)"""

from __future__ import annotations

import schemathesis


@schemathesis.check
def no_internal_error(ctx, response, case):  # noqa: ANN001, ARG001
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return None
    for item in body if isinstance(body, list) else [body]:
        for error in (item.get("errors") or []) if isinstance(item, dict) else []:
            if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR":
                raise AssertionError(f"internal error: {error.get('message')}")
    return None
