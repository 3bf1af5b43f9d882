"""The one place that maps errors to HTTP: RFC 9457 problem+json with a stable `code`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from tvers.kernel.errors import (
    Conflict,
    ExternalFailure,
    InvalidInput,
    NotAllowed,
    NotFound,
    TversError,
    Unauthenticated,
)

PROBLEM_JSON = "application/problem+json"

STATUS_BY_KIND: tuple[tuple[type[TversError], int], ...] = (
    (NotFound, 404),
    (InvalidInput, 422),
    (Conflict, 409),
    (NotAllowed, 403),
    (Unauthenticated, 401),
    (ExternalFailure, 502),
)

TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    402: "Payment declined",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
    502: "Upstream failure",
}


def problem(
    status: int,
    *,
    code: str,
    detail: str,
    fields: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://tvers.dev/problems/{code.replace('_', '-')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if fields:
        body["errors"] = fields
    body.update(extra or {})
    return Response(json.dumps(body, default=str), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_domain(error: TversError) -> Response:
    status = next((s for kind, s in STATUS_BY_KIND if isinstance(error, kind)), 500)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    fields = [{"field": f.field, "message": f.message, "code": f.code} for f in error.fields]
    return problem(status, code=error.code, detail=error.message, fields=fields, extra=dict(error.context), headers=headers)


def from_validation(error: RequestValidationError) -> Response:
    """Pydantic's errors, as dotted field paths; a body that is not JSON at all is a 400."""
    errors = error.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, code="malformed_json", detail="the request body is not valid JSON")
    fields = [{"field": _path(e.get("loc", ())), "message": str(e.get("msg", "")), "code": str(e.get("type", "invalid"))} for e in errors]
    return problem(422, code="invalid_input", detail="; ".join(f"{f['field']}: {f['message']}" for f in fields[:5]), fields=fields)


def from_http(error: HTTPException) -> Response:
    code = {404: "route_not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return problem(error.status_code, code=code, detail=str(error.detail))


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] or parts
    return ".".join(parts)


def known_error_response(error: Exception) -> Response | None:
    if isinstance(error, TversError):
        return from_domain(error)
    if isinstance(error, RequestValidationError):
        return from_validation(error)
    if isinstance(error, HTTPException):
        return from_http(error)
    return None


def install(app: Any) -> None:
    async def handle(_request: Request, error: Exception) -> Response:
        response = known_error_response(error)
        assert response is not None
        return response

    for kind in (TversError, RequestValidationError, HTTPException):
        app.add_exception_handler(kind, handle)
