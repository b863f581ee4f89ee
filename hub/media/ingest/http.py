"""WHIP (RFC 9725) and WHEP endpoints: thin HTTP over `MediaEngine`.

    POST   /whip/{source}            SDP offer in, 201 + SDP answer + Location out
    DELETE /whip/{source}/{session}  ends the session
    PATCH  /whip/{source}/{session}  405: no trickle ICE, the answer carries every candidate
    OPTIONS on both                  CORS preflight
    (the same under /whep/ for viewers)

Checks run cheapest first, and all of them before the engine is asked, so a refused request
changes nothing: 401 no bearer token, 404 unknown source, 401/403 from the authorizer, 415 not
application/sdp, 413 body over the limit, 400 unusable offer; then the engine's 409 (a second
publisher) or 400. Errors are JSON: {"error": {"code": ..., "message": ...}}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from aiortc import RTCIceServer
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hub.media.engine import MediaEngine
from hub.media.errors import (
    EngineClosed,
    MediaAuthError,
    MediaError,
    OfferError,
    SessionNotFound,
    SourceBusy,
    UnsupportedCodec,
)
from hub.media.ports import MediaAuthorizer

Role = Literal["whip", "whep"]
SDP_TYPE = "application/sdp"
MAX_SDP_BYTES = 64 * 1024
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Location, Link, ETag, Accept-Patch",
}
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "POST, DELETE, PATCH, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match, X-CSRF-Token",
    "Access-Control-Max-Age": "86400",
}
# Every method reaches the handlers, so that a wrong one gets a JSON 405 like any other error.
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ERRORS: dict[type[MediaError], tuple[int, str]] = {
    UnsupportedCodec: (400, "unsupported_codec"),
    OfferError: (400, "bad_offer"),
    SourceBusy: (409, "source_live"),
    SessionNotFound: (404, "no_session"),
    EngineClosed: (503, "shutting_down"),
}


class Refusal(Exception):
    """A request refused at the edge, before the engine."""

    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, headers: dict[str, str]) -> Response:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers={**CORS, **headers})


def ice_server_links(servers: tuple[RTCIceServer, ...]) -> list[str]:
    """`Link` header values announcing the configured ICE servers (RFC 9725 §4.6)."""
    links = []
    for server in servers:
        urls = [server.urls] if isinstance(server.urls, str) else server.urls
        for url in urls:
            link = f'<{url}>; rel="ice-server"'
            if server.username is not None and server.credential is not None:
                link += f'; username="{server.username}"; credential="{server.credential}"'
                link += '; credential-type="password"'
            links.append(link)
    return links


async def bearer_credentials(request: Request) -> str | None:
    """The request's bearer token (RFC 6750 §2.1), if it has one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


Credentials = Callable[[Request], Awaitable[str | None]]


def media_routes(
    engine: MediaEngine,
    authorizer: MediaAuthorizer,
    *,
    max_sdp_bytes: int = MAX_SDP_BYTES,
    credentials: Credentials = bearer_credentials,
) -> list[BaseRoute]:
    """The WHIP and WHEP routes, to mount at the application's root.

    `credentials` finds the token handed to the authorizer; by default the bearer token. A web
    app whose pages are signed in by cookie can pass one that also accepts its session.
    """
    endpoints = MediaEndpoints(engine, authorizer, max_sdp_bytes, credentials)
    return routes_to(lambda _request: endpoints)


