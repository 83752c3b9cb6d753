"""Schemathesis hooks for Reckon's API (loaded through SCHEMATHESIS_HOOKS by schemathesis.test.ts)."""
import json

import schemathesis


@schemathesis.check
def client_errors_are_problem_json(ctx, response, case):
    """Every 4xx answer is application/problem+json (RFC 9457) with type, title, status and detail."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{response.status_code} answered with Content-Type {content_type!r}, not application/problem+json")
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} problem body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code} problem body is not an object")
    missing = [k for k in ("type", "title", "status", "detail") if k not in body]
    if missing:
        raise AssertionError(f"{response.status_code} problem body lacks {', '.join(missing)}")
    if body["status"] != response.status_code:
        raise AssertionError(f"problem status {body['status']} differs from the HTTP status {response.status_code}")
    return None
