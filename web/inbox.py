"""The signed endpoints other hubs call: submissions from an origin, decisions from the
higher-level centre an outlet delivers to. Both verify the Standard Webhooks signature with the
secret exchanged when the two hubs were configured; anything unsigned, badly signed or from an
unknown sender is 401, the same answer, so nothing tells who is configured."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from events.delivery import Delivery
from events.errors import DomainError
from events.roles import SYSTEM_ACTOR
from events.submission import submission_id
from hub.commands.outlets import RecordDecision
from hub.commands.submissions import ReceiveSubmission, WithdrawSubmission
from hub.delivery.signing import WebhookVerificationError, verified
from hub.errors import AlreadyExists, HubError, NotFound
from hub.newsroom import Newsroom
from hub.newsroom import Request as Command
from web.runtime import runtime

MOST = 4 * 1024 * 1024  # bytes of one signed message


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def answer(self) -> JSONResponse:
        error = {"error": {"code": self.code, "message": self.message}}
        return JSONResponse(error, status_code=self.status)


UNSIGNED = Refused(401, "unsigned", "the message is not signed by a sender this hub knows")


async def body_of(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MOST:
            raise Refused(413, "too_large", f"a message is at most {MOST} bytes")
    return body


def signed_message(
    newsroom: Newsroom, find: Callable[[str], Any], name: str, request: Request, body: bytes
) -> tuple[Any, Any]:
    """The sender called `name` (an origin or an outlet, by `find`) and its message, once the
    message is signed with the sender's secret."""
    try:
        sender = find(name)
    except NotFound:
        raise UNSIGNED from None
    secret = newsroom.store.secret(sender.id, sender.secret_id)
    if secret is None:
        raise UNSIGNED
    try:
        verified(secret, request.headers, body)
        return sender, json.loads(body)
    except (WebhookVerificationError, ValueError):
        raise UNSIGNED from None


def system() -> Command:
    return Command(SYSTEM_ACTOR, datetime.now(UTC))


def take_submission(newsroom: Newsroom, name: str, request: Request, body: bytes) -> dict[str, Any]:
    origin, message = signed_message(newsroom, newsroom.origin, name, request, body)
    try:
        item = message["item"]
        uri, publication = str(item["uri"]), int(message["publication"])
        reply_to = str(message["reply_to"])
        action = message["action"]
    except (KeyError, TypeError, ValueError):
        raise Refused(
            422, "not_a_submission", "a submission has item, publication, reply_to and action"
        ) from None
    if not reply_to.startswith(origin.url.rstrip("/") + "/"):
        raise Refused(422, "bad_reply_to", "reply_to is not an address of the origin")
    sid = submission_id(origin.id, uri, publication)
    if action == "retract":
        note = str(item.get("ednote", ""))
        with suppress(NotFound):  # a retraction of what never arrived withdraws nothing
            newsroom.handle(system(), WithdrawSubmission(id=sid, note=note))
        return {"id": str(sid), "withdrawn": True}
    headline = next((h.get("value", "") for h in item.get("headlines", [])), "")
    body_text = next((b.get("value", "") for b in item.get("bodies", [])), "")
    command = ReceiveSubmission(
        origin=name,
        message_id=request.headers["webhook-id"],
        uri=uri,
        publication=publication,
        headline=str(headline)[:500],
        body=str(body_text),
        document=item,
        reply_to=reply_to,
    )
    try:
        newsroom.handle(system(), command)
    except AlreadyExists:
        return {"id": str(sid), "duplicate": True}
    return {"id": str(sid), "duplicate": False}


def take_decision(newsroom: Newsroom, name: str, request: Request, body: bytes) -> dict[str, Any]:
    outlet, message = signed_message(newsroom, newsroom.outlet, name, request, body)
    try:
        did = UUID(hex=str(message["message_id"]).removeprefix("msg_"))
        adopted = bool(message["adopted"])
        reason, by = str(message.get("reason", "")), str(message.get("by", ""))
    except (KeyError, TypeError, ValueError):
        raise Refused(422, "not_a_decision", "a decision has message_id and adopted") from None
    try:
        delivery = newsroom.get(Delivery, did)
    except NotFound:
        raise Refused(404, "not_found", "no such submission from this hub") from None
    if delivery.outlet != outlet.id:
        raise Refused(404, "not_found", "no such submission from this hub")
    if delivery.decision is not None:
        return {"id": str(did), "duplicate": True}
    newsroom.handle(system(), RecordDecision(id=did, adopted=adopted, reason=reason, by=by))
    return {"id": str(did), "duplicate": False}


def signed(work: Any) -> Any:
    async def handler(request: Request) -> JSONResponse:
        newsroom = runtime(request).newsroom
        name = request.path_params["name"]
        try:
            body = await body_of(request)
            answer = await run_in_threadpool(work, newsroom, name, request, body)
        except Refused as refused:
            return refused.answer()
        except (DomainError, HubError) as error:
            return Refused(409, "refused", error.message).answer()
        return JSONResponse(answer)

    handler.__name__ = work.__name__
    return handler


routes: list[BaseRoute] = [
    Route("/hooks/origins/{name}/submissions", signed(take_submission), methods=["POST"]),
    Route("/hooks/outlets/{name}/decisions", signed(take_decision), methods=["POST"]),
]