def routes_to(find: Callable[[Request], MediaEndpoints | None]) -> list[BaseRoute]:
    """The WHIP and WHEP routes, served by whatever endpoints `find` gives for the request.

    An application that builds its engine in its lifespan declares the routes up front with this;
    while `find` gives None (no engine on this node) they answer 503.
    """

    def handler(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            endpoints = find(request)
            if endpoints is None:
                return error_response(
                    503, "no_media", "live media does not run on this hub node", {}
                )
            method: Callable[[Request], Awaitable[Response]] = getattr(endpoints, name)
            return await method(request)

        return handle

    return [
        Route("/whip/{source}", handler("whip_resource_collection"), methods=METHODS),
        Route("/whip/{source}/{session}", handler("whip_session"), methods=METHODS),
        Route("/whep/{source}", handler("whep_resource_collection"), methods=METHODS),
        Route("/whep/{source}/{session}", handler("whep_session"), methods=METHODS),
    ]


@dataclass(frozen=True)
class MediaEndpoints:
    """The request handlers, bound to one engine and one authorizer."""

    engine: MediaEngine
    authorizer: MediaAuthorizer
    max_sdp_bytes: int
    credentials: Credentials

    async def whip_resource_collection(self, request: Request) -> Response:
        return await self._guard(request, "whip", self._post)

    async def whep_resource_collection(self, request: Request) -> Response:
        return await self._guard(request, "whep", self._post)

    async def whip_session(self, request: Request) -> Response:
        return await self._guard(request, "whip", self._session)

    async def whep_session(self, request: Request) -> Response:
        return await self._guard(request, "whep", self._session)

    async def _guard(
        self,
        request: Request,
        role: Role,
        handler: Callable[[Request, Role], Awaitable[Response]],
    ) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={**PREFLIGHT, "Accept-Post": SDP_TYPE})
        try:
            return await handler(request, role)
        except Refusal as refusal:
            return error_response(refusal.status, refusal.code, refusal.message, refusal.headers)
        except MediaAuthError as exc:
            return error_response(exc.status, exc.code, exc.message, {})
        except MediaError as exc:
            status, code = next(v for k, v in ERRORS.items() if isinstance(exc, k))
            return error_response(status, code, str(exc), {})

    async def _post(self, request: Request, role: Role) -> Response:
        if request.method != "POST":
            raise Refusal(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here",
                Allow="POST, OPTIONS",
            )
        source = request.path_params["source"]
        await self._authorize(request, role, source)
        offer = await self._read_offer(request)
        if role == "whip":
            session, answer = await self.engine.publish(source, offer)
        else:
            session, answer = await self.engine.view(source, offer)
        headers = {
            **CORS,
            "Location": f"/{role}/{source}/{session}",
            "ETag": f'"{session}"',
        }
        response = Response(answer, status_code=201, media_type=SDP_TYPE, headers=headers)
        for link in ice_server_links(self.engine.config.ice_servers):
            response.headers.append("Link", link)
        return response

    async def _session(self, request: Request, role: Role) -> Response:
        source, session = request.path_params["source"], request.path_params["session"]
        if request.method == "PATCH":
            # RFC 9725 §4.3.1: a server without trickle ICE or ICE restarts answers 405.
            raise Refusal(
                405,
                "no_trickle",
                "trickle ICE and ICE restarts are not supported",
                Allow="DELETE, OPTIONS",
            )
        if request.method != "DELETE":
            raise Refusal(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here",
                Allow="DELETE, OPTIONS",
            )
        await self._authorize(request, role, source)
        if role == "whip":
            await self.engine.end_publish(session, source=source)
        else:
            await self.engine.end_view(session, source=source)
        return Response(status_code=200, headers=CORS)

    async def _authorize(self, request: Request, role: Role, source: str) -> None:
        token = await self.credentials(request)
        if token is None:
            raise Refusal(
                401,
                "no_token",
                "a bearer token is required",
                **{"WWW-Authenticate": 'Bearer realm="hub"'},
            )
        if not await self.authorizer.source_exists(source):
            raise Refusal(404, "unknown_source", f"there is no source {source}")
        if role == "whip":
            await self.authorizer.authorize_publish(source, token)
        else:
            await self.authorizer.authorize_view(source, token)

    async def _read_offer(self, request: Request) -> str:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != SDP_TYPE:
            raise Refusal(
                415,
                "unsupported_media_type",
                f"the offer must be sent as {SDP_TYPE}",
                **{"Accept-Post": SDP_TYPE},
            )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_sdp_bytes:
            raise self._too_large()
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_sdp_bytes:
                raise self._too_large()
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise OfferError("the offer is not UTF-8 text") from None

    def _too_large(self) -> Refusal:
        return Refusal(413, "offer_too_large", f"the offer exceeds {self.max_sdp_bytes} bytes")
