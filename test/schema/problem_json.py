"""Schemathesis hooks for Reckon's API (loaded through SCHEMATHESIS_HOOKS by schemathesis.test.ts)."""
import json
import re
import uuid

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


_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """A valid Idempotency-Key becomes a new one for every request, as the document asks of clients
    ("use a new key for each new request"): the generator repeats short values ("0") across different
    bodies, which the API rightly refuses (422). Replays of one key are tested in test/ops/idempotency.test.ts;
    invalid keys are left as generated, so their 400 is still checked."""
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and _IDEMPOTENCY_KEY.match(headers[name]):
            headers[name] = f"st-{uuid.uuid4()}"
    return None
