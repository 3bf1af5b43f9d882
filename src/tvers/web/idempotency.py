"""A route class that makes POSTs with an `Idempotency-Key` safe to retry (ADR 0003)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tvers.bootstrap import Tvers
from tvers.channels.api_keys import authenticate
from tvers.db import idempotency
from tvers.kernel.errors import TversError
from tvers.web.principals import remember_principal
from tvers.web.problems import known_error_response, problem

WAIT_FOR_FIRST = 15.0  # seconds a concurrent retry waits for the first request to finish
POLL = 0.05


class IdempotentRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            refused = await refuse_unreadable(request)
            if refused is not None:
                return refused
            key = request.headers.get("idempotency-key")
            if request.method != "POST" or key is None:
                return await original(request)
            if not 1 <= len(key) <= 255:
                return problem(422, code="invalid_idempotency_key", detail="Idempotency-Key must be 1 to 255 characters")
            fingerprint = _fingerprint(request, await request.body())
            verified = await run_in_threadpool(_verify_and_claim, request, key, fingerprint)
            if verified is None:  # not authenticated: the route itself refuses it
                return await original(request)
            principal, claim = verified
            return await _idempotent(request, original, principal=principal, key=key, fingerprint=fingerprint, claim=claim)

        return handler


async def refuse_unreadable(request: Request) -> Response | None:
    """One check at the edge: a body that is not UTF-8, or U+0000 anywhere, never reaches a service.

    PostgreSQL text cannot hold U+0000 and SQLite would store it, so the two databases would disagree.
    """
    if "\x00" in request.url.path or "%00" in request.url.query.lower() or "\x00" in request.headers.get("idempotency-key", ""):
        return problem(400, code="nul_character", detail="the request contains a NUL character (U+0000)")
    body = await request.body()
    if not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, code="malformed_json", detail="the request body is not UTF-8")
    if "\x00" in text or "\\u0000" in text:
        return problem(422, code="nul_character", detail="the request body contains a NUL character (U+0000)")
    return None


async def _idempotent(request: Request, original: Callable[[Request], Awaitable[Response]], *, principal: str, key: str,
                      fingerprint: str, claim: idempotency.ClaimResult) -> Response:
    tvers: Tvers = request.app.state.tvers
    if isinstance(claim, idempotency.InProgress):
        claim = await _wait_for_first(tvers, principal=principal, key=key, fingerprint=fingerprint)
    if isinstance(claim, idempotency.Replay):
        return Response(claim.body, status_code=claim.status_code, media_type=claim.content_type, headers={"Idempotent-Replayed": "true"})
    if isinstance(claim, idempotency.Mismatch):
        return problem(409, code="idempotency_key_reused", detail="this Idempotency-Key was used with a different request")
    if isinstance(claim, idempotency.InProgress):
        return problem(409, code="idempotency_key_in_use", detail="a request with this Idempotency-Key is still running")
    return await _run_claimed(tvers, request, original, principal=principal, key=key)


async def _run_claimed(
    tvers: Tvers, request: Request, original: Callable[[Request], Awaitable[Response]], *, principal: str, key: str
) -> Response:
    try:
        response = await original(request)
    except Exception as error:
        known = known_error_response(error)
        if known is None:
            await run_in_threadpool(idempotency.release, tvers.db, principal=principal, key=key)
            raise
        response = known
    if response.status_code >= 500 or not hasattr(response, "body"):
        await run_in_threadpool(idempotency.release, tvers.db, principal=principal, key=key)
        return response
    await run_in_threadpool(
        idempotency.complete,
        tvers.db,
        principal=principal,
        key=key,
        status_code=response.status_code,
        content_type=response.media_type or "application/json",
        body=bytes(response.body),
    )
    return response


async def _wait_for_first(tvers: Tvers, *, principal: str, key: str, fingerprint: str) -> idempotency.ClaimResult:
    waited = 0.0
    while waited < WAIT_FOR_FIRST:
        await asyncio.sleep(POLL)
        waited += POLL
        record = await run_in_threadpool(idempotency.stored, tvers.db, principal=principal, key=key)
        if record is None:  # the first request failed and let go: take the key over
            return await run_in_threadpool(
                idempotency.claim,
                tvers.db,
                principal=principal,
                key=key,
                fingerprint=fingerprint,
                now=tvers.clock.now(),
                ttl=timedelta(hours=tvers.settings.idempotency_ttl_hours),
            )
        if record.fingerprint != fingerprint:
            return idempotency.Mismatch()
        if record.status_code is not None and record.body is not None:
            return idempotency.Replay(record.status_code, record.content_type or "application/json", record.body)
    return idempotency.InProgress()


def _verify_and_claim(request: Request, key: str, fingerprint: str) -> tuple[str, idempotency.ClaimResult] | None:
    """Idempotency keys are scoped to the caller, so only a verified API key may replay: the key is checked and the claim
    made in one short transaction; the verified caller is kept on the request, so the route's own check reads no more."""
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header.removeprefix("Bearer ").strip()
    tvers: Tvers = request.app.state.tvers
    with tvers.uow() as uow:
        try:
            principal = authenticate(uow, token)
        except TversError:
            return None
        claim = idempotency.claim_in(uow.session, principal=principal.key_id, key=key, fingerprint=fingerprint,
                                     now=tvers.clock.now(), ttl=timedelta(hours=tvers.settings.idempotency_ttl_hours))
        uow.commit()
    remember_principal(request, token, principal)
    return principal.key_id, claim


def _fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()
